"""The `litbalint` command: wires options to functions and prints results."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path

import click

from litbalint.align.lines import align_lines, align_paragraphs
from litbalint.errors import LitbalintError
from litbalint.eutils import DEFAULT_URL, Eutils
from litbalint.exports import tmx, tsv
from litbalint.harvest import HarvestLocked, harvest_lock, load_topics
from litbalint.harvest import Options as HarvestOptions
from litbalint.harvest import RunReport as HarvestReport
from litbalint.harvest import harvest as run_harvest
from litbalint.pipeline import FileReport, corpus_files, expand_paths, import_paths
from litbalint.resources import data_dir, data_path, default_db_path
from litbalint.store import SaveCounts, Store

DB_OPTION = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite database file (default: data/litbalint.db, or $LITBALINT_DB).",
)


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


class _OneLineErrors(click.Group):
    """Usage errors as one line ("Error: ..."), exit code 2, instead of click's usage block."""

    def main(self, *args, **kwargs):  # type: ignore[override]
        kwargs.pop("standalone_mode", None)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except click.ClickException as error:
            hint = f" (see: {error.ctx.command_path} --help)" if getattr(error, "ctx", None) else ""
            click.echo(f"Error: {error.format_message()}{hint}", err=True)
            sys.exit(error.exit_code)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=_OneLineErrors)
@click.version_option(package_name="litbalint")
def cli() -> None:
    """litbalint: a bilingual (English/Chinese) corpus on Balint groups and peer support."""


def _print_reports(reports: list[FileReport], quiet: bool = False) -> int:
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
    click.echo(
        f"{len(reports)} file(s): {total.new} new, {total.updated} updated, "
        f"{total.unchanged} unchanged, {total.deleted} deleted, {total.new_edges} new edges"
        + (f"; {failed} file(s) with problems" if failed else "")
    )
    return 1 if failed else 0


def _run_import(db_path: Path | None, paths: list[Path], quiet: bool) -> None:
    try:
        with Store(db_path or default_db_path()) as store:
            code = _print_reports(import_paths(store, paths), quiet)
    except LitbalintError as error:
        _fail(str(error))
    sys.exit(code)


@cli.command()
@DB_OPTION
@click.option(
    "--data",
    "data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of documents to build from (default: data/).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only the summary and problems.")
def build(db_path: Path | None, data: Path | None, quiet: bool) -> None:
    """Build (or refresh) the corpus from every document under data/."""
    files = corpus_files(data or data_dir())
    if not files:
        _fail(f"{data or data_dir()}: no documents to import")
    _run_import(db_path, files, quiet)


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@DB_OPTION
@click.option("-q", "--quiet", is_flag=True, help="Only the summary and problems.")
def import_command(paths: tuple[Path, ...], db_path: Path | None, quiet: bool) -> None:
    """Import files (Suppr pages, plain dumps, PubMed XML, MEDLINE/.nbib) or folders."""
    _run_import(db_path, expand_paths(paths), quiet)


@cli.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats(db_path: Path | None, as_json: bool) -> None:
    """Counts: articles, with Chinese, citation edges by kind, by topic, by year."""
    try:
        with Store(db_path or default_db_path(), create=False) as store:
            numbers = store.stats()
    except LitbalintError as error:
        _fail(str(error))
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


def _read_utf8(path: Path) -> str:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        _fail(f"{path}: not UTF-8 text (bad byte at offset {error.start}); save it as UTF-8")
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
    en_text, zh_text = _read_utf8(en_path), _read_utf8(zh_path)
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
    writer = tmx if file_format == "tmx" else tsv
    try:
        with Store(db_path or default_db_path(), create=False) as store:
            chunks = writer(store.sentence_pairs(min_score))
            if output is None:
                for chunk in chunks:
                    click.echo(chunk, nl=False)
                return
            if not output.parent.is_dir():
                _fail(f"{output}: its folder {output.parent} does not exist; create it first")
            partial = output.with_name(output.name + ".part")
            try:
                with open(partial, "w", encoding="utf-8") as stream:
                    stream.writelines(chunks)
                partial.replace(output)  # never a half-written export under the real name
            finally:
                partial.unlink(missing_ok=True)
    except LitbalintError as error:
        _fail(str(error))
    except BrokenPipeError:  # the reader (head, less) went away: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as error:
        _fail(f"{output}: cannot write ({error.strerror})")


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2024-01-31") from None


