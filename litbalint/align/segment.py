"""Sentences and section pairs: the units the aligner works on.

English: split after . ? ! (and closing quotes/brackets) before white space and a capital,
digit or opening bracket — not after abbreviations (et al., e.g., i.e., vs., Dr., Fig., U.S.),
initials, or inside brackets. Chinese: split after 。！？ and after an ASCII ? or ! that follows a
CJK character (Suppr writes ASCII punctuation), and after an ASCII full stop that follows a CJK
character (badly typed Chinese); never inside brackets, never on ；/; (the aligner
may split a semicolon later when the English side is split there).
"""

from __future__ import annotations

import re

from litbalint.labels import category_of
from litbalint.model import Section, SectionPair

_ABBREVIATIONS = {
    "al",
    "e.g",
    "i.e",
    "vs",
    "v",
    "dr",
    "drs",
    "mr",
    "mrs",
    "ms",
    "prof",
    "approx",
    "ca",
    "cf",
    "etc",
    "st",
    "u.s",
    "u.k",
    "u.s.a",
    "e.u",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "inc",
    "ltd",
    "co",
    "corp",
    "resp",
    "dept",
    "univ",
    "jr",
    "sr",
    "ph.d",
    "m.d",
    "b.sc",
    "m.sc",
    "incl",
    "avg",
}
# Abbreviations only when a number follows: "Fig. 2", "No. 5", "p. 7"; else a sentence ends.
_BEFORE_NUMBER = {
    "fig",
    "figs",
    "no",
    "nos",
    "vol",
    "vols",
    "p",
    "pp",
    "eq",
    "eqs",
    "ref",
    "refs",
    "ed",
    "eds",
    "table",
    "min",
    "max",
}
_TITLES = {"dr", "drs", "mr", "mrs", "ms", "prof"}
_EN_END = re.compile(r"[.?!]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_OPEN = "([{（【《"
_CLOSE = ")]}）】》"
_ZH_END = re.compile(
    r"(?:[。！？]|(?<=[\u3400-\u9fff])[?!]|(?<=[\u3400-\u9fff])\.(?!\d))+[”’」』)）]*"
)
_SEMICOLON = re.compile(r"[；;]")


def _depths(text: str) -> list[int]:
    """Bracket depth before each character (never below zero)."""
    depth, depths = 0, []
    for char in text:
        depths.append(depth)
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE and depth:
            depth -= 1
    return depths


def _is_abbreviation(before: str, after: str) -> bool:
    """Does the full stop after `before` (with `after` following) end an abbreviation?"""
    words = re.findall(r"\S+", before[-40:])
    if not words:
        return False
    token = words[-1].lstrip("(\"'“‘[").rstrip(".").lower()
    if token in _ABBREVIATIONS:
        return True
    if token in _BEFORE_NUMBER:
        return bool(re.match(r"\s*\d", after))
    if re.fullmatch(r"[a-z]", token) and words[-1].lstrip("(\"'“‘[")[0].isupper():
        # an initial ("Dr. J. Smith", "J. R. Smith"), not "hepatitis C." ending a sentence
        previous = words[-2].strip("(\"'“‘[.,") if len(words) > 1 else ""
        return (
            not previous  # "J. Smith ran..." at the start
            or previous.lower() in _TITLES
            or previous[0].isupper()  # "Edgar H. Schein", "J. R. Smith"
            or bool(re.match(r"\s*[A-Z]\.", after))
        )
    return False


def split_english(text: str) -> list[str]:
    """English text -> sentences (stripped, in order, none empty; spacing kept as given)."""
    text = text.strip()
    if not text:
        return []
    depths = _depths(text)
    sentences, start = [], 0
    for match in _EN_END.finditer(text):
        end = match.end()
        if depths[match.start()] > 0:
            continue
        if text[match.start()] == "." and _is_abbreviation(
            text[start : match.start()], text[match.end() :]
        ):
            continue
        sentences.append(text[start:end].strip())
        start = end
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def split_chinese(text: str, semicolons: bool = False) -> list[str]:
    """Chinese text -> sentences; with semicolons=True also after ；/; outside brackets."""
    text = text.strip()
    if not text:
        return []
    depths = _depths(text)
    cuts = [m.end() for m in _ZH_END.finditer(text) if depths[m.start()] == 0]
    if semicolons:
        cuts += [m.end() for m in _SEMICOLON.finditer(text) if depths[m.start()] == 0]
    sentences, start = [], 0
    for cut in sorted(set(cuts)):
        sentences.append(text[start:cut].strip())
        start = cut
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def split_paragraphs(text: str, lang: str) -> list[str]:
    """Sentences of a text whose paragraphs are separated by newlines."""
    split = split_english if lang == "en" else split_chinese
    return [s for paragraph in text.split("\n") for s in split(paragraph)]


def _category(section: Section) -> str | None:
    return section.category or category_of(section.label) or (section.label or "").upper() or None


def _whole(en: list[Section], zh: list[Section]) -> list[SectionPair]:
    return [
        SectionPair(
            None,
            None,
            list(range(len(en))),
            list(range(len(zh))),
            "\n".join(s.text for s in en),
            "\n".join(s.text for s in zh),
            "whole",
        )
    ]


def pair_sections(en: list[Section], zh: list[Section]) -> list[SectionPair]:
    """Pair sections by label category, or in order when neither side is labelled; when
    counts or labels disagree, one pair holding the whole abstract (no forced wrong pairs)."""
    if not en or not zh:
        return _whole(en, zh) if (en or zh) else []
    en_labelled = all(s.label for s in en)
    zh_labelled = all(s.label for s in zh)
    if en_labelled and zh_labelled:
        en_categories = [_category(s) for s in en]
        zh_categories = [_category(s) for s in zh]
        if sorted(map(str, en_categories)) != sorted(map(str, zh_categories)):
            return _whole(en, zh)
        pairs, used = [], set()
        for i, category in enumerate(en_categories):
            j = next(k for k, c in enumerate(zh_categories) if c == category and k not in used)
            used.add(j)
            pairs.append(
                SectionPair(en[i].label, zh[j].label, [i], [j], en[i].text, zh[j].text, "label")
            )
        return pairs
    if not any(s.label for s in en) and not any(s.label for s in zh) and len(en) == len(zh):
        return [
            SectionPair(None, None, [i], [i], e.text, z.text, "order")
            for i, (e, z) in enumerate(zip(en, zh, strict=True))
        ]
    return _whole(en, zh)
