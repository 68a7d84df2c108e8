"""Keeping the corpus equal to PubMed: when each article's links were last fetched, replacing
an article's PubMed links with a fresh elink reply, and the articles each topic's search found."""

from __future__ import annotations

import json

from sqlite_utils import Database

from litbalint.store.articles import topics_json
from litbalint.store.links import save_elink, stub_ids

CORPUS = "a.is_stub = 0 AND a.deleted = 0 AND a.pmid IS NOT NULL"


def mark_links_fetched(db: Database, pmids: list[int], day: str) -> None:
    """These PMIDs' links were fetched on `day` (YYYY-MM-DD)."""
    db.conn.executemany(
        "INSERT INTO links_fetched (pmid, fetched_on) VALUES (?, ?) "
        "ON CONFLICT (pmid) DO UPDATE SET fetched_on = excluded.fetched_on",
        [(pmid, day) for pmid in pmids],
    )


def links_to_refresh(db: Database, fetched_before: str, limit: int) -> dict[int, int]:
    """{pmid: article id} of at most `limit` corpus articles whose links were fetched on or
    before `fetched_before`, oldest first; harvested articles with no date come first. PMIDs on
    the links to-do list are left to it."""
    rows = db.execute(
        "SELECT a.pmid, a.id FROM articles a LEFT JOIN links_fetched f ON f.pmid = a.pmid "
        f"WHERE {CORPUS} AND a.pmid NOT IN (SELECT pmid FROM harvest_todo WHERE step = 'links') "
        "AND (f.fetched_on <= ? OR (f.fetched_on IS NULL AND EXISTS (SELECT 1 FROM "
        "article_topics t WHERE t.article_id = a.id AND t.source = 'harvest'))) "
        "ORDER BY f.fetched_on IS NOT NULL, f.fetched_on, a.pmid LIMIT ?",
        [fetched_before, limit],
    )
    return dict(rows.fetchall())


def corpus_size(db: Database) -> int:
    return db.execute(f"SELECT count(*) FROM articles a WHERE {CORPUS}").fetchone()[0]


def replace_elink(
    db: Database,
    article_id: int,
    refs: list[int],
    cited_by: list[int],
    similar: list[tuple[int, float]],
) -> tuple[int, int]:
    """Make the article's elink edges (source 'pubmed') equal this reply: new ones added,
    ranks and scores brought up to date, those no longer listed removed. References from the
    record's own ReferenceList keep their edge and rank. Returns (added, removed)."""
    added = save_elink(db, article_id, refs, cited_by, similar)
    ids = stub_ids(db, sorted({*refs, *cited_by, *(p for p, _ in similar)}))
    own_refs = "SELECT cited_id FROM reference_lists WHERE article_id = ? AND cited_id IS NOT NULL"
    edge = "WHERE citing_id = ? AND cited_id = ? AND kind = ? AND source = 'pubmed'"
    db.conn.executemany(
        f"UPDATE citations SET rank = ? {edge} AND rank IS NOT ?",
        [(rank, ids[p], article_id, "cited_by", rank) for rank, p in enumerate(cited_by, 1)],
    )
    db.conn.executemany(
        f"UPDATE citations SET rank = ?, score = ? {edge} AND (rank IS NOT ? OR score IS NOT ?)",
        [
            (rank, score, article_id, ids[p], "similar", rank, score)
            for rank, (p, score) in enumerate(similar, 1)
        ],
    )
    db.conn.executemany(
        f"UPDATE citations SET rank = ? {edge} AND rank IS NOT ? AND cited_id NOT IN ({own_refs})",
        [
            (rank, article_id, ids[p], "references", rank, article_id)
            for rank, p in enumerate(refs, 1)
        ],
    )
    before = db.conn.total_changes
    for kind, own, other, pmids in (
        ("references", "citing_id", "cited_id", refs),
        ("cited_by", "cited_id", "citing_id", cited_by),
        ("similar", "citing_id", "cited_id", [p for p, _ in similar]),
    ):
        keep = f" AND {other} NOT IN ({own_refs})" if kind == "references" else ""
        listed = json.dumps([ids[p] for p in pmids])
        db.execute(
            f"DELETE FROM citations WHERE kind = ? AND source = 'pubmed' AND {own} = ? "
            f"AND {other} NOT IN (SELECT value FROM json_each(?)){keep}",
            [kind, article_id, listed] + ([article_id] if keep else []),
        )
    return added, db.conn.total_changes - before


def harvest_topic_pmids(db: Database, topic: str) -> set[int]:
    """PMIDs of the corpus articles the topic's search brought in (article_topics 'harvest')."""
    return {
        row[0]
        for row in db.execute(
            "SELECT a.pmid FROM articles a JOIN article_topics t ON t.article_id = a.id "
            f"WHERE {CORPUS} AND t.topic = ? AND t.source = 'harvest'",
            [topic],
        )
    }


def drop_harvest_topics(db: Database, pmid: int, topics: list[str]) -> int:
    """The topics' searches no longer find this article: their 'harvest' rows go (keyword-rule
    topics stay); returns how many went."""
    row = db.execute("SELECT id FROM articles WHERE pmid = ?", [pmid]).fetchone()
    if row is None:
        return 0
    before = db.conn.total_changes
    db.conn.executemany(
        "DELETE FROM article_topics WHERE article_id = ? AND topic = ? AND source = 'harvest'",
        [(row[0], topic) for topic in topics],
    )
    dropped = db.conn.total_changes - before
    if dropped:
        db.execute("UPDATE articles SET topics = ? WHERE id = ?", [topics_json(db, row[0]), row[0]])
    return dropped
