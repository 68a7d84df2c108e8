"""Deterministic synthetic corpus: PubMed efetch XML plus bilingual Suppr-style documents.

    generate(N, OUT, seed, chinese_share, perturbed_share, per_file, processes, shape)
    python -m scripts.make_synthetic N OUT [--seed S] [--chinese-share 0.1] ...  (the same)

Writes into OUT:
- pubmed/pubmed-00001.xml ...: one PubmedArticleSet of --per-file records per file, with
  structured and plain abstracts, inline markup (rarely MathML), MedlineDate and Season dates,
  CollectiveName authors, affiliations, ORCIDs, DOIs/PMC ids (not on every record), reference
  lists, MeSH with qualifiers, keywords and publication types. Words follow a Zipf law over a
  ~2,100-word vocabulary, so searches have realistic hit counts.
- zh/suppr-PMID.txt, zh/plain-PMID.txt: for --chinese-share of the records, a Suppr page copy
  (70%) or a plain bilingual dump (30%) carrying the record's PMID, so it merges into the same
  article. Its Chinese abstract is a sentence-by-sentence rendering of the English, Suppr style
  (ASCII , : ; ( ), full-width 。 and 、); in --perturbed-share of them Chinese sentences are
  merged, split or dropped so the sentence counts differ from the English.
- with --shape real, records of real PubMed size (~17 KB, like efetch's): 6-10 authors each
  with an affiliation, 10-14 MeSH headings with qualifiers, keywords, grants, the history
  dates, 25-45 references (95% with a PubMed id), efetch's indentation.
- manifest.json: the parameters, what was generated (records, bilingual, perturbed, ...) and
  its fingerprint (records, stubs, reference entries, Chinese files, a digest of every byte).

Every record is drawn from its own random stream (seed, index), so a record is the same
whatever --per-file is, and the same arguments always give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter
from pathlib import Path

from tests.support.synthetic import words as W
from tests.support.synthetic.pubmed import DOCTYPE, affiliation, record_xml
from tests.support.synthetic.text import (
    Head,
    Section,
    abstract,
    chinese,
    english,
    head_of,
    stream,
)

SHAPES = ("synthetic", "real")

# -- bilingual documents ---------------------------------------------------------------------


def perturb(rng: random.Random, zh: list[list[str]]) -> str | None:
    """Merge, split or drop Chinese sentences (in place) so the count differs from the English;
    returns what was done, or None when nothing could be."""

    def merge() -> bool:
        options = [s for s in zh if len(s) >= 2]
        if not options:
            return False
        section = rng.choice(options)
        k = rng.randrange(len(section) - 1)
        section[k : k + 2] = [section[k].removesuffix("。") + "," + section[k + 1]]
        return True

    def drop() -> bool:
        options = [s for s in zh if len(s) >= 2]
        if not options:
            return False
        section = rng.choice(options)
        del section[rng.randrange(len(section))]
        return True

    def split() -> bool:
        options = [
            (section, k, match.start())
            for section in zh
            for k, text in enumerate(section)
            for match in re.finditer(",", text)
            if 6 <= match.start() <= len(text) - 8
        ]
        if not options:
            return False
        section, k, cut = rng.choice(options)
        text = section[k]
        section[k : k + 1] = [text[:cut] + "。", text[cut + 1 :]]
        return True

    directions = [("merge", merge), ("drop", drop)], [("split", split)]
    first = 0 if rng.random() < 0.67 else 1
    for direction in (directions[first], directions[1 - first]):
        done = []
        for _ in range(rng.choice([1, 1, 2])):
            name, operation = rng.choice(direction)
            if operation():
                done.append(name)
        if done:
            return "+".join(done)
    return None


def bilingual_doc(
    rng: random.Random,
    seed: int,
    index: int,
    corpus: int,
    head: Head,
    sections: list[Section],
    affiliations: list[str],
    perturbed_share: float,
) -> tuple[str, str, str | None]:
    """(kind, text, perturbation) of the record's Suppr page copy or plain dump."""
    en = [[english(s) for s in section.sentences] for section in sections]
    zh = [[chinese(s) for s in section.sentences] for section in sections]
    done = perturb(rng, zh) if rng.random() < perturbed_share else None
    affiliations = affiliations[:2] or [affiliation(rng)]
    citation = head.citation()
    labelled = sections[0].label is not None
    if rng.random() < 0.3:
        inline = labelled and rng.random() < 0.5
        lines = [*affiliations, f"{citation} PMID: {head.ids.pmid}."]
        for texts, lang in ((en, 0), (zh, 1)):
            for section, sentences in zip(sections, texts, strict=True):
                join = " " if lang == 0 else ""
                label = f"{section.label[lang]}: " if inline and section.label else ""
                lines.append(label + join.join(sentences))
        return "plain", "\n".join(lines) + "\n", done
    ids = f"PMID: {head.ids.pmid}" + (f"  PMCID: {head.ids.pmc}" if head.ids.pmc else "")
    blocks = ["Suppr超能文献", chinese(head.title), english(head.title), "机构信息", *affiliations]
    blocks += ["出版信息", f"{citation}\n{ids}", "Abstract"]
    for texts, lang, heading in ((en, 0, "摘要"), (zh, 1, None)):
        for section, sentences in zip(sections, texts, strict=True):
            if labelled and section.label:
                blocks.append(section.label[lang])
            blocks.append((" " if lang == 0 else "").join(sentences))
        if heading:
            blocks.append(heading)
    for heading, share, most in (
        ("相似文献", 0.5, 5),
        ("引用本文的文献", 0.3, 3),
        ("本文引用的文献", 0.3, 5),
    ):
        if rng.random() >= share:
            continue
        blocks.append(heading)
        for rank in range(1, rng.randint(1, most) + 1):
            other = head_of(seed, (index + rng.randrange(1, corpus)) % corpus)
            title = english(other.title) + chinese(other.title)
            blocks.append(f"{rank}\n{title}\n{other.citation()}")
    return "suppr", "\n\n".join(blocks) + "\n\n" + W.SUPPR_FOOTER, done


