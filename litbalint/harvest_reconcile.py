"""What the date windows cannot see: links of unchanged records that PubMed changed (cited-by
lists grow, similar lists move) and records that left a topic's search (revised so they no
longer match, or deleted: through E-utilities a deleted record simply vanishes).

Links refresh: each run elinks again the corpus articles whose links are the oldest.
Reconciliation: each run lists every PMID of each topic's search; corpus articles that carry
the topic and are not listed two runs in a row are efetched, then lose the topic or, gone from
PubMed, are marked deleted. Neither step fails the run."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from litbalint.eutils import Eutils, LinkReply
from litbalint.harvest_batches import (
    Titles,
    efetch_records,
    linked_pmids,
    save_batch,
    save_links,
)
from litbalint.model import Article, Deletion
from litbalint.store import SaveCounts, Store, runs, todo
from litbalint.store import reconcile as stored_links

if TYPE_CHECKING:
    from litbalint.harvest import Options, RunReport

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
    limit = max(LINKS_REFRESH_MIN, stored_links.corpus_size(store.db) // LINKS_REFRESH_SHARE)
    due = stored_links.links_to_refresh(store.db, cutoff.isoformat(), limit)
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
    counts = SaveCounts()
    refreshed = [p for p in reply.links if p in due]
    with store.transaction():
        save_links(store, due, reply, options, report, counts)
        runs.add_counts(
            store.db, report.run_id, links_refreshed=len(refreshed), new_edges=counts.new_edges
        )
    return len(refreshed), counts.new_edges


def reconcile(
    store: Store,
    client: Eutils,
    listed: dict[str, set[int]],
    options: Options,
    report: RunReport,
) -> None:
    """`listed`: every PMID each topic's search finds today. A corpus article carrying a topic
    and missing from its list is noted in the to-do list (step 'missing', first_run the first
    sighting); still missing the next run (MISSING_RUNS in a row), it is efetched: one that
    comes back is saved as it is now and loses the topic, one that does not is marked
    deleted. A PMID listed again leaves the to-do list: a glitch changes nothing."""
    assert report.run_id is not None
    missing_from: dict[int, list[str]] = {}
    for topic, pmids in listed.items():
        harvested = stored_links.harvest_topic_pmids(store.db, topic)
        missing = sorted(harvested - pmids)
        if len(missing) > max(MISSING_FLOOR, len(harvested) // MISSING_SHARE):
            report.notes.append(
                f"topic {topic!r}: {len(missing):,} of its {len(harvested):,} articles are not "
                "in its search today: left as they are (a glitch, or a narrowed query)"
            )
            continue
        for pmid in missing:
            missing_from.setdefault(pmid, []).append(topic)
    reasons = {p: f"not in the search of {', '.join(t)}" for p, t in missing_from.items()}
    with store.transaction():
        seen_before = todo.pending(store.db, "missing")
        todo.done(store.db, "missing", [p for p in seen_before if p not in missing_from])
        confirmed = todo.failed(
            store.db, report.run_id, "missing", reasons, MISSING_RUNS, missing_from
        )
    report.missing += len(missing_from) - len(confirmed)
    if confirmed:
        _settle(store, client, {p: missing_from[p] for p in confirmed}, options, report)


def _settle(
    store: Store,
    client: Eutils,
    missing_from: dict[int, list[str]],
    options: Options,
    report: RunReport,
) -> None:
    """efetch the PMIDs missing MISSING_RUNS runs in a row: the records that come back lose
    the topics whose search no longer finds them; the others are marked deleted."""
    assert report.run_id is not None
    wanted = sorted(missing_from)
    records: list = []
    for start in range(0, len(wanted), options.batch_size):
        batch = wanted[start : start + options.batch_size]
        found = efetch_records(client, batch)
        again = [p for p in batch if p not in _returned(found)]
        records += found + (efetch_records(client, again) if again else [])
    returned = _returned(records)
    articles = [r for r in records if isinstance(r, Article) and r.ids.pmid in missing_from]
    deletions = [r for r in records if isinstance(r, Deletion)]
    if articles or deletions:
        save_batch(store, [*articles, *deletions], [], LinkReply(), {}, options, report)
    with store.transaction():
        dropped = sum(
            stored_links.drop_harvest_topics(store.db, p, missing_from[p])
            for p in sorted(_returned(articles))
        )
        gone = [p for p in wanted if p not in returned]
        deleted = store.save_deletion(Deletion(pmids=gone)).deleted if gone else 0
        todo.done(store.db, "missing", wanted)
        runs.add_counts(store.db, report.run_id, topics_dropped=dropped, records_deleted=deleted)
    report.topics_dropped += dropped
    report.counts.deleted += deleted


def _returned(records: list) -> set[int]:
    found: set[int] = set()
    for record in records:
        if isinstance(record, Deletion):
            found.update(record.pmids)
        elif record.ids.pmid:
            found.add(record.ids.pmid)
    return found
