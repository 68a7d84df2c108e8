"""Evaluate sentence alignment: litbalint vs NLTK's Gale–Church, side by side in one run.

    python -m scripts.eval_align [GOLD.jsonl]      (default: ../shared/gold/seeds-alignment.jsonl)

Prints strict and lax precision/recall/F1 over beads on (a) the gold file and (b) a perturbation
set generated from it with known gold (merged, split, dropped, inserted Chinese sentences, swapped
sections), the share of non-1-1 gold beads, and alignment speed in abstracts per second on one
core including sentence splitting. NLTK is a dev extra: pip install -e '.[dev]'.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from litbalint.align.aligner import RATIO, align_sentences
from litbalint.align.evaluate import GoldDocument, load_gold, perturbation_set, predict, score
from litbalint.align.lexicon import default_lexicon
from litbalint.align.pipeline import align_article
from litbalint.model import Article, Section


def litbalint_aligner(en: list[str], zh: list[str]) -> list[tuple[list[int], list[int]]]:
    return [(b.en, b.zh) for b in align_sentences(en, zh)]


def gale_church_aligner():
    """NLTK's Gale–Church on character lengths, its mean ratio set to the Chinese/English
    character ratio (otherwise it assumes 1 and fails outright on Chinese)."""
    try:
        from nltk.translate import gale_church
    except ImportError:
        return None

    class Params(gale_church.LanguageIndependent):
        AVERAGE_CHARACTERS = RATIO * 1.25  # characters with punctuation and spaces

    def align(en: list[str], zh: list[str]) -> list[tuple[list[int], list[int]]]:
        if not en or not zh:
            return [([i], []) for i in range(len(en))] + [([], [j]) for j in range(len(zh))]
        pairs = gale_church.align_blocks([len(s) for s in en], [len(s) for s in zh], Params)
        beads: dict[int, tuple[set[int], set[int]]] = {}
        owner_en: dict[int, int] = {}
        owner_zh: dict[int, int] = {}
        for i, j in pairs:
            key = owner_en.get(i, owner_zh.get(j, len(beads)))
            bead = beads.setdefault(key, (set(), set()))
            bead[0].add(i)
            bead[1].add(j)
            owner_en[i] = owner_zh[j] = key
        result = [(sorted(e), sorted(z)) for e, z in beads.values()]
        result += [([i], []) for i in range(len(en)) if i not in owner_en]
        result += [([], [j]) for j in range(len(zh)) if j not in owner_zh]
        return result

    return align


def evaluate(documents: list[GoldDocument], aligner) -> str:
    scores = score((predict(d, aligner), d.global_beads()) for d in documents)
    s, lx = scores.strict, scores.lax
    return (
        f"{s[0]:.3f}  {s[1]:.3f}  {s[2]:.3f} | {lx[0]:.3f}  {lx[1]:.3f}  {lx[2]:.3f}"
        f" | {scores.predicted:>4} {scores.gold:>4}"
    )


def speed(documents: list[GoldDocument], rounds: int) -> float:
    """Abstracts per second through split + pair + align (text in, beads out)."""
    articles = [
        Article(
            abstract_en=[Section(" ".join(s.en), label=s.label_en) for s in d.sections],
            abstract_zh=[Section("".join(s.zh), label=s.label_zh) for s in d.sections],
        )
        for d in documents
    ]
    align_article(articles[0])  # warm-up: lexicon, jieba
    start = time.perf_counter()
    for _ in range(rounds):
        for article in articles:
            align_article(article)
    return rounds * len(articles) / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("gold", nargs="?", default="../shared/gold/seeds-alignment.jsonl")
    parser.add_argument("--rounds", type=int, default=40, help="speed-test repetitions")
    args = parser.parse_args()
    gold_path = Path(args.gold)
    if not gold_path.exists():
        print(f"{gold_path}: no such gold file", file=sys.stderr)
        return 1
    gold = load_gold(gold_path)
    perturbed = perturbation_set(gold)
    kinds = Counter(f"{len(e)}-{len(z)}" for d in perturbed for e, z in d.global_beads())
    not_one_one = 1 - kinds["1-1"] / sum(kinds.values())
    default_lexicon()
    systems = [("litbalint", litbalint_aligner)]
    gale_church = gale_church_aligner()
    if gale_church:
        systems.append(("nltk gale-church", gale_church))
    header = f"{'set':<14} {'system':<17} strict P  R      F1    | lax P  R      F1    | pred gold"
    print(header)
    print("-" * len(header))
    for set_name, documents in (("seeds gold", gold), ("perturbed", perturbed)):
        for system, aligner in systems:
            print(f"{set_name:<14} {system:<17} {evaluate(documents, aligner)}")
    if not gale_church:
        print("(nltk not installed: pip install -e '.[dev]' for the Gale–Church baseline)")
    shares = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    print(
        f"\nperturbation set: {len(perturbed)} documents, {sum(kinds.values())} gold beads, "
        f"{not_one_one:.0%} not 1-1: {shares}"
    )
    rate = speed(gold + perturbed, args.rounds)
    print(f"speed: {rate:.0f} abstracts/s on one core (split + pair + align)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
