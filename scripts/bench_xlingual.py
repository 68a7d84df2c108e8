"""Cross-lingual known-item retrieval: Chinese queries, English-only articles.

    python scripts/bench_xlingual.py [--distractors 10000] [--latency-articles 100000]

The five bundled seeds are real bilingual documents. They are imported among synthetic
English distractors (scripts/make_synthetic.py, no Chinese), then their Chinese (titles,
abstracts, sections) is removed, so each seed is English-only, as most harvested articles are.
Queries are Chinese: short phrases an educator would type, written by hand for each seed
before any method was tuned, and whole sentences of the seed's own (removed) Chinese
abstract. Each query has one right answer: its seed. Printed per method and query kind:
recall@10 and MRR (the rank of the right seed; beyond 100 counts as not found), with plain
FTS (the query's own words only: the search before cross-lingual signals) beside them.

Latency: p50/p95 of the full fused search (`search_query.read_results`) over 100,000
synthetic articles (scripts/bench_publish.py's cached corpus), with random unit vectors in
`article_vectors` when the corpus has no embeddings (search time does not depend on what the
vectors say).
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_util import table  # noqa: E402
from make_synthetic import generate  # noqa: E402

# The seeds by DOI, and the phrases an educator might type for each (written before tuning).
PHRASES = {
    "10.1177/00912174221122862": ["新冠疫情 虚拟巴林特小组", "住院医师 巴林特小组 种族 公平",
                                  "家庭医学 住院医师培训 新冠"],
    "10.1080/14739879.2020.1764397": ["巴林特小组 全科医生培训", "全科医生 职业倦怠 巴林特",
                                      "全科实习生 巴林特小组 质性研究"],
    "10.1186/s12909-022-03508-2": ["医学生 巴林特小组 精神病学实习", "医学生 情绪 巴林特小组"],
    "10.1186/s12913-023-09312-y": ["医生 同伴支持服务", "挪威 医生 同伴支持 定性访谈"],
    "10.1186/s12875-024-02548-5": ["初级保健 同伴支持工作者", "同伴 融合 基层医疗"],
}  # fmt: skip
SENTENCES_PER_SEED = 3
SENTENCE = re.compile(r"[^。！？]{12,}[。！？]")
NOT_FOUND = 100


@dataclass
class Query:
    doi: str
    kind: str  # "phrase" or "sentence"
    text: str


def build(folder: Path, distractors: int) -> tuple[Path, list[Query]]:
    """The seeds among synthetic English distractors, built by `litbalint build`, the seeds'
    Chinese then removed (and re-indexed, re-embedded); the queries."""
    import subprocess

    generate(distractors, folder / "synthetic", seed=7, chinese_share=0.0, per_file=5000)
    db = folder / "xlingual.db"
    subprocess.run(
        [sys.executable, "-m", "litbalint", "build", "--db", str(db), "--data",
         str(folder / "synthetic"), "-q"],
        check=True,
    )  # fmt: skip
    queries = [Query(doi, "phrase", text) for doi, texts in PHRASES.items() for text in texts]
    with sqlite3.connect(db) as conn:
        for doi, abstract in conn.execute(
            f"SELECT doi, abstract_zh FROM articles WHERE doi IN ({','.join('?' * len(PHRASES))})",
            list(PHRASES),
        ):
            sentences = SENTENCE.findall(abstract or "")[:SENTENCES_PER_SEED]
            queries += [Query(doi, "sentence", s) for s in sentences]
    strip_chinese(db, list(PHRASES))
    return db, queries


def cached(folder: Path, distractors: int, rebuild: bool) -> tuple[Path, list[Query]]:
    """The benchmark corpus and its queries, built once per distractor count (embedding 10,000
    distractors takes ~20 min) and reused; the learned lexicon is learned again on reuse, so a
    change to how it is learned is measured without a rebuild."""
    import json
    import shutil

    from litbalint.pipeline import relearn_lexicon
    from litbalint.store import Store

    saved = folder / "queries.json"
    if saved.exists() and not rebuild:
        queries = [Query(**q) for q in json.loads(saved.read_text())]
        db = folder / "xlingual.db"
        with Store(db) as store:
            relearn_lexicon(store, force=True)
        return db, queries
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db, queries = build(folder, distractors)
    saved.write_text(json.dumps([q.__dict__ for q in queries], ensure_ascii=False))
    return db, queries


def strip_chinese(db: Path, dois: list[str]) -> None:
    """Make these articles English-only, as the store would have them: no Chinese, no
    alignment; then the lexicon is learned again without their beads (no leak of the answers
    into the learned lexicon) and they are embedded again (their text changed)."""
    import subprocess

    from litbalint.pipeline import relearn_lexicon
    from litbalint.store import Store
    from litbalint.store.articles import _index

    with Store(db) as store:
        marks = ",".join("?" * len(dois))
        sql = f"SELECT id FROM articles WHERE doi IN ({marks})"
        ids = [r[0] for r in store.db.execute(sql, dois)]
        with store.transaction():
            for article_id in ids:
                store.db.execute(
                    "UPDATE articles SET title_zh = NULL, abstract_zh = NULL, has_zh = 0, "
                    "abstract_zh_source = NULL WHERE id = ?",
                    [article_id],
                )
                for table in ("abstract_sections", "alignment_beads", "alignments"):
                    where = " AND lang = 'zh'" if table == "abstract_sections" else ""
                    store.db.execute(
                        f"DELETE FROM {table} WHERE article_id = ?{where}", [article_id]
                    )
                _index(store.db, article_id)
        relearn_lexicon(store, force=True)
    subprocess.run([sys.executable, "-m", "litbalint", "embed", "--db", str(db), "-q"], check=False)


DEPTH = 100
WEIGHT_GRID = [  # (text, translation, embedding) weights tried for the fusion
    (1.0, 1.0, 0.0), (1.0, 1.0, 0.25), (1.0, 1.0, 0.5), (1.0, 1.0, 1.0), (1.0, 2.0, 1.0),
]  # fmt: skip


def rankings(conn: sqlite3.Connection, query: str) -> dict[str, list[int]]:
    """Each signal's ranking of the corpus for a query, as the search page computes them."""
    from litbalint.publish.crosslingual_search import SIGNALS
    from litbalint.publish.fts_query import escape_fts
    from litbalint.publish.search_ranked import by_bm25, translated

    live = (["a.is_stub = 0", "a.deleted = 0"], {})
    found = {"text": by_bm25(conn, escape_fts(query), live, DEPTH)}
    translation = SIGNALS.translate(conn, query)
    found["translation"] = (
        translated(conn, translation, live, DEPTH)[0] if translation and translation.match else []
    )
    found["embedding"] = [article_id for article_id, _ in SIGNALS.nearest(conn, query, DEPTH)]
    return found


