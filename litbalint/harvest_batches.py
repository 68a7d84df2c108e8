"""The harvest's batches: efetch and elink a batch of PMIDs ahead of saving it (one transaction
each), then the links and stub titles still to do. What fails for some PMIDs goes to the
store's to-do list instead of failing the run."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from functools import partial
from typing import TYPE_CHECKING

from litbalint.eutils import (
    ESUMMARY_JSON_MAX,
    Eutils,
    EutilsError,
    EutilsRequestError,
    EutilsUnreachable,
    LinkReply,
    Outage,
    SummaryReply,
)
from litbalint.model import Article, ArticleLinks, Deletion
from litbalint.pipeline import align_articles
from litbalint.store import SaveCounts, Store, links, reconcile, runs, todo

if TYPE_CHECKING:
    from litbalint.harvest import Options, RunReport, Window

RECORD_TRIES = 3  # runs that ask for a PMID esearch lists and efetch does not return
LINK_TRIES = 5  # runs that ask for a PMID's links before it is reported as given up
TITLE_TRIES = 3  # runs that ask esummary for a stub's title
SUMMARY_CHUNK = ESUMMARY_JSON_MAX * 4  # stubs asked for together while batches are saved
EFETCH_SPLIT_TRIES = 2  # tries for each half of an efetch batch that kept failing
UNASKED = "not asked: NCBI kept failing for everything in this run"


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


def _pmids(record: Article | Deletion) -> list[int]:
    if isinstance(record, Deletion):
        return record.pmids
    return [record.ids.pmid] if record.ids.pmid else []


def _fetch_batch(client: Eutils, batch: list[int]) -> tuple[list, list[int], LinkReply]:
    """efetch (asking once more for PMIDs that did not come back) and elink for a batch."""
    try:
        records: list = efetch_records(client, batch)
    except EutilsError as error:
        if isinstance(error, EutilsUnreachable) or len(batch) == 1:
            raise
        records = _efetch_halves(client, batch, error)
    returned = {pmid for r in records for pmid in _pmids(r)}
    missing = [p for p in batch if p not in returned]
    if missing:
        with suppress(EutilsError):  # else they stay gaps: asked again by the next runs
            records += efetch_records(client, missing, EFETCH_SPLIT_TRIES)
        returned = {pmid for r in records for pmid in _pmids(r)}
    wanted = set(batch)
    records = [r for r in records if set(_pmids(r)) & wanted]  # drop what was not asked for
    articles = [r.ids.pmid for r in records if isinstance(r, Article) and r.ids.pmid]
    link_reply = client.elink(articles) if articles else LinkReply()
    return records, [p for p in batch if p not in returned], link_reply


def efetch_records(client: Eutils, pmids: list[int], tries: int | None = None) -> list:
    """efetch; an <ERROR> that blames the ids ("Empty id list", "Invalid uid": none of them is
    a record PubMed can return) is an empty answer for them: they become gaps (retried on the
    next runs, then given up) instead of failing the night."""
    try:
        return client.efetch(pmids, tries)
    except EutilsRequestError as error:
        if not error.splittable:
            raise
        return []


def _efetch_halves(client: Eutils, pmids: list[int], error: EutilsError) -> list:
    """A batch that kept failing may hold one record NCBI cannot serve: its halves are asked
    with fewer tries; a failing half is split again, a single PMID that fails is left out (a
    gap, asked again by the next runs). Both halves failing is NCBI failing, not a record: the
    batch's error stands and the run stops."""
    middle = len(pmids) // 2
    records: list = []
    failing = []
    for half in (pmids[:middle], pmids[middle:]):
        try:
            records += efetch_records(client, half, EFETCH_SPLIT_TRIES)
        except EutilsError as failure:
            if isinstance(failure, EutilsUnreachable):
                raise
            failing.append(half)
    if len(failing) == 2:
        raise error
    for half in failing:
        if len(half) > 1:
            records += _efetch_halves(client, half, error)
    return records


