"""Serve a corpus while it is being written: `litbalint serve` must keep answering correctly.

    python -m scripts.check_serve_while_writing [--records 20000] [--batches 10]
        [--chinese-share 0.1] [--harvest 2000] [--pollers 3] [--keep DIR] [--immutable]

Generates --records synthetic records (scripts/make_synthetic.py: PubMed XML and bilingual
documents) in --batches files, imports the first into a fresh `corpus.db` (a name other than
litbalint.db on purpose), starts `litbalint serve` on it (mutable, the default), then imports the
other files with one `litbalint import` (which commits about once a second) and, with --harvest N,
harvests N records from the fake E-utilities server (tests/support/fake_eutils.py) into the same
file (both writers with `nice -n 10`, as docs/operations.md's recipes run the harvest), while
--pollers threads ask for the database page (chart, counts), the table's JSON and HTML, table
searches (`articles.json?_search=`, ranked), the search page and its JSON (`/-/search.json`,
`/corpus/-/search.json`) and article pages, and another thread watches the count of corpus articles
the server reports. A thread reading the file directly notes when each commit became visible to
readers.

Prints, per kind of request: how many, errors, p50 / p95 / max latency; counts that went down
(each poller asks in sequence, so what it sees may only grow); and how long after a commit the
server showed its rows (the lag; it includes the 0.1 s polling interval and the time of the
request that saw them). Exit 1 on any error,
any count that went down, or a lag over 5 s. tests/test_serve_while_writing.py runs it small.
`--immutable` serves the file the way `litbalint serve` did before (a promise that it never
changes), to see the check catch what that breaks.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

from tests.support.paths import ROOT
from tests.support.serving import free_port, stop_server
from tests.support.synthetic.corpus import generate

DATABASE = "corpus"
QUERIES = ["burnout", "support", "training", "residents", "职业倦怠", "住院医师", "共情 沟通"]
CORPUS_COUNT = "SELECT count(*) FROM articles WHERE is_stub = 0 AND deleted = 0"
MAX_LAG_SECONDS = 5.0
WRITER_NICE = 10  # the writers run niced, as docs/operations.md's cron and systemd recipes say
_ARTICLES_NUMBER = re.compile(r'<li class="lb-articles-count"><strong>([\d,]+)</strong>')


@dataclass
class Observations:
    """What the pollers saw (appended from several threads: list.append is atomic)."""

    requests: list[tuple[str, float, str | None]] = field(default_factory=list)  # kind, ms, error
    decreases: list[str] = field(default_factory=list)
    served_counts: list[tuple[float, int]] = field(default_factory=list)  # (monotonic, count)
    committed_counts: list[tuple[float, int]] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list)

    def errors(self) -> list[str]:
        return [f"{kind}: {error}" for kind, _, error in self.requests if error]

    def lags(self) -> list[float]:
        """Per commit seen in the file: seconds until the server first reported that count."""
        lags = []
        for committed_at, count in self.committed_counts:
            shown = [t for t, served in self.served_counts if served >= count]
            lags.append(max(0.0, min(shown) - committed_at) if shown else float("inf"))
        return lags


def litbalint(*args: object, env: dict | None = None, nice: int = 0) -> subprocess.CompletedProcess:
    """Run `litbalint ARGS`; `nice` lowers its CPU priority, as docs/operations.md's recipes do
    for the nightly harvest (the site's requests come first on a small machine)."""
    command = [sys.executable, "-m", "litbalint", *map(str, args)]
    if nice:
        command = ["nice", "-n", str(nice), *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)


def start_server(db: Path, log: Path, mode: str = "mutable") -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "litbalint", "serve", "--db", str(db), "--port", str(port)]
    command.append(f"--{mode}")
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"litbalint serve exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/-/versions.json", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.terminate()
    raise RuntimeError("litbalint serve did not answer within 60 s")


# --- what each request must show ---------------------------------------------------------


def _json_problem(response: httpx.Response) -> str | None:
    data = response.json()
    if data.get("error") or data.get("ok") is False:
        return f"error in JSON: {str(data)[:200]}"
    return None


