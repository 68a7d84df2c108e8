"""Ordinary bad files get ordinary messages: bytes that are not UTF-8, corrupt and cut-off gzip,
named pipes and devices, symbolic link loops, unreadable files, folders of thousands of files,
and line numbers that do not depend on the line ends. The good files of a run still import."""

from __future__ import annotations

import errno
import gzip
import os
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from litbalint.errors import UnsupportedFormat
from litbalint.pipeline import expand_paths
from litbalint.sources.detect import cannot_open, records_from_bytes
from litbalint.sources.text import plausibly_chinese, read_text
from tests.conftest import FIXTURES, ROOT, run, seed

TWO_NBIB = FIXTURES / "medline" / "two_records.nbib"
GB18030_PAGE = FIXTURES / "encodings" / "suppr_gb18030.txt"
CUT_OFF_XML = FIXTURES / "bad" / "pubmed_cut_off.xml"
SEVERAL_XML = FIXTURES / "pubmed" / "several.xml"


def query(db: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def imported(db: Path) -> list[str]:
    return [path for (path,) in query(db, "SELECT path FROM import_files ORDER BY path")]


def stderr_lines(result) -> list[str]:
    return result.stderr.splitlines()


# -- encodings -------------------------------------------------------------------------------


def with_stray_bytes(tmp_path: Path) -> tuple[Path, int, int]:
    """two_records.nbib with two Latin-1 bytes in its first abstract: (path, offsets)."""
    data = TWO_NBIB.read_bytes()
    first = data.index(b"Balint groups or usual") + len("Balint group")  # 's' of groups
    second = data.index(b"Burnout \n      was measured") + 3  # 'n' of Burnout
    data = data[:first] + b"\xe9" + data[first + 1 : second] + b"\xb6" + data[second + 1 :]
    path = tmp_path / "stray.nbib"
    path.write_bytes(data)
    return path, first, second


def test_stray_bytes_in_ascii_medline_are_replaced_and_named_with_byte_and_line(
    tmp_path: Path,
) -> None:
    db = tmp_path / "corpus.db"
    path, first, second = with_stray_bytes(tmp_path)
    assert (first, second) == (536, 586)
    result = run("import", path, seed("001"), "--db", db)
    assert result.exit_code == 1
    advice = "read as \ufffd: correct the text there, or save the file as UTF-8 and import again"
    assert stderr_lines(result) == [
        f"Warning: {path}:19: byte 536 (0xe9) is not valid UTF-8, {advice}",
        f"Warning: {path}:19: byte 586 (0xb6) is not valid UTF-8, {advice}",
    ]
    (abstract,) = query(db, "SELECT abstract_en FROM articles WHERE pmid = 36100001")[0]
    assert "fortnightly Balint group\ufffd or usual teaching" in abstract
    assert "Bur\ufffdout was measured" in abstract
    assert not any("\u4e00" <= char <= "\u9fff" for char in abstract)  # no 'randomi豦d'
    assert len(imported(db)) == 2  # both records of the file kept, and the seed


def test_stray_bytes_in_utf8_chinese_stay_utf8() -> None:
    page = seed("003").read_bytes()
    broken = page[:600] + b"\xff" + page[601:]
    decoded = read_text(broken, "page.txt")
    assert decoded.encoding == "utf-8"
    assert "理解同伴支持" in decoded.text
    assert [problem.line for problem in decoded.problems] == [broken[:600].count(b"\n") + 1]


def test_latin1_file_with_many_bad_bytes_is_refused_naming_the_first(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    path = tmp_path / "latin1.nbib"
    record = "PMID- {}\nTI  - Groupes Balint à Montréal.\nAU  - Müller K\n\n"
    path.write_bytes("".join(record.format(n + 1) for n in range(6)).encode("latin-1"))
    result = run("import", path, seed("001"), "--db", db)
    assert result.exit_code == 1
    assert stderr_lines(result) == [
        f"Error: {path}: neither UTF-8 nor Chinese GB18030 text: more than 10 places are not "
        "valid UTF-8, the first at byte 29 (line 2); save it as UTF-8 and import again"
    ]
    assert imported(db) == ["seeds/" + seed("001").name]


def test_real_gb18030_page_is_read_as_chinese_silently(tmp_path: Path) -> None:
    result = run("import", GB18030_PAGE, "--db", tmp_path / "gb.db")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert run("import", seed("003"), "--db", tmp_path / "utf8.db").exit_code == 0
    fields = "SELECT title_zh, title_en, abstract_zh FROM articles WHERE is_stub = 0"
    gb = query(tmp_path / "gb.db", fields)
    assert gb == query(tmp_path / "utf8.db", fields)
    assert gb[0][0].startswith("理解同伴支持")


@pytest.mark.parametrize(
    ("text", "chinese"),
    [
        ("背景：医生的健康对患者很重要。", True),
        ("TT  - 巴林特小组\n", True),
        ("a randomi豦d trial in Montr閍l.", False),  # stray bytes read as GB18030
        ("Müller, Québec, Zürich 巴林", False),  # too few ideographs, most non-ASCII not CJK
    ],
)
def test_plausibly_chinese(text: str, chinese: bool) -> None:
    assert plausibly_chinese(text) is chinese


# -- gzip ------------------------------------------------------------------------------------


def medline_gzip(tmp_path: Path) -> bytes:
    return gzip.compress(TWO_NBIB.read_bytes(), mtime=0)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda data: data[:20] + bytes(b ^ 0x55 for b in data[20:60]) + data[60:],
            "the gzip file is corrupt (invalid bit length repeat); download or copy it again",
        ),
        (
            lambda data: data[: len(data) // 2],
            "the gzip file is cut short (it ends before its last block); download or copy it again",
        ),
        (
            lambda data: data[:-8] + b"\x00\x00\x00\x00" + data[-4:],
            "the gzip file is corrupt (CRC check failed 0x0 != 0x",
        ),
    ],
    ids=["corrupt", "cut-short", "bad-checksum"],
)
def test_broken_gzip_is_refused_in_plain_words(tmp_path: Path, damage, message: str) -> None:
    db = tmp_path / "corpus.db"
    path = tmp_path / "export.nbib.gz"
    path.write_bytes(damage(medline_gzip(tmp_path)))
    result = run("import", path, seed("001"), "--db", db)
    assert result.exit_code == 1
    (line,) = stderr_lines(result)
    assert line.startswith(f"Error: {path}: {message}")
    assert "please report" not in line
    assert imported(db) == ["seeds/" + seed("001").name]


