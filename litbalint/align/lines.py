"""`litbalint align` on plain files: sentence-per-line, or paragraphs to split."""

from __future__ import annotations

from typing import Any

from litbalint.align.aligner import align_sentences
from litbalint.align.segment import split_paragraphs


def align_lines(en_lines: list[str], zh_lines: list[str]) -> list[dict[str, Any]]:
    """One sentence per line in, beads out: {"en": [line numbers], "zh": [...], "score"}.
    Every line appears in exactly one bead; a blank line is a bead of its own (1-0 / 0-1)."""
    en_kept = [i for i, line in enumerate(en_lines) if line.strip()]
    zh_kept = [j for j, line in enumerate(zh_lines) if line.strip()]
    beads = align_sentences(
        [en_lines[i].strip() for i in en_kept], [zh_lines[j].strip() for j in zh_kept]
    )
    result = [
        {"en": [en_kept[i] for i in b.en], "zh": [zh_kept[j] for j in b.zh], "score": b.score}
        for b in beads
    ]
    blanks = [
        {"en": [i], "zh": [], "score": 0.0} for i in range(len(en_lines)) if not en_lines[i].strip()
    ]
    blanks += [
        {"en": [], "zh": [j], "score": 0.0} for j in range(len(zh_lines)) if not zh_lines[j].strip()
    ]
    merged = result + blanks

    # order beads by where they start in the files (English line first, then Chinese)
    def start(bead: dict[str, Any]) -> tuple[float, float]:
        en_start = min(bead["en"], default=_position(bead["zh"], result, "zh", "en"))
        zh_start = min(bead["zh"], default=_position(bead["en"], result, "en", "zh"))
        return en_start, zh_start

    merged.sort(key=start)
    return merged


def _position(lines: list[int], beads: list[dict[str, Any]], side: str, other: str) -> float:
    """For a bead with nothing on `other`, where it falls on `other`: just after the
    `other` lines of the last bead that starts before it on `side`."""
    start = min(lines) if lines else -1
    before = [b for b in beads if b[side] and min(b[side]) < start and b[other]]
    return max((max(b[other]) for b in before), default=-1) + 0.5


def align_paragraphs(en_text: str, zh_text: str) -> list[dict[str, Any]]:
    """Paragraph files in: sentences are split first; beads also carry the sentence texts."""
    en = split_paragraphs(en_text, "en")
    zh = split_paragraphs(zh_text, "zh")
    return [
        {
            "en": b.en,
            "zh": b.zh,
            "score": b.score,
            "en_text": [en[i] for i in b.en],
            "zh_text": [zh[j] for j in b.zh],
        }
        for b in align_sentences(en, zh)
    ]
