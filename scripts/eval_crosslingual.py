"""Evaluate query translation (cross-lingual search) on the bundled seeds.

    python -m scripts.eval_crosslingual [--distractors N] [--seed S]

Builds the seeds into a temporary database (plus N synthetic English-only and N/10 synthetic
Chinese-only articles of scripts/bench_publish_corpus.py as distractors), then, for each
direction, removes one language from the five seeds (their articles row and their
articles_fts columns) and searches them in the other:

- short queries (巴林特小组 住院医师, 同伴支持, ... and their English counterparts, terms of
  several words quoted as phrases): relevant = the seeds the query finds in its own language
  before the removal (the quotes are dropped for translation);
- sentence queries: every confident bead's Chinese (English) sentence, relevant = its own
  article; the learned lexicon is then learned again without that article's beads (no
  leakage).

Prints, per strategy (every translated term required / any term / `fts`, the choice the
Translation makes), MRR, recall@10 and how often a relevant seed ranks first among the seeds,
with and without the learned lexicon; and the translation time per query.

With --synthetic N it also makes N records of scripts/make_synthetic.py, half with a Chinese
abstract (a word-for-word rendering of word salad over a 2,100-word bilingual vocabulary),
learns the lexicon from all but 200 of the bilingual articles, removes those 200 articles'
Chinese and searches each with its first confident bead's Chinese sentence, among all N.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from litbalint.align.learned_lexicon import learn_lexicon
from litbalint.bilingual import LearnedTable, cedict, known_pair
from litbalint.crosslingual import translate_query
from litbalint.model import BeadText
from litbalint.pipeline import (
    corpus_files,
    expand_paths,
    import_paths,
    relearn_lexicon,
)
from litbalint.publish.fts_query import escape_fts
from litbalint.store import Store
from scripts.bench_publish_corpus import make_article
from tests.support.synthetic.corpus import generate

SHORT = {
    "zh": ["巴林特小组 住院医师", "同伴支持", "职业倦怠", "全科医生", "巴林特小组"],
    "en": [
        '"Balint group" residents',
        '"peer support"',
        "burnout",
        '"general practitioner"',
        "Balint",
    ],
}
COLUMNS = {
    "zh": ("title_zh", "abstract_zh"),
    "en": ("title_en", "abstract_en", "mesh_terms"),
}
MODES = ("fts_all", "fts_any", "fts")


@dataclass
class Query:
    text: str
    relevant: set[int]
    own_article: int | None = None  # a sentence's article: left out of its learned lexicon


def strip_language(conn: sqlite3.Connection, lang: str, ids: list[int]) -> None:
    """Remove one language's title and abstract from these articles and from their index row
    (as if they had never had it); the beads stay."""
    marks = ",".join("?" * len(ids))
    columns = COLUMNS[lang]
    conn.execute(
        f"UPDATE articles SET {', '.join(f'{c} = NULL' for c in columns[:2])} "
        f"WHERE id IN ({marks})",
        ids,
    )
    conn.execute(
        f"UPDATE articles_fts SET {', '.join(f'{c} = ' + repr('') for c in columns)} "
        f"WHERE rowid IN ({marks})",
        ids,
    )
    conn.commit()


def build(folder: Path, distractors: int, seed: int) -> tuple[Path, list[int]]:
    db = folder / "eval.db"
    with Store(db) as store:
        import_paths(store, corpus_files(), worker=False)
        seeds = [r[0] for r in store.db.execute("SELECT id FROM articles WHERE is_stub = 0")]
        rng = random.Random(seed)
        with store.transaction():
            for index in range(distractors + distractors // 10):
                article = make_article(rng, 900_000 + index, chinese=index >= distractors)
                if index >= distractors:  # a Chinese-only distractor
                    article.title_en, article.abstract_en = None, []
                store.save_article(article, "pubmed_xml")
        relearn_lexicon(store)
    return db, seeds


def queries(conn: sqlite3.Connection, lang: str, seeds: list[int]) -> list[Query]:
    """Short queries (relevant: the seeds they find in their own language) and every
    confident bead's sentence in `lang` (relevant: its article)."""
    found = []
    marks = ",".join("?" * len(seeds))
    for text in SHORT[lang]:
        rows = conn.execute(
            f"SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid IN ({marks})",
            [escape_fts(text), *seeds],
        )
        found.append(Query(text, {row[0] for row in rows}))
    column = "zh_text" if lang == "zh" else "en_text"
    for article, sentence in conn.execute(
        f"SELECT article_id, {column} FROM alignment_beads WHERE low_confidence = 0 "
        f"AND score >= 0.5 AND article_id IN ({marks}) ORDER BY article_id, position",
        seeds,
    ):
        found.append(Query(sentence, {article}, article))
    return found


def beads_without(conn: sqlite3.Connection, article: int | None) -> list[BeadText]:
    return [bead for other, bead in _beads_by_article(conn) if other != article]


def evaluate(conn: sqlite3.Connection, found: list[Query], seeds: list[int], learned: bool):
    """{mode: (MRR, recall@10, first among seeds)} over the queries; translation ms."""
    tables: dict[int | None, LearnedTable] = {}
    results: dict[str, list[tuple[float, float, float]]] = {mode: [] for mode in MODES}
    times = []
    for query in found:
        table = None
        if learned:
            if query.own_article not in tables:
                beads = beads_without(conn, query.own_article)
                tables[query.own_article] = LearnedTable(learn_lexicon(beads, known_pair))
            table = tables[query.own_article]
        started = time.perf_counter()
        translation = translate_query(query.text, table)
        times.append(time.perf_counter() - started)
        for mode in MODES:
            fts = getattr(translation, mode)
            ranked = (
                [
                    row[0]
                    for row in conn.execute(
                        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rank",
                        [fts],
                    )
                ]
                if fts
                else []
            )
            results[mode].append(_scores(ranked, query.relevant, seeds))
    summary = {
        mode: tuple(statistics.mean(values) for values in zip(*rows, strict=True))
        for mode, rows in results.items()
    }
    return summary, 1000 * statistics.median(times)


