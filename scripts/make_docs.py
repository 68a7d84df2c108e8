"""Write the generated parts of docs/ from the code, between their markers (as cog does):

    python -m scripts.make_docs            rewrite them
    python -m scripts.make_docs --check    exit 1 naming each page that is not what this writes

- docs/cli.md: every `litbalint` command's --help (walking `litbalint.cli.cli`);
- docs/schema.md: every table, view and column of a fresh database (`Store`), described by
  litbalint/publish/metadata.yml (the one place: Datasette shows readers the same words);
- docs/architecture.md: the line count of each module in its module map.

tests/test_docs.py and tests/test_architecture.py run the same functions.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import click
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PACKAGE = ROOT / "litbalint"
METADATA = PACKAGE / "publish" / "metadata.yml"
START = "<!-- generated: python -m scripts.make_docs; not by hand -->"
END = "<!-- /generated -->"
HELP_WIDTH = 100
FTS_SHADOWS = ("data", "idx", "docsize", "config", "content")  # tables FTS5 keeps for itself


# -- the command line -----------------------------------------------------------------------


def commands(
    command: click.Command, path: str = "litbalint", parent: click.Context | None = None
) -> Iterator[tuple[str, click.Context]]:
    """(command path, its context) for `command` and, for a group, every subcommand in order."""
    ctx = click.Context(
        command, info_name=path.split()[-1], parent=parent, max_content_width=HELP_WIDTH
    )
    ctx.terminal_width = HELP_WIDTH
    yield path, ctx
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from commands(sub, f"{path} {name}", ctx)


def options_without_help(root: click.Command) -> list[str]:
    """`command --option` for every option whose --help line says nothing about it."""
    return [
        f"{path} {param.opts[0]}"
        for path, ctx in commands(root)
        for param in ctx.command.get_params(ctx)
        if isinstance(param, click.Option) and not (param.help or "").strip()
    ]


def cli_reference(root: click.Command) -> str:
    """Each command's --help, as `litbalint COMMAND --help` prints it."""
    parts = []
    for path, ctx in commands(root):
        help_text = ctx.command.get_help(ctx).replace(ctx.command_path, path)
        parts.append(f"## `{path}`\n\n```text\n{help_text.rstrip()}\n```\n")
    return "\n".join(parts)


# -- the schema -----------------------------------------------------------------------------


def fresh_schema() -> dict[str, tuple[str, str, list[tuple[str, str]]]]:
    """{name: (kind, SQL, [(column, what it is)])} of a database `Store` has just created:
    every table and view but SQLite's own and the shadow tables of full-text indexes."""
    from litbalint.store import Store

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "schema.db"
        Store(path).close()
        conn = sqlite3.connect(path)
        try:
            rows = conn.execute(
                "SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'view') "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            ).fetchall()
            virtual = [n for n, _, sql in rows if sql.upper().startswith("CREATE VIRTUAL")]
            shadows = {f"{name}_{suffix}" for name in virtual for suffix in FTS_SHADOWS}
            schema = {}
            for name, kind, sql in rows:
                if name in shadows:
                    continue
                keys = {
                    row[3]: f"→ {row[2]}.{row[4] or 'rowid'}"
                    for row in conn.execute(f"PRAGMA foreign_key_list([{name}])")
                }
                columns = [
                    (column, _column_type(declared, pk, notnull, keys.get(column)))
                    for _, column, declared, notnull, _, pk in conn.execute(
                        f"PRAGMA table_info([{name}])"
                    )
                ]
                label = "FTS5 index" if name in virtual else kind
                schema[name] = (label, sql, columns)
            return schema
        finally:
            conn.close()


def _column_type(declared: str, pk: int, notnull: int, reference: str | None) -> str:
    words = [declared or "any"]
    if pk:
        words.append("primary key")
    elif notnull:
        words.append("not null")
    if reference:
        words.append(reference)
    return ", ".join(words)


