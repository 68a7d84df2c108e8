"""What the date windows cannot see: links of unchanged records that PubMed changed (cited-by
lists grow, similar lists move) and records that left a topic's search (revised so they no
longer match, or deleted: through E-utilities a deleted record simply vanishes).

Links refresh: each run elinks again the corpus articles whose links are the oldest.
Reconciliation: each run lists every PMID of each topic's search and efetches the corpus
articles that carry the topic and are no longer listed. Neither fails the run."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from litbalint.eutils import Eutils, LinkReply
from litbalint.harvest_batches import (
    LINK_TRIES,
    Titles,
    efetch_records,
    linked_pmids,
    save_batch,
)
from litbalint.model import Article, Deletion
from litbalint.store import Store

if TYPE_CHECKING:
    from litbalint.harvest import Options, RunReport

LINKS_REFRESH_DAYS = 30  # links older than this are fetched again
LINKS_REFRESH_MIN = 500  # articles refreshed per run at least (when that many are due) ...
LINKS_REFRESH_SHARE = 7  # ... or 1/7 of the corpus: all of it in about a month of nights
MISSING_RUNS = 2  # runs in a row a PMID must vanish from PubMed before it is marked deleted
MISSING_SHARE = 10  # more than 1/10 of a topic's articles missing from its search (and ...
MISSING_FLOOR = 20  # ... more than 20): a glitch or an edited query, the topic is left alone


def refresh_links(
    store: Store, client: Eutils, options: Options, report: RunReport, titles: Titles
) -> None:
    """elink again the articles whose links were fetched longest ago (at most
    max(LINKS_REFRESH_MIN, corpus / LINKS_REFRESH_SHARE), those older than
    options.links_refresh_days); their PubMed edges become what elink lists now."""
    assert report.run_id is not None
    cutoff = options.today - timedelta(days=options.links_refresh_days)
    limit = max(LINKS_REFRESH_MIN, store.corpus_size() // LINKS_REFRESH_SHARE)
    due = store.links_to_refresh(cutoff.isoformat(), limit)
    pmids = list(due)
    for start in range(0, len(pmids), options.batch_size):
        batch = pmids[start : start + options.batch_size]
        reply = client.elink(batch)  # an EutilsError: the rest waits for the next run
        refreshed, added = _save_refresh(store, due, reply, options, report)
        report.links_refreshed += refreshed
        report.counts.new_edges += added
        titles.wanted(p for found in reply.links.values() for p in linked_pmids(found, options))


def _save_refresh(
    store: Store, due: dict[int, int], reply: LinkReply, options: Options, report: RunReport
) -> tuple[int, int]:
    """One refreshed batch in one transaction; links that failed go to the links to-do."""
    assert report.run_id is not None
    added = 0
    with store.transaction():
        for pmid, found in reply.links.items():
            if pmid in due:
                added += store.refresh_elink(due[pmid], found, options.similar_top)
        refreshed = [p for p in reply.links if p in due]
        store.mark_links_fetched(refreshed, options.today.isoformat())
        if reply.failed:
            store.todo_failed(report.run_id, "links", reply.failed, LINK_TRIES)
            store.add_run_counts(report.run_id, links_left=len(reply.failed))
        store.add_run_counts(report.run_id, links_refreshed=len(refreshed), new_edges=added)
    report.links_left += len(reply.failed)
    return len(refreshed), added


def reconcile(
    store: Store,
    client: Eutils,
    listed: dict[str, set[int]],
    options: Options,
    report: RunReport,
) -> None:
    """`listed`: every PMID each topic's search finds today. Corpus articles carrying a topic
    and missing from its list are efetched: one that comes back loses the topic (and is saved
    as it is now); one that does not is marked deleted once it was missing MISSING_RUNS runs
    in a row (first sighting in the to-do list as step 'missing')."""
    assert report.run_id is not None
    missing_from: dict[int, list[str]] = {}
    for topic, pmids in listed.items():
        harvested = store.harvest_topic_pmids(topic)
        missing = sorted(harvested - pmids)
        if len(missing) > max(MISSING_FLOOR, len(harvested) // MISSING_SHARE):
            report.notes.append(
                f"topic {topic!r}: {len(missing):,} of its {len(harvested):,} articles are not "
                "in its search today: left as they are (a glitch, or a narrowed query)"
            )
            continue
        for pmid in missing:
            missing_from.setdefault(pmid, []).append(topic)
    wanted = sorted(missing_from)
    records: list = []
    for start in range(0, len(wanted), options.batch_size):
        batch = wanted[start : start + options.batch_size]
        found = efetch_records(client, batch)
        returned = _returned(found)
        again = [p for p in batch if p not in returned]
        records += found + (efetch_records(client, again) if again else [])
    returned = _returned(records)
    articles = [r for r in records if isinstance(r, Article) and r.ids.pmid in missing_from]
    deletions = [r for r in records if isinstance(r, Deletion)]
    if articles or deletions:
        save_batch(store, [*articles, *deletions], [], LinkReply(), {}, options, report)
    vanished = {p: "listed by no search, efetch returns nothing" for p in wanted}
    for pmid in returned:
        vanished.pop(pmid, None)
    with store.transaction():
        dropped = sum(
            store.drop_harvest_topics(a.ids.pmid, missing_from[a.ids.pmid]) for a in articles
        )
        seen_before = store.todo_pending("missing")
        store.todo_done("missing", [p for p in seen_before if p not in vanished])
        gone = (
            store.todo_failed(report.run_id, "missing", vanished, MISSING_RUNS) if vanished else []
        )
        deleted = store.save_deletion(Deletion(pmids=gone)).deleted if gone else 0
        store.todo_done("missing", gone)
        store.add_run_counts(report.run_id, topics_dropped=dropped, records_deleted=deleted)
    report.topics_dropped += dropped
    report.counts.deleted += deleted
    report.missing += len(vanished) - len(gone)


def _returned(records: list) -> set[int]:
    found: set[int] = set()
    for record in records:
        if isinstance(record, Deletion):
            found.update(record.pmids)
        elif record.ids.pmid:
            found.add(record.ids.pmid)
    return found
