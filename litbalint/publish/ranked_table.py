"""Relevance ranking for Datasette's own table search (`?_search=`, HTML and JSON).

Datasette 0.65 orders a table search by primary key: it has no notion of rank. The schema's
view `article_search` pairs every indexed article with FTS5's `rank` (the weighted bm25) and
the index's match column, so a search on the view can be sorted by relevance inside the index:

    select * from article_search where articles_fts match 'burnout' order by rank

Two pieces make Datasette's search use it:
- `search_filter`: `?_search=` on the view becomes that MATCH (Chinese segmented by the
  plugin's `escape_fts`; `_searchmode=raw` passes FTS5 syntax through);
- `ranked_location` and `asgi_wrapper`: a search of `articles` (or of the view) sorted by
  nothing but the primary key goes to the view sorted by `rank`, every other argument kept
  (facets, filters, paging): pages by a redirect (the `articles` page's search box to the
  search page for readers when it can show the search: readers_redirect.py), JSON and exports
  answered in place, for `articles` with the table's keys and columns (ranked_answer.py); a
  search sorted by any other column stays where it is.
The cells of the view's page are drawn by table_pages.py.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from datasette.filters import FilterArguments
from datasette.utils import tilde_decode

from litbalint.publish import i18n, match_window
from litbalint.publish.corpus import is_corpus, search_path
from litbalint.publish.fts_query import escape_fts
from litbalint.publish.ranked_answer import WINDOW_SCOPE_KEY, Rewrite, answer_as_table
from litbalint.publish.readers_redirect import readers_arguments
from litbalint.publish.table_pages import send_redirect

ARTICLES = "articles"
VIEW = "article_search"
MATCH_COLUMN = "articles_fts"
RANK_COLUMN = "rank"
SORT = ("_sort", RANK_COLUMN)
WINDOW_PARAM = "window_floor"
WINDOWED_NOTE = (
    " ({matches:,} articles match: the {window:,} most recently added are ranked, counted and"
    " faceted; add a word to narrow the search)"
)
OTHER_FILTERS = ("_where", "_through", "_filter_", "_search_")  # and `column__op=value` ones

_TABLE_PATH = re.compile(
    r"^/(?P<database>[^/]+)/(?P<table>articles|article_search)(?P<ext>\.\w+)?$"
)


async def search_filter(request, database: str, table: str, datasette) -> FilterArguments | None:
    """The view's `?_search=`: a MATCH on the index, which is what makes `rank` meaningful.
    Sorted by rank with no other filter, a search matching more than match_window.WINDOW
    articles is ranked, counted and faceted among the newest WINDOW of them (`id >= floor`),
    and says so: in its description, and in `articles.json` (ranked_answer.py)."""
    if table != VIEW:
        return None
    query = (request.args.get("_search") or "").strip()
    context: dict[str, object] = {"supports_search": True}
    if not query:
        return FilterArguments([], {}, [], context)
    raw = request.args.get("_searchmode") == "raw"
    match = ":search" if raw else "escape_fts(:search)"
    context["search"] = query
    where = [f"{MATCH_COLUMN} MATCH {match}"]
    params: dict[str, object] = {"search": query}
    description = f'search matches "{query}"'
    window = await _window(request, datasette, database, query, raw)
    if window:
        where.append(f"id >= :{WINDOW_PARAM}")
        params[WINDOW_PARAM] = window.floor
        description += WINDOWED_NOTE.format(matches=window.matches, window=match_window.WINDOW)
        noted = request.scope.get(WINDOW_SCOPE_KEY)
        if isinstance(noted, dict):  # read by ranked_answer.py for the JSON's keys
            noted.update(windowed=True, search_matches=window.matches)
    return FilterArguments(where, params, [description], context)


async def _window(
    request, datasette, database: str, query: str, raw: bool
) -> match_window.Window | None:
    """The search's window when it is ranked (sorted by rank, nothing else filtering) and
    matches more than WINDOW articles; None otherwise, or when a raw FTS5 query is not valid
    (Datasette then reports the error its own way)."""
    args = request.args
    if args.get("_sort") != RANK_COLUMN or args.get("_sort_desc"):
        return None
    if any(not name.startswith("_") or name.startswith(OTHER_FILTERS) for name in args):
        return None  # a filter decides which matches count: all are read
    match = query if raw else escape_fts(query)
    try:
        return await datasette.get_database(database).execute_fn(
            lambda conn: match_window.index_window(conn, match)
        )
    except sqlite3.Error:
        return None


@dataclass(frozen=True)
class RankedTarget:
    """Where a table search without its own sort goes: the view sorted by rank."""

    database: str
    table: str  # what was asked for: `articles` or the view itself
    path: str  # the view's path, with the format extension and Datasette's base_url
    query: str  # every argument kept, `_sort=rank` (and for `articles`, the column arguments)
    html: bool  # a page (redirected, so the address bar and its links are the view's)
    args: tuple[tuple[str, str], ...]  # the request's own arguments
    rewrite: Rewrite | None = None  # how a non-HTML answer is given back as the table's

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}"


def _unsorted(args: list[tuple[str, str]], table: str) -> bool:
    """No sort but the primary key's, which Datasette's search form always sends (its sort box:
    `_sort=id` on `articles`, empty when nothing is chosen)."""
    sorts = [(n, v) for n, v in args if n in ("_sort", "_sort_desc", "_sort_by_desc")]
    return all(n == "_sort" and (v == "" or (v == "id" and table == ARTICLES)) for n, v in sorts)


def _view_columns(args: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """The arguments that make the view answer the table's columns: `_col=id` first when the
    client chose columns (a table always answers its primary key), else the view's own two
    columns left out; None when the client named those two or left out `id` (the table's own
    answer is then the right one: Datasette's 400)."""
    named = [v for n, v in args if n in ("_col", "_nocol")]
    if {RANK_COLUMN, MATCH_COLUMN} & set(named) or ("_nocol", "id") in args:
        return None
    if any(n == "_col" for n, _ in args):
        return [("_col", "id")]
    return [("_nocol", RANK_COLUMN), ("_nocol", MATCH_COLUMN)]


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
    table = found["table"]
    if not _unsorted(args, table):
        return None
    if not any(name == "_search" and value.strip() for name, value in args):
        return None
    ext = (found["ext"] or "").lstrip(".") or None
    # `lang` is the interface's (the cookie set on the redirect keeps it), not a column
    dropped = ("_sort",) if ext else ("_sort", i18n.PARAM)
    kept = [(name, value) for name, value in args if name not in dropped]
    database = tilde_decode(found["database"])
    view_path = str(datasette.urls.table(database, VIEW, format=ext))
    rewrite = None
    added: list[tuple[str, str]] = []
    if ext and table == ARTICLES:
        columns = _view_columns(args)
        if columns is None:
            return None
        shape = next((value for name, value in args if name == "_shape"), "arrays")
        if shape == "object":
            kept = [("_shape", "objects") if a == ("_shape", "object") else a for a in kept]
        if columns == [("_col", "id")]:  # before the client's own: the table's order
            first = next(i for i, (name, _) in enumerate(kept) if name == "_col")
            kept.insert(first, columns[0])
        else:
            added.extend(columns)
        table_path = str(datasette.urls.table(database, ARTICLES, format=ext))
        rewrite = Rewrite(
            table_path=table_path,
            view_path=view_path,
            ext=ext,
            added=(*columns, SORT),
            object_shape=shape == "object",
            shape=shape,
        )
    query = urlencode([*kept, *added, SORT])
    return RankedTarget(database, table, view_path, query, not ext, tuple(args), rewrite)


def asgi_wrapper(datasette):
    """Unsorted table searches: the HTML page of `articles` is redirected (302) to the search
    page for readers when that page can show what was asked (readers_redirect.py), else to the
    ranked view, as a search of the view is; JSON, .bib, .ris and .csv are answered from the
    view at the same address, so API clients and downloads need not follow redirects, and for
    `articles` shaped as the table's answer (ranked_answer.py). Whether a database is a corpus
    and has the view is asked every time (one read of its schema): a database served while it
    is written may gain them."""

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
                if target and target.html and target.table == ARTICLES:
                    readers = readers_arguments(list(target.args))
                    if readers is not None and await is_corpus(datasette, target.database):
                        search = await search_path(datasette, target.database)
                        await send_redirect(send, f"{search}?{urlencode(readers)}")
                        return
                if target and await has_view(target.database):
                    if target.html:
                        await send_redirect(send, target.url)
                        return
                    scope = {
                        **scope,
                        "path": target.path,
                        "raw_path": target.path.encode(),
                        "query_string": target.query.encode(),
                    }
                    if target.rewrite:
                        await answer_as_table(app, scope, receive, send, target.rewrite)
                    else:
                        await app(scope, receive, send)
                    return
            await app(scope, receive, send)

        return ranked_search

    return wrap
