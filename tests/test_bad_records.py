"""One bad record costs one record: nesting too deep, PMIDs that are no PMIDs, a record that
never ends. The good records of the file are imported, each bad one gets one warning line
naming the file and its line, and the import exits 1 (docs/operations.md: "partly unreadable")."""

from __future__ import annotations

import io
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest

from litbalint.model import Article, Problem
from litbalint.pmid import read_pmid
from litbalint.sources import xmlscan
from litbalint.sources.medline import parse_medline
from litbalint.sources.pubmed_xml import parse_pubmed_xml
from litbalint.sources.suppr import parse_suppr
from tests.conftest import run, seed

BAD_PMIDS = ["0", "-1", "1" * 23, "abc", "1e5", "12.5", "١٢٣", "+5", "123456789", " "]


def record(pmid: str, title: str = "A good title") -> str:
    return (
        '<PubmedArticle>\n<MedlineCitation Status="MEDLINE">\n'
        f'<PMID Version="1">{pmid}</PMID>\n'
        f"<Article><ArticleTitle>{title}</ArticleTitle></Article>\n"
        "</MedlineCitation>\n</PubmedArticle>\n"
    )


def pubmed_xml(*records: str) -> str:
    return (
        '<?xml version="1.0"?>\n<PubmedArticleSet>\n' + "".join(records) + "</PubmedArticleSet>\n"
    )


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Warning: ")]


def stored_pmids(db: Path) -> list[int]:
    with closing(sqlite3.connect(db)) as conn:
        return [row[0] for row in conn.execute("SELECT pmid FROM articles ORDER BY pmid")]


def import_text(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    db = tmp_path / "corpus.db"
    return run("import", path, "--db", db, "-q"), db


# -- PMIDs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pmid"),
    [("1", 1), (" 36100001\n", 36100001), ("99999999", 99999999), ("00000042", 42)]
    + [(bad, None) for bad in BAD_PMIDS]
    + [(None, None), ("", None)],
)
def test_read_pmid(text: str | None, pmid: int | None) -> None:
    assert read_pmid(text) == pmid


def test_xml_records_with_invalid_pmids_are_skipped_one_warning_each(tmp_path: Path) -> None:
    bad = [record(pmid, f"Bad {number}") for number, pmid in enumerate(BAD_PMIDS[:7])]
    text = pubmed_xml(record("101"), *bad, record("102"))
    result, db = import_text(tmp_path, "pmids.xml", text)
    assert result.exit_code == 1
    assert stored_pmids(db) == [101, 102]
    lines = warnings(result.stderr)
    assert len(lines) == 7
    for number, (line, pmid) in enumerate(zip(lines, BAD_PMIDS[:7], strict=True)):
        at = line_of(text, f"Bad {number}") - 3  # the <PubmedArticle> line
        assert line.startswith(f"Warning: {tmp_path / 'pmids.xml'}:{at}: <PubmedArticle> not ")
        assert f"PMID {pmid!r} is not a PubMed ID" in line
    assert "please report" not in result.stderr


def test_xml_record_without_pmid_is_skipped(tmp_path: Path) -> None:
    no_pmid = record("1").replace('<PMID Version="1">1</PMID>\n', "")
    result, db = import_text(tmp_path, "none.xml", pubmed_xml(no_pmid, record("7")))
    assert result.exit_code == 1
    assert stored_pmids(db) == [7]
    assert warnings(result.stderr) == [
        f"Warning: {tmp_path / 'none.xml'}:3: <PubmedArticle> not imported: no PMID"
    ]


def test_xml_record_with_an_empty_pmid_is_skipped_even_with_a_pubmed_article_id(
    tmp_path: Path,
) -> None:
    empty = record("").replace(
        "</MedlineCitation>\n",
        '</MedlineCitation>\n<PubmedData><ArticleIdList><ArticleId IdType="pubmed">25000001'
        "</ArticleId></ArticleIdList></PubmedData>\n",
    )
    result, db = import_text(tmp_path, "empty.xml", pubmed_xml(empty, record("7")))
    assert result.exit_code == 1
    assert stored_pmids(db) == [7]
    assert warnings(result.stderr) == [
        f"Warning: {tmp_path / 'empty.xml'}:3: <PubmedArticle> not imported: PMID '' is not a "
        "PubMed ID (a PMID is 1 to 8 digits 0-9, from 1 to 99999999)"
    ]


