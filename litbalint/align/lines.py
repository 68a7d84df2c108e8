"""`litbalint align` on plain files: sentence-per-line, or paragraphs to split."""

from __future__ import annotations

from typing import Any

from litbalint.align.aligner import align_sentences
from litbalint.align.segment import split_paragraphs


def align_lines(en_lines: list[str], zh_lines: list[str]) -> list[dict[str, Any]]:
    """One sentence per line in, beads out: {"en": [line numbers], "zh": [...], "score"}.

    Every line appears in exactly one bead, in order on both sides. Blank lines are not
    aligned: one inside a bead's span joins that bead, any other is a bead of its own."""
    en_kept = [i for i, line in enumerate(en_lines) if line.strip()]
    zh_kept = [j for j, line in enumerate(zh_lines) if line.strip()]
    aligned = align_sentences(
        [en_lines[i].strip() for i in en_kept], [zh_lines[j].strip() for j in zh_kept]
    )
    beads: list[dict[str, Any]] = []
    for b in aligned:
        en = [en_kept[i] for i in b.en]
        zh = [zh_kept[j] for j in b.zh]
        beads.append(
            {
                "en": list(range(en[0], en[-1] + 1)) if en else [],
                "zh": list(range(zh[0], zh[-1] + 1)) if zh else [],
                "score": b.score,
            }
        )
    for side, lines in (("en", en_lines), ("zh", zh_lines)):
        covered = {i for bead in beads for i in bead[side]}
        for line in range(len(lines)):
            if line in covered:
                continue
            at = len(beads)  # right after the last bead that starts before it on this side
            for k in range(len(beads) - 1, -1, -1):
                if beads[k][side] and beads[k][side][0] < line:
                    at = k + 1
                    break
            else:
                at = 0
            while at < len(beads) and not beads[at][side] and _side_start(beads[at]) < line:
                at += 1  # keep earlier blank-line beads of this side before it
            beads.insert(
                at,
                {
                    "en": [line] if side == "en" else [],
                    "zh": [line] if side == "zh" else [],
                    "score": 0.0,
                },
            )
    return beads


def _side_start(bead: dict[str, Any]) -> int:
    return (bead["en"] or bead["zh"] or [0])[0]


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
