"""Datasette output renderers: the articles on a page as BibTeX (`.bib`) or RIS (`.ris`).

They work on the `articles` table, its row pages, its ranked search view `article_search`,
and SQL or canned queries whose rows have an `id` column of articles (the query must name the
`articles` table). Whatever columns the page
shows, each article is read again in full, with its journal title and its authors (two read
queries per page of rows). Everything else is refused with a 400, and `can_render` hides the
links there. Read-only. Downloads are named after what they hold (download_names.py).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from litbalint.cite import CitedArticle, bibtex, from_row, ris
from litbalint.publish.download_names import ExportSource, download_name

BIBTEX_CONTENT_TYPE = "application/x-bibtex; charset=utf-8"
RIS_CONTENT_TYPE = "application/x-research-info-systems; charset=utf-8"
ARTICLE_TABLES = ("articles", "article_search")  # the table and its ranked search view
_NAMES_ARTICLES = re.compile(r"\barticles\b", re.IGNORECASE)
_CHUNK = 500  # ids per `in (...)`: well under SQLite's variable limit

_ARTICLES_SQL = """
select articles.*, journals.title as journal_title
from articles left join journals on journals.id = articles.journal_id
where articles.id in ({marks})
"""
_AUTHORS_SQL = (
    "select article_id, name from authors where article_id in ({marks})"
    " order by article_id, position"
)


def renders_articles(columns: Sequence[str] | None, sql: str | None, table: str | None) -> bool:
    """True when the rows are articles: the `articles` table or one of its rows, the ranked view
    `article_search`, or a query naming `articles` whose rows have an `id` column."""
    if "id" not in (columns or []):
        return False
    if table is not None:  # a table or row page
        return table in ARTICLE_TABLES
    return bool(sql and _NAMES_ARTICLES.search(sql))


def article_ids(columns: Sequence[str], rows: Iterable[Any]) -> list[int]:
    """The `id` of every row, in order, each once (rows may be sqlite3.Row or Datasette's
    CustomRow; an expanded foreign key is a {"value", "label"} dict)."""
    index = list(columns).index("id")
    ids: dict[int, None] = {}
    for row in rows:
        value = row[index]
        if isinstance(value, dict):
            value = value.get("value")
        try:
            ids[int(value)] = None
        except (TypeError, ValueError):
            continue
    return list(ids)


async def load_articles(db: Any, ids: Sequence[int]) -> list[CitedArticle]:
    """The articles with these ids, in this order, with journal titles and authors."""
    rows: dict[int, dict[str, Any]] = {}
    authors: dict[int, list[str]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        marks = ", ".join("?" * len(chunk))
        for row in (await db.execute(_ARTICLES_SQL.format(marks=marks), chunk)).rows:
            rows[row["id"]] = dict(row)
        for row in (await db.execute(_AUTHORS_SQL.format(marks=marks), chunk)).rows:
            authors.setdefault(row["article_id"], []).append(row["name"])
    return [from_row(rows[i], authors.get(i, [])) for i in ids if i in rows]


def _refusal(message: str) -> dict[str, Any]:
    # a dict, not a Response: Datasette would overwrite a Response's status with the query
    # view's own (200 for any query that ran), but keeps a dict's status_code
    return {
        "body": f"Error: {message}\n",
        "status_code": 400,
        "content_type": "text/plain; charset=utf-8",
    }


def _renderer(
    extension: str, content_type: str, formatter: Callable[[list[CitedArticle]], str]
) -> dict[str, Any]:
    async def render(
        datasette, database, table, columns, rows, sql, query_name, view_name, request, data
    ) -> dict[str, Any]:
        error = (data or {}).get("error")
        if error:
            return _refusal(str(error))
        if not renders_articles(columns, sql, table):
            return _refusal(
                f".{extension} is only for articles: the articles table or its search, an article, "
                "or a query on articles with an id column."
            )
        ids = article_ids(columns, rows)
        try:
            articles = await load_articles(datasette.get_database(database), ids)
        except sqlite3.Error as exc:  # not a litbalint database
            return _refusal(str(exc))
        source = ExportSource(
            database=database,
            extension=extension,
            table=table,
            query_name=query_name,
            search=request.args.get("_search"),
            row_id=ids[0] if view_name == "row" and ids else None,
        )
        article = articles[0] if source.row_id is not None and articles else None
        name = download_name(source, article)
        return {
            "body": formatter(articles),
            "status_code": 200,
            "content_type": content_type,
            "headers": {"content-disposition": name.content_disposition},
        }

    def can_render(columns, sql, table) -> bool:
        return renders_articles(columns, sql, table)

    return {"extension": extension, "render": render, "can_render": can_render}


def output_renderers() -> list[dict[str, Any]]:
    """What the `register_output_renderer` hook returns: BibTeX and RIS."""
    return [
        _renderer("bib", BIBTEX_CONTENT_TYPE, bibtex),
        _renderer("ris", RIS_CONTENT_TYPE, ris),
    ]
