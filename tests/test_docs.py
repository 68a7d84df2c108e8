"""The docs stay true to the code: every option of every command has a help text and docs/cli.md
is what scripts/make_docs.py makes now; every table and column of a fresh database has a
description in metadata.yml and docs/schema.md shows it; README's links into docs/ lead to
pages that exist."""

from __future__ import annotations

import re

import click
import pytest

from litbalint.cli import cli
from tests import conftest

ROOT = conftest.ROOT
REGENERATE = "run `python -m scripts.make_docs` and commit the result"


@pytest.fixture(scope="module")
def make_docs():
    from scripts import make_docs as module  # the generator itself: the test runs what it runs

    return module


@pytest.fixture(scope="module")
def schema(make_docs):
    return make_docs.fresh_schema()


def test_the_walk_reaches_every_command_and_option(make_docs):
    paths = [path for path, _ in make_docs.commands(cli)]
    assert paths[0] == "litbalint"
    assert {f"litbalint {name}" for name in cli.commands} <= set(paths)
    serve = dict(make_docs.commands(cli))["litbalint serve"]
    options = {opt for param in serve.command.params for opt in param.opts}
    assert {"--workers", "--cache-mb", "--setting", "--port"} <= options


def test_the_walk_enters_subgroups(make_docs):
    group = click.Group("top", commands=[click.Group("sub", commands=[click.Command("leaf")])])
    assert [path for path, _ in make_docs.commands(group, "top")] == [
        "top",
        "top sub",
        "top sub leaf",
    ]


def test_every_option_has_a_help_text(make_docs):
    assert make_docs.options_without_help(cli) == [], "give these options a help= text"


def test_an_option_without_help_is_found(make_docs):
    command = click.Command(
        "x", params=[click.Option(["--bare"]), click.Option(["--ok"], help="y")]
    )
    assert make_docs.options_without_help(command) == ["litbalint --bare"]


def test_the_cli_page_is_what_the_generator_makes(make_docs):
    page = ROOT / "docs" / "cli.md"
    expected = make_docs.replace_generated(
        page.read_text(encoding="utf-8"), make_docs.cli_reference(cli)
    )
    assert page.read_text(encoding="utf-8") == expected, f"docs/cli.md is stale: {REGENERATE}"


def test_the_cli_page_names_every_option(make_docs):
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for path, ctx in make_docs.commands(cli):
        assert f"## `{path}`" in text
        for param in ctx.command.get_params(ctx):
            if isinstance(param, click.Option):
                assert re.search(rf"(^|[\s,/]){re.escape(param.opts[-1])}\b", text, re.M), (
                    path,
                    param.opts,
                )


def test_every_table_and_column_has_a_description(make_docs, schema):
    missing = make_docs.undocumented(schema)
    assert missing == [], (
        "describe these in litbalint/publish/metadata.yml (databases: litbalint: tables:), "
        f"then {REGENERATE}: {missing}"
    )


def test_the_schema_page_is_what_the_generator_makes(make_docs, schema):
    page = ROOT / "docs" / "schema.md"
    text = page.read_text(encoding="utf-8")
    expected = make_docs.replace_generated(text, make_docs.schema_reference(schema))
    assert text == expected, f"docs/schema.md is stale: {REGENERATE}"


def test_the_schema_page_shows_every_table_and_column(schema):
    text = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    for name, (_, _, columns) in schema.items():
        section = text.split(f"### `{name}` (", 1)[1].split("\n### ", 1)[0]
        for column, _ in columns:
            assert f"| `{column}` |" in section, f"{name}.{column}"


def test_internal_tables_are_kept_and_fts_shadow_tables_left_out(schema):
    assert {"articles", "articles_fts", "article_search", "sentence_pairs"} <= set(schema)
    assert not {name for name in schema if re.fullmatch(r"articles_fts_\w+", name)}
    assert not {name for name in schema if name.startswith("sqlite_")}


def test_a_view_column_takes_the_description_of_the_table_it_reads(make_docs, schema):
    tables = make_docs.described_tables()
    _, sql, _ = schema["article_search"]
    assert (
        make_docs.column_description("article_search", sql, "title_zh", tables)
        == (tables["articles"]["columns"]["title_zh"])
    )
    assert make_docs.column_description("articles", "CREATE TABLE x", "nonexistent", tables) == ""


def test_an_undocumented_column_is_named(make_docs, schema):
    extra = dict(schema)
    extra["articles"] = (*schema["articles"][:2], [*schema["articles"][2], ("shiny", "TEXT")])
    extra["brand_new"] = ("table", "CREATE TABLE brand_new (x)", [("x", "any")])
    assert make_docs.undocumented(extra) == ["articles.shiny", "brand_new", "brand_new.x"]


def test_readme_starts_with_the_two_commands_and_keeps_the_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```bash\n", 1)[1].split("```", 1)[0]
    assert "litbalint build" in first_block and "litbalint serve" in first_block
    assert re.search(r"<!-- test-command -->\n```bash\n.*pytest.*\n```", readme)


def test_links_into_docs_lead_to_pages_and_headings_that_exist():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(((?:docs/)?[\w-]+\.md)(?:#([\w-]+))?\)", page.read_text()):
            path = (page.parent / target[0]) if page.parent.name == "docs" else ROOT / target[0]
            if not path.exists():
                broken.append(f"{page.name}: {target[0]}")
            elif target[1] and target[1] not in _anchors(path.read_text(encoding="utf-8")):
                broken.append(f"{page.name}: {target[0]}#{target[1]}")
    assert broken == []


def _anchors(text: str) -> set[str]:
    """GitHub's anchors of a page's headings."""
    return {
        re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.*)$", text, re.M)
    }
