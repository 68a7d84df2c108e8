"""An import's worker processes (the parser and the aligner) die with the main process: kill -9
of a running import leaves no worker behind, and the database stays consistent (the next run
imports the rest). Processes are found by reading /proc (Linux only)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from litbalint.workers import PARENT_POLL_SECONDS, can_fork
from tests.support.synthetic.corpus import generate

pytestmark = pytest.mark.skipif(
    not (Path("/proc/self/stat").exists() and can_fork()), reason="needs Linux /proc and fork"
)

GONE_WITHIN_SECONDS = 3.0


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state, ppid, ...), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def children(pid: int) -> dict[int, str]:
    """The child processes of `pid`: PID -> start time (to tell a reused PID apart)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) and fields[1] == str(pid):
            found[int(entry.name)] = fields[19]
    return found


def running(processes: dict[int, str]) -> list[int]:
    """Those of `processes` still running (a zombie waiting to be reaped is not)."""
    alive = []
    for pid, started in processes.items():
        fields = _stat(pid)
        if fields and fields[19] == started and fields[0] not in "ZX":
            alive.append(pid)
    return alive


def wait_until_gone(processes: dict[int, str]) -> list[int]:
    """Those of `processes` still running after GONE_WITHIN_SECONDS; they are then killed, so
    a failing test leaves nothing behind either."""
    deadline = time.monotonic() + GONE_WITHIN_SECONDS
    while (left := running(processes)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


@contextmanager
def killed_at_the_end(process: subprocess.Popen) -> Iterator[subprocess.Popen]:
    """The process, killed (if it still runs) and reaped when the block ends."""
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def litbalint(*args: object) -> list[str]:
    return [sys.executable, "-m", "litbalint", *map(str, args)]


def test_kill_9_of_an_import_leaves_no_worker_and_a_consistent_database(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    manifest = generate(300, corpus, seed=5, chinese_share=0.2, per_file=10)
    assert len(list((corpus / "pubmed").glob("*.xml"))) == 30
    db = tmp_path / "killed.db"
    # bilingual documents first, so the aligner has work from the start
    command = litbalint("import", corpus / "zh", corpus / "pubmed", "--db", db, "-q")
    main = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with killed_at_the_end(main):
        deadline = time.monotonic() + 60
        workers: dict[int, str] = {}
        while len(workers) < 2 and main.poll() is None and time.monotonic() < deadline:
            workers = children(main.pid)  # the parser, then the aligner
            time.sleep(0.01)
        assert len(workers) >= 2, f"workers not seen (exit code {main.poll()}): {workers}"
        os.kill(main.pid, signal.SIGKILL)
    assert wait_until_gone(workers) == [], "workers outlived the killed import"

    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        saved = conn.execute("SELECT count(*) FROM articles WHERE is_stub = 0").fetchone()[0]
    assert saved < 300  # killed part way
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*) FROM articles WHERE is_stub = 0").fetchone() == (300,)
        assert conn.execute("SELECT count(*) FROM alignments").fetchone() == (
            manifest["bilingual"],
        )


def _run_forking(child_code: str) -> tuple[subprocess.Popen, dict[int, str]]:
    """A Python process that forks a child running `child_code` (with `parent` = its PID)
    and prints the child's PID; returns the process and its child."""
    script = (
        "import os, sys, time\n"
        "from litbalint.workers import watch_parent, worker_started\n"
        "parent = os.getpid()\n"
        "child = os.fork()\n"
        "if child == 0:\n"
        f"    {child_code}\n"
        "    time.sleep(60)\n"
        "    os._exit(0)\n"
        "print(child, flush=True)\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    child = int(process.stdout.readline())
    return process, {child: (_stat(child) or [""] * 20)[19]}


@pytest.mark.parametrize(
    "child_code",
    ["worker_started(parent)", "watch_parent(parent)"],
    ids=["prctl", "polling-fallback"],
)
def test_worker_dies_with_its_parent(child_code: str) -> None:
    process, child = _run_forking(child_code)
    with killed_at_the_end(process):
        time.sleep(0.2)
        assert running(child), "the worker did not start"
        os.kill(process.pid, signal.SIGKILL)
    assert GONE_WITHIN_SECONDS > 2 * PARENT_POLL_SECONDS
    assert wait_until_gone(child) == []


def test_worker_whose_parent_is_already_gone_exits() -> None:
    process, child = _run_forking("worker_started(parent + 1_000_000)")  # not its parent
    with killed_at_the_end(process):
        assert wait_until_gone(child) == []
