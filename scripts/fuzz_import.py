"""Fuzz `litbalint import` with mutated seeds and PubMed/MEDLINE fixtures.

    python -m scripts.fuzz_import [--files N] [--seed S] [--timeout T] [--per-run K]
        [--kinds truncate,utf16,...] [--only KIND:SEED] [--keep DIR] [--report FILE]

Imports the originals into a database, then imports the mutants (K per `python -m litbalint
import` run, into a copy of that database; a run whose failure cannot be pinned on one mutant
is repeated one mutant at a time) and checks each: no traceback, no "please report", exit code
0 or 1, integrity_check ok, the other originals' rows unchanged, no external entity content
stored, no new CJK characters without a warning, no hang past T seconds. Prints a table per
mutation kind and the first failures; exit 1 if any mutant failed. `--only KIND:SEED` checks
one mutant alone (with `--keep DIR` its file and database are kept there).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.support.fuzz_checks import (
    FAILURE_KINDS,
    Failure,
    check_alone,
    check_mutants,
    import_command,
    make_baseline,
)
from tests.support.fuzz_mutations import KINDS, MARKER, Mutant, make_mutant, mutants, originals

EXAMPLES = 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200, help="mutants to import (200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=20, help="seconds a file may take")
    parser.add_argument("--per-run", type=int, default=8, help="mutants per import run")
    parser.add_argument("--kinds", help=f"comma-separated, of: {','.join(KINDS)}")
    parser.add_argument("--only", metavar="KIND:SEED", help="check this one mutant alone")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and keep it")
    parser.add_argument("--report", type=Path, metavar="FILE", help="every failure, JSON lines")
    args = parser.parse_args()
    kinds = args.kinds.split(",") if args.kinds else KINDS
    if unknown := set(kinds) - set(KINDS):
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="fuzz-import-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        marker = folder / "marker.txt"
        marker.write_text(MARKER)
        started = time.perf_counter()
        print(f"importing the {len(originals())} originals ...", flush=True)
        baseline = make_baseline(folder, originals())
        if args.only:
            kind, seed = args.only.split(":")
            return reproduce(make_mutant(kind, int(seed), marker.as_uri()), baseline, folder, args)
        made = mutants(args.files, args.seed, marker.as_uri(), kinds)
        print(f"{len(made)} mutants, {args.per_run} per run, timeout {args.timeout:.0f} s")
        found = check_mutants(
            made, baseline, folder, args.timeout, args.per_run, Progress(len(made), started)
        )
        elapsed = time.perf_counter() - started
    if args.report:
        write_report(args.report, made, found)
    print_table(made, found)
    print_examples(made, found)
    failed = sum(bool(failures) for failures in found)
    rate = elapsed / max(len(made), 1)
    print(
        f"\n{len(made)} files in {elapsed:.0f} s ({rate:.2f} s a file, originals included): ",
        end="",
    )
    print(f"{failed} failed" if failed else "no failures")
    return 1 if failed else 0


class Progress:
    """A line on stderr about every 50 files."""

    def __init__(self, total: int, started: float) -> None:
        self.total, self.started, self.shown = total, started, 0

    def __call__(self, done: int, failed: int) -> None:
        if done and done >= self.shown + 50:
            self.shown = done
            elapsed = time.perf_counter() - self.started
            print(f"  {done}/{self.total} files, {failed} failed, {elapsed:.0f} s", file=sys.stderr)


def reproduce(mutant: Mutant, baseline, folder: Path, args: argparse.Namespace) -> int:
    alone = folder / "alone"
    failures = check_alone(mutant, baseline, alone, args.timeout)
    print(f"{mutant.kind}:{mutant.seed} from {mutant.original.path.name}: {mutant.note}")
    if args.keep:
        print(f"file and database in {alone}; to run it again on a fresh copy of the baseline:")
        print("  " + " ".join(import_command(alone / "fuzz.db", [alone / f"000_{mutant.name}"])))
    for failure in failures:
        print(f"  {failure.check}: {failure.message}")
    print("failed" if failures else "passed")
    return 1 if failures else 0


def write_report(path: Path, made: list[Mutant], found: list[list[Failure]]) -> None:
    with path.open("w") as out:
        for mutant, failures in zip(made, found, strict=True):
            for failure in failures:
                row = {
                    "kind": mutant.kind,
                    "seed": mutant.seed,
                    "original": mutant.original.path.name,
                    "note": mutant.note,
                    "check": failure.check,
                    "message": failure.message,
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")


def print_table(made: list[Mutant], found: list[list[Failure]]) -> None:
    files, failed, checks = Counter(), Counter(), Counter()
    for mutant, failures in zip(made, found, strict=True):
        files[mutant.kind] += 1
        failed[mutant.kind] += bool(failures)
        for check in {failure.check for failure in failures}:
            checks[mutant.kind, check] += 1
    shown = [check for check in FAILURE_KINDS if any(checks[k, check] for k in files)]
    header = ["mutation", "files", "failed", *shown]
    rows = [[kind, files[kind], failed[kind], *(checks[kind, c] for c in shown)] for kind in files]
    rows.append(["total", sum(files.values()), sum(failed.values())])
    rows[-1] += [sum(checks[k, c] for k in files) for c in shown]
    widths = [max(len(str(row[n])) for row in [header, *rows]) for n in range(len(header))]
    print()
    for row in [header, *rows]:
        print("  ".join(str(cell).rjust(width) for cell, width in zip(row, widths, strict=True)))


def print_examples(made: list[Mutant], found: list[list[Failure]]) -> None:
    """The first failures, a few of each (mutation, check)."""
    seen: Counter = Counter()
    shown = 0
    for mutant, failures in zip(made, found, strict=True):
        for failure in failures:
            key = (mutant.kind, failure.check)
            seen[key] += 1
            if seen[key] > 2 or shown >= EXAMPLES:
                continue
            shown += 1
            if shown == 1:
                print("\nfirst failures (reproduce with --only KIND:SEED --keep DIR):")
            print(
                f"  {mutant.kind}:{mutant.seed} ({mutant.original.path.name}, {mutant.note}) "
                f"{failure.check}: {failure.message[:200]}"
            )


if __name__ == "__main__":
    sys.exit(main())
