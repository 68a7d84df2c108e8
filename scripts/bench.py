"""Benchmarks of litbalint, each against an anchor measured in the same run.

    python -m scripts.bench startup [--runs 7]         command start-up vs click + sqlite_utils
    python -m scripts.bench parse [--records 20000]    XML parser vs Entrez.read, pubmed_parser
    python -m scripts.bench build [--articles 100000] [--check]  `litbalint build` vs a plain ET
                                                       script (--check: rows vs in-process)
    python -m scripts.bench bigfile [--records 20000]  runs scripts.bench_bigfile
    python -m scripts.bench align [--rounds 20]        sentence aligner vs NLTK Gale–Church
    python -m scripts.bench harvest [--records 20000]  runs scripts.bench_harvest
    python -m scripts.bench search [--articles 100000] runs scripts.bench_publish
    python -m scripts.bench xlingual [--distractors 10000]  runs scripts.bench_xlingual
    python -m scripts.bench load                      runs scripts.bench_load (20 clients)
    python -m scripts.bench all [--out bench-results.md] [--only a,b] [--no-readme]

Each prints a small markdown table and TARGET lines; `all` runs everything (about 20 minutes
on 2 cores with the search corpora cached under /tmp), lifts the TARGET lines into one table
and writes it with the sections to bench-results.md and between docs/performance.md's markers.
Corpora come from tests/support/synthetic (what scripts/make_synthetic writes; generation is
not timed, its fingerprint is printed). pubmed_parser and NLTK are optional: pip install
pubmed_parser nltk (the project's dev extra). Run from the checkout root.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sqlite3
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from scripts import bench_bigfile, bench_load, bench_startup
from scripts.bench_util import (
    IN_PROCESS,
    ROOT,
    TARGET_FIELDS,
    fenced,
    machine,
    python,
    run_measured,
    split_targets,
    table,
    target_line,
)
from tests.support.content import content_digest
from tests.support.synthetic.corpus import fingerprint_line, generate

# harvest: 2,000 records at PubMed's link counts take ~300 requests at 3/s (the fake's limit)
ALL_SIZES = {
    "parse": 20_000,
    "build": 100_000,
    "bigfile": 20_000,
    "harvest": 2_000,
    "search": 100_000,
}
GOLD = ROOT.parent / "shared" / "gold" / "seeds-alignment.jsonl"


def synthetic(records: int, per_file: int) -> tuple[Path, dict]:
    folder = Path(tempfile.mkdtemp(prefix="litbalint-bench-corpus-"))
    start = time.perf_counter()
    manifest = generate(records, folder, per_file=per_file, processes=2)
    print(f"(generated {records:,} records in {time.perf_counter() - start:.0f} s: {folder})")
    print(f"({fingerprint_line(manifest)})")
    return folder, manifest


# -- parse -----------------------------------------------------------------------------------


def bench_parse(records: int) -> str:
    folder, _ = synthetic(records, per_file=500)
    results = {}
    for name in ("litbalint", "entrez", "pubmed_parser"):
        run = run_measured(python("bench_parsers", name, folder / "pubmed"))
        try:
            results[name] = {**json.loads(run.output.strip().splitlines()[-1]), "rss": run.rss_mb}
        except (ValueError, IndexError):
            print(f"{name} failed (exit {run.code}): {run.output.strip()[-300:]}")
    shutil.rmtree(folder)
    anchor = results.get("entrez")
    rows = []
    for name, r in results.items():
        rate = r["records"] / r["seconds"]
        ratio = rate / (anchor["records"] / anchor["seconds"]) if anchor else float("nan")
        counts = (r["titles"], r["abstracts"], r["dois"])
        rows.append([name, r["records"], r["seconds"], rate, r["rss"], *counts, f"{ratio:.2f}x"])
    counts = {(r["records"], r["titles"], r["abstracts"], r["dois"]) for r in results.values()}
    headers = ["parser", "records", "s", "records/s", "peak RSS MB", "titles", "abstracts"]
    mine = results.get("litbalint")
    lines = [
        target_line(
            f"parse {records:,} PubMed records (the parser alone, a report)",
            f"{mine['seconds']:.2f} s, {mine['rss']:.0f} MB" if mine else "failed",
            f"`Bio.Entrez.read` in batches of 500: {anchor['seconds']:.2f} s" if anchor else "—",
            f"{anchor['seconds'] / mine['seconds']:.1f}x faster" if mine and anchor else "—",
            "none (what users wait for is the import: see bigfile)",
            None,
        ),
        f"PubMed XML, {records:,} synthetic records in files of 500 (Entrez.read: one call "
        "per file, DTDs from Biopython, offline); each parser in its own process.",
        "",
        table([*headers, "DOIs", "vs Entrez.read"], rows),
        "",
        f"All parsers agree on the counts: {'yes' if len(counts) == 1 else 'NO'}.",
    ]
    if "pubmed_parser" not in results:
        lines.append("pubmed_parser not measured (pip install pubmed_parser).")
    return "\n".join(lines)


# -- build -----------------------------------------------------------------------------------


def plain_script(folder: str, db: str) -> None:
    """The anchor: what a user might write: ElementTree and sqlite3, titles only."""
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE IF NOT EXISTS articles (pmid INTEGER PRIMARY KEY, title TEXT)")
    for path in sorted(Path(folder).glob("*.xml")):
        with conn:
            for _, elem in ET.iterparse(path):
                if elem.tag == "PubmedArticle":
                    title = "".join(elem.find("MedlineCitation/Article/ArticleTitle").itertext())
                    pmid = int(elem.findtext("MedlineCitation/PMID"))
                    conn.execute("INSERT OR REPLACE INTO articles VALUES (?, ?)", (pmid, title))
                    elem.clear()
    conn.close()


def corpus_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:

        def one(sql: str) -> int:
            return conn.execute(sql).fetchone()[0]

        return {
            "articles": one("SELECT count(*) FROM articles WHERE is_stub = 0 AND deleted = 0"),
            "with Chinese": one("SELECT count(*) FROM articles WHERE is_stub = 0 AND has_zh"),
            "aligned": one("SELECT count(*) FROM alignments"),
            "stubs": one("SELECT count(*) FROM articles WHERE is_stub = 1"),
            "citation edges": one("SELECT count(*) FROM citations"),
            "sentence pairs": one("SELECT count(*) FROM alignment_beads"),
        }


def bench_build(articles: int, check: bool = False) -> str:
    """`check`: build again in one process (no workers) and compare every table's rows."""
    folder, manifest = synthetic(articles, per_file=5000)
    db = folder / "bench.db"
    build = run_measured(
        [sys.executable, "-m", "litbalint", "build", "--db", str(db), "--data", str(folder)]
        + ["-q", "--no-embed"]  # embedding is its own stage: scripts/bench_embed.py
    )
    anchor = run_measured(python("bench", "_plain", folder / "pubmed", folder / "plain.db"))
    size = sum(p.stat().st_size for p in folder.glob("bench.db*")) / 1e6
    counts = corpus_counts(db)
    digest = content_digest(db)
    rows_check = "not checked (--check)"
    if check:
        reference = folder / "reference.db"
        command = [sys.executable, "-c", IN_PROCESS, str(reference), "--build", str(folder)]
        alone = run_measured(command)
        expected = content_digest(reference)
        differ = [name for name in expected if digest.get(name) != expected[name]]
        same = "same rows in every table" if not differ else "DIFFER: " + ", ".join(differ)
        rows_check = f"{same} as an in-process build ({alone.wall:.0f} s)"
    shutil.rmtree(folder)
    from litbalint.resources import seed_files

    seeds = len(seed_files())  # `build` imports the bundled seeds too, all bilingual
    expected = {"articles": articles + seeds, "with Chinese": manifest["bilingual"] + seeds}
    expected["aligned"] = manifest["bilingual"] + seeds
    checks = ", ".join(
        f"{k} {counts[k]:,} ({'ok' if counts[k] == v else f'expected {v:,}'})"
        for k, v in expected.items()
    )
    rows = [
        ["litbalint build (parse, store, FTS, align)", build.wall, build.rss_mb, "<= 120 s"],
        ["plain script (ElementTree + sqlite3, titles)", anchor.wall, anchor.rss_mb, ""],
    ]
    rows[0].append(f"{build.wall / anchor.wall:.1f}x")
    rows[1].append("1.0x")
    rows_ok = all(counts[k] == v for k, v in expected.items())
    name = f"build {articles:,} articles (parse, store, FTS, align)"
    return "\n".join(
        [
            target_line(
                name + ": time",
                f"{build.wall:.0f} s (exit {build.code})",
                f"plain ElementTree + sqlite3, titles only: {anchor.wall:.1f} s",
                f"{build.wall / anchor.wall:.1f}x the plain script",
                "<= 120 s, same rows",
                build.code == 0 and build.wall <= 120 and rows_ok,
            ),
            target_line(
                name + ": memory",
                f"{build.rss_mb:.0f} MB peak, all processes; database {size:,.0f} MB",
                f"plain script {anchor.rss_mb:.0f} MB",
                "",
                "<= 500 MB",
                build.rss_mb <= 500,
            ),
            f"{articles:,} articles in {manifest['files']} XML files of 5,000 records, plus "
            f"{manifest['bilingual']:,} bilingual documents ({manifest['suppr']:,} Suppr, "
            f"{manifest['plain']:,} plain; {manifest['perturbed']:,} with sentence counts "
            f"that differ), {manifest['references']:,} reference-list entries; fresh database.",
            "",
            table(["run", "wall s", "peak RSS MB, all processes", "target", "vs plain"], rows),
            "",
            f"Exit code {build.code}; database {size:,.0f} MB; {checks}; "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items() if k not in expected)
            + ". Targets: <= 120 s, <= 500 MB.",
            "",
            f"Rows: {rows_check}; content digest (rows per table, timestamps left out): "
            + hashlib.sha256(json.dumps(digest, sort_keys=True).encode()).hexdigest()[:16]
            + ".",
            *([fenced(build.output[-2000:])] if build.code else []),
        ]
    )


