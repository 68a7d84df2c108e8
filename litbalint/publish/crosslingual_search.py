"""The cross-lingual signals of the readers' search (search_ranked.CrossLingual): the query
translated through the bilingual lexicons (crosslingual.py) and, when embeddings are on, the
corpus articles nearest to the query's embedding.

multilingual-e5-small's cosine similarities are compressed: on the seeds, a query about
something else entirely (心脏手术 并发症, zzzznothing) still scores 0.79-0.85, the right article
0.85-0.90. So no absolute similarity says "found". An article counts as found by the embedding
when it stands out from the whole corpus for this query: at least `STAND_OUT` above the median
similarity of every stored vector to the query (measured: see docs/search.md, *Cross-lingual
search*).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from litbalint.bilingual import cedict
from litbalint.crosslingual import translate_query
from litbalint.publish import crosslingual, vectors
from litbalint.publish.search_ranked import Translation

STAND_OUT = 0.05  # above the corpus's median similarity to the query
# Queries are embedded here, one at a time, and every stored vector scored against them, while
# the search's SQL runs in Datasette's SQL thread (a connection stays in its thread): the search
# waits for the slower of the two, not their sum. A burst of long queries queues here.
_embedding_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="litbalint-embed")


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
        return Translation(
            found.fts_all, found.source_lang, terms, found.fts_any or None, found.fts_terms
        )

    def nearest(self, conn: sqlite3.Connection, query: str, k: int) -> list[tuple[int, float]]:
        """The corpus articles whose embedding stands out for the query, best first."""
        return vectors.nearest(conn, vectors.query_vector(query), k, above_median=STAND_OUT)

    def nearest_later(
        self, conn: sqlite3.Connection, query: str
    ) -> Callable[[int], list[tuple[int, float]]]:
        """`nearest` started now: the query embedded and every vector scored in the embedding
        thread; the function returned waits for that and keeps the best k live articles (in
        the connection's snapshot, in the caller's thread)."""
        stored = vectors.stored_vectors(conn)
        if stored is None or not query:
            return lambda k: []
        scoring = _embedding_thread.submit(_scored, stored, query)

        def best(k: int) -> list[tuple[int, float]]:
            found = scoring.result()
            return found.nearest(conn, k) if found is not None else []

        return best


def _scored(stored: vectors.Vectors, query: str) -> vectors.Scored | None:
    query_vector = vectors.query_vector(query)
    if query_vector is None:
        return None
    return vectors.scored(stored, query_vector, above_median=STAND_OUT)


SIGNALS = CorpusCrossLingual()


def preload() -> None:
    """Load what a search loads on first use — jieba's dictionary, CC-CEDICT both ways (~1 s
    each), the embedding model — so that no first search pays for it under its time limit."""
    translate_query("巴林特小组")  # jieba, the glossary and the synonym table
    cedict().to_chinese  # noqa: B018 - CC-CEDICT, and its reverse lookup built on first use
    vectors.query_vector("巴林特小组")
