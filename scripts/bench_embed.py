"""Embeddings (litbalint/embed.py): how fast, how good, how costly to search.

    python -m scripts.bench_embed speed [--records 200]      texts/s per text recipe, query
                                                             latency, the model's memory
    python -m scripts.bench_embed quality [--distractors 1000] [--recipes title,300]
                                                             the seeds among synthetic articles:
                                                             rank of the right seed per query
    python -m scripts.bench_embed real                       real texts only: Chinese keyword
                                                             queries among the five English-only
                                                             seeds; the seeds' aligned sentence
                                                             pairs and the glossary's term pairs
                                                             found across languages
    python -m scripts.bench_embed search [--vectors 100000]  publish/vectors.py at scale: load,
                                                             memory, nearest(), related()

Synthetic records come from tests/support/synthetic/text.py (the generator of make_synthetic):
Zipf word salads in English with their Chinese rendering; 3% carry "Balint groups", 6%
"peer support" (the "topical" distractors, reported apart: they are not wrong answers).
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from litbalint import embed
from litbalint.store import vectors as stored_vectors
from tests.support.synthetic import text as T

SEEDS = {1: "000", 7: "001", 8: "002", 9: "003", 13: "004"}
ZH_QUERIES = [  # (query, seeds that answer it)
    ("巴林特小组 住院医师", {"000", "001"}),
    ("巴林特小组", {"000", "001", "002"}),
    ("同伴支持", {"003", "004"}),
    ("职业倦怠 全科医生 巴林特", {"001"}),
    ("医学生 巴林特小组 情绪体验", {"002"}),
    ("医生 同伴支持 定性访谈", {"003"}),
    (
        "新冠疫情期间的虚拟巴林特小组:在以社区卫生中心为基础的家庭医学住院医师培训项目中探索种族和公平问题。",
        {"000"},
    ),
    ("理解同伴支持:寻求支持一年后医生的定性访谈研究。", {"003"}),
    ("如果你没有相同的健康或社会状况,你能成为同伴吗?在初级保健环境中同伴融合的定性研究。", {"004"}),
]
EN_QUERIES = [
    ("Balint group residents", {"000", "001"}),
    ("Balint groups", {"000", "001", "002"}),
    ("peer support", {"003", "004"}),
    ("burnout general practitioner trainees Balint", {"001"}),
    ("medical students emotional experience Balint group", {"002"}),
    ("peer support for doctors qualitative interviews", {"003"}),
    ("Virtual Balint Groups During COVID-19: Exploring Race and Equity in a CHC-Based Family "
     "Medicine Residency Program.", {"000"}),
    ("Understanding peer support: a qualitative interview study of doctors one year after "
     "seeking support.", {"003"}),
    ("Can you be a peer if you don't share the same health or social conditions? A qualitative "
     "study on peer integration in a primary care setting.", {"004"}),
]  # fmt: skip


def synthetic(count: int, seed: int = 7) -> list[tuple[str, str, str, str, bool]]:
    """(title_en, abstract_en, title_zh, abstract_zh, topical) of synthetic records."""
    out = []
    for index in range(count):
        head = T.head_of(seed, index)
        sections = T.abstract(T.stream(seed, index, 2), head.topic, True)
        sentences = [s for section in sections for s in section.sentences]
        out.append(
            (
                T.english(head.title),
                " ".join(T.english(s) for s in sentences),
                T.chinese(head.title),
                "".join(T.chinese(s) for s in sentences),
                head.topic is not None,
            )
        )
    return out


def recipe(title: str | None, abstract: str | None, name: str) -> str:
    if name == "title":
        return (title or (abstract or "")[:120]).strip()
    chars = 10**9 if name == "full" else int(name)
    return embed.article_text(title, None, abstract, None, chars)


def passages(model: embed.Model, texts: list[str], batch: int = 32) -> np.ndarray:
    return np.concatenate(
        [model.passages(texts[i : i + batch]) for i in range(0, len(texts), batch)]
    )


def bench_speed(records: int) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    model = embed.model()
    assert model is not None, embed.unavailable()
    model.query("warm up")
    print(f"model loaded in {time.perf_counter() - started:.2f} s")
    rows = synthetic(records)
    lengths = [len(r[1]) for r in rows if r[1]]
    print(f"{records} synthetic records, abstracts median {statistics.median(lengths):.0f} chars")
    for name in ("title", "200", "300", "500", "full"):
        texts = [recipe(r[0], r[1], name) for r in rows]
        tokens = statistics.mean(model.engine.token_count(t) for t in texts[:50])
        started = time.perf_counter()
        passages(model, texts)
        rate = len(texts) / (time.perf_counter() - started)
        print(f"recipe {name:>5}: {rate:6.1f} texts/s, mean {tokens:.0f} tokens")
    timings = []
    for query in [q for q, _ in ZH_QUERIES[:6] + EN_QUERIES[:6]] * 3:
        started = time.perf_counter()
        model.query(query)
        timings.append(1000 * (time.perf_counter() - started))
    print(
        f"single query: p50 {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms; "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB "
        f"(before the model {before:.0f} MB)"
    )


def seed_texts(db: Path) -> list[tuple[str, str, str, str, str]]:
    conn = sqlite3.connect(db)
    return [
        (SEEDS[row[0]], *row[1:])
        for row in conn.execute(
            "SELECT id, title_en, abstract_en, title_zh, abstract_zh FROM articles "
            "WHERE is_stub = 0 ORDER BY id"
        )
    ]


def bench_quality(distractors: int, recipes: list[str]) -> None:
    from litbalint.pipeline import corpus_files, import_paths
    from litbalint.store import Store

    model = embed.model()
    assert model is not None, embed.unavailable()
    folder = Path(tempfile.mkdtemp(prefix="litbalint-embed-"))
    with Store(folder / "seeds.db") as store:
        import_paths(store, corpus_files(), worker=False)
    seeds = seed_texts(folder / "seeds.db")
    others = synthetic(distractors)
    labels = [s[0] for s in seeds] + ["t" if r[4] else "d" for r in others]
    print(f"5 seeds + {distractors} distractors ({sum(r[4] for r in others)} topical)")
    for name in recipes:
        english = [recipe(s[1], s[2], name) for s in seeds] + [
            recipe(r[0], r[1], name) for r in others
        ]
        chinese = [recipe(s[3], s[4], name) for s in seeds] + [
            recipe(r[2], r[3], name) for r in others
        ]
        for direction, queries, docs in (
            ("zh query -> en", ZH_QUERIES, english),
            ("en query -> zh", EN_QUERIES, chinese),
        ):
            matrix = passages(model, docs)
            ranks, plain = [], []
            for query, relevant in queries:
                order = np.argsort(-(matrix @ model.query(query)))
                ranked = [labels[i] for i in order]
                ranks.append(next(n for n, x in enumerate(ranked) if x in relevant) + 1)
                ranked = [x for x in ranked if x != "t"]
                plain.append(next(n for n, x in enumerate(ranked) if x in relevant) + 1)
            mrr = np.mean([1 / r for r in ranks])
            print(
                f"recipe {name:>5} {direction}: ranks {ranks} MRR {mrr:.2f}"
                f" hit@1 {ranks.count(1)}/{len(ranks)}; without topical distractors {plain} "
                f"MRR {np.mean([1 / r for r in plain]):.2f}"
            )


SEED_QUERIES = [  # Chinese keyword queries against the English-only seeds: (query, answers)
    ("巴林特小组 住院医师", {"000", "001", "002"}),
    ("巴林特小组", {"000", "001", "002"}),
    ("巴林特", {"000", "001", "002"}),
    ("同伴支持", {"003", "004"}),
    ("同伴支持 医生", {"003", "004"}),
    ("巴林特小组 医学生", {"000", "001", "002"}),
    ("巴林特小组 全科医生 职业倦怠", {"000", "001", "002"}),
    ("同伴 初级保健", {"003", "004"}),
    ("医生 寻求帮助 同伴支持服务", {"003", "004"}),
    ("住院医师 巴林特小组 种族 公平", {"000"}),
]


def bench_real() -> None:
    from litbalint.pipeline import corpus_files, import_paths
    from litbalint.resources import GLOSSARY, packaged_text
    from litbalint.store import Store

    model = embed.model()
    assert model is not None, embed.unavailable()
    db = Path(tempfile.mkdtemp(prefix="litbalint-embed-")) / "seeds.db"
    with Store(db) as store:
        import_paths(store, corpus_files(), worker=False)
    seeds = seed_texts(db)
    for name in ("title", "300", "1000"):
        matrix = passages(model, [recipe(s[1], s[2], name) for s in seeds])
        firsts = [seeds[int(np.argmax(matrix @ model.query(q)))][0] for q, _ in SEED_QUERIES]
        right = sum(
            first in relevant for first, (_, relevant) in zip(firsts, SEED_QUERIES, strict=True)
        )
        print(f"recipe {name:>5}: a right seed first for {right}/{len(SEED_QUERIES)} queries")
    beads = sqlite3.connect(db).execute(
        "SELECT en_text, zh_text FROM alignment_beads WHERE en_text != '' AND zh_text != ''"
    )
    terms = [
        (line.split("\t")[0], line.split("\t")[1].split("|")[0])
        for line in packaged_text(GLOSSARY).splitlines()
        if "\t" in line and not line.startswith("#")
    ]
    for what, pairs, queries in (
        ("sentence pairs", beads.fetchall(), False),
        ("terms", terms, True),
    ):
        for direction, (q, d) in (("zh->en", (1, 0)), ("en->zh", (0, 1))):
            docs = passages(model, [pair[d] for pair in pairs])
            asked = [pair[q] for pair in pairs]
            found = np.stack([model.query(x) for x in asked]) if queries else passages(model, asked)
            scores = found @ docs.T
            ranks = [int((scores[i] > scores[i, i]).sum()) + 1 for i in range(len(pairs))]
            first = ranks.count(1) / len(ranks)
            mrr = np.mean([1 / r for r in ranks])
            print(f"{len(pairs)} {what} {direction}: partner first {first:.2f}, MRR {mrr:.2f}")


def bench_search(count: int) -> None:
    from litbalint.publish import vectors
    from litbalint.store import Store

    folder = Path(tempfile.mkdtemp(prefix="litbalint-vectors-"))
    rng = np.random.default_rng(3)
    matrix = rng.normal(size=(count, embed.DIM)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    with Store(folder / "v.db") as store, store.transaction():
        store.db.conn.executemany(
            "INSERT INTO articles (id, created_at, updated_at) VALUES (?, '', '')",
            [(i + 1,) for i in range(count)],
        )
        stored_vectors.save(
            store.db,
            embed.MODEL_NAME,
            [(i + 1, "h", embed.to_blob(v)) for i, v in enumerate(matrix)],
        )
    size = (folder / "v.db").stat().st_size / 2**20
    conn = sqlite3.connect(folder / "v.db", check_same_thread=False)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    vectors.stored_vectors(conn)
    load = time.perf_counter() - started
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss
    timings, related = [], []
    for n in range(50):
        started = time.perf_counter()
        found = vectors.nearest(conn, matrix[n * 7], 10)
        timings.append(1000 * (time.perf_counter() - started))
        assert found[0][0] == n * 7 + 1
        started = time.perf_counter()
        vectors.related(conn, n * 11 + 1)
        related.append(1000 * (time.perf_counter() - started))
    with Store(folder / "v.db") as store, store.transaction():  # one batch of `embed`
        stored_vectors.save(
            store.db,
            embed.MODEL_NAME,
            [(i + 1, "new", embed.to_blob(matrix[i])) for i in range(32)],
        )
    started = time.perf_counter()
    held = vectors.stored_vectors(conn)
    batch = time.perf_counter() - started
    exact = [int(i) for i in np.argsort(-(matrix @ matrix[5]))[:10] + 1]
    agree = [i for i, _ in vectors.nearest(conn, matrix[5], 10)] == exact
    print(
        f"{count:,} vectors: database {size:.0f} MB ({size * 2**20 / count:.0f} bytes a row); "
        f"load {load:.2f} s (after a batch of 32: {batch:.2f} s), matrix "
        f"{held.matrix.nbytes / 2**20:.0f} MiB, peak RSS +{grown:.0f} MB; nearest(k=10) p50 "
        f"{statistics.median(timings):.1f} ms, p95 {sorted(timings)[47]:.1f} ms; related p50 "
        f"{statistics.median(related):.1f} ms; int8 top 10 = float32 top 10: {agree}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("speed").add_argument("--records", type=int, default=200)
    quality = commands.add_parser("quality")
    quality.add_argument("--distractors", type=int, default=1000)
    quality.add_argument("--recipes", default="title,300")
    commands.add_parser("real")
    commands.add_parser("search").add_argument("--vectors", type=int, default=100_000)
    args = parser.parse_args()
    if args.command == "speed":
        bench_speed(args.records)
    elif args.command == "quality":
        bench_quality(args.distractors, args.recipes.split(","))
    elif args.command == "real":
        bench_real()
    else:
        bench_search(args.vectors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
