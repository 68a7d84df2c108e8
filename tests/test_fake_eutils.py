"""The fake E-utilities server (tests/support/fake_eutils.py) that the harvester is tested against:
its formats, search, history, cap, rate limit, faults and bookkeeping."""

from __future__ import annotations

import io
import json
import time
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
import requests

from litbalint.model import Article, Deletion, Problem
from litbalint.sources.pubmed_xml import parse_pubmed_xml
from tests.support.fake_eutils import FAULTS, FakeEutils, FakeRecord
from tests.support.synthetic.records import make_records

IDENTITY = {"tool": "litbalint-test", "email": "test@example.org"}

SMALL = [
    FakeRecord(
        101,
        "Balint groups for residents",
        "Residents met in Balint groups & talked.",
        doi="10.1000/a101",
        mdat="2021/03/05",
        crdt="2019/02/01",
        year=2019,
        refs=[102, 900001],
        citedin=[104],
        similar=[(102, 500), (900002, 300)],
    ),
    FakeRecord(
        102,
        "Peer support for nurses",
        "A peer support programme.",
        doi="10.1000/b102",
        mdat="2022/01/10",
        crdt="2020/06/15",
        citedin=[101],
    ),
    FakeRecord(
        103, "Bálint syndrome after stroke", "A case of Bálint syndrome.", crdt="2018/01/01"
    ),
    FakeRecord(
        104,
        "Reflective groups in general practice",
        topics_text="balint group",
        mdat="2023/07/01",
        crdt="2023/07/01",
        year=2024,
        refs=[101],
        chinese_abstract="目的：探讨巴林特小组的作用。结论：巴林特小组有益。",
    ),
    FakeRecord(105, "Cardiology outcomes", "Heart failure.", crdt="2024/01/01"),
    FakeRecord(106, "Withdrawn Balint study", mdat="2024/02/01", crdt="2022/01/01", deleted=True),
]


@pytest.fixture
def fake():
    with FakeEutils(SMALL, rate_limit=None) as server:
        yield server


def call(fake: FakeEutils, endpoint: str, post: bool = False, **params) -> requests.Response:
    url = f"{fake.url}{endpoint}.fcgi"
    data = {**IDENTITY, **params}
    if post:
        return requests.post(url, data=data, timeout=5)
    return requests.get(url, params=data, timeout=5)


def xml(response: requests.Response) -> ET.Element:
    assert response.status_code == 200, response.text
    return ET.fromstring(response.content)


def parsed(response: requests.Response) -> list:
    assert response.status_code == 200, response.text
    return list(parse_pubmed_xml(io.BytesIO(response.content)))


# -- esearch ---------------------------------------------------------------------------------


def test_esearch_format_and_history(fake: FakeEutils) -> None:
    response = call(fake, "esearch", db="pubmed", term="balint", usehistory="y", retmax="2")
    assert response.headers["Content-Type"].startswith("text/xml")
    assert b"<!DOCTYPE eSearchResult" in response.content
    root = xml(response)
    assert root.tag == "eSearchResult"
    assert [child.tag for child in root][:6] == [
        "Count",
        "RetMax",
        "RetStart",
        "QueryKey",
        "WebEnv",
        "IdList",
    ]
    assert root.findtext("Count") == "4"
    assert root.findtext("RetMax") == "2"
    assert root.findtext("RetStart") == "0"
    assert root.findtext("QueryKey") == "1"
    assert root.findtext("WebEnv").startswith("MCID_")
    assert [e.text for e in root.iterfind("IdList/Id")] == ["106", "104"]
    assert root.find("ErrorList") is None
    # the history holds all four, newest first
    fetched = parsed(call(fake, "efetch", WebEnv=root.findtext("WebEnv"), query_key="1"))
    assert [r.ids.pmid for r in fetched if isinstance(r, Article)] == [104, 103, 101]
    assert [r.pmids for r in fetched if isinstance(r, Deletion)] == [[106]]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("balint", {101, 103, 104, 106}),
        ("Balint NOT syndrome", {101, 104, 106}),
        (
            '("balint group"[tiab] OR "balint groups"[tiab] OR "peer support"[tiab]) '
            "NOT syndrome[tiab]",
            {101, 102, 104},
        ),
        ("peer AND support[Title/Abstract]", {102}),
        ("BALINT[mh] OR cardiology", {101, 103, 104, 105, 106}),
        ("balint NOT syndrome NOT withdrawn", {101, 104}),
        ("group*", {101, 104}),
    ],
)
def test_search_or_not(fake: FakeEutils, term: str, expected: set[int]) -> None:
    assert set(fake.search(term)) == expected
    root = xml(call(fake, "esearch", term=term, retmax="100"))
    ids = [int(e.text) for e in root.iterfind("IdList/Id")]
    assert set(ids) == expected and ids == sorted(ids, reverse=True)
    assert root.findtext("Count") == str(len(expected))


