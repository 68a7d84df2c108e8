"""Publishing benchmark: Datasette (`litbalint serve`) on a synthetic corpus, over HTTP.

    python -m scripts.bench_publish [--articles 100000] [--seed 1] [--rebuild] [--no-align]
                                    [--mode mutable|immutable|compare] [--only-build] [--no-load]
                                    [--port N] [--corpus DIR/litbalint.db]
                                    [--against CHECKOUT [--against-corpus DB]]

Builds (or reuses, cached under /tmp by size and seed) a synthetic corpus of PubMed-like
articles, 10% with a Chinese abstract (aligned unless --no-align), starts `litbalint serve` on a
free port of 127.0.0.1 and prints: p50 / p95 / max of sequential English and Chinese JSON table
searches (ranked), of the search page's JSON, of the readers' results page (`/<db>/-/search`,
HTML, where the home page's search box leads), of the table page's search box (redirected to
that page), of the researchers' ranked table page (the view `article_search`, HTML with its
facets), of article pages and of the database page with its chart, each against its target
(`TARGETS_MS`: 50 ms for the JSON table searches, 150 ms for the readers' page); per query
with its share of the corpus (the bundled queries, and words picked from the index at run time
that are in about half, nine tenths and all of the articles, in English and among the Chinese
articles); then
20 concurrent clients for 30 s mixing the kinds: requests/s, errors (target: 0), p95 under load
(not with --no-load).
`--mode` is how `litbalint serve` opens the file: `mutable` (its default: the file may be
written while served; the file is switched to WAL first, as the store leaves it) or `immutable`
(a published snapshot that never changes); `compare` serves the file both ways at once and sends
every request of the sequential run to one server, then the same to the other, so both see the
same load from whatever else runs on the machine. `--against CHECKOUT` does the same with
another checkout's code (e.g. the main branch, serving `--against-corpus`, a copy of the corpus
at its schema): this run's p95 as a multiple of the other's, per kind.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import requests

from litbalint.publish.corpus import schema_version
from litbalint.publish.fts_query import escape_fts
from litbalint.store import SCHEMA_VERSION, Store
from litbalint.zh import has_cjk
from scripts.bench_publish_corpus import build
from scripts.bench_util import target_line
from tests.support.serving import free_port, stop_server, wait_ready

EN_QUERIES = (
    "balint peer burnout resident empathy nurse physician support group groups resilience "
    "reflection training communication wellbeing stress compassion mentoring supervision"
).split() + ["peer support", "balint group", "medical students", "primary care"]
ZH_QUERIES = [
    "巴林特小组",
    "同伴支持",
    "住院医师职业倦怠",
    "全科医生",
    "职业倦怠",
    "医学生",
    "共情",
    "护士 同伴支持",
]


TABLE_SEARCH = "/litbalint/articles.json?_shape=array&_size=20&_search="
SEARCH_PAGE = "/-/search.json?q="
READERS_PAGE = "/litbalint/-/search?q="  # the readers' results page (HTML)
TABLE_PAGE = "/litbalint/article_search?_sort=rank&_search="  # researchers' ranked table (HTML)
SHARES = (0.5, 0.9, 1.0)  # of the articles (English) or the Chinese articles a picked word is in


@dataclass
class Queries:
    """What the searches ask: the bundled queries and, at run time, common words."""

    en: list[str] = field(default_factory=lambda: list(EN_QUERIES))
    zh: list[str] = field(default_factory=lambda: list(ZH_QUERIES))


def common_words(db: Path) -> tuple[list[str], list[str]]:
    """Index words in about SHARES of the articles (English, 5+ letters) and of the articles
    with Chinese (2+ characters), by document frequency in the index (fts5vocab)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, articles_fts, 'row')")
        rows = conn.execute("SELECT term, doc FROM temp.vocab WHERE doc >= 100").fetchall()
        total = conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
        with_zh = conn.execute("SELECT count(*) FROM articles WHERE has_zh").fetchone()[0]
    english = [(t, n / total) for t, n in rows if t.isascii() and t.isalpha() and len(t) >= 5]
    chinese = [(t, n / max(with_zh, 1)) for t, n in rows if len(t) >= 2 and has_cjk(t)]

    def nearest(words: list[tuple[str, float]]) -> list[str]:
        picked = [min(words, key=lambda w: abs(w[1] - share))[0] for share in SHARES if words]
        return list(dict.fromkeys(picked))

    return nearest(english), nearest(chinese)


