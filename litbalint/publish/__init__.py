"""The litbalint Datasette plugin (read-only).

Registered under the `datasette` entry-point group, so a plain
`datasette data/litbalint.db -m litbalint/publish/metadata.yml` loads it once litbalint is
installed. It makes
the search box understand Chinese (Datasette sends the box's text through the SQL function
`escape_fts`, replaced here: see fts_query.py), ranks table searches (ranked_table.py), and adds
the article page, the search page, the chart and the .bib/.ris exports.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils import tilde_decode

from litbalint.publish import (
    i18n,
    kept_reads,
    ranked_table,
    renderers,
    response_cache,
    search,
    server_paths,
    sql_search,
    stylesheet,
    table_pages,
)
from litbalint.publish.article import article_context
from litbalint.publish.attribution import page_metadata
from litbalint.publish.corpus import corpus_names, is_corpus
from litbalint.publish.crosslingual_search import preload
from litbalint.publish.fts_query import escape_fts
from litbalint.publish.home import home_context

# What `litbalint serve` sets: every query time-limited, results capped, no database download.
SERVE_SETTINGS: dict[str, object] = {
    "sql_time_limit_ms": 3000,
    "max_returned_rows": 1000,
    "allow_download": False,
    "suggest_facets": False,  # on 100,000 articles suggestions cost seconds per search
}


@hookimpl(trylast=True)  # after Datasette's own escape_fts, so this one is the one in use
def prepare_connection(conn) -> None:
    conn.create_function("escape_fts", 1, escape_fts)
    sql_search.register(conn)  # litbalint_search(query [, limit]): the readers' search in SQL
    conn.set_authorizer(server_paths.authorizer)  # no file path through pragma_database_list


@hookimpl
def startup(datasette):
    """When a litbalint corpus is served, load the search's dictionaries and model now, not
    inside the first search (crosslingual_search.preload); counts and schema reads kept."""

    async def preload_search() -> None:
        for db in datasette.databases.values():
            kept_reads.install(db)  # counts and schema reads: one SQL trip each, kept
        if await corpus_names(datasette):
            preload()

    return preload_search


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    """Data for the landing page (`/` and the database page: home.py), the article page (row
    page of `articles`) and the table pages of `articles` and `article_search`: for any
    database with litbalint's schema (see corpus.py), whatever its name. Every row page and
    canned query page gets the licence and source lines (attribution.py)."""
    if view_name == "table" and table in (ranked_table.ARTICLES, ranked_table.VIEW):

        async def table_page() -> dict:
            if not await is_corpus(datasette, database):
                return {}
            return await table_pages.table_context(datasette, database, table, request)

        return table_page
    if view_name == "row":

        async def row_page() -> dict:
            context = {"metadata": page_metadata(datasette, database, table)}
            if table == ranked_table.ARTICLES:
                context.update(await article_context(datasette, database, request))
            return context

        return row_page
    if view_name == "table" and template == "query.html" and request is not None:

        async def canned_query_page() -> dict:
            name = tilde_decode(request.url_vars.get("table", ""))
            query = await datasette.get_canned_query(database, name, request.actor)
            return {"metadata": page_metadata(datasette, database, None, query)} if query else {}

        return canned_query_page
    if view_name == "database":

        async def database_page() -> dict:
            return await home_context(datasette, database, request)

        return database_page
    if view_name == "index":

        async def index_page() -> dict:
            names = await corpus_names(datasette)
            return await home_context(datasette, names[0], request) if names else {}

        return index_page
    return {}


@hookimpl
def register_routes(datasette):
    """The search page of each corpus across titles and abstracts in both languages (see
    search.py); `/-/databases` without the files' paths (server_paths.py)."""
    return search.routes() + server_paths.ROUTES + stylesheet.ROUTES


@hookimpl
def register_output_renderer(datasette):
    """BibTeX (.bib) and RIS (.ris) exports of articles: see renderers.py."""
    return renderers.output_renderers()


@hookimpl(trylast=True)  # after Datasette's own search filter, so `supports_search` is ours
def filters_from_request(request, database, table, datasette):
    """`?_search=` on the ranked view `article_search` (see ranked_table.py)."""
    return ranked_table.search_filter(request, database, table, datasette)


@hookimpl
def asgi_wrapper(datasette):
    """Unsorted table searches of `articles` go to the search page or the view sorted by
    relevance (ranked_table.py); `?lang=` is remembered in a cookie (i18n.py); the table pages
    of `articles` and the view know they are drawn (table_pages.py); identical GETs answered
    from memory until a database changes, when configured (response_cache.py)."""
    ranked = ranked_table.asgi_wrapper(datasette)
    cached = response_cache.asgi_wrapper(datasette, response_cache.cache_mb())

    def wrap(app):
        return cached(i18n.asgi_wrapper(ranked(table_pages.table_page_request(app))))

    return wrap


@hookimpl
def handle_exception(datasette, request, exception):
    """400 for a sort by a missing column, 405 for a POST to a canned query (refusals.py)."""
    # imported here: it imports datasette.handle_exception, one of Datasette's own plugins,
    # which must not load while Datasette is still loading this one (its hooks go missing)
    from litbalint.publish import refusals

    return refusals.refusal(datasette, request, exception)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    return table_pages.render_cell(row, value, column, table, database, datasette)
