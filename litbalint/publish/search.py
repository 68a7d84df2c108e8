"""The ranked search page: `/<database>/-/search` (HTML) and `/<database>/-/search.json` for every
served database with litbalint's schema, and `/-/search`, `/-/search.json` for the first of them;
titles and abstracts in both languages, best match first.

Datasette's own search box (`?_search=` on the `articles` table) filters without ranking; this
page orders corpus articles by FTS5's bm25 with titles (10) and keywords and MeSH (3) weighing
more than abstracts (1). The query goes through `escape_fts` (the same jieba segmentation as the
index, every word quoted, all words required), so FTS syntax in it is plain text, and a
search's queries run in one read transaction (`corpus.read_snapshot`: the count and the page
agree while the file is being written), under the instance's SQL time limit. An SQL error or a
timeout shows "no results", never a 500.

Snippets: see snippets.py.
"""

from __future__ import annotations

import math
import sqlite3
import urllib.parse
from dataclasses import dataclass

from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from litbalint.publish.article_model import TOPIC_LABELS, json_list
from litbalint.publish.corpus import (
    SEARCH_PATH,
    corpus_names,
    is_corpus,
    read_snapshot,
    search_path,
)
from litbalint.publish.fts_query import escape_fts
from litbalint.publish.snippets import CLOSE, ELLIPSIS, OPEN, html_runs, plain, snippet_runs
from litbalint.store.schema import FTS_WEIGHTS

PAGE_SIZE = 20
MAX_PAGE = 500
SNIPPET_TOKENS = {"en": 24, "zh": 40}  # Chinese: sub-words take tokens and are dropped


def routes() -> list[tuple[str, object]]:
    return [
        (r"^/-/search$", search_view),
        (r"^/-/search\.json$", search_json),
        (r"^/(?P<database>[^/]+)/-/search$", search_view),
        (r"^/(?P<database>[^/]+)/-/search\.json$", search_json),
    ]


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
    score: float
    snippet_en: list[tuple[str, bool]]  # (text, highlighted) runs
    snippet_zh: list[tuple[str, bool]]
    url: str = ""

    @property
    def topic_labels(self) -> list[str]:
        return [TOPIC_LABELS.get(topic, topic) for topic in self.topics]

    @property
    def snippet_en_html(self) -> Markup:
        return html_runs(self.snippet_en)

    @property
    def snippet_zh_html(self) -> Markup:
        return html_runs(self.snippet_zh)


@dataclass
class Search:
    query: str
    match: str | None
    topic: str | None
    has_zh: bool
    page: int
    total: int
    hits: list[Hit]
    failed: bool = False  # the query raised (time limit, SQL error): shown as no results


async def _database(datasette, request):
    """The database named in the path (404 unless it is a corpus), else the first corpus (else
    the first database: its searches then fail softly, as "no results")."""
    route = request.url_vars.get("database")
    if route is not None:
        try:
            db = datasette.get_database(route=tilde_decode(route))
        except KeyError:
            raise NotFound("Database not found") from None
        if not await is_corpus(datasette, db.name):
            raise NotFound(f"{db.name} has no litbalint corpus to search")
        return db
    names = await corpus_names(datasette)
    return datasette.get_database(names[0] if names else None)


# the columns a search reads, for building its hits
COLUMNS = "id pmid doi title_en title_zh journal year topics rank s_en s_zh".split()


def _ranked_in_index(conn: sqlite3.Connection, params: dict) -> tuple[int, list[dict]]:
    """Without filters, rank inside the full-text index (it holds live corpus articles only):
    the weighted bm25 sorted with a LIMIT (called directly: FTS5's `rank` column, configured as
    the same function, takes 1.6x as long); snippets and article fields are then read for the
    page's rows alone."""
    total = conn.execute(
        "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH :match", params
    ).fetchone()[0]
    page = conn.execute(
        f"SELECT rowid, bm25(articles_fts, {FTS_WEIGHTS}) AS score FROM articles_fts "
        f"WHERE articles_fts MATCH :match ORDER BY score, rowid LIMIT {PAGE_SIZE} "
        "OFFSET :offset",
        params,
    ).fetchall()
    if not page:
        return total, []
    marks = ", ".join(str(int(row[0])) for row in page)
    details = {
        row[0]: row
        for row in conn.execute(
            "SELECT a.id, a.pmid, a.doi, a.title_en, a.title_zh, a.journal, a.year, a.topics, "
            f"0, snippet(articles_fts, 1, :open, :close, :ellipsis, {SNIPPET_TOKENS['en']}), "
            f"snippet(articles_fts, 3, :open, :close, :ellipsis, {SNIPPET_TOKENS['zh']}) "
            "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            f"WHERE articles_fts MATCH :match AND articles_fts.rowid IN ({marks})",
            params,
        )
    }
    rows = []
    for rowid, rank in page:
        if rowid in details:
            row = dict(zip(COLUMNS, details[rowid], strict=True))
            row["rank"] = rank
            rows.append(row)
    return total, rows


def _params(request) -> tuple[str, str | None, bool, int]:
    args = request.args
    query = " ".join((args.get("q") or "").split())
    topic = args.get("topic") or None
    has_zh = args.get("has_zh") in ("1", "on", "true")
    try:
        page = min(max(int(args.get("page") or 1), 1), MAX_PAGE)
    except ValueError:
        page = 1
    return query, topic, has_zh, page


