"""`litbalint embed`'s work: embed the corpus articles whose vector is missing or out of date,
in batches, each committed on its own (a run stopped at any moment, even by kill -9, loses at
most the batch under way; the next run goes on from there, since unchanged rows are skipped)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from litbalint import embed
from litbalint.store import Store, vectors

BATCH = 32  # articles a batch: ~3 s of work here, so an interruption loses little


@dataclass
class EmbedReport:
    """What a run did."""

    embedded: int = 0
    current: int = 0  # corpus articles whose vector was already up to date
    removed: int = 0  # vectors of articles no longer in the corpus, or now without text
    left: int = 0  # still to embed (--limit reached, or interrupted)
    seconds: float = 0.0  # embedding time
    off: str | None = None  # why nothing was embedded (switched off, no model)
    interrupted: bool = False

    @property
    def rate(self) -> float:
        return self.embedded / self.seconds if self.seconds > 0 else 0.0


def embed_articles(
    store: Store,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch: int = BATCH,
) -> EmbedReport:
    """Embed what is missing or changed (at most `limit` articles) and remove the vectors of
    articles that left the corpus. `progress(done, total)` after each committed batch. On
    KeyboardInterrupt the report comes back with `interrupted` set (what was committed stays)."""
    report = EmbedReport()
    model = embed.model()
    if model is None:
        report.off = embed.unavailable()
        return report
    with store.transaction():
        report.removed = vectors.remove_gone(store.db)
    pending, report.current = vectors.pending(
        store.db, embed.MODEL_NAME, embed.article_text, embed.text_hash
    )
    emptied = [p.article_id for p in pending if not p.text]
    if emptied:
        with store.transaction():
            report.removed += vectors.remove(store.db, emptied)
    to_embed = [p for p in pending if p.text]
    total = len(to_embed) if limit is None else min(limit, len(to_embed))
    report.left = len(to_embed)
    started = time.perf_counter()
    try:
        for first in range(0, total, batch):
            chunk = to_embed[first : min(first + batch, total)]
            passages = model.passages([p.text for p in chunk])
            rows = [
                (p.article_id, p.text_hash, embed.to_blob(vector))
                for p, vector in zip(chunk, passages, strict=True)
            ]
            with store.transaction():
                vectors.save(store.db, embed.MODEL_NAME, rows)
            report.embedded += len(chunk)
            report.left -= len(chunk)
            report.seconds = time.perf_counter() - started
            if progress:
                progress(report.embedded, total)
    except KeyboardInterrupt:
        report.interrupted = True
        report.seconds = time.perf_counter() - started
    return report


def summary_line(report: EmbedReport) -> str:
    """One line: what the run did, what is left, the speed."""
    if report.off:
        return f"embed: nothing embedded: {report.off}"
    line = (
        f"embed {'interrupted' if report.interrupted else 'ok'}: {report.embedded:,} articles "
        f"embedded, {report.current:,} already up to date, {report.removed:,} vectors removed"
    )
    if report.left:
        line += f"; {report.left:,} left for the next run"
    if report.embedded:
        line += f" ({report.rate:.1f} articles/s)"
    return line