def fetch_all(
    store: Store,
    client: Eutils,
    windows: list[Window],
    options: Options,
    report: RunReport,
    progress: Callable[[int, int], None] | None,
    depth: int = 3,
    summary_chunk: int = SUMMARY_CHUNK,
    before_titles: Callable[[Titles], None] | None = None,
) -> None:
    """Batches are fetched up to `depth` ahead of saving; linked articles' titles are asked
    for as soon as `summary_chunk` are waiting, so those requests overlap the saving too.
    `before_titles`: a later step whose new stubs get their titles in this run too."""
    assert report.run_id is not None
    run_id = report.run_id
    topics_of: dict[int, list[str]] = {}
    for window in windows:
        for pmid in window.pmids:
            topics_of.setdefault(pmid, []).append(window.topic)
    for pmid, topics in todo.pending(store.db, "record").items():  # earlier runs' gaps
        if pmid not in topics_of:
            report.retried += 1
            topics_of[pmid] = topics
    links_waiting = list(todo.pending(store.db, "links"))  # earlier runs' failed links
    report.retried += len(links_waiting)
    pmids = sorted(topics_of)
    size = options.batch_size
    batches = [pmids[i : i + size] for i in range(0, len(pmids), size)]
    linked: set[int] = set()
    network = _Network()
    titles = Titles(store, client, network, report, summary_chunk)
    try:
        ahead = deque(network.submit(partial(_fetch_batch, client, b)) for b in batches[:depth])
        for index, batch in enumerate(batches):
            records, gaps, link_reply = ahead.popleft().result()
            if index + depth < len(batches):
                ahead.append(network.submit(partial(_fetch_batch, client, batches[index + depth])))
            save_batch(store, records, gaps, link_reply, topics_of, options, report)
            linked.update(link_reply.links)
            linked.update(link_reply.failed)
            titles.wanted(
                p for found in link_reply.links.values() for p in linked_pmids(found, options)
            )
            titles.save_ready()
            report.fetched += len(batch)
            if progress:
                progress(report.fetched, len(pmids))
        _links_left(store, client, options, report, links_waiting, linked, titles)
        if before_titles:
            before_titles(titles)
        titles.finish()
        with store.transaction():
            runs.add_counts(store.db, run_id, retried=report.retried)
    finally:
        network.close()


def _links_left(
    store: Store,
    client: Eutils,
    options: Options,
    report: RunReport,
    links_waiting: list[int],
    linked: set[int],
    titles: Titles,
) -> None:
    """elink again for the corpus PMIDs whose links failed in earlier runs (those not
    elinked with this run's batches)."""
    assert report.run_id is not None
    run_id = report.run_id
    waiting = [p for p in links_waiting if p not in linked]
    ids = links.article_ids(store.db, waiting)
    gone = [p for p in waiting if p not in ids]  # deleted or folded since: nothing to link
    with store.transaction():
        todo.done(store.db, "links", gone)
    pmids = [p for p in waiting if p in ids]
    for start in range(0, len(pmids), options.batch_size):
        reply = client.elink(pmids[start : start + options.batch_size])
        counts = SaveCounts()
        with store.transaction():
            save_links(store, ids, reply, options, report, counts)
            runs.add_counts(store.db, run_id, new_edges=counts.new_edges)
        report.counts.new_edges += counts.new_edges
        titles.wanted(p for found in reply.links.values() for p in linked_pmids(found, options))


def save_links(
    store: Store,
    ids: dict[int, int],
    reply: LinkReply,
    options: Options,
    report: RunReport,
    counts: SaveCounts,
) -> None:
    """Edges of the PMIDs whose links came back; the others to the to-do list."""
    assert report.run_id is not None
    for pmid, found in reply.links.items():
        if pmid in ids:
            added, _ = reconcile.replace_elink(
                store.db,
                ids[pmid],
                found.refs,
                found.cited_by,
                found.similar[: options.similar_top],
            )
            counts.new_edges += added
    reconcile.mark_links_fetched(
        store.db, [p for p in reply.links if p in ids], options.today.isoformat()
    )
    todo.done(store.db, "links", list(reply.links))
    if reply.failed:
        given_up = todo.failed(store.db, report.run_id, "links", reply.failed, LINK_TRIES)
        report.links_given_up += len(given_up)
    if reply.unasked:
        todo.waiting(store.db, report.run_id, "links", reply.unasked, UNASKED)
    left = len(reply.failed) + len(reply.unasked)
    if left:
        report.links_left += left
        runs.add_counts(store.db, report.run_id, links_left=left)


