"""docs/architecture.md stays true: every module is in its module map (with about its line
count), and the import rules it states hold, read from the code with `ast`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests import conftest

ROOT = conftest.ROOT
PACKAGE = ROOT / "litbalint"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

# The rooms the rules speak of: a module belongs to the first whose prefix it starts with.
NETWORK = ("litbalint.eutils", "litbalint.eutils_replies", "litbalint.harvest")
RULES = {  # room: the rooms it must never import (docs/architecture.md, *Import rules*)
    "litbalint.sources": ("litbalint.store", "litbalint.publish", "litbalint.align", *NETWORK),
    "litbalint.align": ("litbalint.store", "litbalint.publish", "litbalint.sources", *NETWORK),
    "litbalint.store": ("litbalint.publish", "litbalint.align", *NETWORK),
    "litbalint.cite": ("litbalint.store", "litbalint.publish", *NETWORK),
    "litbalint.publish": (*NETWORK, "litbalint.pipeline", "litbalint.prepare"),
}
# What a room may import from a room it must not otherwise: publish reads the index's bm25
# weights from the schema (a constant, no writer), and `serve` asks the migrations whether a
# file needs an upgrade before serving it (a read; the site never migrates).
ALLOWED = {
    ("litbalint.publish", "litbalint.store.schema"),
    ("litbalint.publish", "litbalint.store.migrations"),
}
RULES["litbalint.publish"] += ("litbalint.store",)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Line numbers inside `if TYPE_CHECKING:` blocks (imports for annotations only)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports(name: str, runtime_only: bool = False) -> set[str]:
    """The litbalint modules `name` imports anywhere in its code (functions included);
    `runtime_only`: leaving out those imported for type annotations only."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _type_checking_lines(tree) if runtime_only else set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in typing_only:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target.startswith("litbalint") and target != name:
                found.add(target)
    return found


def _in(module: str, room: str) -> bool:
    return module == room or module.startswith(room + ".") or module.startswith(room + "_")


def test_the_import_rules_hold():
    broken = [
        f"{source} imports {target}"
        for source in MODULES
        for room, forbidden in RULES.items()
        if _in(source, room)
        for target in sorted(imports(source))
        if any(_in(target, no) for no in forbidden)
        and not any(_in(source, r) and _in(target, t) for r, t in ALLOWED)
    ]
    assert broken == [], "import rules of docs/architecture.md broken:\n" + "\n".join(broken)


def test_nothing_imports_the_command_line_but_main():
    command_line = {name for name in MODULES if _in(name, "litbalint.cli")}
    importers = {
        source
        for source in MODULES
        if source not in command_line and imports(source) & command_line
    }
    assert importers == {"litbalint.__main__"}


def test_no_import_cycles():
    graph = {name: imports(name, runtime_only=True) for name in MODULES}
    cycles = _cycles(graph)
    assert cycles == [], f"import cycles among litbalint modules: {cycles}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_every_module_is_in_the_module_map_with_its_line_count():
    from scripts import make_docs as docs

    listed = dict(
        (path, int(lines)) for path, _, lines in docs.MAP_ROW.findall(ARCHITECTURE.read_text())
    )
    counts = docs.modules()
    assert sorted(set(counts) - set(listed)) == [], "modules missing from the module map"
    assert sorted(set(listed) - set(counts)) == [], "the module map lists modules that are gone"
    # The line counts are approximate: off by more than a fifth (and 30 lines) is stale.
    stale = [
        f"{path}: {listed[path]} listed, {lines} now"
        for path, lines in counts.items()
        if abs(lines - listed[path]) > max(30, lines // 5)
    ]
    assert stale == [], "run python -m scripts.make_docs:\n" + "\n".join(stale)


@pytest.mark.parametrize("rule", ["sources", "align", "store", "publish"])
def test_the_doc_states_each_rule(rule):
    text = ARCHITECTURE.read_text(encoding="utf-8")
    assert re.search(rf"^- `{rule}/` imports nothing from", text, re.M), rule


def test_scripts_and_tests_import_without_editing_sys_path():
    """Test support lives in tests/support and scripts run as modules (`python -m scripts.X`):
    nothing finds its imports by editing sys.path."""
    editing = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for folder in ("scripts", "tests")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
        and node.attr == "path"
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
    ]
    assert editing == []