def make_urls(
    rng: random.Random, ids: list[int], kind: str, count: int, queries: Queries | None = None
) -> list[str]:
    """Table searches go to /articles.json?_search= as users type them: the plugin redirects
    them to the ranked view (the redirect is part of the time measured)."""
    asked = queries or Queries()
    if kind == "search_en":
        return [TABLE_SEARCH + quote(rng.choice(asked.en)) for _ in range(count)]
    if kind == "search_zh":
        return [TABLE_SEARCH + quote(rng.choice(asked.zh)) for _ in range(count)]
    both = asked.en + asked.zh
    if kind == "ranked":
        return [SEARCH_PAGE + quote(rng.choice(both)) for _ in range(count)]
    if kind == "html":  # the table page's search box: redirected to the readers' page
        return ["/litbalint/articles?_search=" + quote(rng.choice(both)) for _ in range(count)]
    if kind == "readers":
        return [READERS_PAGE + quote(rng.choice(both)) for _ in range(count)]
    if kind == "table_html":
        return [TABLE_PAGE + quote(rng.choice(both)) for _ in range(count)]
    if kind == "database":
        return ["/litbalint" for _ in range(count)]
    return [f"/litbalint/articles/{rng.choice(ids)}" for _ in range(count)]


KINDS = ("search_en", "search_zh", "ranked", "html", "article", "database")  # the load's mix
SEQUENTIAL = ("search_en", "search_zh", "ranked", "readers", "html", "table_html", "article",
              "database")  # fmt: skip
ANCHOR = "/-/versions.json"
TARGETS_MS = {"search_en": 50.0, "search_zh": 50.0, "readers": 150.0, "html": 150.0}
TARGET_NAMES = {
    "search_en": "English table search (`articles.json?_search=`)",
    "search_zh": "Chinese table search",
    "readers": "the readers' results page (`/<db>/-/search`, HTML)",
    "html": "the table page's search box (redirected to the readers' page)",
}


def timed_get(session: requests.Session, url: str) -> tuple[float, bool]:
    start = time.perf_counter()
    try:
        response = session.get(url, timeout=30)
        ok = response.status_code == 200 and bool(response.content)
    except requests.RequestException:
        ok = False
    return (time.perf_counter() - start) * 1000, ok


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def latency(
    base: str, ids: list[int], rng: random.Random, count: int, queries: Queries, articles: int
) -> None:
    """p50/p95 per kind against its target; after every request the anchor (ANCHOR: Datasette's
    least work, the machine's noise) is timed too, and each kind's p50 is given as a multiple
    of the anchor's p50 measured beside it."""
    session = requests.Session()
    for url in make_urls(rng, ids, "search_en", 5) + make_urls(rng, ids, "article", 5):
        timed_get(session, base + url)  # warm up
    print(f"\nSequential latency ({count} requests per kind), ms; anchor: {ANCHOR} after each:")
    header = f"{'kind':<10} {'p50':>8} {'p95':>8} {'max':>8} {'errors':>7} {'target':>7} {'met':>4}"
    print(f"{header} {'anchor p50':>11} {'ratio':>6}")
    targets = []
    for kind in SEQUENTIAL:
        times, anchor, errors = [], [], 0
        for url in make_urls(rng, ids, kind, count, queries):
            elapsed, ok = timed_get(session, base + url)
            times.append(elapsed)
            errors += not ok
            anchor.append(timed_get(session, base + ANCHOR)[0])
        p50, p95, anchor_p50 = statistics.median(times), pct(times, 0.95), statistics.median(anchor)
        target = TARGETS_MS.get(kind)
        met = "" if target is None else ("yes" if p95 <= target else "NO")
        print(
            f"{kind:<10} {p50:8.1f} {p95:8.1f} {max(times):8.1f} {errors:7d} {target or '':>7} "
            f"{met:>4} {anchor_p50:11.1f} {p50 / anchor_p50:5.1f}x"
        )
        if target is not None:
            anchor_p95 = pct(anchor, 0.95)
            targets.append(
                target_line(
                    f"search at {articles:,} articles, sequential: {TARGET_NAMES[kind]}",
                    f"p50 {p50:.0f} ms, p95 {p95:.0f} ms ({count} requests, {errors} errors)",
                    f"`{ANCHOR}` after each: p95 {anchor_p95:.0f} ms",
                    f"{p95 / anchor_p95:.1f}x",
                    f"p95 <= {target:.0f} ms",
                    p95 <= target and not errors,
                )
            )
    print("\n".join(targets))