def native(conn: sqlite3.Connection, found: list[Query], seeds: list[int]) -> tuple[float, ...]:
    """The same measures for the queries run untranslated (the search box's escape_fts)."""
    rows = []
    for query in found:
        ranked = conn.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rank",
            [escape_fts(query.text)],
        )
        rows.append(_scores([row[0] for row in ranked], query.relevant, seeds))
    return tuple(statistics.mean(values) for values in zip(*rows, strict=True))


def _scores(ranked: list[int], relevant: set[int], seeds: list[int]) -> tuple[float, float, float]:
    first = next((n for n, i in enumerate(ranked, 1) if i in relevant), None)
    recall = len(relevant & set(ranked[:10])) / len(relevant) if relevant else 1.0
    among_seeds = [i for i in ranked if i in seeds]
    return (
        1 / first if first else 0.0,
        recall,
        float(bool(among_seeds[:1]) and among_seeds[0] in relevant),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--distractors", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--synthetic", type=int, default=0, metavar="N")
    args = parser.parse_args()
    started = time.perf_counter()
    cedict()
    print(f"CC-CEDICT cut down and loaded in {time.perf_counter() - started:.2f} s")
    with tempfile.TemporaryDirectory() as folder:
        for distractors in sorted({0, args.distractors}):
            (Path(folder) / str(distractors)).mkdir()
            db, seeds = build(Path(folder) / str(distractors), distractors, args.seed)
            for lang in ("zh", "en"):
                _report(db, lang, seeds, distractors)
        if args.synthetic:
            synthetic(Path(folder) / "synthetic", args.synthetic, args.seed)
    return 0


def synthetic(folder: Path, records: int, seed: int, held_out: int = 200) -> None:
    generate(records, folder / "documents", seed, chinese_share=0.5)
    with Store(folder / "synthetic.db") as store:
        import_paths(store, expand_paths([folder / "documents"]))
        conn = store.db.conn
        bilingual = [r[0] for r in conn.execute("SELECT DISTINCT article_id FROM alignment_beads")]
        random.Random(seed).shuffle(bilingual)
        test, train = bilingual[:held_out], set(bilingual[held_out:])
        beads = [b for a, b in _beads_by_article(conn) if a in train]
        started = time.perf_counter()
        table = LearnedTable(pairs := learn_lexicon(beads, known_pair))
        print(
            f"\nsynthetic: {records} records, {len(bilingual)} bilingual; learned {len(pairs)} "
            f"pairs from {len(beads)} beads in {time.perf_counter() - started:.1f} s"
        )
        found = []
        for article in test:
            row = conn.execute(
                "SELECT zh_text FROM alignment_beads WHERE article_id = ? AND low_confidence = 0 "
                "AND score >= 0.5 ORDER BY position LIMIT 1",
                [article],
            ).fetchone()
            if row:
                found.append(Query(row[0], {article}))
        strip_language(conn, "zh", test)
        for learned in (None, table):
            rows = []
            for query in found:
                fts = translate_query(query.text, learned).fts
                ranked = conn.execute(
                    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rank "
                    "LIMIT 100",
                    [fts],
                )
                rows.append(_scores([r[0] for r in ranked], query.relevant, []))
            mrr, recall, _ = (statistics.mean(values) for values in zip(*rows, strict=True))
            print(
                f"  {len(found)} zh sentences, learned={'yes' if learned else 'no'}: "
                f"MRR {mrr:.3f}  recall@10 {recall:.3f}"
            )


def _beads_by_article(conn: sqlite3.Connection) -> list[tuple[int, BeadText]]:
    return [
        (article, BeadText(en, zh))
        for article, en, zh in conn.execute(
            "SELECT article_id, en_text, zh_text FROM alignment_beads WHERE low_confidence = 0 "
            "AND score >= 0.5"
        )
    ]


def _report(db: Path, lang: str, seeds: list[int], distractors: int) -> None:
    work = db.with_name(f"{lang}.db")
    with sqlite3.connect(db) as source, sqlite3.connect(work) as conn:
        source.backup(conn)
    with sqlite3.connect(work) as conn:
        found = queries(conn, lang, seeds)
        short = found[: len(SHORT[lang])]
        mrr, recall, first = native(conn, short, seeds)
        print(
            f"\n{lang} short queries in their own language (before the removal), "
            f"{distractors} distractors: MRR {mrr:.3f}  recall@10 {recall:.3f}  first {first:.3f}"
        )
        strip_language(conn, lang, seeds)
        other = "English" if lang == "zh" else "Chinese"
        print(f"{lang} queries on {other}-only seeds, {distractors} distractors")
        for label, subset in (
            ("short", found[: len(SHORT[lang])]),
            ("sentences", found[len(SHORT[lang]) :]),
        ):
            for learned in (False, True):
                summary, ms = evaluate(conn, subset, seeds, learned)
                for mode, (mrr, recall, first) in summary.items():
                    print(
                        f"  {label:<9} {len(subset):>3} learned={'yes' if learned else 'no ':<3} "
                        f"{mode:<7} MRR {mrr:.3f}  recall@10 {recall:.3f}  first {first:.3f}  "
                        f"(translation {ms:.1f} ms median)"
                    )


if __name__ == "__main__":
    sys.exit(main())
