"""Helpers for scripts/bench.py: measured subprocesses, markdown tables, the machine."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import ROOT


@dataclass
class Measured:
    """A finished subprocess: exit code, wall seconds, peak memory, its output. `rss_mb` is
    the larger of the process's own peak RSS (VmHWM) and the peak of the summed proportional
    set size (Pss) of it and its worker processes, sampled every 0.1 s (pages the forked
    workers share with it count once)."""

    code: int
    wall: float
    rss_mb: float
    output: str


def tree_pids(pid: int) -> list[int]:
    """A process and all its descendants now (Linux /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def tree_memory_kb(pid: int) -> int:
    """Memory of a process and all its descendants now, in KB."""
    total = 0
    for current in tree_pids(pid):
        try:  # Pss: pages shared by the forked workers count once, split among them
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                total += next(int(x.split()[1]) for x in rollup if x.startswith("Pss:"))
        except (OSError, StopIteration):
            pass
    return total


def tree_cpu_seconds(pid: int) -> dict[int, float]:
    """CPU time (user + system) used so far by a process and each live descendant, by pid."""
    found = {}
    for current in tree_pids(pid):
        try:
            with open(f"/proc/{current}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            found[current] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):  # utime, stime: fields 14 and 15
            pass
    return found


def peak_rss_mb(pid: int | str = "self") -> float:
    """A process's own peak RSS (VmHWM), in MB. Not ru_maxrss: Linux carries that across
    fork and exec, so a script started by a 2 GB bench.py would report 2 GB."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(x.split()[1]) for x in status if x.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration, ValueError):
        return 0.0


def run_measured(command: list[str], cwd: Path = ROOT) -> Measured:
    """Run a command and measure its wall time and peak RSS (with its workers')."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        peak_kb = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                own_kb = peak_rss_mb(process.pid) * 1024
                peak_kb[0] = max(peak_kb[0], tree_memory_kb(process.pid), own_kb)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, _usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        rss_mb = peak_kb[0] / 1024
        return Measured(process.returncode, wall, rss_mb, out.read())


def python(script: str, *args: object) -> list[str]:
    """The command running scripts/`script`.py as a module (from the checkout root: ROOT)."""
    return [sys.executable, "-m", f"scripts.{script}", *map(str, args)]


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A markdown table; floats get sensible precision."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def fenced(text: str) -> str:
    return "```\n" + text.rstrip() + "\n```"


def machine() -> str:
    """CPU count and model, RAM, Python and SQLite versions."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        ram = f"{pages / 2**30:.1f} GiB RAM"
    except (ValueError, OSError):
        ram = "RAM unknown"
    return (
        f"{os.cpu_count()} CPUs ({model}), {ram}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}"
    )


# What `litbalint import`/`build` does, in one process (no worker): python -c IN_PROCESS DB
# PATH... [--root ROOT]; the reference the benchmarks check the measured database against.
IN_PROCESS = """
import sys
from pathlib import Path
from litbalint.pipeline import corpus_files, import_paths, relearn_lexicon
from litbalint.store import Store

db, *paths = sys.argv[1:]
if paths[0] == "--build":
    files, roots = corpus_files(Path(paths[1])), [Path(paths[1])]
else:
    files = roots = [Path(p) for p in paths]
with Store(db) as store:
    reports = import_paths(store, files, worker=False, roots=roots)
    relearn_lexicon(store)
print(sum(r.records for r in reports), [r.refused for r in reports if r.refused])
"""


# -- targets: one line per target, collected by `bench.py all` into docs/performance.md --------

TARGET_MARK = "TARGET"
TARGET_FIELDS = ("benchmark", "litbalint", "anchor (same run)", "ratio", "target", "met")


def target_line(
    name: str, measured: str, anchor: str, ratio: str, goal: str, met: bool | None
) -> str:
    """One target as a line any benchmark (even in a subprocess) prints; `bench.py all` lifts
    these lines out of the sections into the summary table. `met` None: a report, no target."""
    verdict = "—" if met is None else ("met" if met else "**not met**")
    cells = [name, measured, anchor, ratio, goal, verdict]
    return f"{TARGET_MARK} | " + " | ".join(c.replace("|", "/") for c in cells)


def split_targets(text: str) -> tuple[str, list[list[str]]]:
    """A section's text without its target lines, and those lines' cells."""
    kept, targets = [], []
    for line in text.splitlines():
        if line.startswith(f"{TARGET_MARK} | "):
            cells = [c.strip() for c in line.split("|")[1:]]
            targets.append((cells + [""] * len(TARGET_FIELDS))[: len(TARGET_FIELDS)])
        else:
            kept.append(line)
    return "\n".join(kept), targets
