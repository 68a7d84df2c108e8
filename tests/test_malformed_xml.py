"""A PubMed XML record that is not well-formed costs that record only, as long as the record
boundaries the byte scanner found can be trusted (nothing in the record could hide a tag);
where they cannot, or the file breaks off, the file stops with one Problem (as before)."""

from __future__ import annotations

import io
from pathlib import Path

from litbalint.model import Article, Problem
from litbalint.sources.pubmed_xml import parse_pubmed_xml
from tests.conftest import run

STRUCTURED = Path(__file__).parent / "fixtures" / "pubmed" / "structured.xml"
_TEXT = STRUCTURED.read_text(encoding="utf-8")
PROLOG = _TEXT[: _TEXT.index("  <PubmedArticle>")]  # XML declaration, DOCTYPE, <PubmedArticleSet>
RECORD = _TEXT[len(PROLOG) : _TEXT.index("</PubmedArticleSet>")]  # ~150 lines, as efetch's
END = "</PubmedArticleSet>\n"
TITLE = "<ArticleTitle>&quot;Holding the case&quot;: Balint groups &amp; resident burnout."


def record(pmid: int, damage: tuple[str, str] | None = None) -> str:
    text = RECORD.replace("25000001", str(pmid))
    if damage:
        assert damage[0] in text
        text = text.replace(damage[0], damage[1], 1)
    return text


def parsed(text: str) -> list:
    return list(parse_pubmed_xml(io.BytesIO(text.encode("utf-8"))))


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def start_of(text: str, number: int) -> int:
    """The line of the number-th record's start tag."""
    at = -1
    for _ in range(number):
        at = text.index("<PubmedArticle>", at + 1)
    return text[:at].count("\n") + 1


def error_at(text: str, needle: str) -> str:
    """'line L, column C' as expat gives it for the end tag `needle` (column: after '</')."""
    line = line_of(text, needle)
    return f"line {line}, column {text.split(chr(10))[line - 1].index(needle) + 2}"


def summary(records: list) -> list:
    return [r.ids.pmid if isinstance(r, Article) else (r.line, r.message) for r in records]


def test_the_records_are_real_shaped_and_whole() -> None:
    text = PROLOG + record(1) + record(2) + record(3) + END
    records = parsed(text)
    assert summary(records) == [1, 2, 3]
    assert [r.line for r in records] == [start_of(text, n) for n in (1, 2, 3)]


def test_a_mismatched_tag_in_record_2_of_3_costs_record_2() -> None:
    bad = ("burnout.</ArticleTitle>", "burnout.</ArticleTitl>")
    text = PROLOG + record(1) + record(2, bad) + record(3) + END
    assert summary(parsed(text)) == [
        1,
        (
            start_of(text, 2),
            "<PubmedArticle> PMID 2 not imported: not well-formed XML "
            f"(mismatched tag: {error_at(text, '</ArticleTitl>')})",
        ),
        3,
    ]


def test_an_undefined_entity_and_a_control_character_cost_their_records() -> None:
    text = PROLOG + record(1, ("&amp; resident", "&nbsp; resident")) + record(2)
    text += record(3, ("Burnout scores fell.", "Burnout \x01 fell.")) + record(4) + END
    records = parsed(text)
    assert [r.ids.pmid for r in records if isinstance(r, Article)] == [2, 4]
    assert [p.message.split(" (")[1].split(":")[0] for p in records if isinstance(p, Problem)] == [
        "undefined entity",
        "not well-formed",
    ]


def test_a_record_without_its_end_tag_costs_that_record() -> None:
    # it runs on into the next record: that one is read on its own
    text = PROLOG + record(1) + record(2, ("  </PubmedArticle>", "")) + record(3) + END
    records = parsed(text)
    assert summary(records)[0] == 1 and summary(records)[2:] == [3]
    problem = records[1]
    assert problem.line == start_of(text, 2)
    assert problem.message.startswith("<PubmedArticle> PMID 2 not imported: not well-formed XML")
    assert records[2].line == line_of(text, '<PMID Version="1">3<') - 2


def test_a_stray_end_tag_in_the_text_costs_that_record_with_one_problem() -> None:
    stray = ("Burnout scores fell.", "Burnout </PubmedArticle> scores fell.")
    text = PROLOG + record(1) + record(2, stray) + record(3) + END
    records = parsed(text)
    assert [type(r) for r in records] == [Article, Problem, Article]
    assert records[1].message.startswith("<PubmedArticle> PMID 2 not imported: not well-formed")
    assert f"mismatched tag: line {line_of(text, '</PubmedArticle> scores')}," in records[1].message


def test_junk_between_records_is_one_problem_and_the_file_goes_on() -> None:
    text = PROLOG + record(1) + "  </Oops>\n" + record(2) + END
    records = parsed(text)
    assert summary(records) == [
        1,
        (
            line_of(text, "</Oops>"),
            f"not well-formed XML between records (mismatched tag: "
            f"line {line_of(text, '</Oops>')}, column 4)",
        ),
        2,
    ]


def test_where_a_comment_could_hide_the_end_tag_the_file_stops_as_before() -> None:
    # read whole, this file is well-formed: the comment hides an end tag, which the byte
    # scanner cannot see; the record it cut there is broken and nothing after it is trusted
    hidden = ("Burnout scores fell.", "Burnout <!-- </PubmedArticle> --> scores fell.")
    text = PROLOG + record(1) + record(2, hidden) + record(3) + END
    records = parsed(text)
    assert [type(r) for r in records] == [Article, Problem]
    assert records[1].message.startswith("XML broken off or not well-formed: unclosed token")
    cdata = ("Burnout scores fell.", "<![CDATA[Burnout </PubmedArticle> fell.]]>")
    records = parsed(PROLOG + record(1) + record(2, cdata) + record(3) + END)
    assert [type(r) for r in records] == [Article, Problem]


def test_a_truncated_file_still_ends_with_one_problem() -> None:
    whole = PROLOG + record(1) + record(2) + record(3) + END
    cut = whole[: whole.index(TITLE, len(PROLOG) + 2 * len(RECORD)) + 30]
    records = parsed(cut)
    assert [type(r) for r in records] == [Article, Article, Problem]
    assert records[2].message.startswith("XML broken off or not well-formed: ")
    assert records[2].line == cut.count("\n") + 1


def test_import_warns_once_names_the_line_and_imports_the_rest(tmp_path: Path) -> None:
    bad = ("burnout.</ArticleTitle>", "burnout.</ArticleTitl>")
    text = PROLOG + record(1) + record(2, bad) + record(3) + END
    path = tmp_path / "bad.xml"
    path.write_text(text, encoding="utf-8")
    result = run("import", path, "--db", tmp_path / "corpus.db", "-q")
    assert result.exit_code == 1
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
    assert warnings == [
        f"Warning: {path}:{start_of(text, 2)}: <PubmedArticle> PMID 2 not imported: not "
        f"well-formed XML (mismatched tag: {error_at(text, '</ArticleTitl>')})"
    ]
