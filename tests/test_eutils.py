"""The E-utilities client (litbalint/eutils.py) against the fake NCBI server: etiquette, typed
replies, retries of every fault kind, the rate limiter."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from itertools import pairwise

import pytest
import requests

from litbalint import eutils_replies as replies
from litbalint.errors import LitbalintError
from litbalint.eutils import (
    LINK_SPLIT_BUDGET,
    Eutils,
    EutilsError,
    EutilsRequestError,
    EutilsUnreachable,
    Outage,
    RateLimiter,
)
from litbalint.model import Article, Deletion
from tests.support import fake_eutils
from tests.support.fake_eutils import FakeEutils, FakeRecord
from tests.support.synthetic.records import make_records

EMAIL = "t@example.org"


@pytest.fixture(autouse=True)
def _fake_answers_without_nagle(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake writes headers and body separately; with Nagle's algorithm on its socket each
    reply then waits ~40 ms for a delayed ACK. TCP_NODELAY makes a request ~2 ms."""
    monkeypatch.setattr(fake_eutils._Handler, "disable_nagle_algorithm", True)


RECORDS = [
    FakeRecord(
        101,
        "Balint groups for residents",
        "Residents met in Balint groups.",
        doi="10.1000/a101",
        crdt="2019/02/01",
        refs=[102, 900001, 900003],
        citedin=[104, 900005],
        similar=[(900002, 300), (102, 500), (104, 400)],
    ),
    FakeRecord(
        102,
        "Peer support for nurses",
        "A peer support programme.",
        doi="10.1000/b102",
        crdt="2020/06/15",
        citedin=[101],
        similar=[(101, 700)],
    ),
    FakeRecord(103, "Bálint syndrome after stroke", "A case.", crdt="2018/01/01"),
    FakeRecord(
        104,
        "Reflective groups in general practice",
        topics_text="balint group",
        crdt="2023/07/01",
        refs=[101],
        chinese_abstract="目的：探讨巴林特小组的作用。结论：巴林特小组有益。",
    ),
    FakeRecord(106, "Withdrawn Balint study", crdt="2022/01/01", deleted=True),
]


def client(fake: FakeEutils, **kwargs) -> Eutils:
    """A fast client: tiny backoff, no spacing (the fake runs without a rate limit)."""
    made = Eutils(fake.url, EMAIL, backoff=0.01, **kwargs)
    made.limiter.interval = 0
    return made


@pytest.fixture
def fake():
    with FakeEutils(RECORDS, rate_limit=None) as server:
        yield server


# -- etiquette -------------------------------------------------------------------------------


def test_tool_and_email_on_every_request(fake: FakeEutils) -> None:
    eutils = client(fake)
    eutils.esearch("balint", "crdt", "2000/01/01", "2030/12/31", retmax=10)
    eutils.efetch([101, 102])
    eutils.elink([101])  # three link names, a request each
    eutils.esummary([101, 900001])
    eutils.epost([101])
    assert fake.missing_identity == 0
    assert len(fake.requests) == 7 == eutils.requests
    assert {r.path.rsplit("/", 1)[1] for r in fake.requests} == {
        "esearch.fcgi",
        "efetch.fcgi",
        "elink.fcgi",
        "epost.fcgi",
        "esummary.fcgi",
    }
    for request in fake.requests:
        assert request.params["tool"] == "litbalint"
        assert request.params["email"] == EMAIL
        assert "api_key" not in request.params
        assert request.status == 200


def test_api_key_is_sent_when_given(fake: FakeEutils) -> None:
    eutils = client(fake, api_key="secret-key")
    eutils.esearch("balint")
    eutils.efetch([101])
    assert [r.params["api_key"] for r in fake.requests] == ["secret-key", "secret-key"]
    assert all(r.params["tool"] == "litbalint" for r in fake.requests)


