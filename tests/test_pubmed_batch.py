"""PubMed XML records parsed several at a time: the same records and errors as one by one."""

from __future__ import annotations

import io

from litbalint.model import Article, Problem
from litbalint.sources.pubmed_xml import parse_pubmed_xml


def record(pmid: int, extra: str = "") -> bytes:
    return (
        f"<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID>{extra}"
        f"<Article><ArticleTitle>Title {pmid}.</ArticleTitle></Article>"
        f"</MedlineCitation></PubmedArticle>"
    ).encode()


def parse(records: list[bytes]) -> list:
    data = b"<PubmedArticleSet>\n" + b"\n".join(records) + b"\n</PubmedArticleSet>\n"
    return list(parse_pubmed_xml(io.BytesIO(data)))


def test_many_records_in_order_with_their_lines() -> None:
    records = parse([record(pmid) for pmid in range(1, 26)])
    assert [r.ids.pmid for r in records] == list(range(1, 26))
    assert [r.line for r in records] == list(range(2, 27))
    assert records[24].title_en == "Title 25."


def test_a_broken_record_among_others_is_reported_as_alone_and_costs_only_itself() -> None:
    pieces = [record(pmid) for pmid in range(1, 26)]
    pieces[13] = record(14, "<Oops>")
    records = parse(pieces)
    assert [type(r) for r in records] == [Article] * 13 + [Problem] + [Article] * 11
    assert [r.ids.pmid for r in records if isinstance(r, Article)] == [
        *range(1, 14),
        *range(15, 26),
    ]
    # the same record after 13 empty lines: the same error, line and column
    alone = parse([b""] * 13 + [pieces[13]])
    assert records[13] == alone[0]
    assert records[13].line == 15
    assert "PMID 14 not imported: not well-formed XML (mismatched tag: line 15, column" in (
        records[13].message
    )


def test_a_comment_never_joins_two_records() -> None:
    # read together, the comment would hide the first record's end tag and the second
    # record's would close it; read alone, the first record is broken
    pieces = [record(pmid) for pmid in range(1, 13)]
    pieces[3] = b"<PubmedBookArticle><!--</PubmedBookArticle>"
    pieces[4] = b"<PubmedArticle>--></PubmedBookArticle>" + record(5)
    records = parse(pieces)
    assert [type(r) for r in records] == [Article] * 3 + [Problem]
    assert records[3].line == 5


def test_comments_and_cdata_inside_records_are_read() -> None:
    pieces = [record(pmid) for pmid in range(1, 13)]
    pieces[2] = record(3, "<!-- a comment --><?pi data?>")
    pieces[6] = record(7).replace(b"Title 7.", b"<![CDATA[Title <7>.]]>")
    records = parse(pieces)
    assert [r.ids.pmid for r in records] == list(range(1, 13))
    assert records[6].title_en == "Title <7>."
