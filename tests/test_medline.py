"""MEDLINE / .nbib parsing: hand-written fixtures in PubMed's layout, checked field by field."""

from __future__ import annotations

from pathlib import Path

import pytest

from litbalint.model import Article, MeshQualifier, Problem
from litbalint.sources.medline import looks_like_medline, parse_medline, split_sections
from litbalint.sources.text import decode_text

FIXTURES = Path(__file__).parent / "fixtures" / "medline"


def records(name: str) -> list:
    return list(parse_medline((FIXTURES / name).read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def two() -> list:
    return records("two_records.nbib")


def test_two_records_in_one_file(two: list) -> None:
    assert [type(r) for r in two] == [Article, Article]
    assert [r.ids.pmid for r in two] == [36100001, 25300002]
    assert [r.line for r in two] == [2, 71]


def test_identifiers_journal_and_dates(two: list) -> None:
    article = two[0]
    assert article.ids.doi == "10.1177/00912174221106817"
    assert article.ids.pii == "00912174221106817"
    assert article.ids.pmc == "PMC10066008"
    assert article.title_en == (
        "Balint groups and burnout among family medicine residents: a randomized controlled trial."
    )
    assert article.title_zh is None
    assert article.journal == "Int J Psychiatry Med"
    assert article.journal_title == "International journal of psychiatry in medicine"
    assert article.issn_electronic == "1541-3527"
    assert article.issn_print == "0091-2174"
    assert article.issn_linking == "0091-2174"
    assert article.nlm_id == "0365646"
    assert (article.volume, article.issue, article.pages) == ("57", "6", "547-553")
    assert (article.pub_date.year, article.pub_date.month, article.pub_date.day) == (2022, 11, None)
    assert article.pub_date.text == "2022 Nov"
    assert article.epub_date == "2022-08-21"
    assert article.date_revised == "2023-04-03"
    assert article.entrez_date == "2022-08-21"
    assert article.medline_status == "MEDLINE"
    assert article.languages == ["eng"]
    assert article.publication_types == ["Journal Article", "Randomized Controlled Trial"]
    assert article.copyright == "© 2022 The Author(s)."
    assert article.affiliations == []


def test_structured_abstract_is_split(two: list) -> None:
    sections = two[0].abstract_en
    assert [(s.label, s.category) for s in sections] == [
        ("BACKGROUND", "BACKGROUND"),
        ("METHODS", "METHODS"),
        ("RESULTS", "RESULTS"),
        ("CONCLUSIONS", "CONCLUSIONS"),
        ("TRIAL REGISTRATION", "UNASSIGNED"),
    ]
    assert sections[0].text == (
        "Burnout is common among residents in family medicine. "
        "Balint groups offer a case-based reflective space."
    )
    # "ratio 1:1" and "CI 1.1-7.3" stay inside their sections
    assert sections[1].text.endswith(
        "(ratio 1:1). Burnout was measured with the Maslach Burnout Inventory."
    )
    assert (
        sections[2].text
        == "Emotional exhaustion fell by 4.2 points (95% CI 1.1-7.3) in the Balint arm."
    )
    assert sections[4].text == "ClinicalTrials.gov NCT04000001."
    assert two[0].abstract_zh == []
    assert two[0].abstract_zh_source is None


def test_authors_with_orcid_affiliations_group_and_suffix(two: list) -> None:
    olivero, chen, group, king = two[0].authors
    assert (olivero.last_name, olivero.fore_name, olivero.initials) == ("Olivero", "Jose M", "JM")
    assert olivero.orcid == "0000-0002-4590-7461"
    assert olivero.affiliations == [
        "Department of Family Medicine, University of Somewhere, Springfield, IL, USA.",
        "Balint Society of North America, Chicago, IL, USA.",
    ]
    assert olivero.display_name == "Olivero JM"
    assert (chen.last_name, chen.fore_name, chen.initials, chen.orcid) == (
        "Chen",
        "Li-Hua",
        "LH",
        None,
    )
    assert chen.affiliations == [
        "Department of Psychiatry, Peking Union Medical College Hospital, Beijing, China."
    ]
    assert group.collective_name == "Balint Research Collaborative"
    assert (group.last_name, group.affiliations) == (None, [])
    assert (king.last_name, king.fore_name, king.initials, king.suffix) == (
        "King",
        "Martin Luther",
        "ML",
        "Jr",
    )
    assert king.orcid == "0000-0001-2345-678X"
    assert king.affiliations == []


def test_mesh_headings_and_keywords(two: list) -> None:
    mesh = two[0].mesh
    assert [m.descriptor for m in mesh] == [
        "Humans",
        "Burnout, Professional",
        "Internship and Residency",
        "Family Practice",
        "Psychotherapy, Group",
    ]
    burnout = mesh[1]
    assert burnout.descriptor_major is True
    assert burnout.qualifiers == [
        MeshQualifier(name="psychology", major=True),
        MeshQualifier(name="prevention & control", major=False),
    ]
    family = mesh[3]
    assert (family.descriptor_major, family.major) == (False, True)
    assert family.qualifiers == [MeshQualifier(name="education", major=True)]
    assert mesh[4].major is False
    assert [(k.text, k.major, k.owner) for k in two[0].keywords] == [
        ("Balint groups", False, "NOTNLM"),
        ("burnout", True, "NOTNLM"),
        ("medical education", False, "NOTNLM"),
    ]


def test_plain_abstract_and_month_range(two: list) -> None:
    article = two[1]
    assert article.pub_date.year == 2014
    assert article.pub_date.month == 11
    assert article.pub_date.text == "2014 Nov-Dec"
    assert article.ids.doi == "10.1016/j.example.2014.07.012"
    assert article.ids.pii is None
    assert article.issn_print == "0749-3797"
    assert article.issn_electronic is None
    assert article.epub_date is None
    assert article.pages == "401-9"
    assert len(article.abstract_en) == 1
    section = article.abstract_en[0]
    assert (section.label, section.category) == (None, None)
    assert section.text.startswith(
        "Nurses involved in adverse events often receive little support."
    )
    assert section.text.endswith("Conclusions: most participants found the meetings helpful.")
    assert article.keywords == []
    assert [(a.last_name, a.fore_name, a.initials) for a in article.authors] == [
        ("Novak", "Anna", "A")
    ]


def test_crlf_copy_decoded_by_caller_reads_the_same(two: list) -> None:
    data = (FIXTURES / "two_records_crlf.nbib").read_bytes()
    assert b"\r\n" in data
    assert list(parse_medline(decode_text(data, "two_records_crlf.nbib"))) == two


def test_chinese_other_abstract_and_vernacular_title() -> None:
    (article,) = records("chinese.nbib")
    assert article.line == 1
    assert article.ids.pmid == 34500003
    assert article.title_en == (
        "[Effect of Balint group training on job burnout of general practitioners]."
    )
    assert article.title_zh == "巴林特小组培训对全科医生职业倦怠的影响"
    assert article.languages == ["chi"]
    assert article.pub_date.iso() == "2021-09-10"
    assert article.publication_types == ["English Abstract", "Journal Article"]
    assert [(s.label, s.category) for s in article.abstract_en] == [
        ("OBJECTIVE", "OBJECTIVE"),
        ("METHODS", "METHODS"),
        ("RESULTS", "RESULTS"),
        ("CONCLUSION", "CONCLUSIONS"),
    ]
    assert article.abstract_zh_source == "publisher"
    assert [(s.label, s.category, s.text) for s in article.abstract_zh] == [
        ("目的", "OBJECTIVE", "评价巴林特小组培训对全科医生职业倦怠的影响。"),
        ("方法", "METHODS", "86名全科医生参加8次巴林特小组活动。"),
        ("结果", "RESULTS", "培训后去人格化得分下降(P<0.05)。"),
        ("结论", "CONCLUSIONS", "巴林特小组培训可缓解职业倦怠。"),
    ]
    zhongshan = (
        "Department of General Practice, Zhongshan Hospital, Fudan University, "
        "Shanghai 200032, China."
    )
    assert [a.affiliations for a in article.authors] == [[zhongshan], [zhongshan]]


def test_season_no_abstract_and_authors_without_full_names() -> None:
    old, recent = records("old_no_abstract.nbib")
    assert (old.line, recent.line) == (1, 34)
    assert old.pub_date.year == 1990
    assert old.pub_date.month is None
    assert old.pub_date.season == "Spring"
    assert old.pub_date.text == "1990 Spring"
    assert old.abstract_en == []
    assert old.ids.doi is None
    assert old.entrez_date == "1990-03-01"  # from EDAT: no CRDT line
    assert [(a.last_name, a.fore_name, a.initials, a.suffix) for a in old.authors] == [
        ("van der Berg", None, "JM", None),
        ("Smith", None, "J", "Jr"),
    ]
    assert [m.descriptor for m in old.mesh if m.major] == [
        "Education, Medical, Continuing",
        "Family Practice",
    ]


def test_unknown_capital_labels_are_kept_when_they_look_like_labels() -> None:
    _, recent = records("old_no_abstract.nbib")
    assert recent.medline_status == "Publisher"
    assert recent.pub_date.iso() == "2020-01-09"
    assert recent.epub_date == "2020-01-09"
    assert recent.issue is None
    assert [(s.label, s.category, s.text) for s in recent.abstract_en] == [
        ("WHAT IS ALREADY KNOWN", None, "Case discussion groups are used in primary care."),
        ("WHAT THIS STUDY ADDS", None, "Hospital doctors valued the groups for peer support."),
    ]


def test_broken_records_become_problems_and_the_rest_still_come_out() -> None:
    result = records("broken.nbib")
    assert [type(r) for r in result] == [Article, Problem, Problem, Article]
    first, garbage, no_pmid, last = result
    assert (first.ids.pmid, first.title_en, first.journal, first.line) == (
        30000001,
        "First readable record.",
        "Med Educ",
        1,
    )
    assert garbage.line == 10
    assert "30000002" in garbage.message and "line 7" in garbage.message
    assert "not a MEDLINE field" in garbage.message
    assert no_pmid.line == 13
    assert "without a PMID" in no_pmid.message
    assert (last.ids.pmid, last.title_en, last.line) == (30000004, "Last readable record.", 17)


def test_wrapped_lists_blank_continuations_and_records_without_blank_lines() -> None:
    text = (
        "PMID- 1\n"
        "AB  - First paragraph.\n"
        "\n"
        "      Second paragraph.\n"
        "OT  - a keyword long enough that PubMed wrapped it onto a\n"
        "      second line\n"
        "FAU - Doe, Jane\n"
        "AD  - Clinic A.\n"
        "FIR - Roe, Richard\n"
        "IR  - Roe R\n"
        "IRAD- Investigator affiliation.\n"
        "PMID- 2\n"
        "PMID- x\n"
        "TI  - Not a number.\n"
    )
    first, second, bad = parse_medline(text)
    assert first.abstract_en[0].text == "First paragraph. Second paragraph."
    assert [k.text for k in first.keywords] == [
        "a keyword long enough that PubMed wrapped it onto a second line"
    ]
    assert [(a.last_name, a.affiliations) for a in first.authors] == [("Doe", ["Clinic A."])]
    assert (second.ids.pmid, second.line) == (2, 12)
    assert isinstance(bad, Problem) and bad.line == 13


def test_affiliation_without_author_is_article_level() -> None:
    (article,) = parse_medline("PMID- 5\nTI  - Editorial.\nAD  - Editorial office.\n")
    assert article.authors == []
    assert article.affiliations == ["Editorial office."]


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("BACKGROUND: A. METHODS: B. RESULTS: C.", ["BACKGROUND", "METHODS", "RESULTS"]),
        ("OBJECTIVE: Only one labelled part.", ["OBJECTIVE"]),
        ("HIV: a review of peer support.", [None]),
        ("We studied HIV. RESULTS: none.", [None]),
        ("PURPOSE: A. THIS IS A VERY LONG CAPITAL PHRASE HERE: B.", ["PURPOSE"]),
        ("背景：巴林特小组。目的：探讨。", ["背景", "目的"]),
    ],
)
def test_split_sections(text: str, labels: list) -> None:
    assert [s.label for s in split_sections(text)] == labels
    assert split_sections("   ") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\n\nPMID- 36100001\nOWN - NLM\nSTAT- MEDLINE\n", True),
        ("OWN - NLM\nSTAT- MEDLINE\nTI  - A title\n      continued\n", True),
        ("TY  - JOUR\nTI  - A title\nAU  - Doe, J\n", False),
        ('<?xml version="1.0"?>\n<PubmedArticleSet>\n', False),
        ("PMID: 36100001\nTitle: something\n", False),
        ("TI - misaligned tag\n", False),
        ("", False),
    ],
)
def test_looks_like_medline(text: str, expected: bool) -> None:
    assert looks_like_medline(text) is expected


