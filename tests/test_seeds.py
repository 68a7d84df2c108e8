"""The five bundled seeds, parsed and checked field by field against the documents."""

from __future__ import annotations

import pytest

from litbalint.model import Article, Problem
from litbalint.sources.detect import records_from_bytes
from tests.conftest import seed


def parse(prefix: str) -> tuple[str, Article]:
    format_name, records = records_from_bytes(seed(prefix).read_bytes(), prefix)
    assert not [r for r in records if isinstance(r, Problem)]
    (article,) = records
    return format_name, article


def sections(article: Article, lang: str) -> list[tuple]:
    """(label, first three words, last three words) per English section."""
    assert lang == "en"
    return [(s.label, s.text.split()[:3], s.text.split()[-3:]) for s in article.abstract_en]


def assert_zh_sections(article: Article, expected: list[tuple[str | None, str, str]]) -> None:
    """Each Chinese section's label, and how its text starts and ends."""
    got = article.abstract_zh
    assert [s.label for s in got] == [e[0] for e in expected]
    for section, (_, start, end) in zip(got, expected, strict=True):
        assert section.text.startswith(start), section.text[:20]
        assert section.text.endswith(end), section.text[-20:]


def citation(article: Article) -> tuple:
    d = article.pub_date
    return (
        article.journal,
        d.year,
        d.month,
        d.day,
        d.text,
        article.volume,
        article.issue,
        article.pages,
        article.ids.doi,
        article.epub_date,
        article.print_date,
    )


def related(article: Article) -> list[tuple]:
    return [
        (
            r.kind,
            r.rank,
            r.article.title_en,
            r.article.title_zh,
            r.article.ids.doi,
            r.article.journal,
            r.article.pub_date.iso(),
            r.article.volume,
            r.article.issue,
            r.article.pages,
            r.article.epub_date,
            r.article.is_stub,
        )
        for r in article.related
    ]


def test_seed_000_suppr_unstructured_with_lists():
    format_name, a = parse("000")
    assert format_name == "suppr"
    assert a.title_zh == (
        "新冠疫情期间的虚拟巴林特小组:在以社区卫生中心为基础的家庭医学住院医师培训项目中"
        "探索种族和公平问题。"
    )
    assert a.title_en == (
        "Virtual Balint Groups During COVID-19: Exploring Race and Equity in a CHC-Based "
        "Family Medicine Residency Program."
    )
    assert a.affiliations == [
        "Lawrence Family Medicine Residency, 187520Greater Lawrence Family Health Center, "
        "Lawrence, MA, USA."
    ]
    assert citation(a) == (
        "Int J Psychiatry Med",
        2022,
        11,
        None,
        "2022 Nov",
        "57",
        "6",
        "547-553",
        "10.1177/00912174221122862",
        "2022-08-21",
        None,
    )
    assert a.ids.pmid is None
    assert sections(a, "en") == [
        (None, ["The", "Lawrence", "Family"], ["very", "uncertain", "time."])
    ]
    assert_zh_sections(a, [(None, "劳伦斯家庭医学", "并相互提供支持。")])
    assert a.abstract_zh_source == "suppr"
    assert related(a) == [
        (
            "similar",
            1,
            "Virtual Balint Groups During COVID-19: Exploring Race and Equity in a "
            "CHC-Based Family Medicine Residency Program.",
            None,
            "10.1177/00912174221122862",
            "Int J Psychiatry Med",
            "2022-11",
            "57",
            "6",
            "547-553",
            "2022-08-21",
            True,
        ),
        (
            "similar",
            3,
            "Balint seminars: the transatlantic experience through videoconference.",
            None,
            "10.1093/fampra/cmu065",
            "Fam Pract",
            "2014-12",
            "31",
            "6",
            "733-8",
            "2014-10-15",
            True,
        ),
        (
            "similar",
            4,
            "The role of Balint group training in the professional and personal "
            "development of family medicine residents.",
            None,
            "10.1177/0091217417745289",
            "Int J Psychiatry Med",
            "2018-01",
            "53",
            "1-2",
            "24-38",
            "2017-12-13",
            True,
        ),
        (
            "similar",
            6,
            "The Juice is Worth the Squeeze: Psychiatry Residents' Experience of Balint Group.",
            None,
            "10.1177/00912174221127084",
            "Int J Psychiatry Med",
            "2022-11",
            "57",
            "6",
            "508-520",
            "2022-09-14",
            True,
        ),
        (
            "similar",
            7,
            "Showcasing a General Surgery Residency Program During the COVID-19 Pandemic.",
            None,
            "10.1016/j.jsurg.2021.04.018",
            "J Surg Educ",
            "2021-11",
            "78",
            "6",
            "e28-e34",
            "2021-05-06",
            True,
        ),
        (
            "cited_by",
            1,
            "Interventions to Support Resident and Fellow Well-Being During the "
            "COVID-19 Pandemic: A Scoping Review.",
            None,
            "10.4300/JGME-D-24-00016.1",
            "J Grad Med Educ",
            "2024-10",
            "16",
            "5",
            "545-556",
            "2024-10-15",
            True,
        ),
    ]
    assert a.related[2].article.pub_date.text == "2018 Jan-Mar"
    assert a.related[4].article.pub_date.text == "2021 Nov-Dec"


