"""Alignment evaluation: gold documents, a perturbation set with known gold, P/R/F1 over beads.

A gold document is a list of sections, each with its English and Chinese sentences and the gold
beads between them. Scores compare beads as sets of global sentence ids:
- strict: a predicted bead equals a gold bead;
- lax: a predicted bead shares at least one sentence on each side with a gold bead.
Precision is over predicted beads that pair something (not 1-0/0-1); recall over gold beads that
pair something (gold 1-0/0-1 beads are left out, as is usual).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from litbalint.align.segment import pair_sections
from litbalint.model import Section

GlobalBead = tuple[frozenset[int], frozenset[int]]  # (English ids, Chinese ids)


@dataclass
class GoldSection:
    label_en: str | None
    label_zh: str | None
    en: list[str]
    zh: list[str]
    beads: list[tuple[list[int], list[int]]]  # indices into en / zh


@dataclass
class GoldDocument:
    name: str
    sections: list[GoldSection] = field(default_factory=list)
    zh_order: list[int] | None = None  # order of the Chinese sections (after a swap)

    def global_beads(self) -> list[GlobalBead]:
        beads, en_base, zh_base = [], 0, 0
        for section in self.sections:
            for en, zh in section.beads:
                beads.append(
                    (frozenset(en_base + i for i in en), frozenset(zh_base + j for j in zh))
                )
            en_base += len(section.en)
            zh_base += len(section.zh)
        return beads

    def en_sections(self) -> list[Section]:
        return [Section(" ".join(s.en), label=s.label_en) for s in self.sections]

    def zh_sections(self) -> list[Section]:
        order = self.zh_order or list(range(len(self.sections)))
        return [
            Section("".join(self.sections[k].zh), label=self.sections[k].label_zh) for k in order
        ]


_ZH_LABELS = {
    "BACKGROUND": "背景",
    "MATERIALS AND METHODS": "材料和方法",
    "METHODS": "方法",
    "RESULTS": "结果",
    "FINDINGS": "发现",
    "CONCLUSIONS": "结论",
    "CONCLUSION": "结论",
}


def load_gold(path: Path) -> list[GoldDocument]:
    """The seeds' gold file: one JSON bead per line {doc, section, en: [...], zh: [...]}."""
    documents: dict[str, GoldDocument] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        bead = json.loads(line)
        document = documents.setdefault(bead["doc"], GoldDocument(bead["doc"]))
        label = bead["section"]
        if not document.sections or document.sections[-1].label_en != label:
            document.sections.append(GoldSection(label, _ZH_LABELS.get(label or ""), [], [], []))
        section = document.sections[-1]
        en = list(range(len(section.en), len(section.en) + len(bead["en"])))
        zh = list(range(len(section.zh), len(section.zh) + len(bead["zh"])))
        section.en += bead["en"]
        section.zh += bead["zh"]
        section.beads.append((en, zh))
    return list(documents.values())


Aligner = Callable[[list[str], list[str]], list[tuple[list[int], list[int]]]]


def predict(document: GoldDocument, aligner: Aligner) -> list[GlobalBead]:
    """Pair the sections as the pipeline does, align each pair on the gold sentences."""
    en_ids, zh_ids, base = [], [], 0
    for section in document.sections:
        en_ids.append(list(range(base, base + len(section.en))))
        base += len(section.en)
    zh_offsets, base = {}, 0
    for k, section in enumerate(document.sections):
        zh_offsets[k] = base
        base += len(section.zh)
    order = document.zh_order or list(range(len(document.sections)))
    zh_ids = [
        list(range(zh_offsets[k], zh_offsets[k] + len(document.sections[k].zh))) for k in order
    ]
    zh_sentences = [document.sections[k].zh for k in order]
    beads: list[GlobalBead] = []
    for pair in pair_sections(document.en_sections(), document.zh_sections()):
        en = [s for i in pair.en_sections for s in document.sections[i].en]
        ens = [g for i in pair.en_sections for g in en_ids[i]]
        zh = [s for k in pair.zh_sections for s in zh_sentences[k]]
        zhs = [g for k in pair.zh_sections for g in zh_ids[k]]
        for e, z in aligner(en, zh):
            beads.append((frozenset(ens[i] for i in e), frozenset(zhs[j] for j in z)))
    return beads


@dataclass
class Scores:
    strict: tuple[float, float, float]
    lax: tuple[float, float, float]
    predicted: int
    gold: int


