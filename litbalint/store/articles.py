"""Writing articles: identity (one row per article whatever its sources), merging, the
full-text index, topics (child rows: children.py). Called only inside a Store transaction."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from sqlite_utils import Database

from litbalint.model import Article
from litbalint.store import rows
from litbalint.store.children import (
    PUBMED_FORMATS,
    defers_to_pubmed,
    replace_children,
    withdraw_abstracts,
)
from litbalint.topics import Topic, topics_for_text
from litbalint.zh import segment_for_index

# Child rows that move together when two rows turn out to be one article:
# (tables, extra WHERE, its parameters). The kept row's own data wins.
CHILD_UNITS: tuple[tuple[tuple[str, ...], str, tuple], ...] = (
    (("authors", "affiliations"), "", ()),
    (("abstract_sections",), "AND lang = ?", ("en",)),
    (("abstract_sections",), "AND lang = ?", ("zh",)),
    (("mesh_headings",), "", ()),
    (("keywords",), "", ()),
    (("publication_types",), "", ()),
    (("reference_lists",), "", ()),
)
# What a translation (Suppr page, bilingual dump) is the authority on.
TRANSLATION_COLUMNS = frozenset({"title_zh", "abstract_zh", "abstract_zh_source"})
# Columns the full-text row is made of, or that decide whether there is one.
_INDEX_INPUTS = frozenset({*rows.SEARCH_COLUMNS, "is_stub", "deleted"})


_clock: list = [None, ""]  # (second, its ISO text): now() is called for every row written


def now() -> str:
    """The current UTC time to the second, ISO 8601."""
    second = int(time.time())
    if second != _clock[0]:
        stamp = datetime.fromtimestamp(second, timezone.utc).isoformat()
        _clock[:] = [second, stamp]
    return _clock[1]


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The rowid an INSERT just gave (sqlite3 types it Optional: None before any INSERT)."""
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _row(db: Database, article_id: int) -> dict[str, Any]:
    cursor = db.execute("SELECT * FROM articles WHERE id = ?", [article_id])
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def find_matches(db: Database, columns: dict[str, Any]) -> list[int]:
    """Rows this record is: by PMID, then DOI or PMC (rows whose PMID does not contradict),
    then, for records with no ID at all, by English title and year among PMID-less rows."""
    pmid, found = columns["pmid"], []
    if pmid is not None:
        hit = db.execute("SELECT id FROM articles WHERE pmid = ?", [pmid]).fetchone()
        if hit:
            found.append(hit[0])
    for column, sql in (
        ("doi", "SELECT id, pmid FROM articles WHERE lower(doi) = lower(?) ORDER BY id"),
        ("pmc", "SELECT id, pmid FROM articles WHERE pmc = ? ORDER BY id"),
    ):
        if columns[column]:
            for article_id, other_pmid in db.execute(sql, [columns[column]]).fetchall():
                agrees = pmid is None or other_pmid is None or other_pmid == pmid
                if agrees and article_id not in found:
                    found.append(article_id)
                    break
    if not found and not (pmid or columns["doi"] or columns["pmc"]) and columns["title_en"]:
        hit = db.execute(
            # likely(): otherwise SQLite walks every PMID-less row through the pmid index
            # instead of using the partial title index (seconds per lookup at 100,000 rows)
            "SELECT id FROM articles WHERE likely(pmid IS NULL) AND lower(title_en) = lower(?) "
            "AND (year IS NULL OR ? IS NULL OR year = ?) ORDER BY id LIMIT 1",
            [columns["title_en"], columns["year"], columns["year"]],
        ).fetchone()
        if hit:
            found.append(hit[0])
    return found


def absorb(db: Database, keep: int, drop: int) -> None:
    """Fold row `drop` into row `keep`: fields merged, edges and provenance re-pointed."""
    kept, dropped = _row(db, keep), _row(db, drop)
    incoming = {
        column: None if dropped[column] == "[]" else dropped[column]
        for column in (*rows.DATA_COLUMNS, "journal_id")
    }
    stub = not (kept["is_stub"] and not dropped["is_stub"])
    merged = rows.merge_columns(kept, incoming, stub=stub)
    merged["is_stub"] = kept["is_stub"] and dropped["is_stub"]
    for tables, where, params in CHILD_UNITS:
        own = db.execute(
            f"SELECT 1 FROM {tables[0]} WHERE article_id = ? {where} LIMIT 1", [keep, *params]
        ).fetchone()
        if tables == ("authors", "affiliations"):
            own = (
                own
                or db.execute(
                    "SELECT 1 FROM affiliations WHERE article_id = ? LIMIT 1", [keep]
                ).fetchone()
            )
        for table in tables:
            verb = "DELETE FROM" if own else "UPDATE"
            action = "" if own else f" SET article_id = {int(keep)}"
            db.execute(f"{verb} {table}{action} WHERE article_id = ? {where}", [drop, *params])
    for table, column in (
        ("citations", "citing_id"),
        ("citations", "cited_id"),
        ("article_topics", "article_id"),
        ("article_sources", "article_id"),
    ):
        db.execute(f"UPDATE OR IGNORE {table} SET {column} = ? WHERE {column} = ?", [keep, drop])
        db.execute(f"DELETE FROM {table} WHERE {column} = ?", [drop])
    db.execute("DELETE FROM citations WHERE citing_id = cited_id")
    db.execute("DELETE FROM alignment_beads WHERE article_id = ?", [drop])
    db.execute("DELETE FROM alignments WHERE article_id = ?", [drop])
    db.execute("UPDATE alignments SET stale = 1 WHERE article_id = ?", [keep])
    db.execute("DELETE FROM article_vectors WHERE article_id = ?", [drop])  # keep's is redone
    db.execute("UPDATE reference_lists SET cited_id = ? WHERE cited_id = ?", [keep, drop])
    db.execute("DELETE FROM articles_fts WHERE rowid = ?", [drop])
    db.execute("DELETE FROM articles WHERE id = ?", [drop])
    merged["topics"] = topics_json(db, keep)
    _write_row(db, keep, merged, kept)
    _index(db, keep)


