"""What the readers' search reads: the ranked hits, the facets and, on request, citation-only
articles (stubs), for one `SearchRequest`. Pure reads over an SQLite connection; search.py runs
them in one read transaction and draws the page.

With a query, corpus articles are ranked by the fusion of the query's words, its translation
into the other language and its embedding (search_ranked.py); without one (a topic or a year
chosen from the landing page), the filtered articles are listed newest first. Facets count
every article found. Stubs (articles known only from a citation) are not in the index: with
`stubs=1` their titles and citation lines are searched for every word of the query, shown apart.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from litbalint.publish.article_model import json_list
from litbalint.publish.fts_query import escape_fts
from litbalint.publish.match_window import LIVE
from litbalint.publish.search_ranked import (
    CrossLingual,
    Translation,
    rank,
    snippets,
)
from litbalint.publish.snippets import snippet_runs
from litbalint.zh import query_cut, query_text, segment_query

PAGE_SIZE = 20
MAX_PAGE = 500
FACET_SIZE = {"topic": 20, "year": 12, "type": 8}
STUBS_SHOWN = 20


@dataclass(frozen=True)
class SearchRequest:
    """What a reader asked: the query and the filters (from `?q=&topic=&year=&type=&has_zh=1&
    stubs=1&page=`)."""

    query: str = ""
    topic: str | None = None
    year: int | None = None
    publication_type: str | None = None
    has_zh: bool = False
    stubs: bool = False
    page: int = 1
    cut: bool = False  # the query was longer than zh.MAX_QUERY_CHARS: only its start is read

    @classmethod
    def from_args(cls, args) -> SearchRequest:
        """From a request's arguments (a MultiParams or a dict); bad values are ignored."""
        return cls(
            query=query_text(args.get("q")),
            topic=args.get("topic") or None,
            year=_int(args.get("year"), 1, 9999),
            publication_type=args.get("type") or None,
            has_zh=args.get("has_zh") in ("1", "on", "true"),
            stubs=args.get("stubs") in ("1", "on", "true"),
            page=_int(args.get("page"), 1, MAX_PAGE) or 1,
            cut=query_cut(args.get("q")),
        )

    @property
    def filtered(self) -> bool:
        return bool(self.topic or self.year or self.publication_type or self.has_zh)

    @property
    def asks(self) -> bool:
        """True when there is something to list (a query or a filter)."""
        return bool(self.query or self.filtered)

    def args(self, **changes: object) -> dict[str, str]:
        """The URL arguments of this search with some changed (None or False removes one)."""
        values: dict[str, object] = {
            "q": self.query,
            "topic": self.topic,
            "year": self.year,
            "type": self.publication_type,
            "has_zh": self.has_zh,
            "stubs": self.stubs,
            "page": self.page if self.page > 1 else None,
            **changes,
        }
        return {
            name: "1" if value is True else str(value)
            for name, value in values.items()
            if value not in (None, False, "")
        }


def _int(value: str | None, low: int, high: int) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return min(max(number, low), high)


@dataclass
class Hit:
    id: int
    pmid: int | None
    doi: str | None
    title_en: str | None
    title_zh: str | None
    journal: str | None
    year: int | None
    topics: list[str]
    publication_types: list[str]
    has_zh: bool
    score: float | None  # fused relevance (higher is better); None when listed without a query
    snippet_en: list[tuple[str, bool]] = field(default_factory=list)  # (text, highlighted)
    snippet_zh: list[tuple[str, bool]] = field(default_factory=list)
    opening: Opening | None = None  # when the article has no title
    signals: list[str] = field(default_factory=list)  # what found it: text, translation, embedding


@dataclass(frozen=True)
class Opening:
    """The first words of an untitled article's abstracts, shown in place of its title."""

    en: str | None
    zh: str | None

    @classmethod
    def of(cls, en: str | None, zh: str | None) -> Opening | None:
        if not (en or zh):
            return None
        return cls(_cut(en, OPENING_CHARS["en"]), _cut(zh, OPENING_CHARS["zh"]))


