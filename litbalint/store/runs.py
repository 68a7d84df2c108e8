"""The harvest log: one row per run, one per topic window, and what they found."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from litbalint.store.articles import inserted_id, now

COUNTERS = (
    "found",
    "records_new",
    "records_updated",
    "records_unchanged",
    "records_deleted",
    "new_edges",
    "requests",
    "retries",
    "retried",
    "records_left",
    "links_left",
    "titles_left",
    "links_refreshed",
    "topics_dropped",
)


def start_run(db: Database, mode: str, topics: list[str]) -> int:
    """A new run, status 'running'; earlier runs still 'running' were killed: 'interrupted'."""
    db.execute("UPDATE harvest_runs SET status = 'interrupted' WHERE status = 'running'")
    cursor = db.execute(
        "INSERT INTO harvest_runs (started_at, mode, topics, status) VALUES (?, ?, ?, 'running')",
        [now(), mode, json.dumps(topics)],
    )
    return inserted_id(cursor)


def record_window(
    db: Database, run_id: int, topic: str, date_from: str, date_to: str, found: int
) -> None:
    db.execute(
        "INSERT OR REPLACE INTO harvest_windows (run_id, topic, date_from, date_to, found) "
        "VALUES (?, ?, ?, ?, ?)",
        [run_id, topic, date_from, date_to, found],
    )
    db.execute(
        "UPDATE harvest_runs SET window_from = min(coalesce(window_from, ?), ?), "
        "window_to = max(coalesce(window_to, ?), ?) WHERE id = ?",
        [date_from, date_from, date_to, date_to, run_id],
    )


def add_counts(db: Database, run_id: int, **counts: int) -> None:
    names = [name for name in counts if name in COUNTERS]
    if names:
        assignments = ", ".join(f"{name} = {name} + ?" for name in names)
        db.execute(
            f"UPDATE harvest_runs SET {assignments} WHERE id = ?",
            [*(counts[n] for n in names), run_id],
        )


def finish_run(
    db: Database,
    run_id: int,
    status: str,
    gaps: list[int],
    error: str | None,
    requests: int,
    retries: int,
    given_up: list[int] | None = None,
) -> None:
    db.execute(
        "UPDATE harvest_runs SET finished_at = ?, status = ?, gaps = ?, error = ?, requests = ?, "
        "retries = ?, given_up = ? WHERE id = ?",
        [
            now(),
            status,
            json.dumps(gaps),
            error,
            requests,
            retries,
            json.dumps(sorted(given_up or [])),
            run_id,
        ],
    )


def record_query_notes(db: Database, run_id: int, notes: dict[str, dict]) -> None:
    """How PubMed read each topic's query: {topic: {translation, warnings, errors}}."""
    db.execute(
        "UPDATE harvest_runs SET query_notes = ? WHERE id = ?",
        [json.dumps(notes, ensure_ascii=False), run_id],
    )


def last_window_end(db: Database, topic: str) -> str | None:
    """Where the last successful run's window for this topic ended (YYYY/MM/DD)."""
    row = db.execute(
        "SELECT max(w.date_to) FROM harvest_windows w JOIN harvest_runs r ON r.id = w.run_id "
        "WHERE w.topic = ? AND r.status = 'ok'",
        [topic],
    ).fetchone()
    return row[0] if row else None


def read_window_ends(path: Path) -> dict[str, str]:
    """last_window_end for every topic, read without writing anything (no database file is
    created, no WAL or lock): {} when there is no database yet."""
    if not path.exists():
        return {}
    # with a -wal beside it (a writer is about) read through it; else immutable, which creates
    # no -wal/-shm files (mode=ro alone would)
    wal = path.with_name(path.name + "-wal").exists()
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?{'mode=ro' if wal else 'immutable=1'}", uri=True
        )
    except sqlite3.Error:
        return {}
    try:
        rows = conn.execute(
            "SELECT w.topic, max(w.date_to) FROM harvest_windows w "
            "JOIN harvest_runs r ON r.id = w.run_id WHERE r.status = 'ok' GROUP BY w.topic"
        ).fetchall()
    except sqlite3.Error:  # not a litbalint database, or no harvest yet
        return {}
    finally:
        conn.close()
    return {topic: end for topic, end in rows if end}


def run_row(db: Database, run_id: int) -> dict:
    cursor = db.execute("SELECT * FROM harvest_runs WHERE id = ?", [run_id])
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))