def test_seed_001_plain_one_paragraph_each():
    format_name, a = parse("001")
    assert format_name == "plain"
    assert (a.title_en, a.title_zh) == (None, None)
    assert a.affiliations == ["NHS GP, Royal College of General Practitioners, London, UK."]
    assert citation(a) == (
        "Educ Prim Care",
        2020,
        9,
        None,
        "2020 Sep",
        "31",
        "5",
        "281-289",
        "10.1080/14739879.2020.1764397",
        "2020-05-26",
        None,
    )
    assert sections(a, "en") == [
        (None, ["Balint", "allows", "colleagues"], ["the", "hidden", "curriculum."])
    ]
    assert_zh_sections(a, [(None, "巴林特小组允许", "为培训增加价值。")])
    assert "burnout rate(职业枯竭率)" in a.abstract_zh[0].text
    assert a.abstract_zh_source == "plain"
    assert a.related == []


def test_seed_002_plain_four_paragraphs_each():
    format_name, a = parse("002")
    assert format_name == "plain"
    assert a.affiliations == [
        "The University of Auckland, Auckland, New Zealand.",
        "Counties Manukau Health, Auckland, New Zealand.",
    ]
    assert citation(a) == (
        "BMC Med Educ",
        2022,
        6,
        7,
        "2022 Jun 7",
        "22",
        "1",
        "436",
        "10.1186/s12909-022-03508-2",
        None,
        None,
    )
    assert sections(a, "en") == [
        (None, ["Health", "professionals", "in"], ["their", "psychiatry", "attachment."]),
        (None, ["Medical", "students", "completing"], ["rounds", "of", "coding."]),
        (None, ["Four", "themes", "were"], ["empathy", "for", "others."]),
        (None, ["The", "Balint", "structure"], ["their", "medical", "career."]),
    ]
    assert_zh_sections(
        a,
        [
            (None, "处于培训阶段的", "小组的情绪体验。"),
            (None, "完成六周精神病", "行讨论和完善。"),
            (None, "确定了四个主题", "他人的同理心。"),
            (None, "巴林特小组结构", "个医学职业生涯。"),
        ],
    )


