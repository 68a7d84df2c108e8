"""HTTP to NCBI E-utilities: one polite session, a rate limiter, retries, typed replies.

Etiquette: `tool` and `email` on every request; at most 3 requests/s without an API key, 10 with
one — enforced by spacing request starts (retries included), so no one-second window ever holds
more. Faults (429 with or without Retry-After, 5xx, HTML error pages, resets, timeouts, truncated
XML, <ERROR> elements, ErrorList replies) are retried with exponential backoff and jitter, a
bounded number of times; then EutilsError.
"""

from __future__ import annotations

import io
import json
import random
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import requests

from litbalint import __version__
from litbalint.errors import LitbalintError
from litbalint.model import Article, ArticleLinks, Deletion, LinkSummary, Problem, Record
from litbalint.sources.pubmed_xml import parse_pubmed_xml

DEFAULT_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
TOOL = "litbalint"


class EutilsError(LitbalintError):
    """A request that still failed after every retry."""


_TRANSIENT = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class _Retry(Exception):
    """A reply that may succeed when asked again."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


class RateLimiter:
    """Spaces request starts at least 1/rate seconds apart, plus a margin for the jitter of
    arrival times on the way to the server (thread-safe)."""

    MARGIN = 1.05

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = self.MARGIN / rate
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until this request may start. The next slot counts from when this one
        really starts (a thread that woke late must not shorten the next gap)."""
        with self._lock:
            now = self._clock()
            if now < self._next:
                self._sleep(self._next - now)
                now = self._clock()
            self._next = now + self.interval

    def hold(self, seconds: float) -> None:
        """Nobody starts a request for `seconds` (after a 429)."""
        with self._lock:
            self._next = max(self._next, self._clock() + seconds)


@dataclass
class SearchResult:
    count: int
    ids: list[int]
    webenv: str | None
    query_key: str | None


