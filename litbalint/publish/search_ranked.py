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

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from litbalint.publish.corpus import unchanged_since
from litbalint.publish.coverage import best_covered, by_coverage, term_hits
from litbalint.publish.fusion import fuse
from litbalint.publish.match_window import window_floor
from litbalint.publish.snippets import CLOSE, ELLIPSIS, OPEN
from litbalint.store.schema import FTS_WEIGHTS

DEPTH = 200  # candidates each signal gives the fusion (more when paging deeper)
# measured (scripts/bench_xlingual.py): on word-salad distractors the embedding ranks them above
# real articles; fused MRR 0.84 without it, 0.79 at 0.25, 0.74 at 0.5, 0.61 at 1. At 0.25 it
# rarely displaces a lexicon hit and still orders what nothing else finds. See README.
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


@dataclass
class Ranked:
    """What the signals found: the fused page, the MATCH for snippets, and every article found
    (SQL for their ids, with its parameters: for the count and the facets)."""

    page: list[tuple[int, float, list[str]]]  # (id, fused score, signals), this page's
    match: str  # the text and translation queries as one FTS5 query
    found_sql: str
    found_params: dict[str, object]
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
    translation = crosslingual.translate(conn, query) if crosslingual else None
    floor = window_floor(conn, text_match, filters)
    rankings: dict[str, Sequence[int]] = {"text": by_bm25(conn, text_match, filters, depth, floor)}
    match = text_match
    found_sql = (
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :found_text "
        "AND rowid >= :found_text_floor"
    )
    found_params: dict[str, object] = {"found_text": text_match, "found_text_floor": floor or 0}
    windowed = floor is not None
    if translation and translation.match and _some_lack(conn, translation.source_lang):
        rankings["translation"], used, translated_floor = translated(
            conn, translation, filters, depth
        )
        match = f"({text_match}) OR ({used})"
        if used == translation.match:  # every term: all it finds (the count may pass depth)
            found_sql += (
                " UNION SELECT a.id FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
                f"WHERE articles_fts MATCH :found_translated AND {translation.lacking} "
                "AND articles_fts.rowid >= :found_translated_floor"
            )
            found_params["found_translated"] = translation.match
            found_params["found_translated_floor"] = translated_floor or 0
            windowed = windowed or translated_floor is not None
        else:
            found_sql += " UNION SELECT value FROM json_each(:found_translated)"
            found_params["found_translated"] = json.dumps(list(rankings["translation"]))
        translation = replace(translation, match=used)
    else:
        translation = None  # no article lacks the query's language: nothing was translated
    if crosslingual:
        nearest = [article_id for article_id, _ in crosslingual.nearest(conn, query, depth)]
        rankings["embedding"] = filtered(conn, nearest, filters)
        found_sql += " UNION SELECT value FROM json_each(:found_vectors)"
        found_params["found_vectors"] = json.dumps(list(rankings["embedding"]))
    fused = fuse(rankings, WEIGHTS)[offset : offset + size]
    page = [(f.id, f.score, f.signals) for f in fused]
    return Ranked(page, match, found_sql, found_params, translation, windowed)


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
) -> tuple[list[int], str, int | None]:
    """The articles lacking the query's language that the translation finds, best first, the
    FTS5 query for their snippets, and the window's floor (match_window): those with every term
    by bm25 when there are `depth` of them, else all by how much of the query they have
    (coverage.py)."""
    where, params = filters
    lacking = (where + [translation.lacking], params)
    match = translation.match or ""
    floor = window_floor(conn, match, lacking)
    found = by_bm25(conn, match, lacking, depth, floor)
    if len(found) >= depth or len(translation.term_matches) < 2:
        return found, match, floor
    ranked = by_coverage(term_hits(conn, translation.term_matches))
    found = best_covered(ranked, lambda ids: filtered(conn, ids, lacking), depth)
    return found, translation.match_any or match, None


def by_bm25(
    conn: sqlite3.Connection,
    match: str,
    filters: tuple[list[str], dict[str, object]],
    depth: int,
    floor: int | None = None,
) -> list[int]:
    """The best `depth` articles for the MATCH by bm25, among those from `floor` on (the
    window: match_window.window_floor). The index ranks alone first (its `rank` is the same
    weighted bm25: no article is read per match), the filters then keep what passes among its
    best `OVERFETCH * depth`; only when they keep too few is every match ranked with its
    article read (a narrowing filter: a year, the articles lacking a language)."""
    where, params = filters
    window = {"ranked_match": match, "ranked_floor": floor or 0}
    fetched = OVERFETCH * depth
    index_only = (
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :ranked_match "
        f"AND rowid >= :ranked_floor ORDER BY rank, rowid LIMIT {int(fetched)}"
    )
    best = [row[0] for row in conn.execute(index_only, window)]
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
    return [row[0] for row in conn.execute(sql, {**params, **window})]


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