@pytest.mark.parametrize("email", ["", None, "not-an-address"])
def test_missing_email_is_a_clear_error(email: str | None) -> None:
    with pytest.raises(LitbalintError, match="NCBI_EMAIL") as raised:
        Eutils("http://127.0.0.1:9/", email)  # type: ignore[arg-type]
    assert not isinstance(raised.value, EutilsError)
    assert "export NCBI_EMAIL=" in str(raised.value)


# -- typed replies ---------------------------------------------------------------------------


def test_esearch_with_dates(fake: FakeEutils) -> None:
    eutils = client(fake)
    result = eutils.esearch("balint NOT syndrome", "crdt", "2019/01/01", "2022/12/31", retmax=50)
    assert sorted(result.ids) == [101, 106] and result.count == 2
    assert result.translation  # how PubMed read the query
    (request,) = fake.calls("esearch")
    assert request.params["datetype"] == "crdt"
    assert (request.params["mindate"], request.params["maxdate"]) == ("2019/01/01", "2022/12/31")
    assert request.params["term"] == "balint NOT syndrome"
    assert request.params["retmax"] == "50"
    # a phrase that is nowhere (an ErrorList beside a Count) is an empty result, not a fault
    empty = eutils.esearch("xyzzy", retmax=10)
    assert (empty.count, empty.ids) == (0, [])
    assert empty.errors == ["PhraseNotFound: xyzzy"]
    assert eutils.retries == 0


def test_esearch_over_the_cap_counts_all_and_lists_the_first() -> None:
    records = make_records(150, seed=3, links=False)
    with FakeEutils(records, rate_limit=None, cap=50) as fake:
        everything = fake.search("balint OR peer")
        assert len(everything) > 50
        result = client(fake).esearch("balint OR peer", retmax=9999)
        assert result.count == len(everything)
        assert result.ids == everything[:50]


def test_efetch_articles_and_deletions(fake: FakeEutils) -> None:
    records = client(fake).efetch([101, 104, 106, 999999])
    articles = [r for r in records if isinstance(r, Article)]
    deletions = [r for r in records if isinstance(r, Deletion)]
    assert sorted(a.ids.pmid for a in articles) == [101, 104]
    assert [d.pmids for d in deletions] == [[106]]
    chinese = next(a for a in articles if a.ids.pmid == 104)
    assert any("巴林特" in s.text for s in chinese.abstract_zh)
    (request,) = fake.calls("efetch")
    assert request.params["id"] == "101,104,106,999999"


def test_elink_one_id_per_pmid_and_the_three_link_kinds() -> None:
    with FakeEutils(RECORDS, rate_limit=None, ncbi=True) as fake:
        reply = client(fake).elink([101, 102, 104])
        requests = fake.calls("elink")
    shapes = [(r.params["cmd"], r.params["linkname"]) for r in requests]
    assert shapes == [
        ("neighbor", "pubmed_pubmed_refs"),
        ("neighbor", "pubmed_pubmed_citedin"),
        ("neighbor_score", "pubmed_pubmed"),  # scores only where they are needed
    ]
    for request in requests:
        assert request.params["id"] == ["101", "102", "104"]  # one id= each, not a comma list
    links = reply.links
    assert set(links) == {101, 102, 104} and reply.failed == {}
    assert sorted(links[101].refs) == [102, 900001, 900003]
    assert sorted(links[101].cited_by) == [104, 900005]
    assert links[101].similar == [(102, 500.0), (104, 400.0), (900002, 300.0)]  # best first
    assert links[102].cited_by == [101]
    assert links[102].similar == [(101, 700.0)]
    assert links[104].refs == [101] and links[104].similar == []
    for pmid, found in links.items():
        assert pmid not in [p for p, _ in found.similar]  # never its own neighbour
        scores = [score for _, score in found.similar]
        assert scores == sorted(scores, reverse=True)


