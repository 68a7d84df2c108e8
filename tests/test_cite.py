"""Citations (NLM/Vancouver, BibTeX, RIS) and the .bib/.ris Datasette renderers."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from datasette.app import Datasette

from litbalint.cite import CitedArticle, bibtex, from_row, page_range, ris, split_name, vancouver
from litbalint.pipeline import import_paths
from litbalint.store import Store
from tests.conftest import (
    FIXTURES,
    get,
    project_metadata,
    register_publish_plugin,
    seeded_database,
)

SEED_DOIS = {
    "10.1177/00912174221122862",
    "10.1080/14739879.2020.1764397",
    "10.1186/s12909-022-03508-2",
    "10.1186/s12913-023-09312-y",
    "10.1186/s12875-024-02548-5",
}

# seed 000 as the store keeps it (a Suppr page copy: no authors, no PMID)
SEED_000 = CitedArticle(
    doi="10.1177/00912174221122862",
    title_en="Virtual Balint Groups During COVID-19: Exploring Race and Equity in a CHC-Based "
    "Family Medicine Residency Program.",
    title_zh="新冠疫情期间的虚拟巴林特小组:在以社区卫生中心为基础的家庭医学住院医师培训项目中探索种族和公平问题。",
    journal="Int J Psychiatry Med",
    year=2022,
    month=11,
    pub_date_text="2022 Nov",
    volume="57",
    issue="6",
    pages="547-553",
)

# the record of tests/fixtures/medline/two_records.nbib, with a group author and a suffix
OLIVERO = CitedArticle(
    pmid=36100001,
    doi="10.1177/00912174221106817",
    pmc="PMC10066008",
    title_en="Balint groups and burnout among family medicine residents: a randomized "
    "controlled trial.",
    journal="Int J Psychiatry Med",
    journal_title="International journal of psychiatry in medicine",
    year=2022,
    month=11,
    pub_date_text="2022 Nov",
    volume="57",
    issue="6",
    pages="547-553",
    authors=["Olivero JM", "Chen LH", "Balint Research Collaborative", "King ML Jr"],
    abstract_en="BACKGROUND: Burnout is common.\nMETHODS: We randomized 64 residents.",
    keywords=["Balint groups", "burnout"],
    language="eng",
)

CHAPTER = CitedArticle(
    pmid=31000004,
    doi="10.9999/book.balint",
    title_en="Balint Groups",
    book_title="Peer Support in Clinical Practice",
    publisher="Example Academic Press",
    year=2021,
    month=1,
    pub_date_text="2021 Jan",
    authors=["Li M"],
)


# --- NLM / Vancouver -----------------------------------------------------------------------


def test_vancouver_seed_000():
    assert vancouver(SEED_000) == (
        "Virtual Balint Groups During COVID-19: Exploring Race and Equity in a CHC-Based Family "
        "Medicine Residency Program. Int J Psychiatry Med. 2022 Nov;57(6):547-553. "
        "doi: 10.1177/00912174221122862."
    )


def test_vancouver_with_authors_pmid_and_pmcid():
    assert vancouver(OLIVERO) == (
        "Olivero JM, Chen LH, Balint Research Collaborative, King ML Jr. Balint groups and "
        "burnout among family medicine residents: a randomized controlled trial. "
        "Int J Psychiatry Med. 2022 Nov;57(6):547-553. doi: 10.1177/00912174221106817. "
        "PMID: 36100001; PMCID: PMC10066008."
    )


def test_vancouver_lists_six_authors_then_et_al():
    names = ["Olivero JM", "Smith AB", "Jones C", "Wang X", "Li M", "Garcia A", "Novak A", "Ode B"]
    line = vancouver(replace(SEED_000, authors=names))
    assert line.startswith("Olivero JM, Smith AB, Jones C, Wang X, Li M, Garcia A, et al. Virtual ")
    assert "Novak" not in line
    six = vancouver(replace(SEED_000, authors=names[:6]))
    assert six.startswith("Olivero JM, Smith AB, Jones C, Wang X, Li M, Garcia A. Virtual ")


def test_vancouver_leaves_missing_parts_out_cleanly():
    tidsskr = CitedArticle(  # a seed stub: no pages
        doi="10.4045/tidsskr.19.0185",
        title_en="Medical students' attitudes and expectations for future working conditions.",
        journal="Tidsskr Nor Laegeforen",
        year=2019,
        month=11,
        day=18,
        pub_date_text="2019 Nov 18",
        volume="139",
        issue="17",
    )
    assert vancouver(tidsskr) == (
        "Medical students' attitudes and expectations for future working conditions. "
        "Tidsskr Nor Laegeforen. 2019 Nov 18;139(17). doi: 10.4045/tidsskr.19.0185."
    )
    bare = replace(tidsskr, volume=None, issue=None, pages=None, pub_date_text=None, day=None)
    assert vancouver(bare).endswith(
        "Tidsskr Nor Laegeforen. 2019 Nov. doi: 10.4045/tidsskr.19.0185."
    )
    assert vancouver(replace(bare, year=None, month=None, doi=None, journal=None)) == (
        "Medical students' attitudes and expectations for future working conditions."
    )
    assert vancouver(replace(bare, volume="8", pages="e12")).endswith(
        "2019 Nov;8:e12. doi: 10.4045/tidsskr.19.0185."
    )
    assert ".." not in vancouver(replace(SEED_000, title_en="Title ends.", journal="J."))


def test_vancouver_keeps_a_question_mark():
    stigma = CitedArticle(
        title_en="Mental health stigma in the medical profession: Where do we go from here?",
        journal="Clin Med (Lond)",
        year=2024,
        month=1,
        pub_date_text="2024 Jan",
        volume="24",
        issue="1",
        pages="100013",
        doi="10.1016/j.clinme.2024.100013",
    )
    assert vancouver(stigma) == (
        "Mental health stigma in the medical profession: Where do we go from here? "
        "Clin Med (Lond). 2024 Jan;24(1):100013. doi: 10.1016/j.clinme.2024.100013."
    )
    assert "here!" in vancouver(replace(stigma, title_en="Go from here!"))
    assert "here!." not in vancouver(replace(stigma, title_en="Go from here!"))


def test_vancouver_book_chapter_and_book():
    assert vancouver(CHAPTER) == (
        "Li M. Balint Groups. In: Peer Support in Clinical Practice. Example Academic Press; "
        "2021 Jan. doi: 10.9999/book.balint. PMID: 31000004."
    )
    book = CitedArticle(
        pmid=31000005,
        title_en="The Balint Handbook",
        book_title="The Balint Handbook",
        publisher="Example Academic Press",
        year=2019,
        authors=["Author A"],
    )
    assert book.kind == "book"
    assert vancouver(book) == (
        "Author A. The Balint Handbook. Example Academic Press; 2019. PMID: 31000005."
    )


# --- names and pages -----------------------------------------------------------------------


def test_split_name():
    olivero = split_name("Olivero JM")
    assert (olivero.last_name, olivero.initials, olivero.suffix) == ("Olivero", ["J", "M"], None)
    king = split_name("King ML Jr")
    assert (king.last_name, king.initials, king.suffix) == ("King", ["M", "L"], "Jr")
    assert split_name("van der Berg A").last_name == "van der Berg"
    assert split_name("Balint Research Collaborative") is None
    assert split_name("WHO") is None


@pytest.mark.parametrize(
    ("pages", "first", "last"),
    [
        ("547-553", "547", "553"),
        ("e28-e34", "e28", "e34"),
        ("733-8", "733", "738"),  # PubMed's short form
        ("101-9", "101", "109"),
        ("1195-201", "1195", "1201"),
        ("S12-5", "S12", "S15"),
        ("436", "436", None),
        ("100013", "100013", None),
        ("12-5, 18", "12-5, 18", None),
        (None, None, None),
    ],
)
def test_page_range(pages, first, last):
    assert page_range(pages) == (first, last)


# --- BibTeX --------------------------------------------------------------------------------


def test_bibtex_entry():
    assert bibtex([OLIVERO]) == (
        "@article{olivero2022balint,\n"
        "  author = {Olivero, J. M. and Chen, L. H. and {Balint Research Collaborative} and "
        "King, Jr, M. L.},\n"
        "  title = {Balint groups and burnout among family medicine residents: a randomized "
        "controlled trial},\n"
        "  journal = {International journal of psychiatry in medicine},\n"
        "  shortjournal = {Int J Psychiatry Med},\n"
        "  year = {2022},\n"
        "  month = nov,\n"
        "  volume = {57},\n"
        "  number = {6},\n"
        "  pages = {547--553},\n"
        "  doi = {10.1177/00912174221106817},\n"
        "  pmid = {36100001},\n"
        "  pmcid = {PMC10066008},\n"
        "  url = {https://pubmed.ncbi.nlm.nih.gov/36100001/},\n"
        "  abstract = {BACKGROUND: Burnout is common. METHODS: We randomized 64 residents.},\n"
        "  keywords = {Balint groups, burnout},\n"
        "  language = {eng},\n"
        "}\n"
    )


def test_bibtex_seed_000_protects_capitals_and_keeps_chinese():
    entry = bibtex([SEED_000])
    assert entry.startswith("@article{anon2022virtual,\n")  # no authors on the Suppr page
    assert (
        "  title = {Virtual Balint Groups During {COVID-19}: Exploring Race and Equity in a "
        "{CHC-Based} Family Medicine Residency Program},\n" in entry
    )
    assert "  url = {https://doi.org/10.1177/00912174221122862},\n" in entry
    assert "  annote = {Chinese title (中文标题): 新冠疫情期间的虚拟巴林特小组:" in entry
    assert "note = " not in entry.replace("annote = ", "")
    assert "pmid" not in entry


def test_bibtex_escapes_latex_special_characters():
    article = CitedArticle(
        title_en=r"50% of {x} cost $5 & #1: a_b ~c ^d \e",
        authors=["O'Neil_Smith AB", "R&D Group"],
        abstract_en="100% & more",
        journal="J Ex",
        year=2020,
    )
    entry = bibtex([article])
    assert (
        r"  title = {50\% of \{x\} cost \$5 \& \#1: a\_b \textasciitilde{}c "
        r"\textasciicircum{}d \textbackslash{}e},"
    ) in entry
    assert r"  author = {O'Neil\_Smith, A. B. and {R\&D Group}}," in entry
    assert r"  abstract = {100\% \& more}," in entry
    assert entry.count("{") == entry.count("}")


def test_bibtex_keys_are_ascii_and_unique():
    muller = CitedArticle(title_en="Über Balint-Gruppen", authors=["Müller K"], year=2001)
    keys = re.findall(
        r"^@\w+\{([^,]+),", bibtex([muller, muller, muller, OLIVERO, OLIVERO]), re.MULTILINE
    )
    assert keys == [
        "muller2001uber",
        "muller2001uberb",
        "muller2001uberc",
        "olivero2022balint",
        "olivero2022balintb",
    ]
    chinese_only = CitedArticle(title_zh="巴林特小组", authors=["Wang X"], year=2020)
    assert bibtex([chinese_only]).startswith("@article{wang2020,\n  author = {Wang, X.},\n")
    assert "  title = {巴林特小组},\n" in bibtex([chinese_only])


def test_bibtex_book_chapter():
    entry = bibtex([CHAPTER])
    assert entry.startswith("@incollection{li2021balint,\n")
    assert "  booktitle = {Peer Support in Clinical Practice},\n" in entry
    assert "  publisher = {Example Academic Press},\n" in entry
    assert "journal" not in entry


# --- RIS -----------------------------------------------------------------------------------


def test_ris_record():
    assert ris([OLIVERO]) == "\r\n".join(
        [
            "TY  - JOUR",
            "AU  - Olivero, J.M.",
            "AU  - Chen, L.H.",
            "AU  - Balint Research Collaborative",
            "AU  - King, M.L., Jr",
            "TI  - Balint groups and burnout among family medicine residents: a randomized "
            "controlled trial.",
            "T2  - International journal of psychiatry in medicine",
            "JO  - Int J Psychiatry Med",
            "PY  - 2022",
            "DA  - 2022/11//",
            "VL  - 57",
            "IS  - 6",
            "SP  - 547",
            "EP  - 553",
            "DO  - 10.1177/00912174221106817",
            "AN  - 36100001",
            "C2  - PMC10066008",
            "UR  - https://pubmed.ncbi.nlm.nih.gov/36100001/",
            "AB  - BACKGROUND: Burnout is common. METHODS: We randomized 64 residents.",
            "KW  - Balint groups",
            "KW  - burnout",
            "LA  - eng",
            "ER  - ",
            "",
            "",
        ]
    )


@pytest.mark.parametrize(
    ("pages", "lines"),
    [
        ("547-553", ["SP  - 547", "EP  - 553"]),
        ("e28-e34", ["SP  - e28", "EP  - e34"]),
        ("733-8", ["SP  - 733", "EP  - 738"]),
        ("298", ["SP  - 298"]),
        (None, []),
    ],
)
def test_ris_pages(pages, lines):
    record = ris([replace(SEED_000, pages=pages)])
    assert [line for line in record.split("\r\n") if line[:2] in ("SP", "EP")] == lines


def test_ris_seed_000_and_chapter():
    record = ris([SEED_000])
    assert "\n" not in record.replace("\r\n", "")
    assert "TT  - 新冠疫情期间的虚拟巴林特小组:" in record
    assert "N1  - Chinese title (中文标题): 新冠疫情期间的虚拟巴林特小组:" in record
    assert "UR  - https://doi.org/10.1177/00912174221122862\r\n" in record
    assert "AN  - " not in record and "AU  - " not in record
    chapter = ris([CHAPTER]).split("\r\n")
    assert chapter[:4] == ["TY  - CHAP", "AU  - Li, M.", "TI  - Balint Groups",
                           "T2  - Peer Support in Clinical Practice"]  # fmt: skip
    assert "PB  - Example Academic Press" in chapter
    assert "DA  - 2021/01//" in chapter
    two = ris([SEED_000, CHAPTER])
    assert two.count("ER  - \r\n\r\nTY  - ") == 1 and two.endswith("ER  - \r\n\r\n")


# --- rows from the database ----------------------------------------------------------------


def test_from_row():
    row = {
        "id": 14,
        "pmid": 36100001,
        "doi": "10.1177/00912174221106817",
        "pmc": "PMC10066008",
        "title_en": "Balint groups and burnout.",
        "title_zh": None,
        "journal": "Int J Psychiatry Med",
        "journal_title": "International journal of psychiatry in medicine",
        "year": 2022,
        "month": 11,
        "day": None,
        "pub_date_text": "2022 Nov",
        "volume": "57",
        "issue": "6",
        "pages": "547-553",
        "book_title": None,
        "publisher": None,
        "abstract_en": "Text.",
        "keywords": '["Balint groups", "burnout"]',
        "languages": '["eng", "chi"]',
        "is_stub": 0,
    }
    article = from_row(row, ["Olivero JM", "King ML Jr"])
    assert article.authors == ["Olivero JM", "King ML Jr"]
    assert article.keywords == ["Balint groups", "burnout"]
    assert article.language == "eng, chi"
    assert (article.pmid, article.journal_title, article.kind) == (
        36100001,
        "International journal of psychiatry in medicine",
        "article",
    )
    assert from_row({"id": 1, "keywords": "not json", "title_en": "  "}) == CitedArticle()


# --- through Datasette ---------------------------------------------------------------------

CANNED = {"balint_articles": {"sql": "select id, title_en from articles where topics like "
                                     "'%balint%' and is_stub = 0 order by id"}}  # fmt: skip


@pytest.fixture(scope="module")
def datasette(tmp_path_factory: pytest.TempPathFactory) -> Datasette:
    register_publish_plugin()
    db = seeded_database(tmp_path_factory.mktemp("cite"))
    metadata = project_metadata()
    metadata["databases"]["litbalint"]["queries"] = CANNED
    return Datasette([str(db)], immutables=[], metadata=metadata)


@pytest.fixture(scope="module")
def with_authors(tmp_path_factory: pytest.TempPathFactory) -> Datasette:
    """Two MEDLINE records with authors (a group author and a suffix among them)."""
    register_publish_plugin()
    db = tmp_path_factory.mktemp("cite_authors") / "litbalint.db"
    with Store(db) as store:
        files = [FIXTURES / "medline" / "two_records.nbib"]
        assert all(r.ok for r in import_paths(store, files))
    return Datasette([str(db)], immutables=[])


def dois(text: str) -> list[str]:
    return re.findall(r"^  doi = \{(.+)\},$", text, re.MULTILINE)


def test_table_as_bibtex(datasette):
    response = get(datasette, "/litbalint/articles.bib?is_stub=0")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-bibtex; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="litbalint-articles.bib"'
    )
    assert response.text.count("@article{") == 5
    assert set(dois(response.text)) == SEED_DOIS
    assert (
        "  annote = {Chinese title (中文标题): 理解同伴支持:寻求支持一年后医生的定性访谈研究。 "
        "Chinese abstract (中文摘要): " in response.text
    )


def test_row_page_as_ris(datasette):
    response = get(datasette, "/litbalint/articles/1.ris")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == (
        "application/x-research-info-systems; charset=utf-8"
    )
    assert response.headers["content-disposition"] == (
        'attachment; filename="doi-10.1177-00912174221122862.ris"'  # no PMID in seed 000
    )
    text = response.text
    assert text.startswith("TY  - JOUR\r\nTI  - Virtual Balint Groups During COVID-19:")
    assert text.count("ER  - ") == 1 and text.endswith("ER  - \r\n\r\n")
    assert "DO  - 10.1177/00912174221122862\r\n" in text
    assert "SP  - 547\r\nEP  - 553\r\n" in text


def test_sql_query_as_bibtex(datasette):
    response = get(datasette, "/litbalint.bib?sql=select+id+from+articles+where+is_stub=0")
    assert response.status_code == 200, response.text
    assert set(dois(response.text)) == SEED_DOIS
    # only an id column asked for: the rest is read from the database
    assert "  journal = {Int J Psychiatry Med},\n" in response.text


def test_canned_query_as_ris(datasette):
    response = get(datasette, "/litbalint/balint_articles.ris")
    assert response.status_code == 200, response.text
    assert re.findall(r"^DO  - (.+)\r$", response.text, re.MULTILINE) == [
        "10.1177/00912174221122862",
        "10.1080/14739879.2020.1764397",
        "10.1186/s12909-022-03508-2",
    ]


def test_authors_come_in_order(with_authors):
    response = get(with_authors, "/litbalint/articles.ris?pmid=36100001")
    assert response.status_code == 200, response.text
    assert re.findall(r"^AU  - (.+)\r$", response.text, re.MULTILINE) == [
        "Olivero, J.M.",
        "Chen, L.H.",
        "Balint Research Collaborative",
        "King, M.L., Jr",
    ]
    entry = get(with_authors, "/litbalint/articles.bib?pmid=36100001").text
    assert entry.startswith("@article{olivero2022balint,\n")


@pytest.mark.parametrize(
    "path",
    [
        "/litbalint/keywords.bib",  # no id column
        "/litbalint/journals.ris",  # an id, but not of articles
        "/litbalint/authors/1.bib",
        "/litbalint.ris?sql=select+id+from+journals",
        "/litbalint.bib?sql=select+no_such_column+from+articles",
    ],
)
def test_other_tables_and_queries_are_refused(datasette, path):
    response = get(datasette, path)
    assert response.status_code in (400, 404)
    assert "Traceback" not in response.text
    assert "@article" not in response.text and "TY  - " not in response.text


def test_links_only_where_they_work(datasette):
    page = get(datasette, "/litbalint/articles?is_stub=0").text
    assert re.search(r'href="/litbalint/articles\.bib\?[^"]*is_stub=0', page)
    assert re.search(r'href="/litbalint/articles\.ris\?[^"]*is_stub=0', page)
    keywords = get(datasette, "/litbalint/keywords").text
    assert ".bib" not in keywords and ".ris" not in keywords
    query = get(datasette, "/litbalint?sql=select+id+from+journals").text
    assert "litbalint.bib" not in query