def reciprocal_rank(ranking: list[int], target: int) -> float:
    return 1.0 / (ranking.index(target) + 1) if target in ranking[:NOT_FOUND] else 0.0


def evaluate(db: Path, queries: list[Query]) -> tuple[list[list[object]], dict[str, float]]:
    """recall@10 and MRR per method and query kind; fused MRR per weight choice."""
    from litbalint.publish.fusion import fuse
    from litbalint.publish.search_ranked import WEIGHTS

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    ids = dict(conn.execute("SELECT doi, id FROM articles WHERE doi IS NOT NULL"))
    methods = ["plain FTS (before)", "lexicon only", "embeddings only", "lexicon + FTS", "fused"]
    ranks: dict[tuple[str, str], list[float]] = {}
    grid: dict[str, list[float]] = {}
    for query in queries:
        found = rankings(conn, query.text)
        target = ids[query.doi]
        ranked = {
            "plain FTS (before)": found["text"],
            "lexicon only": found["translation"],
            "embeddings only": found["embedding"],
            "lexicon + FTS": [f.id for f in fuse({k: found[k] for k in ("text", "translation")})],
            "fused": [f.id for f in fuse(found, WEIGHTS)],
        }
        for method, ranking in ranked.items():
            ranks.setdefault((method, query.kind), []).append(reciprocal_rank(ranking, target))
        for weights in WEIGHT_GRID:
            fused = [
                f.id
                for f in fuse(
                    found, dict(zip(("text", "translation", "embedding"), weights, strict=True))
                )
            ]
            grid.setdefault(str(weights), []).append(reciprocal_rank(fused, target))
    conn.close()
    rows: list[list[object]] = []
    for method in methods:
        row: list[object] = [method]
        for kind in ("phrase", "sentence"):
            rr = ranks[(method, kind)]
            row += [f"{sum(r >= 0.1 for r in rr) / len(rr):.2f}", f"{statistics.mean(rr):.2f}"]
        rows.append(row)
    return rows, {weights: statistics.mean(rr) for weights, rr in grid.items()}