def test_esummary_posts_id_lists_of_at_most_500() -> None:
    with FakeEutils(RECORDS, rate_limit=None, ncbi=True) as fake:
        reply = client(fake).esummary([101, 103, 900001, 106])
        (summary,) = fake.calls("esummary")
    by_pmid = {s.pmid: s for s in reply.summaries}
    assert by_pmid[101].title == "Balint groups for residents"
    assert by_pmid[101].doi == "10.1000/a101"
    assert by_pmid[103].title == "Bálint syndrome after stroke"
    assert by_pmid[900001].title == "Linked article 900001."  # unknown to the corpus
    assert by_pmid[900001].journal and by_pmid[900001].pub_date
    assert 106 not in by_pmid and 106 in reply.failed  # deleted: a per-UID error, no title
    assert summary.params["id"] == "101,103,900001,106"
    assert (summary.params["retmode"], summary.params["version"]) == ("json", "2.0")
    assert "WebEnv" not in summary.params


def test_esummary_in_chunks_of_500() -> None:
    pmids = [900001 + i for i in range(1201)]
    with FakeEutils(RECORDS, rate_limit=None, ncbi=True) as fake:
        reply = client(fake).esummary(pmids)
        sizes = [len(str(r.params["id"]).split(",")) for r in fake.calls("esummary")]
    assert [s.pmid for s in reply.summaries] == pmids and not reply.failed
    assert sizes == [500, 500, 201]


# -- faults ----------------------------------------------------------------------------------

RETRIED = [
    "429",
    "429-no-retry-after",
    "500",
    "502",
    "503",
    "html",
    "reset",
    "truncated",
    "error-element",
]


def _ask(eutils: Eutils, endpoint: str) -> object:
    if endpoint == "esearch":
        result = eutils.esearch("balint NOT syndrome", "crdt", "1800/01/01", "3000/12/31", 100)
        assert sorted(result.ids) == [101, 104, 106]
        return result
    if endpoint == "efetch":
        records = eutils.efetch([101, 102, 104])
        assert sorted(r.ids.pmid for r in records if isinstance(r, Article)) == [101, 102, 104]
        return records
    if endpoint == "elink":
        links = eutils.elink([101])
        assert set(links.links) == {101} and links.links[101].refs and not links.failed
        return links
    if endpoint == "epost":
        webenv, query_key = eutils.epost([101, 900001])
        assert webenv and query_key
        return webenv
    reply = eutils.esummary([101, 900001])
    titles = [s.title for s in reply.summaries]
    assert titles == ["Balint groups for residents", "Linked article 900001."]
    return reply


@pytest.mark.parametrize("endpoint", ["esearch", "efetch", "elink", "epost", "esummary"])
@pytest.mark.parametrize("fault", RETRIED)
def test_fault_is_retried_then_succeeds(fake: FakeEutils, endpoint: str, fault: str) -> None:
    slept: list[float] = []  # the waits are recorded, not slept, to keep this quick
    eutils = client(fake, sleep=slept.append)
    # elink tries one PMID twice on an <ERROR>, then reports its links failed (test below)
    times = 1 if (endpoint, fault) == ("elink", "error-element") else 2
    fake.inject(endpoint, fault, times=times)
    _ask(eutils, endpoint)
    assert fake.faults_served == [(endpoint, fault)] * times
    if fault.startswith("429"):  # Retry-After: 1, or none: a second (NCBI counts per second)
        assert len([s for s in slept if s >= 1.0]) >= 2
    assert eutils.retries == times
    calls = fake.calls(endpoint)
    assert len(calls) == times + (3 if endpoint == "elink" else 1)  # elink: 3 link names
    expected = 0 if fault == "reset" else 200 if fault in ("html", "truncated") else None
    if expected is not None:
        assert calls[0].status == expected
    assert calls[-1].status == 200


def test_429_waits_at_least_retry_after(fake: FakeEutils) -> None:
    eutils = client(fake)
    fake.inject("esearch", "429")  # Retry-After: 1
    started = time.monotonic()
    _ask(eutils, "esearch")
    first, second = fake.calls("esearch")
    assert first.status == 429 and second.status == 200
    assert second.timestamp - first.timestamp >= 1.0
    assert time.monotonic() - started >= 1.0
    assert eutils.retries == 1


