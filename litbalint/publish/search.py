"""The readers' search page: `/-/search` (HTML) and `/-/search.json` for the first corpus served,
`/<database>/-/search(.json)` for every served database with litbalint's schema.

This is where readers search: the landing page's box and the articles table's search box lead
here (ranked_table.py redirects a table search). It was chosen over restyling Datasette's table
page because a reader's list needs what a table cannot give: both titles over each other
linking to the article page, highlighted passages, labelled facets with counts, stubs apart,
suggestions when nothing is found, and the interface in the reader's language; the table stays
a table for researchers. Arguments: `q`, `topic`, `year`, `type`, `has_zh=1`, `stubs=1`, `page`,
`lang` (see search_query.SearchRequest).

Everything a search reads runs in one read transaction (`corpus.read_snapshot`: the count, the
facets and the page agree while the file is being written), under the instance's SQL time
limit; an SQL error or a timeout shows "the search could not be run", never a 500.
"""

from __future__ import annotations

import math
import urllib.parse
from dataclasses import asdict, dataclass

from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from litbalint.publish import i18n
from litbalint.publish.corpus import SEARCH_PATH, corpus_names, is_corpus, read_snapshot
from litbalint.publish.crosslingual_search import SIGNALS
from litbalint.publish.examples import FEATURED
from litbalint.publish.match_window import WINDOW
from litbalint.publish.response_cache import NOT_KEPT
from litbalint.publish.search_query import (
    PAGE_SIZE,
    Facets,
    Hit,
    Results,
    SearchRequest,
    read_results,
)
from litbalint.publish.snippets import html_runs, plain
from litbalint.publish.stylesheet import css_url
from litbalint.publish.suggest import suggestions
from litbalint.zh import MAX_QUERY_CHARS, has_cjk

QUERY_SHOWN_CHARS = 80  # of a query repeated in a sentence ("No results for …")

TEXT = i18n.Messages(
    {
        "title": ("Search", "检索"),
        "intro": (
            "Titles, abstracts, keywords and MeSH terms in English and Chinese, best match "
            "first. Variants are found too (职业倦怠 also finds 职业枯竭; burnout, burn-out).",
            "在中英文标题、摘要、关键词和 MeSH 主题词中检索，按相关度排序；同义写法一并检索"
            "（职业倦怠 也找 职业枯竭；burnout、burn-out）。",
        ),
        "query": ("Search titles and abstracts", "检索标题与摘要"),
        "placeholder": (
            "Balint group, 巴林特小组, peer support…",
            "巴林特小组、同伴支持、burnout…",
        ),
        "submit": ("Search", "检索"),
        "all_topics": ("All topics", "全部主题"),
        "with_zh": ("With Chinese abstract", "有中文摘要"),
        "stubs": ("Include articles known only from citations", "包括仅见于引用的文献"),
        "results": ("{n} results", "共 {n} 条结果"),
        "result": ("1 result", "共 1 条结果"),
        "listed": ("{n} articles, newest first", "共 {n} 篇，按出版时间由新到旧"),
        "shown": ("{first}–{last} shown", "显示第 {first}–{last} 条"),
        "windowed": (
            "More articles match: the {n} most recently added are ranked and counted. "
            "Add a word to narrow the search.",
            "匹配的文献更多：仅对最近收录的 {n} 篇排序和计数。加一个词可缩小范围。",
        ),
        "none": ("No results for {query}.", "没有找到“{query}”的结果。"),
        "none_filtered": ("No articles match these filters.", "没有符合这些筛选条件的文献。"),
        "cut": (
            "Only the first {chars} characters of the query were searched.",
            "只检索了检索词的前 {chars} 个字符。",
        ),
        "failed": (
            "The search could not be run (it took too long or the query is not valid). Try "
            "fewer or other words.",
            "检索未能完成（耗时过长或检索式无效）。请减少或更换检索词。",
        ),
        "try": ("Try:", "可以试试："),
        "unfiltered": ("the same search without filters", "去掉筛选条件"),
        "translated": ("in the other language: {text}", "换一种语言：{text}"),
        "word": ("one word: {text}", "只用一个词：{text}"),
        "examples": ("or an example:", "或示例检索："),
        "facets": ("Refine", "筛选"),
        "topic": ("Topic", "主题"),
        "year": ("Year", "年份"),
        "type": ("Publication type", "文献类型"),
        "language": ("Chinese", "中文"),
        "remove": ("remove", "去掉"),
        "only_zh": ("With Chinese abstract ({n})", "有中文摘要（{n}）"),
        "zh_badge": ("中文", "中文摘要"),
        "en_only": ("English only", "仅英文摘要"),
        "zh_only": ("Chinese only", "仅中文摘要"),
        "also_en": ("Also searched in English:", "同时检索英文："),
        "also_zh": ("Also searched in Chinese:", "同时检索中文："),
        "by_translation": ("found through translation", "经翻译匹配"),
        "by_embedding": ("similar in meaning", "语义相近"),
        "stubs_title": ("Known only from citations", "仅见于引用的文献"),
        "stubs_none": ("No citation-only article has these words.", "没有含这些词的引用文献。"),
        "previous": ("← Previous", "← 上一页"),
        "next": ("Next →", "下一页 →"),
        "page": ("Page {page} of {pages}", "第 {page} / {pages} 页"),
        "json": ("JSON", "JSON"),
        "table": ("Researchers: the articles table, SQL and the API", "研究者：文献表、SQL 与 API"),
        "home": ("Home", "首页"),
        "article": ("Article {id}", "文献 {id}"),
    }
)


