"""Harvest benchmark against the fake E-utilities server (tests/fake_eutils.py).

    python scripts/bench_harvest.py [--records 20000]

Runs the fake server in its own process (enforcing 3 requests/s), harvests N synthetic records
with their links into a fresh database, and prints: HTTP requests per 1,000 records (target
<= 10, elink and esummary included), wall time as a ratio to the rate-limit floor (requests / 3
per s; target <= 1.25), peak RSS of the harvester (target < 300 MB). Then the same harvest with
10% 5xx and 5% truncated replies into another fresh database: the final content must be the
same, with no duplicates.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from litbalint.eutils import Eutils  # noqa: E402
from litbalint.harvest import Options, Topic, harvest  # noqa: E402
from litbalint.store import Store  # noqa: E402
from tests.content import content  # noqa: E402
from tests.fake_eutils import FakeEutils, make_records  # noqa: E402

TOPICS = [Topic("balint", "balint NOT syndrome"), Topic("peer_support", "peer support")]


def _serve(records: int, faults: bool, url_queue, stop_event) -> None:
    fake = FakeEutils(make_records(records), rate_limit=3.0, cap=9999, idle_timeout=3600)
    if faults:
        fake.fault_rate(None, 0.10, faults=["500", "502", "503"], seed=1)
        fake.fault_rate(None, 0.05, faults=["truncated"], seed=2)
    with fake:
        url_queue.put(fake.url)
        stop_event.wait()
        url_queue.put(fake.violations)


def run(records: int, db: Path, faults: bool) -> dict:
    context = multiprocessing.get_context("spawn")
    urls, stop = context.Queue(), context.Event()
    server = context.Process(target=_serve, args=(records, faults, urls, stop), daemon=True)
    server.start()
    url = urls.get(timeout=120)
    client = Eutils(url, "bench@example.org", backoff=0.5 if faults else 2.0)
    start, cpu = time.perf_counter(), time.process_time()
    with Store(db) as store:
        report = harvest(store, client, TOPICS, Options())
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    stop.set()
    violations = urls.get(timeout=60)
    server.join(timeout=30)
    return {"report": report, "wall": wall, "cpu": cpu, "violations": violations}


def duplicates(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT (SELECT count(*) FROM articles WHERE pmid IS NOT NULL) - "
            "(SELECT count(DISTINCT pmid) FROM articles WHERE pmid IS NOT NULL)"
        ).fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="litbalint-bench-"))
    clean = run(args.records, folder / "clean.db", faults=False)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = clean["report"]
    per_thousand = 1000 * report.requests / max(report.fetched, 1)
    floor = report.requests / 3
    print(f"{'measure':<38} {'value':>10}  {'anchor':>10}  {'ratio':>6}  target")
    print(f"{'records harvested':<38} {report.fetched:>10}")
    print(
        f"{'HTTP requests':<38} {report.requests:>10}  (retries {report.retries}, "
        f"rate-limit 429s {clean['violations']})"
    )
    print(
        f"{'requests per 1,000 records':<38} {per_thousand:>10.2f}  {10:>10}  "
        f"{per_thousand / 10:>6.2f}  <= 10"
    )
    print(
        f"{'wall time s vs floor (requests / 3/s)':<38} {clean['wall']:>10.1f}  {floor:>10.1f}  "
        f"{clean['wall'] / floor:>6.2f}  <= 1.25"
    )
    print(
        f"{'harvester CPU s (all its threads)':<38} {clean['cpu']:>10.1f}  {floor:>10.1f}  "
        f"{clean['cpu'] / floor:>6.2f}"
    )
    print(
        f"{'peak RSS MB (harvester process)':<38} {rss_mb:>10.0f}  {300:>10}  "
        f"{rss_mb / 300:>6.2f}  < 300"
    )
    faulty = run(args.records, folder / "faulty.db", faults=True)
    same = content(folder / "clean.db") == content(folder / "faulty.db")
    print(
        f"\nwith 10% 5xx and 5% truncated replies: {faulty['report'].requests} requests, "
        f"{faulty['report'].retries} retries, {faulty['wall']:.1f} s, status "
        f"{'ok' if faulty['report'].ok else faulty['report'].error}"
    )
    print(
        f"same final content as the clean run: {same}; duplicate PMIDs: "
        f"{duplicates(folder / 'faulty.db')}"
    )
    return 0 if same and report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