def test_deletion_with_an_invalid_pmid_deletes_the_valid_ones(tmp_path: Path) -> None:
    text = pubmed_xml(
        record("5"),
        record("6"),
        "<DeleteCitation>\n<PMID>5</PMID>\n<PMID>0</PMID>\n</DeleteCitation>\n",
    )
    result, db = import_text(tmp_path, "delete.xml", text)
    assert result.exit_code == 1
    (line,) = warnings(result.stderr)
    assert f"delete.xml:{line_of(text, '<DeleteCitation>')}: <DeleteCitation>: PMID '0'" in line
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT pmid, deleted FROM articles ORDER BY pmid").fetchall()
    assert rows == [(5, 1), (6, 0)]


def medline(pmid: str, title: str) -> str:
    return f"PMID- {pmid}\nOWN - NLM\nTI  - {title}\nDP  - 2022 Nov\n\n"


def test_medline_records_with_invalid_pmids_are_skipped_one_warning_each() -> None:
    text = medline("11", "Good one") + "".join(
        medline(pmid, f"Bad {n}") for n, pmid in enumerate(BAD_PMIDS[:7])
    )
    text += medline("12", "Good two")
    records = list(parse_medline(text))
    assert [r.ids.pmid for r in records if isinstance(r, Article)] == [11, 12]
    problems = [r for r in records if isinstance(r, Problem)]
    assert [p.line for p in problems] == [line_of(text, f"Bad {n}") - 2 for n in range(7)]
    for problem, pmid in zip(problems, BAD_PMIDS, strict=False):
        assert problem.message == (
            f"MEDLINE record not imported: PMID {pmid!r} is not a PubMed ID "
            "(a PMID is 1 to 8 digits 0-9, from 1 to 99999999)"
        )


def test_medline_file_with_a_23_digit_pmid_imports_the_rest(tmp_path: Path) -> None:
    text = medline("11", "Good one") + medline("1" * 23, "Huge") + medline("12", "Good two")
    result, db = import_text(tmp_path, "huge.nbib", text)
    assert result.exit_code == 1
    assert stored_pmids(db) == [11, 12]
    (line,) = warnings(result.stderr)
    assert line.startswith(f"Warning: {tmp_path / 'huge.nbib'}:6: MEDLINE record not imported")


# -- nesting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "deep",
    [
        "<i>" * 2000 + "x" + "</i>" * 2000,
        '<math xmlns="http://www.w3.org/1998/Math/MathML">'
        + "<mrow>" * 2000
        + "<mi>x</mi>"
        + "</mrow>" * 2000
        + "</math>",
        "<sup>" * 150 + "x" + "</sup>" * 150,
    ],
    ids=["i", "mathml", "sup-150"],
)
def test_deeply_nested_markup_costs_one_record(tmp_path: Path, deep: str) -> None:
    text = pubmed_xml(record("1"), record("2", f"Deep {deep}"), record("3"))
    result, db = import_text(tmp_path, "deep.xml", text)
    assert result.exit_code == 1
    assert stored_pmids(db) == [1, 3]
    assert warnings(result.stderr) == [
        f"Warning: {tmp_path / 'deep.xml'}:{line_of(text, 'Deep') - 3}: <PubmedArticle> PMID 2 "
        "not imported: markup in <ArticleTitle> nested more than 100 elements deep"
    ]


def test_markup_nested_100_deep_is_still_read(tmp_path: Path) -> None:
    deep = "<i>" * 50 + '<math xmlns="http://www.w3.org/1998/Math/MathML">'
    deep += "<mrow>" * 48 + "<mi>x</mi>" + "</mrow>" * 48 + "</math>" + "</i>" * 50  # 100 levels
    result, db = import_text(tmp_path, "ok.xml", pubmed_xml(record("4", f"Deep {deep}")))
    assert result.exit_code == 0, result.stderr
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT title_en FROM articles").fetchall() == [("Deep x",)]


# -- a record that never ends --------------------------------------------------------------------


def test_unclosed_record_after_good_ones_is_reported_fast(tmp_path: Path) -> None:
    filler = "<AbstractText>" + "Balint groups, " * 60 + "</AbstractText>\n"
    unclosed = "<PubmedArticle>\n<MedlineCitation>\n<PMID>9</PMID>\n" + filler * 4000
    text = pubmed_xml(record("1"), record("2")).replace("</PubmedArticleSet>\n", "") + unclosed
    assert len(text) > 3_000_000
    started = time.monotonic()
    result, db = import_text(tmp_path, "unclosed.xml", text)
    assert time.monotonic() - started < 5
    assert result.exit_code == 1
    assert stored_pmids(db) == [1, 2]
    (line,) = warnings(result.stderr)
    assert line.startswith(f"Warning: {tmp_path / 'unclosed.xml'}:")
    assert "XML broken off or not well-formed: no element found" in line


# -- Suppr pages and plain dumps: kept without the PMID --------------------------------------


def with_pmid_line(seed_text: str, citation_end: str, pmid: str) -> str:
    return seed_text.replace(citation_end, f"{citation_end}\nPMID: {pmid}  PMCID: PMC10066008", 1)


