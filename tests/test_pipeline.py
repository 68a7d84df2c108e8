"""The import pipeline: parsing in a worker process, batched commits, background alignment."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import litbalint.pipeline as pipeline
from litbalint.pipeline import corpus_files, import_paths
from litbalint.prepare import FileEnd, FileStart, RecordChunk, prepare_file
from litbalint.store import Store
from litbalint.zh import segment_for_index
from tests.support.content import content_queries

from .conftest import FIXTURES, seed
from .test_store import pubmed_xml, write


def content(path: Path) -> dict[str, list]:
    """Every table's rows without timestamps, in order: equal for equal imports."""
    db = sqlite3.connect(path)
    found = {name: db.execute(query).fetchall() for name, query in content_queries(db)}
    db.close()
    return found


def build(path: Path, files: list[Path], worker: bool) -> list:
    with Store(path) as store:
        return import_paths(store, files, worker=worker)


def test_worker_and_in_process_imports_write_the_same_rows(tmp_path: Path) -> None:
    files = [*corpus_files(), *sorted((FIXTURES / "pubmed").glob("*.xml"))]
    alone = build(tmp_path / "alone.db", files, worker=False)
    helped = build(tmp_path / "helped.db", files, worker=True)
    assert [(r.path, r.records, r.aligned, r.refused) for r in alone] == [
        (r.path, r.records, r.aligned, r.refused) for r in helped
    ]
    # the five bilingual seeds, and one again when its PubMed record brings other English
    assert [r.aligned for r in helped] == [1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0]
    assert content(tmp_path / "alone.db") == content(tmp_path / "helped.db")


def test_a_refused_file_in_a_batch_leaves_the_others(tmp_path: Path) -> None:
    missing = tmp_path / "gone.xml"
    files = [seed("000"), FIXTURES / "bad" / "pubmed_cut_off.xml", missing, seed("001")]
    reports = build(tmp_path / "t.db", files, worker=True)
    assert [r.refused is None for r in reports] == [True, True, False, True]
    assert reports[2].refused == f"{missing}: no such file"
    assert reports[1].problems and reports[1].problems[0].startswith(
        "tests/fixtures/bad/pubmed_cut_off.xml:25: "
    )
    db = sqlite3.connect(tmp_path / "t.db")
    assert db.execute("SELECT count(*) FROM import_files").fetchone() == (3,)
    assert db.execute("SELECT count(*) FROM alignments WHERE beads > 0").fetchone() == (2,)


def test_a_file_that_fails_part_way_keeps_none_of_its_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = pipeline._save_record
    calls = []

    def failing(store, record, report, *rest):
        calls.append(report.path)
        if "001_" in report.path:
            raise RuntimeError("simulated")
        original(store, record, report, *rest)

    monkeypatch.setattr(pipeline, "_save_record", failing)
    reports = build(tmp_path / "t.db", [seed("000"), seed("001"), seed("002")], worker=False)
    assert [r.refused is None for r in reports] == [True, False, True]
    assert "litbalint failed on it (RuntimeError: simulated)" in reports[1].refused
    db = sqlite3.connect(tmp_path / "t.db")
    paths = [row[0] for row in db.execute("SELECT path FROM import_files ORDER BY id")]
    assert len(paths) == 2 and not any("001_" in p for p in paths)


def test_an_alignment_that_fails_is_a_problem_not_a_lost_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(en, zh):
        raise ValueError("simulated")

    monkeypatch.setattr(pipeline, "align_sections", broken)
    (report,) = build(tmp_path / "t.db", [seed("000")], worker=False)
    assert report.refused is None and report.records == 1 and report.aligned == 0
    assert report.problems == [
        f"{report.path}: article 1 could not be aligned (ValueError: simulated); "
        "please report this with the file"
    ]
    db = sqlite3.connect(tmp_path / "t.db")
    assert db.execute("SELECT count(*) FROM articles WHERE has_zh = 1").fetchone() == (1,)
    assert db.execute("SELECT count(*) FROM alignments").fetchone() == (0,)


def test_prepare_file_segments_the_chinese_a_record_brings() -> None:
    items = list(prepare_file(seed("000"), "seed"))
    assert [type(item) for item in items] == [FileStart, RecordChunk, FileEnd]
    start, chunk, end = items
    assert start.format in {"suppr", "plain"} and len(start.sha256) == 64
    assert end.refused is None
    (article,) = chunk.records
    assert article.title_zh and article.title_zh in chunk.segments
    assert chunk.segments[article.title_zh] == segment_for_index(article.title_zh)
    assert all(any("\u4e00" <= c <= "\u9fff" for c in text) for text in chunk.segments)


def test_prepare_file_refuses_unreadable_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert list(prepare_file(tmp_path / "none.txt", "none.txt")) == [
        FileEnd("none.txt", "none.txt: no such file")
    ]
    (end,) = list(prepare_file(empty, "empty.txt"))
    assert end == FileEnd("empty.txt", "empty.txt: the file is empty; nothing to import")


@pytest.mark.parametrize("worker", [False, True])
def test_an_article_folded_into_another_in_the_same_batch(tmp_path: Path, worker: bool) -> None:
    """The DOI-only page is aligned, then (same batch) folded into the PMID row: the pending
    alignment goes to the kept row, none is saved for the row that is gone."""
    citing = write(tmp_path, "a.xml", pubmed_xml(111, None, "Citing article.", references=(222,)))
    full = write(tmp_path, "b.xml", pubmed_xml(222, "10.1186/s12913-023-09312-y", "Full."))
    reports = build(tmp_path / "t.db", [citing, seed("003"), full], worker=worker)
    assert all(r.ok for r in reports), reports
    db = sqlite3.connect(tmp_path / "t.db")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    (kept,) = db.execute("SELECT id FROM articles WHERE pmid = 222").fetchone()
    assert db.execute("SELECT article_id FROM alignments").fetchall() == [(kept,)]
    assert db.execute(
        "SELECT count(*) FROM alignment_beads WHERE article_id != ?", [kept]
    ).fetchone() == (0,)


def test_stored_paths_are_relative_to_what_was_named(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "server" / "suppr"
    (folder / "2024").mkdir(parents=True)
    (folder / "2024" / "a.txt").write_bytes(seed("001").read_bytes())
    alone = tmp_path / "elsewhere" / "b.txt"
    alone.parent.mkdir()
    alone.write_bytes(seed("002").read_bytes())
    monkeypatch.chdir("/")  # as under cron: a path relative to / would name the server's
    files = [*pipeline.expand_paths([folder]), alone]
    with Store(tmp_path / "x.db") as store:
        reports = import_paths(store, files, worker=False, roots=[folder, alone])
        stored = [row[0] for row in store.db.execute("SELECT path FROM import_files")]
    assert stored == ["suppr/2024/a.txt", "b.txt"]
    assert reports[0].path == str(folder / "2024" / "a.txt")  # messages name the file as given