@cli.command()
@DB_OPTION
@click.option(
    "--topic",
    "topic_names",
    multiple=True,
    metavar="NAME",
    help="Harvest only this topic (repeatable; default: every topic).",
)
@click.option("--since", metavar="YYYY-MM-DD", help="Records modified or created since then.")
@click.option("--full", is_flag=True, help="Everything the topic queries find, ever.")
@click.option("--dry-run", is_flag=True, help="Print counts per topic and window; fetch nothing.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and the final line.")
@click.option(
    "--topics",
    "topics_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Topics file (default: data/topics.yml).",
)
@click.option(
    "--eutils-url",
    envvar="LITBALINT_EUTILS_URL",
    default=DEFAULT_URL,
    show_default=True,
    help="E-utilities base URL (or $LITBALINT_EUTILS_URL).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10000),
    default=500,
    show_default=True,
    help="PMIDs per efetch/elink request.",
)
@click.option(
    "--similar",
    "similar_top",
    type=click.IntRange(0, 1000),
    default=10,
    show_default=True,
    help="Similar articles kept per article (best scores first).",
)
def harvest(
    db_path: Path | None,
    topic_names: tuple[str, ...],
    since: str | None,
    full: bool,
    dry_run: bool,
    quiet: bool,
    topics_file: Path | None,
    eutils_url: str,
    batch_size: int,
    similar_top: int,
) -> None:
    """Harvest PubMed through E-utilities: new and revised records of every topic since the
    last successful run (a few days' overlap), with their citation links.

    Needs NCBI_EMAIL (NCBI asks for a contact); NCBI_API_KEY raises the limit from 3 to 10
    requests/s. Exit codes: 0 done; 1 failed (what was fetched is kept; the next run picks up
    the rest); 2 usage or configuration error; 3 another harvest is running on this database.
    """
    if since and full:
        raise click.UsageError("--since and --full do not go together")
    options = HarvestOptions(
        topics=list(topic_names),
        since=_date(since),
        full=full,
        dry_run=dry_run,
        batch_size=batch_size,
        similar_top=similar_top,
    )
    db = db_path or default_db_path()
    try:
        topics = load_topics(topics_file or data_path("topics.yml"))
        client = Eutils(
            eutils_url, os.environ.get("NCBI_EMAIL", ""), os.environ.get("NCBI_API_KEY") or None
        )
    except LitbalintError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(2)
    try:
        with harvest_lock(db), Store(db) as store:
            report = run_harvest(store, client, topics, options, _progress(quiet))
    except HarvestLocked as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(3)
    except LitbalintError as error:
        _fail(str(error))
    _print_harvest(report, dry_run, quiet)
    if not report.ok:
        sys.exit(1)


def _progress(quiet: bool):
    if quiet:
        return None
    if sys.stderr.isatty():
        state: dict = {}

        def bar(done: int, total: int) -> None:
            if "bar" not in state:
                state["bar"] = click.progressbar(length=total, label="harvest", file=sys.stderr)
                state["bar"].__enter__()
            state["bar"].update(done - state.get("done", 0))
            state["done"] = done
            if done >= total:
                state["bar"].__exit__(None, None, None)

        return bar

    def line(done: int, total: int) -> None:
        click.echo(f"harvest: {done}/{total} records fetched")

    return line


def _print_harvest(report: HarvestReport, dry_run: bool, quiet: bool) -> None:
    if not quiet or dry_run:
        for window in report.windows:
            click.echo(
                f"{window.topic}: {window.date_from:%Y-%m-%d} .. {window.date_to:%Y-%m-%d}"
                f": {len(window.pmids)} records"
            )
    counts = report.counts
    if not dry_run:
        click.echo(
            f"run {report.run_id}: {report.fetched} fetched; new {counts.new}, updated "
            f"{counts.updated}, unchanged {counts.unchanged}, deleted {counts.deleted}, "
            f"new edges {counts.new_edges}; {report.requests} requests, {report.retries} retries"
        )
    if report.error:
        click.echo(f"Error: {report.error}", err=True)
    if report.gaps:
        click.echo(
            f"Error: {len(report.gaps)} PMIDs did not come back from efetch "
            "(the next run asks again)",
            err=True,
        )
