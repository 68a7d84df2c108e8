"""Alignment through the command line: the beads `build` stores, re-alignment when an abstract
changes, `litbalint align` on plain files, and `litbalint export` (TSV, TMX).

House rules under test: every error a user can cause ends in a SystemExit with a non-zero code
and a clear line on stderr naming the file, never a traceback. Every test uses its own files
under tmp_path; the seeds are built once per module and copied where a test changes them.
"""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import Result

from litbalint.align.segment import split_paragraphs
from litbalint.sources.detect import records_from_bytes
from tests.conftest import SEEDS, error_line, run, seed

SEED_003_DOI = "10.1186/s12913-023-09312-y"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


def dump(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return list(conn.iterdump())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds built once; tests that change the database copy it first."""
    db = tmp_path_factory.mktemp("built") / "corpus.db"
    result = run("build", "--db", db, "--data", SEEDS)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return db


def copy_of(db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "corpus.db"
    with closing(sqlite3.connect(db)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return target


def article_id(db: Path, doi: str) -> int:
    ((found,),) = query(db, "SELECT id FROM articles WHERE lower(doi) = lower(?)", (doi,))
    return found


# -- build stores the beads ----------------------------------------------------------------------


def test_build_stores_63_one_to_one_beads(built: Path) -> None:
    beads = (
        "SELECT count(*), min(bead_type), max(bead_type), sum(low_confidence) FROM alignment_beads"
    )
    assert query(built, beads) == [(63, "1-1", "1-1", 0)]
    assert query(built, "SELECT count(*) FROM sentence_pairs") == [(63,)]
    alignments = (
        "SELECT count(*), sum(badly_aligned), sum(stale), sum(beads), sum(low_confidence) "
        "FROM alignments"
    )
    assert query(built, alignments) == [(5, 0, 0, 63, 0)]
    per_article = query(
        built,
        "SELECT a.doi, count(*) FROM alignment_beads b JOIN articles a ON a.id = b.article_id "
        "GROUP BY a.doi ORDER BY a.doi",
    )
    assert per_article == [
        ("10.1080/14739879.2020.1764397", 13),  # 001
        ("10.1177/00912174221122862", 11),  # 000
        ("10.1186/s12875-024-02548-5", 13),  # 004
        ("10.1186/s12909-022-03508-2", 10),  # 002
        (SEED_003_DOI, 16),
    ]


def test_stored_beads_of_a_labelled_seed(built: Path) -> None:
    rows = query(
        built,
        "SELECT position, pair_index, en_label, zh_label, paired_by, en_sentences, zh_sentences "
        "FROM alignment_beads WHERE article_id = ? ORDER BY position",
        (article_id(built, SEED_003_DOI),),
    )
    assert [r[0] for r in rows] == list(range(1, 17))
    labels = [(r[1], r[2], r[3], r[4]) for r in rows]
    assert labels == (
        [(1, "BACKGROUND", "背景", "label")] * 4
        + [(2, "MATERIALS AND METHODS", "材料和方法", "label")] * 4
        + [(3, "RESULTS", "结果", "label")] * 5
        + [(4, "CONCLUSIONS", "结论", "label")] * 3
    )
    # sentence numbers restart in every section pair, and go 1-1 down the diagonal
    assert [(json.loads(r[5]), json.loads(r[6])) for r in rows] == [
        ([k], [k]) for size in (4, 4, 5, 3) for k in range(size)
    ]


def test_second_build_leaves_the_database_identical(built: Path, tmp_path: Path) -> None:
    db = copy_of(built, tmp_path)
    before = dump(db)
    again = run("build", "--db", db, "--data", SEEDS)
    assert again.exit_code == 0, again.output
    assert "aligned 0" in again.stdout
    assert dump(db) == before


# -- re-alignment when an abstract changes -------------------------------------------------------


NEW_ABSTRACT = (
    "Twelve doctors were interviewed about a peer support service. "
    "They valued psychological safety. The service met their needs."
)


def pubmed_xml(pmid: int, doi: str, title: str, abstract: str) -> bytes:
    """A minimal efetch document with one PubmedArticle and a one-paragraph abstract."""
    return f"""<?xml version="1.0"?>
<PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">
<PMID Version="1">{pmid}</PMID><Article PubModel="Electronic"><Journal><JournalIssue>
<Volume>23</Volume><Issue>1</Issue><PubDate><Year>2023</Year><Month>Mar</Month></PubDate>
</JournalIssue><Title>BMC health services research</Title>
<ISOAbbreviation>BMC Health Serv Res</ISOAbbreviation></Journal>
<ArticleTitle>{title}</ArticleTitle><Abstract><AbstractText>{abstract}</AbstractText></Abstract>
<AuthorList><Author><LastName>Doe</LastName><ForeName>Jane</ForeName><Initials>J</Initials>
</Author></AuthorList><Language>eng</Language></Article></MedlineCitation>
<PubmedData><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId>
<ArticleId IdType="doi">{doi}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>
</PubmedArticleSet>
""".encode()


def seed_003_chinese_sentences() -> list[str]:
    _, records = records_from_bytes(seed("003").read_bytes(), "003")
    return [s for section in records[0].abstract_zh for s in split_paragraphs(section.text, "zh")]


def test_a_changed_abstract_is_aligned_again(built: Path, tmp_path: Path) -> None:
    db = copy_of(built, tmp_path)
    target = article_id(db, SEED_003_DOI)
    ((old_hash, old_time),) = query(
        db, "SELECT inputs_hash, aligned_at FROM alignments WHERE article_id = ?", (target,)
    )
    others = "SELECT * FROM alignment_beads WHERE article_id != ? ORDER BY id"
    others_before = query(db, others, (target,))
    xml = tmp_path / "update.xml"
    xml.write_bytes(pubmed_xml(36999999, SEED_003_DOI, "Peer support for doctors.", NEW_ABSTRACT))

    result = run("import", xml, "--db", db)
    assert result.exit_code == 0, result.output
    assert "updated 1" in result.stdout and "aligned 1" in result.stdout
    assert article_id(db, SEED_003_DOI) == target  # the same article, now with a PMID

    rows = query(
        db,
        "SELECT position, paired_by, en_text, zh_text, bead_type FROM alignment_beads "
        "WHERE article_id = ? ORDER BY position",
        (target,),
    )
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert {r[1] for r in rows} == {"whole"}  # English unlabelled, Chinese labelled
    # English from the new abstract, in order; Chinese still the Suppr sentences, in order
    assert " ".join(r[2] for r in rows if r[2]) == NEW_ABSTRACT
    assert "".join(r[3] for r in rows) == "".join(seed_003_chinese_sentences())
    zh_count = sum(int(r[4].split("-")[1]) for r in rows)
    assert zh_count == 16  # the 16 Suppr sentences, each in one bead
    assert sum(int(r[4].split("-")[0]) for r in rows) == 3

    ((new_hash, stale, beads, new_time),) = query(
        db,
        "SELECT inputs_hash, stale, beads, aligned_at FROM alignments WHERE article_id = ?",
        (target,),
    )
    assert new_hash != old_hash
    assert stale == 0
    assert beads == len(rows)
    assert new_time >= old_time
    assert query(db, others, (target,)) == others_before  # the other articles are untouched

    # importing the same file again changes nothing
    before = dump(db)
    assert run("import", xml, "--db", db).exit_code == 0
    assert dump(db) == before


# -- litbalint align on plain files --------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def beads_of(result: Result) -> list[dict]:
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    beads = [json.loads(line) for line in result.stdout.splitlines()]
    for bead in beads:
        assert set(bead) >= {"en", "zh", "score"}
        assert 0.0 <= bead["score"] <= 1.0
    return beads


def assert_every_line_once(beads: list[dict], en_lines: int, zh_lines: int) -> None:
    assert sorted(i for b in beads for i in b["en"]) == list(range(en_lines))
    assert sorted(j for b in beads for j in b["zh"]) == list(range(zh_lines))


EN = [
    "Twelve doctors were interviewed a year after attending a peer support service.",
    "The doctors sought peer support due to a range of different needs.",
    "Peer support seems to provide psychological safety.",
]
ZH = [
    "12 名医生在参加了一项同伴支持服务一年后接受了采访。",
    "这些医生因各种不同的需求寻求同伴支持。",
    "同伴支持似乎提供了心理安全感。",
]


def test_align_sentence_files(tmp_path: Path) -> None:
    en = write(tmp_path / "en.txt", "\n".join(EN) + "\n")
    zh = write(tmp_path / "zh.txt", "\n".join(ZH) + "\n")
    beads = beads_of(run("align", "--en", en, "--zh", zh))
    assert [(b["en"], b["zh"]) for b in beads] == [([0], [0]), ([1], [1]), ([2], [2])]
    assert all(b["score"] > 0.5 for b in beads)


def test_align_with_blank_lines_and_windows_line_ends(tmp_path: Path) -> None:
    en = write(tmp_path / "en.txt", "\ufeff" + "\r\n".join([EN[0], "", EN[1], EN[2]]) + "\r\n")
    zh = write(tmp_path / "zh.txt", "\n".join(["", ZH[0], ZH[1], "", ZH[2], ""]) + "\n")
    beads = beads_of(run("align", "--en", en, "--zh", zh))
    assert_every_line_once(beads, 4, 6)
    assert [(b["en"], b["zh"]) for b in beads] == [
        ([], [0]),
        ([0], [1]),
        ([1], []),
        ([2], [2]),
        ([], [3]),
        ([3], [4]),
        ([], [5]),
    ]


def test_align_a_zh_file_without_chinese(tmp_path: Path) -> None:
    en = write(tmp_path / "en.txt", "\n".join(EN) + "\n")
    zh = write(tmp_path / "zh.txt", "This is not Chinese at all.\nNeither is this line.\n")
    beads = beads_of(run("align", "--en", en, "--zh", zh))
    assert_every_line_once(beads, 3, 2)


@pytest.mark.parametrize("content", ["", "\n", "   \n\n"])
def test_align_an_empty_zh_file(tmp_path: Path, content: str) -> None:
    en = write(tmp_path / "en.txt", "\n".join(EN) + "\n")
    zh = write(tmp_path / "zh.txt", content)
    beads = beads_of(run("align", "--en", en, "--zh", zh))
    english = [b for b in beads if b["en"]]
    assert [(b["en"], b["zh"], b["score"]) for b in english] == [
        ([0], [], 0.0),
        ([1], [], 0.0),
        ([2], [], 0.0),
    ]
    assert all(not b["en"] and b["score"] == 0.0 for b in beads if b["zh"])  # blank lines
    assert_every_line_once(beads, 3, len(content.split("\n")) - 1)


def test_align_both_files_empty(tmp_path: Path) -> None:
    en = write(tmp_path / "en.txt", "")
    zh = write(tmp_path / "zh.txt", "")
    result = run("align", "--en", en, "--zh", zh)
    assert result.exit_code == 0
    assert result.stdout == ""


def test_align_split_paragraph_files(tmp_path: Path) -> None:
    en = write(tmp_path / "en.txt", " ".join(EN[:2]) + "\n" + EN[2] + "\n")
    zh = write(tmp_path / "zh.txt", "".join(ZH[:2]) + "\n\n" + ZH[2])
    beads = beads_of(run("align", "--split", "--en", en, "--zh", zh))
    assert [(b["en"], b["zh"], b["en_text"], b["zh_text"]) for b in beads] == [
        ([k], [k], [EN[k]], [ZH[k]]) for k in range(3)
    ]


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["--en", "--zh"])
def test_align_missing_file(tmp_path: Path, side: str) -> None:
    present = write(tmp_path / "present.txt", "One.\n")
    missing = tmp_path / "missing.txt"
    args = {"--en": present, "--zh": present, side: missing}
    result = run("align", *[x for pair in args.items() for x in pair])
    assert result.exit_code != 0
    assert "missing.txt" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("side", ["--en", "--zh"])
def test_align_file_that_is_not_utf8(tmp_path: Path, side: str) -> None:
    good = write(tmp_path / "good.txt", "Twelve doctors were interviewed.\n")
    bad = tmp_path / "gb18030.txt"
    bad.write_bytes("12 名医生接受了采访。\n".encode("gb18030"))
    args = {"--en": good, "--zh": good, side: bad}
    result = run("align", *[x for pair in args.items() for x in pair])
    assert result.exit_code == 1
    line = error_line(result)
    assert str(bad) in line
    assert "UTF-8" in line
    assert result.stdout == ""


# -- export --------------------------------------------------------------------------------------


def tsv_rows(text: str) -> list[list[str]]:
    lines = text.split("\n")
    assert lines[-1] == ""
    return [line.split("\t") for line in lines[:-1]]


def test_export_tsv_to_stdout(built: Path) -> None:
    result = run("export", "--db", built, "--format", "tsv")
    assert result.exit_code == 0, result.output
    rows = tsv_rows(result.stdout)
    assert rows[0] == ["en", "zh", "score", "bead_type", "pmid", "doi", "section", "article_id"]
    assert len(rows) == 1 + 63
    assert {len(r) for r in rows} == {8}
    assert {r[3] for r in rows[1:]} == {"1-1"}
    assert rows[1][0].startswith("The Lawrence Family Medicine residency was created")
    assert rows[1][1].startswith("劳伦斯家庭医学住院医师培训计划")


def test_export_tmx_to_stdout(built: Path) -> None:
    result = run("export", "--db", built, "--format", "tmx")
    assert result.exit_code == 0, result.output
    root = ET.fromstring(result.stdout.encode("utf-8"))
    units = root.findall("body/tu")
    assert len(units) == 63
    for unit in units:
        assert [t.get(XML_LANG) for t in unit.findall("tuv")] == ["en", "zh-CN"]
        assert all(t.findtext("seg") for t in unit.findall("tuv"))


def test_export_min_score_leaves_out_lower_pairs(built: Path) -> None:
    ((expected,),) = query(built, "SELECT count(*) FROM sentence_pairs WHERE score >= 0.9")
    assert 0 < expected < 63
    result = run("export", "--db", built, "--format", "tsv", "--min-score", "0.9")
    assert result.exit_code == 0, result.output
    rows = tsv_rows(result.stdout)[1:]
    assert len(rows) == expected
    assert all(float(r[2]) >= 0.9 for r in rows)
    result = run("export", "--db", built, "--format", "tsv", "--min-score", "0.99")
    assert result.exit_code == 0, result.output
    assert len(tsv_rows(result.stdout)) - 1 < 63


@pytest.mark.parametrize(("file_format", "name"), [("tsv", "pairs.tsv"), ("tmx", "pairs.tmx")])
def test_export_to_a_file(built: Path, tmp_path: Path, file_format: str, name: str) -> None:
    output = tmp_path / name
    result = run("export", "--db", built, "--format", file_format, "-o", output)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no .part left behind
    text = output.read_text(encoding="utf-8")
    if file_format == "tsv":
        assert len(tsv_rows(text)) == 64
    else:
        assert len(ET.fromstring(text.encode("utf-8")).findall("body/tu")) == 63
    stdout = run("export", "--db", built, "--format", file_format).stdout
    if file_format == "tsv":
        assert text == stdout
    else:  # the same but for the creation date in the header
        assert len(text) == len(stdout)


def test_export_missing_database(tmp_path: Path) -> None:
    db = tmp_path / "missing.db"
    output = tmp_path / "out.tmx"
    result = run("export", "--db", db, "-o", output)
    assert result.exit_code == 1
    line = error_line(result)
    assert str(db) in line
    assert "litbalint build" in line
    assert not db.exists()  # export never creates a database
    assert list(tmp_path.iterdir()) == []


def test_export_into_a_missing_folder(built: Path, tmp_path: Path) -> None:
    output = tmp_path / "no" / "such" / "folder" / "pairs.tsv"
    result = run("export", "--db", built, "--format", "tsv", "-o", output)
    assert result.exit_code == 1
    line = error_line(result)
    assert str(output) in line
    assert "does not exist" in line
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a partial file


def test_export_from_a_database_built_before_alignment(built: Path, tmp_path: Path) -> None:
    db = copy_of(built, tmp_path)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.executescript(
            "DROP VIEW sentence_pairs; DROP TABLE alignment_beads; DROP TABLE alignments; "
            "UPDATE litbalint_meta SET value = '1' WHERE key = 'schema_version';"
            "DROP TABLE _sqlite_migrations;"
        )
    output = tmp_path / "pairs.tmx"
    result = run("export", "--db", db, "-o", output)
    assert result.exit_code == 1
    assert str(db) in error_line(result)
    # (reading a WAL database may leave its -wal/-shm companions; no export file is left)
    assert not [p.name for p in tmp_path.iterdir() if "pairs" in p.name]