def _cut(text: str | None, size: int) -> str | None:
    if not text:
        return None
    return text if len(text) < size else text[: size - 1].rstrip() + "…"


@dataclass
class Stub:
    """An article known only from a citation whose title or citation line has every word."""

    id: int
    pmid: int | None
    title_en: str | None
    title_zh: str | None
    citation: str | None
    journal: str | None
    year: int | None


@dataclass
class Facets:
    """Counts over every matching article (not just the page): value -> number."""

    topic: dict[str, int] = field(default_factory=dict)
    year: dict[int, int] = field(default_factory=dict)
    publication_type: dict[str, int] = field(default_factory=dict)
    has_zh: int = 0


@dataclass
class Results:
    request: SearchRequest
    match: str | None  # the FTS5 query the index was asked
    total: int
    hits: list[Hit]
    facets: Facets
    stubs: list[Stub] = field(default_factory=list)
    translation: Translation | None = None  # the query in the other language, when it has one
    windowed: bool = False  # more matched than are ranked and counted (match_window.py)


OPENING_CHARS = {"en": 110, "zh": 50}  # of the abstract, shown for an article without a title
OPENING_SQL = (  # the opening words of the abstracts, for an article without a title
    "CASE WHEN coalesce(a.title_en, a.title_zh) IS NULL THEN "
    f"substr(a.abstract_en, 1, {OPENING_CHARS['en']}) END, "
    "CASE WHEN coalesce(a.title_en, a.title_zh) IS NULL THEN "
    f"substr(a.abstract_zh, 1, {OPENING_CHARS['zh']}) END"
)
_HIT_COLUMNS = (
    "a.id, a.pmid, a.doi, a.title_en, a.title_zh, a.journal, a.year, a.topics, "
    f"a.publication_types, a.has_zh, {OPENING_SQL}"
)


def _filters(request: SearchRequest) -> tuple[list[str], dict[str, object]]:
    """The conditions on `articles a` of a live corpus article that passes the filters."""
    where = list(LIVE)
    params: dict[str, object] = {}
    if request.topic:
        where.append("EXISTS (SELECT 1 FROM json_each(a.topics) WHERE value = :topic)")
        params["topic"] = request.topic
    if request.year:
        where.append("a.year = :year")
        params["year"] = request.year
    if request.publication_type:
        where.append("EXISTS (SELECT 1 FROM json_each(a.publication_types) WHERE value = :type)")
        params["type"] = request.publication_type
    if request.has_zh:
        where.append("a.has_zh = 1")
    return where, params


def read_results(
    conn: sqlite3.Connection, request: SearchRequest, crosslingual: CrossLingual | None = None
) -> Results:
    """The page of hits, the facets and the stubs for a request (nothing when it asks nothing)."""
    if not request.asks:
        return Results(request, None, 0, [], Facets())
    where, params = _filters(request)
    offset = (request.page - 1) * PAGE_SIZE
    stubs = _stubs(conn, request.query) if request.stubs and request.query else []
    if not request.query:  # a topic, year or type chosen: newest first
        joined = "FROM articles a WHERE " + " AND ".join(where)
        facets, total = _facets(conn, joined, params)
        rows = conn.execute(
            f"SELECT {_HIT_COLUMNS} {joined} ORDER BY coalesce(a.pub_date, a.year) DESC, "
            f"a.id DESC LIMIT {PAGE_SIZE} OFFSET {offset}",
            params,
        ).fetchall()
        return Results(request, None, total, [_hit(row) for row in rows], facets, stubs)
    text_match = escape_fts(request.query)
    ranked = rank(conn, text_match, (where, params), offset, PAGE_SIZE, crosslingual, request.query)
    joined = "FROM articles a WHERE a.id IN (SELECT value FROM json_each(:found)) AND "
    facets, total = _facets(
        conn, joined + " AND ".join(where), {**params, "found": json.dumps(ranked.found)}
    )
    ids = [article_id for article_id, _, _ in ranked.page]
    by_id = {
        row[0]: row
        for row in conn.execute(
            f"SELECT {_HIT_COLUMNS} FROM articles a "
            "WHERE a.id IN (SELECT value FROM json_each(:ids))",
            {"ids": json.dumps(ids)},
        )
    }
    texts = snippets(conn, ranked.match, ids)
    hits = []
    for article_id, score, signals in ranked.page:
        if article_id in by_id:
            hit = _hit(by_id[article_id])
            hit.score = float(f"{score:.6g}")
            hit.signals = signals
            english, chinese = texts.get(article_id, (None, None))
            hit.snippet_en, hit.snippet_zh = snippet_runs(english), snippet_runs(chinese, True)
            hits.append(hit)
    return Results(
        request, ranked.match, total, hits, facets, stubs, ranked.translation, ranked.windowed
    )


