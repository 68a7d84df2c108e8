"""Load benchmark: `litbalint serve` under concurrent client *processes*, one configuration
after another on the same corpus.

    python -m scripts.bench_load [--db FILE] [--clients 20] [--seconds 30] [--warmup 5]
                                 [--port N] [--config SPEC ...]

Each SPEC is a server configuration, `key=value` pairs joined by commas: `workers=N` (server
processes, `litbalint serve --workers`), `threads=N` (Datasette's `num_sql_threads`, default 3),
`mode=mutable|immutable` (default mutable, the file in WAL mode as the store leaves it;
immutable: journal DELETE, a published snapshot), `ttl=N` (Datasette's `default_cache_ttl`:
the `Cache-Control: max-age` of its pages; the clients here do not cache, so it changes what
browsers and proxies may keep, not these numbers). The first SPEC is the anchor; default:
`workers=1` (the single Datasette process `serve` ran before `--workers`) and `workers=2`.

For each: the server is started on a copy of the 100,000-article corpus of
scripts/bench_publish.py (the copy's journal mode is switched per mode; the cached file is not
touched), `--clients` processes (multiprocessing, each its own requests.Session) send requests
of the kinds bench_publish.py mixes (KINDS, make_urls) as fast as answered for `--warmup` s
(not counted) and then `--seconds` s. Printed: requests/s, errors, p50 / p95 per kind and over
all, the server's CPU (all its processes) and memory (Pss summed: pages forked workers share
count once), and the targets (0 errors, >= 60 requests/s, p95 <= 500 ms) met or not.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from scripts.bench_publish import KINDS, make_urls, pct
from scripts.bench_util import (
    ROOT,
    python,
    table,
    target_line,
    tree_cpu_seconds,
    tree_memory_kb,
    tree_pids,
)
from tests.support.serving import free_port, stop_server, wait_ready

CORPUS = Path("/tmp/litbalint-bench-publish-zipf-100000-1-plain/litbalint.db")
COPY = Path("/tmp/litbalint-bench-load") / "litbalint.db"  # the stem is metadata.yml's name
DEFAULT_CONFIGS = ("workers=1,cache=0", "workers=2,cache=0", "workers=1", "workers=2")
TARGET_RPS, TARGET_P95_MS = 60.0, 500.0


@dataclass(frozen=True)
class Config:
    """One way of serving the corpus."""

    workers: int = 1
    threads: int | None = None  # Datasette's num_sql_threads (None: its default, 3)
    mode: str = "mutable"
    ttl: int | None = None  # Datasette's default_cache_ttl (None: its default, 5)
    cache: int | None = None  # serve --cache-mb (None: its default)

    @classmethod
    def parse(cls, spec: str) -> Config:
        values: dict[str, object] = {}
        for pair in filter(None, spec.split(",")):
            key, _, value = pair.partition("=")
            if key == "mode" and value in ("mutable", "immutable"):
                values[key] = value
            elif key in ("workers", "threads", "ttl", "cache") and value.isdigit():
                values[key] = int(value)
            else:
                raise SystemExit(
                    f"--config {spec}: {pair!r} is not workers=N, threads=N, "
                    "mode=mutable|immutable, ttl=N or cache=N"
                )
        return cls(**values)  # type: ignore[arg-type]

    @property
    def name(self) -> str:
        parts = [f"workers={self.workers}"]
        parts += [f"threads={self.threads}"] if self.threads is not None else []
        parts += [f"mode={self.mode}"] if self.mode != "mutable" else []
        parts += [f"ttl={self.ttl}"] if self.ttl is not None else []
        parts += [f"cache={self.cache}"] if self.cache is not None else []
        return ",".join(parts)

    def command(self, db: Path, port: int) -> list[str]:
        command = [sys.executable, "-m", "litbalint", "serve", "--db", str(db)]
        command += ["--port", str(port), f"--{self.mode}"]
        command += ["--workers", str(self.workers)] if self.workers != 1 else []
        command += ["--cache-mb", str(self.cache)] if self.cache is not None else []
        for name, value in (("num_sql_threads", self.threads), ("default_cache_ttl", self.ttl)):
            command += ["--setting", name, str(value)] if value is not None else []
        return command


@dataclass
class Result:
    """One configuration under load."""

    config: Config
    seconds: float
    requests: list[tuple[str, float, int, bool]]  # kind, ms, status (0: none), from memory
    cpu_seconds: list[float]  # per server process, the main one first
    memory_mb: float
    processes: int
    start_s: float
    headers: dict[str, str] = field(default_factory=dict)  # kind -> Cache-Control

    @property
    def errors(self) -> int:
        return sum(status != 200 for _, _, status, _ in self.requests)

    @property
    def rate(self) -> float:
        return len(self.requests) / self.seconds

    def times(self, kind: str = "all") -> list[float]:
        return [ms for k, ms, _, _ in self.requests if kind in (k, "all")]

    def hits(self, kind: str = "all") -> str:
        found = [hit for k, _, _, hit in self.requests if kind in (k, "all")]
        return f"{sum(found) / len(found):.0%}" if found else "-"


def client(base: str, ids: list[int], seed: int, start: float, stop: float, out) -> None:
    """One client process: requests until `stop`, the ones begun after `start` counted."""
    rng = random.Random(seed)
    session = requests.Session()
    mine = []
    while (now := time.time()) < stop:
        kind = rng.choice(KINDS)
        url = base + make_urls(rng, ids, kind, 1)[0]
        began = time.perf_counter()
        try:
            response = session.get(url, timeout=30)
            status = response.status_code if response.content else 0
            hit = "x-litbalint-cache" in response.headers
        except requests.RequestException:
            status, hit = 0, False
        if now >= start:
            mine.append((kind, (time.perf_counter() - began) * 1000, status, hit))
    out.put(mine)


def prepare(source: Path, mode: str) -> Path:
    """The corpus's copy, in WAL mode for a file being written, DELETE for a snapshot."""
    if not COPY.exists() or COPY.stat().st_size < source.stat().st_size:
        COPY.parent.mkdir(exist_ok=True)
        shutil.copyfile(source, COPY.with_suffix(".tmp"))
        COPY.with_suffix(".tmp").replace(COPY)
    with sqlite3.connect(COPY) as conn:
        conn.execute(f"PRAGMA journal_mode = {'DELETE' if mode == 'immutable' else 'WAL'}")
    return COPY


