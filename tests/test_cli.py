"""The `litbalint` command line (build, import, stats) through click's CliRunner.

House rules under test: every error a user can cause gives one clear line on stderr naming the
thing (the file, the database) and a non-zero exit code, never a traceback; each file is imported
in one transaction, so nothing is ever lost or half-written. Every test uses its own database
under tmp_path.
"""

from __future__ import annotations

import codecs
import gzip
import json
import random
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from litbalint.store import Store
from tests.conftest import FIXTURES, SEEDS, error_line, run, seed

BAD = FIXTURES / "bad"
TWO_NBIB = FIXTURES / "medline" / "two_records.nbib"


def stats(db: Path) -> dict:
    result = run("stats", "--db", db, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def query(db: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def dump(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return list(conn.iterdump())


def corpus_count(db: Path) -> int:
    return query(db, "SELECT count(*) FROM articles WHERE is_stub = 0")[0][0]


# -- build ---------------------------------------------------------------------------------------


def test_build_imports_the_five_seeds(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    result = run("build", "--db", db, "--data", SEEDS)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    numbers = stats(db)
    assert numbers["articles"] == 5
    assert numbers["with_chinese"] == 5  # every seed has a 摘要 / Chinese paragraph
    assert numbers["files"] == 5
    assert numbers["by_topic"] == {"balint": 3, "peer_support": 2}  # 000-002 / 003-004
    # 000: 相似文献 lists 5 items, item 1 is the page's own article (no edge): 4 similar;
    #      引用本文的文献 lists 1: 1 cited_by.
    # 003: 相似文献 only shows a count (8), no items; 1 cited_by; 本文引用的文献 lists 2.
    assert numbers["edges_by_kind"] == {"cited_by": 2, "references": 2, "similar": 4}
    assert numbers["stubs"] == 4 + 1 + 1 + 2  # every listed item but the self-link
    assert numbers["by_year"] == {"2020": 1, "2022": 2, "2023": 1, "2024": 1}


def test_second_build_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    assert run("build", "--db", db, "--data", SEEDS).exit_code == 0
    before = dump(db)
    again = run("build", "--db", db, "--data", SEEDS)
    assert again.exit_code == 0, again.output
    assert "5 file(s): 0 new, 0 updated, 5 unchanged, 0 deleted, 0 new edges" in again.stdout
    assert dump(db) == before


def test_build_adds_the_documents_of_the_data_folder(tmp_path: Path) -> None:
    documents = tmp_path / "docs"
    (documents / "more").mkdir(parents=True)
    (documents / "more" / "several.xml").write_bytes(
        (FIXTURES / "pubmed" / "several.xml").read_bytes()
    )
    (documents / "topics.yml").write_text("not a document\n", encoding="utf-8")
    db = tmp_path / "corpus.db"
    result = run("build", "--db", db, "--data", documents)
    assert result.exit_code == 0, result.output
    assert stats(db)["files"] == 6  # the five bundled seeds, then the folder's one document
    assert result.stdout.splitlines()[-3].startswith("6 file(s): ")  # then embed progress, summary


# -- files refused -------------------------------------------------------------------------------


def test_unknown_format_is_refused_and_the_other_files_still_import(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    prose = tmp_path / "notes.txt"
    prose.write_text("Some thoughts on the weekly group.\nNothing more to say.\n", encoding="utf-8")
    result = run("import", prose, seed("001"), "--db", db)
    assert result.exit_code == 1
    line = error_line(result)
    assert str(prose) in line
    assert "not a format litbalint can read" in line
    for accepted in ("Suppr", "plain bilingual text", "PubMed efetch XML", "MEDLINE / .nbib"):
        assert accepted in line
    # the seed was imported; nothing at all was written for the prose file
    assert corpus_count(db) == 1
    assert query(db, "SELECT path, records FROM import_files") == [("seeds/" + seed("001").name, 1)]


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n   \n"], ids=["empty", "whitespace-only"])
def test_empty_file_is_refused(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "corpus.db"
    path = tmp_path / "blank.txt"
    path.write_bytes(content)
    result = run("import", path, "--db", db)
    assert result.exit_code == 1
    assert error_line(result) == f"Error: {path}: the file is empty; nothing to import"
    assert query(db, "SELECT count(*) FROM import_files") == [(0,)]


PNG = bytes.fromhex("89504e470d0a1a0a0000000d494844520000000100000001080600000000") + bytes(64)
NOISE = b"\x00" + random.Random(20240501).randbytes(4095)


@pytest.mark.parametrize("content", [PNG, NOISE], ids=["png", "random-bytes"])
def test_binary_file_is_refused(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "corpus.db"
    path = tmp_path / "scan.txt"  # the name says text; the content decides
    path.write_bytes(content)
    result = run("import", path, "--db", db)
    assert result.exit_code == 1
    line = error_line(result)
    assert line.startswith(f"Error: {path}: binary data")
    assert "accepted formats" in line
    assert query(db, "SELECT count(*) FROM import_files") == [(0,)]


def test_xml_that_is_not_pubmed_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    path = tmp_path / "esearch.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<eSearchResult><Count>2</Count><IdList><Id>1</Id><Id>2</Id></IdList></eSearchResult>\n",
        encoding="utf-8",
    )
    result = run("import", path, "--db", db)
    assert result.exit_code == 1
    line = error_line(result)
    assert str(path) in line
    assert "not PubMed efetch XML" in line
    assert query(db, "SELECT count(*) FROM import_files") == [(0,)]


# -- encodings -----------------------------------------------------------------------------------

ARTICLE_FIELDS = "title_zh, title_en, journal, doi, abstract_zh"

VARIANTS = {
    "gb18030": lambda text: text.encode("gb18030"),
    "utf-8-bom": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "crlf": lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    "utf-16-bom": lambda text: text.encode("utf-16"),  # BOM + native byte order
}


def article_fields(db: Path) -> tuple:
    (row,) = query(db, f"SELECT {ARTICLE_FIELDS} FROM articles WHERE is_stub = 0")
    return row


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_encodings_import_the_same_article(tmp_path: Path, variant: str) -> None:
    original = seed("003").read_bytes()
    assert b"\r" not in original and not original.startswith(codecs.BOM_UTF8)  # UTF-8, LF
    assert run("import", seed("003"), "--db", tmp_path / "original.db").exit_code == 0
    expected = article_fields(tmp_path / "original.db")
    assert expected[1].startswith("Understanding peer support")
    assert expected[3] == "10.1186/s12913-023-09312-y"
    assert expected[4].startswith("背景：医生的健康")

    copy = tmp_path / f"003_{variant}.txt"
    copy.write_bytes(VARIANTS[variant](original.decode("utf-8")))
    db = tmp_path / "variant.db"
    result = run("import", copy, "--db", db)
    assert result.exit_code == 0, result.output
    assert article_fields(db) == expected


# -- partly readable files -----------------------------------------------------------------------


def test_cut_off_pubmed_xml_keeps_the_complete_records(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    result = run("import", BAD / "pubmed_cut_off.xml", "--db", db)
    assert result.exit_code == 1
    line = error_line(result)
    # the file ends on line 25, inside the third record's <ArticleTitle>
    assert "tests/fixtures/bad/pubmed_cut_off.xml:25: " in line
    assert query(db, "SELECT pmid FROM articles ORDER BY pmid") == [(30100001,), (30100002,)]
    assert query(db, "SELECT records, problems FROM import_files") == [(2, 1)]
    assert stats(db)["articles"] == 2


def test_medline_file_imports(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    result = run("import", TWO_NBIB, "--db", db)
    assert result.exit_code == 0, result.output
    assert "medline, 2 record(s)" in result.stdout
    assert query(db, "SELECT pmid, journal, year FROM articles ORDER BY pmid") == [
        (25300002, "J Nurs Adm", 2014),
        (36100001, "Int J Psychiatry Med", 2022),
    ]
    numbers = stats(db)
    assert numbers["articles"] == 2
    assert numbers["stubs"] == 0
    assert numbers["by_year"] == {"2014": 1, "2022": 1}
    assert numbers["by_topic"] == {"balint": 1, "peer_support": 1}


# -- database problems ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["build", "import", "stats"])
def test_db_that_is_not_sqlite_is_refused_and_left_alone(tmp_path: Path, command: str) -> None:
    db = tmp_path / "notes.db"
    db.write_text("my notes, not a database\n", encoding="utf-8")
    args = {
        "build": ["build", "--data", SEEDS],
        "import": ["import", seed("001")],
        "stats": ["stats", "--json"],
    }[command]
    result = run(*args, "--db", db)
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: {db}: not a litbalint SQLite database (or it is damaged); "
        "name another file with --db"
    )
    assert result.stdout == ""
    assert db.read_text(encoding="utf-8") == "my notes, not a database\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]  # no -wal, no -journal


@pytest.mark.parametrize("command", ["build", "import"])
def test_db_in_missing_folder_is_refused(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "no-such-folder"
    args = ["build", "--data", SEEDS] if command == "build" else ["import", seed("001")]
    result = run(*args, "--db", folder / "corpus.db")
    assert result.exit_code == 1
    assert error_line(result) == f"Error: {folder}: folder does not exist; create it first"
    assert not folder.exists()


def test_stats_on_missing_db_says_to_build(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    result = run("stats", "--db", db)
    assert result.exit_code == 1
    line = error_line(result)
    assert line.startswith(f"Error: {db}: no database here")
    assert "run `litbalint build`" in line
    assert not db.exists()  # stats never creates a database


def test_stats_on_another_sqlite_db_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE mine (x)")
        conn.commit()
    result = run("stats", "--db", db)
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: {db}: an SQLite database that is not litbalint's; name a new file with --db"
    )


@pytest.fixture
def quick_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Store has no setting for its 5 s `PRAGMA busy_timeout`; wait 50 ms instead."""
    original = Store.__init__

    def init(self: Store, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        self.db.execute("PRAGMA busy_timeout = 50")

    monkeypatch.setattr(Store, "__init__", init)


@pytest.mark.usefixtures("quick_busy_timeout")
def test_locked_db_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    assert run("import", seed("001"), "--db", db).exit_code == 0
    before = dump(db)
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        result = run("import", seed("002"), "--db", db)
    finally:
        holder.close()
    assert result.exit_code == 1
    line = error_line(result)
    assert line.startswith("Error: seeds/002_")
    assert f"not imported: {db}: the database is locked" in line
    assert "try again" in line
    assert dump(db) == before
    # once the other writer is gone the same command works
    assert run("import", seed("002"), "--db", db).exit_code == 0
    assert corpus_count(db) == 2


def fail_on_second_record(monkeypatch: pytest.MonkeyPatch) -> list:
    """Make Store.save_article raise a disk error on the second record; returns the calls."""
    original = Store.save_article
    calls: list = []

    def save_article(self: Store, *args: object, **kwargs: object):
        calls.append(args)
        if len(calls) == 2:
            raise sqlite3.OperationalError("disk I/O error")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Store, "save_article", save_article)
    return calls


def test_failing_file_leaves_no_half_written_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "corpus.db"
    assert run("import", seed("001"), "--db", db).exit_code == 0
    before = dump(db)

    with monkeypatch.context() as patch:
        calls = fail_on_second_record(patch)
        result = run("import", TWO_NBIB, "--db", db)

    assert len(calls) == 2  # the first record was saved, then the disk failed
    assert result.exit_code == 1
    line = error_line(result)
    assert line.startswith("Error: ") and "two_records.nbib: not imported: " in line
    assert line.endswith(f"{db}: disk I/O error; check free disk space and the file system")
    assert dump(db) == before  # not the first record, not the import_files row
    # nothing remembers the failed file: importing it again imports both records
    again = run("import", TWO_NBIB, "--db", db)
    assert again.exit_code == 0
    assert "2 new" in again.stdout
    assert corpus_count(db) == 3


def test_file_rolled_back_by_a_database_error_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "corpus.db"
    fail_on_second_record(monkeypatch)
    result = run("import", TWO_NBIB, "--db", db)
    assert result.exit_code == 1
    assert "two_records.nbib" in error_line(result)


# -- known crashes -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["GB2312", "no-such-encoding"])
def test_xml_with_an_unreadable_encoding_declaration_is_refused(
    tmp_path: Path, encoding: str
) -> None:
    db = tmp_path / "corpus.db"
    path = tmp_path / "efetch.xml"
    path.write_bytes(
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<ArticleTitle>巴林特小组</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>\n".encode("gb2312")
    )
    result = run("import", path, seed("001"), "--db", db)
    assert result.exit_code == 1
    assert str(path) in error_line(result)
    assert corpus_count(db) == 1  # the seed after it


def big_medline(records: int = 400) -> bytes:
    """A MEDLINE export well over the 64 KiB that detect.read_stream sniffs."""
    rng = random.Random(7)
    words = ["balint", "group", "peer", "support", "resident", "burnout", "nurse", "doctor"]
    chunks = []
    for number in range(records):
        abstract = " ".join(f"{rng.choice(words)}{rng.randrange(10**6)}" for _ in range(60))
        chunks.append(
            f"PMID- {40000000 + number}\nDP  - 2020\nTI  - Record {number} on Balint groups.\n"
            f"AB  - {abstract}\nTA  - J Test\n"
        )
    return "\n".join(chunks).encode("utf-8")


def test_cut_off_gzipped_medline_is_refused_and_the_other_files_still_import(
    tmp_path: Path,
) -> None:
    db = tmp_path / "corpus.db"
    text = big_medline()
    assert len(text) > 4 * 65536
    compressed = gzip.compress(text, mtime=0)
    path = tmp_path / "export.nbib.gz"
    path.write_bytes(compressed[: len(compressed) * 4 // 5])
    result = run("import", path, seed("001"), "--db", db)
    assert result.exit_code == 1
    assert str(path) in error_line(result)
    assert corpus_count(db) == 1  # the seed after it


def test_the_command_line_imports_neither_datasette_nor_jieba_until_needed() -> None:
    import subprocess
    import sys

    code = (
        "import sys, litbalint.cli; "
        "print(sorted(m for m in ('datasette', 'jieba') if m in sys.modules))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"  # Datasette for `serve`, jieba for Chinese text only


def test_help_loads_only_the_command_line() -> None:
    """`--help` (and a command's) imports click and what defines the options: no store,
    sqlite_utils, aligner, parser or harvester (start-up time: docs/operations.md, *Commands*)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from litbalint.cli import cli\n"
        "for args in (['--help'], ['align', '--help'], ['stats', '--help'], ['build', '--help']):\n"
        "    try:\n"
        "        cli.main(args, prog_name='litbalint')\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('sqlite_utils', 'numpy', 'litbalint.store', 'litbalint.align.aligner', "
        "'litbalint.sources.detect', 'litbalint.exports', 'litbalint.embed', 'requests', "
        "'yaml', 'jieba', 'datasette')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage: litbalint align [OPTIONS]" in found.stdout
    assert found.stderr.strip() == "[]"
