"""The `litbalint` command: wires options to functions and prints results."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from litbalint.cli_common import DB_OPTION, TOPICS_OPTION, fail, load_topics_or_exit, read_utf8
from litbalint.cli_embed import embed, embed_step
from litbalint.cli_harvest import harvest
from litbalint.cli_serve import serve
from litbalint.errors import LitbalintError
from litbalint.resources import data_dir, default_db_path

# Only click and what defines the options are imported above: `--help` loads nothing else
# (tests/test_cli.py checks it); each command imports what it uses when it runs.
if TYPE_CHECKING:
    from litbalint.pipeline import FileReport, LexiconUpdate
    from litbalint.store import Store


class _OneLineErrors(click.Group):
    """Usage errors as one line ("Error: ..."), exit code 2, instead of click's usage block."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,  # ignored: errors are always handled here
        **extra: Any,
    ) -> NoReturn:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except click.ClickException as error:
            ctx = error.ctx if isinstance(error, click.UsageError) else None
            hint = f" (see: {ctx.command_path} --help)" if ctx else ""
            click.echo(f"Error: {error.format_message()}{hint}", err=True)
            sys.exit(error.exit_code)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=_OneLineErrors)
@click.version_option(package_name="litbalint")
def cli() -> None:
    """litbalint: a bilingual (English/Chinese) corpus on Balint groups and peer support."""


def _print_reports(
    reports: list[FileReport], quiet: bool = False, lexicon: LexiconUpdate | None = None
) -> int:
    from litbalint.store import SaveCounts

    total = SaveCounts()
    failed = 0
    for report in reports:
        if report.refused:
            click.echo(f"Error: {report.refused}", err=True)
            failed += 1
            continue
        total.add(report.counts)
        counts = report.counts
        if not quiet:
            click.echo(
                f"{report.path}: {report.format}, {report.records} record(s), "
                f"{report.related} related; new {counts.new}, updated {counts.updated}, "
                f"unchanged {counts.unchanged}, deleted {counts.deleted}, "
                f"new edges {counts.new_edges}, aligned {report.aligned}"
            )
        for problem in report.problems:
            click.echo(f"Warning: {problem}", err=True)
        failed += bool(report.problems)
    if lexicon and not quiet:
        click.echo(f"learned lexicon: {lexicon.pairs} word pairs from {lexicon.beads} beads")
    click.echo(
        f"{len(reports)} file(s): {total.new} new, {total.updated} updated, "
        f"{total.unchanged} unchanged, {total.deleted} deleted, {total.new_edges} new edges"
        + (f"; {failed} file(s) with problems" if failed else "")
    )
    return 1 if failed else 0


def _run_import(
    db_path: Path | None,
    paths: list[Path],
    quiet: bool,
    embeddings: bool = False,
    named: Sequence[Path] = (),
    topics_file: Path | None = None,
) -> None:
    """Import; `named`: the folders and files the user named (stored paths are relative);
    `topics_file`: whose rules assign topics (else the configured one)."""
    from litbalint.pipeline import import_paths, relearn_lexicon  # the importers: here
    from litbalint.store import Store

    try:
        topics = load_topics_or_exit(topics_file)
        with Store(db_path or default_db_path(create_folder=True), topics=topics) as store:
            reports = import_paths(store, paths, roots=named)
            code = _print_reports(reports, quiet, relearn_lexicon(store))
            if embeddings:
                embed_step(store, quiet)
            elif not quiet:
                _embed_hint(store)
    except LitbalintError as error:
        fail(str(error))
    sys.exit(code)


def _embed_hint(store: Store) -> None:
    """After an import: how many corpus articles have no vector yet (`litbalint embed`)."""
    from litbalint.embed import MODEL_NAME, switched_off
    from litbalint.store import vectors

    if switched_off():
        return
    with_vector, corpus = vectors.counts(store.db, MODEL_NAME)
    if corpus > with_vector:
        click.echo(
            f"{corpus - with_vector:,} corpus article(s) not embedded yet: run `litbalint embed` "
            "(related articles, cross-lingual search)"
        )


@cli.command()
@DB_OPTION
@click.option(
    "--data",
    "data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of further documents (default: $LITBALINT_DATA, else ./data when it exists).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only the summary and problems.")
@click.option(
    "--embed/--no-embed",
    "embeddings",
    default=True,
    help="End by embedding the new and changed articles (`litbalint embed`; default), or not.",
)
@TOPICS_OPTION
def build(
    db_path: Path | None, data: Path | None, quiet: bool, embeddings: bool, topics_file: Path | None
) -> None:
    """Build (or refresh) the corpus: the bundled seed documents, then every document in the
    data folder, then the embeddings of new and changed articles."""
    from litbalint.pipeline import corpus_files

    documents = data or _default_documents()
    named = [documents] if documents else []
    _run_import(db_path, corpus_files(documents), quiet, embeddings, named, topics_file)


def _default_documents() -> Path | None:
    """The data folder when it exists; a missing $LITBALINT_DATA is a usage error."""
    folder = data_dir()
    if folder.is_dir():
        return folder
    if os.environ.get("LITBALINT_DATA"):
        raise click.UsageError(f"LITBALINT_DATA={folder}: no such folder")
    return None