def compare(
    bases: dict[str, str],
    ids: list[int],
    rng: random.Random,
    count: int,
    kinds: tuple[str, ...] = KINDS,
    queries: Queries | None = None,
) -> None:
    """Each request to every server in turn: p50 / p95 per kind and server, same conditions
    (with two servers, the first's p95 as a multiple of the second's)."""
    session = requests.Session()
    for base in bases.values():
        for url in make_urls(rng, ids, "search_en", 5) + make_urls(rng, ids, "database", 3):
            timed_get(session, base + url)  # warm up
    print(f"\nSequential latency, each request to each server in turn ({count} per kind), ms:")
    ratio = f" {'p95 ratio':>9}" if len(bases) == 2 else ""
    cells = " ".join(f"{mode + ' p50':>15} {mode + ' p95':>15}" for mode in bases)
    print(f"{'kind':<10} {cells}{ratio}")
    for kind in kinds:
        times: dict[str, list[float]] = {mode: [] for mode in bases}
        errors = 0
        for url in make_urls(rng, ids, kind, count, queries):
            for mode, base in bases.items():
                elapsed, ok = timed_get(session, base + url)
                times[mode].append(elapsed)
                errors += not ok
        cells = " ".join(
            f"{statistics.median(t):15.1f} {pct(t, 0.95):15.1f}" for t in times.values()
        )
        if ratio:
            first, second = (pct(t, 0.95) for t in times.values())
            cells += f" {first / second:8.2f}x"
        print(f"{kind:<10} {cells}" + (f"  errors {errors}" if errors else ""))


def by_query(base: str, db: Path, queries: Queries, rounds: int = 5) -> None:
    """Time per query against the share of the corpus its words are in (the index's matches:
    what an unbounded ranking would score): table search (target 50 ms), readers' page (150)."""
    session = requests.Session()
    print(f"\nBy query (median of {rounds}), ms:")
    print(f"{'query':<18} {'matches':>7} {'share':>6} {'table search':>13} {'readers page':>13}")
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        corpus = conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
        count = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?"
        matches = {q: conn.execute(count, [escape_fts(q)]).fetchone()[0] for q in queries.en}
        matches.update({q: conn.execute(count, [escape_fts(q)]).fetchone()[0] for q in queries.zh})
    for query, hits in matches.items():
        table = [timed_get(session, base + TABLE_SEARCH + quote(query))[0] for _ in range(rounds)]
        page = [timed_get(session, base + READERS_PAGE + quote(query))[0] for _ in range(rounds)]
        print(
            f"{query:<18} {hits:7d} {hits / corpus:6.0%} {statistics.median(table):13.1f} "
            f"{statistics.median(page):13.1f}"
        )


