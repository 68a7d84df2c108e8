"""Start-up time of `litbalint` commands against `python -c "import click, sqlite_utils"`.

    python -m scripts.bench_startup [--runs 7]      (also: python -m scripts.bench startup)

Each command runs in a fresh process, RUNS times, interleaved with the anchor (so both see the
same load); the table gives medians and the ratio to the anchor's median. `stats` reads a
database built from the bundled seeds beforehand (not timed); `align` aligns two English and
two Chinese lines. litbalint's cache of derived dictionaries (docs/alignment.md) lives in a
temporary folder: the first `align` finds it empty (cold, reported on its own row), the
others read it (warm).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts.bench_util import table, target_line

ANCHOR = [sys.executable, "-c", "import click, sqlite_utils"]
EN = "Twelve residents joined a Balint group for one year.\nBurnout scores fell.\n"
ZH = "十二名住院医师参加了为期一年的巴林特小组。\n职业倦怠得分下降。\n"
TARGETS = {"--help": 1.5, "align --help": 1.5, "stats": 2.0, "align": 5.0}  # x the anchor


def litbalint() -> list[str]:
    """The installed command next to this Python, else `python -m litbalint`."""
    script = Path(sys.executable).with_name("litbalint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "litbalint"]


def _seconds(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)}: exit {done.returncode}: {done.stderr[-500:]}")
    return seconds


def report(runs: int = 7) -> str:
    """The markdown table (and how it was measured)."""
    folder = Path(tempfile.mkdtemp(prefix="litbalint-bench-startup-"))
    try:
        return _measure(folder, runs)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _measure(folder: Path, runs: int) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("LITBALINT_DB", "LITBALINT_DATA")}
    env["LITBALINT_EMBEDDINGS"] = "off"
    db, en, zh = folder / "seeds.db", folder / "en.txt", folder / "zh.txt"
    en.write_text(EN, encoding="utf-8")
    zh.write_text(ZH, encoding="utf-8")
    command = litbalint()
    build_env = {**env, "LITBALINT_CACHE": str(folder / "build-cache")}
    _seconds([*command, "build", "--db", str(db), "-q", "--no-embed"], build_env, folder)
    env["LITBALINT_CACHE"] = str(folder / "cache")  # empty: the first align is cold
    commands = {
        "--help": [*command, "--help"],
        "align --help": [*command, "align", "--help"],
        "stats": [*command, "stats", "--db", str(db)],
        "align": [*command, "align", "--en", str(en), "--zh", str(zh)],
    }
    _seconds(ANCHOR, env, folder)  # the anchor's files in the page cache, as litbalint's are
    cold = _seconds(commands["align"], env, folder)
    times: dict[str, list[float]] = {"anchor": [], **{name: [] for name in commands}}
    for _ in range(runs):  # interleaved: a busy moment slows anchor and commands alike
        times["anchor"].append(_seconds(ANCHOR, env, folder))
        for name, argv in commands.items():
            times[name].append(_seconds(argv, env, folder))
    anchor = statistics.median(times["anchor"])
    rows: list[list[object]] = [
        [
            '`python -c "import click, sqlite_utils"` (anchor)',
            anchor,
            min(times["anchor"]),
            anchor,
            "1.00x",
            "",
            "",
        ],
    ]
    for name in commands:
        median = statistics.median(times[name])
        rows.append(_row(f"`litbalint {name}`", median, min(times[name]), anchor, TARGETS[name]))
    rows.append(_row("`litbalint align`, cold cache (first run)", cold, cold, anchor, None))
    targets = [
        target_line(
            f"start-up: `litbalint {name}`",
            f"{statistics.median(times[name]):.2f} s (median of {runs})",
            f'`python -c "import click, sqlite_utils"`: {anchor:.2f} s',
            f"{statistics.median(times[name]) / anchor:.2f}x",
            f"<= {goal}x",
            statistics.median(times[name]) / anchor <= goal,
        )
        for name, goal in TARGETS.items()
        if goal is not None
    ]
    return "\n".join(
        [
            *targets,
            f"Start-up, each command {runs} times in fresh processes, interleaved with the "
            "anchor; medians (the cold row: one run).",
            "",
            table(["command", "median s", "min s", "anchor s", "ratio", "target", "met"], rows),
        ]
    )


def _row(name: str, median: float, least: float, anchor: float, target: float | None) -> list:
    ratio = median / anchor
    met = "" if target is None else ("met" if ratio <= target else "**not met**")
    return [name, median, least, anchor, f"{ratio:.2f}x", f"<= {target}x" if target else "", met]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (median)")
    print(report(parser.parse_args().runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
