"""A database's content as a harvest leaves it, without internal ids or timestamps: what two
runs must agree on (tests and scripts/bench_harvest.py)."""

from __future__ import annotations

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
