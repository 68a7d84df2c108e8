"""The cross-lingual signals of the readers' search (search_ranked.CrossLingual): the query
translated through the bilingual lexicons (crosslingual.py) and, when embeddings are on, the
corpus articles nearest to the query's embedding."""

from __future__ import annotations

import sqlite3

from litbalint.publish import crosslingual
from litbalint.publish.search_ranked import Translation


class CorpusCrossLingual:
    """Translation through the glossary, CC-CEDICT and the corpus's learned lexicon."""

    def translate(self, conn: sqlite3.Connection, query: str) -> Translation | None:
        found = crosslingual.translate(conn, query)
        if not found.fts:
            return None
        terms = [
            (term.source, [alternative.text for alternative in term.alternatives])
            for term in found.terms
            if term.alternatives
        ]
        return Translation(found.fts, found.source_lang, terms)

    def nearest(self, conn: sqlite3.Connection, query: str, k: int) -> list[tuple[int, float]]:
        return []


SIGNALS = CorpusCrossLingual()
