"""The nightly harvest: topics, date windows, slices under the 10,000 cap, the run log.
Orchestration only: HTTP is in eutils, batches in harvest_batches, writing in store.

Records, links and stub titles are separate steps. A run that stored its records is "ok" and
advances its windows even when links or titles of some PMIDs failed: those wait in the store's
to-do list (harvest_todo) for the next runs, as do PMIDs esearch listed and efetch did not
return (given up after RECORD_TRIES runs)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from litbalint.errors import LitbalintError
from litbalint.eutils import (
    Eutils,
    EutilsError,
    EutilsRequestError,
    EutilsUnreachable,
    SearchResult,
)
from litbalint.harvest_batches import Titles, fetch_all
from litbalint.harvest_config import HarvestLocked, harvest_lock, select_topics
from litbalint.harvest_reconcile import reconcile, refresh_links
from litbalint.harvest_settings import LINKS_REFRESH_DAYS
from litbalint.store import SaveCounts, Store, runs
from litbalint.topics import Topic

__all__ = [
    "HarvestLocked",
    "Options",
    "RunReport",
    "Window",
    "dry_run",
    "harvest",
    "harvest_lock",
    "plan_windows",
    "select_topics",
]

CAP = 9999  # PubMed gives only the first 10,000 hits of a search (retstart <= 9998)
OVERLAP_DAYS = 3
FIRST_DAY = date(1800, 1, 1)


@dataclass
class Options:
    topics: list[str] = field(default_factory=list)  # empty: all
    since: date | None = None
    full: bool = False
    dry_run: bool = False
    batch_size: int = 500
    similar_top: int = 10
    today: date = field(default_factory=date.today)
    links_refresh_days: int = LINKS_REFRESH_DAYS


@dataclass
class Window:
    topic: str
    date_from: date
    date_to: date
    pmids: set[int] = field(default_factory=set)
    translation: str | None = None  # how PubMed read the topic query
    notes: list[str] = field(default_factory=list)  # its warnings and errors about the query


@dataclass
class RunReport:
    run_id: int | None
    windows: list[Window]
    counts: SaveCounts = field(default_factory=SaveCounts)
    fetched: int = 0
    gaps: list[int] = field(default_factory=list)  # not returned by efetch: asked again later
    given_up: list[int] = field(default_factory=list)  # not returned RECORD_TRIES runs running
    retried: int = 0  # to-do PMIDs of earlier runs asked for again
    links_left: int = 0  # PMIDs whose links failed: asked again by the next run
    titles_left: int = 0  # stubs esummary gave no title this run
    links_given_up: int = 0  # PMIDs whose links failed LINK_TRIES runs: no longer asked
    titles_given_up: int = 0  # stubs esummary gave no title TITLE_TRIES runs
    links_refreshed: int = 0  # articles whose older links were fetched again
    topics_dropped: int = 0  # harvest topics whose search no longer finds the article
    missing: int = 0  # PMIDs vanished from PubMed once: marked deleted if again next run
    notes: list[str] = field(default_factory=list)  # refresh or reconciliation left for later
    requests: int = 0
    retries: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Records stored (what is left for the next run is in the report, not a failure)."""
        return self.error is None


Progress = Callable[[int, int], None]  # (records done, records to fetch)


def _fmt(day: date) -> str:
    return day.strftime("%Y/%m/%d")


def _parse(text: str) -> date:
    year, month, day = (int(part) for part in text.split("/"))
    return date(year, month, day)


def search_ids(
    client: Eutils, query: str, datetype: str, start: date, end: date, window: Window
) -> set[int]:
    """Every PMID the query finds in [start, end] by datetype, splitting the range until each
    slice is under PubMed's cap. How PubMed read the query is noted on the window."""
    result = client.esearch(query, datetype, _fmt(start), _fmt(end), retmax=CAP)
    _note(window, result)
    if result.count <= CAP and len(result.ids) >= result.count:
        return set(result.ids)
    if start >= end:
        raise EutilsRequestError(
            f"{result.count} records on {_fmt(start)} alone: more than PubMed lets one search "
            f"retrieve; narrow the query of topic {window.topic!r}"
        )
    middle = start + (end - start) // 2
    return search_ids(client, query, datetype, start, middle, window) | search_ids(
        client, query, datetype, middle + timedelta(days=1), end, window
    )


def _note(window: Window, result: SearchResult) -> None:
    window.translation = window.translation or result.translation
    window.notes += [n for n in result.notes() if n not in window.notes]


def plan_windows(
    last_end: Callable[[str], str | None], topics: list[Topic], options: Options
) -> list[Window]:
    """Each topic's window: from its last successful window's end (minus an overlap)."""
    windows = []
    for topic in topics:
        if options.full:
            start = FIRST_DAY
        elif options.since:
            start = options.since
        else:
            last = last_end(topic.name)
            start = _parse(last) - timedelta(days=OVERLAP_DAYS) if last else FIRST_DAY
        windows.append(Window(topic.name, min(start, options.today), options.today))
    return windows


def find(client: Eutils, topics: list[Topic], windows: list[Window]) -> None:
    """Fill each window's PMIDs: modification date and create date (nothing new is missed).
    A field PubMed does not know fails at once, naming the topic."""
    for topic, window in zip(topics, windows, strict=True):
        kinds = ("crdt",) if window.date_from == FIRST_DAY else ("mdat", "crdt")
        for datetype in kinds:
            try:
                window.pmids |= search_ids(
                    client, topic.query, datetype, window.date_from, window.date_to, window
                )
            except EutilsRequestError as error:
                raise EutilsRequestError(f"topic {topic.name!r}: {error}") from None
            unknown = [n for n in window.notes if n.startswith("FieldNotFound")]
            if unknown:
                raise EutilsRequestError(
                    f"topic {topic.name!r}: PubMed does not know the field in "
                    f"{'; '.join(unknown)}; fix the topic's query in the topics file"
                )


