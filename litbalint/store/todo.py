"""The harvest's to-do list: PMIDs whose record, links or title a run could not get, asked for
again by the next runs until they come back or `give_up_after` runs tried."""

from __future__ import annotations

import json

from sqlite_utils import Database

STEPS = ("record", "links", "title", "missing")


def failed(
    db: Database,
    run_id: int,
    step: str,
    reasons: dict[int, str],
    give_up_after: int,
    topics_of: dict[int, list[str]] | None = None,
) -> list[int]:
    """Count one more failed attempt for these PMIDs; returns those now given up."""
    topics_of = topics_of or {}
    db.conn.executemany(
        "INSERT INTO harvest_todo (pmid, step, topics, attempts, last_error, first_run, last_run) "
        "VALUES (?, ?, ?, 1, ?, ?, ?) ON CONFLICT (pmid, step) DO UPDATE SET "
        "attempts = attempts + 1, last_error = excluded.last_error, last_run = excluded.last_run, "
        "topics = CASE WHEN excluded.topics = '[]' THEN topics ELSE excluded.topics END",
        [
            (pmid, step, json.dumps(sorted(topics_of.get(pmid, []))), why[:500], run_id, run_id)
            for pmid, why in reasons.items()
        ],
    )
    cursor = db.execute(
        "UPDATE harvest_todo SET given_up = 1 WHERE step = ? AND given_up = 0 AND attempts >= ? "
        "AND pmid IN (SELECT value FROM json_each(?)) RETURNING pmid",
        [step, give_up_after, json.dumps(list(reasons))],
    )
    return sorted(row[0] for row in cursor)


def waiting(db: Database, run_id: int, step: str, pmids: list[int], why: str) -> None:
    """On the list (or still there) without one more attempt: NCBI failed for everything, so
    nothing counts against these PMIDs."""
    db.conn.executemany(
        "INSERT INTO harvest_todo (pmid, step, topics, attempts, last_error, first_run, last_run) "
        "VALUES (?, ?, '[]', 0, ?, ?, ?) ON CONFLICT (pmid, step) DO UPDATE SET "
        "last_error = excluded.last_error, last_run = excluded.last_run",
        [(pmid, step, why[:500], run_id, run_id) for pmid in pmids],
    )


def done(db: Database, step: str, pmids: list[int]) -> None:
    db.conn.executemany(
        "DELETE FROM harvest_todo WHERE step = ? AND pmid = ?", [(step, p) for p in pmids]
    )


def pending(db: Database, step: str) -> dict[int, list[str]]:
    """PMIDs still to do for a step (not given up), with the topics that found them."""
    return {
        pmid: json.loads(topics)
        for pmid, topics in db.execute(
            "SELECT pmid, topics FROM harvest_todo WHERE step = ? AND given_up = 0 ORDER BY pmid",
            [step],
        )
    }


def given_up(db: Database, step: str) -> set[int]:
    return {
        row[0]
        for row in db.execute(
            "SELECT pmid FROM harvest_todo WHERE step = ? AND given_up = 1", [step]
        )
    }
