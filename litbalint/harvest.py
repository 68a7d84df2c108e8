"""The nightly harvest: topics, date windows, slices under the 10,000 cap, batches, run log,
lock. Orchestration only: HTTP is in eutils, parsing in sources, writing in store."""

from __future__ import annotations

import fcntl
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import yaml

from litbalint.errors import LitbalintError
from litbalint.eutils import Eutils, EutilsError
from litbalint.model import Article, ArticleLinks, Deletion
from litbalint.pipeline import align_articles
from litbalint.store import SaveCounts, Store

CAP = 9999  # PubMed gives only the first 10,000 hits of a search (retstart <= 9998)
OVERLAP_DAYS = 3
FIRST_DAY = date(1800, 1, 1)


class HarvestLocked(LitbalintError):
    """Another harvest holds the database."""


@dataclass
class Topic:
    name: str
    query: str
    description: str = ""


def load_topics(path: Path) -> list[Topic]:
    """The maintainer's topics file (YAML: topics: {name: {query, description}})."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LitbalintError(f"{path}: cannot read the topics file ({error.strerror})") from None
    except UnicodeDecodeError:
        raise LitbalintError(f"{path}: not UTF-8 text; save the topics file as UTF-8") from None
    except yaml.YAMLError as error:
        raise LitbalintError(f"{path}: not valid YAML ({error})".replace("\n", " ")) from None
    entries = (data or {}).get("topics") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise LitbalintError(f"{path}: expected 'topics:' with at least one named topic")
    topics = []
    for name, entry in entries.items():
        query = entry.get("query") if isinstance(entry, dict) else None
        if not isinstance(query, str) or not query.strip():
            raise LitbalintError(f"{path}: topic {name!r} has no 'query'")
        topics.append(Topic(str(name), " ".join(query.split()), entry.get("description", "")))
    return topics


@contextmanager
def harvest_lock(db_path: Path) -> Iterator[None]:
    """One harvest per database: a lock file beside it (released if the process dies)."""
    lock_path = db_path.with_name(db_path.name + ".harvest-lock")
    try:
        handle = open(lock_path, "a+")  # noqa: SIM115 - held for the whole run
    except OSError as error:
        raise LitbalintError(
            f"{lock_path}: cannot create the lock file ({error.strerror})"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise HarvestLocked(
            f"{db_path}: a harvest is already running ({holder}); this one stops"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}")
    handle.flush()
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


@dataclass
class Options:
    topics: list[str] = field(default_factory=list)  # empty: all
    since: date | None = None
    full: bool = False
    dry_run: bool = False
    batch_size: int = 500
    similar_top: int = 10
    today: date = field(default_factory=date.today)


@dataclass
class Window:
    topic: str
    date_from: date
    date_to: date
    pmids: set[int] = field(default_factory=set)


@dataclass
class RunReport:
    run_id: int | None
    windows: list[Window]
    counts: SaveCounts = field(default_factory=SaveCounts)
    fetched: int = 0
    gaps: list[int] = field(default_factory=list)
    requests: int = 0
    retries: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.gaps


Progress = Callable[[int, int], None]  # (records done, records to fetch)


def _fmt(day: date) -> str:
    return day.strftime("%Y/%m/%d")


def _parse(text: str) -> date:
    year, month, day = (int(part) for part in text.split("/"))
    return date(year, month, day)


def search_ids(client: Eutils, query: str, datetype: str, start: date, end: date) -> set[int]:
    """Every PMID the query finds in [start, end] by datetype, splitting the range until each
    slice is under PubMed's cap."""
    result = client.esearch(query, datetype, _fmt(start), _fmt(end), retmax=CAP)
    if result.count <= CAP and len(result.ids) >= result.count:
        return set(result.ids)
    if start >= end:
        raise EutilsError(
            f"{result.count} records on {_fmt(start)} alone: more than PubMed lets one search "
            "retrieve; narrow the topic query"
        )
    middle = start + (end - start) // 2
    return search_ids(client, query, datetype, start, middle) | search_ids(
        client, query, datetype, middle + timedelta(days=1), end
    )


