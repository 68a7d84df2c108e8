"""The harvest (litbalint/harvest.py, store/runs.py, `litbalint harvest`) against the fake NCBI
server (tests/support/fake_eutils.py): first and incremental runs, windows, the 10,000 cap, faults,
deletions, idempotence, kill -9 and resume, the lock, the command line."""

from __future__ import annotations

import copy
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from datetime import date
from functools import partial
from itertools import pairwise
from pathlib import Path

import pytest

import litbalint.harvest as harvest_module
import litbalint.harvest_batches as harvest_batches
from litbalint import resources
from litbalint.errors import LitbalintError
from litbalint.eutils import Eutils
from litbalint.harvest import Options, RunReport, harvest, harvest_lock, plan_windows
from litbalint.store import Store
from litbalint.store import alignments as store_alignments
from litbalint.store import articles as store_articles
from litbalint.store import links as store_links
from litbalint.store import runs as store_runs
from litbalint.topics import Topic, load_topics
from tests.conftest import EMAIL, ROOT, _harvest_command_module, dump, error_line, run
from tests.support import fake_eutils
from tests.support.content import content
from tests.support.fake_eutils import FAULTS, FakeEutils, FakeRecord, searched
from tests.support.synthetic.records import make_records

TOPICS = [searched("balint", "balint NOT syndrome"), searched("peer_support", "peer support")]
TODAY = date(2026, 1, 1)
RECORDS = make_records(60, seed=1)  # 57 on the topics (1 on both), 3 on Balint syndrome
BATCH = 10