def test_429_holds_every_request_not_only_the_retried_one() -> None:
    """After a 429 nobody starts a request for Retry-After seconds (fake clock)."""
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(3.0, clock=lambda: now[0], sleep=sleep)
    limiter.wait()
    limiter.hold(2.0)
    limiter.wait()
    assert slept == [pytest.approx(2.0)]


def test_timeout_is_retried(fake: FakeEutils) -> None:
    fake.slow_seconds = 2
    eutils = client(fake, timeout=0.5)
    fake.inject("efetch", "timeout")
    started = time.monotonic()
    _ask(eutils, "efetch")
    elapsed = time.monotonic() - started
    assert 0.5 <= elapsed < 2.0  # gave up on the slow reply, did not wait it out
    assert eutils.retries == 1 and len(fake.calls("efetch")) == 2


def test_missing_records_are_not_a_client_fault(fake: FakeEutils) -> None:
    """The client returns what efetch gave; the harvester checks the PMIDs (test_harvest)."""
    eutils = client(fake)
    fake.inject("efetch", "missing-records")
    records = eutils.efetch([101, 102, 104])
    assert len([r for r in records if isinstance(r, Article)]) == 2
    assert eutils.retries == 0


def test_esummary_failing_after_every_retry_leaves_the_rest_unasked(fake: FakeEutils) -> None:
    """esummary down: the ids are `unasked` (no fault of theirs), and once the run's outage is
    known, later calls send nothing."""
    eutils = client(fake, max_tries=3)
    fake.inject("esummary", "503", times=4)
    outage = Outage()
    reply = eutils.esummary([101, 900001], outage)
    assert reply.unasked == [101, 900001] and not reply.failed and not reply.summaries
    assert outage.reason and outage.reason.startswith("esummary.fcgi: failed after 3 tries")
    assert len(fake.calls("esummary")) == 3
    later = eutils.esummary([102], outage)
    assert later.unasked == [102] and len(fake.calls("esummary")) == 3


def test_esummary_splits_a_list_refused_for_one_bad_uid(
    ncbi: FakeEutils, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NCBI's top-level `error` beside an empty result blames the whole list for one UID: the
    list is halved until that UID stands alone; the others get their titles."""
    serve = FakeEutils._esummary
    refusal = {
        "header": {"type": "esummary", "version": "0.3"},
        "error": "Invalid uid 900002 at position= 1",
        "result": {"uids": []},
    }

    def refusing(self: FakeEutils, params: dict, missing: bool):
        if "900002" in params["id"][0].split(","):
            return fake_eutils._Reply(body=json.dumps(refusal).encode())
        return serve(self, params, missing)

    monkeypatch.setattr(FakeEutils, "_esummary", refusing)
    reply = client(ncbi).esummary([101, 900001, 900002, 900003])
    assert sorted(s.pmid for s in reply.summaries) == [101, 900001, 900003]
    assert list(reply.failed) == [900002] and "Invalid uid" in reply.failed[900002]
    assert reply.unasked == []


@pytest.mark.parametrize("endpoint", ["esearch", "efetch", "elink", "epost"])
def test_fault_beyond_max_tries_is_an_error_naming_the_endpoint(
    fake: FakeEutils, endpoint: str
) -> None:
    eutils = client(fake, max_tries=3)
    fake.inject(endpoint, "503", times=4)
    with pytest.raises(EutilsError, match=rf"^{endpoint}\.fcgi: failed after 3 tries") as raised:
        _ask(eutils, endpoint)
    assert "HTTP 503" in str(raised.value)
    assert isinstance(raised.value, LitbalintError)
    assert len(fake.calls(endpoint)) == 3
    assert eutils.retries == 2


@pytest.fixture
def cut_off_server():
    """A bare HTTP server whose first reply is cut off mid-body by a connection reset (the
    fake's "reset" fault resets before any reply); later replies are a normal esearch."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    served = [0]
    stop = threading.Event()
    body = b"<eSearchResult><Count>1</Count><IdList><Id>101</Id></IdList></eSearchResult>"

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(2)
                connection.recv(65536)
                served[0] += 1
                if served[0] == 1:
                    connection.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 500\r\n\r\n"
                        + body[:20]
                    )
                    connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                else:
                    connection.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n"
                        + f"Content-Length: {len(body)}\r\n\r\n".encode()
                        + body
                    )

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/", served
    stop.set()
    thread.join(timeout=5)
    listener.close()


