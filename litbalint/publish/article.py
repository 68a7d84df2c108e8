"""The article page: the row page of `articles`, read for people who often read Chinese first.

`article_context` is awaited by the plugin's `extra_template_vars` hook for that page and
returns `{"article_page": ArticlePage}` (or `{}` when the row is not a litbalint article, so the
template falls back to Datasette's own row page). The template is `templates/row.html`, which
extends Datasette's own and switches to the article layout when `article_page` is set: any
database with litbalint's schema gets it, whatever its name (see corpus.py). Everything is read
in one read transaction (`corpus.read_snapshot`), under the instance's SQL time limit; nothing
is written.

Modules: `article_queries` reads the page from the database (`load_article`); `article_model`
holds the dataclasses the template reads and the formatting of what was read.

Escaping: the template relies on Jinja's autoescape for every value read from the database. The
only exception is `article_model.parser_html`: `articles.title_en_html` and
`abstract_sections.text_html`, which our PubMed parser (`litbalint/sources/markup.py`) builds
from a fixed whitelist of inline elements with every text and attribute escaped; they are
wrapped in `Markup` there and nowhere else.
"""

from __future__ import annotations

import sqlite3

from datasette.utils import urlsafe_components

from litbalint.publish.article_model import TOPIC_LABELS, ArticlePage, Urls, _plugin_name
from litbalint.publish.article_queries import load_article
from litbalint.publish.corpus import read_snapshot, schema_version

# TOPIC_LABELS and _plugin_name are imported from here by chart.py and search.py
__all__ = ["TOPIC_LABELS", "ArticlePage", "Urls", "_plugin_name", "article_context", "load_article"]


async def article_context(datasette, database: str, request) -> dict:
    """Template variables for the article page, or {} when this row cannot be shown as one."""
    pks = urlsafe_components(request.url_vars.get("pks", ""))
    if len(pks) != 1 or not pks[0].isdigit():
        return {}
    article_id = int(pks[0])
    urls = Urls(datasette, database)

    def read(conn: sqlite3.Connection) -> ArticlePage | None:
        if schema_version(conn) is None:
            return None  # not a litbalint database: Datasette's row page
        return load_article(conn, article_id, urls)

    try:
        page = await read_snapshot(datasette, database, read)
    except (sqlite3.Error, KeyError):  # over the time limit, schema too old: plain row page
        return {}
    return {"article_page": page} if page else {}