async def run_search(datasette, request) -> tuple[Search, str]:
    """The search the request asks for, and the name of the database it ran on."""
    query, topic, has_zh, page = _params(request)
    db = await _database(datasette, request)
    search = Search(query, None, topic, has_zh, page, 0, [])
    if not query:
        return search, db.name
    search.match = escape_fts(query)
    where = ["articles_fts MATCH :match", "a.is_stub = 0", "a.deleted = 0"]
    params: dict[str, object] = {"match": search.match}
    if topic:
        where.append("EXISTS (SELECT 1 FROM json_each(a.topics) WHERE json_each.value = :topic)")
        params["topic"] = topic
    if has_zh:
        where.append("a.has_zh = 1")
    joined = "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid WHERE " + " AND ".join(
        where
    )
    sql = (
        "SELECT a.id, a.pmid, a.doi, a.title_en, a.title_zh, a.journal, a.year, a.topics, "
        f"bm25(articles_fts, {FTS_WEIGHTS}) AS rank, "
        f"snippet(articles_fts, 1, :open, :close, :ellipsis, {SNIPPET_TOKENS['en']}) AS s_en, "
        f"snippet(articles_fts, 3, :open, :close, :ellipsis, {SNIPPET_TOKENS['zh']}) AS s_zh "
        f"{joined} ORDER BY rank, a.id LIMIT {PAGE_SIZE} OFFSET :offset"
    )
    params_rows = {
        **params,
        "open": OPEN,
        "close": CLOSE,
        "ellipsis": ELLIPSIS,
        "offset": (page - 1) * PAGE_SIZE,
    }

    def read(conn: sqlite3.Connection) -> tuple[int, list[dict]]:
        if not (topic or has_zh):
            return _ranked_in_index(conn, params_rows)
        total = conn.execute(f"SELECT count(*) {joined}", params).fetchone()[0]
        rows = conn.execute(sql, params_rows)
        return total, [dict(zip(COLUMNS, row, strict=True)) for row in rows]

    try:  # the count and the page from one snapshot of a database that may be being written
        total, rows = await read_snapshot(datasette, db.name, read)
    except Exception:  # sqlite3 errors, the time limit: no results, never a 500
        search.failed = True
        return search, db.name
    search.total = total
    for row in rows:
        search.hits.append(
            Hit(
                id=row["id"],
                pmid=row["pmid"],
                doi=row["doi"],
                title_en=row["title_en"],
                title_zh=row["title_zh"],
                journal=row["journal"],
                year=row["year"],
                topics=json_list(row["topics"]),
                score=float(f"{-row['rank']:.6g}"),
                snippet_en=snippet_runs(row["s_en"]),
                snippet_zh=snippet_runs(row["s_zh"], chinese=True),
                url=str(datasette.urls.row(db.name, "articles", str(row["id"]))),
            )
        )
    return search, db.name


# --- views ------------------------------------------------------------------------------------


async def search_json(datasette, request) -> Response:
    """`{"query", "match", "total", "page", "page_size", "results": [...]}`; snippets are plain
    text with the highlighted parts in « » (`snippet_*_html`: the same as escaped HTML)."""
    search, _ = await run_search(datasette, request)
    results = [
        {
            "id": hit.id,
            "pmid": hit.pmid,
            "doi": hit.doi,
            "title_en": hit.title_en,
            "title_zh": hit.title_zh,
            "journal": hit.journal,
            "year": hit.year,
            "topics": hit.topics,
            "score": hit.score,
            "url": hit.url,
            "snippet_en": plain(hit.snippet_en),
            "snippet_zh": plain(hit.snippet_zh),
            "snippet_en_html": str(hit.snippet_en_html),
            "snippet_zh_html": str(hit.snippet_zh_html),
        }
        for hit in search.hits
    ]
    body = {
        "query": search.query,
        "match": search.match,
        "total": search.total,
        "page": search.page,
        "page_size": PAGE_SIZE,
        "error": search.failed,
        "results": results,
    }
    return Response.json(body, headers={"Access-Control-Allow-Origin": "*"})


async def search_view(datasette, request) -> Response:
    search, database = await run_search(datasette, request)
    pages = max(math.ceil(search.total / PAGE_SIZE), 1)
    if request.url_vars.get("database") is None:
        base = str(datasette.urls.path(SEARCH_PATH))
    else:
        base = await search_path(datasette, database)

    def page_url(page: int) -> str:
        args = {"q": search.query}
        if search.topic:
            args["topic"] = search.topic
        if search.has_zh:
            args["has_zh"] = "1"
        if page > 1:
            args["page"] = str(page)
        return f"{base}?{urllib.parse.urlencode(args)}"

    json_url = base + ".json"
    if request.query_string:
        json_url += "?" + request.query_string
    context = {
        "search": search,
        "database": database,
        "topic_labels": TOPIC_LABELS,
        "search_url": base,
        "json_url": json_url,
        "table_url": str(datasette.urls.table(database, "articles")),
        "prev_url": page_url(search.page - 1) if search.page > 1 else None,
        "next_url": page_url(search.page + 1) if search.page < pages else None,
        "pages": pages,
        "first": (search.page - 1) * PAGE_SIZE + 1,
        "css_url": _css_url(datasette),
    }
    return Response.html(
        await datasette.render_template("litbalint_search.html", context, request=request)
    )


def _css_url(datasette) -> str:
    from litbalint.publish.article import _plugin_name

    return str(datasette.urls.static_plugins(_plugin_name(), "litbalint.css"))
