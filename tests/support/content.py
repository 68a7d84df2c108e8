"""A database's content without internal ids or timestamps: what two runs (a harvest, an import)
must agree on, for tests and scripts."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path


def content(db: Path) -> list[list[tuple]]:
    """What a harvest leaves, without internal ids or timestamps."""
    with closing(sqlite3.connect(db)) as conn:
        return [
            conn.execute(
                "SELECT pmid, doi, title_en, abstract_en, abstract_zh, journal, pub_date, topics, "
                "is_stub, deleted FROM articles ORDER BY pmid"
            ).fetchall(),
            conn.execute(
                "SELECT a.pmid, b.pmid, c.kind, c.source, c.rank, c.score FROM citations c "
                "JOIN articles a ON a.id = c.citing_id JOIN articles b ON b.id = c.cited_id "
                "ORDER BY 1, 2, 3"
            ).fetchall(),
            conn.execute(
                "SELECT a.pmid, b.position, b.en_text, b.zh_text, b.score FROM alignment_beads b "
                "JOIN articles a ON a.id = b.article_id ORDER BY 1, 2"
            ).fetchall(),
        ]


TIMES = ("created_at", "updated_at", "first_seen", "imported_at", "aligned_at", "applied_at")


def content_queries(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(table, a SELECT of its rows without timestamps in the order of all their columns) for
    every table: equal results for equal content, whichever order the rows were written in."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'articles_fts_%' ORDER BY name"
        )
    ]
    queries = []
    for name in names:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({name})") if r[1] not in TIMES]
        if name == "articles_fts":
            columns.insert(0, "rowid")
        listed = ", ".join(columns)
        queries.append((name, f"SELECT {listed} FROM {name} ORDER BY {listed}"))
    return queries


def content_digest(db: Path) -> dict[str, str]:
    """Per table: its row count and a digest of its rows (content_queries)."""
    conn = sqlite3.connect(db)
    found = {}
    for name, query in content_queries(conn):
        digest, count = hashlib.sha256(), 0
        for row in conn.execute(query):
            digest.update(repr(row).encode())
            count += 1
        found[name] = f"{count}:{digest.hexdigest()[:16]}"
    conn.close()
    return found