def dry_run(db_path: Path, client: Eutils, topics: list[Topic], options: Options) -> RunReport:
    """Windows and counts, writing nothing: the last windows are read from an existing
    database read-only; no database or lock file is created."""
    topics = select_topics(topics, options.topics)
    ends = runs.read_window_ends(db_path)
    report = RunReport(None, plan_windows(ends.get, topics, options))
    before = client.requests, client.retries
    try:
        find(client, topics, report.windows)
    except EutilsUnreachable:
        raise  # one line, not windows of "0 records"
    except EutilsError as error:
        report.error = str(error)
    report.requests, report.retries = client.requests - before[0], client.retries - before[1]
    return report


def harvest(
    store: Store,
    client: Eutils,
    topics: list[Topic],
    options: Options,
    progress: Progress | None = None,
) -> RunReport:
    """One run: find, then fetch, link and save batch by batch (a transaction each), then the
    links and titles left by earlier runs."""
    mode = "full" if options.full else "since" if options.since else "incremental"
    topics = select_topics(topics, options.topics)
    windows = plan_windows(partial(runs.last_window_end, store.db), topics, options)
    report = RunReport(None, windows)
    requests_before, retries_before = client.requests, client.retries

    def count_requests() -> None:
        report.requests = client.requests - requests_before
        report.retries = client.retries - retries_before

    if options.dry_run:
        raise ValueError("a dry run writes nothing: call dry_run(), not harvest()")
    with store.transaction():
        report.run_id = run_id = runs.start_run(store.db, mode, [t.name for t in topics])
    try:
        try:
            find(client, topics, windows)
        finally:
            with store.transaction():
                runs.record_query_notes(store.db, run_id, _query_notes(windows))
        with store.transaction():
            for window in windows:
                runs.record_window(
                    store.db,
                    run_id,
                    window.topic,
                    _fmt(window.date_from),
                    _fmt(window.date_to),
                    len(window.pmids),
                )
            runs.add_counts(store.db, run_id, found=len(set().union(*(w.pmids for w in windows))))
        refresh = partial(_refresh_links, store, client, options, report)
        fetch_all(store, client, windows, options, report, progress, before_titles=refresh)
        _reconcile(store, client, topics, windows, options, report)
    except EutilsUnreachable as error:  # logged, then one line from the caller
        count_requests()
        _finish_run(store, report, "failed", [], str(error))
        raise
    except LitbalintError as error:  # NCBI kept failing or refused, or the database did
        report.error = str(error)
    except BaseException as error:  # a bug or ^C: the log says so, then it goes on up
        count_requests()
        _finish_run(store, report, "failed", report.gaps, f"{type(error).__name__}: {error}")
        raise
    count_requests()
    _finish_run(
        store,
        report,
        "ok" if report.ok else "failed",
        report.gaps,
        report.error or _gap_message(report),
        report.given_up,
    )
    return report


def _finish_run(
    store: Store,
    report: RunReport,
    status: str,
    gaps: list[int],
    error: str | None,
    given_up: list[int] | None = None,
) -> None:
    """The run's row in harvest_runs gets its end: status, gaps, error, requests."""
    assert report.run_id is not None
    with store.transaction():
        runs.finish_run(
            store.db,
            report.run_id,
            status,
            gaps,
            error,
            report.requests,
            report.retries,
            given_up,
        )


def _refresh_links(
    store: Store, client: Eutils, options: Options, report: RunReport, titles: Titles
) -> None:
    """The links refresh; a failure is a note for the summary, never a failed run."""
    try:
        refresh_links(store, client, options, report, titles)
    except EutilsError as error:
        report.notes.append(f"links refresh left for the next run: {error}")


def _reconcile(
    store: Store,
    client: Eutils,
    topics: list[Topic],
    windows: list[Window],
    options: Options,
    report: RunReport,
) -> None:
    """Every PMID of each topic's search (not on a first or full run, which just searched
    everything), then the reconciliation; a failure is a note, never a failed run."""
    listed: dict[str, set[int]] = {}
    try:
        for topic, window in zip(topics, windows, strict=True):
            if window.date_from != FIRST_DAY:
                scratch = Window(topic.name, FIRST_DAY, options.today)
                listed[topic.name] = search_ids(
                    client, topic.query, "crdt", FIRST_DAY, options.today, scratch
                )
        if listed:
            reconcile(store, client, listed, options, report)
    except EutilsError as error:
        report.notes.append(f"reconciliation left for the next run: {error}")


def _query_notes(windows: list[Window]) -> dict[str, dict]:
    return {
        w.topic: {"translation": w.translation, "notes": w.notes}
        for w in windows
        if w.translation or w.notes
    }


def _gap_message(report: RunReport) -> str | None:
    parts = []
    for what, pmids in (
        ("never came back from efetch (asked again next run)", report.gaps),
        ("given up (efetch never returned them)", report.given_up),
    ):
        if pmids:
            shown = ", ".join(str(p) for p in pmids[:10])
            parts.append(f"{len(pmids)} PMIDs {what}: {shown}{' ...' if len(pmids) > 10 else ''}")
    return "; ".join(parts + report.notes) or None
