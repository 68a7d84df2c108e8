"""One big PubMed file: `litbalint import` of 20,000 records of real size in one XML file, against
`Bio.Entrez.read` parsing the same records in batches of 500 (issue 15).

    python -m scripts.bench_bigfile [--records 20000] [--keep DIR]    (also `bench.py bigfile`)

The records come from make_synthetic's --shape real (~21 KB each: ~35 references with
PubMed ids, ~11 MeSH headings with qualifiers, 6-10 authors with affiliations, keywords, grants,
history dates, efetch's indentation; generation is not timed). Prints a markdown table: wall
time, the CPU time of each process (the import's store in the main process, the parser in its
worker: both cores busy), peak memory of all processes, the ratio to the anchor and the target
(<= 0.5x Entrez.read). The rows check: the same file imported in-process (no worker) gives the
same content, table by table (timestamps left out), as the measured import.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from scripts.bench_util import (
    IN_PROCESS,
    ROOT,
    fenced,
    python,
    table,
    target_line,
    tree_pids,
)
from tests.support.content import content_digest
from tests.support.synthetic.corpus import generate
from tests.support.synthetic.pubmed import DOCTYPE

BATCH = 500  # records per Entrez.read call, as one efetch reply
TARGET = 0.5  # litbalint's wall time / Entrez.read's
FOOTER = "</PubmedArticleSet>\n"
_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    """A finished command: wall seconds, CPU seconds per process, peak summed Pss (MB)."""

    code: int
    wall: float
    cpu: dict[int, float] = field(default_factory=dict)  # pid -> CPU seconds (main first)
    peak_mb: float = 0.0
    output: str = ""


def _sample(pid: int) -> tuple[float, float]:
    """(CPU seconds so far, Pss MB) of one process; zeros once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            pss = next(int(x.split()[1]) for x in rollup if x.startswith("Pss:"))
    except (OSError, StopIteration, IndexError):
        return 0.0, 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK, pss / 1024


def run(command: list[str]) -> Run:
    """Run a command, sampling every 0.1 s the CPU time of it and each worker it starts and
    the memory of them all."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        result = Run(0, 0.0, {process.pid: 0.0})
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                total = 0.0
                for pid in tree_pids(process.pid):
                    cpu, pss = _sample(pid)
                    result.cpu[pid] = max(result.cpu.get(pid, 0.0), cpu)
                    total += pss
                result.peak_mb = max(result.peak_mb, total)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        result.wall = time.perf_counter() - start
        done.set()
        sampler.join()
        # wait4 counts the workers the main process reaped in its time: take them out
        workers = sum(cpu for pid, cpu in result.cpu.items() if pid != process.pid)
        own = usage.ru_utime + usage.ru_stime - workers
        result.cpu[process.pid] = max(result.cpu[process.pid], own)
        result.code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        result.output = out.read()
        return result


def one_file(records: int, folder: Path) -> Path:
    """The records in one XML file (generated in parts on two cores, then joined)."""
    parts = folder / "parts"
    generate(
        records, parts, chinese_share=0.0, per_file=max(1, records // 8), processes=2, shape="real"
    )
    path = folder / "big.xml"
    with open(path, "w", encoding="utf-8") as big:
        big.write(DOCTYPE)
        for part in sorted((parts / "pubmed").glob("*.xml")):
            text = part.read_text(encoding="utf-8")
            big.write(text[len(DOCTYPE) : -len(FOOTER)])
        big.write(FOOTER)
    shutil.rmtree(parts)
    return path


def batches(path: Path, folder: Path) -> Path:
    """The file's records again, BATCH a file, for Entrez.read (one call per file)."""
    out = folder / "batches"
    out.mkdir()
    text = path.read_text(encoding="utf-8")
    records = text[len(DOCTYPE) : -len(FOOTER)].split("<PubmedArticle>")[1:]
    for n in range(0, len(records), BATCH):
        body = "".join("<PubmedArticle>" + r for r in records[n : n + BATCH])
        (out / f"batch-{n // BATCH:04d}.xml").write_text(DOCTYPE + body + FOOTER, "utf-8")
    return out