def routes() -> list[tuple[str, object]]:
    return [
        (r"^/-/search$", search_view),
        (r"^/-/search\.json$", search_json),
        (r"^/(?P<database>[^/]+)/-/search$", search_view),
        (r"^/(?P<database>[^/]+)/-/search\.json$", search_json),
    ]


async def _database(datasette, request) -> str | None:
    """The database named in the path (404 unless it is a corpus), else the first corpus."""
    route = request.url_vars.get("database")
    if route is not None:
        try:
            db = datasette.get_database(route=tilde_decode(route))
        except KeyError:
            raise NotFound("Database not found") from None
        if not await is_corpus(datasette, db.name):
            raise NotFound(f"{db.name} has no litbalint corpus to search")
        return str(db.name)
    names = await corpus_names(datasette)
    return names[0] if names else None


async def run_search(datasette, request) -> tuple[Results, str | None, bool]:
    """The search the request asks for, the database it ran on, and whether it failed."""
    asked = SearchRequest.from_args(request.args)
    database = await _database(datasette, request)
    empty = Results(asked, None, 0, [], Facets())
    if database is None or not asked.asks:
        return empty, database, database is None and asked.asks
    try:
        results = await read_snapshot(
            datasette, database, lambda conn: read_results(conn, asked, SIGNALS)
        )
    except Exception:  # sqlite3 errors, the time limit: "could not be run", never a 500
        return empty, database, True
    return results, database, False


def _article_url(datasette, database: str | None, article_id: int) -> str:
    return str(datasette.urls.row(database, "articles", str(article_id))) if database else ""


# --- JSON -------------------------------------------------------------------------------------


async def search_json(datasette, request) -> Response:
    """`{"query", "match", "total", "windowed", "page", "page_size", "error", "results": [...],
    "facets", "stubs"}` (`windowed`: more matched than are ranked and counted, match_window.py);
    snippets are plain text with the highlighted parts in « » (`snippet_*_html`: the same as
    escaped HTML)."""
    results, database, failed = await run_search(datasette, request)
    body = {
        "query": results.request.query,
        "query_cut": results.request.cut,
        "match": results.match,
        "total": results.total,
        "windowed": results.windowed,
        "page": results.request.page,
        "page_size": PAGE_SIZE,
        "error": failed,
        "results": [
            _hit_json(hit, _article_url(datasette, database, hit.id)) for hit in results.hits
        ],
        "facets": {
            "topic": results.facets.topic,
            "year": {str(year): n for year, n in results.facets.year.items()},
            "type": results.facets.publication_type,
            "has_zh": results.facets.has_zh,
        },
        "stubs": [
            {**asdict(stub), "url": _article_url(datasette, database, stub.id)}
            for stub in results.stubs
        ],
        "translation": (
            [{"term": term, "searched": targets} for term, targets in results.translation.terms]
            if results.translation
            else []
        ),
    }
    headers = {"Access-Control-Allow-Origin": "*", **(NOT_KEPT if failed else {})}
    return Response.json(body, headers=headers)


def _hit_json(hit: Hit, url: str) -> dict:
    return {
        "id": hit.id,
        "pmid": hit.pmid,
        "doi": hit.doi,
        "title_en": hit.title_en,
        "title_zh": hit.title_zh,
        "journal": hit.journal,
        "year": hit.year,
        "topics": hit.topics,
        "publication_types": hit.publication_types,
        "has_zh": hit.has_zh,
        "score": hit.score,
        "matched_by": hit.signals,
        "url": url,
        "snippet_en": plain(hit.snippet_en),
        "snippet_zh": plain(hit.snippet_zh),
        "snippet_en_html": str(html_runs(hit.snippet_en)),
        "snippet_zh_html": str(html_runs(hit.snippet_zh)),
    }