def test_reset_in_the_middle_of_a_reply_is_retried(cut_off_server) -> None:
    url, served = cut_off_server
    eutils = Eutils(url, EMAIL, backoff=0.01)
    eutils.limiter.interval = 0
    result = eutils.esearch("balint")
    assert result.ids == [101] and eutils.retries == 1 and served[0] == 2


def test_http_400_is_not_retried(fake: FakeEutils) -> None:
    eutils = client(fake)
    with pytest.raises(EutilsError, match="HTTP 400"):
        eutils.call("nonsense.fcgi", {"db": "pubmed"})
    assert eutils.requests == 1 and eutils.retries == 0


def test_backoff_grows_exponentially_with_jitter(fake: FakeEutils) -> None:
    slept: list[float] = []
    eutils = Eutils(fake.url, EMAIL, backoff=1.0, max_tries=4, sleep=slept.append)
    eutils.limiter.interval = 0
    fake.inject("esearch", "500", times=3)
    _ask(eutils, "esearch")
    assert len(slept) == 3
    for attempt, delay in enumerate(slept):
        assert 0.5 * 2**attempt <= delay <= 1.5 * 2**attempt


# -- politeness ------------------------------------------------------------------------------


def test_default_client_stays_under_three_requests_a_second() -> None:
    with FakeEutils(RECORDS, rate_limit=3.0) as fake:
        eutils = Eutils(fake.url, EMAIL)
        for _ in range(10):
            eutils.esearch("balint", retmax=5)
        assert fake.violations == 0
        arrivals = [r.timestamp for r in fake.requests]
        assert len(arrivals) == 10
        gaps = [b - a for a, b in pairwise(arrivals)]
        assert min(gaps) >= 0.3, gaps
        assert all(r.status == 200 for r in fake.requests)


def test_limiter_intervals_with_and_without_api_key() -> None:
    assert Eutils("http://127.0.0.1:9/", EMAIL).limiter.interval == pytest.approx(1.15 / 3)
    with_key = Eutils("http://127.0.0.1:9/", EMAIL, api_key="k").limiter.interval
    assert with_key == pytest.approx(0.115)


@pytest.mark.parametrize(("rate", "spacing"), [(10.0, 0.115), (3.0, 1.15 / 3)])
def test_rate_limiter_spaces_request_starts(rate: float, spacing: float) -> None:
    now = [50.0]
    starts: list[float] = []

    def sleep(seconds: float) -> None:
        assert seconds > 0
        now[0] += seconds

    limiter = RateLimiter(rate, clock=lambda: now[0], sleep=sleep)
    for _ in range(25):
        limiter.wait()
        starts.append(now[0])
        now[0] += 0.01  # the request itself is quick
    gaps = [b - a for a, b in pairwise(starts)]
    assert gaps == [pytest.approx(spacing)] * 24
    # no one-second window holds more than `rate` starts
    for i, start in enumerate(starts):
        assert sum(1 for s in starts[i:] if s < start + 1.0) <= rate
    # a slow caller is not made to wait, and the next slot counts from its real start
    now[0] += 5.0
    limiter.wait()
    late = now[0]
    limiter.wait()
    assert now[0] - late == pytest.approx(spacing)