def plan_windows(store: Store, topics: list[Topic], options: Options) -> list[Window]:
    windows = []
    for topic in topics:
        if options.full:
            start = FIRST_DAY
        elif options.since:
            start = options.since
        else:
            last = store.last_window_end(topic.name)
            start = _parse(last) - timedelta(days=OVERLAP_DAYS) if last else FIRST_DAY
        windows.append(Window(topic.name, min(start, options.today), options.today))
    return windows


def find(client: Eutils, topics: list[Topic], windows: list[Window]) -> None:
    """Fill each window's PMIDs: modification date and create date (nothing new is missed)."""
    for topic, window in zip(topics, windows, strict=True):
        kinds = ("crdt",) if window.date_from == FIRST_DAY else ("mdat", "crdt")
        for datetype in kinds:
            window.pmids |= search_ids(
                client, topic.query, datetype, window.date_from, window.date_to
            )


def select_topics(topics: list[Topic], names: list[str]) -> list[Topic]:
    """The named topics (all when no names); an unknown name is a configuration error."""
    if not names:
        return topics
    unknown = sorted(set(names) - {t.name for t in topics})
    if unknown:
        raise LitbalintError(
            f"unknown topic {', '.join(unknown)}; the topics file has "
            f"{', '.join(t.name for t in topics)}"
        )
    return [t for t in topics if t.name in names]


def harvest(
    store: Store,
    client: Eutils,
    topics: list[Topic],
    options: Options,
    progress: Progress | None = None,
) -> RunReport:
    """One run: find, then fetch, link and save batch by batch (a transaction each)."""
    mode = "full" if options.full else "since" if options.since else "incremental"
    topics = select_topics(topics, options.topics)
    windows = plan_windows(store, topics, options)
    report = RunReport(None, windows)
    requests_before, retries_before = client.requests, client.retries

    def count_requests() -> None:
        report.requests = client.requests - requests_before
        report.retries = client.retries - retries_before

    if options.dry_run:
        try:
            find(client, topics, windows)
        except EutilsError as error:
            report.error = str(error)
        count_requests()
        return report
    report.run_id = run_id = store.start_run(mode, [t.name for t in topics])
    try:
        find(client, topics, windows)
        with store.transaction():
            for window in windows:
                store.record_window(
                    run_id,
                    window.topic,
                    _fmt(window.date_from),
                    _fmt(window.date_to),
                    len(window.pmids),
                )
            store.add_run_counts(run_id, found=len(set().union(*(w.pmids for w in windows))))
        _fetch_all(store, client, windows, options, report, progress)
    except LitbalintError as error:  # NCBI kept failing, or the database did
        report.error = str(error)
    except BaseException as error:  # a bug or ^C: the log says so, then it goes on up
        count_requests()
        store.finish_run(
            run_id,
            "failed",
            report.gaps,
            f"{type(error).__name__}: {error}",
            report.requests,
            report.retries,
        )
        raise
    count_requests()
    status = "ok" if report.ok else "failed"
    store.finish_run(
        run_id,
        status,
        report.gaps,
        report.error or _gap_message(report.gaps),
        report.requests,
        report.retries,
    )
    return report


def _gap_message(gaps: list[int]) -> str | None:
    if not gaps:
        return None
    shown = ", ".join(str(p) for p in gaps[:10])
    return (
        f"{len(gaps)} PMIDs never came back from efetch: {shown}{' ...' if len(gaps) > 10 else ''}"
    )


class _Network:
    """One worker thread doing every request in submission order, so the rate-limited
    waits overlap with parsing and saving in the caller's thread."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="eutils")

    def submit(self, job: Callable[[], object]) -> Future:
        return self._pool.submit(job)

    def close(self) -> None:
        """Stop: what is queued and not started is dropped (after a failure nobody saves it)."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _fetch_batch(client: Eutils, batch: list[int]) -> tuple[list, list[int], dict]:
    """efetch (asking once more for PMIDs that did not come back) and elink for a batch."""
    records = client.efetch(batch)
    returned = {pmid for r in records for pmid in _pmids(r)}
    missing = [p for p in batch if p not in returned]
    if missing:
        records += client.efetch(missing)
        returned = {pmid for r in records for pmid in _pmids(r)}
    wanted = set(batch)
    records = [r for r in records if set(_pmids(r)) & wanted]  # drop what was not asked for
    articles = [r for r in records if isinstance(r, Article)]
    links = client.elink([a.ids.pmid for a in articles]) if articles else {}
    return records, [p for p in batch if p not in returned], links


