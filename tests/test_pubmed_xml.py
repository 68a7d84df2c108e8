"""PubMed efetch XML: hand-written fixtures in tests/fixtures/pubmed/, checked field by field."""

from __future__ import annotations

import gzip
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from litbalint.model import (
    Article,
    ArticleIds,
    Author,
    Deletion,
    Keyword,
    MeshHeading,
    MeshQualifier,
    Problem,
    PubDate,
    Reference,
    Section,
)
from litbalint.sources.pubmed_xml import looks_like_pubmed_xml, parse_pubmed_xml, render_inline

FIXTURES = Path(__file__).parent / "fixtures" / "pubmed"
MML = 'xmlns:mml="http://www.w3.org/1998/Math/MathML"'


def parse(name: str) -> list:
    with open(FIXTURES / name, "rb") as stream:
        return list(parse_pubmed_xml(stream))


def only_article(name: str) -> Article:
    records = parse(name)
    assert len(records) == 1 and isinstance(records[0], Article)
    return records[0]


def render(xml: str) -> tuple[str, str | None]:
    return render_inline(ET.fromstring(xml))


# -- a full journal article -----------------------------------------------------------------


@pytest.fixture(scope="module")
def structured() -> Article:
    return only_article("structured.xml")


def test_ids_article_id_list_wins(structured: Article) -> None:
    assert structured.ids == ArticleIds(
        pmid=25000001,
        doi="10.9999/articleidlist-doi",
        pmc="PMC4000001",
        pii="S0000-0000(14)00001-X",
    )
    assert structured.line == 4


def test_titles_with_entities(structured: Article) -> None:
    assert structured.title_en == '"Holding the case": Balint groups & resident burnout.'
    assert structured.title_en_html is None
    assert structured.title_zh == "“抱持个案”：巴林特小组与住院医师职业倦怠"


def test_journal_fields(structured: Article) -> None:
    a = structured
    assert a.journal == "J Peer Support Med"
    assert a.journal_title == "Journal of peer support in medicine"
    assert (a.issn_print, a.issn_electronic, a.issn_linking) == (
        "1111-2222",
        "3333-4444",
        "1111-2222",
    )
    assert a.nlm_id == "101234567"
    assert (a.volume, a.issue, a.pages) == ("12", "6", "101-9")
    assert a.book_title is None and a.publisher is None


def test_dates_medline_date(structured: Article) -> None:
    a = structured
    assert a.pub_date == PubDate(year=2014, month=11, day=None, season=None, text="2014 Nov-Dec")
    assert a.epub_date == "2014-10-02"
    assert a.date_revised == "2023-03-09"
    assert a.entrez_date == "2014-10-03"
    assert a.medline_status == "MEDLINE"


def test_structured_abstract(structured: Article) -> None:
    assert structured.abstract_en == [
        Section("Residents report high burnout.", "BACKGROUND", "BACKGROUND"),
        Section("Twelve residents met fortnightly for 6 months.", "METHODS", "METHODS"),
        Section("Burnout scores fell.", "MAIN FINDINGS", "RESULTS"),  # category from the label
        Section("ChiCTR-0000000.", "TRIAL REGISTRATION", "UNASSIGNED"),
        Section("Balint work & peer support help.", "CONCLUSIONS", "CONCLUSIONS"),
    ]
    assert structured.copyright == "© 2014 The Authors."


def test_chinese_other_abstract(structured: Article) -> None:
    assert structured.abstract_zh == [
        Section("住院医师职业倦怠水平高。", "背景", "BACKGROUND"),
        Section("巴林特小组有帮助。", "结论", "CONCLUSIONS"),
    ]
    assert structured.abstract_zh_source == "publisher"


def test_authors_orcid_suffix_collective(structured: Article) -> None:
    assert structured.authors == [
        Author(
            last_name="Zhang",
            fore_name="Wei",
            initials="W",
            orcid="0000-0002-1825-0097",
            affiliations=[
                "Department of Psychiatry, Example University, Shanghai, China.",
                "Balint Society of Example, Shanghai, China.",
            ],
        ),
        Author(
            last_name="Smith",
            fore_name="John",
            initials="J",
            suffix="Jr",
            orcid="0000-0002-1825-0097",
        ),
        Author(collective_name="Balint Research Network"),
    ]
    assert [a.display_name for a in structured.authors] == [
        "Zhang W",
        "Smith J Jr",
        "Balint Research Network",
    ]