# -- real NCBI's shapes and limits (the fake's ncbi=True mode) -------------------------------


@pytest.fixture
def ncbi():
    with FakeEutils(RECORDS, rate_limit=None, ncbi=True, slow_seconds=1.0) as server:
        yield server


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_nothing_listening_is_one_clear_error_at_once() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/entrez/eutils/"
    slept: list[float] = []
    eutils = Eutils(url, EMAIL, sleep=slept.append)
    started = time.monotonic()
    with pytest.raises(EutilsUnreachable) as raised:
        eutils.esearch("balint")
    assert time.monotonic() - started < 3 and slept == [] and eutils.requests == 1
    assert str(raised.value) == (
        f"cannot reach E-utilities at {url}: connection refused; check the network or --eutils-url"
    )


def test_a_refusal_after_the_first_reply_is_retried(fake: FakeEutils) -> None:
    eutils = client(fake, max_tries=2)
    eutils.esearch("balint")
    eutils.base_url = f"http://127.0.0.1:{_closed_port()}/entrez/eutils/"
    with pytest.raises(EutilsError, match="failed after 2 tries") as raised:
        eutils.esearch("balint")
    assert not isinstance(raised.value, EutilsUnreachable)


def test_neighbor_score_without_linkname_hangs_then_fails(ncbi: FakeEutils) -> None:
    eutils = client(ncbi, max_tries=1, link_timeout=0.2)
    params = [("dbfrom", "pubmed"), ("db", "pubmed"), ("cmd", "neighbor_score"), ("id", "101")]
    with pytest.raises(EutilsError, match="ReadTimeout") as raised:
        eutils.call("elink.fcgi", params, timeout=0.2)
    assert raised.value.splittable
    body = client(ncbi, timeout=5).call("elink.fcgi", params)
    assert b"Read failed: EOF" in body


def test_elink_splits_a_failing_batch_down_to_the_pmid_that_fails(ncbi: FakeEutils) -> None:
    ncbi.link_failures = {102: "hang"}
    eutils = client(ncbi, link_timeout=0.2)
    reply = eutils.elink([101, 102, 104])
    assert set(reply.failed) == {102} and set(reply.links) == {101, 104}
    assert reply.links[101].refs and reply.links[101].similar
    asked = [r.params["id"] for r in ncbi.calls("elink")]
    assert ["102"] in asked or "102" in asked  # down to the single PMID
    ncbi.link_failures = {104: "linkset"}
    reply = client(ncbi).elink([101, 104])
    assert set(reply.failed) == {104} and set(reply.links) == {101}
    ncbi.link_failures = {101: "linksetdb"}
    reply = client(ncbi).elink([101, 104])
    assert set(reply.failed) == {101} and set(reply.links) == {104}
    ncbi.link_failures = {104: "invalid"}  # refused: one PMID's fault, not the run's
    reply = client(ncbi).elink([101, 102, 104])
    assert set(reply.failed) == {104} and set(reply.links) == {101, 102}
    assert "Invalid uid 104" in reply.failed[104]


