"""The ranked half of the readers' search: a query's hits from up to three signals, fused.

- `text`: the query's own words in the full-text index (Chinese segmented, synonyms expanded:
  fts_query.escape_fts), ranked by bm25 (titles 10, keywords and MeSH 3, abstracts 1);
- `translation`: the query translated into the other language through the bilingual lexicon
  and matched against that language's columns of the articles that lack the query's language,
  ranked by bm25: how a Chinese query finds English-only articles and the other way round (an
  article in both languages is found, or not, by the query's own words: a translation is
  looser than what the reader typed);
- `embedding`: the corpus articles nearest to the query's multilingual embedding.

The three rankings (each at most `depth` long, the search's filters applied) are fused by
reciprocal rank fusion (fusion.py). What finds an article is kept with it (`Hit.signals`), so
the page can say why an English-only article matched a Chinese query. The cross-lingual signals
come from a `CrossLingual` (crosslingual_search.py); without one the search is the text signal.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from litbalint.publish.corpus import unchanged_since
from litbalint.publish.coverage import best_covered, by_coverage, term_hits
from litbalint.publish.fusion import fuse
from litbalint.publish.match_window import LIVE, floor_of, window_ids
from litbalint.publish.snippets import CLOSE, ELLIPSIS, OPEN
from litbalint.store.schema import FTS_WEIGHTS

DEPTH = 200  # candidates each signal gives the fusion (more when paging deeper)
# measured (scripts/bench_xlingual.py): on word-salad distractors the embedding ranks them above
# real articles; fused MRR 0.84 without it, 0.79 at 0.25, 0.74 at 0.5, 0.61 at 1. At 0.25 it
# rarely displaces a lexicon hit and still orders what nothing else finds. See docs/search.md.
WEIGHTS = {"text": 1.0, "translation": 1.0, "embedding": 0.25}
OVERFETCH = 2  # the index's best `OVERFETCH * depth` are read before the filters (by_bm25)
SNIPPET_TOKENS = {"en": 24, "zh": 40}  # Chinese: sub-words take tokens and are dropped


LACKS = {  # articles without the query's language, on `articles a`
    "zh": "a.has_zh = 0",
    "en": "coalesce(a.title_en, '') = '' AND coalesce(a.abstract_en, '') = ''",
}


@dataclass
class Translation:
    """The query in the other language: an FTS5 query over that language's columns, the
    query's language, and the terms as readers see them (source term -> target terms)."""

    match: str | None
    source_lang: str = "zh"
    terms: list[tuple[str, list[str]]] = field(default_factory=list)
    match_any: str | None = None  # any term: the MATCH for snippets when not all are found
    term_matches: tuple[str, ...] = ()  # one FTS5 query per term (coverage.py)

    @property
    def lacking(self) -> str:
        """The articles it is for: those without the query's language."""
        return LACKS[self.source_lang]


class CrossLingual(Protocol):
    def translate(self, conn: sqlite3.Connection, query: str) -> Translation | None: ...

    def nearest(self, conn: sqlite3.Connection, query: str, k: int) -> list[tuple[int, float]]:
        """Corpus article ids nearest to the query's embedding, best first (only those close
        enough to count as found)."""
        ...

    def nearest_later(
        self, conn: sqlite3.Connection, query: str
    ) -> Callable[[int], list[tuple[int, float]]]:
        """`nearest` begun now (in another thread, while the caller reads the database): the
        function returned gives its k best when asked."""
        ...


@dataclass
class Ranked:
    """What the signals found: the fused page, the MATCH for snippets, and the ids of every
    article found (for the count and the facets, which apply the filters: some may not pass)."""

    page: list[tuple[int, float, list[str]]]  # (id, fused score, signals), this page's
    match: str  # the text and translation queries as one FTS5 query
    found: list[int]
    translation: Translation | None
    windowed: bool = False  # more matched than match_window.WINDOW: ranked among the newest


def rank(
    conn: sqlite3.Connection,
    text_match: str,
    filters: tuple[list[str], dict[str, object]],
    offset: int,
    size: int,
    crosslingual: CrossLingual | None,
    query: str,
) -> Ranked:
    """The fused ranking's page `offset:offset+size` for a query."""
    depth = max(DEPTH, offset + size)
    nearest_later = crosslingual.nearest_later(conn, query) if crosslingual else None
    translation = crosslingual.translate(conn, query) if crosslingual else None
    window = window_ids(conn, text_match, filters)  # read once: ranking, count and facets
    floor = floor_of(window)
    rankings: dict[str, Sequence[int]] = {
        "text": by_bm25(conn, text_match, filters, depth, floor, window)
    }
    match = text_match
    found = list(window)
    windowed = floor is not None
    if translation and translation.match and _some_lack(conn, translation.source_lang):
        rankings["translation"], used, translated_window = translated(
            conn, translation, filters, depth
        )
        match = f"({text_match}) OR ({used})"
        if used == translation.match:  # every term: all it finds (the count may pass depth)
            found += translated_window
            windowed = windowed or floor_of(translated_window) is not None
        else:
            found += rankings["translation"]
        translation = replace(translation, match=used)
    else:
        translation = None  # no article lacks the query's language: nothing was translated
    if nearest_later:
        nearest = [article_id for article_id, _ in nearest_later(depth)]
        rankings["embedding"] = filtered(conn, nearest, filters)
        found += rankings["embedding"]
    fused = fuse(rankings, WEIGHTS)[offset : offset + size]
    page = [(f.id, f.score, f.signals) for f in fused]
    return Ranked(page, match, found, translation, windowed)


