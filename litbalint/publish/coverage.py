"""Articles ranked by how much of a translated query they have (coordination-level matching).

A translated query rarely matches in full: a reader's phrase has a word the article puts
otherwise (挪威 -> Norway, the article says Norwegian), a whole sentence has a dozen terms. So the
translation signal ranks articles by the terms they have, each term weighted by its inverse
document frequency (bm25's idf: a rare term found says more than a common one), best first:
an article with every term comes first, then those missing the least. Articles with less than
`MIN_SHARE` of the best article's weight are left out (a lone common word is not a match).

A term found in more articles than the search's window (match_window.WINDOW) is common:
reading all its articles would cost the search its time limit. It is read only where it meets
the query's other terms (the articles of the rarer terms, and the newest window of articles
with every common term), its weight from its count.
"""

from __future__ import annotations

import heapq
import json
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
    """Each term's articles in the full-text index, with its idf. A common term (in more
    articles than the search window) is read only where it meets the query's other terms:
    in the articles of the rarer terms, and in the newest window of articles with every
    common term."""
    corpus = conn.execute("SELECT max(rowid) FROM articles").fetchone()[0] or 0
    window = match_window.WINDOW
    rare: list[tuple[str, frozenset[int]]] = []
    common: list[tuple[str, int]] = []  # with an estimate of the articles it is in
    for match in term_matches:
        ids = _ids(conn, match, window + 1)
        if len(ids) > window:
            common.append((match, _estimated_count(len(ids), min(ids), corpus)))
        elif ids:
            rare.append((match, ids))
    hits = [TermHits(ids, idf(len(ids), max(corpus, len(ids)))) for _, ids in rare]
    if common:
        with_all = _ids(conn, " AND ".join(f"({match})" for match, _ in common), window)
        with_rare = " OR ".join(f"({match})" for match, _ in rare)
        for match, found_in in common:
            met = _ids(conn, f"({match}) AND ({with_rare})", None) if with_rare else frozenset()
            hits.append(TermHits(with_all | met, idf(found_in, corpus)))
    return hits


def _estimated_count(newest: int, lowest_id: int, corpus: int) -> int:
    """How many articles a common term is in, from its `newest` matches (ids from
    `lowest_id` to the corpus's last id): their density there, over the whole corpus (a
    count would read every match: ~15 ms for a word in 65,000 of 100,000 articles)."""
    span = max(corpus - lowest_id + 1, newest)
    return min(corpus, max(newest, round(newest * corpus / span)))


def _ids(conn: sqlite3.Connection, match: str, limit: int | None) -> frozenset[int]:
    """The articles the MATCH finds, the newest `limit` of them (one JSON array: a row per
    id costs three times as much)."""
    newest = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC"
    newest += f" LIMIT {int(limit)}" if limit else ""
    array = conn.execute(f"SELECT json_group_array(rowid) FROM ({newest})", [match]).fetchone()
    return frozenset(json.loads(array[0]))


def idf(found_in: int, corpus: int) -> float:
    """bm25's inverse document frequency of a term found in `found_in` of `corpus` articles."""
    return math.log(1 + (corpus - found_in + 0.5) / (found_in + 0.5))


def by_coverage(hits: Sequence[TermHits], depth: int | None = None) -> list[tuple[int, float]]:
    """The articles found by a term, with the summed weight of the terms each has, best first
    (ties: newest id first): all, or as many as `best_covered` reads for `depth` (a partial
    sort: a common term's window puts thousands in the list)."""
    weights: dict[int, float] = {}
    for term in hits:
        for article_id in term.ids:
            weights[article_id] = weights.get(article_id, 0.0) + term.weight
    keys = [(-round(weight, 9), -article_id) for article_id, weight in weights.items()]
    best = heapq.nsmallest(most_read(depth), keys) if depth else sorted(keys)
    return [(-negative_id, weights[-negative_id]) for _, negative_id in best]


def most_read(depth: int) -> int:
    """How many ranked articles `best_covered` reads at most for `depth`."""
    return FILTER_CHUNK * depth * FILTER_ROUNDS


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
    for start in range(0, min(len(ranked), most_read(depth)), chunk):
        chosen += keep([article_id for article_id, _ in ranked[start : start + chunk]])
        if len(chosen) >= depth:
            break
    if not chosen:
        return []
    floor = MIN_SHARE * weight[chosen[0]]
    return [article_id for article_id in chosen[:depth] if weight[article_id] >= floor - 1e-9]
