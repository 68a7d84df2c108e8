"""Identical GETs of the readers' pages answered from memory until a database changes.

`litbalint serve --cache-mb N` turns it on (default 64 MB a process) by setting
`LITBALINT_CACHE_MB` in the environment, which is what the plugin reads (a plain `datasette` run
too; 0 or unset: off). What is kept: a 200 or 302 answer without `Set-Cookie` or `Cache-Control:
no-store` (a search that failed) to a GET of the landing page (`/`, `/<db>`), the search page
and its JSON (`/-/search`, `/<db>/-/search`, `.json`), article pages and the rows of `articles`
and `article_search` in JSON (`_shape=array`: a table page's facets or count may have run out of
time, and would stay missing until the next commit; not with `_where`, which takes SQL); never
an SQL query (`?sql=` may call `random()`). The key is everything the answer depends on besides
the databases: path, query string, Host, Accept- Language, Cookie and Authorization (language,
actor); an answer from memory says so in `X-Litbalint-Cache: hit`. The databases' state is
SQLite's `PRAGMA data_version` of each mutable file, read on a connection of this module's own
before every cached request: it changes whenever another connection commits (a harvest, an
import, from any process), and the cache is then emptied, so the next request after a commit is
answered from the file. An answer computed while a commit lands is kept under the version read
before it: the next request reads the newer version and misses. Immutable files never change
(Datasette's promise), so they need no version.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections import OrderedDict
from urllib.parse import parse_qsl

ENVIRONMENT = "LITBALINT_CACHE_MB"
MAX_ANSWER_BYTES = 2_000_000  # a bigger answer is not kept
CACHED_PATHS = re.compile(
    r"^(/[^/]+)?(/-/search(\.json)?)?$"  # landing pages, search pages
    r"|^/[^/]+/articles/[^/]+$"  # article pages (and their .json, .bib, .ris)
)
# rows only: a table page's facets or count may have run out of time, and a page missing them
# would stay until the next commit
CACHED_TABLES = re.compile(r"^/[^/]+/(articles|article_search)\.json$")
ROWS_ONLY = ("_shape", "array")
NOT_KEPT = {"Cache-Control": "no-store"}  # an answer that is not to be kept (a failed search)
KEY_HEADERS = (b"host", b"accept-language", b"cookie", b"authorization")
KEPT_STATUSES = (200, 302)  # a page, a redirect (the table search box's to the search page)
HIT_HEADER = (b"x-litbalint-cache", b"hit")  # on an answer from memory
UNCACHED_PARAMS = re.compile(r"(^|&)(sql|_where)(=|&|$)")


def cache_mb() -> int:
    """The size configured in the environment, 0 when off or not a number."""
    value = os.environ.get(ENVIRONMENT, "")
    return int(value) if value.isdigit() else 0


class Versions:
    """The state of the served files: each mutable file's `PRAGMA data_version`, read on a
    read-only connection of its own."""

    def __init__(self, datasette) -> None:
        self.datasette = datasette
        self.connections: dict[str, sqlite3.Connection] = {}

    def now(self) -> tuple[int, ...] | None:
        """None when a file cannot be read now (then nothing is cached or answered from it)."""
        versions = []
        for name, db in list(self.datasette.databases.items()):
            if not db.is_mutable or db.is_memory or not db.path:
                continue
            try:
                conn = self.connections.get(name)
                if conn is None:
                    uri = f"file:{os.path.abspath(db.path)}?mode=ro"
                    conn = sqlite3.connect(uri, uri=True, timeout=0.05, check_same_thread=False)
                    self.connections[name] = conn
                versions.append(conn.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error:
                return None
        return tuple(versions)


class ResponseCache:
    """Answers kept by key, least recently used dropped beyond `max_bytes`."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.version: tuple[int, ...] | None = None
        self.answers: OrderedDict[tuple, tuple[dict, bytes]] = OrderedDict()

    def get(self, key: tuple, version: tuple[int, ...]) -> tuple[dict, bytes] | None:
        if version != self.version:
            self.answers.clear()
            self.size, self.version = 0, version
            return None
        found = self.answers.get(key)
        if found is not None:
            self.answers.move_to_end(key)
        return found

    def put(self, key: tuple, version: tuple[int, ...], start: dict, body: bytes) -> None:
        cost = cost_of(key, body)
        if version != self.version or cost > min(MAX_ANSWER_BYTES, self.max_bytes):
            return
        if key in self.answers:
            self.size -= cost_of(key, self.answers[key][1])
        self.answers[key] = (start, body)
        self.size += cost
        while self.size > self.max_bytes:
            dropped, (_, body) = self.answers.popitem(last=False)
            self.size -= cost_of(dropped, body)


def cost_of(key: tuple, body: bytes) -> int:
    """The bytes an answer holds: its body and its key (a long query string counts too)."""
    return len(body) + sum(len(part) for part in key)


def cache_key(scope: dict) -> tuple | None:
    """The request's key, or None when its answer is not to be kept."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    path, query = scope["path"], scope.get("query_string", b"").decode("latin-1")
    if UNCACHED_PARAMS.search(query):
        return None
    if not CACHED_PATHS.match(path) and not (
        CACHED_TABLES.match(path) and ROWS_ONLY in parse_qsl(query)
    ):
        return None
    headers = dict(scope.get("headers", []))
    return (path, query, *(headers.get(name, b"") for name in KEY_HEADERS))


def asgi_wrapper(datasette, max_mb: int):
    """The wrapper of Datasette's app (or the app itself when `max_mb` is 0)."""

    def wrap(app):
        if max_mb <= 0:
            return app
        cache, versions = ResponseCache(max_mb * 1_000_000), Versions(datasette)

        async def cached(scope, receive, send):
            key = cache_key(scope)
            version = versions.now() if key is not None else None
            if key is None or version is None:
                await app(scope, receive, send)
                return
            found = cache.get(key, version)
            if found is not None:
                start, body = found
                await send({**start, "headers": [*start.get("headers", []), HIT_HEADER]})
                await send({"type": "http.response.body", "body": body})
                return
            kept_start: dict | None = None
            kept_parts: list[bytes] = []

            async def keep(message: dict) -> None:
                nonlocal kept_start
                if message["type"] == "http.response.start":
                    headers = [(n.lower(), v) for n, v in message.get("headers", [])]
                    keepable = message["status"] in KEPT_STATUSES and not any(
                        name == b"set-cookie" or (name == b"cache-control" and b"no-store" in v)
                        for name, v in headers
                    )
                    kept_start = message if keepable else None
                elif message["type"] == "http.response.body" and kept_start:
                    kept_parts.append(message.get("body", b""))
                    if not message.get("more_body"):
                        cache.put(key, version, kept_start, b"".join(kept_parts))
                await send(message)

            await app(scope, receive, keep)

        return cached

    return wrap
