"""Table counts and schema reads: one trip to an SQL thread each, kept until the file changes."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from datasette.app import Datasette

from litbalint.publish import kept_reads
from tests.conftest import get, register_publish_plugin


def small_file(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = wal")
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute('CREATE TABLE "odd ""name" (x)')
        conn.executemany("INSERT INTO notes (text) VALUES (?)", [("a",), ("b",), ("c",)])


def test_counts_in_one_trip_kept_until_a_commit(tmp_path: Path):
    path = tmp_path / "notes.db"
    small_file(path)
    db = Datasette([str(path)]).get_database("notes")
    trips = []
    execute_fn = db.execute_fn

    async def counted(fn):
        trips.append(fn)
        return await execute_fn(fn)

    db.execute_fn = counted
    kept_reads.install(db)

    async def twice() -> list[dict]:
        return [await db.table_counts(5), await db.table_counts(5)]

    first, second = asyncio.run(twice())
    assert first == second == {"notes": 3, 'odd "name': 0}
    assert len(trips) == 1  # both tables in one trip; the second page read what was kept
    with sqlite3.connect(path) as writer:  # the nightly harvest commits
        writer.execute("INSERT INTO notes (text) VALUES ('d')")
    assert asyncio.run(db.table_counts(5)) == {"notes": 4, 'odd "name': 0}
    assert len(trips) == 2


def test_a_count_out_of_time_is_none(tmp_path: Path):
    path = tmp_path / "big.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE big (x)")
        conn.execute(
            "INSERT INTO big SELECT value FROM (WITH RECURSIVE n(value) AS "
            "(SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 300000) SELECT value FROM n)"
        )
        assert kept_reads.count_tables(conn, 0) == {"big": None}
        assert kept_reads.count_tables(conn, 10_000) == {"big": 300_000}


def test_the_database_page_shows_the_counts(tmp_path: Path):
    register_publish_plugin()
    path = tmp_path / "notes.db"
    small_file(path)
    datasette = Datasette([str(path)])
    page = get(datasette, "/notes")
    assert page.status_code == 200
    assert "3 rows" in page.text
    assert datasette.get_database("notes").table_counts.__module__ == kept_reads.__name__
    assert datasette.get_database("notes").table_columns.__module__ == kept_reads.__name__


def test_schema_reads_kept_until_the_schema_changes(tmp_path: Path):
    path = tmp_path / "notes.db"
    small_file(path)
    db = Datasette([str(path)]).get_database("notes")
    kept_reads.install(db)
    assert asyncio.run(db.table_columns("notes")) == ["id", "text"]
    assert asyncio.run(db.primary_keys("notes")) == ["id"]
    with sqlite3.connect(path) as writer:
        writer.execute("ALTER TABLE notes ADD COLUMN year INTEGER")
    assert asyncio.run(db.table_columns("notes")) == ["id", "text", "year"]
    assert asyncio.run(db.table_names()) == ["notes", 'odd "name']
