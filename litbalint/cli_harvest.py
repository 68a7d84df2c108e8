"""`litbalint harvest`: options to the harvester, and its progress and report printed."""

from __future__ import annotations

import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from litbalint.cli_common import DB_OPTION, TOPICS_OPTION, fail, load_topics_or_exit, progress
from litbalint.errors import LitbalintError
from litbalint.harvest_settings import DEFAULT_URL, LINKS_REFRESH_DAYS
from litbalint.resources import default_db_path

if TYPE_CHECKING:
    from litbalint.harvest import RunReport

HARVEST_LINE = "harvest: {done}/{total} records fetched"


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2024-01-31") from None


@click.command()
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
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    help="End the windows on this date instead of today (replays of recorded nights, tests).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print counts per topic and window and how PubMed read each query; fetch and write "
    "nothing (no database, no lock file).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only errors and one summary line (for cron).")
@TOPICS_OPTION
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
    help="PMIDs per efetch request and saved batch (elink asks 100, or 50 with scores).",
)
@click.option(
    "--similar",
    "similar_top",
    type=click.IntRange(0, 1000),
    default=10,
    show_default=True,
    help="Similar articles kept per article (best scores first).",
)
@click.option(
    "--links-refresh-days",
    type=click.IntRange(0, 3650),
    default=LINKS_REFRESH_DAYS,
    show_default=True,
    help="Fetch again the links of corpus articles fetched this many days ago or more "
    "(a bounded slice per run, oldest first).",
)
def harvest(
    db_path: Path | None,
    topic_names: tuple[str, ...],
    since: str | None,
    full: bool,
    today: str | None,
    dry_run: bool,
    quiet: bool,
    topics_file: Path | None,
    eutils_url: str,
    batch_size: int,
    similar_top: int,
    links_refresh_days: int,
) -> None:
    """Harvest PubMed through E-utilities: new and revised records of every topic since the
    last successful run (a few days' overlap), with their citation links.

    Needs NCBI_EMAIL (NCBI asks for a contact); NCBI_API_KEY raises the limit from 3 to 10
    requests/s. Records, links and stub titles are separate steps: links or titles that fail
    for some PMIDs are left for the next runs (named in the summary) and do not fail the run.

    \b
    Exit codes:
      0  records stored (links/titles/records left for the next run named in the summary)
      1  records could not be stored: NCBI unreachable or kept failing, a request NCBI
         refuses (e.g. an unknown field in a topic's query), a database error; what was
         stored is kept and the next run picks up the rest
      2  usage or configuration error
      3  another harvest is running on this database
    """
    from litbalint.eutils import Eutils  # the harvester: loaded for this command only
    from litbalint.harvest import HarvestLocked, Options, harvest_lock, select_topics
    from litbalint.harvest import dry_run as run_dry
    from litbalint.harvest import harvest as run_harvest
    from litbalint.pipeline import relearn_lexicon
    from litbalint.store import Store

    if since and full:
        raise click.UsageError("--since and --full do not go together")
    options = Options(
        topics=list(topic_names),
        since=_date(since),
        full=full,
        dry_run=dry_run,
        today=_date(today) or date.today(),
        batch_size=batch_size,
        similar_top=similar_top,
        links_refresh_days=links_refresh_days,
    )
    db = db_path or default_db_path(create_folder=not dry_run)
    every_topic = load_topics_or_exit(topics_file)
    try:
        topics = select_topics(every_topic, options.topics)
        client = Eutils(
            eutils_url, os.environ.get("NCBI_EMAIL", ""), os.environ.get("NCBI_API_KEY") or None
        )
    except LitbalintError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(2)
    try:
        if dry_run:
            report = run_dry(db, client, topics, options)
        else:
            with harvest_lock(db), Store(db, topics=every_topic) as store:
                report = run_harvest(
                    store, client, topics, options, progress(quiet, "harvest", HARVEST_LINE)
                )
                if report.ok:  # records with a Chinese abstract were aligned: learn from them
                    relearn_lexicon(store)
    except HarvestLocked as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(3)
    except LitbalintError as error:
        fail(str(error))
    except Exception as error:  # a bug: still one line (the run log records it as failed)
        fail(f"the harvest failed unexpectedly ({type(error).__name__}: {error}); please report")
    _print_harvest(report, dry_run, quiet)
    if not report.ok:
        sys.exit(1)


def _print_harvest(report: RunReport, dry_run: bool, quiet: bool) -> None:
    if not quiet or dry_run:
        for window in report.windows:
            click.echo(
                f"{window.topic}: {window.date_from:%Y-%m-%d} .. {window.date_to:%Y-%m-%d}"
                f": {len(window.pmids)} records"
            )
            if dry_run and window.translation:
                click.echo(f"  PubMed reads the query as: {window.translation}")
            for note in window.notes:
                click.echo(f"  PubMed notes: {note}")
    if report.error:
        click.echo(f"Error: {report.error}", err=True)
    if not dry_run:
        click.echo(summary_line(report))


def _counted(records: int, links: int, titles: int) -> list[str]:
    """'2 records', "3 PMIDs' links", '5 titles': the non-zero ones, for the summary line."""
    named = ((records, "records"), (links, "PMIDs' links"), (titles, "titles"))
    return [f"{n:,} {what}" for n, what in named if n]


def summary_line(report: RunReport) -> str:
    """One line for cron: what was stored, and what was retried or left for the next run."""
    counts = report.counts
    stored = (
        f"{report.fetched:,} records (new {counts.new:,}, updated {counts.updated:,}, "
        f"unchanged {counts.unchanged:,}, deleted {counts.deleted:,}); "
        f"{counts.new_edges:,} new edges"
    )
    left = _counted(len(report.gaps), report.links_left, report.titles_left)
    parts = [f"harvest {'ok' if report.ok else 'failed'}: run {report.run_id}: {stored}"]
    if report.links_refreshed:
        parts.append(f"{report.links_refreshed:,} articles' links refreshed")
    if report.topics_dropped:
        parts.append(f"{report.topics_dropped:,} topics dropped (no longer found by their search)")
    if report.missing:
        parts.append(
            f"{report.missing:,} PMIDs not in their topic's search (settled if still so next run)"
        )
    if report.retried:
        parts.append(f"{report.retried:,} PMIDs retried from earlier runs")
    if left:
        parts.append(
            f"{', '.join(left[:-1])}{' and ' if len(left) > 1 else ''}{left[-1]} left "
            "for the next run"
        )
    given_up = _counted(len(report.given_up), report.links_given_up, report.titles_given_up)
    if given_up:
        parts.append(f"given up after repeated failures: {', '.join(given_up)} (see harvest_todo)")
    parts += report.notes
    parts.append(f"{report.requests:,} requests, {report.retries:,} retries")
    return "; ".join(parts)