def test_lists(structured: Article) -> None:
    a = structured
    assert a.languages == ["eng", "chi"]
    assert a.publication_types == ["Journal Article", "Randomized Controlled Trial"]
    assert a.mesh == [
        MeshHeading(
            "Burnout, Professional",
            "D002055",
            True,
            [
                MeshQualifier("prevention & control", "Q000517", False),
                MeshQualifier("psychology", "Q000523", True),
            ],
        ),
        MeshHeading("Humans", "D006801", False, []),
    ]
    assert a.keywords == [
        Keyword("Balint group", True, "NOTNLM"),
        Keyword("peer support", False, "NOTNLM"),
    ]


def test_reference_list_with_ids(structured: Article) -> None:
    assert structured.references == [
        Reference(
            "Balint M. The doctor, his patient and the illness. Lancet. 1955;268(6866):683-8.",
            ArticleIds(pmid=14354967, doi="10.1016/s0140-6736(55)91061-8"),
        ),
        Reference("Example A. A report with no identifiers. 2001.", ArticleIds()),
        Reference(
            "Nested B. Peer groups & wellbeing. BMC Med Educ. 2019;19:1.",
            ArticleIds(pmid=30000001, pmc="PMC6000001"),
        ),
    ]


# -- season, no abstract, fallbacks ---------------------------------------------------------


def test_season_no_abstract_and_fallbacks() -> None:
    a = only_article("season.xml")
    assert a.ids == ArticleIds(pmid=2000002)
    assert a.pub_date == PubDate(year=1990, season="Spring", text="1990 Spring")
    assert a.journal == "Fam Pract Q"  # MedlineTA when there is no ISOAbbreviation
    assert a.journal_title == "Family practice quarterly"
    assert a.pages == "113-125"  # StartPage-EndPage when there is no MedlinePgn
    assert a.abstract_en == [] and a.abstract_zh == [] and a.abstract_zh_source is None
    assert a.copyright is None
    assert a.medline_status == "PubMed-not-MEDLINE"
    assert a.entrez_date == "1990-04-01"
    assert a.authors == [Author(last_name="Olsen", fore_name="K", initials="K")]
    assert a.line == 3


# -- markup ---------------------------------------------------------------------------------


def test_markup_in_title_and_abstract() -> None:
    a = only_article("markup.xml")
    assert a.title_en == 'The Balint effect on CO2 & 10^-3 "rates"'
    assert a.title_en_html == (
        "The <i>Balint</i> effect on CO<sub>2</sub> &amp; 10<sup>-3</sup> &quot;rates&quot;"
    )
    first, second = a.abstract_en
    assert first.text == (
        "Speed was 15.0 km·h-1; peak (V\u0307O2max) was 67.6 ml·kg-1; P < 0.001 and (a+b)^2 ≤ 4."
    )
    assert first.html == (
        "Speed was 15.0 km·h<sup>-1</sup>; <b>peak</b> (<math><msub><mrow>"
        '<mover accent="true"><mrow><mi>V</mi></mrow><mo>.</mo></mover><mi>O</mi></mrow>'
        "<mrow><mn>2</mn><mi>max</mi></mrow></msub></math>) was 67.6 ml·kg<sup>-1</sup>; "
        "<i>P</i> &lt; 0.001 and (a+b)<sup>2</sup> <u>&lt;</u> 4."
    )
    assert second.text == "Inhaled 3He MRI at 10^6 cells."
    assert second.html == (
        "Inhaled <math><mrow><mmultiscripts><mrow><mi>He</mi></mrow><mprescripts></mprescripts>"
        "<none></none><mrow><mn>3</mn></mrow></mmultiscripts><mtext> </mtext>"
        '<mi mathvariant="normal">MRI</mi></mrow></math> at '
        "<math><msup><mn>10</mn><mn>6</mn></msup></math> cells."
    )
    assert a.pub_date == PubDate(year=2018, month=6, day=5, text="2018 Jun 5")
    assert a.ids.pmc == "PMC6000003"  # a bare number gets its PMC prefix


@pytest.mark.parametrize(
    ("xml", "plain", "markup"),
    [
        ("<t>CO<sub>2</sub></t>", "CO2", "CO<sub>2</sub>"),
        ("<t>10<sup>-3</sup></t>", "10^-3", "10<sup>-3</sup>"),
        ("<t>(n)<sup>2</sup></t>", "(n)^2", "(n)<sup>2</sup>"),
        ("<t>km·h<sup>-1</sup></t>", "km·h-1", "km·h<sup>-1</sup>"),
        ("<t>  plain\n   text  </t>", "plain text", None),
        ("<t>a &lt; b &amp; c</t>", "a < b & c", None),
        ("<t><ext-link href='x'>link</ext-link> text</t>", "link text", None),
        (f"<t><mml:math {MML}><mml:mi>x</mml:mi></mml:math></t>", "x", "<math><mi>x</mi></math>"),
        (
            f"<t><mml:math {MML}><mml:mover><mml:mi>V</mml:mi><mml:mo>˙</mml:mo></mml:mover>"
            "</mml:math></t>",
            "V\u0307",
            "<math><mover><mi>V</mi><mo>˙</mo></mover></math>",
        ),
    ],
)
def test_render_inline(xml: str, plain: str, markup: str | None) -> None:
    assert render(xml) == (plain, markup)