@pytest.mark.parametrize(
    ("datetype", "mindate", "maxdate", "expected"),
    [
        ("mdat", "2021/01/01", "2022/12/31", {101, 102}),
        ("mdat", "2022/01/11", "2022/12/31", set()),
        ("crdt", "2020", "2020", {102}),
        ("crdt", "2019/02/01", "2019/02/01", {101}),
        ("pdat", "2024/06/01", "2024/06/30", {104}),  # pdat: whole years
        (None, "2020", "2020", {102}),  # datetype defaults to pdat
        ("mdat", "2021/01/01", None, {101, 102, 103, 104, 106}),  # one bound alone: ignored
    ],
)
def test_date_filters(
    fake: FakeEutils, datetype: str | None, mindate: str, maxdate: str | None, expected: set[int]
) -> None:
    params = {"term": "balint OR peer", "retmax": "100", "mindate": mindate}
    if datetype:
        params["datetype"] = datetype
    if maxdate:
        params["maxdate"] = maxdate
    root = xml(call(fake, "esearch", **params))
    assert {int(e.text) for e in root.iterfind("IdList/Id")} == expected
    assert root.find("ErrorList") is None  # no hits in the window is not an error


def test_esearch_phrase_not_found_and_empty_term(fake: FakeEutils) -> None:
    root = xml(call(fake, "esearch", term="xyzzy[tiab]"))
    assert root.findtext("Count") == "0"
    assert root.findtext("ErrorList/PhraseNotFound") == "xyzzy"
    root = xml(call(fake, "esearch", term=""))
    assert "nothing todo" in root.findtext("ERROR")


def test_esearch_json(fake: FakeEutils) -> None:
    response = call(fake, "esearch", term="peer support", retmode="json", usehistory="y")
    assert response.headers["Content-Type"].startswith("application/json")
    result = response.json()["esearchresult"]
    assert result["count"] == "1" and result["idlist"] == ["102"]
    assert result["querykey"] == "1" and result["webenv"].startswith("MCID_")
    count = call(fake, "esearch", term="balint", rettype="count").content
    assert ET.fromstring(count).findtext("Count") == "4"


# -- the 10,000 cap (here 50) ----------------------------------------------------------------


def test_cap() -> None:
    records = make_records(150, seed=3)
    with FakeEutils(records, rate_limit=None, cap=50) as fake:
        total = len(fake.search("balint OR peer"))
        assert total > 50
        root = xml(call(fake, "esearch", term="balint OR peer", usehistory="y", retmax="100"))
        assert root.findtext("Count") == str(total)  # the true total
        ids = [int(e.text) for e in root.iterfind("IdList/Id")]
        assert ids == fake.search("balint OR peer")[:50]
        history = {"WebEnv": root.findtext("WebEnv"), "query_key": root.findtext("QueryKey")}

        last = parsed(call(fake, "efetch", retstart="40", retmax="20", **history))
        assert [r.ids.pmid for r in last if isinstance(r, Article)] == ids[40:50]

        error = xml(call(fake, "efetch", retstart="50", retmax="20", **history))
        assert error.tag == "eFetchResult"
        assert "'retstart' cannot be larger than 49" in error.findtext("ERROR")
        error = xml(call(fake, "esearch", term="balint OR peer", retstart="50"))
        assert error.tag == "eSearchResult" and "Search Backend failed" in error.findtext("ERROR")
        assert error.find("Count") is None


# -- epost, efetch ---------------------------------------------------------------------------