class Eutils:
    """A client for one E-utilities endpoint (NCBI's, or a fake one in tests)."""

    def __init__(
        self,
        base_url: str,
        email: str,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_tries: int = 6,
        backoff: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not email or "@" not in email:
            raise LitbalintError(
                "NCBI_EMAIL is not set: NCBI asks every client for a contact address; "
                "export NCBI_EMAIL=you@example.org and run again"
            )
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.identity = {"tool": TOOL, "email": email}
        if api_key:
            self.identity["api_key"] = api_key
        self.limiter = RateLimiter(10.0 if api_key else 3.0, sleep=sleep)
        self.timeout, self.max_tries, self.backoff, self._sleep = timeout, max_tries, backoff, sleep
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"litbalint/{__version__} (+{email})"
        self.requests = 0
        self.retries = 0

    # -- transport -----------------------------------------------------------------------

    def call(
        self,
        endpoint: str,
        params: dict | list[tuple[str, str]],
        check: Callable[[bytes], object] | None = None,
    ) -> object:
        """POST one request with retries; `check` turns the body into a result or raises
        _Retry. Returns the check's result (or the body)."""
        items = list(params.items()) if isinstance(params, dict) else list(params)
        items += list(self.identity.items())
        url = self.base_url + endpoint
        last = "no attempt"
        for attempt in range(self.max_tries):
            if attempt:
                self.retries += 1
            self.limiter.wait()
            self.requests += 1
            try:
                response = self.session.post(url, data=items, timeout=self.timeout)
                body = _check_http(response)
                return check(body) if check else body
            except _Retry as retry:
                last, wait = str(retry), retry.wait
            except _TRANSIENT as error:  # resets (also in the middle of a reply), timeouts
                last, wait = f"{type(error).__name__}: {error}", None
            except requests.RequestException as error:  # a bad URL, say: asking again is futile
                raise EutilsError(f"{endpoint}: {type(error).__name__}: {error}") from None
            if attempt + 1 < self.max_tries:
                delay = self.backoff * 2**attempt * random.uniform(0.5, 1.5)
                if wait is not None:
                    delay = max(delay, wait)
                    self.limiter.hold(wait)
                self._sleep(delay)
        raise EutilsError(f"{endpoint}: failed after {self.max_tries} tries ({last})")

    # -- endpoints -----------------------------------------------------------------------

    def esearch(
        self,
        term: str,
        datetype: str | None = None,
        mindate: str | None = None,
        maxdate: str | None = None,
        retmax: int = 0,
    ) -> SearchResult:
        params = {"db": "pubmed", "term": term, "usehistory": "y", "retmax": str(retmax)}
        if datetype:
            params |= {
                "datetype": datetype,
                "mindate": mindate or "1800/01/01",
                "maxdate": maxdate or "3000/12/31",
            }
        return self.call("esearch.fcgi", params, _search_result)  # type: ignore[return-value]

    def efetch(self, pmids: Iterable[int]) -> list[Record]:
        """Records for these PMIDs (Article or Deletion), parsed by the streaming parser."""
        ids = ",".join(str(p) for p in pmids)
        params = {"db": "pubmed", "id": ids, "retmode": "xml"}
        return self.call("efetch.fcgi", params, _records)  # type: ignore[return-value]

    def elink(self, pmids: Iterable[int]) -> dict[int, ArticleLinks]:
        """References, citing articles and similar articles (scored), one `id=` per PMID so
        every link set stays attached to its article."""
        params = [("dbfrom", "pubmed"), ("db", "pubmed"), ("cmd", "neighbor_score")]
        params += [("id", str(p)) for p in pmids]
        return self.call("elink.fcgi", params, _link_sets)  # type: ignore[return-value]

    def epost(self, pmids: Iterable[int]) -> tuple[str, str]:
        """Put PMIDs on the history server; returns (WebEnv, query_key)."""
        params = {"db": "pubmed", "id": ",".join(str(p) for p in pmids)}
        return self.call("epost.fcgi", params, _posted)  # type: ignore[return-value]

    def esummary(self, pmids: list[int], batch: int = 10000) -> list[LinkSummary]:
        """Titles, journals and dates for many PMIDs: epost, then esummary from the history
        server, up to 10,000 a request — two requests per 10,000 PMIDs."""
        summaries: list[LinkSummary] = []
        for start in range(0, len(pmids), batch):
            webenv, query_key = self.epost(pmids[start : start + batch])
            params = {
                "db": "pubmed",
                "WebEnv": webenv,
                "query_key": query_key,
                "retstart": "0",
                "retmax": str(batch),
                "retmode": "json",
                "version": "2.0",
            }
            summaries += self.call("esummary.fcgi", params, _summaries)  # type: ignore[operator]
        return summaries


def _posted(body: bytes) -> tuple[str, str]:
    root = _xml(body)
    webenv, query_key = root.findtext("WebEnv"), root.findtext("QueryKey")
    if not webenv or not query_key:
        raise _Retry("epost reply without WebEnv/QueryKey")
    return webenv, query_key


def _check_http(response: requests.Response) -> bytes:
    status = response.status_code
    if status == 429:
        retry_after = response.headers.get("Retry-After", "")
        wait = float(retry_after) if retry_after.replace(".", "", 1).isdigit() else 1.0
        raise _Retry("HTTP 429 (rate limit)", wait)  # NCBI counts per second: wait one out
    if status >= 500:
        raise _Retry(f"HTTP {status}")
    if status != 200:
        raise EutilsError(f"{response.url}: HTTP {status}: {response.text[:200]!r}")
    body = response.content
    head = body[:512].lstrip().lower()
    html_type = "html" in response.headers.get("Content-Type", "")
    if html_type or head.startswith((b"<!doctype html", b"<html")):
        raise _Retry("an HTML error page instead of XML")
    return body


def _xml(body: bytes) -> ET.Element:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise _Retry(f"truncated or broken XML ({error})") from None
    error = root.find("ERROR")
    if error is not None:
        raise _Retry(f"NCBI error: {(error.text or '').strip()[:200]}")
    return root


def _search_result(body: bytes) -> SearchResult:
    root = _xml(body)
    count = root.findtext("Count")
    if count is None:  # an ErrorList (or nothing) instead of a result: ask again
        errors = root.find("ErrorList")
        details = "; ".join(f"{e.tag} {e.text}" for e in errors) if errors is not None else ""
        raise _Retry(f"esearch reply without a Count {details}".strip())
    # An ErrorList beside a Count (PhraseNotFound...) is a warning about the query: a real,
    # possibly empty, result.
    return SearchResult(
        int(count),
        [int(e.text) for e in root.iterfind("IdList/Id") if e.text],
        root.findtext("WebEnv"),
        root.findtext("QueryKey"),
    )


def _records(body: bytes) -> list[Record]:
    records = list(parse_pubmed_xml(io.BytesIO(body)))
    problems = [r for r in records if isinstance(r, Problem)]
    if problems:
        raise _Retry(f"efetch reply unreadable: {problems[0].message}")
    return [r for r in records if isinstance(r, (Article, Deletion))]


def _link_sets(body: bytes) -> dict[int, ArticleLinks]:
    root = _xml(body)
    result: dict[int, ArticleLinks] = {}
    for link_set in root.iterfind("LinkSet"):
        ids = [int(e.text) for e in link_set.iterfind("IdList/Id") if e.text]
        if len(ids) != 1:
            continue
        links = result.setdefault(ids[0], ArticleLinks())
        for db in link_set.iterfind("LinkSetDb"):
            name = db.findtext("LinkName")
            found = [
                (int(link.findtext("Id") or 0), float(link.findtext("Score") or 0))
                for link in db.iterfind("Link")
            ]
            if name == "pubmed_pubmed_refs":
                links.refs = [pmid for pmid, _ in found]
            elif name == "pubmed_pubmed_citedin":
                links.cited_by = [pmid for pmid, _ in found]
            elif name == "pubmed_pubmed":
                links.similar = sorted(
                    ((pmid, score) for pmid, score in found if pmid != ids[0]),
                    key=lambda item: -item[1],
                )
    if root.find("LinkSet") is None and root.tag != "eLinkResult":
        raise _Retry(f"elink reply is <{root.tag}>, not eLinkResult")
    return result


def _summaries(body: bytes) -> list[LinkSummary]:
    """esummary JSON (version 2.0): {"result": {"uids": [...], "<uid>": {...}}}."""
    try:
        data = json.loads(body)
    except ValueError as error:
        raise _Retry(f"truncated or broken esummary JSON ({error})") from None
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(result, dict):
        problem = data.get("error") or data.get("esummaryresult") if isinstance(data, dict) else ""
        raise _Retry(f"esummary reply without a result {problem or ''}".strip())
    summaries = []
    for uid in result.get("uids", []):
        doc = result.get(str(uid)) or {}
        if not str(uid).isdigit() or "error" in doc:
            continue
        doi = next(
            (a.get("value") for a in doc.get("articleids", []) if a.get("idtype") == "doi"), None
        )
        summaries.append(
            LinkSummary(
                int(uid),
                doc.get("title") or None,
                doc.get("source") or None,
                doc.get("pubdate") or None,
                doi or None,
            )
        )
    return summaries