# -- files -----------------------------------------------------------------------------------


Written = tuple[Counter, set[str], list[bytes]]  # stats, stub ids, sha256 of each record


def write_file(job: tuple[int, int, int, int, Path, float, float, bool]) -> Written:
    """Write one XML file (records first..last-1) and its records' bilingual documents."""
    seed, corpus, first, last, out, share, perturbed_share, real = job
    stats: Counter = Counter()
    stubs: set[str] = set()
    digests: list[bytes] = []
    path = out / "pubmed" / f"pubmed-{first // max(1, last - first) + 1:05d}.xml"
    with open(path, "w", encoding="utf-8") as xml:
        xml.write(DOCTYPE)
        for index in range(first, last):
            head = head_of(seed, index)
            rng = stream(seed, index, 2)
            bilingual = rng.random() < share
            sections = abstract(rng, head.topic, bilingual)
            text, affiliations, _ = record_xml(
                seed, index, corpus, head, rng, sections, stats, stubs, real
            )
            xml.write(text)
            digest = hashlib.sha256(text.encode())
            stats["records"] += 1
            stats["with_abstract"] += bool(sections)
            stats["structured"] += bool(sections and sections[0].label)
            stats["topic_" + (head.topic[1].replace(" ", "_") if head.topic else "none")] += 1
            if bilingual:
                kind, doc, done = bilingual_doc(
                    rng, seed, index, corpus, head, sections, affiliations, perturbed_share
                )
                name = f"{kind}-{head.ids.pmid}.txt"
                (out / "zh" / name).write_text(doc, encoding="utf-8")
                digest.update(f"{name}\n{doc}".encode())
                stats["bilingual"] += 1
                stats[kind] += 1
                stats["perturbed"] += done is not None
                if done:
                    stats["perturbed_" + done] += 1
            digests.append(digest.digest())
        xml.write("</PubmedArticleSet>\n")
    stats["files"] += 1
    return stats, stubs, digests


def generate(
    count: int,
    out: Path,
    seed: int = 1,
    chinese_share: float = 0.1,
    perturbed_share: float = 0.3,
    per_file: int = 5000,
    processes: int = 1,
    shape: str = "synthetic",
) -> dict:
    """Write the corpus into `out` (which must not hold an earlier one) and return the manifest.
    `shape`: "synthetic" (the default, small records) or "real" (real PubMed size, see
    real.py)."""
    if shape not in SHAPES:
        raise ValueError(f"shape: one of {', '.join(SHAPES)}, not {shape!r}")
    for folder in ("pubmed", "zh"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    jobs = [
        (
            seed,
            count,
            first,
            min(first + per_file, count),
            out,
            chinese_share,
            perturbed_share,
            shape == "real",
        )
        for first in range(0, count, per_file)
    ]
    if processes > 1 and len(jobs) > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(processes) as pool:
            written = pool.map(write_file, jobs)
    else:
        written = [write_file(job) for job in jobs]
    total: Counter = Counter()
    stubs: set[str] = set()
    digest = hashlib.sha256()
    for stats, file_stubs, digests in written:  # in file order: records in index order
        total.update(stats)
        stubs |= file_stubs
        digest.update(b"".join(digests))
    manifest = {
        "arguments": {
            "records": count,
            "seed": seed,
            "chinese_share": chinese_share,
            "perturbed_share": perturbed_share,
            "per_file": per_file,
            **({"shape": shape} if shape != "synthetic" else {}),
        },
        **dict(sorted(total.items())),
        "fingerprint": {
            "records": total["records"],
            "stubs": len(stubs),
            "references": total["references"],
            "chinese_files": total["bilingual"],
            "sha256": digest.hexdigest()[:16],
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def fingerprint_line(manifest: dict) -> str:
    """The corpus's shape in one line, to compare benchmark runs of different days: records,
    stubs (cited articles outside the corpus), reference entries, Chinese files, and a digest
    of every byte written (the same for the same arguments, whatever --per-file or
    --processes)."""
    f = manifest["fingerprint"]
    return (
        f"synthetic corpus: {f['records']:,} records, {f['stubs']:,} stubs, "
        f"{f['references']:,} reference entries, {f['chinese_files']:,} Chinese files, "
        f"sha256 {f['sha256']}"
    )
