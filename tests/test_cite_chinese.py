"""The Chinese title and abstract in BibTeX and RIS (see bibfile.py and risfile.py for which
fields and why), line breaks and special characters in them."""

from __future__ import annotations

import re
from dataclasses import replace

from litbalint.cite import CitedArticle, bibtex, from_row, ris

# the record of tests/fixtures/medline/chinese.nbib: a Chinese article, PubMed's English title
BILINGUAL = CitedArticle(
    pmid=34500003,
    doi="10.3760/cma.j.cn112338-20210301-00170",
    title_en="[Effect of Balint group training on job burnout of general practitioners].",
    title_zh="巴林特小组培训对全科医生职业倦怠的影响",
    journal="Zhonghua Liu Xing Bing Xue Za Zhi",
    year=2021,
    authors=["Wang F", "Liu J"],
    abstract_en="OBJECTIVE: To evaluate the effect.\n\nMETHODS: 86 general practitioners.",
    abstract_zh="目的：评价巴林特小组培训的效果。\n\n方法：86名全科医生参加8次巴林特小组活动。",
    language="chi",
)
ENGLISH_ONLY = replace(BILINGUAL, title_zh=None, abstract_zh=None, language="eng")
CHINESE_ONLY = replace(BILINGUAL, pmid=None, title_en=None, abstract_en=None)


def ris_lines(article: CitedArticle) -> list[str]:
    return ris([article]).split("\r\n")


def tagged(article: CitedArticle, tag: str) -> list[str]:
    return [line[6:] for line in ris_lines(article) if line.startswith(f"{tag}  - ")]


def bib_field(entry: str, name: str) -> str | None:
    found = re.search(rf"^  {name} = \{{(.*)\}},$", entry, re.MULTILINE)
    return found.group(1) if found else None


# --- RIS -----------------------------------------------------------------------------------


def test_ris_bilingual_article():
    lines = ris_lines(BILINGUAL)
    assert lines[:5] == [
        "TY  - JOUR",
        "AU  - Wang, F.",
        "AU  - Liu, J.",
        "TI  - [Effect of Balint group training on job burnout of general practitioners].",
        "TT  - 巴林特小组培训对全科医生职业倦怠的影响",  # EndNote's Translated Title
    ]
    # one abstract, the English one, its paragraphs run together on one line
    assert tagged(BILINGUAL, "AB") == [
        "OBJECTIVE: To evaluate the effect. METHODS: 86 general practitioners."
    ]
    assert tagged(BILINGUAL, "N1") == [  # what Zotero, EndNote and JabRef all keep
        "Chinese title (中文标题): 巴林特小组培训对全科医生职业倦怠的影响",
        "Chinese abstract (中文摘要): 目的：评价巴林特小组培训的效果。 "
        "方法：86名全科医生参加8次巴林特小组活动。",
    ]
    assert tagged(BILINGUAL, "LA") == ["chi"]
    assert lines[-3:] == ["ER  - ", "", ""]


def test_ris_english_only_article_has_no_chinese_tags():
    assert tagged(ENGLISH_ONLY, "AB") == tagged(BILINGUAL, "AB")
    assert tagged(ENGLISH_ONLY, "TT") == []
    assert tagged(ENGLISH_ONLY, "N1") == []


def test_ris_chinese_only_article_has_its_chinese_in_title_and_abstract():
    assert tagged(CHINESE_ONLY, "TI") == ["巴林特小组培训对全科医生职业倦怠的影响"]
    assert tagged(CHINESE_ONLY, "AB") == [
        "目的：评价巴林特小组培训的效果。 方法：86名全科医生参加8次巴林特小组活动。"
    ]
    assert tagged(CHINESE_ONLY, "TT") == []
    assert tagged(CHINESE_ONLY, "N1") == []


def test_ris_english_title_and_only_a_chinese_abstract():
    article = replace(BILINGUAL, abstract_en=None)
    assert tagged(article, "AB") == tagged(CHINESE_ONLY, "AB")
    assert tagged(article, "N1") == [
        "Chinese title (中文标题): 巴林特小组培训对全科医生职业倦怠的影响"
    ]