def _write_row(db: Database, article_id: int, merged: dict, existing: dict) -> set[str]:
    """Write the columns that changed; returns their names (empty: nothing changed)."""
    merged["has_zh"] = int(bool(merged.get("abstract_zh")))
    changed = {k: v for k, v in merged.items() if existing.get(k) != v and k != "updated_at"}
    if not changed:
        return set()
    names = set(changed)
    changed["updated_at"] = now()
    assignments = ", ".join(f"{column} = ?" for column in changed)
    db.execute(f"UPDATE articles SET {assignments} WHERE id = ?", [*changed.values(), article_id])
    return names


def _insert_row(
    db: Database, columns: dict[str, Any], stub: bool, topics: str
) -> tuple[int, dict[str, Any]]:
    """Insert a row; returns its id and the values written (columns not named keep their
    defaults, which the merge and the index read as empty)."""
    values = {k: v for k, v in columns.items() if v is not None}
    values["is_stub"] = int(stub)
    values["topics"] = topics
    values["has_zh"] = int(bool(values.get("abstract_zh")))
    values["created_at"] = values["updated_at"] = now()
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    cursor = db.execute(f"INSERT INTO articles ({names}) VALUES ({marks})", list(values.values()))
    return inserted_id(cursor), {**dict.fromkeys(columns), **values, "deleted": 0}


def _journal_id(db: Database, article: Article) -> int | None:
    if not article.journal:
        return None
    details = {
        "title": article.journal_title,
        "issn_print": article.issn_print,
        "issn_electronic": article.issn_electronic,
        "issn_linking": article.issn_linking,
        "nlm_id": article.nlm_id,
    }
    hit = db.execute(
        "SELECT id, title, issn_print, issn_electronic, issn_linking, nlm_id FROM journals "
        "WHERE abbreviation = ? COLLATE NOCASE",
        [article.journal],
    ).fetchone()
    if hit is None:
        cursor = db.execute(
            "INSERT INTO journals (abbreviation, title, issn_print, issn_electronic, "
            "issn_linking, nlm_id) VALUES (?, ?, ?, ?, ?, ?)",
            [article.journal, *details.values()],
        )
        return inserted_id(cursor)
    missing = {
        k: v
        for (k, v), old in zip(details.items(), hit[1:], strict=True)
        if v is not None and old is None
    }
    if missing:
        assignments = ", ".join(f"{column} = ?" for column in missing)
        db.execute(f"UPDATE journals SET {assignments} WHERE id = ?", [*missing.values(), hit[0]])
    return hit[0]