def big_pubmed_xml(records: int) -> bytes:
    article = (
        '<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
        '<PMID Version="1">{}</PMID><Article PubModel="Print"><Journal><JournalIssue>'
        "<PubDate><Year>2001</Year></PubDate></JournalIssue><ISOAbbreviation>J One"
        "</ISOAbbreviation></Journal><ArticleTitle>Article {} on Balint groups: {}."
        "</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n"
    )
    body = "".join(article.format(n + 1, n, f"{n * 7919 % 100003:x}" * 20) for n in range(records))
    head = "<?xml version='1.0' encoding='UTF-8'?>\n<PubmedArticleSet>\n"
    return f"{head}{body}</PubmedArticleSet>\n".encode()


def test_cut_off_gzipped_xml_keeps_its_first_records(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    data = big_pubmed_xml(2000)
    compressed = gzip.compress(data, mtime=0)
    assert len(data) > 4 * 65536
    path = tmp_path / "big.xml.gz"
    path.write_bytes(compressed[: len(compressed) * 3 // 4])
    result = run("import", path, "--db", db)
    assert result.exit_code == 1
    (line,) = stderr_lines(result)
    assert line.startswith(f"Warning: {path}:")
    assert line.endswith(
        ": could not read the rest of the file: the gzip file is cut short "
        "(it ends before its last block); download or copy it again"
    )
    stored = query(db, "SELECT count(*) FROM articles")[0][0]
    assert 100 < stored < 2000


# -- special files, links, permissions ---------------------------------------------------------


def test_fifo_and_device_are_skipped_without_hanging(tmp_path: Path) -> None:
    """Through `python -m litbalint`, with a time limit: a FIFO or /dev/zero must not block."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.nbib").write_bytes(TWO_NBIB.read_bytes())
    os.mkfifo(folder / "pipe.txt")
    db = tmp_path / "corpus.db"
    result = subprocess.run(
        [sys.executable, "-m", "litbalint", "import", "-q", str(folder), "/dev/zero"]
        + ["--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "LITBALINT_EMBED": "off"},
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        "Error: docs/pipe.txt: a named pipe, not a file; skipped",
        "Error: /dev/zero: a character device, not a file; skipped",
    ]
    assert imported(db) == ["docs/a.nbib"]
    assert query(db, "SELECT count(*) FROM articles WHERE is_stub = 0") == [(2,)]


def test_symlink_loops_in_a_folder_and_given_directly(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.nbib").write_bytes(TWO_NBIB.read_bytes())
    os.symlink("loop.txt", folder / "loop.txt")  # a file link to itself
    os.symlink(".", folder / "again")  # a folder link back up: not followed
    os.symlink("b.nbib", tmp_path / "b.nbib")
    db = tmp_path / "corpus.db"
    assert expand_paths([folder]) == [folder / "a.nbib", folder / "loop.txt"]
    result = run("import", folder, tmp_path / "b.nbib", "--db", db)
    assert result.exit_code == 1
    advice = "a symbolic link that loops (it leads back to itself); fix or remove the link"
    assert stderr_lines(result) == [
        f"Error: {folder / 'loop.txt'}: {advice}",
        f"Error: {tmp_path / 'b.nbib'}: {advice}",
    ]
    assert imported(db) == [f"{folder.name}/a.nbib"]  # stored relative to the folder named


def test_missing_path_is_still_a_usage_error(tmp_path: Path) -> None:
    result = run("import", tmp_path / "none.txt", "--db", tmp_path / "corpus.db")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_unreadable_file_message() -> None:
    error = PermissionError(errno.EACCES, "Permission denied")
    assert str(cannot_open("docs/a.nbib", error)) == (
        "docs/a.nbib: cannot be read (permission denied); "
        "give yourself read permission (chmod u+r) or copy the file"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_and_folder_are_named_and_the_rest_imports(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    (folder / "closed").mkdir(parents=True)
    (folder / "a.nbib").write_bytes(TWO_NBIB.read_bytes())
    secret = folder / "b.txt"
    secret.write_bytes(seed("001").read_bytes())
    secret.chmod(0)
    (folder / "closed").chmod(0)
    db = tmp_path / "corpus.db"
    try:
        result = run("import", folder, "--db", db)
    finally:
        secret.chmod(0o644)
        (folder / "closed").chmod(0o755)
    assert result.exit_code == 1
    advice = "cannot be read (permission denied); give yourself read permission"
    lines = stderr_lines(result)
    assert [line.split(": ", 2)[1:] for line in lines] == [
        [str(secret), advice + " (chmod u+r) or copy the file"],
        [str(folder / "closed"), advice + " (chmod u+r) or copy the file"],
    ]
    assert imported(db) == [f"{folder.name}/a.nbib"]  # stored relative to the folder named


def test_folder_of_thousands_of_files(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    record = "PMID- {}\nDP  - 2020\nTI  - Record {} on Balint groups.\nTA  - J Test\n"
    for n in range(1000):
        (folder / f"r{n:04}.nbib").write_text(record.format(40000000 + n, n), encoding="utf-8")
        (folder / f"scan{n:04}.pdf").write_bytes(b"%PDF-1.4")
    db = tmp_path / "corpus.db"
    result = run("import", "-q", folder, "--db", db)
    assert result.exit_code == 0, result.output
    assert query(db, "SELECT count(*) FROM articles") == [(1000,)]


# -- line numbers --------------------------------------------------------------------------------

LINE_ENDS = {
    "lf": lambda data: data,
    "crlf": lambda data: data.replace(b"\n", b"\r\n"),
    "cr": lambda data: data.replace(b"\n", b"\r"),
}


def problems(data: bytes) -> list[tuple[int | None, str]]:
    """(line, message) of each Problem; byte offsets differ with the line ends: left out."""
    _, records = records_from_bytes(data, "file")
    return [
        (r.line, re.sub(r"byte \d+", "byte N", r.message))
        for r in records
        if type(r).__name__ == "Problem"
    ]


def article_lines(data: bytes) -> list[int | None]:
    _, records = records_from_bytes(data, "file")
    return [r.line for r in records if type(r).__name__ == "Article"]


def damaged_medline() -> bytes:
    data = TWO_NBIB.read_bytes().replace(b"TI  - ", b"not a field\nTI  - ", 1)
    return data[:900] + b"\xe9" + data[901:]


@pytest.mark.parametrize("ends", ["crlf", "cr"])
@pytest.mark.parametrize(
    "data",
    [
        damaged_medline(),
        CUT_OFF_XML.read_bytes(),
        gzip.compress(CUT_OFF_XML.read_bytes(), mtime=0),
        "Suppr超能文献\n\n中文标题。\n\nAn English title.\n\n摘要\n\n一段中文摘要。\n".encode(),
    ],
    ids=["medline", "xml", "xml-gz", "suppr"],
)
def test_line_numbers_do_not_depend_on_line_ends(data: bytes, ends: str) -> None:
    if data.startswith(b"\x1f\x8b"):
        plain = gzip.decompress(data)
        other = gzip.compress(LINE_ENDS[ends](plain), mtime=0)
    else:
        other = LINE_ENDS[ends](data)
    expected = problems(data)
    assert expected and all(line for line, _ in expected)
    assert problems(other) == expected
    assert article_lines(other) == article_lines(data)


def test_medline_problems_point_at_the_right_lines() -> None:
    data = damaged_medline()
    assert data[900:901] == b"\xe9"
    bad_line = data[:900].count(b"\n") + 1
    assert [line for line, _ in problems(data)] == [bad_line, 13]


def test_bom_file_with_bad_bytes_names_the_byte_in_the_file() -> None:
    data = b"\xef\xbb\xbf" + TWO_NBIB.read_bytes()
    broken = data[:100] + b"\xff" + data[101:]
    decoded = read_text(broken, "bom.nbib")
    assert [(p.line, p.message.split(" is ")[0]) for p in decoded.problems] == [
        (broken[:100].count(b"\n") + 1, "byte 100 (0xff)")
    ]


def test_nul_bytes_are_still_binary() -> None:
    with pytest.raises(UnsupportedFormat, match="binary data"):
        read_text(b"PMID- 1\x00\x00\nTI  - x\n", "nul.nbib")


def test_the_docs_document_the_new_refusals() -> None:
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for phrase in ("named pipe", "symbolic link that loops", "not valid UTF-8", "gzip"):
        assert phrase in operations, phrase


def test_align_names_the_bad_byte_and_line_and_refuses_a_fifo(tmp_path: Path) -> None:
    english = tmp_path / "en.txt"
    english.write_bytes(b"\xef\xbb\xbfOne.\r\nTwo caf\xe9.\r\n")
    chinese = tmp_path / "zh.txt"
    chinese.write_text("一。\n二。\n", encoding="utf-8")
    result = run("align", "--en", english, "--zh", chinese)
    assert result.exit_code == 1
    assert stderr_lines(result) == [
        f"Error: {english}: not UTF-8 text (byte 16 on line 2); save it as UTF-8"
    ]
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    result = run("align", "--en", pipe, "--zh", chinese)
    assert result.exit_code == 1
    assert stderr_lines(result) == [f"Error: {pipe}: a named pipe, not a file; skipped"]


def test_a_file_replaced_by_a_fifo_after_the_check_is_not_waited_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import litbalint.sources.detect as detect

    regular = os.stat(TWO_NBIB)
    pipe = tmp_path / "a.nbib"
    os.mkfifo(pipe)
    monkeypatch.setattr(detect.os, "stat", lambda path: regular)  # the check saw a file
    with pytest.raises(UnsupportedFormat) as raised:
        detect.open_document(pipe, "a.nbib")
    assert str(raised.value) == "a.nbib: a named pipe, not a file; skipped"