def _fetch_all(
    store: Store,
    client: Eutils,
    windows: list[Window],
    options: Options,
    report: RunReport,
    progress: Progress | None,
    depth: int = 3,
    summary_chunk: int = 10000,
) -> None:
    """Batches are fetched up to `depth` ahead of saving; linked articles' titles are asked
    for as soon as 10,000 are waiting, so those requests overlap the saving too."""
    topics_of: dict[int, list[str]] = {}
    for window in windows:
        for pmid in window.pmids:
            topics_of.setdefault(pmid, []).append(window.topic)
    pmids = sorted(topics_of)
    size = options.batch_size
    batches = [pmids[i : i + size] for i in range(0, len(pmids), size)]
    network = _Network()
    try:
        ahead = deque(network.submit(partial(_fetch_batch, client, b)) for b in batches[:depth])
        summaries: deque[Future] = deque()
        unnamed: set[int] = set()  # linked PMIDs outside the corpus, not yet asked about
        asked: set[int] = set()

        def ask(pmids: list[int]) -> None:
            asked.update(pmids)
            summaries.append(network.submit(partial(client.esummary, pmids)))

        for index, batch in enumerate(batches):
            records, gaps, links = ahead.popleft().result()
            if index + depth < len(batches):
                ahead.append(network.submit(partial(_fetch_batch, client, batches[index + depth])))
            report.gaps += gaps
            _save_batch(store, records, links, topics_of, options, report)
            unnamed.update(
                p
                for found in links.values()
                for p in _linked(found, options)
                if p not in topics_of and p not in asked
            )
            if len(unnamed) >= summary_chunk:
                waiting = store.untitled_stubs(sorted(unnamed))
                full = len(waiting) - len(waiting) % summary_chunk
                for start in range(0, full, summary_chunk):
                    ask(waiting[start : start + summary_chunk])
                unnamed = set(waiting[full:])
            while summaries and summaries[0].done():
                _save_summaries(store, summaries.popleft().result())
            report.fetched += len(batch)
            if progress:
                progress(report.fetched, len(pmids))
        leftovers = [p for p in store.stubs_without_title() if p not in asked]
        for start in range(0, len(leftovers), summary_chunk):
            ask(leftovers[start : start + summary_chunk])
        while summaries:
            _save_summaries(store, summaries.popleft().result())
    finally:
        network.close()


def _linked(found: ArticleLinks, options: Options) -> list[int]:
    return [*found.refs, *found.cited_by, *(p for p, _ in found.similar[: options.similar_top])]


def _save_summaries(store: Store, summaries: list) -> None:
    with store.transaction():
        store.save_summaries(summaries)


def _pmids(record: Article | Deletion) -> list[int]:
    if isinstance(record, Deletion):
        return record.pmids
    return [record.ids.pmid] if record.ids.pmid else []


def _save_batch(
    store: Store,
    records: list,
    links: dict,
    topics_of: dict[int, list[str]],
    options: Options,
    report: RunReport,
) -> None:
    counts = SaveCounts()
    seen: set[int] = set()
    with store.transaction():
        for record in records:
            if isinstance(record, Deletion):
                counts.add(store.save_deletion(record))
                continue
            pmid = record.ids.pmid
            if pmid in seen:
                continue
            seen.add(pmid)
            counts.add(
                store.save_article(
                    record, "harvest", run_id=report.run_id, topics=tuple(topics_of.get(pmid, ()))
                )
            )
            if pmid in links:
                counts.new_edges += store.save_elink(
                    store.last_id, links[pmid], options.similar_top
                )
        align_articles(store, store.take_touched())
        store.add_run_counts(
            report.run_id,
            records_new=counts.new,
            records_updated=counts.updated,
            records_unchanged=counts.unchanged,
            records_deleted=counts.deleted,
            new_edges=counts.new_edges,
        )
    report.counts.add(counts)
