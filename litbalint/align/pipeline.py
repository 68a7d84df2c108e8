"""Align one article's abstracts: pair sections, split sentences, align, flag."""

from __future__ import annotations

from litbalint.align.aligner import align_sentences
from litbalint.align.segment import pair_sections, split_chinese, split_paragraphs
from litbalint.model import LOW_SCORE, AbstractAlignment, AlignedPair, Article, Bead, Section


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