def report(records: int, keep: Path | None = None) -> str:
    """Generate, measure, check; the markdown section."""
    folder = Path(tempfile.mkdtemp(prefix="litbalint-bench-bigfile-"))
    start = time.perf_counter()
    path = one_file(records, folder)
    size_mb = path.stat().st_size / 1e6
    print(
        f"(generated {records:,} records, {size_mb:.0f} MB, in "
        f"{time.perf_counter() - start:.0f} s: {path})",
        flush=True,
    )
    db = folder / "bench.db"
    imported = run([sys.executable, "-m", "litbalint", "import", str(path), "--db", str(db), "-q"])
    print(f"(import: {imported.wall:.1f} s)", flush=True)
    entrez_folder = batches(path, folder)
    entrez = run(python("bench_parsers", "entrez", entrez_folder))
    parsed = json.loads(entrez.output.strip().splitlines()[-1])
    print(f"(Entrez.read: {parsed['seconds']:.1f} s)", flush=True)
    reference_db = folder / "reference.db"
    alone = run([sys.executable, "-c", IN_PROCESS, str(reference_db), str(path)])
    print(f"(in-process import: {alone.wall:.1f} s)", flush=True)
    measured, expected = content_digest(db), content_digest(reference_db)
    differ = [name for name in expected if measured.get(name) != expected[name]]
    with sqlite3.connect(db) as conn:
        articles = conn.execute("SELECT count(*) FROM articles WHERE is_stub = 0").fetchone()[0]
        stubs = conn.execute("SELECT count(*) FROM articles WHERE is_stub = 1").fetchone()[0]
        entries = conn.execute("SELECT count(*) FROM reference_lists").fetchone()[0]
    if keep:
        shutil.copy(db, keep / "bench.db")
    shutil.rmtree(folder)
    anchor = parsed["seconds"]
    cpu = list(imported.cpu.values())
    cpu_text = f"main {cpu[0]:.1f}" + "".join(f", worker {c:.1f}" for c in cpu[1:] if c >= 0.05)
    ratio = imported.wall / anchor
    rows = [
        [
            "litbalint import (one file, fresh db)",
            imported.wall,
            f"{cpu_text} ({sum(cpu) / imported.wall:.2f} cores)",
            imported.peak_mb,
            f"{ratio:.2f}x",
            f"<= {TARGET}x: {'met' if ratio <= TARGET else '**not met**'}",
        ],
        [
            f"Bio.Entrez.read, batches of {BATCH} (anchor)",
            anchor,
            f"{sum(entrez.cpu.values()):.1f} (whole process)",
            entrez.peak_mb,
            "1.00x",
            "",
        ],
        [
            "litbalint in-process (rows reference)",
            alone.wall,
            f"{sum(alone.cpu.values()):.1f}",
            alone.peak_mb,
            f"{alone.wall / anchor:.2f}x",
            "",
        ],
    ]
    check = "same rows in every table" if not differ else f"**differ**: {', '.join(differ)}"
    lines = [
        target_line(
            f"import one file of {records:,} real-shaped PubMed records (fresh database)",
            f"{imported.wall:.1f} s, {imported.peak_mb:.0f} MB; {check}",
            f"`Bio.Entrez.read` in batches of {BATCH}: {anchor:.1f} s",
            f"{ratio:.2f}x",
            f"<= {TARGET}x Entrez.read",
            ratio <= TARGET,
        ),
        f"One PubMed XML file of {records:,} records of real size ({size_mb:.0f} MB, "
        f"{size_mb * 1e3 / records:.1f} KB a record; make_synthetic.py --shape real); "
        f"{articles:,} articles, {stubs:,} stubs, {entries:,} reference-list entries stored. "
        f"Entrez.read: parsing only (DTDs from Biopython, offline), "
        f"{parsed['records']:,} records. CPU: seconds per process.",
        "",
        table(
            ["run", "wall s", "CPU s", "peak MB, all processes", "vs Entrez.read", "target"], rows
        ),
        "",
        f"Exit codes {imported.code}/{entrez.code}/{alone.code}. Rows check against the "
        f"in-process import: {check}.",
        *([fenced(imported.output[-2000:])] if imported.code else []),
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, help="copy the measured database here")
    args = parser.parse_args()
    print(report(args.records, args.keep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
