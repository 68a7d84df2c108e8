"""The database page's table counts in one trip to an SQL thread, kept until the file changes.

Datasette counts each table of a mutable database in its own query (`Database.table_counts`),
each waiting its turn in the SQL threads' queue: with 26 tables, the database page took 2-3 s
under load. Here all tables are counted in one `execute_fn`, each count under the same time
limit as Datasette's (None when it runs out, shown as "many rows"), and the result is kept for
as long as the file and its write-ahead log keep their size and modification time: a commit
(the nightly harvest) changes the log, so the next page counts again.
"""

from __future__ import annotations

import os
import sqlite3

from datasette.utils import sqlite_timelimit

FileState = tuple[tuple[int, int], ...]


def file_state(path: str) -> FileState:
    """Size and modification time of the database file and of its -wal when that holds pages
    (an empty one is created by the first reader, and left by a truncating checkpoint)."""
    state = []
    for name in (path, path + "-wal"):
        try:
            stat = os.stat(name)
        except OSError:
            continue
        if stat.st_size or name == path:
            state.append((stat.st_size, stat.st_mtime_ns))
    return tuple(state)


def count_tables(conn: sqlite3.Connection, limit_ms: int) -> dict[str, int | None]:
    """Every table's row count; None for a table not counted within `limit_ms`."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    counts: dict[str, int | None] = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        try:
            with sqlite_timelimit(conn, limit_ms):
                counts[name] = conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]
        except (sqlite3.OperationalError, sqlite3.DatabaseError):
            counts[name] = None
    return counts


def install(db) -> None:
    """Give one served mutable file this `table_counts` in place of Datasette's own."""
    if not db.is_mutable or db.is_memory or not db.path:
        return
    kept: dict[tuple[FileState, int], dict[str, int | None]] = {}

    async def table_counts(limit: int = 10) -> dict[str, int | None]:
        key = (file_state(db.path), limit)
        if key not in kept:
            counts = await db.execute_fn(lambda conn: count_tables(conn, limit))
            kept.clear()
            kept[key] = counts
        return dict(kept[key])

    db.table_counts = table_counts
