"""HTTP to NCBI E-utilities: one polite session, a rate limiter, retries, request shapes that
stay within what NCBI really accepts. Replies are read in eutils_replies.

Etiquette: `tool` and `email` on every request; at most 3 requests/s without an API key, 10 with
one -- enforced by spacing request starts (retries included). Every request is a POST (NCBI asks
for POST beyond ~200 UIDs). Transient faults (429, 5xx, HTML error pages, resets, timeouts,
truncated replies, <ERROR>s such as "Backend failed" or "C++ Exception ... Read failed") are
retried with exponential backoff and jitter, a bounded number of times; permanent ones (an
invalid query, an unknown field, too many UIDs) raise EutilsRequestError at once; nothing
listening at the URL on the first request raises EutilsUnreachable at once.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable
from typing import TypeVar, overload
from urllib.parse import urlsplit

import requests
import urllib3

from litbalint import __version__
from litbalint import eutils_replies as replies
from litbalint.errors import LitbalintError
from litbalint.eutils_replies import (
    EutilsError,
    EutilsRequestError,
    EutilsUnreachable,
    LinkReply,
    Outage,
    SearchResult,
    SummaryReply,
    TransientReply,
)
from litbalint.harvest_settings import DEFAULT_URL
from litbalint.model import Record

__all__ = [
    "DEFAULT_URL",
    "Eutils",
    "EutilsError",
    "EutilsRequestError",
    "EutilsUnreachable",
    "LinkReply",
    "Outage",
    "RateLimiter",
    "SearchResult",
    "SummaryReply",
]

T = TypeVar("T")
Params = dict[str, str] | list[tuple[str, str]]

TOOL = "litbalint"
# esummary answers retmode=json for more than 500 UIDs with HTTP 200 and {"error": "Too many UIDs
# in request. Maximum number of UIDs is 500 for JSON format output."} (the 10,000 of NCBI's
# documentation holds for XML only).
ESUMMARY_JSON_MAX = 500
EPOST_MAX = 10000  # UIDs one epost may carry
# elink: one `id=` per PMID keeps link sets per article. 100 PMIDs a request for cmd=neighbor
# (references, cited by: each a few dozen links); 50 for cmd=neighbor_score, whose scoring backend
# is the slow, failing hop (public clients report ~60 s hangs, then "Read failed: EOF").
ELINK_BATCH = 100
ELINK_SCORE_BATCH = 50
# (linkname, cmd, PMIDs a request): explicit link names, scores only for similar articles
LINK_REQUESTS = (
    ("pubmed_pubmed_refs", "neighbor", ELINK_BATCH),
    ("pubmed_pubmed_citedin", "neighbor", ELINK_BATCH),
    ("pubmed_pubmed", "neighbor_score", ELINK_SCORE_BATCH),
)
CONNECT_TIMEOUT = 5.0  # seconds to open a connection: a host that does not answer is down
READ_TIMEOUT = 60.0  # seconds between bytes of a reply (efetch of 500 records, esearch)
# elink's broken shapes hang ~60 s before answering an ERROR: give up sooner and split the batch
LINK_READ_TIMEOUT = 30.0
# A batch is split at its first timeout or <ERROR> (a hanging PMID costs one read timeout per
# halving); a single PMID is tried twice, then its links count as failed for this run.
LINK_SINGLE_TRIES = 2
# Requests one elink() call may spend on splitting: a few bad PMIDs are found by halving, but
# when elink fails for everything (an NCBI backend outage) the rest of the batch is left for the
# next run instead of being asked for PMID by PMID.
LINK_SPLIT_BUDGET = 40
SUMMARY_SPLIT_BUDGET = 20  # the same for esummary refusing a list for one bad UID

_TRANSIENT = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class RateLimiter:
    """Spaces request starts at least 1/rate seconds apart, plus a margin for the jitter of
    arrival times on the way to the server (thread-safe)."""

    # Arrivals jitter by the connection's set-up time: measured at a server, 1.05 let 1% of
    # gaps fall to ~0.18 s (429s from a strict limiter); 1.15 spaces starts 0.38 s apart at 3/s.
    MARGIN = 1.15

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


class Eutils:
    """A client for one E-utilities endpoint (NCBI's, or a fake one in tests). Timeouts and the
    sleep are injectable so tests do not wait."""

    def __init__(
        self,
        base_url: str,
        email: str,
        api_key: str | None = None,
        timeout: float = READ_TIMEOUT,
        max_tries: int = 6,
        backoff: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        link_timeout: float = LINK_READ_TIMEOUT,
        connect_timeout: float = CONNECT_TIMEOUT,
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
        self.link_timeout, self.connect_timeout = link_timeout, connect_timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"litbalint/{__version__} (+{email})"
        self.requests = 0
        self.retries = 0
        self.answered = 0  # replies received (any status): once one came, the host is there

    # -- transport -----------------------------------------------------------------------

    @overload
    def call(
        self,
        endpoint: str,
        params: Params,
        check: None = None,
        split_after: int | None = None,
        timeout: float | None = None,
        tries: int | None = None,
    ) -> bytes: ...

    @overload
    def call(
        self,
        endpoint: str,
        params: Params,
        check: Callable[[bytes], T],
        split_after: int | None = None,
        timeout: float | None = None,
        tries: int | None = None,
    ) -> T: ...

    def call(
        self,
        endpoint: str,
        params: Params,
        check: Callable[[bytes], T] | None = None,
        split_after: int | None = None,
        timeout: float | None = None,
        tries: int | None = None,
    ) -> T | bytes:
        """POST one request with retries; `check` turns the body into a result or raises
        TransientReply / EutilsRequestError. Returns the check's result (or the body).
        `split_after`: give up after that many timeouts / <ERROR>s (a smaller request may do);
        other faults are retried up to `tries` (default max_tries)."""
        items = list(params.items()) if isinstance(params, dict) else list(params)
        items += list(self.identity.items())
        url = self.base_url + endpoint
        tries = tries or self.max_tries
        last, splittable, split_faults = "no attempt", False, 0
        for attempt in range(tries):
            if attempt:
                self.retries += 1
            self.limiter.wait()
            self.requests += 1
            try:
                response = self.session.post(
                    url, data=items, timeout=(self.connect_timeout, timeout or self.timeout)
                )
                self.answered += 1
                body = _check_http(response, endpoint)
                return check(body) if check else body
            except TransientReply as retry:
                last, wait, splittable = str(retry), retry.wait, retry.splittable
            except _TRANSIENT as error:  # resets (also mid-reply), timeouts, refusals
                if not self.answered and _never_connected(error):
                    raise EutilsUnreachable(_unreachable(self.base_url, error)) from None
                last, wait = f"{type(error).__name__}: {_short(error)}", None
                splittable = isinstance(error, requests.ReadTimeout)
            except requests.RequestException as error:  # a bad URL, say: asking again is futile
                raise EutilsRequestError(f"{endpoint}: {type(error).__name__}: {error}") from None
            split_faults += splittable
            if split_after and split_faults >= split_after:
                tries = attempt + 1
                break
            if attempt + 1 < tries:
                delay = self.backoff * 2**attempt * random.uniform(0.5, 1.5)
                if wait is not None:
                    delay = max(delay, wait)
                    self.limiter.hold(wait)
                self._sleep(delay)
        failure = EutilsError(f"{endpoint}: failed after {tries} tries ({last})")
        failure.splittable = splittable
        raise failure

    # -- endpoints -----------------------------------------------------------------------

    def esearch(
        self,
        term: str,
        datetype: str | None = None,
        mindate: str | None = None,
        maxdate: str | None = None,
        retmax: int = 0,
    ) -> SearchResult:
        params = {"db": "pubmed", "term": term, "retmax": str(retmax)}
        if datetype:
            params |= {
                "datetype": datetype,
                "mindate": mindate or "1800/01/01",
                "maxdate": maxdate or "3000/12/31",
            }
        return self.call("esearch.fcgi", params, replies.search_result)

    def efetch(self, pmids: Iterable[int], tries: int | None = None) -> list[Record]:
        """Records for these PMIDs (Article or Deletion), parsed by the streaming parser."""
        ids = ",".join(str(p) for p in pmids)
        params = {"db": "pubmed", "id": ids, "retmode": "xml"}
        return self.call("efetch.fcgi", params, replies.records, tries=tries)

    def elink(self, pmids: Iterable[int]) -> LinkReply:
        """References and citing articles (cmd=neighbor), similar articles with scores
        (cmd=neighbor_score, linkname=pubmed_pubmed), each link name its own requests, one
        `id=` per PMID. A batch that times out or answers an ERROR is split in two, down to
        single PMIDs; a PMID that still fails is in `failed` (not read as "no links")."""
        wanted = list(dict.fromkeys(pmids))
        reply = LinkReply()
        spare = [LINK_SPLIT_BUDGET]  # requests left for splitting, shared by the link names
        for linkname, cmd, size in LINK_REQUESTS:
            for start in range(0, len(wanted), size):
                chunk = wanted[start : start + size]
                reply.merge(self._elink_split(chunk, linkname, cmd, spare))
        for pmid in [*reply.failed, *reply.unasked]:
            reply.links.pop(pmid, None)
        return reply

    def _elink_split(
        self, pmids: list[int], linkname: str, cmd: str, spare: list[int]
    ) -> LinkReply:
        params = [("dbfrom", "pubmed"), ("db", "pubmed"), ("cmd", cmd), ("linkname", linkname)]
        params += [("id", str(p)) for p in pmids]
        try:
            return self.call(
                "elink.fcgi",
                params,
                lambda body: replies.link_sets(body, pmids, linkname),
                split_after=1 if len(pmids) > 1 else LINK_SINGLE_TRIES,
                timeout=self.link_timeout,
            )
        except EutilsError as error:  # an <ERROR> NCBI refuses may be one PMID's: split too
            if not error.splittable:
                raise  # NCBI is down, not this batch: the run stops, nothing is lost
            if len(pmids) == 1:
                return LinkReply(failed={pmids[0]: str(error)})
            if spare[0] <= 0:  # elink fails for everything: not these PMIDs' fault
                return LinkReply(unasked=list(pmids))
            spare[0] -= 2
            middle = len(pmids) // 2
            reply = self._elink_split(pmids[:middle], linkname, cmd, spare)
            reply.merge(self._elink_split(pmids[middle:], linkname, cmd, spare))
            return reply

    def epost(self, pmids: Iterable[int]) -> tuple[str, str]:
        """Put PMIDs on the history server; returns (WebEnv, query_key)."""
        ids = [str(p) for p in pmids]
        if len(ids) > EPOST_MAX:
            raise EutilsRequestError(f"epost.fcgi: {len(ids)} UIDs, at most {EPOST_MAX} a post")
        params = {"db": "pubmed", "id": ",".join(ids)}
        return self.call("epost.fcgi", params, replies.posted)

    def esummary(self, pmids: list[int], outage: Outage | None = None) -> SummaryReply:
        """Titles, journals and dates: POSTed `id=` lists of at most 500 PMIDs, retmode=json,
        version=2.0 (no history server: nothing to expire between requests). A list NCBI
        refuses for one bad UID is split to find it; once esummary keeps failing after every
        retry (`outage`, shared by the run), the remaining PMIDs are left `unasked`."""
        outage = outage or Outage()
        reply = SummaryReply()
        spare = [SUMMARY_SPLIT_BUDGET]
        for start in range(0, len(pmids), ESUMMARY_JSON_MAX):
            chunk = pmids[start : start + ESUMMARY_JSON_MAX]
            if outage.reason:
                reply.unasked += chunk
                continue
            try:
                reply.merge(self._esummary_split(chunk, spare))
            except EutilsError as error:
                if isinstance(error, EutilsRequestError) and not error.splittable:
                    raise  # HTTP 400 and the like: every request would fail the same way
                outage.reason = str(error)
                reply.unasked += chunk
        return reply

    def _esummary_split(self, pmids: list[int], spare: list[int]) -> SummaryReply:
        params = {
            "db": "pubmed",
            "id": ",".join(str(p) for p in pmids),
            "retmode": "json",
            "version": "2.0",
        }
        try:
            part = self.call("esummary.fcgi", params, replies.summaries)
        except EutilsRequestError as error:  # "Invalid uid ...": one UID may spoil the list
            if not error.splittable:
                raise
            if len(pmids) == 1:
                return SummaryReply(failed={pmids[0]: str(error)})
            if spare[0] <= 0:
                return SummaryReply(unasked=list(pmids))
            spare[0] -= 2
            middle = len(pmids) // 2
            part = self._esummary_split(pmids[:middle], spare)
            part.merge(self._esummary_split(pmids[middle:], spare))
            return part
        answered = {s.pmid for s in part.summaries} | set(part.failed)
        part.failed |= {p: "esummary: not in the reply" for p in pmids if p not in answered}
        return part


def _never_connected(error: Exception) -> bool:
    """True for a refused connection, an unknown host, a connect timeout: nothing answered."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason = getattr(error.args[0] if error.args else None, "reason", None)
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _unreachable(base_url: str, error: Exception) -> str:
    text = str(error).lower()
    if "refused" in text:
        why = "connection refused"
    elif "resolve" in text or "name or service" in text or "nodename" in text:
        why = f"no such host {urlsplit(base_url).hostname}"
    elif isinstance(error, requests.ConnectTimeout):
        why = "no answer to the connection"
    else:
        why = _short(error)
    return f"cannot reach E-utilities at {base_url}: {why}; check the network or --eutils-url"


def _short(error: Exception) -> str:
    return " ".join(str(error).split())[:200]


def _check_http(response: requests.Response, endpoint: str) -> bytes:
    status = response.status_code
    if status == 429:
        retry_after = response.headers.get("Retry-After", "")
        wait = float(retry_after) if retry_after.replace(".", "", 1).isdigit() else 1.0
        raise TransientReply("HTTP 429 (rate limit)", wait)  # NCBI counts per second
    if status >= 500:
        raise TransientReply(f"HTTP {status}")
    if status != 200:
        text = " ".join(response.text[:200].split())
        raise EutilsRequestError(f"{endpoint}: HTTP {status}: {text!r}")
    body = response.content
    head = body[:512].lstrip().lower()
    html_type = "html" in response.headers.get("Content-Type", "")
    if html_type or head.startswith((b"<!doctype html", b"<html")):
        raise TransientReply("an HTML error page instead of XML")
    return body