def _some_lack(conn: sqlite3.Connection, lang: str) -> bool:
    """Whether some corpus article lacks this language (checked once per database change;
    English through the index articles_without_english, when the database has it)."""
    sql = f"SELECT EXISTS (SELECT 1 FROM articles a WHERE a.is_stub = 0 AND {LACKS[lang]})"
    return bool(unchanged_since(conn, f"lacks-{lang}", lambda: conn.execute(sql).fetchone()[0]))


def translated(
    conn: sqlite3.Connection,
    translation: Translation,
    filters: tuple[list[str], dict[str, object]],
    depth: int,
) -> tuple[list[int], str, dict[int, float]]:
    """The articles lacking the query's language that the translation finds, best first, the
    FTS5 query for their snippets, and the window of the query with every term (match_window:
    the articles lacking the language it finds, newest first): those with every term by bm25
    when there are `depth` of them, else all by how much of the query they have
    (coverage.py)."""
    where, params = filters
    lacking = (where + [translation.lacking], params)
    match = translation.match or ""
    window = window_ids(conn, match, lacking)
    found = by_bm25(conn, match, lacking, depth, floor_of(window), window)
    if len(found) >= depth or len(translation.term_matches) < 2:
        return found, match, window
    ranked = by_coverage(term_hits(conn, translation.term_matches), depth)
    found = best_covered(ranked, lambda ids: filtered(conn, ids, lacking), depth)
    return found, translation.match_any or match, window


def by_bm25(
    conn: sqlite3.Connection,
    match: str,
    filters: tuple[list[str], dict[str, object]],
    depth: int,
    floor: int | None = None,
    window: dict[int, float] | None = None,
) -> list[int]:
    """The best `depth` articles for the MATCH by bm25, among those from `floor` on (the
    window: match_window.window_floor). Given the window (match_window.window_ids: its
    articles with their rank, those passing a narrowing filter when there is one), it is
    sorted with no MATCH evaluated again. Else the index ranks alone first (its `rank` is the
    same weighted bm25: no article is read per match), the filters then keep what passes among
    its best `OVERFETCH * depth`; only when they keep too few is every match ranked with its
    article read (a narrowing filter: a year, the articles lacking a language)."""
    where, params = filters
    fetched = OVERFETCH * depth
    if window is not None:

        def best_of(n: int) -> list[int]:
            return heapq.nsmallest(
                n, window, key=lambda article_id: (window[article_id], article_id)
            )

        if [condition for condition in where if condition not in LIVE]:
            return best_of(depth)  # the window holds only the articles passing the filters
        kept = filtered(conn, best_of(fetched), filters)  # LIVE: a few deleted at most
        if len(kept) < depth and len(window) > fetched:
            kept = filtered(conn, best_of(len(window)), filters)
        return kept[:depth]
    window_args = {"ranked_match": match, "ranked_floor": floor or 0}
    index_only = (
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :ranked_match "
        f"AND rowid >= :ranked_floor ORDER BY rank, rowid LIMIT {int(fetched)}"
    )
    best = [row[0] for row in conn.execute(index_only, window_args)]
    kept = filtered(conn, best, filters)
    if len(kept) >= depth or len(best) < fetched:  # enough, or every match was read
        return kept[:depth]
    sql = (
        f"SELECT a.id, bm25(articles_fts, {FTS_WEIGHTS}) AS score FROM articles_fts "
        "JOIN articles a ON a.id = articles_fts.rowid "
        f"WHERE articles_fts MATCH :ranked_match AND {' AND '.join(where)} "
        "AND articles_fts.rowid >= :ranked_floor "
        f"ORDER BY score, a.id LIMIT {int(depth)}"
    )
    return [row[0] for row in conn.execute(sql, {**params, **window_args})]


def filtered(
    conn: sqlite3.Connection, ids: list[int], filters: tuple[list[str], dict[str, object]]
) -> list[int]:
    """The ids that pass the filters, in their order."""
    if not ids:
        return []
    where, params = filters
    sql = (
        "SELECT a.id FROM articles a WHERE a.id IN (SELECT value FROM json_each(:ids)) "
        f"AND {' AND '.join(where)}"
    )
    kept = {row[0] for row in conn.execute(sql, {**params, "ids": json.dumps(ids)})}
    return [article_id for article_id in ids if article_id in kept]


def snippets(
    conn: sqlite3.Connection, match: str, ids: list[int]
) -> dict[int, tuple[str | None, str | None]]:
    """English and Chinese snippets of these articles for the MATCH (translated terms
    highlighted too); an article only the embedding found has none."""
    if not ids:
        return {}
    sql = (
        "SELECT rowid, "
        f"snippet(articles_fts, 1, :open, :close, :ellipsis, {SNIPPET_TOKENS['en']}), "
        f"snippet(articles_fts, 3, :open, :close, :ellipsis, {SNIPPET_TOKENS['zh']}) "
        "FROM articles_fts WHERE articles_fts MATCH :match "
        "AND rowid IN (SELECT value FROM json_each(:ids))"
    )
    params = {"match": match, "ids": json.dumps(ids), "open": OPEN, "close": CLOSE}
    rows = conn.execute(sql, {**params, "ellipsis": ELLIPSIS})
    return {row[0]: (row[1], row[2]) for row in rows}
