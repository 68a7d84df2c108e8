"""Harvest benchmark against the fake E-utilities server (tests/support/fake_eutils.py).

    python -m scripts.bench_harvest [--records 20000] [--few-links]

Runs the fake server in its own process in its real-NCBI mode (NCBI's limits and reply shapes,
3 requests/s), harvests N synthetic records with PubMed's link counts (~35 references, ~12
citing, ~100 similar each; --few-links: ~10, ~3, 5) into a fresh database, and prints: HTTP
requests per 1,000 records by utility (esummary's 500-UID limit for the linked articles' titles
dominates), wall time as a ratio to the rate-limit floor (requests / 3 per s; target <= 1.25),
peak RSS of the harvester (target < 300 MB). Then the same harvest with 10% 5xx and 5%
truncated replies into another fresh database: the final content must be the same, with no
duplicates.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from litbalint.eutils import Eutils
from litbalint.harvest import Options, harvest
from litbalint.store import Store
from scripts.bench_util import peak_rss_mb, target_line
from tests.support.content import content
from tests.support.fake_eutils import FakeEutils, searched
from tests.support.synthetic.records import make_records

TOPICS = [searched("balint", "balint NOT syndrome"), searched("peer_support", "peer support")]


def _serve(records: int, real_links: bool, faults: bool, url_queue, stop_event) -> None:
    fake = FakeEutils(
        make_records(records, real_links=real_links),
        rate_limit=3.0,
        cap=9999,
        idle_timeout=3600,
        ncbi=True,
    )
    if faults:
        fake.fault_rate(None, 0.10, faults=["500", "502", "503"], seed=1)
        fake.fault_rate(None, 0.05, faults=["truncated"], seed=2)
    with fake:
        url_queue.put(fake.url)
        stop_event.wait()
        by_utility = Counter(r.path.rsplit("/", 1)[1].removesuffix(".fcgi") for r in fake.requests)
        url_queue.put((fake.violations, dict(by_utility)))


def run(records: int, real_links: bool, db: Path, faults: bool) -> dict:
    context = multiprocessing.get_context("spawn")
    urls, stop = context.Queue(), context.Event()
    server = context.Process(
        target=_serve, args=(records, real_links, faults, urls, stop), daemon=True
    )
    server.start()
    url = urls.get(timeout=120)
    client = Eutils(url, "bench@example.org", backoff=0.5 if faults else 2.0)
    start, cpu = time.perf_counter(), time.process_time()
    with Store(db) as store:
        report = harvest(store, client, TOPICS, Options())
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    stop.set()
    violations, by_utility = urls.get(timeout=60)
    server.join(timeout=30)
    return {
        "report": report,
        "wall": wall,
        "cpu": cpu,
        "violations": violations,
        "by_utility": by_utility,
    }


def duplicates(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT (SELECT count(*) FROM articles WHERE pmid IS NOT NULL) - "
            "(SELECT count(DISTINCT pmid) FROM articles WHERE pmid IS NOT NULL)"
        ).fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--few-links", action="store_true", help="~10/3/5 links, not PubMed's")
    args = parser.parse_args()
    real_links = not args.few_links
    folder = Path(tempfile.mkdtemp(prefix="litbalint-bench-"))
    clean = run(args.records, real_links, folder / "clean.db", faults=False)
    rss_mb = peak_rss_mb()
    report = clean["report"]
    per_thousand = 1000 * report.requests / max(report.fetched, 1)
    floor = report.requests / 3
    print(f"{'measure':<38} {'value':>10}  {'anchor':>10}  {'ratio':>6}  target")
    print(f"{'records harvested':<38} {report.fetched:>10}")
    print(
        f"{'HTTP requests':<38} {report.requests:>10}  (retries {report.retries}, "
        f"rate-limit 429s {clean['violations']})"
    )
    print(f"{'requests per 1,000 records':<38} {per_thousand:>10.2f}")
    for utility, count in sorted(clean["by_utility"].items()):
        print(f"{'  ' + utility + ' per 1,000 records':<38} {1000 * count / report.fetched:>10.2f}")
    with sqlite3.connect(folder / "clean.db") as conn:
        stubs, untitled = conn.execute(
            "SELECT count(*), sum(title_en IS NULL) FROM articles WHERE is_stub = 1"
        ).fetchone()
    print(f"{'linked stubs (untitled)':<38} {f'{stubs} ({untitled})':>10}")
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
    faulty = run(args.records, real_links, folder / "faulty.db", faults=True)
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
    links = "PubMed's link counts" if real_links else "few links"
    print(
        target_line(
            f"harvest {report.fetched:,} records, fake NCBI (3 requests/s, {links})",
            f"{clean['wall']:.1f} s wall, {per_thousand:.0f} requests per 1,000 records, "
            f"{rss_mb:.0f} MB",
            f"rate-limit floor {report.requests} requests / 3 per s = {floor:.1f} s",
            f"{clean['wall'] / floor:.2f}x the floor",
            "<= 1.25x; < 300 MB; same content with 5xx and truncated replies",
            clean["wall"] / floor <= 1.25 and rss_mb < 300 and same and report.ok,
        )
    )
    return 0 if same and report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