def _facets(conn: sqlite3.Connection, joined: str, params: dict[str, object]) -> tuple[Facets, int]:
    """The facet counts and the number of matching articles (the has_zh groups add up to it)."""
    sql = f"""
    WITH m AS MATERIALIZED (SELECT a.year, a.topics, a.publication_types, a.has_zh {joined})
    SELECT 'topic', j.value, count(*) FROM m, json_each(m.topics) j GROUP BY j.value
    UNION ALL SELECT 'year', m.year, count(*) FROM m WHERE m.year IS NOT NULL GROUP BY m.year
    UNION ALL SELECT 'type', j.value, count(*) FROM m, json_each(m.publication_types) j
      GROUP BY j.value
    UNION ALL SELECT 'has_zh', m.has_zh, count(*) FROM m GROUP BY m.has_zh
    """
    counts = Facets()
    total = 0
    for kind, value, n in conn.execute(sql, params):
        if kind == "topic":
            counts.topic[str(value)] = n
        elif kind == "year" and isinstance(value, int):
            counts.year[value] = n
        elif kind == "type":
            counts.publication_type[str(value)] = n
        elif kind == "has_zh":
            total += n
            counts.has_zh += n if value else 0
    counts.topic = _top(counts.topic, FACET_SIZE["topic"])
    counts.publication_type = _top(counts.publication_type, FACET_SIZE["type"])
    counts.year = dict(sorted(_top(counts.year, FACET_SIZE["year"]).items(), reverse=True))
    return counts, total


def _top(counts: dict, size: int) -> dict:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))[:size])


def _hit(row: tuple) -> Hit:
    return Hit(
        id=row[0],
        pmid=row[1],
        doi=row[2],
        title_en=row[3],
        title_zh=row[4],
        journal=row[5],
        year=row[6],
        topics=json_list(row[7]),
        publication_types=json_list(row[8]),
        has_zh=bool(row[9]),
        score=None,
        opening=Opening.of(row[10], row[11]),
    )


def _stubs(conn: sqlite3.Connection, query: str) -> list[Stub]:
    """Stubs whose title or citation line contains every word of the query (case-insensitive
    for Latin letters), newest first."""
    words = [word.lower() for word in segment_query(query.replace('"', " ")) if word.strip()]
    if not words:
        return []
    text = "lower(coalesce(title_en, '') || ' ' || coalesce(title_zh, '') || ' ' || "
    text += "coalesce(citation_text, ''))"
    where = " AND ".join(f"instr({text}, ?) > 0" for _ in words)
    rows = conn.execute(
        "SELECT id, pmid, title_en, title_zh, citation_text, journal, year FROM articles "
        f"WHERE is_stub = 1 AND deleted = 0 AND {where} "
        f"ORDER BY year DESC, id DESC LIMIT {STUBS_SHOWN}",
        words,
    )
    return [Stub(*row) for row in rows]