def latency(articles: int) -> str:
    """p50/p95 of the full search over the cached synthetic corpus, with random vectors."""
    import shutil

    import numpy as np

    from litbalint import embed
    from litbalint.publish.crosslingual_search import SIGNALS, preload
    from litbalint.publish.search_query import SearchRequest, read_results

    cached = Path(f"/tmp/litbalint-bench-publish-zipf-{articles}-1-plain/litbalint.db")
    if not cached.exists():
        return f"no cached corpus {cached}: run scripts/bench_publish.py --no-align --only-build"
    copy = Path(tempfile.mkdtemp(prefix="litbalint-bench-xlingual-latency-")) / "litbalint.db"
    shutil.copy(cached, copy)
    from litbalint.store import Store

    with Store(copy):  # a corpus cached by an older litbalint: brought to this schema
        pass
    conn = sqlite3.connect(copy)
    have = conn.execute("SELECT count(*) FROM article_vectors").fetchone()[0]
    if not have:
        rng = np.random.default_rng(1)
        ids = [r[0] for r in conn.execute("SELECT id FROM articles WHERE is_stub = 0")]
        with conn:
            for start in range(0, len(ids), 5000):
                chunk = ids[start : start + 5000]
                vectors = rng.normal(size=(len(chunk), embed.DIM)).astype(np.float32)
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                conn.executemany(
                    "INSERT INTO article_vectors VALUES (?, ?, 'random', ?, '2026-01-01')",
                    [
                        (i, embed.MODEL_NAME, embed.to_blob(v))
                        for i, v in zip(chunk, vectors, strict=True)
                    ],
                )
    reader = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    texts = [t for texts in PHRASES.values() for t in texts] + ["burnout", "peer support", "group"]
    times: dict[str, list[float]] = {"Chinese phrase": [], "English": []}
    start = time.perf_counter()  # what the plugin's startup hook loads, then the vectors
    preload()
    read_results(reader, SearchRequest(query="巴林特小组 peer"), SIGNALS)
    print(
        f"start-up and first search (loads the lexicons, the model, the vectors): "
        f"{time.perf_counter() - start:.1f} s"
    )
    for _ in range(3):
        for text in texts:
            start = time.perf_counter()
            read_results(reader, SearchRequest(query=text), SIGNALS)
            kind = "English" if text.isascii() else "Chinese phrase"
            times[kind].append((time.perf_counter() - start) * 1000)
    shutil.rmtree(copy.parent)
    rows = [
        [kind, len(ms), f"{statistics.median(ms):.0f}", f"{statistics.quantiles(ms, n=20)[-1]:.0f}"]
        for kind, ms in times.items()
    ]
    return table(["fused search, 100k articles", "queries", "p50 ms", "p95 ms"], rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--distractors", type=int, default=10_000)
    parser.add_argument("--latency-articles", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true", help="build the corpus again")
    args = parser.parse_args()
    folder = Path(tempfile.gettempdir()) / f"litbalint-bench-xlingual-{args.distractors}"
    start = time.perf_counter()
    db, queries = cached(folder, args.distractors, args.rebuild)
    print(
        f"{args.distractors:,} distractors + 5 seeds ready in {time.perf_counter() - start:.0f} s"
        f" ({folder})"
    )
    phrases = sum(q.kind == "phrase" for q in queries)
    print(f"{len(queries)} Chinese queries: {phrases} phrases, {len(queries) - phrases} sentences")
    rows, grid = evaluate(db, queries)
    headers = ["method", "phrases R@10", "phrases MRR", "sentences R@10", "sentences MRR"]
    print(table(headers, rows))
    print("\nfused MRR (all queries) by weights (text, translation, embedding):")
    print(table(["weights", "MRR"], [[w, f"{m:.3f}"] for w, m in grid.items()]))
    if args.latency_articles:
        print()
        print(latency(args.latency_articles))
    return 0


if __name__ == "__main__":
    sys.exit(main())