def test_render_inline_html_is_safe() -> None:
    xml = (
        f'<t><script>alert(1)</script><mml:math {MML} onclick="x()">'
        '<mml:mi href="javascript:x()" style="a" mathvariant="bold&quot;">a</mml:mi>'
        "<mml:script>b</mml:script>"
        '<mml:semantics><mml:mi>c</mml:mi><mml:annotation-xml encoding="text/html">'
        "<img src='x' onerror='y()'/></mml:annotation-xml></mml:semantics>"
        '</mml:math><i onmouseover="z()">d</i></t>'
    )
    plain, markup = render(xml)
    assert plain == "alert(1)abcd"
    assert markup == (
        'alert(1)<math><mi mathvariant="bold&quot;">a</mi>b<semantics><mi>c</mi></semantics>'
        "</math><i>d</i>"
    )


def test_render_inline_missing_element() -> None:
    assert render_inline(None) == ("", None)


# -- books, deletions, several records, broken files ----------------------------------------


def test_book_articles() -> None:
    chapter, whole = parse("book.xml")
    assert chapter.ids == ArticleIds(pmid=31000004, doi="10.9999/book.balint")
    assert chapter.title_en == "Balint Groups"
    assert chapter.book_title == "Peer Support in Clinical Practice"
    assert chapter.publisher == "Example Academic Press"
    assert chapter.pub_date == PubDate(year=2021, month=1, text="2021 Jan")
    assert chapter.journal is None
    # chapter authors only: the book's editors are not authors
    assert chapter.authors == [
        Author(
            last_name="Li", fore_name="Ming", initials="M", affiliations=["Example Medical College"]
        )
    ]
    assert chapter.abstract_en == [
        Section("Balint groups are case-discussion groups for clinicians.")
    ]
    assert chapter.copyright == "Copyright © 2021, Example Academic Press."
    assert chapter.languages == ["eng"]
    assert chapter.publication_types == ["Review"]
    assert chapter.keywords == [Keyword("reflective practice", False, "NOTNLM")]
    assert chapter.date_revised == "2022-02-14"
    assert chapter.entrez_date == "2021-01-21"
    assert chapter.line == 4

    assert whole.ids == ArticleIds(pmid=31000005)
    assert whole.title_en == "The Balint Handbook"  # the book title when there is no ArticleTitle
    assert whole.title_en_html == "The <i>Balint</i> Handbook"
    assert whole.book_title == "The Balint Handbook"
    assert whole.authors == [Author(last_name="Author", fore_name="Anne", initials="A")]
    assert whole.pub_date == PubDate(year=2019, text="2019")
    assert whole.line == 76


def test_several_records_in_order_with_deletion() -> None:
    records = parse("several.xml")
    assert [type(r) for r in records] == [Article, Article, Deletion, Article, Article]
    assert [r.ids.pmid for r in records if isinstance(r, Article)] == [101, 102, 103, 104]
    assert [r.journal for r in records if isinstance(r, Article)] == [
        "J One",
        "J Two",
        "J Three",
        "J Four",
    ]
    assert records[1].pub_date == PubDate(year=1998, month=12, text="1998 Dec-1999 Jan")
    assert records[2] == Deletion(pmids=[9001, 9002], line=14)
    assert [r.line for r in records] == [4, 5, 14, 18, 18]


def test_truncated_file_yields_records_then_problem() -> None:
    records = parse("truncated.xml")
    assert [r.ids.pmid for r in records[:2]] == [201, 202]
    assert records[0].title_en == "Complete first article."
    assert records[1].title_en == "Complete second article."
    assert len(records) == 3
    problem = records[2]
    assert isinstance(problem, Problem)
    assert problem.line == 24
    assert "line 24" in problem.message


def test_a_malformed_record_costs_that_record_only() -> None:
    data = (
        b"<PubmedArticleSet>\n"
        b"<PubmedArticle><MedlineCitation><PMID>1</PMID></MedlineCitation></PubmedArticle>\n"
        b"<PubmedArticle><MedlineCitation><PMID>2</PMID></Oops></PubmedArticle>\n"
        b"<PubmedArticle><MedlineCitation><PMID>3</PMID></MedlineCitation></PubmedArticle>\n"
        b"</PubmedArticleSet>\n"
    )
    records = list(parse_pubmed_xml(io.BytesIO(data)))
    assert [type(r) for r in records] == [Article, Problem, Article]
    assert [records[0].ids.pmid, records[2].ids.pmid] == [1, 3]
    assert records[1] == Problem(
        "<PubmedArticle> PMID 2 not imported: not well-formed XML (mismatched tag: line 3, "
        "column 48)",
        3,
    )


