"""The harvest against the fake in its real-NCBI mode (FakeEutils(ncbi=True)): PubMed's link
counts, NCBI's limits and failure shapes, and many simulated nights with an injected `today`
(new and revised records, an outage, a mass revision, links failing one night)."""

from __future__ import annotations

import copy
import json
import socket
import sqlite3
import subprocess
import time
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest

from litbalint.cli_harvest import summary_line
from litbalint.eutils import Eutils, EutilsUnreachable
from litbalint.harvest import Options, RunReport, harvest
from litbalint.store import SCHEMA_VERSION, Store, runs
from litbalint.store.schema import TABLES
from tests.conftest import run
from tests.support import fake_eutils
from tests.support.content import content
from tests.support.fake_eutils import FakeEutils, FakeRecord, searched
from tests.support.synthetic.records import cite, make_records

EMAIL = "t@example.org"
TOPICS = [searched("balint", "balint NOT syndrome"), searched("peer_support", "peer support")]


@pytest.fixture(autouse=True)
def _fake_answers_without_nagle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fake_eutils._Handler, "disable_nagle_algorithm", True)


def client(url: str, link_timeout: float = 0.2, **kwargs) -> Eutils:
    """Fast: no spacing (the fake runs without a rate limit), tiny backoff, short timeouts."""
    made = Eutils(url, EMAIL, backoff=0.01, timeout=5, link_timeout=link_timeout, **kwargs)
    made.limiter.interval = 0
    return made


def run_night(
    db: Path, url: str, today: date, link_timeout: float = 0.2, **options
) -> tuple[RunReport, dict]:
    options.setdefault("batch_size", 100)
    with Store(db) as store:
        eutils = client(url, link_timeout)
        report = harvest(store, eutils, TOPICS, Options(today=today, **options))
        row = runs.run_row(store.db, report.run_id) if report.run_id else {}
    return report, row


def query(db: Path, sql: str, params: list | tuple = ()) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


def _search_windows(fake: FakeEutils) -> set[tuple[str, str]]:
    return {(r.params["mindate"], r.params["maxdate"]) for r in fake.calls("esearch")}


def test_1560_records_with_pubmeds_link_counts_then_an_incremental_run(tmp_path: Path) -> None:
    """~100 similar, ~35 references, ~12 citing articles each: the run ends ok with every
    stub titled; the next run asks only for its new window."""
    db = tmp_path / "h.db"
    world = make_records(1560, seed=11, real_links=True)
    today = date(2026, 1, 1)
    started = time.process_time()  # the harvest's and the fake's threads: steady under load
    with FakeEutils(world, rate_limit=None, ncbi=True) as fake:
        report, row = run_night(db, fake.url, today, batch_size=500, link_timeout=5)
        assert report.ok and row["status"] == "ok", report.error
        assert row["found"] >= 1500 and report.counts.new == row["found"]
        assert (report.links_left, report.titles_left, report.gaps) == (0, 0, [])
        assert query(
            db, "SELECT count(*) FROM articles WHERE is_stub = 1 AND title_en IS NULL"
        ) == [(0,)]
        stubs = query(db, "SELECT count(*) FROM articles WHERE is_stub = 1")[0][0]
        assert stubs > 50_000
        edges = dict(query(db, "SELECT kind, count(*) FROM citations GROUP BY kind"))
        assert edges["references"] > 30 * row["found"] and edges["similar"] == 10 * row["found"]
        assert edges["cited_by"] > 8 * row["found"]
        summaries = fake.calls("esummary")
        assert all(len(str(r.params["id"]).split(",")) <= 500 for r in summaries)
        assert all(r.status == 200 for r in fake.requests)
        for request in fake.calls("elink"):  # the shapes that answer reliably
            assert request.params.get("linkname")
            assert (request.params["cmd"] == "neighbor_score") == (
                request.params["linkname"] == "pubmed_pubmed"
            )
        assert not fake.calls("epost")

        fake.requests.clear()
        later = today + timedelta(days=1)
        report, row = run_night(db, fake.url, later, link_timeout=5)
        assert report.ok and row["status"] == "ok"
        assert _search_windows(fake) == {("2025/12/29", "2026/01/02"), ("1800/01/01", "2026/01/02")}
        full_lists = [r for r in fake.calls("esearch") if r.params["mindate"] == "1800/01/01"]
        assert len(full_lists) == len(TOPICS)  # the reconciliation: one per topic under 10,000
        assert (report.missing, row["topics_dropped"], row["records_deleted"]) == (0, 0, 0)
        assert not fake.calls("esummary") or all(r.params["id"] for r in fake.calls("esummary"))
    assert time.process_time() - started < 60