@pytest.mark.parametrize("pmid", BAD_PMIDS[:7])
def test_suppr_page_with_an_invalid_pmid_is_kept_without_it(pmid: str) -> None:
    page = seed("003").read_text(encoding="utf-8")
    text = with_pmid_line(page, "doi: 10.1186/s12913-023-09312-y.", pmid)
    article, *problems = parse_suppr(text)
    assert article.ids.pmid is None
    assert article.ids.doi == "10.1186/s12913-023-09312-y"
    assert article.ids.pmc == "PMC10066008"
    assert problems == [
        Problem(
            f"PMID {pmid!r} is not a PubMed ID (a PMID is 1 to 8 digits 0-9, from 1 to "
            "99999999): imported without a PMID",
            line_of(text, "PMID:"),
        )
    ]


def test_suppr_page_with_a_valid_pmid_line() -> None:
    page = seed("003").read_text(encoding="utf-8")
    article, *problems = parse_suppr(
        with_pmid_line(page, "doi: 10.1186/s12913-023-09312-y.", "36999999")
    )
    assert (article.ids.pmid, problems) == (36999999, [])


@pytest.mark.parametrize(("pmid", "expected"), [("1" * 23 + ".", None), ("32456789.", 32456789)])
def test_plain_dump_citation_pmid(tmp_path: Path, pmid: str, expected: int | None) -> None:
    dump = seed("001").read_text(encoding="utf-8")
    text = dump.replace("Epub 2020 May 26.", f"Epub 2020 May 26. PMID: {pmid}", 1)
    result, db = import_text(tmp_path, "dump.txt", text)
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT pmid, doi FROM articles").fetchall()
    assert rows == [(expected, "10.1080/14739879.2020.1764397")]
    if expected:
        assert result.exit_code == 0, result.stderr
    else:
        assert result.exit_code == 1
        (line,) = warnings(result.stderr)
        assert line.startswith(f"Warning: {tmp_path / 'dump.txt'}:{line_of(text, 'PMID:')}: ")
        assert line.endswith("imported without a PMID")


# -- records over the size limit (made small here) ---------------------------------------------


@pytest.fixture
def max_record_1mb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xmlscan, "MAX_RECORD_BYTES", 1 << 20)


def big_record(pmid: str, megabytes: int) -> str:
    filler = "<AbstractText>" + "Balint groups, " * 60 + "</AbstractText>\n"
    body = filler * (megabytes * (1 << 20) // len(filler) + 1)
    return record(pmid).replace("</Article>", f"<Abstract>{body}</Abstract></Article>")


def parsed(text: str) -> tuple[list[int], list[Problem]]:
    records = list(parse_pubmed_xml(io.BytesIO(text.encode())))
    pmids = [r.ids.pmid for r in records if isinstance(r, Article)]
    return pmids, [r for r in records if isinstance(r, Problem)]


def test_record_over_the_limit_is_skipped_and_the_file_goes_on(max_record_1mb: None) -> None:
    text = pubmed_xml(record("1"), big_record("2", 3), record("3"), big_record("4", 1))
    pmids, problems = parsed(text)
    assert pmids == [1, 3]
    at = [line_of(text, '<PMID Version="1">2<') - 2, line_of(text, '<PMID Version="1">4<') - 2]
    assert [p.line for p in problems] == at
    assert all(p.message.startswith("record larger than 50 MB") for p in problems)


def test_unclosed_record_over_the_limit_takes_linear_time(max_record_1mb: None) -> None:
    unclosed = big_record("2", 24).split("</PubmedArticle>")[0]
    text = pubmed_xml(record("1")).replace("</PubmedArticleSet>\n", "") + unclosed
    started = time.monotonic()
    pmids, problems = parsed(text)
    assert time.monotonic() - started < 2  # the quadratic scan took ~4 s on 24 MB
    assert pmids == [1]
    assert [(p.line, p.message[:24]) for p in problems] == [(9, "record that never ends (")]


def test_file_without_records_over_the_limit_stops(max_record_1mb: None) -> None:
    text = pubmed_xml(record("1")).replace("</PubmedArticleSet>", "<!--" + "x" * (2 << 20))
    pmids, problems = parsed(text)
    assert pmids == [1]
    assert [p.message[:25] for p in problems] == ["over 50 MB without a reco"]


def test_record_over_the_limit_in_a_file_read_whole(max_record_1mb: None) -> None:
    text = pubmed_xml(record("1"), big_record("2", 2), record("3"))
    text = text.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>')
    pmids, problems = parsed(text)
    assert pmids == [1]
    assert [(p.line, p.message[:32]) for p in problems] == [(9, "record larger than 50 MB (the mo")]
