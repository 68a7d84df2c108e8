"""What `litbalint serve` checks before it starts Datasette: the names the files will be served
under, which of them are litbalint corpora, and whether each can be read the way it will be.

A mutable file is read by Datasette with `?mode=ro`, the way this module reads it: that works
while a harvest or an import writes it in WAL mode, but SQLite needs the file's `-shm` beside
it; when the folder is not writable by the server and no writer holds the file open, a database
in WAL mode cannot be opened read-only at all ("attempt to write a readonly database").
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from litbalint.publish.corpus import schema_version
from litbalint.store.migrations import refuse_pending


def served_names(paths: list[Path]) -> list[str]:
    """The database names Datasette 0.65 gives files (the stem; `_2`, `_3` ... on a clash)."""
    names: list[str] = []
    for path in paths:
        name, number = path.stem, 2
        while name in names or name == "_internal":
            name, number = f"{path.stem}_{number}", number + 1
        names.append(name)
    return names


def read_schema_version(path: Path, mutable: bool) -> int | None:
    """litbalint's schema version in the file (None: not a corpus), read as Datasette will read
    it; raises sqlite3.Error when it cannot be, DatabaseUnavailable for a corpus made by an older
    litbalint (migrations pending: the site never applies them) or a newer one."""
    mode = "mode=ro" if mutable else "immutable=1"
    conn = sqlite3.connect(f"file:{path.resolve()}?{mode}", uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        found = schema_version(conn)
        if found is not None:
            db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
            refuse_pending(db, path)
        return found
    finally:
        conn.close()


def unreadable(path: Path, error: sqlite3.Error, mutable: bool) -> str:
    """One line saying why a file cannot be served, and what to change."""
    if mutable and "readonly" in str(error):
        return (
            f"{path}: cannot be read while it may be written ({error}): a database in WAL mode "
            f"needs its folder writable by this user (SQLite keeps {path.name}-shm there), or "
            "serve a published copy with --immutable"
        )
    return f"{path}: cannot be read as an SQLite database ({error})"