def save_article(
    db: Database,
    article: Article,
    source: str,
    topics: Sequence[Topic],
    harvest_topics: tuple[str, ...] = (),
    segments: Mapping[str, str] | None = None,
) -> tuple[int, str]:
    """Insert or merge one article; returns (id, 'new' | 'updated' | 'unchanged').
    `topics`: whose rules give the article its rule topics; `harvest_topics`: the topics whose
    query found it (kept beside the rule ones); `segments`: texts already segmented for the
    index."""
    columns = rows.article_columns(article)
    columns["journal_id"] = _journal_id(db, article)
    matches = find_matches(db, columns)
    for other in matches[1:]:
        absorb(db, matches[0], other)
    if not matches:  # its topics are known now: no second write of the row
        rule_topics = set() if article.is_stub else _rule_topics(topics, columns)
        topics_json = json.dumps(sorted(rule_topics.union(harvest_topics)))
        article_id, base = _insert_row(db, columns, article.is_stub, topics_json)
        if rule_topics:
            db.conn.executemany(
                "INSERT INTO article_topics (article_id, topic, source) VALUES (?, ?, 'rule')",
                [(article_id, topic) for topic in sorted(rule_topics)],
            )
        outcome = "new"
        existing: dict[str, Any] = {}
    else:
        article_id = matches[0]
        existing = base = _row(db, article_id)
        # a stub becoming a full record is new to the corpus
        outcome = "new" if existing["is_stub"] and not article.is_stub else "unchanged"
    defer = bool(matches) and not article.is_stub and defers_to_pubmed(db, article_id, source)
    if defer:  # a translation's copy of the English only fills what PubMed left empty
        merged = rows.merge_columns(base, rows.without(columns, TRANSLATION_COLUMNS), stub=True)
        merged = rows.merge_columns(merged, rows.only(columns, TRANSLATION_COLUMNS), stub=False)
    else:
        merged = rows.merge_columns(base, columns, stub=article.is_stub)
    if not article.is_stub:
        merged["is_stub"] = 0
        if source in PUBMED_FORMATS:
            merged["deleted"] = 0
    children_changed = False
    if not article.is_stub:
        # a row inserted just now, or a stub, has no child rows yet (a stub never has any)
        fresh = not existing or bool(existing["is_stub"])
        children_changed = replace_children(db, article_id, article, source, fresh, defer)
        for lang in [] if fresh else withdraw_abstracts(db, article_id, article, source):
            children_changed = True
            merged[f"abstract_{lang}"] = None
            if lang == "zh":
                merged["abstract_zh_source"] = None
    for topic in harvest_topics:
        db.execute(
            "INSERT OR IGNORE INTO article_topics (article_id, topic, source) "
            "VALUES (?, ?, 'harvest')",
            [article_id, topic],
        )
    if matches and not (article.is_stub and existing["is_stub"] and not harvest_topics):
        merged["topics"] = _update_topics(db, article_id, merged, topics)  # (a stub's stay)
    row_changed = _write_row(db, article_id, merged, base)
    if children_changed and not row_changed and matches:  # (a new row has today's date)
        db.execute("UPDATE articles SET updated_at = ? WHERE id = ?", [now(), article_id])
    if outcome == "new" or not row_changed.isdisjoint(_INDEX_INPUTS):
        # only live corpus articles are in the index: a new row or a stub has nothing to delete
        indexed = bool(existing) and not existing["is_stub"] and not existing["deleted"]
        _index(db, article_id, merged, indexed, segments)
    if outcome == "unchanged" and (row_changed or children_changed):
        outcome = "updated"
    return article_id, outcome


def _rule_topics(topics: Sequence[Topic], columns: dict[str, Any]) -> set[str]:
    return set(
        topics_for_text(
            topics,
            columns.get("title_en"),
            columns.get("title_zh"),
            columns.get("abstract_en"),
            columns.get("abstract_zh"),
            columns.get("keywords"),
        )
    )


def _update_topics(
    db: Database, article_id: int, merged: dict[str, Any], topics: Sequence[Topic]
) -> str:
    """Rule topics from the merged text (corpus articles only); returns the topics JSON."""
    if not merged.get("is_stub"):
        wanted = _rule_topics(topics, merged)
        have = {
            r[0]
            for r in db.execute(
                "SELECT topic FROM article_topics WHERE article_id = ? AND source = 'rule'",
                [article_id],
            )
        }
        for topic in have - wanted:
            db.execute(
                "DELETE FROM article_topics WHERE article_id = ? AND topic = ? AND source = 'rule'",
                [article_id, topic],
            )
        for topic in wanted - have:
            db.execute(
                "INSERT INTO article_topics (article_id, topic, source) VALUES (?, ?, 'rule')",
                [article_id, topic],
            )
    return topics_json(db, article_id)


def topics_json(db: Database, article_id: int) -> str:
    topics = [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT topic FROM article_topics WHERE article_id = ? ORDER BY topic",
            [article_id],
        )
    ]
    return json.dumps(topics)


def _index(
    db: Database,
    article_id: int,
    row: dict[str, Any] | None = None,
    indexed: bool = True,
    segments: Mapping[str, str] | None = None,
) -> None:
    """Rewrite the article's full-text row; Chinese and keywords segmented with jieba.
    Only corpus articles are indexed: stubs (articles known from a link) join it with their
    full record. `row`: the article's columns as just written (default: read them);
    `indexed`: whether it may have a row in the index now; `segments`: texts already segmented."""
    row = row or _row(db, article_id)
    known = segments or {}

    def segmented(text: str | None) -> str:
        return (text and known.get(text)) or segment_for_index(text)

    if indexed:
        db.execute("DELETE FROM articles_fts WHERE rowid = ?", [article_id])
    if row["is_stub"] or row["deleted"]:
        return
    values = [
        row["title_en"] or "",
        row["abstract_en"] or "",
        segmented(row["title_zh"]),
        segmented(row["abstract_zh"]),
        segmented("; ".join(json.loads(row["keywords"] or "[]"))),
        "; ".join(json.loads(row["mesh_terms"] or "[]")),
    ]
    db.execute(
        f"INSERT INTO articles_fts (rowid, {', '.join(rows.SEARCH_COLUMNS)}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [article_id, *values],
    )
