"""Reciprocal rank fusion: one ranking from several (Cormack, Clarke & Büttcher, SIGIR 2009).

Each signal ranks articles its own way (the query's words in the index, the query translated
into the other language, the embedding's nearest neighbours); an article's fused score is the
sum over the signals that found it of `weight / (K + rank)`, so agreeing signals lift an article
and no signal's raw scores need calibrating against another's. Pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

K = 60  # the constant of the original paper: damps the difference between the first ranks


@dataclass
class Fused:
    """An article's place in the fused ranking and the signals that found it (with ranks)."""

    id: int
    score: float
    ranks: dict[str, int] = field(default_factory=dict)  # signal -> 1-based rank

    @property
    def signals(self) -> list[str]:
        return list(self.ranks)


def fuse(
    rankings: Mapping[str, Sequence[int]],
    weights: Mapping[str, float] | None = None,
    k: int = K,
) -> list[Fused]:
    """The articles of every ranking, best fused score first (ties: best single rank, then id).
    An article listed twice in one ranking counts at its first place."""
    fused: dict[int, Fused] = {}
    for signal, ranking in rankings.items():
        weight = 1.0 if weights is None else weights.get(signal, 1.0)
        for rank, article_id in enumerate(ranking, start=1):
            entry = fused.setdefault(article_id, Fused(article_id, 0.0))
            if signal in entry.ranks:
                continue
            entry.ranks[signal] = rank
            entry.score += weight / (k + rank)
    return sorted(fused.values(), key=lambda f: (-f.score, min(f.ranks.values()), f.id))