def test_efetch_parses_with_the_project_parser(fake: FakeEutils) -> None:
    for post in (False, True):
        records = parsed(
            call(fake, "efetch", post, db="pubmed", retmode="xml", id="101,102,104,106,777")
        )
        articles = [r for r in records if isinstance(r, Article)]
        assert [a.ids.pmid for a in articles] == [101, 102, 104]  # 777 unknown: skipped
        assert [r.pmids for r in records if isinstance(r, Deletion)] == [[106]]
        first, _, third = articles
        assert first.ids.doi == "10.1000/a101"
        assert first.title_en == "Balint groups for residents"
        assert first.abstract_en[0].text == "Residents met in Balint groups & talked."
        assert [ref.ids.pmid for ref in first.references] == [102, 900001]
        assert first.references[0].citation.startswith("Martin J. Peer support for nurses")
        assert first.references[1].citation == "Linked article 900001."
        assert first.date_revised == "2021-03-05"
        assert first.entrez_date == "2019-02-01"
        assert first.pub_date.year == 2019 and first.journal and first.volume
        assert first.languages == ["eng"] and first.publication_types == ["Journal Article"]
        assert len(first.authors) == 1 and first.authors[0].last_name
        assert third.ids.doi is None and third.abstract_en == []
        assert (
            third.abstract_zh[0].text.startswith("目的") and third.abstract_zh_source == "publisher"
        )
        assert third.pub_date.year == 2024


def test_efetch_head(fake: FakeEutils) -> None:
    response = call(fake, "efetch", id="101")
    assert response.content.startswith(b'<?xml version="1.0"')
    assert b"<!DOCTYPE PubmedArticleSet" in response.content
    assert b"<PubmedArticleSet>" in response.content
    assert ET.fromstring(response.content).tag == "PubmedArticleSet"
    assert xml(call(fake, "efetch", retmode="xml")).findtext("ERROR")  # no ids
    assert call(fake, "efetch", id="101", retmode="text").status_code == 400


def test_epost_then_efetch_and_esummary(fake: FakeEutils) -> None:
    root = xml(call(fake, "epost", post=True, db="pubmed", id="104,101,900001"))
    assert root.tag == "ePostResult" and root.findtext("QueryKey") == "1"
    webenv = root.findtext("WebEnv")
    records = parsed(call(fake, "efetch", WebEnv=webenv, query_key="1", retmax="10"))
    assert [r.ids.pmid for r in records] == [104, 101]  # in posted order
    # a second post into the same WebEnv gets query_key 2
    root2 = xml(call(fake, "epost", id="102", WebEnv=webenv))
    assert (root2.findtext("WebEnv"), root2.findtext("QueryKey")) == (webenv, "2")
    summary = xml(call(fake, "esummary", WebEnv=webenv, query_key="2", version="2.0"))
    assert [d.get("uid") for d in summary.iter("DocumentSummary")] == ["102"]
    unknown = xml(call(fake, "efetch", WebEnv="MCID_nope", query_key="1"))
    assert unknown.findtext("ERROR") == "Unable to obtain query #1"


# -- elink -----------------------------------------------------------------------------------


def link_sets(root: ET.Element) -> list[tuple[list[str], dict[str, list[tuple[str, str | None]]]]]:
    sets = []
    for link_set in root.iterfind("LinkSet"):
        assert link_set.findtext("DbFrom") == "pubmed"
        ids = [e.text for e in link_set.iterfind("IdList/Id")]
        dbs = {}
        for db in link_set.iterfind("LinkSetDb"):
            assert db.findtext("DbTo") == "pubmed"
            dbs[db.findtext("LinkName")] = [
                (link.findtext("Id"), link.findtext("Score")) for link in db.iterfind("Link")
            ]
        sets.append((ids, dbs))
    return sets


def test_elink_one_set_per_id(fake: FakeEutils) -> None:
    params = [*IDENTITY.items(), ("dbfrom", "pubmed"), ("db", "pubmed"), ("cmd", "neighbor_score")]
    params += [("id", "102"), ("id", "101"), ("id", "555")]
    response = requests.post(f"{fake.url}elink.fcgi", data=params, timeout=5)
    root = xml(response)
    assert root.tag == "eLinkResult"
    sets = link_sets(root)
    assert [ids for ids, _ in sets] == [["102"], ["101"], ["555"]]
    assert sets[0][1] == {"pubmed_pubmed_citedin": [("101", None)]}
    links_101 = sets[1][1]
    assert list(links_101) == ["pubmed_pubmed", "pubmed_pubmed_citedin", "pubmed_pubmed_refs"]
    assert links_101["pubmed_pubmed"] == [("101", "1001"), ("102", "500"), ("900002", "300")]
    assert links_101["pubmed_pubmed_citedin"] == [("104", None)]
    assert links_101["pubmed_pubmed_refs"] == [("900001", None), ("102", None)]
    assert sets[2][1] == {}  # unknown PMID: no links


