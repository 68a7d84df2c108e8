"""Articles ranked by how much of a translated query they have (coordination-level matching).

A translated query rarely matches in full: a reader's phrase has a word the article puts
otherwise (挪威 -> Norway, the article says Norwegian), a whole sentence has a dozen terms. So the
translation signal ranks articles by the terms they have, each term weighted by its inverse
document frequency (bm25's idf: a rare term found says more than a common one), best first:
an article with every term comes first, then those missing the least. Articles with less than
`MIN_SHARE` of the best article's weight are left out (a lone common word is not a match).

A term found in more articles than the search's window (match_window.WINDOW) gives no weight
to anyone: it hardly tells articles apart, and reading all its articles would cost the search
its time limit.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from litbalint.publish import match_window

MIN_SHARE = 0.5  # of the best article's weight: less is not a match
FILTER_CHUNK = 4  # candidates read per filter round, in multiples of the depth asked for
FILTER_ROUNDS = 5


@dataclass(frozen=True)
class TermHits:
    """The articles one term of the query is found in, and the term's weight (idf)."""

    ids: frozenset[int]
    weight: float


def term_hits(conn: sqlite3.Connection, term_matches: Sequence[str]) -> list[TermHits]:
    """Each term's articles in the full-text index, with its idf; common terms left out."""
    corpus = conn.execute("SELECT max(rowid) FROM articles").fetchone()[0] or 0
    hits = []
    for match in term_matches:
        sql = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?"
        ids = frozenset(row[0] for row in conn.execute(sql, [match, match_window.WINDOW + 1]))
        if ids and len(ids) <= match_window.WINDOW:
            hits.append(TermHits(ids, idf(len(ids), max(corpus, len(ids)))))
    return hits


def idf(found_in: int, corpus: int) -> float:
    """bm25's inverse document frequency of a term found in `found_in` of `corpus` articles."""
    return math.log(1 + (corpus - found_in + 0.5) / (found_in + 0.5))


def by_coverage(hits: Sequence[TermHits]) -> list[tuple[int, float]]:
    """Every article found by a term, with the summed weight of the terms it has, best first
    (ties: newest id first)."""
    weights: dict[int, float] = {}
    for term in hits:
        for article_id in term.ids:
            weights[article_id] = weights.get(article_id, 0.0) + term.weight
    return sorted(weights.items(), key=lambda item: (-round(item[1], 9), -item[0]))


def best_covered(
    ranked: Sequence[tuple[int, float]],
    keep: Callable[[list[int]], list[int]],
    depth: int,
) -> list[int]:
    """The first `depth` ranked articles that `keep` lets through (read in chunks), down to
    MIN_SHARE of the best one's weight."""
    weight = dict(ranked)
    chosen: list[int] = []
    chunk = FILTER_CHUNK * depth
    for start in range(0, min(len(ranked), chunk * FILTER_ROUNDS), chunk):
        chosen += keep([article_id for article_id, _ in ranked[start : start + chunk]])
        if len(chosen) >= depth:
            break
    if not chosen:
        return []
    floor = MIN_SHARE * weight[chosen[0]]
    return [article_id for article_id in chosen[:depth] if weight[article_id] >= floor - 1e-9]
