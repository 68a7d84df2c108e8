"""Schema migrations: every change to the schema is a named step, applied in order.

The steps are `sqlite_utils.Migrations` ("litbalint"); `_sqlite_migrations` records which
ones a database has, and when. The first, `schema_9`, is the baseline: it creates schema 9
(schema.py's TABLES) in a new database, and brings a database of an older numbered schema
(1-8, litbalint before named migrations) up to it by the same ALTERs and CREATEs as before
(kept: a harvested database cannot be made again from local files, and the path is small and
tested). A database that says schema 9 in `litbalint_meta` but has no record of steps was made
by the last litbalint before them: it has the baseline, so the step does nothing there and is
recorded. A later change is one more `@step` function below, never an edit of TABLES (which
stays schema 9) nor of a step already released; the view `article_search` is made again
after the steps, with every column `articles` has then. Each step also moves
`litbalint_meta.schema_version` on by one (9 + the steps after the baseline), so a litbalint of
before named migrations refuses a database changed since.

When: the store applies the pending steps when it opens a database for writing (`build`,
`import`, `harvest`, `upgrade`), all of them in one IMMEDIATE transaction: they commit together
or not at all, and a site reading the file meanwhile (WAL) sees the old schema or the new,
never a mix. Readers never migrate: `stats`, `export`, `embed`, `serve` and the site refuse a
database with pending steps, naming `litbalint upgrade`. A database with steps this litbalint
does not know (made by a newer one) is refused by every command with one line (exit code 1).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from litbalint.errors import DatabaseUnavailable
from litbalint.store.schema import (
    BASELINE_VERSION,
    create_tables,
    remake_search_view,
    schema_version,
)

MIGRATIONS = sqlite_utils.Migrations("litbalint")
STEPS: list[str] = []  # every step's name, in order


def step(fn: Callable[[sqlite_utils.Database], None]) -> Callable[[sqlite_utils.Database], None]:
    """Register `fn` as the next migration, named after the function."""
    STEPS.append(fn.__name__)
    return MIGRATIONS(name=fn.__name__)(fn)


@step
def schema_9(db: sqlite_utils.Database) -> None:
    """The baseline: create schema 9, or upgrade a schema 1-8 database to it."""
    if schema_version(db) != BASELINE_VERSION:
        create_tables(db)


# The next change: `@step def name(db): ...` here, and a test that upgrades schema9.db with it.

SCHEMA_VERSION = BASELINE_VERSION + len(STEPS) - 1  # what litbalint_meta says when up to date


def pending(db: sqlite_utils.Database, path: Path) -> list[str]:
    """The steps this database still needs (reads only; a database of schema 9 made before
    steps were recorded has the baseline); refuses a database made by a newer litbalint."""
    found = schema_version(db)
    applied = [migration.name for migration in MIGRATIONS.applied(db)]
    unknown = [name for name in applied if name not in STEPS]
    if unknown or (found or 0) > SCHEMA_VERSION:
        raise DatabaseUnavailable(
            f"{path}: made by a newer litbalint (schema {found}"
            + (f", migrations {', '.join(unknown)}" if unknown else "")
            + "); upgrade litbalint to use it"
        )
    if found is not None and found >= BASELINE_VERSION and not applied:
        applied = [STEPS[0]]
    return [name for name in STEPS if name not in applied]


def upgrade(db: sqlite_utils.Database, path: Path) -> list[str]:
    """Apply and record the pending steps, all in one transaction; returns their names (the
    baseline's too when it is only recorded)."""
    pending(db, path)  # a newer database: refused before anything is written
    if not MIGRATIONS.pending(db):
        return []
    db.execute("BEGIN IMMEDIATE")  # the write lock first: two writers never both migrate
    try:
        pending(db, path)
        names = [migration.name for migration in MIGRATIONS.pending(db)]  # again, locked
        if names:
            MIGRATIONS.apply(db)
            remake_search_view(db)  # with every column of `articles` after the steps
            db.execute(
                "INSERT OR REPLACE INTO litbalint_meta (key, value) VALUES ('schema_version', ?)",
                [str(SCHEMA_VERSION)],
            )
        db.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise
    return names


def refuse_pending(db: sqlite_utils.Database, path: Path) -> None:
    """For a reader: one line when this database needs steps it will not apply."""
    names = pending(db, path)
    if names:
        raise DatabaseUnavailable(
            f"{path}: made by an older litbalint (schema {schema_version(db)}; needs "
            f"{', '.join(names)}); run `litbalint upgrade --db {path}` once"
        )
