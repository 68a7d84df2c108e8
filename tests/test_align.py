"""Sentence alignment, the pure parts: splitting, section pairing, numbers, the aligner on the
seeds and on hard cases made from them, the perturbation set and its scores, line files, and
the TMX/TSV writers. Everything is built from the bundled seeds in litbalint/bundled/seeds/."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import cache

import pytest

from litbalint.align.aligner import align_sentences
from litbalint.align.evaluate import (
    GlobalBead,
    GoldDocument,
    GoldSection,
    perturbation_set,
    predict,
    score,
)
from litbalint.align.lexicon import chinese_numeral, default_lexicon, english_units
from litbalint.align.lines import align_lines, align_paragraphs
from litbalint.align.pipeline import align_article, align_sections
from litbalint.align.segment import pair_sections, split_chinese, split_english, split_paragraphs
from litbalint.exports import tmx, tsv
from litbalint.model import Article, Bead, Section, SentencePair
from litbalint.sources.detect import records_from_bytes
from tests.conftest import seed

SEEDS = ("000", "001", "002", "003", "004")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@cache
def article(prefix: str) -> Article:
    _, records = records_from_bytes(seed(prefix).read_bytes(), prefix)
    (record,) = records
    assert isinstance(record, Article)
    return record


def section_sentences(prefix: str) -> list[tuple[list[str], list[str]]]:
    """Per section of a seed (English and Chinese sections come in the same order): the split
    English and Chinese sentences."""
    record = article(prefix)
    return [
        (split_paragraphs(en.text, "en"), split_paragraphs(zh.text, "zh"))
        for en, zh in zip(record.abstract_en, record.abstract_zh, strict=True)
    ]


def shape(beads: list[Bead]) -> list[tuple[list[int], list[int]]]:
    return [(b.en, b.zh) for b in beads]


def diagonal(start: int, stop: int, shift: int = 0) -> list[tuple[list[int], list[int]]]:
    """1-1 beads en[i] - zh[i + shift] for i in start..stop-1."""
    return [([i], [i + shift]) for i in range(start, stop)]


# -- English sentences ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Smith et al. reported burnout. Peers helped.",
            ["Smith et al. reported burnout.", "Peers helped."],
        ),
        (
            "Groups differ, e.g. Balint and peer groups. They meet weekly.",
            ["Groups differ, e.g. Balint and peer groups.", "They meet weekly."],
        ),
        (
            "One kind of group, i.e. Balint, was studied. It helped.",
            ["One kind of group, i.e. Balint, was studied.", "It helped."],
        ),
        ("Balint vs. Control groups were compared.", ["Balint vs. Control groups were compared."]),
        ("Dr. Smith led the group. It met weekly.", ["Dr. Smith led the group.", "It met weekly."]),
        ("See Fig. 2 for the themes. They differ.", ["See Fig. 2 for the themes.", "They differ."]),
        (
            "Doctors in the U.S. Army were asked. Few answered.",
            ["Doctors in the U.S. Army were asked.", "Few answered."],
        ),
        (
            "A dose of 0.5 mg was given. It was safe.",
            ["A dose of 0.5 mg was given.", "It was safe."],
        ),
        ("J. Smith ran the groups. They ended.", ["J. Smith ran the groups.", "They ended."]),
        ("J. R. Smith agreed. So did we.", ["J. R. Smith agreed.", "So did we."]),
        (
            'He said "Stop." Then he left. "Why?" she asked.',
            ['He said "Stop."', "Then he left.", '"Why?" she asked.'],
        ),
        (
            "Trust grew (see Table 1. It shows the scores.) Then it fell. Done.",
            ["Trust grew (see Table 1. It shows the scores.) Then it fell.", "Done."],
        ),
        (
            "Was it useful? Yes! Participants agreed. 12 of them did.",
            ["Was it useful?", "Yes!", "Participants agreed.", "12 of them did."],
        ),
        ("Is it? yes, it is.", ["Is it? yes, it is."]),  # no capital after the "?"
        ("Wait... Then go.", ["Wait...", "Then go."]),
        ("They agreed [see ref. 3]. Next.", ["They agreed [see ref. 3].", "Next."]),
        ("  ", []),
    ],
)
def test_split_english(text: str, expected: list[str]) -> None:
    assert split_english(text) == expected


def test_split_english_keeps_thin_spaces_exactly() -> None:
    text = "Interviews (n\u2009=\u200918) were held. Themes emerged."
    assert split_english(text) == ["Interviews (n\u2009=\u200918) were held.", "Themes emerged."]
    # the same in seed 004, as it is printed there
    sentences = section_sentences("004")[1][0]
    assert sentences[1] == (
        "A thematic analysis was performed based on semi-structured interviews (n\u2009=\u200918)"
        " with patients, relatives, clinicians, and a peer support worker."
    )


@pytest.mark.parametrize(
    "text",
    [
        "The answer was no. Then we stopped.",
        "Sessions lasted 90 min. Participants rated them.",
        "All had hepatitis C. Most were treated.",
    ],
)
def test_split_english_sentence_final_words_that_look_like_abbreviations(text: str) -> None:
    assert len(split_english(text)) == 2


def test_split_paragraphs_never_joins_across_lines() -> None:
    assert split_paragraphs("No full stop here\nSecond line. Third one.", "en") == [
        "No full stop here",
        "Second line.",
        "Third one.",
    ]
    assert split_paragraphs("第一段没有句号\n第二段。第三句。\n", "zh") == [
        "第一段没有句号",
        "第二段。",
        "第三句。",
    ]


# -- Chinese sentences ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "我们访谈了医生。结果很好！是吗？是的。",
            ["我们访谈了医生。", "结果很好！", "是吗？", "是的。"],
        ),
        ("这有用吗?有用!好的。", ["这有用吗?", "有用!", "好的。"]),  # ASCII ? ! after CJK
        ("用了 COVID-19?No. 好。", ["用了 COVID-19?No. 好。"]),  # ASCII ? after a Latin letter
        ("他说：“我累了。”然后离开了。", ["他说：“我累了。”", "然后离开了。"]),
        ("“你好吗？”他问。", ["“你好吗？”", "他问。"]),
        ("他们说「好了。」然后走了", ["他们说「好了。」", "然后走了"]),
        ("他们（见表1。下同）很好。下一句。", ["他们（见表1。下同）很好。", "下一句。"]),
        (
            "由于 burnout rate(职业枯竭率。)不断上升。",
            ["由于 burnout rate(职业枯竭率。)不断上升。"],
        ),
        ("第一；第二;第三。", ["第一；第二;第三。"]),
        ("", []),
    ],
)
def test_split_chinese(text: str, expected: list[str]) -> None:
    assert split_chinese(text) == expected


def test_split_chinese_on_semicolons_when_asked() -> None:
    assert split_chinese("第一；第二;第三。第四", semicolons=True) == [
        "第一；",
        "第二;",
        "第三。",
        "第四",
    ]
    # never inside brackets
    assert split_chinese("甲（乙；丙）丁；戊。", semicolons=True) == ["甲（乙；丙）丁；", "戊。"]


# -- section pairing -----------------------------------------------------------------------------


def sections(*labelled: tuple[str | None, str]) -> list[Section]:
    return [Section(text, label=label) for label, text in labelled]


def test_pair_sections_by_label_in_any_order() -> None:
    en = sections(("BACKGROUND", "Bg."), ("METHODS", "Me."), ("RESULTS", "Re."))
    zh = sections(("结果", "结果文。"), ("背景", "背景文。"), ("方法", "方法文。"))
    pairs = pair_sections(en, zh)
    assert [(p.en_label, p.zh_label, p.en_sections, p.zh_sections) for p in pairs] == [
        ("BACKGROUND", "背景", [0], [1]),
        ("METHODS", "方法", [1], [2]),
        ("RESULTS", "结果", [2], [0]),
    ]
    assert [(p.en_text, p.zh_text) for p in pairs] == [
        ("Bg.", "背景文。"),
        ("Me.", "方法文。"),
        ("Re.", "结果文。"),
    ]
    assert {p.paired_by for p in pairs} == {"label"}


def test_pair_sections_across_label_synonyms() -> None:
    en = sections(("MATERIALS AND METHODS", "Me."), ("FINDINGS", "Fi."), ("CONCLUSION", "Co."))
    zh = sections(("发现", "发现文。"), ("结论", "结论文。"), ("材料和方法", "方法文。"))
    pairs = pair_sections(en, zh)
    assert [(p.en_label, p.zh_label, p.paired_by) for p in pairs] == [
        ("MATERIALS AND METHODS", "材料和方法", "label"),
        ("FINDINGS", "发现", "label"),
        ("CONCLUSION", "结论", "label"),
    ]


def test_pair_sections_of_the_labelled_seeds() -> None:
    pairs = pair_sections(article("003").abstract_en, article("003").abstract_zh)
    assert [(p.en_label, p.zh_label, p.paired_by) for p in pairs] == [
        ("BACKGROUND", "背景", "label"),
        ("MATERIALS AND METHODS", "材料和方法", "label"),
        ("RESULTS", "结果", "label"),
        ("CONCLUSIONS", "结论", "label"),
    ]
    pairs = pair_sections(article("004").abstract_en, article("004").abstract_zh)
    assert [(p.en_label, p.zh_label) for p in pairs] == [
        ("BACKGROUND", "背景"),
        ("METHODS", "方法"),
        ("FINDINGS", "发现"),
        ("CONCLUSION", "结论"),
    ]


def test_pair_unlabelled_sections_in_order() -> None:
    pairs = pair_sections(
        sections((None, "One."), (None, "Two.")), sections((None, "一。"), (None, "二。"))
    )
    assert [(p.en_sections, p.zh_sections, p.en_text, p.zh_text, p.paired_by) for p in pairs] == [
        ([0], [0], "One.", "一。", "order"),
        ([1], [1], "Two.", "二。", "order"),
    ]
    # seed 002: four unlabelled paragraphs on each side
    pairs = pair_sections(article("002").abstract_en, article("002").abstract_zh)
    assert [(p.en_sections, p.zh_sections, p.paired_by) for p in pairs] == [
        ([k], [k], "order") for k in range(4)
    ]


@pytest.mark.parametrize(
    ("en", "zh"),
    [
        # different counts, unlabelled
        (((None, "One."), (None, "Two.")), ((None, "一。"),)),
        # labels that do not agree
        ((("BACKGROUND", "Bg."), ("METHODS", "Me.")), (("背景", "背景文。"), ("结果", "结果文。"))),
        # different counts, labelled
        ((("BACKGROUND", "Bg."), ("METHODS", "Me.")), (("背景", "背景文。"),)),
        # one side labelled, the other not
        ((("BACKGROUND", "Bg."), ("METHODS", "Me.")), ((None, "背景文。"), (None, "方法文。"))),
        # only some sections labelled
        ((("BACKGROUND", "Bg."), (None, "Me.")), (("背景", "背景文。"), ("方法", "方法文。"))),
    ],
)
def test_pair_sections_falls_back_to_the_whole_abstract(en: tuple, zh: tuple) -> None:
    en_sections, zh_sections = sections(*en), sections(*zh)
    (pair,) = pair_sections(en_sections, zh_sections)
    assert pair.paired_by == "whole"
    assert (pair.en_label, pair.zh_label) == (None, None)
    assert pair.en_sections == list(range(len(en_sections)))
    assert pair.zh_sections == list(range(len(zh_sections)))
    assert pair.en_text == "\n".join(s.text for s in en_sections)
    assert pair.zh_text == "\n".join(s.text for s in zh_sections)


def test_pair_sections_with_one_side_missing() -> None:
    assert pair_sections([], []) == []
    (pair,) = pair_sections(sections((None, "One.")), [])
    assert (pair.paired_by, pair.en_text, pair.zh_text, pair.zh_sections) == (
        "whole",
        "One.",
        "",
        [],
    )


# -- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("两", 2),
        ("一百二十", 120),
        ("一百零五", 105),
        ("三千", 3000),
        ("两千零二十", 2020),
        ("一万二千", 12000),
        ("十万", 100000),
        ("医生", None),
    ],
)
def test_chinese_numeral(numeral: str, value: int | None) -> None:
    assert chinese_numeral(numeral) == value


def test_chinese_numeral_digit_by_digit_year() -> None:
    assert chinese_numeral("二〇二〇") == 2020


def test_english_units() -> None:
    assert english_units("Twelve doctors were interviewed.") == ["#12", "doctor", "interv"]
    assert english_units("Twenty-one of 1,000 patients took 0.5 mg during COVID-19.") == [
        "#21",
        "#1000",
        "patien",
        "took",
        "#0.5",
        "mg",
        "during",
        "covid",
        "#19",
    ]


def test_a_sentence_pair_shares_its_number() -> None:
    en = english_units("Twelve doctors were interviewed.")
    for zh_sentence in ("12 名医生接受了采访。", "十二名医生接受了采访。"):
        units = default_lexicon().chinese_units(zh_sentence)
        assert frozenset({"#12"}) in units
        assert "#12" in en
        # and the words meet too: 医生 - doctor, 采访 - interview
        assert any("doctor" in u for u in units)
        assert any("interv" in u for u in units)
    (bead,) = align_sentences(["Twelve doctors were interviewed."], ["12 名医生接受了采访。"])
    assert (bead.kind, bead.score) == ("1-1", pytest.approx(0.97, abs=0.03))


def test_a_lone_numeral_needs_a_measure_word() -> None:
    units = default_lexicon().chinese_units("三轮访谈，第五次，一个人。")
    numbers = {next(iter(u)) for u in units if any(s.startswith("#") for s in u)}
    assert numbers == {"#3", "#5"}  # 一 is "a", not a number


# -- the seeds -----------------------------------------------------------------------------------


SEED_BEADS = {"000": 11, "001": 13, "002": 10, "003": 16, "004": 13}


@pytest.mark.parametrize("prefix", SEEDS)
def test_seed_aligns_one_to_one_in_order(prefix: str) -> None:
    alignment = align_article(article(prefix))
    assert alignment is not None
    for pair in alignment.pairs:
        assert len(pair.en) == len(pair.zh)
        assert shape(pair.beads) == diagonal(0, len(pair.en))
    beads = alignment.beads
    assert len(beads) == SEED_BEADS[prefix]
    assert not [b for b in beads if b.low_confidence]
    assert alignment.flagged_share == 0
    assert not alignment.badly_aligned


def test_seeds_give_63_beads() -> None:
    assert sum(len(align_article(article(p)).beads) for p in SEEDS) == 63


def test_an_article_without_chinese_is_not_aligned() -> None:
    record = article("001")
    assert align_article(Article(abstract_en=record.abstract_en)) is None


# -- hard cases made from the seeds --------------------------------------------------------------


def merge(zh: list[str], k: int) -> list[str]:
    """zh[k] and zh[k + 1] as one sentence."""
    return zh[:k] + [zh[k].rstrip("。") + "，" + zh[k + 1]] + zh[k + 2 :]


def test_two_chinese_sentences_merged_give_a_2_1_bead() -> None:
    ((en, zh),) = section_sentences("001")
    beads = align_sentences(en, merge(zh, 3))
    assert shape(beads) == diagonal(0, 3) + [([3, 4], [3])] + diagonal(5, 13, -1)
    (two_one,) = [b for b in beads if b.kind != "1-1"]
    assert two_one.kind == "2-1"
    assert not two_one.low_confidence


def test_a_chinese_sentence_split_at_a_comma_gives_a_1_2_bead() -> None:
    en, zh = section_sentences("003")[2]  # RESULTS
    first, second = zh[1].split(",", 1)
    assert first == "他们参加同伴支持是为了与同事医生进行对话"
    beads = align_sentences(en, zh[:1] + [first + "。", second] + zh[2:])
    assert shape(beads) == diagonal(0, 1) + [([1], [1, 2])] + diagonal(2, 5, 1)
    assert beads[1].kind == "1-2"


def test_a_dropped_chinese_sentence_gives_a_1_0_bead() -> None:
    en, zh = section_sentences("003")[2]  # RESULTS
    beads = align_sentences(en, zh[:2] + zh[3:])
    assert shape(beads) == diagonal(0, 2) + [([2], [])] + diagonal(3, 5, -1)
    assert beads[2].score == 0.0
    assert beads[2].low_confidence
    assert [b.low_confidence for b in beads].count(True) == 1


def test_a_foreign_chinese_sentence_gives_a_0_1_bead() -> None:
    en, zh = section_sentences("004")[0]  # BACKGROUND
    foreign = section_sentences("000")[0][1][3]  # 2020 年 3 月,新冠疫情凸显了该社区的健康差距。
    beads = align_sentences(en, zh[:1] + [foreign] + zh[1:])
    assert shape(beads) == diagonal(0, 1) + [([], [1])] + diagonal(1, 3, 1)
    assert beads[1].score == 0.0
    assert beads[1].low_confidence


def test_null_beads_are_low_confidence() -> None:
    assert Bead([0], [], 0.9).low_confidence
    assert Bead([], [0], 0.9).low_confidence
    assert Bead([0], [0], 0.2).low_confidence
    assert not Bead([0], [0], 0.5).low_confidence


def test_a_semicolon_joined_chinese_sentence_is_split_where_the_english_is() -> None:
    en, zh = section_sentences("003")[2]  # RESULTS
    joined = zh[:1] + [zh[1].rstrip("。") + "；" + zh[2]] + zh[3:]
    alignment = align_sections(
        [Section(" ".join(en), label="RESULTS")], [Section("".join(joined), label="结果")]
    )
    (pair,) = alignment.pairs
    assert shape(pair.beads) == diagonal(0, 5)
    assert pair.zh[1] == zh[1].rstrip("。") + "；"
    assert pair.zh[2] == zh[2]


# -- the perturbation set ------------------------------------------------------------------------


def gold_documents() -> list[GoldDocument]:
    documents = []
    for prefix in SEEDS:
        record = article(prefix)
        document = GoldDocument(prefix)
        for (en, zh), en_section, zh_section in zip(
            section_sentences(prefix), record.abstract_en, record.abstract_zh, strict=True
        ):
            assert len(en) == len(zh)
            document.sections.append(
                GoldSection(en_section.label, zh_section.label, en, zh, diagonal(0, len(en)))
            )
        documents.append(document)
    return documents


def litbalint_aligner(en: list[str], zh: list[str]) -> list[tuple[list[int], list[int]]]:
    return [(b.en, b.zh) for b in align_sentences(en, zh)]


def test_gold_documents_from_the_seeds() -> None:
    documents = gold_documents()
    assert [len(d.global_beads()) for d in documents] == [11, 13, 10, 16, 13]
    assert [(s.label_en, s.label_zh) for s in documents[3].sections] == [
        ("BACKGROUND", "背景"),
        ("MATERIALS AND METHODS", "材料和方法"),
        ("RESULTS", "结果"),
        ("CONCLUSIONS", "结论"),
    ]
    result = score((predict(d, litbalint_aligner), d.global_beads()) for d in documents)
    assert result.strict == (1.0, 1.0, 1.0)
    assert (result.predicted, result.gold) == (63, 63)


def test_perturbation_set_is_hard_and_the_aligner_passes_it() -> None:
    documents = perturbation_set(gold_documents())
    assert len(documents) == 20
    gold = [b for d in documents for b in d.global_beads()]
    non_1_1 = [b for b in gold if (len(b[0]), len(b[1])) != (1, 1)]
    assert len(non_1_1) >= 0.2 * len(gold)
    kinds = {(len(e), len(z)) for e, z in non_1_1}
    assert {(2, 1), (1, 2), (1, 0), (0, 1)} <= kinds
    assert any(d.zh_order for d in documents)  # some labelled sections were swapped
    for document in documents:  # the gold still covers every sentence once, in order
        for section in document.sections:
            assert [i for e, _ in section.beads for i in e] == list(range(len(section.en)))
            assert [j for _, z in section.beads for j in z] == list(range(len(section.zh)))
    result = score((predict(d, litbalint_aligner), d.global_beads()) for d in documents)
    assert result.strict[2] >= 0.95
    assert result.lax[2] >= result.strict[2]


def test_perturbation_set_is_reproducible() -> None:
    first = perturbation_set(gold_documents())
    second = perturbation_set(gold_documents())
    assert [d.global_beads() for d in first] == [d.global_beads() for d in second]


def bead(en: set[int], zh: set[int]) -> GlobalBead:
    return frozenset(en), frozenset(zh)


def test_score_strict_and_lax() -> None:
    gold = [bead({0}, {0}), bead({1, 2}, {1}), bead({3}, set())]  # the 1-0 is not counted
    predicted = [bead({0}, {0}), bead({1}, {1}), bead({2}, set()), bead({3}, {2})]
    result = score([(predicted, gold)])
    assert (result.predicted, result.gold) == (3, 2)
    # strict: only {0}-{0} is right: P 1/3, R 1/2
    assert result.strict == pytest.approx((1 / 3, 1 / 2, 0.4))
    # lax: {1}-{1} overlaps the gold {1,2}-{1}: P 2/3, R 2/2
    assert result.lax == pytest.approx((2 / 3, 1.0, 0.8))
    assert score([([bead({0}, {0})], [bead({0}, {0})])]).strict == (1.0, 1.0, 1.0)
    assert score([]).strict == (0.0, 0.0, 0.0)


# -- line files ----------------------------------------------------------------------------------


def covers_once_in_order(beads: list[dict], en_lines: list[str], zh_lines: list[str]) -> None:
    assert sorted(i for b in beads for i in b["en"]) == list(range(len(en_lines)))
    assert sorted(j for b in beads for j in b["zh"]) == list(range(len(zh_lines)))
    en_order = [i for b in beads for i in b["en"]]
    zh_order = [j for b in beads for j in b["zh"]]
    assert en_order == sorted(en_order)
    assert zh_order == sorted(zh_order)


def test_align_lines_with_blank_lines() -> None:
    ((en, zh),) = section_sentences("001")
    en_lines = ["", en[0], en[1], "", en[2], en[3], "   "]
    zh_lines = [zh[0], "", "", zh[1], zh[2], zh[3]]
    beads = align_lines(en_lines, zh_lines)
    covers_once_in_order(beads, en_lines, zh_lines)
    assert [(b["en"], b["zh"]) for b in beads] == [
        ([0], []),
        ([1], [0]),
        ([], [1]),
        ([], [2]),
        ([2], [3]),
        ([3], []),
        ([4], [4]),
        ([5], [5]),
        ([6], []),
    ]
    for b in beads:
        if not b["en"] or not b["zh"]:
            assert b["score"] == 0.0


def test_align_lines_with_a_merged_line() -> None:
    ((en, zh),) = section_sentences("001")
    en_lines, zh_lines = en[:5], merge(zh[:5], 1)
    beads = align_lines(en_lines, zh_lines)
    covers_once_in_order(beads, en_lines, zh_lines)
    assert [(b["en"], b["zh"]) for b in beads] == [
        ([0], [0]),
        ([1, 2], [1]),
        ([3], [2]),
        ([4], [3]),
    ]


def test_align_lines_keeps_order_when_a_bead_spans_a_blank_line() -> None:
    ((en, zh),) = section_sentences("001")
    en_lines = [en[0], en[1], "", en[2], en[3]]
    zh_lines = [zh[0], zh[1].rstrip("。") + "，" + zh[2], zh[3]]
    beads = align_lines(en_lines, zh_lines)
    covers_once_in_order(beads, en_lines, zh_lines)


def test_align_lines_with_one_side_empty() -> None:
    assert align_lines([], []) == []
    assert align_lines(["One.", "", "Two."], []) == [
        {"en": [0], "zh": [], "score": 0.0},
        {"en": [1], "zh": [], "score": 0.0},
        {"en": [2], "zh": [], "score": 0.0},
    ]
    assert align_lines([], ["一。", "二。"]) == [
        {"en": [], "zh": [0], "score": 0.0},
        {"en": [], "zh": [1], "score": 0.0},
    ]


def test_align_paragraphs_returns_the_sentences() -> None:
    record = article("002")
    en_text = "\n".join(s.text for s in record.abstract_en)
    zh_text = "\n".join(s.text for s in record.abstract_zh)
    beads = align_paragraphs(en_text, zh_text)
    en = split_paragraphs(en_text, "en")
    zh = split_paragraphs(zh_text, "zh")
    assert len(beads) == len(en) == len(zh) == 10
    for k, b in enumerate(beads):
        assert (b["en"], b["zh"]) == ([k], [k])
        assert (b["en_text"], b["zh_text"]) == ([en[k]], [zh[k]])
        assert 0 < b["score"] <= 1
    assert beads[0]["en_text"] == [
        "Health professionals in training may be overwhelmed by the emotional dimensions of "
        "their work."
    ]
    assert beads[0]["zh_text"] == ["处于培训阶段的健康专业人员可能会被工作中的情绪层面所压垮。"]
    assert align_paragraphs("", "") == []


# -- TMX and TSV ---------------------------------------------------------------------------------


PAIRS = [
    SentencePair(1, 123, "10.1/x", "RESULTS", "1-1", "Use <b>& bold</b>.", "用 <b>& 粗体。", 0.9),
    SentencePair(
        2, None, None, None, "2-1", "Tab\there.\nNew line \\ end.", "制表\t符\n换行。", 0.5
    ),
]


def test_tmx_is_xml_with_one_tu_per_pair() -> None:
    text = "".join(tmx(PAIRS))
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    assert header is not None and header.get("srclang") == "en"
    units = root.findall("body/tu")
    assert len(units) == 2
    first = units[0]
    assert [(t.get(XML_LANG), t.findtext("seg")) for t in first.findall("tuv")] == [
        ("en", "Use <b>& bold</b>."),
        ("zh-CN", "用 <b>& 粗体。"),
    ]
    assert {p.get("type"): p.text for p in first.findall("prop")} == {
        "x-article-id": "1",
        "x-bead": "1-1",
        "x-score": "0.900",
        "x-pmid": "123",
        "x-doi": "10.1/x",
        "x-section": "RESULTS",
    }
    assert "&lt;b&gt;&amp; bold" in text
    second = units[1]
    assert {p.get("type") for p in second.findall("prop")} == {"x-article-id", "x-bead", "x-score"}
    assert [t.findtext("seg") for t in second.findall("tuv")] == [
        "Tab\there.\nNew line \\ end.",
        "制表\t符\n换行。",
    ]


def test_tmx_without_pairs_is_still_a_document() -> None:
    root = ET.fromstring("".join(tmx([])).encode("utf-8"))
    assert root.findall("body/tu") == []


def test_tsv_escapes_tabs_newlines_and_backslashes() -> None:
    lines = "".join(tsv(PAIRS)).split("\n")
    assert lines[-1] == ""
    header, first, second = lines[:-1]
    assert header.split("\t") == [
        "en",
        "zh",
        "score",
        "bead_type",
        "pmid",
        "doi",
        "section",
        "article_id",
    ]
    assert first.split("\t") == [
        "Use <b>& bold</b>.",
        "用 <b>& 粗体。",
        "0.9",
        "1-1",
        "123",
        "10.1/x",
        "RESULTS",
        "1",
    ]
    cells = second.split("\t")
    assert cells == [
        "Tab\\there.\\nNew line \\\\ end.",
        "制表\\t符\\n换行。",
        "0.5",
        "2-1",
        "",
        "",
        "",
        "2",
    ]
    # the escapes read back to the original text
    unescape = {"\\t": "\t", "\\n": "\n", "\\\\": "\\"}
    assert re.sub(r"\\[tn\\]", lambda m: unescape[m.group(0)], cells[0]) == PAIRS[1].en