def test_ris_values_never_break_a_line():
    breaks = "第一段\r\n第二段\r第三段\u2028第四段\u2029第五段\x0b第六段\x0c第七段\x85第八段\t完"
    article = replace(BILINGUAL, title_zh=f"标题\n{breaks}", abstract_zh=breaks)
    text = ris([article])
    assert "\n" not in text.replace("\r\n", "")
    assert "\r" not in text.replace("\r\n", "")
    assert not re.search("[\u2028\u2029\x0b\x0c\x85\t]", text)
    for line in text.split("\r\n"):
        assert line == "" or re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line), line
    assert (
        "N1  - Chinese abstract (中文摘要): 第一段 第二段 第三段 第四段 第五段 第六段 第七段 "
        in text
    )


def test_ris_is_utf8_text():
    encoded = ris([BILINGUAL]).encode("utf-8")
    assert "巴林特小组".encode() in encoded
    assert encoded.decode("utf-8") == ris([BILINGUAL])


# --- BibTeX --------------------------------------------------------------------------------


def test_bibtex_bilingual_article():
    entry = bibtex([BILINGUAL])
    assert bib_field(entry, "title") == (
        "[Effect of Balint group training on job burnout of general practitioners]"
    )
    assert bib_field(entry, "abstract") == (
        "OBJECTIVE: To evaluate the effect. METHODS: 86 general practitioners."
    )
    # one field for both (a field may appear once); not printed by bibliography styles
    assert bib_field(entry, "annote") == (
        "Chinese title (中文标题): 巴林特小组培训对全科医生职业倦怠的影响 "
        "Chinese abstract (中文摘要): 目的：评价巴林特小组培训的效果。 "
        "方法：86名全科医生参加8次巴林特小组活动。"
    )
    assert bib_field(entry, "note") is None
    assert bib_field(entry, "language") == "chi"


def test_bibtex_english_only_article_has_no_annote():
    entry = bibtex([ENGLISH_ONLY])
    assert bib_field(entry, "abstract") == bib_field(bibtex([BILINGUAL]), "abstract")
    assert "annote" not in entry and "中" not in entry


def test_bibtex_chinese_only_article():
    entry = bibtex([CHINESE_ONLY])
    assert entry.startswith("@article{wang2021,\n")  # the key takes ASCII words only
    assert bib_field(entry, "title") == "巴林特小组培训对全科医生职业倦怠的影响"
    assert bib_field(entry, "abstract") == (
        "目的：评价巴林特小组培训的效果。 方法：86名全科医生参加8次巴林特小组活动。"
    )
    assert "annote" not in entry


def test_bibtex_escapes_special_characters_in_the_chinese_fields():
    article = replace(
        BILINGUAL,
        title_zh="50%的{医生}_倦怠 & $成本 #1 ~^\\",
        abstract_zh="结果：P<0.05，评分>60分，100%完成。\n\n结论：见{附录}。",
    )
    entry = bibtex([article])
    assert bib_field(entry, "annote") == (
        r"Chinese title (中文标题): 50\%的\{医生\}\_倦怠 \& \$成本 \#1 "
        r"\textasciitilde{}\textasciicircum{}\textbackslash{} "
        r"Chinese abstract (中文摘要): 结果：P<0.05，评分>60分，100\%完成。 结论：见\{附录\}。"
    )
    assert entry.count("{") - entry.count(r"\{") == entry.count("}") - entry.count(r"\}")
    assert len(entry.splitlines()) == entry.count(" = ") + 2  # one line a field


def test_from_row_reads_the_chinese_abstract():
    row = {"id": 1, "title_zh": "标题", "abstract_zh": "  摘要。\n\n第二段。 ", "abstract_en": None}
    article = from_row(row)
    assert article.abstract_zh == "摘要。\n\n第二段。"
    assert article.abstract == "摘要。 第二段。"