def test_fixtures_are_detected_as_medline() -> None:
    for path in FIXTURES.glob("*.nbib"):
        assert looks_like_medline(decode_text(path.read_bytes(), path.name)), path.name


def test_wrapped_fields_of_every_kind_keep_their_values_and_order() -> None:
    # Bio.Medline joins wrapped MH / AD lines and text fields itself, keeps the wrapped lines
    # of other list fields (CN, OAB) apart: each field still gets its whole value, in order
    (article,) = parse_medline(
        "PMID- 7\n"
        "TI  - A title that PubMed wrapped\n"
        "      onto two lines.\n"
        "CN  - The Very Long Name of a Collaborative Group on Balint Work in\n"
        "      Primary Care\n"
        "FAU - Doe, Jane\n"
        "AU  - Doe J\n"
        "AD  - Clinic A,\n"
        "      Town.\n"
        "AD  - Clinic B.\n"
        "MH  - *Burnout, Professional/prevention &\n"
        "      control\n"
        "OAB - Un résumé\n"
        "      en deux lignes.\n"
        "OABL- fre\n"
        "OAB - 中文摘要。\n"
        "OABL- chi\n"
        "LID - 10.1/x [doi]\n"
        "LID - S01 [pii]\n"
    )
    assert article.title_en == "A title that PubMed wrapped onto two lines."
    assert [(a.collective_name, a.last_name, a.affiliations) for a in article.authors] == [
        ("The Very Long Name of a Collaborative Group on Balint Work in Primary Care", None, []),
        (None, "Doe", ["Clinic A, Town.", "Clinic B."]),
    ]
    assert [q.name for q in article.mesh[0].qualifiers] == ["prevention & control"]
    assert [s.text for s in article.abstract_zh] == ["中文摘要。"]
    assert (article.ids.doi, article.ids.pii) == ("10.1/x", "S01")
