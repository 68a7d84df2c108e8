"""Which served databases are litbalint corpora, and reading one as a single snapshot.

A database is a corpus when it has litbalint's schema: the table `litbalint_meta` with a
`schema_version` row, whatever its file is called; the article page, the chart, the counts and
the search page key on that, never on the database's name. The check is not cached (it is one
indexed read): a database being written (a harvest into the served file) may gain or change its
schema at any time. What is costly to read (the chart) is cached by `unchanged_since`, keyed on
SQLite's `PRAGMA data_version`, which changes whenever another connection commits.

`read_snapshot` runs a page's queries in one read transaction, so a page read while a harvest
or an import commits shows one state of the database, before or after, never a mix.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar

from datasette.utils import sqlite_timelimit

SCHEMA_TABLE = "litbalint_meta"
SCHEMA_SQL = f"SELECT value FROM {SCHEMA_TABLE} WHERE key = 'schema_version'"
SEARCH_PATH = "/-/search"  # the search page of the first corpus served

T = TypeVar("T")
MAX_CACHED = 64  # connections: Datasette keeps one per database and SQL thread

# (id(connection), key) -> (the connection, kept so its id is not reused; data_version; value)
_computed: dict[tuple[int, str], tuple[sqlite3.Connection, int, object]] = {}


def schema_version(conn: sqlite3.Connection) -> int | None:
    """litbalint's schema version in this database, or None when it is not a corpus."""
    try:
        row = conn.execute(SCHEMA_SQL).fetchone()
    except sqlite3.Error:  # no such table, or unreadable
        return None
    try:
        return int(row[0]) if row else None
    except (TypeError, ValueError):
        return None


async def is_corpus(datasette, database: str) -> bool:
    db = datasette.databases.get(database)
    if db is None or database == "_internal":
        return False
    try:
        return await db.execute_fn(schema_version) is not None
    except Exception:  # an unreadable file: served plainly by Datasette
        return False


async def corpus_names(datasette) -> list[str]:
    """The served databases with litbalint's schema, in the order they were given."""
    return [name for name in list(datasette.databases) if await is_corpus(datasette, name)]


async def search_path(datasette, database: str) -> str:
    """The search page of a corpus: `/-/search` for the first one served, `/<db>/-/search`
    for the others (both work for the first)."""
    names = await corpus_names(datasette)
    if names and names[0] == database:
        return str(datasette.urls.path(SEARCH_PATH))
    return str(datasette.urls.database(database)) + SEARCH_PATH


async def read_snapshot(datasette, database: str, read: Callable[[sqlite3.Connection], T]) -> T:
    """`read(conn)` in one read transaction of `database`, under the instance's SQL time limit;
    raises sqlite3 errors (time limit included) and KeyError for an unknown database."""
    time_limit = datasette.setting("sql_time_limit_ms")

    def in_transaction(conn: sqlite3.Connection) -> T:
        try:
            conn.execute("BEGIN")
            with sqlite_timelimit(conn, time_limit):
                return read(conn)
        finally:  # never leave a connection holding an old snapshot
            if conn.in_transaction:
                conn.execute("ROLLBACK")

    return await datasette.get_database(database).execute_fn(in_transaction)


def unchanged_since(conn: sqlite3.Connection, key: str, compute: Callable[[], T]) -> T:
    """`compute()`, or what it returned last time on this connection if nothing was committed
    to the database since (`PRAGMA data_version` is the same): a harvest writing the served
    file shows in the next page, an unchanged file costs nothing."""
    version = conn.execute("PRAGMA data_version").fetchone()[0]
    kept = _computed.get((id(conn), key))
    if kept is not None and kept[0] is conn and kept[1] == version:
        return kept[2]  # type: ignore[return-value]
    value = compute()
    if len(_computed) >= MAX_CACHED:
        _computed.clear()
    _computed[(id(conn), key)] = (conn, version, value)
    return value