def _prf(hits_p: int, predicted: int, hits_r: int, gold: int) -> tuple[float, float, float]:
    p = hits_p / predicted if predicted else 0.0
    r = hits_r / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(pairs: Iterable[tuple[list[GlobalBead], list[GlobalBead]]]) -> Scores:
    """Micro-averaged strict and lax P/R/F1 over (predicted, gold) bead lists."""
    counts = [0] * 6  # strict_p, lax_p, predicted, strict_r, lax_r, gold
    for predicted, gold in pairs:
        pred = [b for b in predicted if b[0] and b[1]]
        real = [b for b in gold if b[0] and b[1]]
        gold_set = set(real)
        counts[0] += sum(b in gold_set for b in pred)
        counts[1] += sum(any(b[0] & g[0] and b[1] & g[1] for g in real) for b in pred)
        counts[2] += len(pred)
        pred_set = set(pred)
        counts[3] += sum(g in pred_set for g in real)
        counts[4] += sum(any(b[0] & g[0] and b[1] & g[1] for b in pred) for g in real)
        counts[5] += len(real)
    return Scores(
        _prf(counts[0], counts[2], counts[3], counts[5]),
        _prf(counts[1], counts[2], counts[4], counts[5]),
        counts[2],
        counts[5],
    )


# -- perturbations -------------------------------------------------------------------------


def _copy(document: GoldDocument, name: str) -> GoldDocument:
    return GoldDocument(
        name,
        [
            GoldSection(
                s.label_en,
                s.label_zh,
                list(s.en),
                list(s.zh),
                [(list(e), list(z)) for e, z in s.beads],
            )
            for s in document.sections
        ],
    )


def _renumber(section: GoldSection, zh_map: dict[int, list[int]]) -> None:
    section.beads = [(e, [n for j in z for n in zh_map.get(j, [])]) for e, z in section.beads]


Perturbation = Callable[[GoldSection, random.Random], bool]  # True when it changed the section


def _merge(section: GoldSection, rng: random.Random) -> bool:
    def one_one(bead: tuple[list[int], list[int]]) -> bool:
        return len(bead[0]) == len(bead[1]) == 1

    beads = section.beads
    ones = [k for k in range(len(beads) - 1) if one_one(beads[k]) and one_one(beads[k + 1])]
    if not ones:
        return False
    k = rng.choice(ones)
    (e1, (j,)), (e2, _) = section.beads[k], section.beads[k + 1]
    merged = section.zh[j].rstrip("。") + "，" + section.zh[j + 1]
    section.zh[j : j + 2] = [merged]
    section.beads[k : k + 2] = [(e1 + e2, [j])]
    section.beads = [(e, [x - 1 if x > j else x for x in z]) for e, z in section.beads]
    return True


def _split(section: GoldSection, rng: random.Random) -> bool:
    candidates = []
    for k, (_, z) in enumerate(section.beads):
        if len(z) == 1:
            text = section.zh[z[0]]
            commas = [
                m.start() for m in re.finditer("[,，]", text) if 8 <= m.start() <= len(text) - 8
            ]
            if commas:
                candidates.append((k, commas))
    if not candidates:
        return False
    k, commas = rng.choice(candidates)
    j = section.beads[k][1][0]
    cut = rng.choice(commas)
    text = section.zh[j]
    section.zh[j : j + 1] = [text[:cut] + "。", text[cut + 1 :]]
    section.beads = [(e, [x + 1 if x > j else x for x in z]) for e, z in section.beads]
    section.beads[k] = (section.beads[k][0], [j, j + 1])
    return True


def _drop(section: GoldSection, rng: random.Random) -> bool:
    ones = [k for k, (e, z) in enumerate(section.beads) if len(z) == 1]
    if len(ones) < 2:
        return False
    k = rng.choice(ones)
    j = section.beads[k][1][0]
    del section.zh[j]
    section.beads[k] = (section.beads[k][0], [])
    section.beads = [(e, [x - 1 if x > j else x for x in z]) for e, z in section.beads]
    return True


def _insert(section: GoldSection, rng: random.Random, *, foreign: list[str]) -> bool:
    k = rng.randrange(len(section.beads) + 1)
    j = sum(len(z) for _, z in section.beads[:k])
    section.zh.insert(j, rng.choice(foreign))
    section.beads = [(e, [x + 1 if x >= j else x for x in z]) for e, z in section.beads]
    section.beads.insert(k, ([], [j]))
    return True


def perturbation_set(
    gold: list[GoldDocument], seed: int = 13, variants: int = 4
) -> list[GoldDocument]:
    """Copies of the gold documents with merged, split, dropped and inserted Chinese sentences
    and swapped Chinese sections, with the gold beads changed to match."""
    rng = random.Random(seed)
    documents = []
    for document in gold:
        foreign = [
            s for other in gold if other is not document for sec in other.sections for s in sec.zh
        ]
        for variant in range(variants):
            copy = _copy(document, f"{document.name}#{variant}")
            insert = partial(_insert, foreign=foreign)
            operations: list[Perturbation] = [_merge, _split, _drop, _merge, _split, insert]
            rng.shuffle(operations)
            for operation in operations[: 3 + variant % 2]:
                section = rng.choice(copy.sections)
                operation(section, rng)
            if len(copy.sections) > 1 and all(s.label_en for s in copy.sections):
                order = list(range(len(copy.sections)))
                a, b = rng.sample(order, 2)
                order[a], order[b] = order[b], order[a]
                copy.zh_order = order
            documents.append(copy)
    return documents
