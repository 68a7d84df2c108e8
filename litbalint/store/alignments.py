"""Stored alignments: the beads of each article with both abstracts, kept in step with them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from sqlite_utils import Database

from litbalint.model import AbstractAlignment, Section, SentencePair
from litbalint.store.articles import now


def abstract_sections(db: Database, article_id: int) -> tuple[list[Section], list[Section]]:
    """The article's stored English and Chinese sections, in order."""
    sections: dict[str, list[Section]] = {"en": [], "zh": []}
    for lang, label, category, text in db.execute(
        "SELECT lang, label, category, text FROM abstract_sections WHERE article_id = ? "
        "ORDER BY lang, position",
        [article_id],
    ):
        sections.setdefault(lang, []).append(Section(text, label=label, category=category))
    return sections["en"], sections["zh"]


def inputs_hash(en: list[Section], zh: list[Section]) -> str:
    """What an alignment was computed from; a different hash means align again."""
    payload = json.dumps(
        [[(s.label, s.text) for s in en], [(s.label, s.text) for s in zh]], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def alignment_candidates(db: Database, article_ids: list[int]) -> set[int]:
    """Of these articles, the ones that have a Chinese abstract or an alignment: only they can
    need (re-)aligning; an English-only article without beads has nothing to do."""
    found: set[int] = set()
    for start in range(0, len(article_ids), 500):
        chunk = article_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(
            row[0]
            for row in db.execute(
                f"SELECT article_id FROM abstract_sections WHERE lang = 'zh' AND article_id IN "
                f"({marks}) UNION SELECT article_id FROM alignments WHERE article_id IN ({marks})",
                [*chunk, *chunk],
            )
        )
    return found


def existing_articles(db: Database, article_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(article_ids), 500):
        chunk = article_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(
            r[0] for r in db.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)
        )
    return found


def stored_hash(db: Database, article_id: int) -> str | None:
    row = db.execute(
        "SELECT inputs_hash, stale FROM alignments WHERE article_id = ?", [article_id]
    ).fetchone()
    return row[0] if row and not row[1] else None


def save_alignment(
    db: Database, article_id: int, alignment: AbstractAlignment | None, hash_: str
) -> None:
    """Replace the article's beads (none when it lacks an abstract in either language)."""
    db.execute("DELETE FROM alignment_beads WHERE article_id = ?", [article_id])
    if alignment is None:
        db.execute("DELETE FROM alignments WHERE article_id = ?", [article_id])
        return
    position = 0
    for pair_index, pair in enumerate(alignment.pairs, start=1):
        for bead in pair.beads:
            position += 1
            db.execute(
                "INSERT INTO alignment_beads (article_id, position, pair_index, en_label, "
                "zh_label, paired_by, bead_type, en_sentences, zh_sentences, en_text, zh_text, "
                "score, low_confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    article_id,
                    position,
                    pair_index,
                    pair.pair.en_label,
                    pair.pair.zh_label,
                    pair.pair.paired_by,
                    bead.kind,
                    json.dumps(bead.en),
                    json.dumps(bead.zh),
                    " ".join(pair.en[i] for i in bead.en),
                    "".join(pair.zh[j] for j in bead.zh),
                    bead.score,
                    int(bead.low_confidence),
                ],
            )
    beads = alignment.beads
    scores = [b.score for b in beads if b.en and b.zh]
    db.execute(
        "INSERT OR REPLACE INTO alignments (article_id, inputs_hash, beads, low_confidence, "
        "mean_score, badly_aligned, stale, aligned_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
        [
            article_id,
            hash_,
            len(beads),
            sum(b.low_confidence for b in beads),
            round(sum(scores) / len(scores), 3) if scores else None,
            int(alignment.badly_aligned),
            now(),
        ],
    )


def mark_stale(db: Database, article_id: int) -> None:
    """The abstracts changed and the beads no longer describe them."""
    db.execute("UPDATE alignments SET stale = 1 WHERE article_id = ?", [article_id])


def sentence_pairs(db: Database, min_score: float = 0.0) -> Iterator[SentencePair]:
    """Aligned pairs with text on both sides, article by article, in order."""
    cursor = db.execute(
        "SELECT article_id, pmid, doi, coalesce(en_label, zh_label), bead_type, en_text, "
        "zh_text, score FROM sentence_pairs WHERE score >= ? ORDER BY article_id, position",
        [min_score],
    )
    for row in cursor:
        yield SentencePair(*row)
