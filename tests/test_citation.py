import pytest

from litbalint.sources.citation import looks_like_citation, parse_citation_line
from litbalint.sources.dates import iso_from_text, parse_date_text

CASES = [
    # line, journal, iso date, date text, volume, issue, pages, doi, epub, print
    (
        "Int J Psychiatry Med. 2022 Nov;57(6):547-553. doi: 10.1177/00912174221122862. "
        "Epub 2022 Aug 21.",
        "Int J Psychiatry Med",
        "2022-11",
        "2022 Nov",
        "57",
        "6",
        "547-553",
        "10.1177/00912174221122862",
        "2022-08-21",
        None,
    ),
    (
        "Int J Psychiatry Med. 2018 Jan-Mar;53(1-2):24-38. doi: 10.1177/0091217417745289. "
        "Epub 2017 Dec 13.",
        "Int J Psychiatry Med",
        "2018-01",
        "2018 Jan-Mar",
        "53",
        "1-2",
        "24-38",
        "10.1177/0091217417745289",
        "2017-12-13",
        None,
    ),
    (
        "J Surg Educ. 2021 Nov-Dec;78(6):e28-e34. doi: 10.1016/j.jsurg.2021.04.018. "
        "Epub 2021 May 6.",
        "J Surg Educ",
        "2021-11",
        "2021 Nov-Dec",
        "78",
        "6",
        "e28-e34",
        "10.1016/j.jsurg.2021.04.018",
        "2021-05-06",
        None,
    ),
    (
        "J Grad Med Educ. 2024 Oct;16(5):545-556. doi: 10.4300/JGME-D-24-00016.1. "
        "Epub 2024 Oct 15.",
        "J Grad Med Educ",
        "2024-10",
        "2024 Oct",
        "16",
        "5",
        "545-556",
        "10.4300/JGME-D-24-00016.1",
        "2024-10-15",
        None,
    ),
    (
        "Clin Med (Lond). 2024 Jan;24(1):100013. doi: 10.1016/j.clinme.2024.100013. "
        "Epub 2024 Jan 17.",
        "Clin Med (Lond)",
        "2024-01",
        "2024 Jan",
        "24",
        "1",
        "100013",
        "10.1016/j.clinme.2024.100013",
        "2024-01-17",
        None,
    ),
    (
        "Tidsskr Nor Laegeforen. 2019 Nov 18;139(17). doi: 10.4045/tidsskr.19.0185. "
        "Print 2019 Nov 19.",
        "Tidsskr Nor Laegeforen",
        "2019-11-18",
        "2019 Nov 18",
        "139",
        "17",
        None,
        "10.4045/tidsskr.19.0185",
        None,
        "2019-11-19",
    ),
    (
        "BMC Med Educ. 2022 Jun 7;22(1):436. doi: 10.1186/s12909-022-03508-2.",
        "BMC Med Educ",
        "2022-06-07",
        "2022 Jun 7",
        "22",
        "1",
        "436",
        "10.1186/s12909-022-03508-2",
        None,
        None,
    ),
    (
        "Soc Justice. 1990 Spring;17(1):113-25.",
        "Soc Justice",
        "1990",
        "1990 Spring",
        "17",
        "1",
        "113-25",
        None,
        None,
        None,
    ),
    (
        "Lancet. 2019;393:100-110.",
        "Lancet",
        "2019",
        "2019",
        "393",
        None,
        "100-110",
        None,
        None,
        None,
    ),
    (
        "J Foo. 2024 Mar 5:1-9. doi: 10.1/abc. Online ahead of print.",
        "J Foo",
        "2024-03-05",
        "2024 Mar 5",
        None,
        None,
        "1-9",
        "10.1/abc",
        None,
        None,
    ),
    (
        "BMJ Open. 2021 Feb 2;11(2 Suppl 1):e040000.",
        "BMJ Open",
        "2021-02-02",
        "2021 Feb 2",
        "11",
        "2 Suppl 1",
        "e040000",
        None,
        None,
        None,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[1] + " " + c[3] for c in CASES])
def test_citation_lines(case):
    line, journal, iso, text, volume, issue, pages, doi, epub, printed = case
    citation = parse_citation_line(line)
    assert citation is not None
    assert citation.journal == journal
    assert citation.pub_date.iso() == iso
    assert citation.pub_date.text == text
    assert (citation.volume, citation.issue, citation.pages) == (volume, issue, pages)
    assert citation.doi == doi
    assert citation.epub_date == epub
    assert citation.print_date == printed
    assert looks_like_citation(line)


def test_citation_ids_at_the_end():
    citation = parse_citation_line(
        "Cochrane Database Syst Rev. 2020 Jan 3;1(1):CD012345. doi: 10.1002/14651858.CD012345."
        "pub2. PMID: 31900000; PMCID: PMC6950000."
    )
    assert citation.pmid == 31900000
    assert citation.pmc == "PMC6950000"


@pytest.mark.parametrize(
    "line",
    [
        "Supporting Peer Supporters.",
        "The Lawrence Family Medicine residency was created in the 1990s as the first one.",
        "新冠疫情期间的虚拟巴林特小组. 2022 年",
        "",
    ],
)
def test_not_citations(line):
    assert not looks_like_citation(line)


def test_season_and_ranges():
    assert parse_date_text("1990 Spring").season == "Spring"
    assert parse_date_text("1998 Dec-1999 Jan").iso() == "1998-12"
    assert parse_date_text("2001 Jan 15-21").iso() == "2001-01-15"
    assert parse_date_text("Summer 2005").year == 2005
    assert iso_from_text("20200526") == "2020-05-26"
    assert iso_from_text("2022/08/21 06:00") == "2022-08-21"
