"""Citation edges, PubMed reference lists, deletions and provenance rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlite_utils import Database

from litbalint.model import Article, ArticleIds, LinkSummary, RelatedArticle
from litbalint.sources.dates import parse_date_text
from litbalint.store.articles import now, save_article
from litbalint.store.todo import given_up
from litbalint.topics import Topic


def add_edge(
    db: Database,
    citing: int,
    cited: int,
    kind: str,
    source: str,
    rank: int | None = None,
    score: float | None = None,
) -> bool:
    """Insert a citation edge (True) or refresh its rank/score (False). Self-loops are skipped."""
    if citing == cited:
        return False
    cursor = db.execute(
        "INSERT OR IGNORE INTO citations (citing_id, cited_id, kind, source, rank, score, "
        "first_seen) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [citing, cited, kind, source, rank, score, now()],
    )
    if cursor.rowcount:
        return True
    db.execute(
        "UPDATE citations SET rank = ?, score = ? WHERE citing_id = ? AND cited_id = ? "
        "AND kind = ? AND source = ? AND (rank IS NOT ? OR score IS NOT ?)",
        [rank, score, citing, cited, kind, source, rank, score],
    )
    return False


def edge_ends(article_id: int, other_id: int, kind: str) -> tuple[int, int]:
    """(citing, cited): citing_id always cites cited_id; for 'similar' the page's article
    comes first."""
    return (other_id, article_id) if kind == "cited_by" else (article_id, other_id)


def record_source(
    db: Database,
    article_id: int,
    source_format: str,
    role: str,
    file_id: int | None = None,
    run_id: int | None = None,
) -> None:
    db.execute(
        "INSERT OR IGNORE INTO article_sources (article_id, file_id, run_id, format, role, "
        "first_seen) VALUES (?, ?, ?, ?, ?, ?)",
        [article_id, file_id, run_id, source_format, role, now()],
    )


def save_related(
    db: Database,
    article_id: int,
    related: RelatedArticle,
    source_format: str,
    edge_source: str,
    file_id: int | None,
    run_id: int | None,
    topics: Sequence[Topic],
    segments: Mapping[str, str] | None = None,
) -> tuple[int, bool]:
    """Save a listed article as a stub and link it; returns (stub id, edge added).
    `topics`: as for save_article; `segments`: texts already segmented for the index."""
    stub_id, _ = save_article(db, related.article, source_format, topics, segments=segments)
    record_source(db, stub_id, source_format, "related", file_id, run_id)
    citing, cited = edge_ends(article_id, stub_id, related.kind)
    added = add_edge(db, citing, cited, related.kind, edge_source, related.rank, related.score)
    return stub_id, added


def save_reference_list(
    db: Database,
    article_id: int,
    article: Article,
    source_format: str,
    file_id: int | None,
    run_id: int | None,
    topics: Sequence[Topic],
) -> int:
    """PubMed ReferenceList: every entry kept in reference_lists; entries with an ID also
    become stubs joined by a 'references' edge. Returns the number of new edges."""
    if not article.references:
        return 0
    new_edges = 0
    # PMID-only entries (most of them) take the fast path; the others need identity matching.
    pmid_only = [
        r.ids.pmid for r in article.references if r.ids.pmid and not (r.ids.doi or r.ids.pmc)
    ]
    fast = stub_ids(db, sorted(set(pmid_only))) if pmid_only else {}
    wanted = []
    fast_edges = []  # (cited, rank), saved together below
    for position, reference in enumerate(article.references, start=1):
        ids = reference.ids
        cited_id = fast.get(ids.pmid) if ids.pmid and not (ids.doi or ids.pmc) else None
        if cited_id is not None:
            if cited_id != article_id:
                fast_edges.append((cited_id, position))
        elif ids.any():
            new_edges += _add_edges(db, article_id, fast_edges)  # keep the order of the list
            fast_edges = []
            stub = Article(ids=ids, citation_text=reference.citation, is_stub=True)
            related = RelatedArticle(kind="references", article=stub, rank=position)
            cited_id, added = save_related(
                db, article_id, related, source_format, "pubmed", file_id, run_id, topics
            )
            new_edges += added
        wanted.append((position, reference.citation, ids.pmid, ids.doi, ids.pmc, cited_id))
    new_edges += _add_edges(db, article_id, fast_edges)
    have = [
        tuple(r)
        for r in db.execute(
            "SELECT position, citation, pmid, doi, pmc, cited_id FROM reference_lists "
            "WHERE article_id = ? ORDER BY position",
            [article_id],
        )
    ]
    if have != wanted:
        db.execute("DELETE FROM reference_lists WHERE article_id = ?", [article_id])
        db.conn.executemany(
            "INSERT INTO reference_lists (article_id, position, citation, pmid, doi, pmc, "
            "cited_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(article_id, *row) for row in wanted],
        )
    return new_edges


def _add_edges(db: Database, citing: int, cited_ranks: list[tuple[int, int]]) -> int:
    """add_edge() for many 'references' edges from PubMed at once; returns how many are new."""
    if not cited_ranks:
        return 0
    stamp = now()
    before = db.conn.total_changes
    db.conn.executemany(
        "INSERT OR IGNORE INTO citations (citing_id, cited_id, kind, source, rank, score, "
        "first_seen) VALUES (?, ?, 'references', 'pubmed', ?, NULL, ?)",
        [(citing, cited, rank, stamp) for cited, rank in cited_ranks],
    )
    added = db.conn.total_changes - before
    if added < len(cited_ranks):  # some were known: refresh their rank, as add_edge does
        db.conn.executemany(
            "UPDATE citations SET rank = ?, score = NULL WHERE citing_id = ? AND cited_id = ? "
            "AND kind = 'references' AND source = 'pubmed' "
            "AND (rank IS NOT ? OR score IS NOT NULL)",
            [(rank, citing, cited, rank) for cited, rank in cited_ranks],
        )
    return added


def mark_deleted(db: Database, pmids: list[int]) -> int:
    """Mark known PMIDs deleted; returns how many rows changed. PubMed lists no links of a
    deleted record any more: the PubMed edges it is the source of (its references, its place
    in others' cited-by lists, its similar articles) and its place in others' similar lists
    go; other sources' edges and others' references to it stay."""
    changed = 0
    for pmid in pmids:
        cursor = db.execute(
            "UPDATE articles SET deleted = 1, updated_at = ? WHERE pmid = ? AND deleted = 0",
            [now(), pmid],
        )
        if cursor.rowcount:  # the full-text index holds live corpus articles only
            (article_id,) = db.execute("SELECT id FROM articles WHERE pmid = ?", [pmid]).fetchone()
            db.execute("DELETE FROM articles_fts WHERE rowid = ?", [article_id])
            db.execute(
                "DELETE FROM citations WHERE source = 'pubmed' AND (citing_id = ? "
                "OR (cited_id = ? AND kind = 'similar'))",
                [article_id, article_id],
            )
        changed += cursor.rowcount
    return changed


def stub_ids(db: Database, pmids: list[int]) -> dict[int, int]:
    """Article ids for PMIDs, creating PMID-only stubs for the unknown ones (fast path for
    the thousands of articles elink names)."""
    found = _ids_of_pmids(db, pmids)
    missing = [pmid for pmid in pmids if pmid not in found]
    if missing:
        stamp = now()
        db.conn.executemany(
            "INSERT OR IGNORE INTO articles (pmid, is_stub, created_at, updated_at) "
            "VALUES (?, 1, ?, ?)",
            [(pmid, stamp, stamp) for pmid in missing],
        )
        found.update(_ids_of_pmids(db, missing))
    return found


def _ids_of_pmids(db: Database, pmids: list[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for start in range(0, len(pmids), 500):
        chunk = pmids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(db.execute(f"SELECT pmid, id FROM articles WHERE pmid IN ({marks})", chunk))
    return found


def save_elink(
    db: Database,
    article_id: int,
    refs: list[int],
    cited_by: list[int],
    similar: list[tuple[int, float]],
) -> int:
    """Edges from elink (source 'pubmed'); linked articles outside the corpus become stubs.
    Returns the number of new edges."""
    ids = stub_ids(db, sorted({*refs, *cited_by, *(p for p, _ in similar)}))
    stamp = now()
    rows: list[tuple[int, int, str, int, float | None]] = [
        (article_id, ids[p], "references", rank, None) for rank, p in enumerate(refs, 1)
    ]
    rows += [(ids[p], article_id, "cited_by", rank, None) for rank, p in enumerate(cited_by, 1)]
    rows += [
        (article_id, ids[p], "similar", rank, score) for rank, (p, score) in enumerate(similar, 1)
    ]
    before = db.conn.total_changes
    db.conn.executemany(
        "INSERT OR IGNORE INTO citations (citing_id, cited_id, kind, source, rank, score, "
        "first_seen) VALUES (?, ?, ?, 'pubmed', ?, ?, ?)",
        [(*row[:2], row[2], row[3], row[4], stamp) for row in rows if row[0] != row[1]],
    )
    return db.conn.total_changes - before


def untitled_stubs(db: Database, pmids: list[int]) -> list[int]:
    """Which of these PMIDs are stubs nobody has given a title yet (sorted, unique)."""
    unique = sorted(set(pmids))
    found: list[int] = []
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found += [
            r[0]
            for r in db.execute(
                f"SELECT pmid FROM articles WHERE pmid IN ({marks}) AND is_stub = 1 "
                "AND title_en IS NULL",
                chunk,
            )
        ]
    return found


def stubs_without_title(db: Database) -> list[int]:
    """PMIDs of stubs nobody has given a title yet, except those whose title esummary refused
    too often (given up on the to-do list)."""
    skip = given_up(db, "title")
    return [
        r[0]
        for r in db.execute(
            "SELECT pmid FROM articles WHERE is_stub = 1 AND pmid IS NOT NULL AND title_en IS NULL "
            "ORDER BY pmid"
        )
        if r[0] not in skip
    ]


def save_summaries(db: Database, summaries: list[LinkSummary], topics: Sequence[Topic]) -> None:
    """Titles, journals and dates for PMID stubs (fills only what is empty). A summary whose
    DOI another row already has goes through identity matching, so the two become one
    (`topics`: as for save_article)."""
    stamp = now()
    fast = []
    holders = _doi_holders(db, [s.doi.lower() for s in summaries if s.doi])
    for summary in summaries:
        doi = summary.doi.lower() if summary.doi else None
        if doi and holders.get(doi, {summary.pmid}) != {summary.pmid}:
            holders.setdefault(doi, set()).add(summary.pmid)  # saved below: later ones see it
            stub = Article(
                ids=ArticleIds(pmid=summary.pmid, doi=summary.doi),
                is_stub=True,
                title_en=summary.title,
                journal=summary.journal,
                pub_date=parse_date_text(summary.pub_date),
            )
            save_article(db, stub, "harvest", topics)
            continue
        date = parse_date_text(summary.pub_date)
        fast.append(
            (
                summary.title,
                summary.journal,
                date.year,
                date.month,
                date.day,
                date.iso(),
                date.text,
                summary.doi,
                stamp,
                summary.pmid,
            )
        )
    db.conn.executemany(
        "UPDATE articles SET title_en = coalesce(title_en, ?), journal = coalesce(journal, ?), "
        "year = coalesce(year, ?), month = coalesce(month, ?), day = coalesce(day, ?), "
        "pub_date = coalesce(pub_date, ?), pub_date_text = coalesce(pub_date_text, ?), "
        "doi = coalesce(doi, ?), updated_at = ? WHERE pmid = ? AND is_stub = 1",
        fast,
    )


def article_ids(db: Database, pmids: list[int]) -> dict[int, int]:
    """{pmid: article id} of corpus records (not stubs, not deleted) among these PMIDs."""
    found: dict[int, int] = {}
    for start in range(0, len(pmids), 500):
        chunk = pmids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(
            db.execute(
                f"SELECT pmid, id FROM articles WHERE pmid IN ({marks}) AND is_stub = 0 "
                "AND deleted = 0",
                chunk,
            )
        )
    return found


def _doi_holders(db: Database, dois: list[str]) -> dict[str, set[int | None]]:
    """{lower-case DOI: PMIDs of the rows that have it} for these DOIs (one query per 500)."""
    holders: dict[str, set[int | None]] = {}
    unique = sorted(set(dois))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for doi, pmid in db.execute(
            f"SELECT lower(doi), pmid FROM articles WHERE lower(doi) IN ({marks})", chunk
        ):
            holders.setdefault(doi, set()).add(pmid)
    return holders
