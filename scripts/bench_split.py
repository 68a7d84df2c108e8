"""Does PubMed XML's byte splitter pay? The split path against iterparse of the whole file
(forced by making `can_split` say no), on the same files (issue 16).

    python -m scripts.bench_split [--runs 3] [--data DIR] [--only parse,import,build]

Three measurements, each run in a fresh process, split and whole interleaved, RUNS times,
medians: `parse` parses 4 files of 5,000 synthetic records (parser only); `import` runs
`litbalint import` on one file of 6,000 real-shaped records (~120 MB, --shape real); `build`
imports the 4 files of 5,000 into a fresh database. Both wall seconds and CPU seconds (the
process and its parsing worker: on a shared machine, the steadier of the two) are given. The
anchor is the whole-file path; the ratio is split / whole (below 1: the splitter pays). The
files come from tests/support/synthetic (not timed) into --data, kept there for the next run (a
temporary folder without it).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts.bench_util import python, table

KINDS = ("parse", "import", "build")


def data(folder: Path) -> dict[str, list[Path]]:
    """The benchmark files, generated once into `folder`."""
    from tests.support.synthetic.corpus import generate

    synthetic, real = folder / "synthetic", folder / "real"
    if not (synthetic / "manifest.json").exists():
        shutil.rmtree(synthetic, ignore_errors=True)
        generate(20_000, synthetic, per_file=5000, processes=2)
    if not (real / "manifest.json").exists():
        shutil.rmtree(real, ignore_errors=True)
        generate(6000, real, chinese_share=0.0, per_file=6000, processes=2, shape="real")
    files = sorted((synthetic / "pubmed").glob("*.xml"))
    return {"parse": files, "build": files, "import": sorted((real / "pubmed").glob("*.xml"))}


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the parsing worker)."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def child(mode: str, kind: str, paths: list[Path]) -> None:
    """Run one measurement in this process; print its seconds and records as JSON."""
    from litbalint.sources import pubmed_xml

    if mode == "whole":
        pubmed_xml.can_split = lambda head: False  # type: ignore[assignment]
    started, cpu = time.perf_counter(), cpu_seconds()
    records = 0
    if kind == "parse":
        for path in paths:
            with open(path, "rb") as stream:
                records += sum(1 for _ in pubmed_xml.parse_pubmed_xml(stream))
    else:
        from click.testing import CliRunner

        from litbalint.cli import cli

        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.db"
            result = CliRunner().invoke(cli, ["import", *map(str, paths), "--db", str(db), "-q"])
            if result.exit_code:
                raise SystemExit(result.output)
    wall = time.perf_counter() - started
    print(json.dumps({"wall": wall, "cpu": cpu_seconds() - cpu, "records": records}))


def measure(mode: str, kind: str, paths: list[Path]) -> dict[str, float]:
    command = python("bench_split", "_child", mode, kind, *paths)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{mode} {kind} failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, help="where the files are kept (generated once)")
    parser.add_argument(
        "--only", default=",".join(KINDS), help="comma-separated: " + ", ".join(KINDS)
    )
    if sys.argv[1:2] == ["_child"]:
        child(sys.argv[2], sys.argv[3], [Path(p) for p in sys.argv[4:]])
        return 0
    args = parser.parse_args()
    folder = args.data or Path(tempfile.mkdtemp(prefix="litbalint-bench-split-"))
    folder.mkdir(parents=True, exist_ok=True)
    files = data(folder)
    rows = []
    for kind in args.only.split(","):
        runs: dict[str, list[dict[str, float]]] = {"split": [], "whole": []}
        for _ in range(args.runs):
            for mode, done in runs.items():
                done.append(measure(mode, kind, files[kind]))
                print(f"({kind} {mode}: {done[-1]['wall']:.2f} s, CPU {done[-1]['cpu']:.2f} s)")
        size_mb = sum(path.stat().st_size for path in files[kind]) / 1e6
        row: list[object] = [f"{kind} ({len(files[kind])} files, {size_mb:.0f} MB)"]
        for measured in ("wall", "cpu"):
            whole, split = (
                statistics.median(r[measured] for r in runs[m]) for m in ("whole", "split")
            )
            row += [whole, split, f"{split / whole:.2f}x"]
        rows.append(row)
    print(
        table(
            ["measurement", "whole wall s (anchor)", "split wall s", "ratio"]
            + ["whole CPU s (anchor)", "split CPU s", "ratio"],
            rows,
        )
    )
    if not args.data:
        shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
