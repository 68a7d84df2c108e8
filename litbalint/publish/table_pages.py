"""The raw table pages of `articles` and `article_search`: kept for researchers, made compact.

`table_context` (awaited by the plugin's `extra_template_vars`) gives `templates/table.html`:
the link to the readers' search page in the reader's language (`lb`, i18n.py), the stylesheet,
the column descriptions to show collapsed (Datasette 0.65 prints ~40 of them above the search
box: the template's `metadata` is passed without them, with the licence and source added, see
attribution.py) and the table's or view's SQL definition in the same collapsed block instead of
at the end of every page.

`render_cell` shortens long texts (abstracts, a stub's citation line, copyright) to an excerpt
and links titles to the article page, on those two HTML table pages only: which page is being
drawn is known from the request (`table_page_request`, an ASGI wrapper setting a context
variable), since Datasette 0.65's `render_cell` hook is not told; the row page keeps every
value whole, JSON and CSV never go through `render_cell`.
"""

from __future__ import annotations

import contextvars
import re
import unicodedata
import urllib.parse

from markupsafe import Markup, escape

from litbalint.publish import i18n
from litbalint.publish.attribution import page_metadata
from litbalint.publish.corpus import search_path
from litbalint.publish.stylesheet import css_url

ARTICLES = "articles"
VIEW = "article_search"
MATCH_COLUMN = "articles_fts"
RANK_COLUMN = "rank"
EXCERPT_COLUMNS = ("abstract_en", "abstract_zh", "citation_text", "copyright")
EXCERPT_LENGTH = 120
TITLE_COLUMNS = ("title_en", "title_zh")

MESSAGES = i18n.Messages(
    {
        "readers": (
            "Search titles and abstracts, best match first →",
            "检索标题与摘要（按相关度排序）→",
        ),
        "readers_query": (
            "Show “{query}” on the search page, with highlighted passages →",
            "在检索页查看“{query}”的结果（高亮显示）→",
        ),
        "no_results": (
            "No articles match this search. Try fewer or other words (English or Chinese), "
            "or the search page:",
            "没有找到匹配的文献。请减少或更换检索词（中英文均可），或使用检索页：",
        ),
        "search_page": ("search titles and abstracts", "检索标题与摘要"),
        "columns": ("Column descriptions ({n})", "字段说明（{n} 项）"),
        "definition": ("Its definition in SQL:", "SQL 定义："),
        "language": ("Interface language", "界面语言"),
    }
)

_TABLE_PAGE = re.compile(r"/[^/]+/(?:articles|article_search)$")  # after any base_url
_on_table_page: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "litbalint_table_page", default=False
)


async def send_redirect(send, location: str) -> None:
    """A 302 to `location` (a path, with its query)."""
    headers = [(b"location", location.encode("latin-1")), (b"content-length", b"0")]
    await send({"type": "http.response.start", "status": 302, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def table_page_request(app):
    """ASGI wrapper for the HTML table pages of `articles` and `article_search`: note that one
    is drawn (read by `render_cell`), and take `?lang=` off its address by a redirect (the
    cookie i18n.asgi_wrapper sets on that answer keeps the choice): Datasette would read it as
    a filter on a column `lang` and show no rows."""

    async def noted(scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        on_table_page = bool(_TABLE_PAGE.search(path))
        if on_table_page and scope.get("method") in ("GET", "HEAD"):
            args = urllib.parse.parse_qsl(scope.get("query_string", b"").decode("latin-1"), True)
            if any(name == i18n.PARAM for name, _ in args):
                kept = urllib.parse.urlencode([a for a in args if a[0] != i18n.PARAM])
                raw_path = scope.get("raw_path") or path.encode()
                target = raw_path.decode("latin-1") + (f"?{kept}" if kept else "")
                await send_redirect(send, target)
                return
        token = _on_table_page.set(on_table_page)
        try:
            await app(scope, receive, send)
        finally:
            _on_table_page.reset(token)

    return noted


async def table_context(datasette, database: str, table: str, request) -> dict:
    """Template variables for the table page of `articles` or `article_search` of a corpus."""
    own = datasette.metadata(database=database, table=table, fallback=False) or {}
    columns = own.get("columns") or {}
    search_url = await search_path(datasette, database)
    query = (request.args.get("_search") or "").strip() if request else ""
    readers_url = f"{search_url}?{urllib.parse.urlencode({'q': query})}" if query else search_url
    context: dict[str, object] = {
        "litbalint_search_url": search_url,
        "lb_query": query,
        "lb_readers_url": readers_url,
        "litbalint_css": css_url(datasette),
        "lb": i18n.interface(request, MESSAGES),
        "lb_columns": columns,
        "metadata": {**page_metadata(datasette, database, table, own), "columns": {}},
    }
    db = datasette.get_database(database)
    if table == VIEW:
        context["lb_definition"] = await db.get_view_definition(VIEW)
    else:
        context["lb_definition"] = await db.get_table_definition(ARTICLES)
    context["view_definition"] = context["table_definition"] = None  # shown collapsed instead
    return context


def _width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """The start of a long text, about `length` Latin letters wide (a Chinese character counts
    two), cut at a space when there is one near the end, with "…"."""
    text = " ".join(text.split())
    width = 0
    for end, char in enumerate(text):
        width += _width(char)
        if width > length:
            cut = text[:end]
            break
    else:
        return text
    space = cut.rfind(" ")
    if space > len(cut) - 25:
        cut = cut[:space]
    return cut.rstrip(" ,;:.，；：。") + "…"


def render_cell(row, value, column: str, table: str, database: str, datasette):
    """HTML cells of the two table pages: excerpts, titles linked, rank rounded."""
    if table not in (ARTICLES, VIEW):
        return None
    if table == VIEW and column == MATCH_COLUMN:
        return ""  # always 1: the index's match column
    if table == VIEW and column == RANK_COLUMN and isinstance(value, float):
        return Markup('<span class="lb-rank">{}</span>').format(f"{value:.2f}")
    if not _on_table_page.get():
        return None
    if column in EXCERPT_COLUMNS and isinstance(value, str):
        shortened = excerpt(value)
        if shortened != value:
            return Markup('<span class="lb-excerpt">{}</span>').format(shortened)
    if column in (*TITLE_COLUMNS, "id") and value is not None:
        try:
            article_id = row["id"]
        except (IndexError, KeyError):  # ?_nocol=id on the view
            return None
        url = datasette.urls.row(database, ARTICLES, str(article_id))
        return Markup(f'<a href="{escape(url)}">{escape(value)}</a>')
    return None
