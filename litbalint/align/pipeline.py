"""Align one article's abstracts: pair sections, split sentences, align, flag."""

from __future__ import annotations

from dataclasses import dataclass

from litbalint.align.aligner import LOW_SCORE, align_sentences
from litbalint.align.segment import SectionPair, pair_sections, split_chinese, split_paragraphs
from litbalint.model import Article, Bead, Section

BAD_SHARE = 0.3  # an abstract with more flagged beads than this is badly aligned


@dataclass
class AlignedPair:
    pair: SectionPair
    en: list[str]
    zh: list[str]
    beads: list[Bead]


@dataclass
class AbstractAlignment:
    pairs: list[AlignedPair]

    @property
    def beads(self) -> list[Bead]:
        return [bead for pair in self.pairs for bead in pair.beads]

    @property
    def flagged_share(self) -> float:
        beads = self.beads
        return sum(is_low(b) for b in beads) / len(beads) if beads else 1.0

    @property
    def badly_aligned(self) -> bool:
        return self.flagged_share > BAD_SHARE


def is_low(bead: Bead) -> bool:
    """Low confidence: a null bead, or a score under LOW_SCORE."""
    return not bead.en or not bead.zh or bead.score < LOW_SCORE


def _split_semicolons(
    en: list[str], zh: list[str], beads: list[Bead]
) -> tuple[list[str], list[Bead]]:
    """Where one Chinese sentence joined with ；/; what the English says in several sentences,
    split it there too when that aligns better."""
    new_zh: list[str] = []
    new_beads: list[Bead] = []
    for bead in beads:
        parts = split_chinese(zh[bead.zh[0]], semicolons=True) if len(bead.zh) == 1 else []
        if len(bead.en) > 1 and len(parts) == len(bead.en):
            sub = align_sentences([en[i] for i in bead.en], parts)
            if all(b.kind == "1-1" and b.score >= LOW_SCORE for b in sub):
                for b in sub:
                    new_beads.append(Bead([bead.en[b.en[0]]], [len(new_zh)], b.score))
                    new_zh.append(parts[b.zh[0]])
                continue
        indices = []
        for j in bead.zh:
            indices.append(len(new_zh))
            new_zh.append(zh[j])
        new_beads.append(Bead(list(bead.en), indices, bead.score))
    return new_zh, new_beads


def align_sections(en_sections: list[Section], zh_sections: list[Section]) -> AbstractAlignment:
    """Align two abstracts given as sections (labels may be missing)."""
    pairs = []
    for pair in pair_sections(en_sections, zh_sections):
        en = split_paragraphs(pair.en_text, "en")
        zh = split_paragraphs(pair.zh_text, "zh")
        beads = align_sentences(en, zh)
        if any(len(b.en) > 1 and len(b.zh) == 1 for b in beads):
            zh, beads = _split_semicolons(en, zh, beads)
        pairs.append(AlignedPair(pair, en, zh, beads))
    return AbstractAlignment(pairs)


def align_article(article: Article) -> AbstractAlignment | None:
    """The article's English and Chinese abstracts aligned, or None if one is missing."""
    if not article.abstract_en or not article.abstract_zh:
        return None
    return align_sections(article.abstract_en, article.abstract_zh)
