"""Helpers for scripts/bench.py: measured subprocesses, markdown tables, the machine."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Measured:
    """A finished subprocess: exit code, wall seconds, its own peak RSS, its output."""

    code: int
    wall: float
    rss_mb: float
    output: str


def run_measured(command: list[str], cwd: Path = ROOT) -> Measured:
    """Run a command and measure its wall time and peak RSS (that process alone, via wait4)."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return Measured(process.returncode, wall, usage.ru_maxrss / 1024, out.read())


def python(script: str, *args: object) -> list[str]:
    return [sys.executable, str(ROOT / "scripts" / script), *map(str, args)]


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
