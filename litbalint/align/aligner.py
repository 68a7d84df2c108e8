"""Sentence alignment by dynamic programming over beads (1-1, 1-2, 2-1, 2-2, 1-3, 3-1, 1-0, 0-1).

The cost of a bead is the sum of
- a prior for its type (1-1 is by far the most common);
- a length model (Gale–Church): Chinese length is measured as CJK characters / RATIO plus Latin
  letters and digits, English as letters and digits; the normalised difference is scored under
  a normal distribution with variance VARIANCE per character;
- minus lexical evidence: Chinese units (glossary/CC-CEDICT words, numbers, Latin words) that
  find a match among the bead's English stems, and English stems matched by the bead's Chinese,
  each weighted by how specific it is within the section (a word that matches every sentence
  proves nothing).
Every bead gets a score in [0, 1] from its length fit and lexical coverage; null beads score 0.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from litbalint.align.lexicon import Lexicon, default_lexicon, english_units
from litbalint.model import Bead

RATIO = 0.32  # Chinese characters per English letter (measured on the seeds: 0.322)
VARIANCE = 4.0  # per-character variance of the length difference (seeds: 2.1; with a margin)
LEXICAL_WEIGHT = 0.5
PRIORS = {
    (1, 1): 0.86,
    (1, 2): 0.04,
    (2, 1): 0.04,
    (2, 2): 0.002,
    (1, 3): 0.006,
    (3, 1): 0.006,
    (1, 0): 0.008,
    (0, 1): 0.008,
}

_COST = {kind: -math.log(p) for kind, p in PRIORS.items()}
_CJK = re.compile(r"[\u3400-\u9fff]")
_ALNUM = re.compile(r"[A-Za-z0-9]")


def english_length(sentence: str) -> float:
    return float(len(_ALNUM.findall(sentence)))


def chinese_length(sentence: str) -> float:
    """Chinese length in English-letter units."""
    return len(_CJK.findall(sentence)) / RATIO + len(_ALNUM.findall(sentence))


def _length_fit(en_length: float, zh_length: float) -> float:
    """Two-sided tail probability of the length difference (1.0 = perfect)."""
    mean = (en_length + zh_length) / 2
    if mean == 0:
        return 1.0
    delta = abs(zh_length - en_length) / math.sqrt(VARIANCE * mean)
    return math.erfc(delta / math.sqrt(2))


@dataclass
class _Evidence:
    """Per-sentence precomputation for one section pair."""

    en_lengths: list[float]
    zh_lengths: list[float]
    zh_match: list[list[tuple[int, float]]]  # per zh sentence: (en-sentence mask, weight) per unit
    en_match: list[list[tuple[int, float]]]  # per en sentence: (zh-sentence mask, weight) per unit

    @staticmethod
    def build(en: list[str], zh: list[str], lexicon: Lexicon) -> _Evidence:
        en_units = [english_units(s) for s in en]
        zh_units = [lexicon.chinese_units(s) for s in zh]
        stem_in_en: dict[str, int] = {}
        for i, units in enumerate(en_units):
            for unit in units:
                stem_in_en[unit] = stem_in_en.get(unit, 0) | (1 << i)
        stem_in_zh: dict[str, int] = {}
        for j, sets in enumerate(zh_units):
            for unit_set in sets:
                for candidate in unit_set:
                    stem_in_zh[candidate] = stem_in_zh.get(candidate, 0) | (1 << j)
        n, m = max(len(en), 1), max(len(zh), 1)
        zh_match = []
        for sets in zh_units:
            row = []
            for unit_set in sets:
                mask = 0
                for candidate in unit_set:
                    mask |= stem_in_en.get(candidate, 0)
                row.append((mask, 1.0 - (mask.bit_count() - 1) / n if mask else 1.0))
            zh_match.append(row)
        vocabulary = lexicon.vocabulary
        en_match = []
        for units in en_units:
            row = []
            for unit in units:
                if unit not in vocabulary and not unit.startswith("#") and unit not in stem_in_zh:
                    continue  # no dictionary could ever match it: no evidence either way
                mask = stem_in_zh.get(unit, 0)
                row.append((mask, 1.0 - (mask.bit_count() - 1) / m if mask else 1.0))
            en_match.append(row)
        return _Evidence(
            [english_length(s) for s in en], [chinese_length(s) for s in zh], zh_match, en_match
        )

    def __post_init__(self) -> None:
        self._zh_cache: dict[tuple[int, int, int], tuple[float, float]] = {}
        self._en_cache: dict[tuple[int, int, int], tuple[float, float]] = {}
        self.en_prefix = [0.0]
        for length in self.en_lengths:
            self.en_prefix.append(self.en_prefix[-1] + length)
        self.zh_prefix = [0.0]
        for length in self.zh_lengths:
            self.zh_prefix.append(self.zh_prefix[-1] + length)

    @staticmethod
    def _matches(units: list[tuple[int, float]], mask: int) -> tuple[float, float]:
        matched = total = 0.0
        for unit_mask, weight in units:
            total += weight
            if unit_mask & mask:
                matched += weight
        return matched, total

    def lexical(self, i0: int, i1: int, j0: int, j1: int) -> tuple[float, float]:
        """(weighted matches, weighted total) of the bead en[i0:i1] x zh[j0:j1]."""
        matched = total = 0.0
        en_mask = ((1 << i1) - 1) ^ ((1 << i0) - 1)
        for j in range(j0, j1):
            key = (j, i0, i1)
            hit = self._zh_cache.get(key)
            if hit is None:
                hit = self._zh_cache[key] = self._matches(self.zh_match[j], en_mask)
            matched += hit[0]
            total += hit[1]
        zh_mask = ((1 << j1) - 1) ^ ((1 << j0) - 1)
        for i in range(i0, i1):
            key = (i, j0, j1)
            hit = self._en_cache.get(key)
            if hit is None:
                hit = self._en_cache[key] = self._matches(self.en_match[i], zh_mask)
            matched += hit[0]
            total += hit[1]
        return matched, total


def _bead_score(evidence: _Evidence, i0: int, i1: int, j0: int, j1: int) -> float:
    if i0 == i1 or j0 == j1:
        return 0.0
    fit = _length_fit(sum(evidence.en_lengths[i0:i1]), sum(evidence.zh_lengths[j0:j1]))
    matched, total = evidence.lexical(i0, i1, j0, j1)
    if total == 0:
        return round(fit, 3)
    coverage = min(1.0, matched / total / 0.5)
    return round(0.4 * fit + 0.6 * coverage, 3)


def align_sentences(en: list[str], zh: list[str], lexicon: Lexicon | None = None) -> list[Bead]:
    """Align two sentence lists; every sentence ends up in exactly one bead, in order."""
    lexicon = lexicon or default_lexicon()
    evidence = _Evidence.build(en, zh, lexicon)
    n, m = len(en), len(zh)
    infinity = float("inf")
    cost = [[infinity] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            here = cost[i][j]
            if here == infinity:
                continue
            for (a, b), prior in _COST.items():
                ni, nj = i + a, j + b
                if ni > n or nj > m:
                    continue
                step = here + prior
                if a and b:
                    fit = _length_fit(
                        evidence.en_prefix[ni] - evidence.en_prefix[i],
                        evidence.zh_prefix[nj] - evidence.zh_prefix[j],
                    )
                    step -= math.log(max(fit, 1e-12))
                    matched, _ = evidence.lexical(i, ni, j, nj)
                    step -= LEXICAL_WEIGHT * matched
                if step < cost[ni][nj]:
                    cost[ni][nj] = step
                    back[ni][nj] = (a, b)
    beads: list[Bead] = []
    i, j = n, m
    while i or j:
        pointer = back[i][j]
        assert pointer is not None  # every cell is reached: there are (1, 0) and (0, 1) beads
        a, b = pointer
        beads.append(
            Bead(
                en=list(range(i - a, i)),
                zh=list(range(j - b, j)),
                score=_bead_score(evidence, i - a, i, j - b, j),
            )
        )
        i, j = i - a, j - b
    beads.reverse()
    return beads