def load(base: str, ids: list[int], seed: int, clients: int, seconds: float) -> None:
    results: list[tuple[str, float, bool]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        session = requests.Session()
        mine = []
        while time.monotonic() < deadline:
            kind = rng.choice(KINDS)
            elapsed, ok = timed_get(session, base + make_urls(rng, ids, kind, 1)[0])
            mine.append((kind, elapsed, ok))
        with lock:
            results.extend(mine)

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    wall = time.perf_counter() - start
    errors = sum(not ok for _, _, ok in results)
    print(
        f"\nLoad: {clients} clients, {wall:.1f} s: {len(results)} requests, "
        f"{len(results) / wall:.1f} requests/s, {errors} errors"
    )
    print(f"{'kind':<10} {'n':>6} {'p50':>8} {'p95':>8} {'max':>8}")
    for kind in (*KINDS, "all"):
        times = [t for k, t, _ in results if kind in (k, "all")]
        if times:
            print(
                f"{kind:<10} {len(times):6d} {statistics.median(times):8.1f} "
                f"{pct(times, 0.95):8.1f} {max(times):8.1f}"
            )


def upgrade(db: Path) -> None:
    """A corpus cached by an older litbalint brought to this schema (the table search's view)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        found = schema_version(conn)
    if found is not None and found < SCHEMA_VERSION:
        with Store(db):
            pass
        print(f"Brought {db} from schema {found} to {SCHEMA_VERSION}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="build even if cached")
    parser.add_argument("--no-align", action="store_true", help="skip aligning (faster build)")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per kind")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--mode", choices=("mutable", "immutable", "compare"), default="mutable")
    parser.add_argument("--only-build", action="store_true", help="build the corpus and stop")
    parser.add_argument("--no-load", action="store_true", help="sequential measures only")
    parser.add_argument(
        "--response-cache",
        action="store_true",
        help="serve with its response cache on (default off: each request does its work)",
    )
    parser.add_argument("--port", type=int, default=0, help="first port to serve on (else free)")
    parser.add_argument("--corpus", type=Path, help="serve this litbalint.db, not the cached one")
    parser.add_argument(
        "--against",
        type=Path,
        help="also serve ANOTHER checkout of litbalint (its source folder, run with this "
        "Python) and send every sequential request to both (the anchor: before a change)",
    )
    parser.add_argument(
        "--against-corpus", type=Path, help="the database the other checkout serves"
    )
    args = parser.parse_args()

    aligned = "plain" if args.no_align else "aligned"
    folder = Path(f"/tmp/litbalint-bench-publish-zipf-{args.articles}-{args.seed}-{aligned}")
    if args.corpus:
        folder = args.corpus.parent
    folder.mkdir(exist_ok=True)
    db = folder / "litbalint.db"  # the stem is the database name metadata.yml describes
    if args.corpus and args.corpus != db:
        raise SystemExit("--corpus: name a file called litbalint.db (metadata.yml describes it)")
    if args.rebuild or not db.exists():
        db.unlink(missing_ok=True)
        print(f"Building {args.articles:,} articles ({aligned}) into {db}")
        start = time.perf_counter()
        build(db, args.articles, args.seed, not args.no_align)
        print(f"Build time: {time.perf_counter() - start:.1f} s")
    else:
        print(f"Using cached {db} (--rebuild to build again)")
    upgrade(db)
    if args.only_build:
        return 0
    with sqlite3.connect(db) as conn:  # WAL for a file being written, DELETE for a snapshot
        conn.execute(f"PRAGMA journal_mode = {'DELETE' if args.mode == 'immutable' else 'WAL'}")
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM articles WHERE is_stub = 0")]
        with_zh = conn.execute("SELECT count(*) FROM articles WHERE has_zh").fetchone()[0]
    print(
        f"Corpus: {len(ids):,} articles, {with_zh:,} with Chinese, {db.stat().st_size / 1e6:.0f} MB"
    )
    common_en, common_zh = common_words(db)
    print(
        f"Common words picked (in ~{', '.join(f'{s:.0%}' for s in SHARES)}): "
        f"{' '.join(common_en)} / {' '.join(common_zh)}"
    )
    queries = Queries(EN_QUERIES + common_en, ZH_QUERIES + common_zh)

    modes = ["mutable", "immutable"] if args.mode == "compare" else [args.mode]
    servers: dict[str, tuple[subprocess.Popen, str]] = {}
    log = (folder / "serve.log").open("wb")
    try:
        for number, mode in enumerate(modes):
            port = args.port + number if args.port else free_port()
            command = [sys.executable, "-m", "litbalint", "serve", "--db", str(db)]
            command += ["--port", str(port), f"--{mode}"]
            # every request does its work: the queries repeat, and serve's response cache
            # would answer them from memory (bench_load.py measures it on and off)
            command += [] if args.response_cache else ["--cache-mb", "0"]
            server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
            servers[mode] = server, f"http://127.0.0.1:{port}"
            wait_ready(servers[mode][1], server)
        rng = random.Random(args.seed)
        if args.against:
            port = args.port + 1 if args.port else free_port()
            other = args.against_corpus or db
            command = [sys.executable, "-m", "litbalint", "serve", "--db", str(other)]
            command += ["--port", str(port), f"--{args.mode}"]
            environment = {**os.environ, "PYTHONPATH": str(args.against.resolve())}
            server = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=environment
            )
            servers["against"] = server, f"http://127.0.0.1:{port}"
            wait_ready(servers["against"][1], server)
            bases = {"this": servers[args.mode][1], "against": servers["against"][1]}
            print(f"Against {args.against} serving {other}")
            compare(bases, ids, rng, args.requests, SEQUENTIAL, queries)
            return 0
        if args.mode == "compare":
            compare({mode: base for mode, (_, base) in servers.items()}, ids, rng, args.requests)
            return 0
        print(f"Serving it {args.mode}")
        base = servers[args.mode][1]
        latency(base, ids, rng, args.requests, queries, len(ids))
        by_query(base, db, queries)
        if not args.no_load:
            load(base, ids, args.seed, args.clients, args.seconds)
    except KeyboardInterrupt:
        print("\ninterrupted")
        return 130
    finally:
        for server, _ in servers.values():
            stop_server(server)
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