def cache_headers(base: str, ids: list[int]) -> dict[str, str]:
    """What each kind answers in Cache-Control (what a browser or proxy may keep)."""
    rng, session, found = random.Random(0), requests.Session(), {}
    for kind in KINDS:
        response = session.get(base + make_urls(rng, ids, kind, 1)[0], timeout=30)
        found[kind] = response.headers.get("cache-control", "none")
    return found


def measure(config: Config, source: Path, ids: list[int], args) -> Result:
    db = prepare(source, config.mode)
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    log = (COPY.parent / "serve.log").open("ab")
    began = time.perf_counter()
    server = subprocess.Popen(config.command(db, port), stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(base, server)
        start_s = time.perf_counter() - began
        headers = cache_headers(base, ids)
        queue: multiprocessing.Queue = multiprocessing.Queue()
        start = time.time() + 1 + args.warmup  # the clients start within the first second
        stop = start + args.seconds
        clients = [
            multiprocessing.Process(target=client, args=(base, ids, n, start, stop, queue))
            for n in range(args.clients)
        ]
        for process in clients:
            process.start()
        time.sleep(max(0.0, start - time.time()))
        cpu_before = tree_cpu_seconds(server.pid)
        time.sleep(max(0.0, stop - time.time()))
        cpu_after = tree_cpu_seconds(server.pid)
        cpu = [after - cpu_before.get(pid, 0.0) for pid, after in cpu_after.items()]
        memory_mb = tree_memory_kb(server.pid) / 1024
        processes = len(tree_pids(server.pid))
        done = [queue.get(timeout=args.seconds + 60) for _ in clients]
        for process in clients:
            process.join()
    finally:
        stop_server(server)
        log.close()
    found = [request for mine in done for request in mine]
    return Result(config, args.seconds, found, cpu, memory_mb, processes, start_s, headers)


def render(results: list[Result], clients: int, seconds: float) -> str:
    """Targets, then one table of all configurations (ratios to the first) and per kind."""
    anchor = results[0]
    lines = []
    for result in results:
        p95 = pct(result.times(), 0.95)
        met = result.errors == 0 and result.rate >= TARGET_RPS and p95 <= TARGET_P95_MS
        lines.append(
            target_line(
                f"load: {clients} client processes, {seconds:.0f} s, `serve` {result.config.name}",
                f"{result.rate:.1f} requests/s, p95 {p95:.0f} ms, {result.errors} errors",
                f"{anchor.config.name}: {anchor.rate:.1f} requests/s, "
                f"p95 {pct(anchor.times(), 0.95):.0f} ms",
                f"{result.rate / anchor.rate:.2f}x requests/s",
                f"0 errors, >= {TARGET_RPS:.0f} requests/s, p95 <= {TARGET_P95_MS:.0f} ms",
                met,
            )
        )
    rows = []
    for r in results:
        cores = f"{sum(r.cpu_seconds) / r.seconds:.2f}"
        if len(r.cpu_seconds) > 1:
            cores += " (" + " + ".join(f"{c / r.seconds:.2f}" for c in r.cpu_seconds) + ")"
        rows.append(
            [
                r.config.name,
                r.rate,
                f"{r.rate / anchor.rate:.2f}x",
                r.errors,
                statistics.median(r.times()),
                pct(r.times(), 0.95),
                cores,
                f"{sum(r.cpu_seconds) * 1000 / len(r.requests):.1f}",
                r.processes,
                r.memory_mb,
                r.start_s,
            ]
        )
    headers = [
        "serve",
        "requests/s",
        "vs anchor",
        "errors",
        "p50 ms",
        "p95 ms",
        "server CPU, cores (per process)",
        "CPU ms a request",
        "processes",
        "memory MB (Pss)",
        "start s",
    ]
    kinds = [
        [kind]
        + [
            f"{statistics.median(r.times(kind)):.0f} / {pct(r.times(kind), 0.95):.0f} "
            f"({r.hits(kind)})"
            for r in results
        ]
        for kind in (*KINDS, "all")
    ]
    statuses = sorted({s for r in results for _, _, s, _ in r.requests if s != 200})
    return "\n".join(
        [
            *lines,
            f"{clients} client processes (each its own requests.Session, no HTTP cache) for "
            f"{seconds:.0f} s after a warm-up, mixing {', '.join(KINDS)} at random; 100,000 "
            f"synthetic articles; {os.cpu_count()} CPUs shared by server and clients. "
            f"Anchor: the first row.",
            "",
            table(headers, rows),
            "",
            "p50 / p95 ms per kind (share answered from the response cache):",
            "",
            table(["kind", *(r.config.name for r in results)], kinds),
            "",
            "Cache-Control per kind (first configuration): "
            + ", ".join(f"{k}: `{v}`" for k, v in results[0].headers.items())
            + (f". Non-200 statuses: {statuses}" if statuses else ""),
        ]
    )


def corpus_ids(db: Path) -> list[int]:
    if not db.exists():
        raise SystemExit(
            f"{db}: not found; build it: python -m scripts.bench_publish --no-align --only-build"
        )
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM articles WHERE is_stub = 0")]


def run(configs: list[str], args) -> str:
    source = args.db
    ids = corpus_ids(source)
    results = []
    for spec in configs:
        config = Config.parse(spec)
        print(f"serving with {config.name} ...", flush=True)
        results.append(measure(config, source, ids, args))
        print(f"  {results[-1].rate:.1f} requests/s, {results[-1].errors} errors", flush=True)
    return render(results, args.clients, args.seconds)


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parse.add_argument("--db", type=Path, default=CORPUS, help="corpus (copied, not written)")
    parse.add_argument("--clients", type=int, default=20)
    parse.add_argument("--seconds", type=float, default=30.0)
    parse.add_argument("--warmup", type=float, default=5.0, help="seconds of load not counted")
    parse.add_argument("--port", type=int, default=0, help="default: a free one")
    parse.add_argument("--config", action="append", default=[], help="e.g. workers=2,threads=4")
    return parse


def report() -> str:
    """The default run (bench.py load and all); builds the corpus when it is not cached."""
    args = parser().parse_args([])
    if not args.db.exists():
        build = ["--articles", "100000", "--seed", "1", "--no-align", "--only-build"]
        subprocess.run(python("bench_publish", *build), check=True, cwd=ROOT)
    return run(list(DEFAULT_CONFIGS), args)


def main() -> int:
    args = parser().parse_args()
    print(run(args.config or list(DEFAULT_CONFIGS), args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
