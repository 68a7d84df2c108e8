"""Schema migrations (litbalint/store/migrations.py): a database made by the last release of
schema 9 (tests/fixtures/schema9.db) is upgraded without losing a row; a second open does
nothing; a failing step leaves nothing half-applied; readers never migrate; a database made by
a newer litbalint is refused with one line."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlite_utils

from litbalint.errors import DatabaseUnavailable, LitbalintError
from litbalint.store import SCHEMA_VERSION, Store, migrations
from litbalint.store.schema import BASELINE_VERSION
from tests.conftest import FIXTURES, error_line, run

SCHEMA9 = FIXTURES / "schema9.db"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    return Path(shutil.copy(SCHEMA9, tmp_path / "old.db"))


def query(db: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def counts(db: Path) -> dict[str, int]:
    """Rows of every table (the full-text index's own tables too), but the migrations'."""
    names = [row[0] for row in query(db, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {n: query(db, f'SELECT count(*) FROM "{n}"')[0][0] for n in names if n[0] != "_"}


def dump(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return list(conn.iterdump())


def digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def recorded(db: Path) -> list[str]:
    return [row[0] for row in query(db, "SELECT name FROM _sqlite_migrations ORDER BY id")]


def test_the_fixture_is_schema_9_of_every_kind() -> None:
    assert SCHEMA9.stat().st_size < 1_000_000
    assert query(SCHEMA9, "SELECT value FROM litbalint_meta WHERE key = 'schema_version'") == [
        ("9",)
    ]
    assert "_sqlite_migrations" not in counts(SCHEMA9) and not query(
        SCHEMA9, "SELECT 1 FROM sqlite_master WHERE name = '_sqlite_migrations'"
    )
    found = counts(SCHEMA9)
    for table in (
        *("articles", "abstract_sections", "alignments", "alignment_beads", "citations"),
        *("import_files", "article_sources", "harvest_runs", "harvest_windows", "harvest_todo"),
        *("links_fetched", "learned_lexicon", "article_vectors", "articles_fts"),
    ):
        assert found[table] > 0, table


def test_a_schema_9_database_is_upgraded_without_losing_rows(copy: Path) -> None:
    before = counts(copy)
    with Store(copy) as store:
        assert store.migrated == ["schema_9"]  # the baseline: recognised, recorded, not run
    assert counts(copy) == before
    assert recorded(copy) == ["schema_9"]
    assert query(copy, "SELECT value FROM litbalint_meta WHERE key = 'schema_version'") == [
        (str(SCHEMA_VERSION),)
    ]
    assert query(copy, "SELECT title_zh FROM articles WHERE id = 1")[0][0].startswith(
        "新冠疫情期间的虚拟巴林特小组"
    )
    assert query(copy, "SELECT status, found, records_new FROM harvest_runs") == [("ok", 12, 11)]
    assert query(copy, "SELECT count(*) FROM article_search WHERE articles_fts MATCH '巴林特'") == [
        (5,)
    ]
    assert query(copy, "SELECT count(*) FROM sentence_pairs") == [(71,)]
    result = run("stats", "--db", copy, "--json")
    assert result.exit_code == 0 and '"with_chinese": 7' in result.output
    snapshot = dump(copy)
    with Store(copy) as again:  # a second open: nothing to do, nothing written
        assert again.migrated == []
    assert dump(copy) == snapshot and recorded(copy) == ["schema_9"]


def test_a_new_database_gets_every_step(tmp_path: Path) -> None:
    with Store(tmp_path / "new.db") as store:
        assert store.migrated == migrations.STEPS
        assert "articles_fts" in store.db.table_names()
    assert recorded(tmp_path / "new.db") == migrations.STEPS


def test_an_older_numbered_schema_takes_the_baseline(copy: Path) -> None:
    """Schema 1-8 (before recorded migrations): the baseline step runs its ALTERs and CREATEs."""
    with closing(sqlite3.connect(copy)) as conn, conn:
        conn.execute("DROP INDEX articles_without_english")  # schema 8's
        conn.execute("UPDATE litbalint_meta SET value = '7' WHERE key = 'schema_version'")
    before = counts(copy)
    result = run("stats", "--db", copy)  # a reader: refuses, names the command that upgrades
    assert result.exit_code == 1
    assert "older litbalint (schema 7; needs schema_9)" in error_line(result)
    assert "litbalint upgrade --db" in error_line(result)
    result = run("upgrade", "--db", copy)
    assert result.exit_code == 0, result.output
    assert result.output == f"{copy}: schema {SCHEMA_VERSION}, applied schema_9\n"
    assert counts(copy) == before
    assert query(copy, "SELECT 1 FROM sqlite_master WHERE name = 'articles_without_english'")
    assert run("upgrade", "--db", copy).output.endswith("already up to date\n")
    assert run("stats", "--db", copy).exit_code == 0


def _broken(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE half_done (x)")
    db.execute("ALTER TABLE articles ADD COLUMN half_done TEXT")
    db.execute("UPDATE articles SET title_en = 'changed'")
    db.execute("SELECT no_such_column FROM articles")  # fails after three changes


def _with_step(monkeypatch: pytest.MonkeyPatch, fn) -> None:
    """The migrations as released plus one more step, `fn`."""
    steps = sqlite_utils.Migrations("litbalint")
    steps(name="schema_9")(migrations.schema_9)
    steps(name=fn.__name__)(fn)
    monkeypatch.setattr(migrations, "MIGRATIONS", steps)
    monkeypatch.setattr(migrations, "STEPS", [*migrations.STEPS, fn.__name__])
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", BASELINE_VERSION + 1)


def test_a_failing_step_leaves_nothing_half_applied(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_step(monkeypatch, _broken)
    snapshot = dump(copy)
    with pytest.raises(LitbalintError, match="no such column: no_such_column"):
        Store(copy)
    assert dump(copy) == snapshot  # neither the failing step nor the baseline's record
    assert not query(copy, "SELECT 1 FROM sqlite_master WHERE name = '_sqlite_migrations'")


def added_note(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE articles ADD COLUMN note TEXT")


def test_a_later_step_is_applied_once_and_a_reader_sees_before_or_after(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_step(monkeypatch, added_note)
    with closing(sqlite3.connect(copy)) as conn:  # WAL, as a served file a harvest writes
        conn.execute("PRAGMA journal_mode = WAL")
    site = sqlite3.connect(f"file:{copy}?mode=ro", uri=True, isolation_level=None)
    site.execute("BEGIN")
    site.execute("SELECT count(*) FROM articles").fetchone()  # a page's snapshot, under way
    with Store(copy) as store:
        assert store.migrated == ["schema_9", "added_note"]
        assert (
            "a.note"
            in store.db.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'article_search'"
            ).fetchone()[0]
        )  # the view is made again with the new column
    columns = "SELECT name FROM pragma_table_info('articles') WHERE name = 'note'"
    assert site.execute(columns).fetchall() == []  # before
    site.execute("COMMIT")
    assert site.execute(columns).fetchall() == [("note",)]  # after
    site.close()
    assert recorded(copy) == ["schema_9", "added_note"]
    assert query(copy, "SELECT value FROM litbalint_meta WHERE key = 'schema_version'") == [("10",)]
    with Store(copy) as again:
        assert again.migrated == []


def test_a_database_of_a_newer_litbalint_is_refused(copy: Path) -> None:
    with Store(copy):
        pass
    with closing(sqlite3.connect(copy)) as conn, conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('litbalint', 'from_the_future', '2027-01-01')"
        )
    snapshot = digest(copy)
    for command in (["stats"], ["upgrade"], ["import", SCHEMA9.parent / "pubmed"], ["serve"]):
        result = run(*command, "--db", copy)
        assert result.exit_code == 1, command
        line = error_line(result)
        assert line == (
            f"Error: {copy}: made by a newer litbalint (schema 9, migrations from_the_future); "
            "upgrade litbalint to use it"
        )
    assert digest(copy) == snapshot  # nothing written


def test_a_newer_schema_number_without_records_is_refused(copy: Path) -> None:
    with closing(sqlite3.connect(copy)) as conn, conn:
        conn.execute("UPDATE litbalint_meta SET value = '12' WHERE key = 'schema_version'")
    with pytest.raises(DatabaseUnavailable, match="newer litbalint .schema 12.; upgrade"):
        Store(copy)


def test_readers_never_migrate(copy: Path) -> None:
    snapshot = digest(copy)
    assert run("stats", "--db", copy).exit_code == 0  # schema 9: the baseline is recognised
    assert run("export", "--db", copy, "--format", "tsv").exit_code == 0
    with Store(copy, create=False) as reader:
        assert reader.migrated == []
    assert digest(copy) == snapshot
    assert not query(copy, "SELECT 1 FROM sqlite_master WHERE name = '_sqlite_migrations'")
