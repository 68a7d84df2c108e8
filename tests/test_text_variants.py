"""Suppr and plain layouts beyond the seeds: variants the site and users produce."""

from __future__ import annotations

import pytest

from litbalint.errors import UnsupportedFormat
from litbalint.model import Problem
from litbalint.sources.detect import records_from_bytes
from litbalint.sources.layout import split_glued_title
from litbalint.sources.suppr import parse_suppr

PAGE = """Suppr超能文献

巴林特小组对住院医师职业倦怠的影响。

Effect of Balint groups on resident burnout.

机构信息

Dept of Family Medicine, Somewhere University, City, Country.

出版信息

Fam Med. 2021 Mar;53(3):200-205. doi: 10.22454/FamMed.2021.123456. Epub 2021 Feb 1.
PMID: 33700000 PMCID: PMC8000000

Abstract

OBJECTIVE: To measure burnout. Twelve residents took part.

METHODS: We surveyed residents before and after a year of Balint groups.

摘要

目的:测量职业倦怠。12 名住院医师参与。

方法:我们在巴林特小组一年前后对住院医师进行了调查。

关键词

巴林特小组; 职业倦怠

相似文献

12

1
COVID-19 and Balint work.COVID-19 与巴林特工作。
Fam Med. 2020 Jan;52(1):1-2. doi: 10.1/one.
2
Balint groups for nurses.
护士的巴林特小组。
Nurs Times. 2019;115(4):20-22. doi: 10.1/two.

AI智能写作

一键生成论文初稿。

立即使用

https://example.org/figure1.png
"""


def test_inline_labels_keywords_and_an_unknown_promotion_tile():
    article, *problems = parse_suppr(PAGE)
    assert problems == []
    assert [(s.label, s.category, s.text) for s in article.abstract_en] == [
        ("OBJECTIVE", "OBJECTIVE", "To measure burnout. Twelve residents took part."),
        ("METHODS", "METHODS", "We surveyed residents before and after a year of Balint groups."),
    ]
    assert [(s.label, s.text) for s in article.abstract_zh] == [
        ("目的", "测量职业倦怠。12 名住院医师参与。"),
        ("方法", "我们在巴林特小组一年前后对住院医师进行了调查。"),
    ]
    assert [k.text for k in article.keywords] == ["巴林特小组", "职业倦怠"]
    assert article.ids.doi == "10.22454/FamMed.2021.123456"
    assert (article.ids.pmid, article.ids.pmc) == (33700000, "PMC8000000")
    items = [
        (r.kind, r.rank, r.article.title_en, r.article.title_zh, r.article.ids.doi)
        for r in article.related
    ]
    assert items == [
        ("similar", 1, "COVID-19 and Balint work.", "COVID-19 与巴林特工作。", "10.1/one"),
        ("similar", 2, "Balint groups for nurses.", "护士的巴林特小组。", "10.1/two"),
    ]
    everything = repr(article)
    assert "AI智能写作" not in everything and "一键生成" not in everything
    assert "example.org" not in everything and "立即使用" not in everything


@pytest.mark.parametrize(
    ("glued", "english", "chinese"),
    [
        (
            "Supporting Peer Supporters.支持同伴支持者。",
            "Supporting Peer Supporters.",
            "支持同伴支持者。",
        ),
        ("Where now?我们从何处出发?", "Where now?", "我们从何处出发?"),
        (
            "Balint in GP training.GP 培训中的巴林特。",
            "Balint in GP training.",
            "GP 培训中的巴林特。",
        ),
        ("No final stop 中文标题", "No final stop", "中文标题"),
        ("Plain English title.", "Plain English title.", None),
        ("COVID-19 期间 GP 的 Balint 小组", None, "COVID-19 期间 GP 的 Balint 小组"),
        ("巴林特小组。", None, "巴林特小组。"),
    ],
)
def test_split_glued_titles(glued, english, chinese):
    assert split_glued_title(glued) == (english, chinese)


def test_list_with_only_a_count_yields_no_edges():
    page = PAGE.split("相似文献")[0] + "相似文献\n\n8\n\n引用本文的文献\n\n3\n"
    article, *_ = parse_suppr(page)
    assert article.related == []


def test_page_without_citation_block_is_reported_but_kept():
    page = "Suppr超能文献\n\n中文标题。\n\nAn English title.\n\n摘要\n\n一段中文摘要。\n"
    article, *problems = parse_suppr(page)
    assert article.title_en == "An English title."
    assert [p.message for p in problems if isinstance(p, Problem)] == [
        "no 出版信息 (citation) block: journal and date unknown"
    ]


PLAIN = (
    "Dept A, Univ B, City, Country.\n"
    "J Test. 2019 Spring;10(2):1-9. doi: 10.1/plain.\n"
    "BACKGROUND: Peer support helps. It is cheap.\n"
    "Conclusions: Use it.\n"
    "背景:同伴支持有帮助。它很便宜。\n"
    "结论:使用它。\n"
    "GP 和 COVID-19 的 Balint 小组 (BMJ, NHS, RCGP)。\n"
)


def test_plain_dump_with_inline_labels():
    format_name, (article,) = records_from_bytes(PLAIN.encode(), "plain.txt")
    assert format_name == "plain"
    assert article.pub_date.season == "Spring"
    assert [(s.label, s.text) for s in article.abstract_en] == [
        ("BACKGROUND", "Peer support helps. It is cheap."),
        ("Conclusions", "Use it."),
    ]
    assert [(s.label, s.text) for s in article.abstract_zh] == [
        ("背景", "同伴支持有帮助。它很便宜。"),
        ("结论", "使用它。\nGP 和 COVID-19 的 Balint 小组 (BMJ, NHS, RCGP)。"),
    ]


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
        lambda t: t.replace("\n", "\r\n").encode("utf-8"),
        lambda t: t.encode("gb18030"),
        lambda t: t.encode("gbk"),
        lambda t: t.encode("utf-16"),
    ],
    ids=["utf8", "bom", "crlf", "gb18030", "gbk", "utf16"],
)
def test_encodings_give_the_same_article(encode):
    _, (expected, *_) = records_from_bytes(PAGE.encode(), "page.txt")
    format_name, (article, *_) = records_from_bytes(encode(PAGE), "page.txt")
    assert format_name == "suppr"
    assert article == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n\n ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        (b"Just some prose.\nNothing to import here.\n", "accepted formats"),
        (b"<?xml version='1.0'?><eSearchResult><Count>0</Count></eSearchResult>", "not PubMed"),
    ],
    ids=["empty", "blank", "binary", "prose", "other-xml"],
)
def test_refused_inputs_name_the_file(data, message):
    with pytest.raises(UnsupportedFormat) as refused:
        records_from_bytes(data, "some/file.txt")
    assert str(refused.value).startswith("some/file.txt: ")
    assert message in str(refused.value)
