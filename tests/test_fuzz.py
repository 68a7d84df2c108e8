"""A quick fuzz of `litbalint import`: two fixed mutants of each kind, imported in a
subprocess as a user runs it (the long run is scripts/fuzz_import.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.fuzz_checks import BatchResult, Failure, make_baseline, run_batch
from tests.support.fuzz_mutations import KINDS, MARKER, make_mutant, originals

# Kinds that fail on main today (issue 14); remove one when its fix lands.
KNOWN_FAILING: dict[str, str] = {}  # kind -> why (xfail): none since issue 14's fixes
# Two mutants a kind; where seeds 1 and 2 miss a known bug, seeds from a long run that hit it
# (`python -m scripts.fuzz_import --only KIND:SEED` makes the same mutant).
SEEDS = {kind: (1, 2) for kind in KINDS} | {
    "byte_flip": (568791, 1),  # two_records_crlf.nbib: © read as 漏
    "stray_bytes": (901343, 1),  # two_records.nbib: 漏胾
    "latin1": (267459, 431875),  # seed 003, chinese.nbib: 閍 for éa
    "deep_nesting": (234111, 611618),  # 1,000 and 500 nested <i>
    "invalid_pmid": (783290, 127071),  # a 23-digit PMID (OverflowError), PMID 0 stored
    "gzip_corrupt": (690434, 580539),  # "invalid stored block lengths"
}
TIMEOUT = 20  # seconds for a run of two small files


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Failure]]:
    """Every kind's failures: its mutants imported in one run into a copy of the originals'
    database (two runs at a time)."""
    folder = tmp_path_factory.mktemp("fuzz")
    marker = folder / "marker.txt"
    marker.write_text(MARKER)
    pool = originals()
    baseline = make_baseline(folder, pool)

    def check(kind: str) -> list[Failure]:
        made = [make_mutant(kind, seed, marker.as_uri(), pool) for seed in SEEDS[kind]]
        result = run_batch(made, baseline, folder / kind, TIMEOUT)
        return all_failures(result)

    with ThreadPoolExecutor(2) as pool_of_runs:
        return dict(zip(KINDS, pool_of_runs.map(check, KINDS), strict=True))


def all_failures(result: BatchResult) -> list[Failure]:
    """A batch's failures, the ones it could not pin on one mutant included."""
    found = result.whole + [f for failures in result.failures.values() for f in failures]
    found += [Failure("mojibake", f"{name}: new CJK, no warning") for name in result.suspects]
    return found


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(kind, marks=pytest.mark.xfail(strict=False, reason=KNOWN_FAILING[kind]))
        if kind in KNOWN_FAILING
        else kind
        for kind in KINDS
    ],
)
def test_mutants_import_cleanly(results, kind):
    assert results[kind] == []


def test_mutants_are_reproducible(tmp_path: Path):
    first = make_mutant("byte_flip", 7, "file:///m")
    again = make_mutant("byte_flip", 7, "file:///m")
    assert (first.data, first.original.path) == (again.data, again.original.path)
    assert first.data != first.original.data
    assert len(first.data) == len(first.original.data)


def test_mutations_do_what_they_say():
    marker = "file:///tmp/marker.txt"
    xxe = make_mutant("external_entity", 1, marker)
    assert b"<!ENTITY" in xxe.data and b"SYSTEM" in xxe.data
    nested = make_mutant("deep_nesting", 3, marker)
    assert nested.data.count(b"<i>") >= 300 or nested.data.count(b"<mml:mrow>") >= 300
    assert make_mutant("cr_only", 1, marker).data.count(b"\n") == 0
    utf16 = make_mutant("utf16", 1, marker)
    assert b"\0" in utf16.data and utf16.text == utf16.original.text
    assert make_mutant("gzip_truncated", 1, marker).data[:2] == b"\x1f\x8b"