def test_elink_failing_for_everything_is_not_asked_pmid_by_pmid(
    ncbi: FakeEutils, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An elink backend outage: every request answers an <ERROR>. Halving finds one bad PMID in
    a few requests, but here the split stops at the budget and the rest waits for the next run."""
    outage = fake_eutils._error_reply("eLinkResult", "Search Backend failed: Couldn't resolve")
    monkeypatch.setattr(FakeEutils, "_elink", lambda self, params, missing: outage)
    pmids = list(range(900000, 900300))
    reply = client(ncbi, max_tries=1).elink(pmids)
    assert reply.links == {} and set(reply.failed) | set(reply.unasked) == set(pmids)
    assert len(reply.unasked) > len(reply.failed)  # past the budget: no fault of theirs
    base = 3 + 3 + 6  # 300 PMIDs: 100 a request twice, 50 a request for the scores
    assert len(ncbi.calls("elink")) <= base + LINK_SPLIT_BUDGET + 2


def test_esummary_json_over_500_is_refused_permanently(ncbi: FakeEutils) -> None:
    eutils = client(ncbi)
    params = {"db": "pubmed", "id": ",".join(str(900000 + i) for i in range(501))}
    with pytest.raises(EutilsRequestError, match="Too many UIDs"):
        eutils.call("esummary.fcgi", params | {"retmode": "json"}, replies.summaries)
    assert eutils.requests == 1 and eutils.retries == 0


def test_long_id_lists_by_get_are_refused(ncbi: FakeEutils) -> None:
    ids = ",".join(str(900000 + i) for i in range(300))
    answer = requests.get(
        ncbi.url + "efetch.fcgi",
        params={"db": "pubmed", "id": ids, "tool": "t", "email": EMAIL},
        timeout=5,
    )
    assert answer.status_code == 414
    records = client(ncbi).efetch(900000 + i for i in range(300))  # POST: fine
    assert records == []


def test_esearch_notes_how_pubmed_read_the_query(ncbi: FakeEutils) -> None:
    result = client(ncbi).esearch('"balint groups for the" AND the residents[xyz]', retmax=10)
    assert "FieldNotFound: xyz" in result.errors
    assert 'QuotedPhraseNotFound: "balint groups for the"' in result.warnings
    assert "PhraseIgnored: the" in result.warnings
    assert result.translation


def test_ncbi_mode_lays_xml_out_with_doctype_and_tabs(ncbi: FakeEutils) -> None:
    body = client(ncbi).call(
        "elink.fcgi",
        [
            ("dbfrom", "pubmed"),
            ("cmd", "neighbor"),
            ("linkname", "pubmed_pubmed_refs"),
            ("id", "101"),
        ],
    )
    text = body.decode()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eLinkResult')
    assert "\n\t<LinkSet>\n\t\t<DbFrom>pubmed</DbFrom>" in text


def test_hang_mode_outlasts_the_clients_timeout(ncbi: FakeEutils) -> None:
    ncbi.slow_seconds = 0.5
    ncbi.hang()
    eutils = client(ncbi, timeout=0.1, max_tries=2)
    with pytest.raises(EutilsError, match=r"esearch\.fcgi: failed after 2 tries \(ReadTimeout"):
        eutils.esearch("balint")
    ncbi.hang(False)
    assert client(ncbi).esearch("balint", retmax=5).count


def test_ncbi_link_sets_all_names_and_scores(ncbi: FakeEutils) -> None:
    eutils = client(ncbi)
    plain = eutils.call("elink.fcgi", [("dbfrom", "pubmed"), ("cmd", "neighbor"), ("id", "101")])
    names = replies.ET.fromstring(plain).findall("LinkSet/LinkSetDb/LinkName")
    assert {n.text for n in names} >= {"pubmed_pubmed", "pubmed_pubmed_refs", "pubmed_pubmed_five"}
    assert b"<Score>" not in plain
    scored = eutils.call(
        "elink.fcgi",
        [
            ("dbfrom", "pubmed"),
            ("cmd", "neighbor_score"),
            ("linkname", "pubmed_pubmed_refs"),
            ("id", "101"),
        ],
    )
    root = replies.ET.fromstring(scored)
    links = root.findall("LinkSet/LinkSetDb/Link")
    assert links and all(link.find("Score") is not None for link in links)


def test_ncbi_epost_over_10000_is_an_error(ncbi: FakeEutils) -> None:
    eutils = client(ncbi)
    params = {"db": "pubmed", "id": ",".join(str(1 + i) for i in range(10001))}
    with pytest.raises(EutilsRequestError, match="Too many UIDs"):
        eutils.call("epost.fcgi", params, replies.posted)
    with pytest.raises(EutilsRequestError, match="at most 10000"):
        eutils.epost(range(1, 10002))