# -- align -----------------------------------------------------------------------------------


def gold_documents() -> tuple[list, str]:
    """The hand-checked gold file when there is one (../shared), else the seeds' own sections,
    split and paired 1-1 (what tests/test_align.py checks they are)."""
    from litbalint.align.evaluate import GoldDocument, GoldSection, load_gold
    from litbalint.align.segment import split_paragraphs
    from litbalint.model import Article
    from litbalint.resources import seed_files
    from litbalint.sources.detect import records_from_bytes

    if GOLD.exists():
        return load_gold(GOLD), str(GOLD.relative_to(ROOT.parent))
    documents = []
    for path in seed_files():
        article = next(
            r for r in records_from_bytes(path.read_bytes())[1] if isinstance(r, Article)
        )
        document = GoldDocument(path.stem)
        for en, zh in zip(article.abstract_en, article.abstract_zh, strict=False):
            en_s, zh_s = split_paragraphs(en.text, "en"), split_paragraphs(zh.text, "zh")
            if len(en_s) == len(zh_s):
                beads = [([i], [i]) for i in range(len(en_s))]
                document.sections.append(GoldSection(en.label, zh.label, en_s, zh_s, beads))
        documents.append(document)
    return documents, "the bundled seeds (sentences paired 1-1)"


def bench_align(rounds: int) -> str:
    import eval_align

    from litbalint.align.evaluate import perturbation_set, predict, score
    from litbalint.align.lexicon import default_lexicon

    gold, source = gold_documents()
    perturbed = perturbation_set(gold)
    default_lexicon()
    systems = [("litbalint", eval_align.litbalint_aligner)]
    if gale_church := eval_align.gale_church_aligner():
        systems.append(("NLTK Gale–Church", gale_church))
    rows, rates = [], {}
    for name, aligner in systems:
        strict = score((predict(d, aligner), d.global_beads()) for d in perturbed).strict
        seeds = score((predict(d, aligner), d.global_beads()) for d in gold).strict
        start = time.perf_counter()
        for _ in range(rounds):
            for document in perturbed:
                predict(document, aligner)
        rates[name] = rounds * len(perturbed) / (time.perf_counter() - start)
        rows.append([name, *(f"{x:.3f}" for x in strict), f"{seeds[2]:.3f}", rates[name]])
    anchor = rates.get("NLTK Gale–Church")
    for row in rows:
        row.append(f"{row[-1] / anchor:.2f}x" if anchor else "n/a")
    beads = sum(len(d.global_beads()) for d in perturbed)
    full = eval_align.speed(gold + perturbed, max(1, rounds // 2))
    headers = ["system", "strict P", "strict R", "strict F1", "F1 on gold", "abstracts/s"]
    mine = next(r for r in rows if r[0] == "litbalint")
    return "\n".join(
        [
            target_line(
                "align (perturbed abstracts; a report)",
                f"strict F1 {mine[3]}, {mine[5]:.0f} abstracts/s",
                f"NLTK Gale–Church: {rows[1][3]}, {rows[1][5]:.0f}/s" if anchor else "—",
                mine[-1],
                "none",
                None,
            ),
            f"Perturbation set from {source}: {len(perturbed)} abstracts, {beads} gold beads "
            "(merged, split, dropped, inserted Chinese sentences, swapped sections); speed on "
            f"sentences as given, {rounds} rounds, one core.",
            "",
            table([*headers, "speed vs NLTK"], rows),
            "",
            f"litbalint from text (sentence splitting and section pairing included): {full:.0f} "
            "abstracts/s." + ("" if anchor else " NLTK not installed: pip install -e '.[dev]'."),
        ]
    )


# -- harvest, search ---------------------------------------------------------------------------


def bench_script(script: str, *args: object) -> str:
    run = run_measured(python(script, *args))
    return "\n".join(
        [
            f"`python -m scripts.{script} {' '.join(map(str, args))}`: exit code {run.code}, "
            f"{run.wall:.0f} s wall, peak RSS of the script's process {run.rss_mb:.0f} MB.",
            "",
            fenced(run.output),
        ]
    )


RESULTS_PAGE = ROOT / "docs" / "performance.md"
RESULTS_START = "<!-- bench-results: `python -m scripts.bench all` writes this; not by hand -->"
RESULTS_END = "<!-- /bench-results -->"


def sections() -> dict[str, Callable[[], str]]:
    """Every benchmark of `all`, in order, at the sizes of ALL_SIZES."""
    return {
        "startup": bench_startup.report,
        "parse": lambda: bench_parse(ALL_SIZES["parse"]),
        "build": lambda: bench_build(ALL_SIZES["build"]),
        "bigfile": lambda: bench_bigfile.report(ALL_SIZES["bigfile"]),
        "align": lambda: bench_align(20),
        "harvest": lambda: bench_script("bench_harvest", "--records", ALL_SIZES["harvest"]),
        "search": lambda: bench_script(
            "bench_publish", "--articles", ALL_SIZES["search"], "--no-load"
        ),
        "xlingual": lambda: bench_script("bench_xlingual", "--distractors", 10_000),
        "load": bench_load.report,
    }


def bench_all(out: Path, only: list[str], page: bool) -> None:
    """Run the benchmarks, write the results (targets first) to `out`, and docs/performance.md's
    copy."""
    started = datetime.now(timezone.utc)
    parts, targets = [], []
    for name, run in sections().items():
        if only and name not in only:
            continue
        start = time.perf_counter()
        text, found = split_targets(run())
        print(f"\n## {name}\n\n{text}\n", flush=True)
        targets += found
        parts.append(f"### {name} ({time.perf_counter() - start:.0f} s)\n\n{text.strip()}\n")
    minutes = (datetime.now(timezone.utc) - started).total_seconds() / 60
    sizes = ", ".join(f"{k} {v:,}" for k, v in ALL_SIZES.items() if not only or k in only)
    command = "python -m scripts.bench all" + (f" --only {','.join(only)}" if only else "")
    results = "\n".join(
        [
            f"{started:%Y-%m-%d %H:%M} UTC, {minutes:.1f} minutes; {machine()}. Sizes: {sizes}. "
            f"Command: `{command}`. Anchors run in the same run, on the same machine.",
            "",
            table(list(TARGET_FIELDS), targets),
            "",
            *parts,
        ]
    )
    out.write_text("# litbalint benchmarks\n\n" + results, encoding="utf-8")
    print(f"written to {out}")
    if page:
        write_results_page(results)
        print(f"the performance results replaced in {RESULTS_PAGE}")


def write_results_page(results: str) -> None:
    """Put `results` between docs/performance.md's markers (the page's generated part)."""
    text = RESULTS_PAGE.read_text(encoding="utf-8")
    head, rest = text.split(RESULTS_START, 1)
    _, tail = rest.split(RESULTS_END, 1)
    RESULTS_PAGE.write_text(
        f"{head}{RESULTS_START}\n{results.strip()}\n{RESULTS_END}{tail}", "utf-8"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("startup").add_argument("--runs", type=int, default=7)
    commands.add_parser("parse").add_argument("--records", type=int, default=20_000)
    build = commands.add_parser("build")
    build.add_argument("--articles", type=int, default=100_000)
    build.add_argument("--check", action="store_true", help="rows vs an in-process build")
    commands.add_parser("bigfile").add_argument("--records", type=int, default=20_000)
    commands.add_parser("align").add_argument("--rounds", type=int, default=20)
    commands.add_parser("harvest").add_argument("--records", type=int, default=20_000)
    commands.add_parser("search").add_argument("--articles", type=int, default=100_000)
    commands.add_parser("xlingual").add_argument("--distractors", type=int, default=10_000)
    commands.add_parser("load")
    every = commands.add_parser("all")
    every.add_argument("--out", type=Path, default=ROOT / "bench-results.md")
    every.add_argument("--only", type=lambda s: s.split(","), default=[], help="e.g. build,search")
    every.add_argument(
        "--no-docs", "--no-readme", action="store_true", help="leave docs/performance.md as it is"
    )
    plain = commands.add_parser("_plain")  # the build anchor, run in its own process
    plain.add_argument("folder")
    plain.add_argument("db")
    args = parser.parse_args()
    if args.command == "_plain":
        plain_script(args.folder, args.db)
    elif args.command == "all":
        bench_all(args.out, args.only, page=not args.no_docs)
    else:
        text = {
            "startup": lambda: bench_startup.report(args.runs),
            "parse": lambda: bench_parse(args.records),
            "build": lambda: bench_build(args.articles, args.check),
            "bigfile": lambda: bench_bigfile.report(args.records),
            "align": lambda: bench_align(args.rounds),
            "harvest": lambda: bench_script("bench_harvest", "--records", args.records),
            "search": lambda: bench_script("bench_publish", "--articles", args.articles),
            "xlingual": lambda: bench_script("bench_xlingual", "--distractors", args.distractors),
            "load": bench_load.report,
        }[args.command]()
        print(f"\n{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
