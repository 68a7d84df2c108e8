"""Hostile requests against a real `litbalint serve`: the other pages must stay fast.

    python -m scripts.check_hostile_requests [--db FILE] [--port 8720] [--seconds 8]
        [--limit-ms 100]

Serves --db (default: the bundled seeds, built and embedded by `litbalint build` in a
temporary folder) on 127.0.0.1:--port, then for
--seconds keeps three hostile clients busy, each sending one kind of request again and again:

- `?sql=` with `escape_fts` and `litbalint_search` of 2 million CJK characters (built in SQL);
- `/-/search.json?q=` with 90 KB of Chinese (what uvicorn accepts in a URL);
- `/-/search?q=` with 2 million characters (the server may refuse the URL: 400 is fine).

Meanwhile a prober asks for `/-/versions.json` and an article page every 50 ms (first for
--seconds / 2 alone, for comparison). Prints each hostile kind's count, statuses and
latencies, and the probes' p50 / p95 / max. Exit 1 when a
`/-/versions.json`'s max passes --limit-ms (issue 14's measure: the article page, whose
rendering needs the two busy cores, is reported) or a hostile request answered 500.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote, urlencode

from tests.support.paths import ROOT

TWO_MILLION_SQL = "replace(hex(zeroblob(1000000)), '00', '巴林')"  # 2,000,000 CJK characters
CHINESE = "巴林特小组对住院医师职业倦怠的影响研究"
LIMITED_PROBE = "/-/versions.json"  # what must stay under --limit-ms


def hostile_paths(database: str) -> dict[str, str]:
    sql = f"select length(escape_fts({TWO_MILLION_SQL})), litbalint_search({TWO_MILLION_SQL})"
    kilobytes_90 = CHINESE * (90_000 // (9 * len(CHINESE)))  # 9 bytes a character, encoded
    return {
        "sql escape_fts+litbalint_search 2M": f"/{database}.json?" + urlencode({"sql": sql}),
        "search.json 90 KB": "/-/search.json?q=" + quote(kilobytes_90),
        "search 2M chars": "/-/search?q=" + quote(CHINESE * (2_000_000 // len(CHINESE))),
    }


def fetch(port: int, path: str, timeout: float = 120) -> tuple[int, float]:
    """Status and seconds of one GET (http.client: no limit on the URL's length)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        status = 0  # the server closed the connection: it refused the request
    finally:
        connection.close()
    return status, time.perf_counter() - started


def build(folder: Path) -> Path:
    db = folder / "corpus.db"
    empty = folder / "data"
    empty.mkdir()
    command = [sys.executable, "-m", "litbalint", "build", "--db", db, "--data", empty, "-q"]
    subprocess.run(list(map(str, command)), check=True, cwd=ROOT, capture_output=True)
    return db


def serve(db: Path, port: int, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "litbalint", "serve", "--db", str(db), "--port", str(port)]
    command += ["--cache-mb", "0"]  # every hostile request computed, as a varied one would be
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"litbalint serve exited: {log.read_text()[-2000:]}")
        if fetch(port, "/-/versions.json", timeout=2)[0] == 200:
            return server
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("litbalint serve did not answer within 60 s")


def measure(
    port: int, database: str, seconds: float, hostile_clients: bool = True
) -> tuple[dict, dict]:
    """Hostile results by kind [(status, seconds)], probe latencies by path [seconds]
    (`hostile_clients=False`: the probes alone, for comparison)."""
    probes: dict[str, list[float]] = defaultdict(list)
    stop = time.time() + seconds
    kinds = list(hostile_paths(database).items()) if hostile_clients else []
    # each attacker in its own process: the probes' times are the server's, not this
    # process's (sending 18 MB holds a Python process's GIL)
    pool = multiprocessing.Pool(len(kinds)) if kinds else None
    attacks = [pool.apply_async(attack, (port, path, stop)) for _, path in kinds] if pool else []
    time.sleep(0.5)  # the attacks are under way
    article = f"/{database}/articles/1"
    while time.time() < stop:
        for path in (LIMITED_PROBE, article):
            status, took = fetch(port, path, timeout=60)
            probes[path].append(took if status == 200 else float("inf"))
        time.sleep(0.05)
    hostile = {kind: result.get() for (kind, _), result in zip(kinds, attacks, strict=True)}
    if pool:
        pool.close()
    return hostile, probes


def attack(port: int, path: str, stop: float) -> list[tuple[int, float]]:
    """One hostile client: the same request again and again until `stop` (time.time())."""
    results = []
    while time.time() < stop:
        results.append(fetch(port, path))
    return results


def report(hostile: dict, probes: dict, limit_ms: float) -> bool:
    def ms(value: float) -> str:
        return f"{value * 1000:.0f} ms"

    for kind, results in hostile.items():
        statuses = Counter(status for status, _ in results)
        times = [took for _, took in results]
        print(
            f"hostile {kind}: {len(results)} requests, statuses {dict(statuses)}, "
            f"median {ms(statistics.median(times))}, max {ms(max(times))}"
        )
    fast = all(500 not in {status for status, _ in results} for results in hostile.values())
    for path, times in probes.items():
        ordered = sorted(times)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        print(
            f"probe {path}: {len(times)} requests, p50 {ms(statistics.median(times))}, "
            f"p95 {ms(p95)}, max {ms(max(times))}"
        )
        if path == LIMITED_PROBE:
            fast = fast and max(times) * 1000 < limit_ms
    return fast


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="corpus to serve (default: the seeds, built)")
    parser.add_argument("--port", type=int, default=8720)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--limit-ms", type=float, default=100.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hostile-") as temporary:
        folder = Path(temporary)
        db = args.db or build(folder)
        server = serve(db, args.port, folder / "server.log")
        try:
            fetch(args.port, f"/{db.stem}/articles/1")  # the first article page warms up
            _, quiet = measure(args.port, db.stem, args.seconds / 2, hostile_clients=False)
            hostile, probes = measure(args.port, db.stem, args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print("without hostile requests:")
    report({}, quiet, args.limit_ms)
    print("with three hostile clients:")
    ok = report(hostile, probes, args.limit_ms)
    print("ok" if ok else f"FAILED: {LIMITED_PROBE} took {args.limit_ms:.0f} ms or more, or a 500")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
