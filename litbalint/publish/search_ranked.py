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

from litbalint.publish.fusion import fuse
from litbalint.publish.snippets import CLOSE, ELLIPSIS, OPEN
from litbalint.store.schema import FTS_WEIGHTS

DEPTH = 200  # candidates each signal gives the fusion (more when paging deeper)
# measured (scripts/bench_xlingual.py): on word-salad distractors the embedding ranks them above
# real articles; fused MRR 0.84 without it, 0.79 at 0.25, 0.74 at 0.5, 0.61 at 1. At 0.25 it
# rarely displaces a lexicon hit and still orders what nothing else finds. See README.
WEIGHTS = {"text": 1.0, "translation": 1.0, "embedding": 0.25}
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
    match_any: str | None = None  # any term enough: tried when `match` finds nothing

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
    rankings: dict[str, Sequence[int]] = {"text": by_bm25(conn, text_match, filters, depth)}
    match = text_match
    found_sql = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :found_text"
    found_params: dict[str, object] = {"found_text": text_match}
    if translation and translation.match:
        rankings["translation"], used = translated(conn, translation, filters, depth)
        translation = replace(translation, match=used)
        match = f"({text_match}) OR ({used})"
        found_sql += (
            " UNION SELECT a.id FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            f"WHERE articles_fts MATCH :found_translated AND {translation.lacking}"
        )
        found_params["found_translated"] = translation.match
    if crosslingual:
        nearest = [article_id for article_id, _ in crosslingual.nearest(conn, query, depth)]
        rankings["embedding"] = filtered(conn, nearest, filters)
        found_sql += " UNION SELECT value FROM json_each(:found_vectors)"
        found_params["found_vectors"] = json.dumps(list(rankings["embedding"]))
    fused = fuse(rankings, WEIGHTS)[offset : offset + size]
    page = [(f.id, f.score, f.signals) for f in fused]
    return Ranked(page, match, found_sql, found_params, translation)


def translated(
    conn: sqlite3.Connection,
    translation: Translation,
    filters: tuple[list[str], dict[str, object]],
    depth: int,
) -> tuple[list[int], str]:
    """The articles lacking the query's language that the translation finds, by bm25, and the
    FTS5 query that found them: every term required, or, when no article has them all, any."""
    where, params = filters
    lacking = (where + [translation.lacking], params)
    match = translation.match or ""
    found = by_bm25(conn, match, lacking, depth)
    if not found and translation.match_any:
        match = translation.match_any
        found = by_bm25(conn, match, lacking, depth)
    return found, match


def by_bm25(
    conn: sqlite3.Connection,
    match: str,
    filters: tuple[list[str], dict[str, object]],
    depth: int,
) -> list[int]:
    where, params = filters
    sql = (
        f"SELECT a.id, bm25(articles_fts, {FTS_WEIGHTS}) AS score FROM articles_fts "
        "JOIN articles a ON a.id = articles_fts.rowid "
        f"WHERE articles_fts MATCH :ranked_match AND {' AND '.join(where)} "
        f"ORDER BY score, a.id LIMIT {int(depth)}"
    )
    return [row[0] for row in conn.execute(sql, {**params, "ranked_match": match})]


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
