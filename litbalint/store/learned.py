"""The learned lexicon's rows: read the confident beads it is learned from, replace its pairs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from sqlite_utils import Database

from litbalint.model import BeadText, LearnedPair

SOURCE_KEY = "learned_lexicon_source"  # litbalint_meta: what the rows were learned from

_CONFIDENT = (
    "FROM alignment_beads b JOIN articles a ON a.id = b.article_id "
    "WHERE b.low_confidence = 0 AND b.score >= ? AND b.en_text != '' AND b.zh_text != '' "
    "AND a.deleted = 0"
)


def confident_beads(db: Database, min_score: float) -> Iterator[BeadText]:
    """The beads the lexicon is learned from: text on both sides, not flagged, scored at least
    `min_score`, of articles not deleted; in article order."""
    for en, zh in db.execute(
        f"SELECT b.en_text, b.zh_text {_CONFIDENT} ORDER BY b.article_id, b.position",
        [min_score],
    ):
        yield BeadText(en, zh)


def beads_fingerprint(db: Database, min_score: float, learner_version: int) -> str:
    """Changes whenever the confident beads (or the learner) change: their count, largest id,
    scores and text lengths."""
    row = db.execute(
        f"SELECT count(*), max(b.id), total(b.score), total(length(b.en_text) + "
        f"length(b.zh_text)) {_CONFIDENT}",
        [min_score],
    ).fetchone()
    return hashlib.sha256(repr((learner_version, *row)).encode()).hexdigest()[:16]


def learned_from(db: Database) -> str | None:
    """The fingerprint of the beads the stored pairs were learned from (None: never)."""
    row = db.execute("SELECT value FROM litbalint_meta WHERE key = ?", [SOURCE_KEY]).fetchone()
    return row[0] if row else None


def replace_learned_lexicon(db: Database, pairs: list[LearnedPair], fingerprint: str) -> None:
    """Make the table hold exactly these pairs (run inside the caller's transaction)."""
    db.execute("DELETE FROM learned_lexicon")
    db.conn.executemany(
        "INSERT INTO learned_lexicon (zh, en, pairs, score) VALUES (?, ?, ?, ?)",
        [(pair.zh, pair.en, pair.pairs, pair.score) for pair in pairs],
    )
    db.execute(
        "INSERT OR REPLACE INTO litbalint_meta (key, value) VALUES (?, ?)",
        [SOURCE_KEY, fingerprint],
    )