def test_a_malformed_record_with_a_comment_stops_the_file_at_the_error_line() -> None:
    # a comment could hide the end tag the scanner found: what follows cannot be trusted
    data = (
        b"<PubmedArticleSet>\n"
        b"<PubmedArticle><MedlineCitation><PMID>1</PMID></MedlineCitation></PubmedArticle>\n"
        b"<PubmedArticle><!-- x --><MedlineCitation><PMID>2</PMID></Oops></PubmedArticle>\n"
        b"<PubmedArticle><MedlineCitation><PMID>3</PMID></MedlineCitation></PubmedArticle>\n"
        b"</PubmedArticleSet>\n"
    )
    records = list(parse_pubmed_xml(io.BytesIO(data)))
    assert [type(r) for r in records] == [Article, Problem]
    assert records[1] == Problem(
        "XML broken off or not well-formed: mismatched tag: line 3, column 58", 3
    )


def test_not_pubmed_xml() -> None:
    data = b"<eFetchResult><ERROR>Empty id list</ERROR></eFetchResult>"
    assert list(parse_pubmed_xml(io.BytesIO(data))) == [
        Problem("not PubMed XML: the root element is <eFetchResult>")
    ]


# -- a large input, streamed ----------------------------------------------------------------


class _GeneratedStream:
    """A read()-only stream over a generator of byte chunks, never held whole in memory."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


RECORD = """<PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
    <PMID Version="1">{pmid}</PMID>
    <Article PubModel="Print">
      <ArticleTitle>Balint group number {pmid} &amp; CO<sub>2</sub>.</ArticleTitle>
      <AuthorList><Author><LastName>Doe</LastName><Initials>J</Initials></Author></AuthorList>
    </Article>
  </MedlineCitation>
</PubmedArticle>
"""
RECORD_LINES = RECORD.count("\n")


def _generated(count: int) -> Iterator[bytes]:
    yield b'<?xml version="1.0"?>\n<PubmedArticleSet>\n'
    for pmid in range(1, count + 1):
        yield RECORD.format(pmid=pmid).encode()
    yield b"</PubmedArticleSet>\n"


def test_large_generated_input_streams() -> None:
    count = 5000
    seen = 0
    for number, record in enumerate(parse_pubmed_xml(_GeneratedStream(_generated(count))), 1):
        assert isinstance(record, Article)
        assert record.ids.pmid == number
        assert record.title_en == f"Balint group number {number} & CO2."
        assert record.line == 3 + (number - 1) * RECORD_LINES
        seen += 1
    assert seen == count


# -- format detection -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD x//EN" "y.dtd">\n'
        b"<PubmedArticleSet>\n<PubmedArticle>",
        b"\xef\xbb\xbf  <PubmedArticleSet><PubmedArticle>",
        b"\n\n<PubmedArticle>\n<MedlineCitation>",
        b'<?xml version="1.0"?><!-- fetched 2024 --><PubmedBookArticle>',
        b'<!DOCTYPE PubmedArticleSet [ <!ENTITY x "y"> ]>\n<PubmedArticleSet>',
        "\ufeff<PubmedArticleSet>".encode("utf-16-le"),
        b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD x//EN" "y.dtd">\n',
    ],
)
def test_looks_like_pubmed_xml(head: bytes) -> None:
    assert looks_like_pubmed_xml(head)


@pytest.mark.parametrize(
    "head",
    [
        b"PMID- 12345\nOWN - NLM\nTI  - A title\n",
        b'<?xml version="1.0"?>\n<eSearchResult><Count>1</Count>',
        b"<html><body>PubmedArticleSet</body></html>",
        b"",
        b"<PubmedArticleSetX>",
    ],
)
def test_does_not_look_like_pubmed_xml(head: bytes) -> None:
    assert not looks_like_pubmed_xml(head)


def test_gzip_cut_short_yields_records_then_problem() -> None:
    data = gzip.compress(b"".join(_generated(2000)))
    with gzip.GzipFile(fileobj=io.BytesIO(data[: len(data) // 2])) as stream:
        records = list(parse_pubmed_xml(stream))
    *articles, problem = records
    assert 0 < len(articles) < 2000
    assert [a.ids.pmid for a in articles] == list(range(1, len(articles) + 1))
    assert isinstance(problem, Problem)
    assert problem.message.startswith("could not read the rest of the file")
    assert problem.line is not None and problem.line > articles[-1].line