class Titles:
    """Stub titles from esummary, asked for in the background in chunks of `chunk` stubs."""

    def __init__(
        self, store: Store, client: Eutils, network: _Network, report: RunReport, chunk: int
    ) -> None:
        self.store, self.client, self.network, self.report = store, client, network, report
        self.chunk = chunk
        self.unnamed: set[int] = set()  # linked PMIDs, not yet asked about
        self.asked: set[int] = set()
        self.pending: deque[tuple[list[int], Future]] = deque()
        self.outage = Outage()  # esummary kept failing: the rest waits for the next run

    def wanted(self, pmids) -> None:
        self.unnamed.update(p for p in pmids if p not in self.asked)
        if len(self.unnamed) >= self.chunk:
            waiting = links.untitled_stubs(self.store.db, sorted(self.unnamed))
            full = len(waiting) - len(waiting) % self.chunk
            for start in range(0, full, self.chunk):
                self._ask(waiting[start : start + self.chunk])
            self.unnamed = set(waiting[full:])

    def _ask(self, pmids: list[int]) -> None:
        self.asked.update(pmids)
        job = partial(self.client.esummary, pmids, self.outage)
        self.pending.append((pmids, self.network.submit(job)))

    def save_ready(self) -> None:
        while self.pending and self.pending[0][1].done():
            self._save(*self.pending.popleft())

    def finish(self) -> None:
        """Every untitled stub (also from earlier runs) is asked for; waits for the replies."""
        leftovers = [p for p in links.stubs_without_title(self.store.db) if p not in self.asked]
        for start in range(0, len(leftovers), self.chunk):
            self._ask(leftovers[start : start + self.chunk])
        while self.pending:
            self._save(*self.pending.popleft())

    def _save(self, pmids: list[int], future: Future) -> None:
        assert self.report.run_id is not None
        try:
            reply = future.result()
        except EutilsError as error:  # esummary kept failing or refused: untitled stubs stay
            if isinstance(error, EutilsRequestError) and not error.splittable:
                raise  # HTTP 400 and the like: every request would fail the same way
            reply = SummaryReply(unasked=pmids)
        run_id, failed, unasked = self.report.run_id, reply.failed, reply.unasked
        with self.store.transaction():
            links.save_summaries(self.store.db, reply.summaries, self.store.topics)
            todo.done(self.store.db, "title", [s.pmid for s in reply.summaries])
            if failed:
                given_up = todo.failed(self.store.db, run_id, "title", failed, TITLE_TRIES)
                self.report.titles_given_up += len(given_up)
            if unasked:
                todo.waiting(self.store.db, run_id, "title", unasked, UNASKED)
            if failed or unasked:
                runs.add_counts(self.store.db, run_id, titles_left=len(failed) + len(unasked))
        self.report.titles_left += len(failed) + len(unasked)


def linked_pmids(found: ArticleLinks, options: Options) -> list[int]:
    return [*found.refs, *found.cited_by, *(p for p, _ in found.similar[: options.similar_top])]


def save_batch(
    store: Store,
    records: list,
    gaps: list[int],
    link_reply: LinkReply,
    topics_of: dict[int, list[str]],
    options: Options,
    report: RunReport,
) -> None:
    """One batch in one transaction: records, their edges, the batch's to-do changes."""
    assert report.run_id is not None
    counts = SaveCounts()
    seen: set[int] = set()
    ids: dict[int, int] = {}
    with store.transaction():
        for record in records:
            if isinstance(record, Deletion):
                counts.add(store.save_deletion(record))
                continue
            pmid = record.ids.pmid
            if pmid in seen:
                continue
            seen.add(pmid)
            saved = store.save_article(
                record,
                "harvest",
                run_id=report.run_id,
                harvest_topics=tuple(topics_of.get(pmid, ())),
            )
            counts.add(saved.counts)
            ids[pmid] = saved.article_id
        save_links(store, ids, link_reply, options, report, counts)
        todo.done(store.db, "record", [p for r in records for p in _pmids(r)])
        if gaps:
            reasons = dict.fromkeys(gaps, "efetch did not return it")
            given_up = todo.failed(
                store.db, report.run_id, "record", reasons, RECORD_TRIES, topics_of
            )
            report.given_up += given_up
            report.gaps += [p for p in gaps if p not in given_up]
            runs.add_counts(store.db, report.run_id, records_left=len(gaps) - len(given_up))
        align_articles(store, sorted(set(ids.values())))
        runs.add_counts(
            store.db,
            report.run_id,
            records_new=counts.new,
            records_updated=counts.updated,
            records_unchanged=counts.unchanged,
            records_deleted=counts.deleted,
            new_edges=counts.new_edges,
        )
    report.counts.add(counts)
