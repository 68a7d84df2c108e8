"""Cross-lingual search over a corpus connection (read-only): the query translated with the
database's learned lexicon (`litbalint/crosslingual.py`), and the articles its FTS5 query
finds, best first (bm25 with the index's column weights), for the search page and benchmarks."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Literal

from litbalint.align.learned_lexicon import MAX_PER_WORD
from litbalint.crosslingual import Translation, translate_query
from litbalint.model import LearnedPair

Mode = Literal["fts", "fts_all", "fts_any"]


class DatabaseLearned:
    """The `learned_lexicon` table as a `bilingual.LearnedLookup`, best pairs first; empty
    when the database has no such table (made before schema 7)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def english(self, chinese: str) -> Sequence[LearnedPair]:
        return self._pairs("zh", chinese)

    def chinese(self, english: str) -> Sequence[LearnedPair]:
        return self._pairs("en", english)

    def _pairs(self, column: str, word: str) -> list[LearnedPair]:
        try:
            rows = self.conn.execute(
                f"SELECT zh, en, pairs, score FROM learned_lexicon WHERE {column} = ? "
                "ORDER BY score DESC, pairs DESC, zh, en LIMIT ?",
                [word, MAX_PER_WORD],
            ).fetchall()
        except sqlite3.OperationalError:  # no such table
            return []
        return [LearnedPair(*row) for row in rows]


def translate(conn: sqlite3.Connection, query: str) -> Translation:
    """The query in the other language, with the glossary, CC-CEDICT and this corpus's
    learned lexicon."""
    return translate_query(query, DatabaseLearned(conn))


def translated_ids(
    conn: sqlite3.Connection, query: str, limit: int = 10, mode: Mode = "fts"
) -> list[int]:
    """Ids of the articles the translated query finds, best first (at most `limit`); none
    when nothing in the query could be translated."""
    fts = getattr(translate(conn, query), mode)
    if not fts:
        return []
    return [
        row[0]
        for row in conn.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
            [fts, limit],
        )
    ]