def _new_records(night: int, start_pmid: int, day: date, n: int = 12) -> list[FakeRecord]:
    """Records created on `day` (new PMIDs), citing only each other and older PMIDs far below
    the corpus (so no earlier record's "cited by" changes in the world)."""
    made = make_records(n, seed=100 + night, start_pmid=start_pmid)
    stamp = f"{day:%Y/%m/%d}"
    for record in made:
        record.crdt = record.mdat = stamp
        record.year = day.year
        record.refs = [p for p in record.refs if p >= start_pmid or p < 20_000_000]
    return made


def _revise(records: list[FakeRecord], day: date, text: str) -> None:
    for record in records:
        record.abstract = f"{record.abstract} {text}".strip()  # some have no abstract
        record.mdat = f"{day:%Y/%m/%d}"


def _closed_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/entrez/eutils/"


def test_many_nights_end_with_the_corpus_equal_to_the_world(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    world = make_records(150, seed=21, real_links=True)
    next_pmid = 30000000 + len(world)
    day = date(2026, 1, 1)
    with FakeEutils(copy.deepcopy(world), rate_limit=None, ncbi=True) as fake:
        report, row = run_night(db, fake.url, day)
    assert report.ok
    for night in range(1, 9):
        before = query(db, "SELECT count(*) FROM articles WHERE is_stub = 0")
        day += timedelta(days=1)
        new = _new_records(night, next_pmid, day)
        next_pmid += len(new)
        world += new
        old = [r for r in world[: len(world) - len(new)] if "syndrome" not in r.title]
        if night == 4:  # a mass revision: more than one efetch batch
            _revise(old[:130], day, f"Revised on night {night}.")
        else:
            _revise(old[night * 3 : night * 3 + 3], day, f"Revised on night {night}.")
        if night == 2:  # outage: nothing listens; then NCBI answers 503 to everything
            report, row = None, {}
            with Store(db) as store, pytest.raises(EutilsUnreachable):
                harvest(store, client(_closed_url()), TOPICS, Options(today=day, batch_size=100))
            with FakeEutils(copy.deepcopy(world), rate_limit=None, ncbi=True) as fake:
                fake.fault_rate(None, 1.0, ["503"])
                report, row = run_night(db, fake.url, day)
            assert not report.ok and row["status"] == "failed" and "HTTP 503" in row["error"]
            stored = "SELECT count(*) FROM articles WHERE pmid >= ? AND is_stub = 0"
            assert query(db, stored, [new[0].pmid]) == [(0,)]
            assert query(db, "SELECT count(*) FROM articles WHERE is_stub = 0") == before
            continue
        with FakeEutils(copy.deepcopy(world), rate_limit=None, ncbi=True) as fake:
            if night == 5:  # the links of two new records fail tonight (timeout, ERROR)
                fake.link_failures = {new[0].pmid: "hang", new[1].pmid: "linkset"}
                fake.slow_seconds = 0.5
            report, row = run_night(db, fake.url, day)
            assert report.ok and row["status"] == "ok", report.error
            if night == 3:  # the outage night's records came with the next run
                assert _search_windows(fake) - {("1800/01/01", "2026/01/04")} == {
                    ("2025/12/30", "2026/01/04")
                }
            if night == 4:
                assert row["records_updated"] >= 130 and len(fake.calls("efetch")) >= 2
            if night == 5:
                assert report.links_left == 2 == row["links_left"]
                assert query(db, "SELECT pmid FROM harvest_todo WHERE step = 'links'") == [
                    (new[0].pmid,),
                    (new[1].pmid,),
                ]
            if night == 6:
                assert row["retried"] >= 2 and report.links_left == 0
                assert query(db, "SELECT count(*) FROM harvest_todo") == [(0,)]
    with FakeEutils(copy.deepcopy(world), rate_limit=None, ncbi=True) as fake:
        clean, _ = run_night(tmp_path / "clean.db", fake.url, day)
    assert clean.ok
    assert content(db) == content(tmp_path / "clean.db")
    abstracts = dict(query(db, "SELECT pmid, abstract_en FROM articles WHERE is_stub = 0"))
    for record in world:
        if record.pmid in abstracts:
            assert abstracts[record.pmid] == (record.abstract or None)


def test_a_v5_database_is_upgraded_by_alter_table(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    v5 = TABLES.split("CREATE TABLE IF NOT EXISTS harvest_todo")[0]
    v5 = v5.replace(
        ",\n    query_notes TEXT NOT NULL DEFAULT '{}',\n    retried INTEGER NOT NULL DEFAULT 0,\n"
        "    records_left INTEGER NOT NULL DEFAULT 0,\n    links_left INTEGER NOT NULL DEFAULT 0,\n"
        "    titles_left INTEGER NOT NULL DEFAULT 0,\n    given_up TEXT NOT NULL DEFAULT '[]',\n"
        "    links_refreshed INTEGER NOT NULL DEFAULT 0,\n"
        "    topics_dropped INTEGER NOT NULL DEFAULT 0\n",
        "\n",
    )
    with closing(sqlite3.connect(db)) as conn:
        conn.executescript(v5.split("CREATE VIRTUAL TABLE")[0])
        conn.execute("INSERT INTO litbalint_meta VALUES ('schema_version', '5')")
        conn.execute(
            "INSERT INTO harvest_runs (started_at, mode, topics, status) "
            "VALUES ('2025-01-01', 'incremental', '[]', 'ok')"
        )
        conn.commit()
        assert "links_left" not in {r[1] for r in conn.execute("PRAGMA table_info(harvest_runs)")}
    with Store(db) as store:
        row = runs.run_row(store.db, 1)
    assert row["links_left"] == 0 and row["query_notes"] == "{}" and row["given_up"] == "[]"
    assert row["links_refreshed"] == 0 == row["topics_dropped"]
    assert query(db, "SELECT value FROM litbalint_meta WHERE key = 'schema_version'") == [
        (str(SCHEMA_VERSION),)
    ]
    assert query(db, "SELECT count(*) FROM harvest_todo") == [(0,)]


def test_cli_nothing_listening_is_one_line_within_seconds(tmp_path: Path, monkeypatch) -> None:
    topics = tmp_path / "topics.yml"
    topics.write_text("topics:\n  balint:\n    query: balint\n", encoding="utf-8")
    monkeypatch.setenv("NCBI_EMAIL", EMAIL)
    url = _closed_url()
    for extra in ([], ["--dry-run"]):
        started = time.monotonic()
        result = run(
            "harvest", "--db", tmp_path / "h.db", "--topics", topics, "--eutils-url", url, *extra
        )
        assert time.monotonic() - started < 5
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr == (
            f"Error: cannot reach E-utilities at {url}: connection refused; check the network "
            "or --eutils-url\n"
        )


def test_cli_unknown_field_fails_fast_naming_the_topic(tmp_path: Path, monkeypatch) -> None:
    topics = tmp_path / "topics.yml"
    topics.write_text("topics:\n  balint:\n    query: balint[tiab] AND group[xyz]\n", "utf-8")
    monkeypatch.setenv("NCBI_EMAIL", EMAIL)
    with FakeEutils(make_records(30, seed=2), rate_limit=None, ncbi=True) as fake:
        result = run(
            "harvest", "--db", tmp_path / "h.db", "--topics", topics, "-q", "--eutils-url", fake.url
        )
        searches = len(fake.calls("esearch"))
    assert result.exit_code == 1 and searches == 1
    errors = [line for line in result.stderr.splitlines() if line]
    assert errors == [
        "Error: topic 'balint': PubMed does not know the field in FieldNotFound: xyz; fix the "
        "topic's query in the topics file"
    ]
    notes = query(tmp_path / "h.db", "SELECT query_notes FROM harvest_runs")[0][0]
    assert "FieldNotFound: xyz" in notes


def test_nightly_script_is_quiet_with_q(tmp_path: Path) -> None:
    fake_cli = tmp_path / "litbalint"
    fake_cli.write_text(
        '#!/usr/bin/env bash\necho "$*" >> "$0.calls"\n'
        'case "$1" in harvest) echo "harvest ok: run 1: 3 records" ;; '
        'embed) echo "embed ok: 3 articles embedded"; exit "${EMBED_CODE:-0}" ;; '
        '*) echo "articles: 3" ;; esac\n',
        encoding="utf-8",
    )
    fake_cli.chmod(0o755)
    script = Path(__file__).resolve().parents[1] / "scripts" / "nightly-harvest.sh"
    env = {"PATH": "/usr/bin:/bin", "LITBALINT": str(fake_cli)}
    quiet = subprocess.run([script, "-q"], env=env, capture_output=True, text=True, check=True)
    assert quiet.stdout == "harvest ok: run 1: 3 records\nembed ok: 3 articles embedded\n"
    assert quiet.stderr == ""
    assert (tmp_path / "litbalint.calls").read_text().splitlines() == ["harvest -q", "embed -q"]
    loud = subprocess.run([script], env=env, capture_output=True, text=True, check=True)
    lines = loud.stdout.splitlines()
    assert lines[0].startswith("== ") and lines[1] == "harvest ok: run 1: 3 records"
    assert lines[2].endswith("harvest exit code 0") and lines[3] == "embed ok: 3 articles embedded"
    assert lines[4].endswith("embed exit code 0") and lines[5] == "articles: 3"
    failed = subprocess.run([script, "-q"], env={**env, "EMBED_CODE": "1"}, capture_output=True)
    assert failed.returncode == 1  # the harvest went well, the embedding did not


def test_cli_dry_run_reads_the_last_windows_and_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    topics = tmp_path / "topics.yml"
    topics.write_text(
        "topics:\n  balint:\n    query: '\"balint group\" AND the residents'\n", "utf-8"
    )
    monkeypatch.setenv("NCBI_EMAIL", EMAIL)
    db = tmp_path / "h.db"
    with FakeEutils(make_records(40, seed=3), rate_limit=None, ncbi=True) as fake:
        with Store(db) as store:
            harvest(
                store,
                client(fake.url),
                [searched("balint", "balint")],
                Options(today=date(2026, 1, 1)),
            )
        before = sorted(p.name for p in tmp_path.iterdir()), db.read_bytes(), db.stat().st_mtime_ns
        result = run(
            "harvest", "--db", db, "--topics", topics, "--dry-run", "--eutils-url", fake.url
        )
        windows = _search_windows(fake)
    assert result.exit_code == 0, result.output
    assert ("2025/12/29", date.today().strftime("%Y/%m/%d")) in windows
    assert (
        sorted(p.name for p in tmp_path.iterdir()),
        db.read_bytes(),
        db.stat().st_mtime_ns,
    ) == before
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"balint: 2025-12-29 .. {date.today():%Y-%m-%d}: ")
    assert lines[1].startswith("  PubMed reads the query as: ")
    assert "  PubMed notes: PhraseIgnored: the" in lines
    with FakeEutils(make_records(40, seed=3), rate_limit=None, ncbi=True) as fake:
        replayed = run(
            "harvest", "--db", db, "--topics", topics, "--dry-run", "--eutils-url", fake.url,
            "--today", "2026-01-09",
        )  # fmt: skip
        assert _search_windows(fake) == {("2025/12/29", "2026/01/09")}
    assert replayed.stdout.startswith("balint: 2025-12-29 .. 2026-01-09: "), replayed.output


class _Hiding(dict):
    """The fake's records with one PMID that efetch never returns (esearch still lists it)."""

    hidden = 0

    def __contains__(self, pmid: object) -> bool:
        return pmid != self.hidden and super().__contains__(pmid)


@pytest.mark.parametrize("empty_answer", ["empty set", "ERROR"])
def test_a_pmid_efetch_never_returns_is_given_up_after_three_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_answer: str
) -> None:
    """Asked alone, the lost PMID comes back as an empty PubmedArticleSet, or as NCBI's
    `<ERROR>Empty id list - nothing todo</ERROR>`: either way a gap, never a failed night."""
    db = tmp_path / "h.db"
    world = make_records(30, seed=4)
    lost = next(r.pmid for r in world if "syndrome" not in r.title and r.crdt < "2020")
    if empty_answer == "ERROR":
        serve_efetch = FakeEutils._efetch

        def efetch(fake: FakeEutils, params: dict, missing: bool):
            if all(int(i) not in fake.records for i in fake_eutils._ids(params)[0]):
                return fake_eutils._error_reply("eFetchResult", "Empty id list - nothing todo")
            return serve_efetch(fake, params, missing)

        monkeypatch.setattr(FakeEutils, "_efetch", efetch)
    with FakeEutils(world, rate_limit=None, ncbi=True) as fake:
        fake.records = _Hiding(fake.records)
        fake.records.hidden = lost
        day = date(2026, 1, 1)
        for night in range(1, 5):
            fake.requests.clear()
            report, row = run_night(db, fake.url, day + timedelta(days=night))
            asked = {p for r in fake.calls("efetch") for p in str(r.params["id"]).split(",")}
            assert report.ok and row["status"] == "ok"
            if night < 3:
                assert report.gaps == [lost] and report.given_up == [] and str(lost) in asked
            elif night == 3:
                assert report.gaps == [] and report.given_up == [lost] == json.loads(
                    row["given_up"]
                )
            else:  # given up: no longer asked for, no longer reported
                assert str(lost) not in asked and report.gaps == report.given_up == []
    assert query(
        db, "SELECT step, attempts, given_up FROM harvest_todo WHERE pmid = ?", [lost]
    ) == [("record", 3, 1)]