def _existing(ctx: click.Context, param: click.Parameter, paths: tuple[Path, ...]) -> tuple:
    """Paths that exist, also as a link (a link that loops is refused as its file is)."""
    for path in paths:
        if not os.path.lexists(path):
            raise click.BadParameter(f"Path {str(path)!r} does not exist.")
    return paths


@cli.command("import")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(path_type=Path), callback=_existing
)
@DB_OPTION
@click.option("-q", "--quiet", is_flag=True, help="Only the summary and problems.")
@TOPICS_OPTION
def import_command(
    paths: tuple[Path, ...], db_path: Path | None, quiet: bool, topics_file: Path | None
) -> None:
    """Import files (Suppr pages, plain dumps, PubMed XML, MEDLINE/.nbib) or folders."""
    from litbalint.pipeline import expand_paths

    _run_import(db_path, expand_paths(paths), quiet, named=paths, topics_file=topics_file)


@cli.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats(db_path: Path | None, as_json: bool) -> None:
    """Counts: articles, with Chinese, citation edges by kind, by topic, by year."""
    import dataclasses

    from litbalint.store import Store

    try:
        with Store(db_path or default_db_path(), create=False) as store:
            numbers = store.stats()
    except LitbalintError as error:
        fail(str(error))
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(numbers), ensure_ascii=False, indent=2))
        return
    click.echo(f"articles        {numbers.articles}")
    click.echo(f"with Chinese    {numbers.with_chinese}")
    click.echo(f"linked stubs    {numbers.stubs}")
    click.echo(f"deleted         {numbers.deleted}")
    click.echo(f"imported files  {numbers.files}")
    edges = sum(numbers.edges_by_kind.values())
    click.echo(
        f"citation edges  {edges}"
        + "".join(f"\n  {kind:<14}{count}" for kind, count in numbers.edges_by_kind.items())
    )
    click.echo(
        "by topic" + "".join(f"\n  {topic:<14}{count}" for topic, count in numbers.by_topic.items())
    )
    click.echo(
        "by year" + "".join(f"\n  {year:<14}{count}" for year, count in numbers.by_year.items())
    )


@cli.command()
@DB_OPTION
def upgrade(db_path: Path | None) -> None:
    """Apply the schema migrations this database lacks (build, import and harvest do it too;
    stats, export, embed and serve do not)."""
    from litbalint.store import SCHEMA_VERSION, Store

    path = db_path or default_db_path()
    if not path.exists():
        fail(f"{path}: no database here; run `litbalint build` first")
    try:
        with Store(path) as store:
            applied = store.migrated
    except LitbalintError as error:
        fail(str(error))
    done = f"applied {', '.join(applied)}" if applied else "already up to date"
    click.echo(f"{path}: schema {SCHEMA_VERSION}, {done}")


@cli.command()
@click.option(
    "--en",
    "en_path",
    required=True,
    help="English file, UTF-8.",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--zh",
    "zh_path",
    required=True,
    help="Chinese file, UTF-8.",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--split", is_flag=True, help="The files hold paragraphs: split them into sentences first."
)
def align(en_path: Path, zh_path: Path, split: bool) -> None:
    """Align an English and a Chinese file; print one JSON bead per line.

    Without --split each line is a sentence, and every line of both files appears in exactly
    one bead: {"en": [0-based line numbers], "zh": [...], "score": 0..1}."""
    from litbalint.align.lines import align_lines, align_paragraphs  # the aligner: here

    en_text, zh_text = read_utf8(en_path), read_utf8(zh_path)
    if split:
        beads = align_paragraphs(en_text, zh_text)
    else:
        beads = align_lines(_lines(en_text), _lines(zh_text))
    for bead in beads:
        click.echo(json.dumps(bead, ensure_ascii=False))


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines  # a final newline ends a line


@cli.command()
@DB_OPTION
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["tmx", "tsv"]),
    default="tmx",
    show_default=True,
    help="TMX 1.4 for translation-memory tools, TSV for scripts.",
)
@click.option(
    "--min-score",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Leave out pairs scored lower.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write here instead of standard output.",
)
def export(db_path: Path | None, file_format: str, min_score: float, output: Path | None) -> None:
    """Export the aligned sentence pairs (English-Chinese) of the corpus."""
    from litbalint.exports import tmx, tsv
    from litbalint.store import Store, alignments

    writer = tmx if file_format == "tmx" else tsv
    try:
        with Store(db_path or default_db_path(), create=False) as store:
            chunks = writer(alignments.sentence_pairs(store.db, min_score))
            if output is None:
                for chunk in chunks:
                    click.echo(chunk, nl=False)
                return
            if not output.parent.is_dir():
                fail(f"{output}: its folder {output.parent} does not exist; create it first")
            partial = output.with_name(output.name + ".part")
            try:
                with open(partial, "w", encoding="utf-8") as stream:
                    stream.writelines(chunks)
                partial.replace(output)  # never a half-written export under the real name
            finally:
                partial.unlink(missing_ok=True)
    except LitbalintError as error:
        fail(str(error))
    except BrokenPipeError:  # the reader (head, less) went away: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as error:
        fail(f"{output}: cannot write ({error.strerror})")


cli.add_command(harvest)
cli.add_command(embed)
cli.add_command(serve)
