"""The litbalint Datasette plugin (read-only): Chinese-aware full-text search.

Registered under the `datasette` entry-point group, so a plain
`datasette data/litbalint.db -m metadata.yml` loads it once litbalint is installed.
Datasette sends the search box's text through the SQL function `escape_fts`; this plugin
replaces that function so Chinese is segmented with the same jieba dictionary as the index.
"""

from __future__ import annotations

import re

from datasette import hookimpl

from litbalint.zh import segment_query

_QUOTED = re.compile(r'"([^"]*)"')

# What `litbalint serve` sets: every query time-limited, results capped, no database download.
SERVE_SETTINGS: dict[str, object] = {
    "sql_time_limit_ms": 3000,
    "max_returned_rows": 1000,
    "allow_download": False,
    "suggest_facets": False,  # on 100,000 articles suggestions cost seconds per search
}


def escape_fts(query: str | None) -> str:
    """A user's query as an FTS5 query: Chinese runs cut into the index's words, every word
    quoted (so FTS5 syntax characters are plain text), all words required. A phrase in double
    quotes stays a phrase."""
    if not query:
        return '""'
    parts: list[str] = []
    position = 0
    for match in _QUOTED.finditer(query):
        parts += _words(query[position : match.start()])
        phrase = " ".join(segment_query(match.group(1)))
        if phrase:
            parts.append(_quote(phrase))
        position = match.end()
    parts += _words(query[position:].replace('"', " "))
    return " ".join(parts) or '""'


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _words(text: str) -> list[str]:
    return [_quote(word) for word in segment_query(text) if word.strip()]


@hookimpl(trylast=True)  # after Datasette's own escape_fts, so this one is the one in use
def prepare_connection(conn) -> None:
    conn.create_function("escape_fts", 1, escape_fts)


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    """Data for the article page (row page of `articles`) and the chart on the database page."""
    if view_name == "row" and table == "articles":

        async def article_page() -> dict:
            try:
                from litbalint.publish.article import article_context
            except ImportError:  # Datasette's default row page
                return {}
            return await article_context(datasette, database, request)

        return article_page
    if view_name == "database":

        async def database_page() -> dict:
            try:
                from litbalint.publish.chart import database_context
            except ImportError:  # the chart is being built
                return {}
            return await database_context(datasette, database, request)

        return database_page
    return {}


@hookimpl
def register_routes(datasette):
    """The search page across titles and abstracts in both languages (see search.py)."""
    try:
        from litbalint.publish.search import routes
    except ImportError:  # the search page is being built
        return []
    return routes()


@hookimpl
def register_output_renderer(datasette):
    """BibTeX (.bib) and RIS (.ris) exports of articles: see renderers.py."""
    from litbalint.publish.renderers import output_renderers

    return output_renderers()
