"""A search of `articles.json` (or .csv, .bib, .ris) answered by the ranked view, shaped as the
`articles` table's own answer.

ranked_table.py asks the view `article_search` (sorted by rank) with a few arguments added:
`_nocol=rank&_nocol=articles_fts` (or `_col=id` first when the client chose columns: a table
always answers its primary key), `_shape=objects` for `_shape=object`, and `_sort=rank`. Here the
view's answer is given back as the table's: `table`, `is_view`, `primary_keys` as for
`articles`, every URL in it (`next_url`, facet toggles, the `Link` header) pointing at the
table's address without the added arguments, `_shape=object` keyed by id, a CSV download named
after the table. The rows, their columns and their order are the view's: the relevance order.
A search ranked within its window (match_window.py) says so with two more keys: `"windowed": true`,
`"search_matches"` (every article the search matches; `filtered_table_rows_count` counts the
window's), noted by ranked_table.search_filter in the request's scope.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass

from datasette.utils import CustomJSONEncoder, path_from_row_pks

ARTICLES = "articles"
PRIMARY_KEYS = ["id"]
WINDOW_SCOPE_KEY = "litbalint.search_window"  # where the search filter notes a window


@dataclass(frozen=True)
class Rewrite:
    """How a table request became a view request, to be undone in the answer."""

    table_path: str  # the table's address as asked, e.g. /litbalint/articles.json
    view_path: str  # the view's, e.g. /litbalint/article_search.json
    ext: str
    added: tuple[tuple[str, str], ...]  # arguments added to the request
    object_shape: bool  # `_shape=object` asked as `_shape=objects`
    shape: str  # the shape the client asked for ("arrays" unless told)


def restore_url(url: str, rewrite: Rewrite) -> str:
    """A URL of the view's answer as the table's: its path, without the added arguments."""
    parts = urllib.parse.urlsplit(url)
    if parts.path != rewrite.view_path:
        return url
    args = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    for pair in rewrite.added:
        if pair in args:  # the last one: added arguments follow the client's own
            del args[len(args) - 1 - args[::-1].index(pair)]
    if rewrite.object_shape:
        args = [("_shape", "object") if a == ("_shape", "objects") else a for a in args]
    query = urllib.parse.urlencode(args)
    return urllib.parse.urlunsplit(parts._replace(path=rewrite.table_path, query=query))


def _restore_all(value: object, rewrite: Rewrite) -> object:
    if isinstance(value, str) and value.startswith(("/", "http://", "https://")):
        return restore_url(value, rewrite)
    if isinstance(value, list):
        return [_restore_all(item, rewrite) for item in value]
    if isinstance(value, dict):
        return {key: _restore_all(item, rewrite) for key, item in value.items()}
    return value


def table_body(body: bytes, rewrite: Rewrite, window: dict | None = None) -> bytes:
    """The view's JSON answer as the table's, with the search's window noted when it had one
    (`windowed`, `search_matches`); anything else (an error) unchanged."""
    if rewrite.shape not in ("arrays", "objects", "object"):
        return body  # lists of rows: nothing but rows in them
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if not isinstance(data, dict) or data.get("table") is None or "rows" not in data:
        return body  # an error
    for key in data:
        if key != "rows":  # database text is left as it is
            data[key] = _restore_all(data[key], rewrite)
    description = data.get("human_description_en") or ""
    data.update(
        table=ARTICLES,
        is_view=False,
        primary_keys=PRIMARY_KEYS,
        human_description_en=description.replace("sorted by rank", "sorted by relevance"),
    )
    if window:  # only then: otherwise the keys are exactly the table's
        data.update(windowed=True, search_matches=window["search_matches"])
    if rewrite.object_shape:
        keyed = {path_from_row_pks(row, PRIMARY_KEYS, False): row for row in data["rows"]}
        return json.dumps(keyed, cls=CustomJSONEncoder).encode()
    return json.dumps(data, cls=CustomJSONEncoder).encode()


def table_headers(headers: list[tuple[bytes, bytes]], rewrite: Rewrite) -> list:
    """`Link` pointing at the table, a CSV download named after it; no length for a JSON
    body, which is written again."""
    fixed = []
    for name, value in headers:
        lower = name.lower()
        if lower == b"content-length" and rewrite.ext == "json":
            continue
        if lower == b"link":
            url, _, rest = value.decode("latin-1").partition(">")
            value = f"<{restore_url(url.lstrip('<'), rewrite)}>{rest}".encode("latin-1")
        if lower == b"content-disposition":
            view = rewrite.view_path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            value = value.replace(f'"{view}.'.encode(), f'"{ARTICLES}.'.encode())
        fixed.append((name, value))
    return fixed


async def answer_as_table(app, scope, receive, send, rewrite: Rewrite) -> None:
    """Run the rewritten (view) request and send its answer as the table's."""
    start: dict = {}
    chunks: list[bytes] = []
    buffer = rewrite.ext == "json"
    window: dict = {}  # filled by the search filter when the search is windowed
    scope = {**scope, WINDOW_SCOPE_KEY: window}

    async def send_as_table(message):
        if message["type"] == "http.response.start":
            start.update(message, headers=table_headers(message.get("headers", []), rewrite))
            if not buffer:
                await send(start)
            return
        if message["type"] != "http.response.body" or not buffer:
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        body = b"".join(chunks)
        if body:
            body = table_body(body, rewrite, window)
        headers = [*start["headers"], (b"content-length", str(len(body)).encode())]
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    await app(scope, receive, send_as_table)
