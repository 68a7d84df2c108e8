"""One large file is parsed in the worker too, in chunks streamed to the store: the same rows as
in-process, and still all or nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import litbalint.pipeline as pipeline
import litbalint.prepare as prepare
from litbalint.pipeline import import_paths
from litbalint.store import Store
from litbalint.workers import can_fork
from tests.support.synthetic.corpus import generate

from .test_pipeline import content

pytestmark = pytest.mark.skipif(not can_fork(), reason="the worker needs fork")
RECORDS = 240


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """240 records of real PubMed size in one file (~5 MB), and their bilingual documents."""
    folder = tmp_path_factory.mktemp("bigfile")
    generate(RECORDS, folder, seed=11, chinese_share=0.1, per_file=RECORDS, shape="real")
    return folder


def imported(db: Path, files: list[Path], worker: bool | None, monkeypatch) -> list:
    used = []

    def stream(files, worker):  # noqa: ANN001, ANN202
        used.append(worker)
        return original(files, worker)

    original = pipeline.prepared_stream
    monkeypatch.setattr(pipeline, "prepared_stream", stream)
    monkeypatch.setattr(prepare, "CHUNK_RECORDS", 25)  # ten chunks: several in the queue
    with Store(db) as store:
        reports = import_paths(store, files, worker=worker)
    monkeypatch.undo()
    assert used == [worker if worker is not None else True]
    return reports


def test_one_large_file_goes_through_the_worker_with_the_same_rows(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (big,) = sorted((corpus / "pubmed").glob("*.xml"))
    assert big.stat().st_size >= pipeline.WORKER_MIN_BYTES
    alone = imported(tmp_path / "alone.db", [big], False, monkeypatch)
    helped = imported(tmp_path / "helped.db", [big], None, monkeypatch)  # the default: worker
    assert [(r.path, r.records, r.refused) for r in alone] == [
        (r.path, r.records, r.refused) for r in helped
    ]
    assert alone[0].records == RECORDS and alone[0].ok
    first = content(tmp_path / "alone.db")
    assert first == content(tmp_path / "helped.db")
    assert len(first["reference_lists"]) > 25 * RECORDS  # ~35 references a record
    assert len(first["authors"]) >= 6 * RECORDS
    assert len(first["mesh_headings"]) >= 9 * RECORDS


def test_a_large_file_and_its_translations_same_rows_both_ways(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [*sorted((corpus / "zh").glob("*.txt")), *sorted((corpus / "pubmed").glob("*.xml"))]
    alone = imported(tmp_path / "alone.db", files, False, monkeypatch)
    helped = imported(tmp_path / "helped.db", files, True, monkeypatch)
    assert [(r.path, r.records, r.refused, r.aligned) for r in alone] == [
        (r.path, r.records, r.refused, r.aligned) for r in helped
    ]
    assert sum(r.aligned for r in helped) >= 10
    assert content(tmp_path / "alone.db") == content(tmp_path / "helped.db")


def test_the_default_worker_for_one_file_only_when_it_is_large(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = sorted((corpus / "zh").glob("*.txt"))[0]
    used = []

    def nothing(files, worker):  # noqa: ANN001, ANN202
        used.append(worker)
        yield from ()

    monkeypatch.setattr(pipeline, "prepared_stream", nothing)
    with Store(tmp_path / "t.db") as store:
        import_paths(store, [small])
        import_paths(store, [next((corpus / "pubmed").glob("*.xml"))])
    assert used == [False, True]


def test_a_large_file_failing_part_way_in_the_worker_keeps_none_of_its_records(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (big,) = sorted((corpus / "pubmed").glob("*.xml"))
    original, chunks = prepare.prepare_chunk, []

    def failing(records):  # noqa: ANN001, ANN202
        chunks.append(len(records))
        if len(chunks) == 6:  # the store has saved five chunks of the file by now
            raise RuntimeError("simulated")
        return original(records)

    monkeypatch.setattr(prepare, "prepare_chunk", failing)  # the forked worker has it too
    monkeypatch.setattr(prepare, "CHUNK_RECORDS", 25)
    with Store(tmp_path / "t.db") as store:
        (report,) = import_paths(store, [big])
    assert report.refused is not None and "(RuntimeError: simulated)" in report.refused
    db = sqlite3.connect(tmp_path / "t.db")
    for table in ("articles", "import_files", "reference_lists", "citations", "articles_fts"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