def test_seed_003_suppr_structured_with_glued_titles_and_empty_list():
    format_name, a = parse("003")
    assert format_name == "suppr"
    assert a.title_zh == "理解同伴支持:寻求支持一年后医生的定性访谈研究。"
    assert a.title_en == (
        "Understanding peer support: a qualitative interview study of doctors one year after "
        "seeking support."
    )
    assert a.affiliations == [
        "Research Institute Modum Bad, Postbox 33, Vikersund, 3371, Norway.",
        "Institute for Studies of the Medical Profession, Oslo, Norway.",
    ]
    assert citation(a) == (
        "BMC Health Serv Res",
        2023,
        4,
        1,
        "2023 Apr 1",
        "23",
        "1",
        "324",
        "10.1186/s12913-023-09312-y",
        None,
        None,
    )
    assert sections(a, "en") == [
        ("BACKGROUND", ["Doctors'", "health", "is"], ["meet", "their", "needs."]),
        ("MATERIALS AND METHODS", ["Twelve", "doctors", "were"], ["by", "Edgar", "Schein."]),
        ("RESULTS", ["The", "doctors", "sought"], ["service", "is", "practised."]),
        ("CONCLUSIONS", ["Peer", "support", "seems"], ["experience", "as", "beneficial."]),
    ]
    assert [s.category for s in a.abstract_en] == [
        "BACKGROUND",
        "METHODS",
        "RESULTS",
        "CONCLUSIONS",
    ]
    assert_zh_sections(
        a,
        [
            ("背景", "医生的健康对于", "满足他们的需求。"),
            ("材料和方法", "12 名医生在参", "材料进行了解释。"),
            ("结果", "这些医生因各种", "服务的实践方式。"),
            ("结论", "同伴支持似乎通", "满足了医生的需求。"),
        ],
    )
    # 相似文献 shows a count (8) and no items: no edges.
    assert [r.kind for r in a.related] == ["cited_by", "references", "references"]
    assert related(a) == [
        (
            "cited_by",
            6,
            "Mental health stigma in the medical profession: Where do we go from here?",
            "医学领域的心理健康污名:我们从何处出发?",
            "10.1016/j.clinme.2024.100013",
            "Clin Med (Lond)",
            "2024-01",
            "24",
            "1",
            "100013",
            "2024-01-17",
            True,
        ),
        (
            "references",
            2,
            "Supporting Peer Supporters.",
            "支持同伴支持者。",
            "10.1016/j.jcjq.2022.05.001",
            "Jt Comm J Qual Patient Saf",
            "2022-09",
            "48",
            "9",
            "427-429",
            "2022-05-13",
            True,
        ),
        (
            "references",
            9,
            "Medical students' attitudes and expectations for future working conditions.",
            "医学生对未来工作条件的态度和期望。",
            "10.4045/tidsskr.19.0185",
            "Tidsskr Nor Laegeforen",
            "2019-11-18",
            "139",
            "17",
            None,
            None,
            True,
        ),
    ]
    assert a.related[2].article.print_date == "2019-11-19"


def test_seed_004_suppr_findings_label_and_figure_url():
    format_name, a = parse("004")
    assert format_name == "suppr"
    assert a.title_zh == (
        "如果你没有相同的健康或社会状况,你能成为同伴吗?在初级保健环境中同伴融合的定性研究。"
    )
    assert a.title_en == (
        "Can you be a peer if you don't share the same health or social conditions? A "
        "qualitative study on peer integration in a primary care setting."
    )
    assert a.affiliations == [
        "Canada Research Chair in Partnership with Patients and Communities, Centre de "
        "recherche du centre hospitalier de l'Université de Montréal (CRCHUM), 850 St-Denis "
        "Street, Montréal, Québec, H2X 0A9, Canada.",
        "Public Health Agency of Canada, 200 René-Lévesque West Blvd, #102, Montréal, Québec, "
        "H2Z 1X4, Canada.",
    ]
    assert citation(a) == (
        "BMC Prim Care",
        2024,
        8,
        12,
        "2024 Aug 12",
        "25",
        "1",
        "298",
        "10.1186/s12875-024-02548-5",
        None,
        None,
    )
    assert sections(a, "en") == [
        ("BACKGROUND", ["Peer", "support", "has"], ["and", "social", "backgrounds."]),
        ("METHODS", ["A", "participatory", "qualitative"], ["peer", "support", "worker."]),
        ("FINDINGS", ["Findings", "show", "that"], ["within", "healthcare", "system."]),
        ("CONCLUSION", ["Our", "results", "show"], ["of", "healthcare", "services."]),
    ]
    assert [s.category for s in a.abstract_zh] == [
        "BACKGROUND",
        "METHODS",
        "RESULTS",
        "CONCLUSIONS",
    ]
    assert_zh_sections(
        a,
        [
            ("背景", "同伴支持在社区", "基层医疗环境中。"),
            ("方法", "2020 年至 ", "进行了主题分析。"),
            ("发现", "研究结果表明,", "能具有挑战性。"),
            ("结论", "我们的研究结果", "服务的复杂性。"),
        ],
    )
    assert a.related == []


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_no_site_chrome_in_any_field(prefix):
    _, a = parse(prefix)
    texts = [a.title_en or "", a.title_zh or "", *a.affiliations]
    texts += [s.text for s in a.abstract_en + a.abstract_zh]
    texts += [s.label or "" for s in a.abstract_en + a.abstract_zh]
    texts += [r.article.title_en or "" for r in a.related]
    texts += [r.article.title_zh or "" for r in a.related]
    joined = "\n".join(texts)
    for chrome in (
        "Suppr",
        "超能文献",
        "文献AI研究员",
        "用中文搜PubMed",
        "文档翻译",
        "文献检索",
        "文件翻译",
        "深度研究",
        "立即体验",
        "马上搜索",
        "免费",
        "综述",
        "http",
        ".jpg",
    ):
        assert chrome not in joined, chrome