# --- HTML -------------------------------------------------------------------------------------


@dataclass
class FacetLink:
    label: str
    count: int
    url: str
    selected: bool


@dataclass
class ShownHit:
    """A hit as the page shows it: links and labels in the reader's language."""

    hit: Hit
    url: str
    topics: list[str]
    publication_types: list[str]
    snippet_en: Markup
    snippet_zh: Markup


async def search_view(datasette, request) -> Response:
    results, database, failed = await run_search(datasette, request)
    asked = results.request
    ui = i18n.interface(request, TEXT)
    if request.url_vars.get("database") is None or database is None:
        base = str(datasette.urls.path(SEARCH_PATH))
    else:
        base = str(datasette.urls.database(database)) + SEARCH_PATH

    def url(args: dict[str, str]) -> str:
        return f"{base}?{urllib.parse.urlencode(args)}" if args else base

    pages = max(math.ceil(results.total / PAGE_SIZE), 1)
    context = {
        "lb": ui,
        "results": results,
        "asked": asked,
        "failed": failed,
        "database": database,
        "search_url": base,
        "json_url": f"{base}.json?{urllib.parse.urlencode(asked.args())}".rstrip("?"),
        "max_query_chars": MAX_QUERY_CHARS,
        "home_url": str(datasette.urls.database(database)) if database else "/",
        "table_url": str(datasette.urls.table(database, "articles")) if database else "/",
        "hits": [
            _shown(hit, _article_url(datasette, database, hit.id), ui) for hit in results.hits
        ],
        "stub_urls": {
            stub.id: _article_url(datasette, database, stub.id) for stub in results.stubs
        },
        "topics": [(t, ui.topic(t)) for t in i18n.topic_names()],
        "facets": _facet_links(results, ui, url),
        "suggestions": [] if results.hits or failed else suggestions(asked),
        "suggestion_url": url,
        "examples": [(example, url({"q": example})) for example in FEATURED],
        "prev_url": url(asked.args(page=asked.page - 1)) if asked.page > 1 else None,
        "next_url": url(asked.args(page=asked.page + 1)) if asked.page < pages else None,
        "pages": pages,
        "window": WINDOW,
        "query_shown": _shortened(asked.query),
        "first": (asked.page - 1) * PAGE_SIZE + 1,
        "css_url": css_url(datasette),
        "also": "also_en" if has_cjk(asked.query) else "also_zh",
        "metadata": datasette.metadata(),  # the footer's licence and source, on every request
    }
    return Response.html(
        await datasette.render_template("litbalint_search.html", context, request=request),
        headers=NOT_KEPT if failed else None,
    )


def _shortened(query: str) -> str:
    """The query as the page repeats it in a sentence: its first QUERY_SHOWN_CHARS."""
    return query if len(query) <= QUERY_SHOWN_CHARS else query[:QUERY_SHOWN_CHARS] + "…"


def _shown(hit: Hit, url: str, ui: i18n.Interface) -> ShownHit:
    return ShownHit(
        hit,
        url,
        [ui.topic(topic) for topic in hit.topics],
        [ui.publication_type(t) for t in hit.publication_types if t != "Journal Article"],
        html_runs(hit.snippet_en),
        html_runs(hit.snippet_zh),
    )


def _facet_links(results: Results, ui: i18n.Interface, url) -> dict[str, list[FacetLink]]:
    """Each facet's values with their counts, linking to the search with that value chosen (or
    removed, for the chosen one)."""
    asked, facets = results.request, results.facets

    def links(name: str, counts: dict, chosen: object, label) -> list[FacetLink]:
        return [
            FacetLink(
                label(value),
                n,
                url(asked.args(**{name: None if value == chosen else value, "page": None})),
                value == chosen,
            )
            for value, n in counts.items()
        ]

    return {
        "topic": links("topic", facets.topic, asked.topic, ui.topic),
        "year": links("year", facets.year, asked.year, str),
        "type": links("type", facets.publication_type, asked.publication_type, ui.publication_type),
        "has_zh": links(
            "has_zh",
            {True: facets.has_zh} if facets.has_zh else {},
            asked.has_zh or None,
            lambda _: ui.t("with_zh"),
        ),
    }
