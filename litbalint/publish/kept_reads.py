"""A served file's table counts and schema reads, each one trip, kept until the file changes.

Datasette's database page counts each table of a mutable file in its own query and reads each
table's columns, primary keys and full-text table in more: about 80 trips to the SQL threads
for 26 tables, each waiting its turn in their queue (2-3 s under load). Here the counts are
read in one trip, each under Datasette's time limit (None when it runs out, shown as "many
rows"), and these reads are kept for as long as the file and its write-ahead log keep their size
and modification time: a commit (the nightly harvest) changes the log, so the next page reads
again.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from datasette.utils import sqlite_timelimit

FileState = tuple[tuple[int, int], ...]
# Database methods whose answers depend on the schema alone (and the file's contents).
SCHEMA_READS = (
    "table_names",
    "view_names",
    "hidden_table_names",
    "get_all_foreign_keys",
    "table_columns",
    "primary_keys",
    "fts_table",
)


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
    """Give one served mutable file kept counts and schema reads in place of Datasette's."""
    if not db.is_mutable or db.is_memory or not db.path:
        return
    kept: dict[tuple, Any] = {}
    state: list[FileState] = [()]

    def current() -> None:
        now = file_state(db.path)
        if now != state[0]:
            kept.clear()
            state[0] = now

    async def table_counts(limit: int = 10) -> dict[str, int | None]:
        current()
        key = ("table_counts", limit)
        if key not in kept:
            kept[key] = await db.execute_fn(lambda conn: count_tables(conn, limit))
        return dict(kept[key])

    def keep(name: str):
        read = getattr(db, name)

        async def kept_read(*args: Any) -> Any:
            current()
            key = (name, *args)
            if key not in kept:
                kept[key] = await read(*args)
            value = kept[key]
            return type(value)(value) if isinstance(value, (list, dict, set)) else value

        return kept_read

    for name in SCHEMA_READS:
        setattr(db, name, keep(name))
    db.table_counts = table_counts