def described_tables() -> dict:
    """metadata.yml's `tables:` block (descriptions of tables and columns)."""
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    return metadata["databases"]["litbalint"]["tables"]


def column_description(name: str, sql: str, column: str, tables: dict) -> str:
    """A column's description; a view's column without one of its own takes the description of
    the column of that name in the first table its SQL reads that has one (tables readers see
    before hidden ones, such as the full-text index)."""
    own = (tables.get(name, {}).get("columns") or {}).get(column)
    if own or not sql.upper().startswith("CREATE VIEW"):
        return own or ""
    sources = re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", sql, re.I)
    for source in sorted(sources, key=lambda table: bool(tables.get(table, {}).get("hidden"))):
        found = (tables.get(source, {}).get("columns") or {}).get(column)
        if found:
            return found
    return ""


def undocumented(schema: dict | None = None) -> list[str]:
    """Each table without a description and `table.column` without one, in metadata.yml."""
    schema = fresh_schema() if schema is None else schema
    tables = described_tables()
    missing = []
    for name, (_, sql, columns) in schema.items():
        if not (tables.get(name) or {}).get("description"):
            missing.append(name)
        missing += [
            f"{name}.{column}"
            for column, _ in columns
            if not column_description(name, sql, column, tables)
        ]
    return missing


def schema_reference(schema: dict | None = None) -> str:
    """One section per table and view: its description, then its columns."""
    schema = fresh_schema() if schema is None else schema
    tables = described_tables()
    parts = []
    for name, (kind, sql, columns) in schema.items():
        description = (tables.get(name) or {}).get("description") or "**(no description)**"
        rows = [
            f"| `{column}` | {declared} | "
            f"{_cell(column_description(name, sql, column, tables)) or '**(no description)**'} |"
            for column, declared in columns
        ]
        parts.append(
            f"### `{name}` ({kind})\n\n{_cell(description)}\n\n"
            "| column | type | description |\n| --- | --- | --- |\n" + "\n".join(rows) + "\n"
        )
    return "\n".join(parts)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


# -- the module map -------------------------------------------------------------------------


def modules() -> dict[str, int]:
    """{path from the project root: lines} of every Python module of the package."""
    return {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(PACKAGE.rglob("*.py"))
    }


MAP_ROW = re.compile(r"^\| `(litbalint/[\w/]+\.py)` \| (.*) \| (\d+) \|$", re.M)


def module_map(text: str, counts: dict[str, int]) -> str:
    """The module map's rows with each module's line count as it is now."""
    return MAP_ROW.sub(
        lambda m: f"| `{m.group(1)}` | {m.group(2)} | {counts.get(m.group(1), m.group(3))} |",
        text,
    )


# -- the pages ------------------------------------------------------------------------------


def replace_generated(text: str, generated: str) -> str:
    """`text` with what stands between START and END replaced by `generated`."""
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n\n{generated.strip()}\n\n{END}{tail}"


def pages() -> dict[Path, str]:
    """{page: what it should be} for every page with generated parts."""
    from litbalint.cli import cli

    cli_page, schema_page, architecture = (
        DOCS / "cli.md",
        DOCS / "schema.md",
        DOCS / "architecture.md",
    )
    return {
        cli_page: replace_generated(cli_page.read_text(encoding="utf-8"), cli_reference(cli)),
        schema_page: replace_generated(schema_page.read_text(encoding="utf-8"), schema_reference()),
        architecture: module_map(architecture.read_text(encoding="utf-8"), modules()),
    }


def stale() -> list[Path]:
    """The pages that are not what `pages()` makes."""
    return [page for page, text in pages().items() if page.read_text(encoding="utf-8") != text]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    args = parser.parse_args()
    if args.check:
        old = stale()
        for page in old:
            print(f"{page.relative_to(ROOT)} is stale: run python -m scripts.make_docs")
        return 1 if old else 0
    for page, text in pages().items():
        if page.read_text(encoding="utf-8") != text:
            page.write_text(text, encoding="utf-8")
            print(f"wrote {page.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
