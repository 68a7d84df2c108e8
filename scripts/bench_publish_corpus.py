"""The synthetic corpus of scripts/bench_publish.py: PubMed-like articles, 10% with a Chinese
abstract, words Zipf-distributed so a query matches from 1% to 88% of the corpus; stored
directly through the store (no files), aligned unless told not to."""

from __future__ import annotations

import random
import time
from itertools import pairwise
from pathlib import Path

from litbalint.model import (
    Article,
    ArticleIds,
    Author,
    Keyword,
    MeshHeading,
    PubDate,
    Section,
)
from litbalint.pipeline import align_articles
from litbalint.store import Store

BATCH = 2000

EN_WORDS = (
    "balint group groups peer support burnout resident residents physician physicians nurse "
    "nurses general practitioner practice primary care empathy communication wellbeing stress "
    "reflection training medical students doctor patient relationship intervention outcomes "
    "qualitative study survey randomized trial mental health resilience team emotional "
    "exhaustion depersonalization satisfaction workplace hospital psychiatry oncology "
    "counselling supervision mentoring cohort analysis professional identity compassion fatigue"
).split()
ZH_WORDS = (
    "巴林特小组 同伴支持 住院医师 职业倦怠 全科医生 护士 医学生 共情 沟通 心理健康 培训 "
    "干预 研究 结果 满意度 压力 反思 医患关系 情绪耗竭 团队 医院 精神科 肿瘤科 督导 韧性"
).split()
JOURNALS = [
    "Int J Psychiatry Med",
    "BMC Med Educ",
    "Fam Pract",
    "Med Educ",
    "J Gen Intern Med",
    "Zhonghua Yi Xue Za Zhi",
    "BMJ Open",
    "Psychooncology",
]
MESH = [
    "Burnout, Professional",
    "Peer Group",
    "Social Support",
    "Internship and Residency",
    "Physician-Patient Relations",
    "Empathy",
    "General Practitioners",
    "Nurses",
    "Humans",
    "Surveys and Questionnaires",
]
LABELS = ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
ZH_LABELS = ["背景", "方法", "结果", "结论"]
LAST_NAMES = "Wang Li Zhang Smith Jones Muller Rossi Garcia Chen Liu Brown Kim".split()


# Text is mostly common words; the domain words (the ones searched for) take DOMAIN_SHARE of
# the words, Zipf-distributed: in 100,000 abstracts the first one occurs in ~85% of them, the
# tenth in ~20%, the last in ~4% (a uniform draw would put every word in ~90%).
EN_COMMON = (
    "the of and in to a with for was were that by as on from is are at this an be or than "
    "these their which between after during among more all both have has been but who its "
    "study patients results data analysis methods associated significant compared years"
).split()
ZH_COMMON = "的 在 与 和 对 为 及 中 了 是 本 其 有 被 患者 数据 分析 方法 显著 相关 比较".split()
DOMAIN_SHARE = 0.1


def _vocabulary(common: list[str], domain: list[str]) -> tuple[list[str], list[float]]:
    common_weights = [1 / rank for rank in range(1, len(common) + 1)]
    domain_weights = [1 / rank for rank in range(1, len(domain) + 1)]
    scale = DOMAIN_SHARE / (1 - DOMAIN_SHARE) * sum(common_weights) / sum(domain_weights)
    return common + domain, common_weights + [w * scale for w in domain_weights]


EN_VOCABULARY = _vocabulary(EN_COMMON, EN_WORDS)
ZH_VOCABULARY = _vocabulary(ZH_COMMON, ZH_WORDS)


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words, weights = EN_VOCABULARY
    text = " ".join(rng.choices(words, weights, k=rng.randint(low, high)))
    return text[0].upper() + text[1:] + "."


def _zh_sentence(rng: random.Random) -> str:
    words, weights = ZH_VOCABULARY
    return "".join(rng.choices(words, weights, k=rng.randint(8, 20))) + "。"


def make_article(rng: random.Random, index: int, chinese: bool) -> Article:
    sentences = rng.randint(3, 6)
    en = [_sentence(rng, 10, 25) for _ in range(sentences)]
    zh = [_zh_sentence(rng) for _ in range(sentences)] if chinese else []
    structured = rng.random() < 0.5 and sentences >= 4
    if structured:  # one sentence per section, the rest in the last
        cuts = [0, 1, 2, 3, sentences]
        abstract_en = [
            Section(" ".join(en[a:b]), LABELS[i], LABELS[i])
            for i, (a, b) in enumerate(pairwise(cuts))
        ]
        abstract_zh = (
            [
                Section("".join(zh[a:b]), ZH_LABELS[i], LABELS[i])
                for i, (a, b) in enumerate(pairwise(cuts))
            ]
            if chinese
            else []
        )
    else:
        abstract_en = [Section(" ".join(en))]
        abstract_zh = [Section("".join(zh))] if chinese else []
    year = rng.randint(1970, 2024)
    return Article(
        ids=ArticleIds(pmid=10_000_000 + index, doi=f"10.9999/bench.{index}"),
        title_en=_sentence(rng, 6, 14).rstrip("."),
        title_zh=_zh_sentence(rng).rstrip("。") if chinese else None,
        journal=rng.choice(JOURNALS),
        pub_date=PubDate(year=year, month=rng.randint(1, 12), text=str(year)),
        volume=str(rng.randint(1, 80)),
        pages=f"{rng.randint(1, 900)}-{rng.randint(901, 999)}",
        languages=["eng", "chi"] if chinese else ["eng"],
        abstract_en=abstract_en,
        abstract_zh=abstract_zh,
        abstract_zh_source="publisher" if chinese else None,
        authors=[
            Author(last_name=rng.choice(LAST_NAMES), initials=rng.choice("ABCDEHJKLMSY"))
            for _ in range(rng.randint(1, 6))
        ],
        mesh=[MeshHeading(m) for m in rng.sample(MESH, rng.randint(2, 5))],
        keywords=[Keyword(w) for w in rng.sample(EN_WORDS, 3)],
        publication_types=["Journal Article"],
        medline_status="MEDLINE",
    )


def build(db: Path, articles: int, seed: int, align: bool) -> None:
    rng = random.Random(seed)
    partial = db.with_suffix(".partial")
    for leftover in db.parent.glob(partial.name + "*"):
        leftover.unlink()
    start = time.perf_counter()
    with Store(partial) as store:
        for first in range(0, articles, BATCH):
            with store.transaction():
                touched = [
                    store.save_article(
                        make_article(rng, index, rng.random() < 0.10), "pubmed_xml"
                    ).article_id
                    for index in range(first, min(first + BATCH, articles))
                ]
                if align:
                    align_articles(store, touched)
            done = min(first + BATCH, articles)
            print(f"  {done:,} articles, {time.perf_counter() - start:.0f} s", end="\r", flush=True)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.db.execute("PRAGMA journal_mode = DELETE")
    partial.rename(db)
    print()
