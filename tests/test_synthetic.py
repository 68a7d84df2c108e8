"""The benchmark corpus (tests/support/synthetic/corpus.py, scripts/make_synthetic.py) is
deterministic and litbalint reads all of it: every PubMed record, every bilingual document
merged into its record by PMID and aligned, the perturbed abstracts are the ones whose sentence
counts differ, and its fingerprint counts what an import stores."""

from __future__ import annotations

from pathlib import Path

from litbalint.align.segment import split_paragraphs
from litbalint.pipeline import expand_paths, import_paths
from litbalint.store import Store, alignments
from tests.support.synthetic.corpus import fingerprint_line, generate

RECORDS = 240


def _records(folder: Path) -> list[str]:
    """The PubmedArticle elements of a corpus, in order (one per line)."""
    paths = sorted((folder / "pubmed").glob("*.xml"))
    return [line for p in paths for line in p.read_text().splitlines() if "<PubmedArticle>" in line]


def _documents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (folder / "zh").iterdir()}


def test_same_arguments_same_bytes_whatever_the_file_size(tmp_path: Path) -> None:
    first = generate(RECORDS, tmp_path / "a", seed=7, chinese_share=0.2, per_file=100)
    second = generate(RECORDS, tmp_path / "b", seed=7, chinese_share=0.2, per_file=RECORDS)
    assert (first["files"], second["files"]) == (3, 1)
    assert first["fingerprint"] == second["fingerprint"]
    assert fingerprint_line(first).startswith(f"synthetic corpus: {RECORDS} records, ")
    assert first | {"arguments": None, "files": None} == second | {"arguments": None, "files": None}
    assert len(_records(tmp_path / "a")) == RECORDS
    assert _records(tmp_path / "a") == _records(tmp_path / "b")
    assert _documents(tmp_path / "a") == _documents(tmp_path / "b")


def test_litbalint_reads_and_merges_everything(tmp_path: Path) -> None:
    manifest = generate(RECORDS, tmp_path / "corpus", seed=3, chinese_share=0.25, per_file=100)
    assert manifest["bilingual"] == manifest["suppr"] + manifest["plain"] > 20
    assert 0 < manifest["perturbed"] < manifest["bilingual"]
    with Store(tmp_path / "test.db") as store:
        reports = import_paths(store, expand_paths([tmp_path / "corpus"]))
        assert [r.path for r in reports if not r.ok] == []
        assert {r.format for r in reports} == {"pubmed_xml", "suppr", "plain"}
        stats = store.stats()
        assert stats.articles == RECORDS
        assert stats.with_chinese == manifest["bilingual"]
        db = store.db
        assert db.execute("SELECT count(*) FROM alignments").fetchone()[0] == manifest["bilingual"]
        shape = manifest["fingerprint"]
        assert (shape["records"], shape["chinese_files"]) == (RECORDS, manifest["bilingual"])
        entries = db.execute("SELECT count(*) FROM reference_lists").fetchone()[0]
        assert entries == shape["references"]
        stubs = (  # of the reference lists (Suppr pages' related lists add a few more)
            "SELECT count(DISTINCT c.cited_id) FROM citations c "
            "JOIN articles b ON b.id = c.cited_id "
            "WHERE c.kind = 'references' AND c.source = 'pubmed' AND b.is_stub = 1"
        )
        assert db.execute(stubs).fetchone()[0] == shape["stubs"] > 0
        differ = 0
        for (article_id,) in db.execute("SELECT article_id FROM alignments").fetchall():
            en, zh = alignments.abstract_sections(store.db, article_id)
            counts = [
                sum(len(split_paragraphs(s.text, lang)) for s in sections)
                for sections, lang in ((en, "en"), (zh, "zh"))
            ]
            differ += counts[0] != counts[1]
        assert differ == manifest["perturbed"]
        # the Chinese documents carry the PMID: no article exists twice
        assert db.execute(
            "SELECT count(*) FROM articles WHERE is_stub = 0 AND pmid IS NULL"
        ).fetchone() == (0,)
