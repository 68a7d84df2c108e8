"""Profile the readers' search in-process (search_query.read_results) at 100,000 articles.

    python -m scripts.profile_search [--db PATH] [--repeat 3] [--profile] [--no-signals]

Reads a copy of bench_publish's cached corpus with random vectors (as bench_xlingual's latency
part makes one; --db); every search embeds its query. Prints per-query p50, the p50/p95 of all,
the anchor measured in the same run (the same queries, the text signal alone) and the ratio,
and, with --profile, cProfile's top entries.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sqlite3
import statistics
import sys
import time

QUERIES = [
    "burnout", "peer support", "group", "Balint", "resident wellbeing", "Balint group residents",
    "qualitative interview study", "巴林特小组", "医学生 巴林特小组 精神病学实习",
    "全科医生 职业倦怠 巴林特", "挪威 医生 同伴支持 定性访谈", "同伴 融合 基层医疗",
]  # fmt: skip


def main() -> int:
    from litbalint.publish import vectors
    from litbalint.publish.crosslingual_search import SIGNALS, preload
    from litbalint.publish.search_query import SearchRequest, read_results

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/readersfast-prof/litbalint.db")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-signals", action="store_true")
    args = parser.parse_args()
    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    signals = None if args.no_signals else SIGNALS
    preload()
    read_results(conn, SearchRequest(query="巴林特小组 peer"), signals)
    times: dict[str, list[float]] = {q: [] for q in QUERIES}
    anchor: list[float] = []  # the text signal alone
    profiler = cProfile.Profile()
    for _ in range(args.repeat):
        vectors._query_vector.cache_clear()
        for query in QUERIES:
            start = time.perf_counter()
            if args.profile:
                profiler.enable()
            read_results(conn, SearchRequest(query=query), signals)
            if args.profile:
                profiler.disable()
            times[query].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            read_results(conn, SearchRequest(query=query))
            anchor.append((time.perf_counter() - start) * 1000)
    every = [t for ts in times.values() for t in ts]
    for query, ts in times.items():
        print(f"{statistics.median(ts):7.1f} ms  {query}")
    p95, anchor95 = statistics.quantiles(every, n=20)[-1], statistics.quantiles(anchor, n=20)[-1]
    print(
        f"all: p50 {statistics.median(every):.0f} ms, p95 {p95:.0f} ms; anchor (text signal "
        f"alone, same run): p95 {anchor95:.0f} ms; ratio {p95 / anchor95:.1f}x"
    )
    if args.profile:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    return 0


if __name__ == "__main__":
    sys.exit(main())