def test_elink_neighbor_linkname_and_merged_ids(fake: FakeEutils) -> None:
    root = xml(call(fake, "elink", dbfrom="pubmed", db="pubmed", cmd="neighbor", id="101"))
    similar = link_sets(root)[0][1]["pubmed_pubmed"]
    assert all(score is None for _, score in similar)
    root = xml(call(fake, "elink", dbfrom="pubmed", id="101", linkname="pubmed_pubmed_refs"))
    assert list(link_sets(root)[0][1]) == ["pubmed_pubmed_refs"]
    root = xml(call(fake, "elink", dbfrom="pubmed", id="101,104"))  # one id= with two PMIDs
    ((ids, dbs),) = link_sets(root)
    assert ids == ["101", "104"]
    assert [pmid for pmid, _ in dbs["pubmed_pubmed_refs"]] == ["900001", "102", "101"]
    assert call(fake, "elink", dbfrom="pubmed", id="101", cmd="acheck").status_code == 400


# -- esummary --------------------------------------------------------------------------------


def test_esummary_json(fake: FakeEutils) -> None:
    response = call(fake, "esummary", db="pubmed", id="101,900001,106", retmode="json")
    assert response.headers["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["header"]["type"] == "esummary"
    result = data["result"]
    assert result["uids"] == ["101", "900001", "106"]
    doc = result["101"]
    assert doc["uid"] == "101" and doc["title"] == "Balint groups for residents"
    assert doc["fulljournalname"] and doc["source"]
    assert doc["pubdate"].startswith("2019 ")
    assert {"idtype": "doi", "idtypen": 3, "value": "10.1000/a101"} in doc["articleids"]
    assert result["900001"]["title"] == "Linked article 900001."
    assert result["106"]["error"] == "cannot get document summary"


def test_esummary_xml(fake: FakeEutils) -> None:
    root = xml(call(fake, "esummary", id="102,900001", version="2.0", retmode="xml"))
    assert root.tag == "eSummaryResult"
    docs = root.findall("DocumentSummarySet/DocumentSummary")
    assert [d.get("uid") for d in docs] == ["102", "900001"]
    assert docs[0].findtext("Title") == "Peer support for nurses"
    assert docs[0].findtext("FullJournalName") and docs[0].findtext("Source")
    assert docs[0].findtext("PubDate").startswith("2020")
    doi = [a.findtext("Value") for a in docs[0].iterfind("ArticleIds/ArticleId")]
    assert doi == ["102", "10.1000/b102"]
    assert docs[1].findtext("Title") == "Linked article 900001."
    v1 = xml(call(fake, "esummary", id="102"))
    assert v1.findtext("DocSum/Id") == "102"
    assert v1.find("DocSum/Item[@Name='Title']").text == "Peer support for nurses"


# -- rate limit, identity, bookkeeping -------------------------------------------------------


def test_rate_limit_without_api_key() -> None:
    with FakeEutils(SMALL) as fake:
        statuses = [call(fake, "esearch", term="balint") for _ in range(5)]
        limited = [r for r in statuses if r.status_code == 429]
        assert limited and fake.violations == len(limited)
        body = limited[0].json()
        assert body["error"] == "API rate limit exceeded"
        assert body["limit"] == "3" and int(body["count"]) > 3 and body["api-key"]
        assert limited[0].headers["X-RateLimit-Limit"] == "3"
        time.sleep(1.05)  # the window slides on
        assert call(fake, "esearch", term="balint").status_code == 200


def test_rate_limit_with_api_key_or_disabled() -> None:
    with FakeEutils(SMALL, api_key_rate=10) as fake:
        statuses = {call(fake, "esearch", term="x", api_key="x").status_code for _ in range(5)}
        assert statuses == {200} and fake.violations == 0
    with FakeEutils(SMALL, rate_limit=None) as fake:
        assert {call(fake, "esearch", term="x").status_code for _ in range(12)} == {200}
        assert fake.violations == 0


@pytest.mark.parametrize("missing", ["tool", "email"])
def test_missing_identity(fake: FakeEutils, missing: str) -> None:
    params = {"db": "pubmed", "term": "balint", **IDENTITY}
    del params[missing]
    response = requests.get(f"{fake.url}esearch.fcgi", params=params, timeout=5)
    assert response.status_code == 400 and missing in response.text
    assert fake.missing_identity == 1


def test_unknown_paths(fake: FakeEutils) -> None:
    assert call(fake, "einfo").status_code == 400
    assert requests.get(fake.url.replace("/entrez/eutils/", "/x"), timeout=5).status_code == 400
    assert call(fake, "esearch", db="pmc", term="x").status_code == 400


def test_requests_are_recorded(fake: FakeEutils) -> None:
    params = [*IDENTITY.items(), ("dbfrom", "pubmed"), ("id", "101"), ("id", "102")]
    requests.post(f"{fake.url}elink.fcgi?cmd=neighbor", data=params, timeout=5)
    call(fake, "esearch", term="balint", retmax="0")
    path, recorded, status, stamp = fake.requests[0]
    assert path == "/entrez/eutils/elink.fcgi" and status == 200
    assert recorded["id"] == ["101", "102"] and recorded["cmd"] == "neighbor"
    assert recorded["tool"] == "litbalint-test"
    assert fake.requests[1].params["term"] == "balint"
    assert fake.requests[1].timestamp >= stamp
    assert [r.path for r in fake.calls("esearch")] == ["/entrez/eutils/esearch.fcgi"]


# -- faults ----------------------------------------------------------------------------------


def efetch_101(fake: FakeEutils, timeout: float = 5) -> requests.Response:
    return requests.get(
        f"{fake.url}efetch.fcgi", params={**IDENTITY, "id": "101,102"}, timeout=timeout
    )


@pytest.mark.parametrize("fault", [f for f in FAULTS if f not in ("reset", "timeout")])
def test_injected_fault_then_normal(fake: FakeEutils, fault: str) -> None:
    fake.inject("efetch", fault)
    response = efetch_101(fake)
    if fault.startswith("429"):
        assert response.status_code == 429
        assert response.json()["error"] == "API rate limit exceeded"
        assert response.headers.get("Retry-After") == ("1" if fault == "429" else None)
        assert fake.violations == 0  # injected, not caused by the rate limit
    elif fault in ("500", "502", "503"):
        assert response.status_code == int(fault)
    elif fault == "html":
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/html")
        assert response.content.startswith(b"<!DOCTYPE html")
    elif fault == "truncated":
        assert response.status_code == 200
        with pytest.raises(ET.ParseError):
            ET.fromstring(response.content)
        assert isinstance(parsed(response)[-1], Problem)
    elif fault == "error-element":
        root = xml(response)
        assert root.tag == "eFetchResult" and root.findtext("ERROR")
    elif fault == "missing-records":
        assert [r.ids.pmid for r in parsed(response)] == [101]
    assert fake.faults_served == [("efetch", fault)]
    assert [r.ids.pmid for r in parsed(efetch_101(fake))] == [101, 102]  # consumed


def test_reset_and_timeout(fake: FakeEutils) -> None:
    fake.inject("efetch", "reset")
    with pytest.raises(requests.ConnectionError):
        efetch_101(fake)
    assert fake.requests[-1].status == 0
    fake.slow_seconds = 1.0
    fake.inject("efetch", "timeout")
    with pytest.raises(requests.Timeout):
        efetch_101(fake, timeout=0.2)
    assert len(parsed(efetch_101(fake))) == 2


def test_faults_in_order_times_and_per_endpoint(fake: FakeEutils) -> None:
    fake.inject("efetch", "500", times=2)
    fake.inject("efetch", "502")
    fake.inject("esearch", "error-element")
    assert call(fake, "esummary", id="101").status_code == 200  # another endpoint: untouched
    assert [efetch_101(fake).status_code for _ in range(4)] == [500, 500, 502, 200]
    root = xml(call(fake, "esearch", term="balint"))
    assert root.tag == "eSearchResult" and root.findtext("ERROR") and root.find("Count") is None
    for endpoint in ("elink", "epost", "esummary"):
        fake.inject(endpoint, "error-element")
        assert xml(call(fake, endpoint, id="101", dbfrom="pubmed")).findtext("ERROR")
    with pytest.raises(ValueError):
        fake.inject("efetch", "404")
    with pytest.raises(ValueError):
        fake.inject("einfo", "500")


def test_fault_rate_is_random_but_deterministic() -> None:
    def run() -> list[int]:
        with FakeEutils(SMALL, rate_limit=None) as fake:
            fake.fault_rate(None, 0.3, faults=["500", "503"], seed=7)
            fake.fault_rate("efetch", 0.2, faults=["truncated"], seed=8)
            return [efetch_101(fake).status_code for _ in range(60)]

    first = run()
    assert first == run()
    counts = Counter(first)
    assert set(counts) == {200, 500, 503} and 5 < counts[500] + counts[503] < 35


# -- lifecycle -------------------------------------------------------------------------------


def test_stops_on_exit_and_when_idle() -> None:
    with FakeEutils(SMALL) as fake:
        assert fake.url.startswith("http://127.0.0.1:") and fake.url.endswith("/entrez/eutils/")
        assert call(fake, "esearch", term="x").status_code == 200
    with pytest.raises(requests.ConnectionError):
        call(fake, "esearch", term="x")
    idle = FakeEutils(SMALL, idle_timeout=0.3).start()
    time.sleep(0.8)
    assert not idle.running and idle.timed_out
    with pytest.raises(requests.ConnectionError):
        call(idle, "esearch", term="x")


# -- synthetic records -----------------------------------------------------------------------


def test_make_records_fast_and_deterministic() -> None:
    n = 5000
    start = time.process_time()  # CPU seconds: the same on a busy machine
    records = make_records(n)
    assert time.process_time() - start < 3
    again = make_records(300, seed=5)
    assert again == make_records(300, seed=5) and again != make_records(300, seed=6)
    pmids = [r.pmid for r in records]
    assert pmids == list(range(30000000, 30000000 + n))
    fake = FakeEutils(records)  # not started: search only
    balint = set(fake.search("balint group"))
    peer = set(fake.search("peer support"))
    syndrome = set(fake.search("balint syndrome"))
    assert 0.4 < len(balint) / n < 0.6 and 0.4 < len(peer) / n < 0.6
    assert 0.02 < len(balint & peer) / n < 0.06
    assert syndrome and not syndrome & set(fake.search("balint NOT syndrome"))
    assert {r.crdt[:4] for r in records} == {str(y) for y in range(2015, 2026)}
    assert all(r.mdat >= r.crdt for r in records)
    inside = set(pmids)
    assert 9 < sum(len(r.refs) for r in records) / n < 11
    assert 2 < sum(len(r.citedin) for r in records) / n < 4
    assert all(len(r.similar) == 5 for r in records)
    similar_inside = sum(p in inside for r in records for p, _ in r.similar)
    assert 0.15 < similar_inside / (5 * n) < 0.3
    by_pmid = {r.pmid: r for r in records}
    for record in records[:500]:  # citedin agrees with refs inside the set
        for ref in record.refs:
            if ref in inside:
                assert record.pmid in by_pmid[ref].citedin
    assert 0.1 < sum(r.chinese_abstract is not None for r in records) / n < 0.2
    assert 0.8 < sum(r.doi is not None for r in records) / n < 0.9
    assert all(not r.refs for r in make_records(10, links=False))


def test_synthetic_records_round_trip_through_efetch() -> None:
    records = make_records(300, seed=2)
    by_pmid = {r.pmid: r for r in records}
    with FakeEutils(records, rate_limit=None) as fake:
        root = xml(call(fake, "epost", id=",".join(str(r.pmid) for r in records)))
        history = {"WebEnv": root.findtext("WebEnv"), "query_key": root.findtext("QueryKey")}
        articles = parsed(call(fake, "efetch", retmax="300", **history))
        summaries = call(fake, "esummary", retmax="300", retmode="json", **history).json()
    assert len(articles) == 300 and all(isinstance(a, Article) for a in articles)
    for article in articles:
        record = by_pmid[article.ids.pmid]
        assert article.title_en == record.title
        assert article.ids.doi == record.doi
        assert [ref.ids.pmid for ref in article.references] == record.refs
        assert bool(article.abstract_zh) == bool(record.chinese_abstract)
    assert len(summaries["result"]["uids"]) == 300
    assert json.dumps(summaries, ensure_ascii=False).count("Linked article") == 0