def _requests(rng: random.Random, ids: list[int]) -> list[tuple[str, str, str | None]]:
    """(kind, path, count key) for one round; the count key names a number that may only grow."""
    query = quote(rng.choice(QUERIES))
    rounds = [
        ("database page", f"/{DATABASE}", "articles"),
        ("table json", f"/{DATABASE}/articles.json?is_stub=0&_size=10&_sort_desc=id", "table"),
        ("table html", f"/{DATABASE}/articles?_size=20", None),
        ("table search json", f"/{DATABASE}/articles.json?_search={query}", f"ts {query}"),
        ("table search html", f"/{DATABASE}/articles?_search={query}", None),
        ("search json", f"/-/search.json?q={query}", f"s {query}"),
        ("search json (db)", f"/{DATABASE}/-/search.json?q={query}&has_zh=1", f"sz {query}"),
        ("search page", f"/-/search?q={query}", None),
    ]
    if ids:
        rounds.append(("article page", f"/{DATABASE}/articles/{rng.choice(ids[-200:])}", None))
    return rounds


def check(kind: str, response: httpx.Response) -> tuple[str | None, int | None]:
    """The problem with a response (None: right), and the number it reports, if any."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:200]!r}", None
    if kind.endswith("json") or kind.endswith("(db)"):
        problem = _json_problem(response)
        data = response.json()
        number = data.get("total", data.get("filtered_table_rows_count"))
        return problem, number
    text = response.text
    if kind == "database page":
        found = _ARTICLES_NUMBER.search(text)
        if not found or "lb-chart-svg" not in text:
            return "no chart or corpus count on the database page", None
        return None, int(found[1].replace(",", ""))
    if kind == "article page" and 'class="lb-article"' not in text:
        return "not the article page", None
    if kind == "search page" and "lb-search" not in text:
        return "not the search page", None
    return None, None


def poll(base: str, stop: threading.Event, seen: Observations, seed: int) -> None:
    rng = random.Random(seed)
    last: dict[str, int] = {}
    with httpx.Client(base_url=base, timeout=30, follow_redirects=True) as client:
        while not stop.is_set():
            for kind, path, key in _requests(rng, seen.article_ids):
                start = time.perf_counter()
                try:
                    response = client.get(path)
                    problem, number = check(kind, response)
                except (httpx.HTTPError, ValueError) as error:
                    problem, number, response = f"{type(error).__name__}: {error}", None, None
                elapsed = (time.perf_counter() - start) * 1000
                seen.requests.append((kind, elapsed, problem and f"{path}: {problem}"))
                if key and number is not None:
                    if number < last.get(key, 0):
                        seen.decreases.append(f"{path}: {last[key]} -> {number}")
                    last[key] = number
                if kind == "table json" and response is not None and not problem:
                    seen.article_ids.extend(row[0] for row in response.json()["rows"])


def watch_served_count(base: str, stop: threading.Event, seen: Observations) -> None:
    path = f"/{DATABASE}/articles.json?is_stub=0&deleted=0&_size=1&_nofacet=1"  # the count alone
    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            try:
                response = client.get(path)
                if response.status_code == 200:
                    count = response.json()["filtered_table_rows_count"]
                    seen.served_counts.append((time.monotonic(), count))
                else:
                    seen.requests.append(("count", 0.0, f"{path}: HTTP {response.status_code}"))
            except (httpx.HTTPError, ValueError) as error:
                seen.requests.append(("count", 0.0, f"{path}: {error}"))
            time.sleep(0.1)


def watch_commits(db: Path, stop: threading.Event, seen: Observations) -> None:
    """The count of corpus articles in the file, noted each time a commit changes it."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    last = -1
    try:
        while not stop.is_set():
            count = conn.execute(CORPUS_COUNT).fetchone()[0]
            if count != last:
                seen.committed_counts.append((time.monotonic(), count))
                last = count
            time.sleep(0.02)
    finally:
        conn.close()


# --- the run ------------------------------------------------------------------------------


def write_topics(folder: Path) -> Path:
    topics = folder / "topics.yml"
    topics.write_text(
        "topics:\n  balint:\n    query: balint NOT syndrome\n"
        "  peer_support:\n    query: peer support\n",
        encoding="utf-8",
    )
    return topics