def test_a_record_efetch_cannot_serve_costs_that_record_not_the_night(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every efetch holding one PMID answers 502: the batch is halved down to that PMID, which
    becomes a gap (asked again next night); every other record is stored and the run is ok."""
    world = make_records(120, seed=6)
    bad = next(r.pmid for r in world if "syndrome" not in r.title)
    serve = FakeEutils._efetch

    def efetch(fake: FakeEutils, params: dict, missing: bool):
        if bad in fake_eutils._ids(params)[0]:
            return fake_eutils._html_reply(502)
        return serve(fake, params, missing)

    monkeypatch.setattr(FakeEutils, "_efetch", efetch)
    db = tmp_path / "h.db"
    with FakeEutils(world, rate_limit=None, ncbi=True) as fake:
        report, row = run_night(db, fake.url, date(2026, 1, 1))
        wanted = set().union(*(w.pmids for w in report.windows))
        efetches = len(fake.calls("efetch"))
    assert report.ok and row["status"] == "ok" and report.gaps == [bad]
    stored = {p for (p,) in query(db, "SELECT pmid FROM articles WHERE is_stub = 0")}
    assert stored == wanted - {bad}
    assert efetches < 40  # 6 tries, then halves of 2 tries down to the one PMID
    assert query(db, "SELECT step, attempts FROM harvest_todo WHERE pmid = ?", [bad]) == [
        ("record", 1)
    ]


def test_an_esummary_outage_leaves_titles_for_the_next_run_without_counting_attempts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """esummary answers 503 all night: titles are asked once (6 tries), the rest not at all;
    no stub counts an attempt, so three such nights give nothing up; the next good night
    titles every stub."""
    world = make_records(60, seed=7, real_links=True)
    serve = FakeEutils._esummary
    down = [True]

    def esummary(fake: FakeEutils, params: dict, missing: bool):
        return fake_eutils._html_reply(503) if down[0] else serve(fake, params, missing)

    monkeypatch.setattr(FakeEutils, "_esummary", esummary)
    db = tmp_path / "h.db"
    with FakeEutils(world, rate_limit=None, ncbi=True) as fake:
        for night in range(1, 4):
            fake.requests.clear()
            report, row = run_night(db, fake.url, date(2026, 1, night))
            assert report.ok and report.titles_left > 1000 and report.titles_given_up == 0
            assert len(fake.calls("esummary")) == 6  # one request's tries, then nothing
        assert query(db, "SELECT max(attempts), max(given_up) FROM harvest_todo") == [(0, 0)]
        down[0] = False
        report, row = run_night(db, fake.url, date(2026, 1, 4))
    assert report.ok and report.titles_left == 0
    assert query(db, "SELECT count(*) FROM articles WHERE is_stub = 1 AND title_en IS NULL") == [
        (0,)
    ]
    assert query(db, "SELECT count(*) FROM harvest_todo WHERE step = 'title'") == [(0,)]


def test_summary_line_names_what_is_left_and_what_was_given_up() -> None:
    from litbalint.cli_harvest import summary_line

    report = RunReport(7, [], fetched=1512, gaps=[1], given_up=[2, 3], retried=4)
    report.links_left, report.titles_left = 2, 5
    report.links_given_up, report.titles_given_up, report.requests = 1, 6, 412
    assert summary_line(report) == (
        "harvest ok: run 7: 1,512 records (new 0, updated 0, unchanged 0, deleted 0); "
        "0 new edges; 4 PMIDs retried from earlier runs; 1 records, 2 PMIDs' links and 5 titles "
        "left for the next run; given up after repeated failures: 2 records, 1 PMIDs' links, "
        "6 titles (see harvest_todo); 412 requests, 0 retries"
    )


def _without(found: list[list[tuple]], pmids: set[int]) -> list[list[tuple]]:
    """content() without these PMIDs' rows and edges, and without stubs no edge names."""
    articles, edges, beads = found
    edges = [e for e in edges if e[0] not in pmids and e[1] not in pmids]
    linked = {e[0] for e in edges} | {e[1] for e in edges}
    articles = [a for a in articles if a[0] not in pmids and (not a[8] or a[0] in linked)]
    return [articles, edges, [b for b in beads if b[0] not in pmids]]


def _refreshed(db: Path, day: date) -> set[int]:
    """PMIDs whose links were fetched on `day`."""
    rows = query(db, "SELECT pmid FROM links_fetched WHERE fetched_on = ?", [day.isoformat()])
    return {pmid for (pmid,) in rows}


def test_nights_with_deletions_topic_changes_and_growing_cited_by(tmp_path: Path) -> None:
    """What the date windows cannot see: a record deleted (it vanishes, as through
    E-utilities), one hidden for one night only (a glitch: never deleted), one revised so it
    no longer matches its topic, and new articles citing an old unchanged record (its cited-by
    list grows, its mdat does not change; its refresh fails one night): the links refresh and
    the reconciliation bring the corpus back to the world."""
    db = tmp_path / "h.db"
    world = make_records(150, seed=21, real_links=True)
    by_pmid = {r.pmid: r for r in world}
    gone, glitch, unmatched, old = (by_pmid[p] for p in (30000004, 30000006, 30000005, 30000003))
    old_mdat = old.mdat
    next_pmid = 30000000 + len(world)
    day = date(2026, 1, 1)
    nights = {"refresh_days": 2}

    def night(**faults) -> tuple[RunReport, dict]:
        served = copy.deepcopy(world)
        for record in served:
            record.deleted = record.deleted or record.pmid in faults.get("hidden", ())
        with FakeEutils(served, rate_limit=None, ncbi=True) as fake:
            fake.link_failures = faults.get("link_failures", {})
            report, row = run_night(db, fake.url, day, links_refresh_days=nights["refresh_days"])
        assert report.ok and row["status"] == "ok", report.error
        return report, row

    night()
    its_pubmed_edges = (
        "SELECT count(*) FROM citations c JOIN articles a ON a.id = c.citing_id "
        "WHERE a.pmid = ? AND c.source = 'pubmed'"
    )
    missing = "SELECT pmid, first_run FROM harvest_todo WHERE step = 'missing'"
    for number in range(1, 7):
        day += timedelta(days=1)
        new = _new_records(number, next_pmid, day, n=4)
        next_pmid += len(new)
        world += new
        if number == 1:
            gone.deleted = True
        if number == 2:
            unmatched.title = "Reflective groups for midwives: a qualitative study"
            unmatched.abstract = unmatched.abstract.replace("Balint groups", "Reflective groups")
            unmatched.topics_text = ""
            unmatched.mdat = f"{day:%Y/%m/%d}"
        if number in (3, 5):
            cite(new[0], old)
        report, row = night(
            hidden=[glitch.pmid] if number == 3 else [],
            link_failures={old.pmid: "linkset"} if number == 4 else {},
        )
        if number == 1:  # seen missing once: not deleted yet, the first sighting kept
            assert report.missing == 1 and row["records_deleted"] == 0
            assert query(db, missing) == [(gone.pmid, row["id"])]
            assert query(db, its_pubmed_edges, [gone.pmid])[0][0] > 0
        if number == 2:  # missing twice in a row: deleted; the revised one seen once
            assert row["records_deleted"] == 1 and report.counts.deleted == 1
            assert query(db, its_pubmed_edges, [gone.pmid]) == [(0,)]  # PubMed lists none
            assert row["topics_dropped"] == 0 and report.missing == 1
            assert query(db, missing) == [(unmatched.pmid, row["id"])]
            # links fetched on the first night (2 days ago) are fetched again
            assert row["links_refreshed"] > 100 and row["links_refreshed"] == report.links_refreshed
        if number == 3:  # the revised one loses its topic; the glitch: seen missing once ...
            assert row["topics_dropped"] == 1 == report.topics_dropped
            assert query(db, missing) == [(glitch.pmid, row["id"])]
        if number == 4:  # ... and back the next night: nothing deleted
            assert query(db, missing) == [] and row["records_deleted"] == 0
            # the old record's refresh failed: its links wait in the to-do list
            assert report.links_left == 1 and old.pmid not in _refreshed(db, day)
            assert query(db, "SELECT pmid FROM harvest_todo WHERE step = 'links'") == [(old.pmid,)]
        if number == 5:  # asked again from the to-do list (with tonight's new citing article)
            assert old.pmid in _refreshed(db, day) and report.retried == 1
            assert query(db, "SELECT count(*) FROM harvest_todo WHERE step = 'links'") == [(0,)]
    assert old.mdat == old_mdat
    assert query(db, "SELECT deleted FROM articles WHERE pmid = ?", [gone.pmid]) == [(1,)]
    assert query(db, "SELECT deleted FROM articles WHERE pmid = ?", [glitch.pmid]) == [(0,)]
    assert query(
        db,
        "SELECT a.topics, t.topic FROM articles a LEFT JOIN article_topics t "
        "ON t.article_id = a.id AND t.source = 'harvest' WHERE a.pmid = ?",
        [unmatched.pmid],
    ) == [("[]", None)]
    citing = query(
        db,
        "SELECT b.pmid FROM citations c JOIN articles a ON a.id = c.cited_id "
        "JOIN articles b ON b.id = c.citing_id WHERE a.pmid = ? AND c.kind = 'cited_by' "
        "ORDER BY c.rank",
        [old.pmid],
    )
    assert [p for (p,) in citing] == sorted(old.citedin, reverse=True)  # as elink lists them
    with FakeEutils(copy.deepcopy(world), rate_limit=None, ncbi=True) as fake:
        clean, _ = run_night(tmp_path / "clean.db", fake.url, day)
    assert clean.ok
    left = {gone.pmid, unmatched.pmid}  # not in the clean corpus (or a stub there)
    assert _without(content(db), left) == _without(content(tmp_path / "clean.db"), left)


def test_summary_line_names_the_refresh_and_the_reconciliation() -> None:
    report = RunReport(7, [], links_refreshed=512, topics_dropped=2, missing=1, requests=40)
    report.counts.deleted = 1
    report.notes.append("reconciliation left for the next run: esearch.fcgi: failed")
    assert summary_line(report) == (
        "harvest ok: run 7: 0 records (new 0, updated 0, unchanged 0, deleted 1); 0 new edges; "
        "512 articles' links refreshed; 2 topics dropped (no longer found by their search); "
        "1 PMIDs not in their topic's search (settled if still so next run); reconciliation "
        "left for the next run: esearch.fcgi: failed; 40 requests, 0 retries"
    )


def test_a_search_that_loses_most_of_a_topic_deletes_nothing(tmp_path: Path) -> None:
    """A night where PubMed lists few of a topic's articles (a glitch): the topic is left as
    it is, with a note, instead of efetching, dropping topics and counting deletions."""
    db = tmp_path / "h.db"
    world = make_records(60, seed=5)
    with FakeEutils(copy.deepcopy(world), rate_limit=None, ncbi=True) as fake:
        run_night(db, fake.url, date(2026, 1, 1))
    for record in world:
        record.deleted = True  # gone from every search tonight
    with FakeEutils(world, rate_limit=None, ncbi=True) as fake:
        report, row = run_night(db, fake.url, date(2026, 1, 2))
        assert not fake.calls("efetch")
    assert report.ok and report.missing == 0 and row["records_deleted"] == 0
    assert "articles are not in its search today" in summary_line(report)
    assert "articles are not in its search today" in row["error"]
    assert query(db, "SELECT count(*) FROM harvest_todo") == [(0,)]