@pytest.fixture(autouse=True)
def _fake_answers_without_nagle(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake writes headers and body separately; with Nagle's algorithm on its socket each
    reply then waits ~40 ms for a delayed ACK. TCP_NODELAY makes a request ~2 ms."""
    monkeypatch.setattr(fake_eutils._Handler, "disable_nagle_algorithm", True)


TOPICS_YAML = """\
topics:
  balint:
    description: Balint groups (not Bálint syndrome)
    query: balint NOT syndrome
  peer_support:
    description: Peer support
    query: >-
      peer
      support
"""


def records() -> list[FakeRecord]:
    """A private copy of the synthetic corpus (tests change records)."""
    return copy.deepcopy(RECORDS)


def client(fake: FakeEutils, cls: type[Eutils] = Eutils, **kwargs) -> Eutils:
    """A fast client: tiny backoff, no request spacing (the fake runs without a rate limit)."""
    made = cls(fake.url, EMAIL, backoff=0.01, **kwargs)
    made.limiter.interval = 0
    return made


class HookedEutils(Eutils):
    """A client that runs a hook just before its n-th call to an endpoint (retries are
    inside one call), e.g. to inject a fault into the third efetch of a run."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.hooks: dict[tuple[str, int], Callable[[], None]] = {}
        self.counts: dict[str, int] = {}

    def call(self, endpoint, params, check=None, **kwargs):  # type: ignore[override]
        name = endpoint.removesuffix(".fcgi")
        self.counts[name] = self.counts.get(name, 0) + 1
        hook = self.hooks.pop((name, self.counts[name]), None)
        if hook:
            hook()
        return super().call(endpoint, params, check, **kwargs)


def run_harvest(
    db: Path, fake: FakeEutils, eutils: Eutils | None = None, **options
) -> tuple[RunReport, dict]:
    """One harvest into db; returns the report and its harvest_runs row."""
    options.setdefault("batch_size", BATCH)
    options.setdefault("today", TODAY)
    with Store(db) as store:
        report = harvest(store, eutils or client(fake), TOPICS, Options(**options))
        row = store_runs.run_row(store.db, report.run_id) if report.run_id else {}
    return report, row


def query(db: Path, sql: str, params: list | tuple = ()) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


def matching(fake: FakeEutils, today: date = TODAY) -> dict[str, set[int]]:
    """What each topic finds by create date up to `today`, by the fake's own search."""
    end = today.strftime("%Y/%m/%d")
    return {t.name: set(fake.search(t.query, "crdt", "1800/01/01", end)) for t in TOPICS}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """One clean, fault-free first harvest of RECORDS: (database, content)."""
    db = tmp_path_factory.mktemp("clean") / "clean.db"
    with FakeEutils(records(), rate_limit=None) as fake:
        report, row = run_harvest(db, fake)
    assert report.ok and row["status"] == "ok"
    return db, content(db)


# -- 1. a first harvest ----------------------------------------------------------------------


def test_first_harvest(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    corpus = records()
    by_pmid = {r.pmid: r for r in corpus}
    with FakeEutils(corpus, rate_limit=None) as fake:
        eutils = client(fake)
        report, row = run_harvest(db, fake, eutils, similar_top=3)
        found = matching(fake)
        requests = len(fake.requests)
    wanted = found["balint"] | found["peer_support"]
    syndrome = {r.pmid for r in corpus if "syndrome" in r.title}
    assert len(wanted) == 57 and not wanted & syndrome

    assert report.ok and report.error is None and report.gaps == []
    full = dict(query(db, "SELECT pmid, topics FROM articles WHERE is_stub = 0 AND deleted = 0"))
    assert set(full) == wanted  # every record the topics find, no Bálint syndrome
    for pmid, topics in full.items():
        expected = {name for name, pmids in found.items() if pmid in pmids}
        assert expected <= set(json.loads(topics))
    both = found["balint"] & found["peer_support"]
    assert len(both) == 1
    for pmid in both:
        assert set(json.loads(full[pmid])) >= {"balint", "peer_support"}
    harvest_topics = query(
        db,
        "SELECT a.pmid, t.topic FROM article_topics t JOIN articles a ON a.id = t.article_id "
        "WHERE t.source = 'harvest'",
    )
    assert sorted(harvest_topics) == sorted(
        (pmid, name) for name, pmids in found.items() for pmid in pmids
    )

    # citation edges of the three kinds, all from PubMed
    edges = query(
        db,
        "SELECT a.pmid, b.pmid, c.kind, c.source, c.rank, c.score FROM citations c "
        "JOIN articles a ON a.id = c.citing_id JOIN articles b ON b.id = c.cited_id",
    )
    assert {e[3] for e in edges} == {"pubmed"}
    kinds: dict[str, set[tuple[int, int]]] = {"references": set(), "cited_by": set()}
    similar: dict[int, list[tuple[int, int, float]]] = {}
    for citing, cited, kind, _, rank, score in edges:
        if kind == "similar":
            similar.setdefault(citing, []).append((rank, cited, score))
        else:
            kinds[kind].add((citing, cited))
    for pmid in wanted:
        record = by_pmid[pmid]
        assert {(pmid, ref) for ref in record.refs} <= kinds["references"]  # citing -> cited
        assert {(citer, pmid) for citer in record.citedin} <= kinds["cited_by"]  # citer -> it
        best = sorted(record.similar, key=lambda item: -item[1])[:3]
        assert [(cited, score) for _, cited, score in sorted(similar[pmid])] == best
        assert [rank for rank, _, _ in sorted(similar[pmid])] == [1, 2, 3]
    assert set(similar) <= wanted  # similar lists only come from corpus articles

    # linked articles outside the corpus: stubs, with the titles esummary gives
    listed = ",".join(map(str, wanted))
    stubs = query(db, f"SELECT pmid, title_en, is_stub FROM articles WHERE pmid NOT IN ({listed})")
    assert len(stubs) > 500
    for pmid, title, is_stub in stubs:
        assert is_stub == 1
        expected_title = by_pmid[pmid].title if pmid in by_pmid else f"Linked article {pmid}."
        assert title == expected_title
    assert {p for p, _, _ in stubs} & syndrome  # Bálint syndrome records only as linked stubs

    # Chinese publisher abstracts are aligned
    chinese = {p for p in wanted if by_pmid[p].chinese_abstract}
    assert len(chinese) == 8
    aligned = query(
        db,
        "SELECT a.pmid, a.abstract_zh_source, l.beads, l.stale, count(b.id) FROM articles a "
        "JOIN alignments l ON l.article_id = a.id JOIN alignment_beads b ON b.article_id = a.id "
        "GROUP BY a.id",
    )
    assert {row[0] for row in aligned} == chinese
    for _, source, beads, stale, rows in aligned:
        assert source == "publisher" and stale == 0 and beads == rows > 0

    # the run log
    assert row["status"] == "ok" and row["error"] is None and row["finished_at"]
    assert row["mode"] == "incremental" and json.loads(row["topics"]) == ["balint", "peer_support"]
    assert row["found"] == len(wanted) == row["records_new"] == report.counts.new
    assert row["records_updated"] == row["records_unchanged"] == row["records_deleted"] == 0
    assert row["new_edges"] == report.counts.new_edges == len(edges)
    assert row["requests"] == requests == eutils.requests == report.requests
    assert row["retries"] == 0 and json.loads(row["gaps"]) == []
    assert (row["window_from"], row["window_to"]) == ("1800/01/01", "2026/01/01")
    windows = query(db, "SELECT run_id, topic, date_from, date_to, found FROM harvest_windows")
    assert sorted(windows) == [
        (row["id"], "balint", "1800/01/01", "2026/01/01", len(found["balint"])),
        (row["id"], "peer_support", "1800/01/01", "2026/01/01", len(found["peer_support"])),
    ]


def test_first_harvest_requests(tmp_path: Path) -> None:
    """Batches of --batch-size, three elinks per batch (one a link name), stub titles in
    POSTed esummary id lists of at most 500; the first run searches by create date only."""
    with FakeEutils(records(), rate_limit=None) as fake:
        run_harvest(tmp_path / "h.db", fake)
        searches = fake.calls("esearch")
        fetches = fake.calls("efetch")
        links = fake.calls("elink")
        assert len(searches) == 2
        assert {r.params["datetype"] for r in searches} == {"crdt"}
        assert {r.params["term"] for r in searches} == {t.query for t in TOPICS}
        assert len(fetches) == 6 and len(links) == 18  # 57 records, 10 a batch
        fetched = [int(p) for r in fetches for p in str(r.params["id"]).split(",")]
        assert sorted(fetched) == fetched and len(set(fetched)) == 57
        assert all(len(str(r.params["id"]).split(",")) <= BATCH for r in fetches)
        for index, fetch in enumerate(fetches):  # one id= per PMID, a request per link name
            batch = links[3 * index : 3 * index + 3]
            assert [r.params["linkname"] for r in batch] == [
                "pubmed_pubmed_refs",
                "pubmed_pubmed_citedin",
                "pubmed_pubmed",
            ]
            for request in batch:
                ids = request.params["id"]
                ids = ids if isinstance(ids, list) else [ids]
                assert ids == str(fetch.params["id"]).split(",")
        assert not fake.calls("epost")
        summaries = fake.calls("esummary")
        assert all(len(str(r.params["id"]).split(",")) <= 500 for r in summaries)


# -- 2. incremental windows ------------------------------------------------------------------

T1 = date(2022, 6, 30)
REVISED = 30000000  # a Balint record of 2015 with a Chinese abstract


def _search_params(fake: FakeEutils) -> set[tuple[str, str, str, str]]:
    return {
        (r.params["term"], r.params["datetype"], r.params["mindate"], r.params["maxdate"])
        for r in fake.calls("esearch")
    }


def test_incremental_windows_revisions_and_new_records(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    corpus = records()
    with FakeEutils(corpus, rate_limit=None) as fake:
        first, first_row = run_harvest(db, fake, today=T1)
        found_then = matching(fake, T1)
    assert first.ok and first_row["found"] == len(found_then["balint"] | found_then["peer_support"])
    full_then = {p for (p,) in query(db, "SELECT pmid FROM articles WHERE is_stub = 0")}
    assert full_then == found_then["balint"] | found_then["peer_support"]
    assert max(full_then) == 30000038  # created 2022/04/22; the next one on 2022/09/12
    ((old_id, old_hash),) = query(
        db,
        "SELECT a.id, l.inputs_hash FROM articles a JOIN alignments l ON l.article_id = a.id "
        "WHERE a.pmid = ?",
        [REVISED],
    )

    # a record created after the first run, known then only as a stub (it cites one of them)
    ((stub_id, stub_title),) = query(
        db, "SELECT id, title_en FROM articles WHERE pmid = 30000041 AND is_stub = 1"
    )
    assert stub_title == next(r.title for r in corpus if r.pmid == 30000041)  # from esummary

    # revised after the first run: a new abstract, a new modification date
    revised = next(r for r in corpus if r.pmid == REVISED)
    revised.abstract = (
        "Balint groups may reduce burnout among residents. We revised the analysis of the "
        "trial. Participants reported less burnout after twelve sessions."
    )
    revised.mdat = "2024/03/01"
    with FakeEutils(corpus, rate_limit=None) as fake:
        second, row = run_harvest(db, fake)
        full_lists = {(t.query, "crdt", "1800/01/01", "2026/01/01") for t in TOPICS}
        assert _search_params(fake) == full_lists | {
            (t.query, kind, "2022/06/27", "2026/01/01") for t in TOPICS for kind in ("mdat", "crdt")
        }  # the windows, and the reconciliation's list of everything each topic finds
        expected_found = set()
        for t in TOPICS:
            for kind in ("mdat", "crdt"):
                expected_found |= set(fake.search(t.query, kind, "2022/06/27", "2026/01/01"))
        everything = matching(fake)
    assert second.ok and row["status"] == "ok" and row["mode"] == "incremental"
    assert row["found"] == len(expected_found)
    assert (row["window_from"], row["window_to"]) == ("2022/06/27", "2026/01/01")
    windows = query(
        db, "SELECT topic, date_from, date_to FROM harvest_windows WHERE run_id = ?", [row["id"]]
    )
    assert sorted(windows) == [
        ("balint", "2022/06/27", "2026/01/01"),
        ("peer_support", "2022/06/27", "2026/01/01"),
    ]
    # the revised record: updated in place, re-aligned from the new abstract
    ((new_id, abstract, new_hash, stale),) = query(
        db,
        "SELECT a.id, a.abstract_en, l.inputs_hash, l.stale FROM articles a "
        "JOIN alignments l ON l.article_id = a.id WHERE a.pmid = ?",
        [REVISED],
    )
    assert new_id == old_id and abstract == revised.abstract
    assert new_hash != old_hash and stale == 0
    beads = " ".join(
        r[0]
        for r in query(
            db,
            "SELECT en_text FROM alignment_beads WHERE article_id = ? ORDER BY position",
            [new_id],
        )
    )
    assert "revised the analysis" in beads
    assert second.counts.updated >= 1 and row["records_updated"] == second.counts.updated
    # new records (created after the first run) are added; everything is there now
    full = {p for (p,) in query(db, "SELECT pmid FROM articles WHERE is_stub = 0")}
    assert full == everything["balint"] | everything["peer_support"]
    assert row["records_new"] == len(full) - first_row["found"] == second.counts.new
    # the stub became the full record in place
    assert query(db, "SELECT is_stub, has_zh FROM articles WHERE id = ?", [stub_id]) == [(0, 1)]
    assert query(db, "SELECT id FROM articles WHERE pmid = 30000041") == [(stub_id,)]

    # and the result is what one clean harvest of the revised corpus gives
    with FakeEutils(corpus, rate_limit=None) as fake:
        run_harvest(tmp_path / "clean.db", fake)
    assert content(db) == content(tmp_path / "clean.db")


def test_a_revision_that_drops_an_abstract(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    corpus = records()
    with FakeEutils(corpus, rate_limit=None) as fake:
        run_harvest(db, fake, today=T1)
    by_pmid = {r.pmid: r for r in corpus}
    assert query(db, "SELECT has_zh FROM articles WHERE pmid = 30000000") == [(1,)]
    by_pmid[30000000].chinese_abstract = None  # the publisher's Chinese abstract withdrawn
    by_pmid[30000001].abstract = ""  # the English abstract withdrawn
    for pmid in (30000000, 30000001):
        by_pmid[pmid].mdat = "2024/02/02"
    with FakeEutils(corpus, rate_limit=None) as fake:
        report, row = run_harvest(db, fake)
        run_harvest(tmp_path / "clean.db", fake)
    assert report.ok and report.counts.updated >= 2
    assert content(db) == content(tmp_path / "clean.db")
    assert query(db, "SELECT has_zh, abstract_zh FROM articles WHERE pmid = 30000000") == [
        (0, None)
    ]
    assert query(db, "SELECT abstract_en FROM articles WHERE pmid = 30000001") == [(None,)]


def test_since_full_and_failed_runs_and_topic_windows(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    with FakeEutils(records(), rate_limit=None) as fake:
        run_harvest(db, fake, today=T1)

        fake.requests.clear()
        report, row = run_harvest(db, fake, since=date(2025, 1, 1))
        assert row["mode"] == "since" and row["status"] == "ok"
        assert _search_params(fake) == {
            (t.query, kind, "2025/01/01", "2026/01/01") for t in TOPICS for kind in ("mdat", "crdt")
        } | {(t.query, "crdt", "1800/01/01", "2026/01/01") for t in TOPICS}

        fake.requests.clear()
        report, row = run_harvest(db, fake, full=True)
        assert row["mode"] == "full" and row["status"] == "ok"
        assert _search_params(fake) == {
            (t.query, "crdt", "1800/01/01", "2026/01/01") for t in TOPICS
        }
        # what neither the first run (up to T1) nor --since found comes now
        assert report.counts.new > 0 and report.counts.updated == 0
        assert report.counts.new + report.counts.unchanged == row["found"] == 57

        # a failed run does not move the window
        fake.inject("esearch", "500", times=6)
        report, row = run_harvest(db, fake, today=date(2026, 3, 1))
        assert not report.ok and row["status"] == "failed"
        assert "esearch.fcgi: failed after 6 tries" in row["error"]

        fake.requests.clear()
        report, row = run_harvest(db, fake, today=date(2026, 4, 1))
        assert row["status"] == "ok"
        assert {(p[2], p[3]) for p in _search_params(fake)} == {
            ("2025/12/29", "2026/04/01"),
            ("1800/01/01", "2026/04/01"),  # the reconciliation
        }

        # one topic: only its window moves
        fake.requests.clear()
        report, row = run_harvest(db, fake, today=date(2026, 5, 1), topics=["balint"])
        assert json.loads(row["topics"]) == ["balint"]
        assert {p[0] for p in _search_params(fake)} == {"balint NOT syndrome"}
        with Store(db) as store:
            last_end = partial(store_runs.last_window_end, store.db)
            windows = plan_windows(last_end, TOPICS, Options(today=date(2026, 6, 1)))
        assert [(w.topic, w.date_from) for w in windows] == [
            ("balint", date(2026, 4, 28)),
            ("peer_support", date(2026, 3, 29)),
        ]


# -- 3. the cap ------------------------------------------------------------------------------


def test_cap_splits_the_date_range(tmp_path: Path) -> None:
    corpus = make_records(300, seed=5, links=False)
    with FakeEutils(corpus, rate_limit=None, cap=50) as fake:
        report, row = run_harvest(tmp_path / "h.db", fake, batch_size=50)
        everything = {t.name: set(fake.search(t.query)) for t in TOPICS}
        assert all(len(found) > 100 for found in everything.values())
        assert report.ok and row["status"] == "ok"
        assert {w.topic: w.pmids for w in report.windows} == everything
        full = {
            p for (p,) in query(tmp_path / "h.db", "SELECT pmid FROM articles WHERE is_stub = 0")
        }
        assert full == everything["balint"] | everything["peer_support"]

        # every search over the cap was split in two halves; the slices kept are under it
        for topic in TOPICS:
            searches = [
                (r.params["mindate"], r.params["maxdate"])
                for r in fake.calls("esearch")
                if r.params["term"] == topic.query
            ]
            hits = {s: fake.search(topic.query, "crdt", *s) for s in searches}
            kept = sorted(s for s in searches if len(hits[s]) <= 50)
            assert len(kept) >= 3
            over = [s for s in searches if len(hits[s]) > 50]
            assert ("1800/01/01", "2026/01/01") in over
            for low, high in over:  # both halves were asked for
                assert any(s[0] == low and s[1] < high for s in searches)
                assert any(s[1] == high and s[0] > low for s in searches)
            # the kept slices are disjoint and together hold everything
            for (_, high), (low, _) in pairwise(kept):
                assert high < low
            union = [p for s in kept for p in hits[s]]
            assert len(union) == len(set(union)) and set(union) == everything[topic.name]


def test_more_on_one_day_than_the_cap_fails_clearly(tmp_path: Path) -> None:
    same_day = [FakeRecord(1000 + i, f"Balint group {i}", crdt="2020/05/05") for i in range(60)]
    with FakeEutils(same_day, rate_limit=None, cap=50) as fake:
        report, row = run_harvest(tmp_path / "h.db", fake)
    assert row["status"] == "failed" and not report.ok
    assert "2020/05/05" in row["error"] and "narrow the query of topic 'balint'" in row["error"]


# -- 4. faults during a harvest --------------------------------------------------------------

RETRIED = [f for f in FAULTS if f != "missing-records"]
ENDPOINTS_AT = {"esearch": 2, "efetch": 3, "elink": 3, "esummary": 1}


@pytest.mark.parametrize("fault", RETRIED)
def test_each_fault_mid_run_still_ends_ok_with_the_same_content(
    tmp_path: Path, clean: tuple[Path, list], fault: str
) -> None:
    """The fault is served at each endpoint, in the middle of the run."""
    with FakeEutils(records(), rate_limit=None, slow_seconds=1.0) as fake:
        slept: list[float] = []  # backoff and Retry-After waits recorded, not slept
        eutils = client(fake, HookedEutils, timeout=0.3, link_timeout=0.3, sleep=slept.append)
        for endpoint, nth in ENDPOINTS_AT.items():
            eutils.hooks[(endpoint, nth)] = lambda e=endpoint: fake.inject(e, fault)
        report, row = run_harvest(tmp_path / "h.db", fake, eutils)
        served = list(fake.faults_served)
    assert sorted(served) == sorted((e, fault) for e in ENDPOINTS_AT)
    assert report.ok, report.error
    assert row["status"] == "ok" and row["error"] is None
    # elink splits a batch at a timeout or an <ERROR> instead of asking it again
    retried = 3 if fault in ("timeout", "error-element") else 4
    assert row["retries"] == retried == report.retries
    assert row["requests"] == report.requests
    assert content(tmp_path / "h.db") == clean[1]


def test_missing_records_are_asked_for_again(tmp_path: Path, clean: tuple[Path, list]) -> None:
    with FakeEutils(records(), rate_limit=None) as fake:
        eutils = client(fake, HookedEutils)
        eutils.hooks[("efetch", 2)] = lambda: fake.inject("efetch", "missing-records")
        report, row = run_harvest(tmp_path / "h.db", fake, eutils)
        fetches = fake.calls("efetch")
    # the second batch came back one short; that PMID alone was asked for once more
    second = [int(p) for p in str(fetches[1].params["id"]).split(",")]
    again = [f for f in fetches if str(f.params["id"]) == str(second[-1])]
    assert len(again) == 1
    assert len(fetches) == 7
    assert report.ok and row["status"] == "ok" and json.loads(row["gaps"]) == []
    assert content(tmp_path / "h.db") == clean[1]


def test_records_that_never_come_back_are_gaps(tmp_path: Path, clean: tuple[Path, list]) -> None:
    """A gap does not fail the run (its window advances): the PMID waits in harvest_todo and
    the next run asks for it although it is outside the next window."""
    db = tmp_path / "h.db"
    with FakeEutils(records(), rate_limit=None) as fake:
        eutils = client(fake, HookedEutils)
        eutils.hooks[("efetch", 2)] = lambda: fake.inject("efetch", "missing-records", times=2)
        report, row = run_harvest(db, fake, eutils)
        second = [int(p) for p in str(fake.calls("efetch")[1].params["id"]).split(",")]
        assert report.gaps == [second[-1]] and report.ok
        assert row["status"] == "ok" and json.loads(row["gaps"]) == [second[-1]]
        assert row["records_left"] == 1 and str(second[-1]) in row["error"]
        assert query(db, "SELECT pmid, step, attempts FROM harvest_todo") == [
            (second[-1], "record", 1)
        ]
        assert query(db, "SELECT is_stub FROM articles WHERE pmid = ?", [second[-1]]) in (
            [],
            [(1,)],
        )
        # the next run asks again and completes the corpus
        report, row = run_harvest(db, fake)
        assert row["retried"] >= 1
    assert report.ok and row["status"] == "ok"
    assert query(db, "SELECT count(*) FROM harvest_todo") == [(0,)]
    assert content(db) == clean[1]


@pytest.mark.parametrize(("endpoint", "nth"), [("efetch", 3), ("elink", 7), ("esummary", 1)])
def test_fault_beyond_max_tries_fails_the_run_and_keeps_what_was_saved(
    tmp_path: Path, clean: tuple[Path, list], endpoint: str, nth: int
) -> None:
    db = tmp_path / "h.db"
    with FakeEutils(records(), rate_limit=None) as fake:
        eutils = client(fake, HookedEutils)
        # efetch: 6 tries, then both halves of the batch 2 tries each (NCBI failing, not a record)
        times = 10 if endpoint == "efetch" else 6
        eutils.hooks[(endpoint, nth)] = lambda: fake.inject(endpoint, "503", times=times)
        report, row = run_harvest(db, fake, eutils)
        full = sorted(p for (p,) in query(db, "SELECT pmid FROM articles WHERE is_stub = 0"))
        everything = sorted(set().union(*(w.pmids for w in report.windows)))
        if endpoint == "esummary":  # records stored: the run is ok, titles left for the next
            assert report.ok and row["status"] == "ok" and row["titles_left"] > 0
            assert report.titles_left == row["titles_left"]
            assert full == everything
        else:  # the two batches before the failing one were saved, with their links
            assert not report.ok and report.error
            assert row["status"] == "failed" and row["finished_at"]
            assert row["error"].startswith(f"{endpoint}.fcgi: failed after 6 tries")
            retries = 5 + 2 if endpoint == "efetch" else 5  # + each half's second try
            assert row["retries"] == retries and row["requests"] == eutils.requests
            assert full == everything[: 2 * BATCH]
        assert row["records_new"] == len(full)
        saved_edges = query(db, "SELECT count(*) FROM citations")[0][0]
        assert saved_edges == row["new_edges"] > 0
        assert query(db, "PRAGMA integrity_check") == [("ok",)]

        fake.clear_faults()
        report, row = run_harvest(db, fake)
    assert report.ok and row["status"] == "ok"
    assert content(db) == clean[1]


def test_esummary_missing_a_title_is_asked_again_next_run(
    tmp_path: Path, clean: tuple[Path, list]
) -> None:
    db = tmp_path / "h.db"
    with FakeEutils(records(), rate_limit=None) as fake:
        fake.inject("esummary", "missing-records")
        report, row = run_harvest(db, fake)
        assert report.ok  # a title is not a record: no gap
        untitled = query(db, "SELECT pmid FROM articles WHERE is_stub = 1 AND title_en IS NULL")
        assert len(untitled) == 1
        assert row["titles_left"] == 1 == report.titles_left
        assert query(db, "SELECT pmid, step FROM harvest_todo") == [(untitled[0][0], "title")]
        before = len(fake.calls("esummary"))
        report, row = run_harvest(db, fake)
        assert report.ok and row["titles_left"] == 0
        (asked,) = fake.calls("esummary")[before:]
        assert asked.params["id"] == str(untitled[0][0])
    assert query(db, "SELECT count(*) FROM harvest_todo") == [(0,)]
    assert content(db) == clean[1]


def test_stub_titles_asked_for_in_chunks_while_saving(
    tmp_path: Path, clean: tuple[Path, list], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a small chunk (2,000 in real runs) titles are asked for between batches."""
    monkeypatch.setattr(
        harvest_module, "fetch_all", partial(harvest_batches.fetch_all, summary_chunk=100)
    )
    with FakeEutils(records(), rate_limit=None, ncbi=True) as fake:
        report, row = run_harvest(tmp_path / "h.db", fake)
        paths = [r.path.rsplit("/", 1)[1].removesuffix(".fcgi") for r in fake.requests]
        sizes = [len(str(r.params["id"]).split(",")) for r in fake.calls("esummary")]
        asked = [int(p) for r in fake.calls("esummary") for p in str(r.params["id"]).split(",")]
    assert report.ok
    assert paths.index("esummary") < len(paths) - 1 - paths[::-1].index("efetch")  # mid-run
    assert len(asked) == len(set(asked))  # nobody asked twice
    assert all(n <= 100 for n in sizes)
    assert content(tmp_path / "h.db") == clean[1]


def test_run_counts_are_per_run_when_a_client_is_reused(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    with FakeEutils(records(), rate_limit=None) as fake:
        eutils = client(fake)
        run_harvest(db, fake, eutils)
        before = len(fake.requests)
        fake.inject("esearch", "500")
        report, row = run_harvest(db, fake, eutils)
        made = len(fake.requests) - before
    assert (row["requests"], row["retries"]) == (made, 1)
    assert (report.requests, report.retries) == (made, 1)


# -- 5. deletions ----------------------------------------------------------------------------


def test_delete_citation_marks_the_article_deleted(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    corpus = records()
    gone = next(r for r in corpus if r.pmid == 30000019)  # peer support, with Chinese
    with FakeEutils(corpus, rate_limit=None) as fake:
        run_harvest(db, fake, today=date(2025, 12, 1))
    assert query(db, "SELECT is_stub, deleted FROM articles WHERE pmid = ?", [gone.pmid]) == [
        (0, 0)
    ]
    assert query(db, "SELECT count(*) FROM sentence_pairs WHERE pmid = ?", [gone.pmid])[0][0] > 0
    gone.deleted = True
    gone.mdat = "2025/12/15"  # PubMed withdrew it
    with FakeEutils(corpus, rate_limit=None) as fake:
        report, row = run_harvest(db, fake)
    assert report.ok and row["records_deleted"] == 1 == report.counts.deleted
    assert query(db, "SELECT is_stub, deleted FROM articles WHERE pmid = ?", [gone.pmid]) == [
        (0, 1)
    ]
    assert query(db, "SELECT count(*) FROM sentence_pairs WHERE pmid = ?", [gone.pmid]) == [(0,)]
    assert query(db, "SELECT count(*) FROM articles WHERE deleted = 1") == [(1,)]


# -- 6. idempotence --------------------------------------------------------------------------


def _state(store: Store) -> list[str]:
    """dump() without the run log and run provenance."""
    skipped = (
        'INSERT INTO "harvest_runs"',
        'INSERT INTO "harvest_windows"',
        'INSERT INTO "article_sources"',
    )
    return [line for line in dump(store) if not line.startswith(skipped)]


def test_harvesting_again_changes_nothing(
    tmp_path: Path, clean: tuple[Path, list], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "h.db"
    with FakeEutils(records(), rate_limit=None) as fake:
        run_harvest(db, fake)
        with Store(db) as store:
            before = _state(store)
            sources = query(
                db, "SELECT DISTINCT article_id, file_id, format, role FROM article_sources"
            )
        # any timestamp written from now on would show
        for module in (store_articles, store_links, store_alignments):
            monkeypatch.setattr(module, "now", lambda: "2099-01-01T00:00:00+00:00")

        again, row = run_harvest(db, fake)  # incremental: the last three days
        assert row["status"] == "ok" and row["window_from"] == "2025/12/29"
        everything, full_row = run_harvest(db, fake, full=True)
    assert full_row["status"] == "ok" and full_row["found"] == 57
    for report in (again, everything):
        assert report.counts.new == report.counts.updated == report.counts.deleted == 0
        assert report.counts.new_edges == 0
    assert everything.counts.unchanged == 57
    assert (full_row["records_unchanged"], full_row["new_edges"]) == (57, 0)
    with Store(db) as store:
        assert _state(store) == before
    assert sorted(
        query(db, "SELECT DISTINCT article_id, file_id, format, role FROM article_sources")
    ) == sorted(sources)
    assert content(db) == clean[1]


# -- 7. kill -9 and resume -------------------------------------------------------------------

CLI = [sys.executable, "-c", "from litbalint.cli import cli; cli()"]  # no `python -m` entry


def test_kill_9_and_resume(tmp_path: Path) -> None:
    corpus = make_records(160, seed=11)
    db, topics_file = tmp_path / "killed.db", tmp_path / "topics.yml"
    topics_file.write_text(TOPICS_YAML, encoding="utf-8")
    today = date.today()
    with FakeEutils(corpus) as fake:  # NCBI's limits: 10 requests/s with a key
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LITBALINT_", "NCBI_"))}
        env |= {"NCBI_EMAIL": EMAIL, "NCBI_API_KEY": "test", "LITBALINT_EUTILS_URL": fake.url}
        env["LITBALINT_CACHE"] = os.environ["LITBALINT_CACHE"]  # the tests' own (conftest.py)
        process = subprocess.Popen(
            [*CLI, "harvest", "--db", str(db), "--topics", str(topics_file), "--batch-size", "20"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 60
            while len(fake.calls("efetch")) < 6 and process.poll() is None:  # of 8
                assert time.monotonic() < deadline, "the harvest never fetched"
                time.sleep(0.01)
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            os.kill(process.pid, signal.SIGKILL)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)
            if process.stderr:
                process.stderr.close()
        assert process.returncode == -signal.SIGKILL
        assert fake.calls("esearch")[0].params["api_key"] == "test"

        # the database opens and is consistent: whole batches only
        assert query(db, "PRAGMA integrity_check") == [("ok",)]
        ((status,),) = query(db, "SELECT status FROM harvest_runs")
        assert status == "running"
        saved = query(
            db,
            "SELECT a.pmid, (SELECT count(*) FROM citations c WHERE c.citing_id = a.id "
            "AND c.kind = 'similar') FROM articles a WHERE a.is_stub = 0",
        )
        found = {p for t in TOPICS for p in fake.search(t.query)}
        assert len(saved) % 20 == 0 and 40 <= len(saved) < len(found)
        assert all(similar == 5 for _, similar in saved)  # each with its links

        # run again (the lock file of the dead process does not block) to completion
        fake.rate_limit = None  # the fast client below does not space its requests
        with harvest_lock(db), Store(db) as store:
            report = harvest(store, client(fake), TOPICS, Options(batch_size=20, today=today))
            runs = query(db, "SELECT id, status FROM harvest_runs ORDER BY id")
        assert report.ok
        assert runs == [(1, "interrupted"), (2, "ok")]

        # the same content as one uninterrupted harvest
        with Store(tmp_path / "clean.db") as store:
            assert harvest(store, client(fake), TOPICS, Options(batch_size=20, today=today)).ok
    assert content(db) == content(tmp_path / "clean.db")
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


# -- 8. the lock -----------------------------------------------------------------------------


@pytest.fixture
def topics_file(tmp_path: Path) -> Path:
    path = tmp_path / "topics.yml"
    path.write_text(TOPICS_YAML, encoding="utf-8")
    return path


@pytest.fixture
def fake():
    with FakeEutils(records(), rate_limit=None) as server:
        yield server


def test_a_second_harvest_exits_at_once_with_3(
    tmp_path: Path, topics_file: Path, fast_cli: list, fake: FakeEutils
) -> None:
    db = tmp_path / "h.db"
    with harvest_lock(db):
        started = time.monotonic()
        result = run("harvest", "--db", db, "--topics", topics_file, "--eutils-url", fake.url)
        assert time.monotonic() - started < 2
    assert result.exit_code == 3
    line = error_line(result)
    assert "a harvest is already running" in line and str(db) in line
    assert f"pid {os.getpid()}" in line
    assert result.stdout == ""
    assert fake.requests == []


def test_a_stale_lock_file_does_not_block(
    tmp_path: Path, topics_file: Path, fast_cli: list, fake: FakeEutils
) -> None:
    db = tmp_path / "h.db"
    (tmp_path / "h.db.harvest-lock").write_text("pid 999999")  # left by a dead process
    result = run("harvest", "--db", db, "--topics", topics_file, "--eutils-url", fake.url, "-q")
    assert result.exit_code == 0, result.output
    assert query(db, "SELECT status FROM harvest_runs") == [("ok",)]
    with harvest_lock(db):  # and it was released again
        pass


def test_the_lock_is_released_after_a_run_and_after_an_error(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    with harvest_lock(db), pytest.raises(LitbalintError, match="already running"), harvest_lock(db):
        pass
    with pytest.raises(RuntimeError), harvest_lock(db):
        raise RuntimeError("boom")
    with harvest_lock(db):
        pass


# -- 9. the command line ---------------------------------------------------------------------


def test_cli_harvest(tmp_path: Path, topics_file: Path, fast_cli: list, fake: FakeEutils) -> None:
    db = tmp_path / "h.db"
    result = run(
        "harvest",
        "--db",
        db,
        "--topics",
        topics_file,
        "--eutils-url",
        fake.url,
        "--batch-size",
        10,
        "--similar",
        2,
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[:6] == [f"harvest: {n}/57 records fetched" for n in (10, 20, 30, 40, 50, 57)]
    today = date.today()
    found = {t.name: len(fake.search(t.query)) for t in TOPICS}
    assert lines[6:8] == [
        f"balint: 1800-01-01 .. {today:%Y-%m-%d}: {found['balint']} records",
        f"peer_support: 1800-01-01 .. {today:%Y-%m-%d}: {found['peer_support']} records",
    ]
    assert lines[8].startswith(
        "harvest ok: run 1: 57 records (new 57, updated 0, unchanged 0, deleted 0); "
    )
    assert lines[8].endswith(f"; {len(fake.requests)} requests, 0 retries")
    assert len(lines) == 9
    similar = query(
        db,
        "SELECT max(n) FROM (SELECT count(*) n FROM citations WHERE kind = 'similar' "
        "GROUP BY citing_id)",
    )
    assert similar == [(2,)]
    assert fake.missing_identity == 0 and len(fast_cli) == 1


def test_cli_quiet_prints_only_the_final_line(
    tmp_path: Path, topics_file: Path, fast_cli: list, fake: FakeEutils
) -> None:
    result = run(
        "harvest",
        "--db",
        tmp_path / "h.db",
        "--topics",
        topics_file,
        "-q",
        "--eutils-url",
        fake.url,
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    (line,) = result.stdout.splitlines()
    assert line.startswith("harvest ok: run 1: 57 records (new 57,")


def test_cli_dry_run_counts_and_writes_nothing(
    tmp_path: Path, topics_file: Path, fast_cli: list, fake: FakeEutils
) -> None:
    db = tmp_path / "h.db"
    result = run(
        "harvest",
        "--db",
        db,
        "--topics",
        topics_file,
        "--dry-run",
        "--eutils-url",
        fake.url,
        "--since",
        "2024-01-01",
    )
    assert result.exit_code == 0, result.output
    today = date.today()
    counts = {}
    for t in TOPICS:
        counts[t.name] = len(
            {
                p
                for kind in ("mdat", "crdt")
                for p in fake.search(t.query, kind, "2024/01/01", f"{today:%Y/%m/%d}")
            }
        )
    assert [line for line in result.stdout.splitlines() if not line.startswith(" ")] == [
        f"balint: 2024-01-01 .. {today:%Y-%m-%d}: {counts['balint']} records",
        f"peer_support: 2024-01-01 .. {today:%Y-%m-%d}: {counts['peer_support']} records",
    ]
    assert "  PubMed reads the query as: " in result.stdout
    assert all(counts.values())
    assert {r.path.rsplit("/", 1)[1] for r in fake.requests} == {"esearch.fcgi"}
    assert list(tmp_path.iterdir()) == [topics_file]  # no database, no lock file


def test_cli_eutils_url_from_the_environment(
    tmp_path: Path,
    topics_file: Path,
    fast_cli: list,
    fake: FakeEutils,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LITBALINT_EUTILS_URL", fake.url)
    result = run("harvest", "--db", tmp_path / "h.db", "--topics", topics_file, "-q")
    assert result.exit_code == 0, result.output
    assert fast_cli[0].base_url == fake.url
    assert len(fake.calls("efetch")) == 1
    # the option wins over the environment
    with FakeEutils(records(), rate_limit=None) as other:
        result = run(
            "harvest",
            "--db",
            tmp_path / "h2.db",
            "--topics",
            topics_file,
            "-q",
            "--eutils-url",
            other.url,
        )
        assert result.exit_code == 0, result.output
        assert len(other.calls("efetch")) == 1
    assert len(fake.calls("efetch")) == 1


@pytest.mark.parametrize("value", [None, ""])
def test_cli_without_ncbi_email(
    tmp_path: Path,
    topics_file: Path,
    fast_cli: list,
    fake: FakeEutils,
    monkeypatch: pytest.MonkeyPatch,
    value: str | None,
) -> None:
    if value is None:
        monkeypatch.delenv("NCBI_EMAIL")
    else:
        monkeypatch.setenv("NCBI_EMAIL", value)
    result = run(
        "harvest", "--db", tmp_path / "h.db", "--topics", topics_file, "--eutils-url", fake.url
    )
    assert result.exit_code == 2
    assert "NCBI_EMAIL" in error_line(result) and error_line(result).startswith("Error: ")
    assert fake.requests == []
    assert not (tmp_path / "h.db").exists()


def test_cli_since_and_full_together_is_a_usage_error(
    tmp_path: Path, topics_file: Path, fast_cli: list, fake: FakeEutils
) -> None:
    result = run(
        "harvest",
        "--db",
        tmp_path / "h.db",
        "--topics",
        topics_file,
        "--eutils-url",
        fake.url,
        "--since",
        "2024-01-01",
        "--full",
    )
    assert result.exit_code == 2
    assert "--since and --full" in error_line(result)
    assert fake.requests == []


def test_cli_bad_since_date(
    tmp_path: Path, topics_file: Path, fast_cli: list, fake: FakeEutils
) -> None:
    result = run(
        "harvest",
        "--db",
        tmp_path / "h.db",
        "--topics",
        topics_file,
        "--eutils-url",
        fake.url,
        "--since",
        "2024-13-01",
    )
    assert result.exit_code == 2
    assert "2024-13-01" in error_line(result)
    assert fake.requests == []


def test_cli_unknown_topic_is_one_clear_line(
    tmp_path: Path, topics_file: Path, fast_cli: list, fake: FakeEutils
) -> None:
    result = run(
        "harvest",
        "--db",
        tmp_path / "h.db",
        "--topics",
        topics_file,
        "--eutils-url",
        fake.url,
        "--topic",
        "balint",
        "--topic",
        "ballint",
    )
    assert result.exit_code != 0
    line = error_line(result)
    assert "unknown topic ballint" in line and "balint, peer_support" in line
    assert fake.requests == []


def test_cli_unknown_topic_is_a_usage_error(
    tmp_path: Path, topics_file: Path, fast_cli: list, fake: FakeEutils
) -> None:
    result = run(
        "harvest",
        "--db",
        tmp_path / "h.db",
        "--topics",
        topics_file,
        "--eutils-url",
        fake.url,
        "--topic",
        "ballint",
    )
    assert result.exit_code == 2


BAD_TOPICS = {
    "not yaml": "topics: [unclosed\n",
    "no topics": "something: else\n",
    "empty": "",
    "a list": "topics:\n  - balint\n",
    "no query": "topics:\n  balint:\n    description: no query here\n",
}


@pytest.mark.parametrize("text", list(BAD_TOPICS.values()), ids=list(BAD_TOPICS))
def test_cli_malformed_topics_file(
    tmp_path: Path, fast_cli: list, fake: FakeEutils, text: str
) -> None:
    path = tmp_path / "bad-topics.yml"
    path.write_text(text, encoding="utf-8")
    result = run("harvest", "--db", tmp_path / "h.db", "--topics", path, "--eutils-url", fake.url)
    assert result.exit_code == 2
    assert str(path) in error_line(result)
    assert fake.requests == []


def test_cli_missing_topics_file(tmp_path: Path, fast_cli: list, fake: FakeEutils) -> None:
    path = tmp_path / "nowhere.yml"
    result = run("harvest", "--db", tmp_path / "h.db", "--topics", path, "--eutils-url", fake.url)
    assert result.exit_code == 2
    line = error_line(result)
    assert str(path) in line and "cannot read the topics file" in line


def test_cli_topics_file_is_a_folder(tmp_path: Path, fast_cli: list, fake: FakeEutils) -> None:
    result = run(
        "harvest", "--db", tmp_path / "h.db", "--topics", tmp_path, "--eutils-url", fake.url
    )
    assert result.exit_code == 2
    assert str(tmp_path) in error_line(result)


def test_cli_topics_file_not_utf8(tmp_path: Path, fast_cli: list, fake: FakeEutils) -> None:
    path = tmp_path / "latin1.yml"
    path.write_bytes("topics:\n  b\xe1lint:\n    query: b\xe1lint\n".encode("latin-1"))
    with pytest.raises(LitbalintError, match="latin1.yml"):
        load_topics(path)
    result = run("harvest", "--db", tmp_path / "h.db", "--topics", path, "--eutils-url", fake.url)
    assert result.exit_code == 2
    assert str(path) in error_line(result)


def test_load_topics(tmp_path: Path) -> None:
    path = tmp_path / "topics.yml"
    path.write_text(TOPICS_YAML, encoding="utf-8")
    assert load_topics(path) == [
        Topic("balint", "balint NOT syndrome", "balint", "balint", "#0072B2",
              description="Balint groups (not Bálint syndrome)"),
        Topic("peer_support", "peer support", "peer support", "peer support", "#E69F00",
              description="Peer support"),
    ]  # fmt: skip
    bundled = load_topics(resources.packaged_path(resources.TOPICS))
    assert [t.name for t in bundled] == ["balint", "peer_support"]
    assert [(t.label_en, t.label_zh) for t in bundled] == [
        ("Balint groups", "巴林特小组"),
        ("Peer support", "同伴支持"),
    ]
    assert all("\n" not in t.query for t in bundled)


def test_cli_failure_after_retries_is_exit_1_and_one_line(
    tmp_path: Path,
    topics_file: Path,
    fast_cli: list,
    fake: FakeEutils,
    monkeypatch: pytest.MonkeyPatch,
    clean: tuple[Path, list],
) -> None:
    db = tmp_path / "h.db"

    def hooked(base_url: str, email: str, api_key: str | None = None) -> Eutils:
        eutils = client(fake, HookedEutils)
        eutils.hooks[("efetch", 3)] = lambda: fake.inject("efetch", "502", times=10)
        return eutils

    monkeypatch.setattr(_harvest_command_module(), "Eutils", hooked)
    result = run("harvest", "--db", db, "--topics", topics_file, "--batch-size", 10)
    assert result.exit_code == 1
    line = error_line(result)
    assert line.startswith("Error: efetch.fcgi: failed after 6 tries") and "HTTP 502" in line
    assert "harvest failed: run 1: 20 records (new 20," in result.stdout
    ((status, error),) = query(db, "SELECT status, error FROM harvest_runs")
    assert status == "failed" and error == line.removeprefix("Error: ")
    assert query(db, "SELECT count(*) FROM articles WHERE is_stub = 0") == [(20,)]

    monkeypatch.setattr(_harvest_command_module(), "Eutils", lambda *a, **k: client(fake))
    result = run("harvest", "--db", db, "--topics", topics_file, "--batch-size", 10, "-q")
    assert result.exit_code == 0, result.output
    assert query(db, "SELECT id, status FROM harvest_runs") == [(1, "failed"), (2, "ok")]
    assert content(db) == clean[1]


def test_cli_gaps_are_left_for_the_next_run_and_exit_0(
    tmp_path: Path,
    topics_file: Path,
    fast_cli: list,
    fake: FakeEutils,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake.inject("efetch", "missing-records", times=2)
    result = run(
        "harvest",
        "--db",
        tmp_path / "h.db",
        "--topics",
        topics_file,
        "--eutils-url",
        fake.url,
        "-q",
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    (line,) = result.stdout.splitlines()
    assert (
        line.startswith("harvest ok: run 1: 57 records")
        and "; 1 records left for the next run;" in line
    )
    assert query(tmp_path / "h.db", "SELECT status, records_left FROM harvest_runs") == [("ok", 1)]
