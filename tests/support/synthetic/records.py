"""The fake E-utilities server's PubMed: `make_records`, drawn by the benchmark corpus's builder
(text.py: the same vocabulary, heads and abstracts), with the harvest's topics, create dates,
and PubMed's links (references, cited by, similar)."""

from __future__ import annotations

import random
from datetime import date

from tests.support.fake_eutils import FakeRecord
from tests.support.synthetic.text import (
    BALINT_GROUPS,
    BALINT_SYNDROME,
    PEER_SUPPORT,
    Section,
    Token,
    Topics,
    abstract,
    chinese,
    english,
    head_of,
    stream,
)

BOTH: Token = (
    "Balint groups and peer support",
    "Balint groups and peer support",
    "巴林特小组和同伴支持",
)
# What the harvest looks for: every record is on one of these (the syndrome one is not wanted).
HARVEST_TOPICS: Topics = [
    (0.04, BOTH),
    (0.03, BALINT_SYNDROME),
    (0.47, BALINT_GROUPS),
    (0.46, PEER_SUPPORT),
]
TOPICS_TEXT = {  # what the fake's search also matches (PubMed's MeSH terms, roughly)
    BOTH: "balint group peer support",
    BALINT_GROUPS: "balint group",
    PEER_SUPPORT: "peer support",
}
CHINESE_SHARE = 0.15  # of the records not on the syndrome: a Chinese publisher abstract
FIRST_DAY = date(2015, 1, 1).toordinal()
LAST_DAY = date(2025, 12, 31).toordinal()


def _day(ordinal: int) -> str:
    d = date.fromordinal(ordinal)
    return f"{d.year:04d}/{d.month:02d}/{d.day:02d}"


def abstract_text(sections: list[Section], lang: int) -> str:
    """An abstract as one text, English (lang 0) or Chinese (1), labels before their sections."""
    parts = []
    for section in sections:
        texts = [english(s) if lang == 0 else chinese(s) for s in section.sentences]
        body = (" " if lang == 0 else "").join(texts)
        label = section.label[lang] if section.label else None
        parts.append(f"{label}{': ' if lang == 0 else '：'}{body}" if label else body)
    return (" " if lang == 0 else "").join(parts)


def make_records(
    n: int,
    seed: int = 0,
    start_pmid: int = 30000000,
    links: bool = True,
    real_links: bool = False,
) -> list[FakeRecord]:
    """n deterministic synthetic records with PMIDs start_pmid ... start_pmid + n - 1 (in
    order of create date, as PubMed assigns them). About 47% are on Balint groups, 46% on peer
    support, 4% on both, 3% on Balint syndrome (matched by "balint", not by "balint group");
    ~15% carry a Chinese publisher abstract (a sentence-by-sentence rendering of the English),
    ~85% a DOI; create dates spread over 2015-2025, mdat on or after crdt. With links: 8-12
    refs (0-2 of them recent records of the set, the rest older PMIDs outside it), citedin
    consistent with the refs inside the set and padded to 1-5 with newer PMIDs outside (about
    3 on average), and 5 similar (1 inside, 4 outside) with scores, best first. real_links:
    PubMed's counts instead: 30-40 refs, 8-16 citing, 100 similar."""
    rng = random.Random(seed)
    days = sorted(rng.randrange(FIRST_DAY, LAST_DAY + 1) for _ in range(n))
    records: list[FakeRecord] = []
    for i, crdt in enumerate(days):
        pmid = start_pmid + i
        head = head_of(seed, i, HARVEST_TOPICS)
        body = stream(seed, i, 2)
        bilingual = head.topic != BALINT_SYNDROME and body.random() < CHINESE_SHARE
        sections = abstract(body, head.topic, bilingual, short=True)
        year = date.fromordinal(crdt).year
        if rng.random() < 0.1:
            year = min(2025, year + 1)  # epub ahead of print: published the next year
        records.append(
            FakeRecord(
                pmid=pmid,
                title=english(head.title),
                abstract=abstract_text(sections, 0),
                doi=f"10.{1000 + pmid % 9000}/fake.{pmid}" if head.ids.doi else None,
                mdat=_day(rng.randint(crdt, LAST_DAY)),
                crdt=_day(crdt),
                year=year,
                topics_text=TOPICS_TEXT.get(head.topic, "") if head.topic else "",
                chinese_abstract=abstract_text(sections, 1) if bilingual else None,
            )
        )
    if links:
        sizes = ((30, 40), (8, 16), 100) if real_links else ((8, 12), (1, 5), 5)
        _add_links(records, rng, start_pmid, n, sizes)
    return records


def cite(citing: FakeRecord, cited: FakeRecord) -> None:
    """`citing` cites `cited`: PubMed's cited-by list of `cited` grows, its record (and mdat)
    stays as it was."""
    if cited.pmid not in citing.refs:
        citing.refs.insert(0, cited.pmid)
    if citing.pmid not in cited.citedin:
        cited.citedin.insert(0, citing.pmid)


def _add_links(
    records: list[FakeRecord],
    rng: random.Random,
    start: int,
    n: int,
    sizes: tuple[tuple[int, int], tuple[int, int], int],
) -> None:
    (refs_low, refs_high), (cited_low, cited_high), similar_count = sizes
    older_low = max(1, start - 20_000_000)
    older_high = max(older_low, start - 1)
    newer_low = start + n
    citedin: list[list[int]] = [[] for _ in records]
    for i, record in enumerate(records):
        refs: dict[int, None] = {}
        total = rng.randint(refs_low, refs_high)
        for _ in range(min(rng.randint(0, 2), i)):  # a recent record of the set
            j = i - rng.randint(1, min(i, 300))
            if records[j].pmid not in refs:
                refs[records[j].pmid] = None
                citedin[j].append(record.pmid)
        while len(refs) < total:
            refs[rng.randint(older_low, older_high)] = None
        record.refs = list(refs)
        similar: dict[int, None] = {}
        if n > 1:
            j = rng.randrange(n - 1)
            similar[records[j if j < i else j + 1].pmid] = None
        while len(similar) < similar_count:
            other = rng.randint(older_low, newer_low + 5_000_000)
            if other != record.pmid:
                similar[other] = None
        scores = sorted((rng.randint(10_000_000, 60_000_000) for _ in similar), reverse=True)
        record.similar = list(zip(similar, scores, strict=True))
    for i, record in enumerate(records):
        cited = dict.fromkeys(citedin[i])
        target = rng.randint(cited_low, cited_high)
        while len(cited) < target:
            cited[rng.randint(newer_low, newer_low + 5_000_000)] = None
        record.citedin = list(cited)
