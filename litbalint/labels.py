"""Abstract section labels in English and Chinese, mapped to one canonical category.

The one table of labels: parsers use it to recognise a label line, the aligner to pair
sections across languages. Categories follow PubMed's NlmCategory where one exists.
To add a label, add it to the category's tuple.
"""

from __future__ import annotations

import re

LABELS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # category: (English labels, Chinese labels)
    "BACKGROUND": (
        (
            "BACKGROUND",
            "BACKGROUNDS",
            "INTRODUCTION",
            "CONTEXT",
            "RATIONALE",
            "IMPORTANCE",
            "BACKGROUND AND AIMS",
            "BACKGROUND AND OBJECTIVES",
            "BACKGROUND AND PURPOSE",
            "PROBLEM",
            "ISSUE",
        ),
        (
            "背景",
            "研究背景",
            "引言",
            "介绍",
            "简介",
            "前言",
            "背景与目的",
            "背景和目的",
            "重要性",
            "问题",
        ),
    ),
    "OBJECTIVE": (
        (
            "OBJECTIVE",
            "OBJECTIVES",
            "AIM",
            "AIMS",
            "PURPOSE",
            "PURPOSES",
            "GOAL",
            "GOALS",
            "AIM OF THE STUDY",
            "STUDY OBJECTIVE",
            "STUDY OBJECTIVES",
            "RESEARCH QUESTION",
            "AIMS AND OBJECTIVES",
            "HYPOTHESIS",
        ),
        ("目的", "目标", "研究目的", "目的和方法", "假设", "研究问题"),
    ),
    "METHODS": (
        (
            "METHODS",
            "METHOD",
            "MATERIALS AND METHODS",
            "MATERIAL AND METHODS",
            "METHODOLOGY",
            "METHODS AND MATERIALS",
            "DESIGN",
            "STUDY DESIGN",
            "DESIGN, SETTING, AND PARTICIPANTS",
            "SETTING",
            "SETTINGS",
            "PARTICIPANTS",
            "SUBJECTS",
            "PATIENTS",
            "PATIENTS AND METHODS",
            "SUBJECTS AND METHODS",
            "INTERVENTION",
            "INTERVENTIONS",
            "MAIN OUTCOME MEASURES",
            "MEASURES",
            "MEASUREMENTS",
            "DATA SOURCES",
            "STUDY SELECTION",
            "DATA EXTRACTION",
            "APPROACH",
            "EVIDENCE ACQUISITION",
            "SEARCH METHODS",
            "SELECTION CRITERIA",
            "DATA COLLECTION AND ANALYSIS",
            "DESIGN AND METHODS",
            "METHODS AND ANALYSIS",
        ),
        (
            "方法",
            "材料和方法",
            "材料与方法",
            "研究方法",
            "方法学",
            "设计",
            "研究设计",
            "设置",
            "环境",
            "参与者",
            "研究对象",
            "对象",
            "对象和方法",
            "对象与方法",
            "患者和方法",
            "患者与方法",
            "干预措施",
            "干预",
            "主要结局指标",
            "测量",
            "测量方法",
            "数据来源",
            "研究选择",
            "数据提取",
            "证据获取",
            "检索方法",
            "选择标准",
            "数据收集与分析",
            "数据收集和分析",
            "设计、设置和参与者",
            "设计、地点和参与者",
        ),
    ),
    "RESULTS": (
        (
            "RESULTS",
            "RESULT",
            "FINDINGS",
            "MAIN RESULTS",
            "OUTCOMES",
            "EVIDENCE SYNTHESIS",
            "KEY FINDINGS",
            "MAIN FINDINGS",
        ),
        ("结果", "研究结果", "发现", "主要结果", "结局", "证据综合", "主要发现"),
    ),
    "CONCLUSIONS": (
        (
            "CONCLUSIONS",
            "CONCLUSION",
            "CONCLUSIONS AND RELEVANCE",
            "INTERPRETATION",
            "IMPLICATIONS",
            "AUTHORS' CONCLUSIONS",
            "CONCLUSIONS AND IMPLICATIONS",
            "PRACTICE IMPLICATIONS",
            "CLINICAL RELEVANCE",
            "SIGNIFICANCE",
            "IMPLICATIONS FOR PRACTICE",
            "DISCUSSION AND CONCLUSIONS",
            "SUMMARY AND CONCLUSIONS",
        ),
        (
            "结论",
            "结论和相关性",
            "结论与相关性",
            "解释",
            "意义",
            "启示",
            "作者结论",
            "实践意义",
            "临床意义",
            "临床相关性",
            "结论与意义",
            "结论和意义",
        ),
    ),
    "DISCUSSION": (
        ("DISCUSSION", "COMMENT", "COMMENTS", "LIMITATIONS", "STRENGTHS AND LIMITATIONS"),
        ("讨论", "评论", "局限性", "优势和局限性"),
    ),
    "UNASSIGNED": (
        (
            "TRIAL REGISTRATION",
            "CLINICAL TRIAL REGISTRATION",
            "REGISTRATION",
            "FUNDING",
            "LEVEL OF EVIDENCE",
            "KEYWORDS",
        ),
        ("试验注册", "临床试验注册", "注册", "资金", "证据级别", "关键词"),
    ),
}

_EN: dict[str, str] = {}
_ZH: dict[str, str] = {}
for _category, (_english, _chinese) in LABELS.items():
    for _label in _english:
        _EN.setdefault(_label, _category)
    for _label in _chinese:
        _ZH.setdefault(_label, _category)

_TRAILING = re.compile(r"[\s:：.。]+$")


def _key(label: str) -> str:
    return re.sub(r"\s+", " ", _TRAILING.sub("", label.strip())).upper()


def category_of(label: str | None) -> str | None:
    """Canonical category of an English or Chinese label, or None when unknown."""
    if not label:
        return None
    key = _key(label)
    return _EN.get(key) or _ZH.get(key)


def is_known_label(label: str) -> bool:
    return category_of(label) is not None


def english_labels() -> list[str]:
    return sorted(_EN, key=len, reverse=True)


def chinese_labels() -> list[str]:
    return sorted(_ZH, key=len, reverse=True)
