"""Relevance ranking for Datasette's own table search (`?_search=`, HTML and JSON).

Datasette 0.65 orders a table search by primary key: it has no notion of rank. The schema's
view `article_search` pairs every indexed article with FTS5's `rank` (the weighted bm25) and
the index's match column, so a search on the view can be sorted by relevance inside the index:

    select * from article_search where articles_fts match 'burnout' order by rank

Three pieces make the search box use it:
- `search_filter`: `?_search=` on the view becomes that MATCH (Chinese segmented by the
  plugin's `escape_fts`; `_searchmode=raw` passes FTS5 syntax through);
- `ranked_location`: a search of `articles` (or of the view) sorted by nothing but the primary
  key goes to the view sorted by `rank`, every other argument kept (facets, filters, paging):
  pages by a redirect, JSON and exports answered in place; a search sorted by any other column
  stays where it is;
- `render_cell`: on the view, titles link to the article page; the match column stays blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from datasette.filters import FilterArguments
from datasette.utils import tilde_decode
from markupsafe import Markup, escape

ARTICLES = "articles"
VIEW = "article_search"
MATCH_COLUMN = "articles_fts"
RANK_COLUMN = "rank"

_TABLE_PATH = re.compile(
    r"^/(?P<database>[^/]+)/(?P<table>articles|article_search)(?P<ext>\.\w+)?$"
)


def search_filter(request, table: str) -> FilterArguments | None:
    """The view's `?_search=`: a MATCH on the index, which is what makes `rank` meaningful."""
    if table != VIEW:
        return None
    query = (request.args.get("_search") or "").strip()
    context: dict[str, object] = {"supports_search": True}
    if not query:
        return FilterArguments([], {}, [], context)
    raw = request.args.get("_searchmode") == "raw"
    match = ":search" if raw else "escape_fts(:search)"
    context["search"] = query
    return FilterArguments(
        [f"{MATCH_COLUMN} MATCH {match}"],
        {"search": query},
        [f'search matches "{query}"'],
        context,
    )


@dataclass(frozen=True)
class RankedTarget:
    """Where a table search without its own sort goes: the view sorted by rank."""

    database: str
    path: str  # the view's path, with the format extension and Datasette's base_url
    query: str  # every argument kept, `_sort=rank` added
    html: bool  # a page (redirected, so the address bar and its links are the view's)

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}"


def ranked_location(path: str, query_string: str, datasette) -> RankedTarget | None:
    """The ranked view for a search of `articles` (or of the view) sorted by nothing but the
    primary key; None when the request is not such a search."""
    base_url = datasette.setting("base_url")
    if base_url != "/" and path.startswith(base_url):
        path = "/" + path[len(base_url) :]
    found = _TABLE_PATH.match(path)
    if not found:
        return None
    args = parse_qsl(query_string, keep_blank_values=True)
    sorts = [(name, value) for name, value in args if name in ("_sort", "_sort_desc")]
    # Datasette's search form always sends its sort box: on `articles` that is `_sort=id`
    unsorted = [[], [("_sort", "id")]] if found["table"] == ARTICLES else [[]]
    if sorts not in unsorted:
        return None
    if not any(name == "_search" and value.strip() for name, value in args):
        return None
    kept = [(name, value) for name, value in args if name != "_sort"]
    database = tilde_decode(found["database"])
    ext = (found["ext"] or "").lstrip(".") or None
    view_path = str(datasette.urls.table(database, VIEW, format=ext))
    return RankedTarget(database, view_path, urlencode([*kept, ("_sort", RANK_COLUMN)]), not ext)


def asgi_wrapper(datasette):
    """Unsorted table searches of `articles` go to the ranked view: a page is redirected (302);
    JSON, .bib, .ris and .csv are answered from the view at the same address, so API clients
    and downloads need not follow redirects (`next_url` then points at the view). Whether a
    database has the view is asked every time (one read of its schema): a database served while
    it is written may gain it."""

    async def has_view(name: str) -> bool:
        database = datasette.databases.get(name)
        return database is not None and VIEW in await database.view_names()

    def wrap(app):
        async def ranked_search(scope, receive, send):
            if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD"):
                target = ranked_location(
                    scope["path"],
                    scope.get("query_string", b"").decode("utf-8", "replace"),
                    datasette,
                )
                if target and await has_view(target.database):
                    if not target.html:
                        scope = {
                            **scope,
                            "path": target.path,
                            "raw_path": target.path.encode(),
                            "query_string": target.query.encode(),
                        }
                        await app(scope, receive, send)
                        return
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 302,
                            "headers": [
                                (b"location", target.url.encode("latin-1")),
                                (b"content-length", b"0"),
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": b""})
                    return
            await app(scope, receive, send)

        return ranked_search

    return wrap


def render_cell(row, value, column: str, table: str, database: str, datasette):
    """On the view: titles and ids link to the article page; the match column is blank."""
    if table != VIEW:
        return None
    if column == MATCH_COLUMN:
        return ""
    if column == RANK_COLUMN and isinstance(value, float):
        return f"{value:.4g}"
    if column in ("id", "title_en", "title_zh") and value is not None:
        try:
            article_id = row["id"]
        except (IndexError, KeyError):  # ?_nocol=id
            return None
        url = datasette.urls.row(database, "articles", str(article_id))
        return Markup(f'<a href="{escape(url)}">{escape(value)}</a>')
    return None