def harvest_into(db: Path, folder: Path, records: int) -> str:
    """A full harvest of `records` fake PubMed records into db; returns its output."""
    from tests.support.fake_eutils import FakeEutils
    from tests.support.synthetic.records import make_records

    env = {**os.environ, "NCBI_EMAIL": "check@example.org"}
    world = make_records(records, real_links=True)  # PubMed's link counts, NCBI's limits
    with FakeEutils(world, rate_limit=None, idle_timeout=600, ncbi=True) as fake:
        args = ("harvest", "--db", db, "--full", "-q", "--topics", write_topics(folder))
        done = litbalint(*args, "--eutils-url", fake.url, env=env, nice=WRITER_NICE)
    if done.returncode != 0:
        raise RuntimeError(f"harvest failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout.strip() or done.stderr.strip()


def run(
    folder: Path,
    records: int,
    batches: int,
    chinese_share: float = 0.1,
    harvest: int = 0,
    pollers: int = 3,
    mode: str = "mutable",
) -> dict:
    """The whole check in `folder`; returns what was seen and the writers' timings."""
    per_file = max(1, -(-records // batches))
    generate(records, folder / "synthetic", chinese_share=chinese_share, per_file=per_file)
    files = sorted((folder / "synthetic" / "pubmed").glob("*.xml"))
    db = folder / f"{DATABASE}.db"
    first = litbalint("import", files[0], "--db", db, "-q")
    if first.returncode != 0:
        raise RuntimeError(f"first import failed: {first.stderr[-2000:]}")
    server, base = start_server(db, folder / "serve.log", mode)
    seen, stop = Observations(), threading.Event()
    threads = [
        threading.Thread(target=poll, args=(base, stop, seen, n), daemon=True)
        for n in range(pollers)
    ]
    threads.append(threading.Thread(target=watch_served_count, args=(base, stop, seen)))
    threads.append(threading.Thread(target=watch_commits, args=(db, stop, seen)))
    timings: dict[str, float] = {}
    try:
        for thread in threads:
            thread.start()
        time.sleep(0.5)  # a few rounds before any write
        start = time.perf_counter()
        rest = [*files[1:], *sorted((folder / "synthetic" / "zh").iterdir())]
        done = litbalint("import", *rest, "--db", db, "-q", nice=WRITER_NICE)
        if done.returncode != 0:
            raise RuntimeError(f"import failed: {done.stderr[-2000:]}")
        timings["import"] = time.perf_counter() - start
        if harvest:
            start = time.perf_counter()
            harvest_into(db, folder, harvest)
            timings["harvest"] = time.perf_counter() - start
        settle = time.monotonic() + MAX_LAG_SECONDS
        while time.monotonic() < settle:  # until the server shows the last commit
            served, committed = seen.served_counts, seen.committed_counts
            if served and committed and served[-1][1] >= committed[-1][1]:
                break
            time.sleep(0.1)
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        stop_server(server)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        final = conn.execute(CORPUS_COUNT).fetchone()[0]
    return {"seen": seen, "timings": timings, "final_count": final}


def report(result: dict) -> int:
    seen: Observations = result["seen"]
    kinds = sorted({kind for kind, _, _ in seen.requests})
    print(f"{'kind':<20} {'n':>6} {'errors':>7} {'p50':>8} {'p95':>8} {'max':>8}  (ms)")
    for kind in kinds:
        times = sorted(ms for k, ms, _ in seen.requests if k == kind)
        errors = sum(1 for k, _, error in seen.requests if k == kind and error)
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(
            f"{kind:<20} {len(times):6d} {errors:7d} {statistics.median(times):8.1f} "
            f"{p95:8.1f} {times[-1]:8.1f}"
        )
    lags = seen.lags()
    errors = seen.errors()
    print(
        f"requests {len(seen.requests)}, errors {len(errors)}, counts that went down "
        f"{len(seen.decreases)}; corpus articles {result['final_count']:,}; "
        f"writers: {', '.join(f'{k} {v:.1f} s' for k, v in result['timings'].items())}"
    )
    if lags:
        print(
            f"commits seen in the file: {len(lags)}; shown by the server after "
            f"median {statistics.median(lags):.2f} s, max {max(lags):.2f} s"
        )
    for line in (errors + seen.decreases)[:20]:
        print(f"  {line}")
    bad = errors or seen.decreases or not lags or max(lags) > MAX_LAG_SECONDS
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--chinese-share", type=float, default=0.1)
    parser.add_argument("--harvest", type=int, default=0, help="then harvest N fake records")
    parser.add_argument("--pollers", type=int, default=3)
    parser.add_argument(
        "--immutable",
        action="store_true",
        help="serve the file --immutable, to see what this checks fail (it must not be written)",
    )
    parser.add_argument("--keep", type=Path, default=None, help="work in DIR and keep it")
    args = parser.parse_args()
    mode = "immutable" if args.immutable else "mutable"
    sizes = (args.records, args.batches, args.chinese_share, args.harvest, args.pollers, mode)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        return report(run(args.keep, *sizes))
    with tempfile.TemporaryDirectory(prefix="litbalint-serve-check-") as folder:
        return report(run(Path(folder), *sizes))


if __name__ == "__main__":
    sys.exit(main())
