"""A fake NCBI E-utilities server, for testing the harvester without the internet.

    with FakeEutils(make_records(200)) as fake:  # tests/support/synthetic/records.py
        client = Eutils(fake.url, email="me@example.org")
        ...
        assert fake.violations == 0

The server listens on 127.0.0.1 (a free port) in a daemon thread, answers `esearch.fcgi`,
`efetch.fcgi`, `elink.fcgi`, `esummary.fcgi` and `epost.fcgi` under `fake.url` (GET or POST) in
NCBI's formats, and stops on leaving the `with` block, or by itself after `idle_timeout` seconds
without a request. It records every request (`fake.requests`), enforces NCBI's rate limit
(`fake.violations`) and the `tool`/`email` etiquette (`fake.missing_identity`), and serves faults
on demand (`fake.inject`, `fake.fault_rate`).

Search (esearch `term`), kept simple:
- field tags (`[tiab]`, `[mh]`, `[Title/Abstract]` ...), parentheses and double quotes are dropped;
- the term splits at ` NOT ` (upper case, as PubMed wants its booleans): the first part says what
  to include, every later part what to exclude;
- each part is a list of alternatives separated by ` OR `; an alternative is a set of words
  (` AND ` between them is dropped) that must all occur, case- and accent-insensitively
  ("balint" finds "Bálint"), as substrings of title + abstract + topics_text ("group" finds
  "groups"; a trailing `*` is ignored);
- a record matches when some include-alternative matches and no exclude-alternative does.
Nesting is flattened: `a AND (b OR c)` reads as the alternatives `a b` and `c`.

Dates: `datetype` mdat -> FakeRecord.mdat, crdt/edat -> crdt, pdat (the default) -> year (whole
years: 2020/06/01 as mindate admits the year 2020). Like NCBI, the range applies only when both
`mindate` and `maxdate` are given (YYYY, YYYY/MM or YYYY/MM/DD).
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import socket
import struct
import sys
import threading
import time
import traceback
import unicodedata
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

from litbalint.topics import Topic
from tests.support.synthetic import words as W
from tests.support.synthetic.pubmed import journal_of

__all__ = ["ENDPOINTS", "FAULTS", "FakeEutils", "FakeRecord", "Request"]

ENDPOINTS = ("esearch", "efetch", "elink", "esummary", "epost")
FAULTS = (
    "429",
    "429-no-retry-after",
    "500",
    "502",
    "503",
    "html",
    "reset",
    "timeout",
    "truncated",
    "error-element",
    "missing-records",
)
BASE_PATH = "/entrez/eutils/"
LINK_NAMES = ("pubmed_pubmed", "pubmed_pubmed_citedin", "pubmed_pubmed_refs")
# what real NCBI lists for dbfrom=pubmed&db=pubmed without a linkname (ncbi=True)
NCBI_LINK_NAMES = (
    "pubmed_pubmed",
    "pubmed_pubmed_alsoviewed",
    "pubmed_pubmed_citedin",
    "pubmed_pubmed_combined",
    "pubmed_pubmed_five",
    "pubmed_pubmed_refs",
    "pubmed_pubmed_reviews",
    "pubmed_pubmed_reviews_five",
)
ESUMMARY_JSON_LIMIT = 500  # real NCBI: more UIDs than this with retmode=json is an error
EPOST_LIMIT = 10000
GET_ID_LIMIT = 200  # real NCBI wants POST beyond about this many UIDs
TOO_MANY_JSON = "Too many UIDs in request. Maximum number of UIDs is 500 for JSON format output."
SCORE_EXCEPTION = (
    'NCBI C++ Exception:\n    Error: TXCLIENT(CException::eUnknown) "fake/txclient.cpp", '
    "line 126: ncbi::CTxRawClientImpl::readAll() --- Read failed: EOF (the other side has "
    "unexpectedly closed connection), peer: 127.0.0.1:8064"
)
KNOWN_FIELDS = {
    "tiab",
    "title/abstract",
    "ti",
    "title",
    "ab",
    "abstract",
    "mh",
    "mesh terms",
    "majr",
    "mesh major topic",
    "all fields",
    "all",
    "tw",
    "text word",
    "pt",
    "publication type",
    "la",
    "language",
    "dp",
    "publication date",
    "au",
    "author",
    "sb",
    "subset",
    "ta",
    "journal",
    "pmid",
    "uid",
    "dcom",
    "edat",
    "crdt",
    "mdat",
    "sh",
    "ot",
    "kw",
}
STOPWORDS = {"a", "an", "and", "the", "of", "for", "in", "on", "to", "with", "by", "is", "was"}
EFETCH_MAX = 10000  # efetch/esummary retmax ceiling
DEFAULT_RETMAX = 20  # esearch, efetch and esummary without retmax

_XML_DECL = '<?xml version="1.0" encoding="UTF-8" ?>\n'
_DOCTYPES = {
    "eSearchResult": '<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n',
    "ePostResult": '<!DOCTYPE ePostResult PUBLIC "-//NLM//DTD epost 20090526//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20090526/epost.dtd">\n',
    "eLinkResult": '<!DOCTYPE eLinkResult PUBLIC "-//NLM//DTD elink 20101123//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20101123/elink.dtd">\n',
    "eSummaryResult": '<!DOCTYPE eSummaryResult PUBLIC "-//NLM//DTD esummary v2 20111117//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20111117/esummary.dtd">\n',
    "eSummaryResult-v1": '<!DOCTYPE eSummaryResult PUBLIC "-//NLM//DTD esummary v1 20041029//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20041029/esummary-v1.dtd">\n',
    "eFetchResult": '<!DOCTYPE eFetchResult PUBLIC "-//NLM//DTD efetch 20131226//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd">\n',
    "PubmedArticleSet": '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
    '1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n',
}
_XML_TYPE = "text/xml; charset=UTF-8"
_JSON_TYPE = "application/json; charset=UTF-8"
_HTML_TYPE = "text/html; charset=UTF-8"
_TEXT_TYPE = "text/plain; charset=UTF-8"
# -- records ---------------------------------------------------------------------------------


@dataclass
class FakeRecord:
    """One PubMed record the fake knows. Dates are 'YYYY/MM/DD'; `mdat` defaults to `crdt`,
    `year` (the publication year, for pdat) to the year of `crdt`."""

    pmid: int
    title: str
    abstract: str = ""
    doi: str | None = None
    mdat: str = ""
    crdt: str = "2020/01/01"
    year: int = 0
    topics_text: str = ""
    refs: list[int] = field(default_factory=list)
    citedin: list[int] = field(default_factory=list)
    similar: list[tuple[int, int]] = field(default_factory=list)
    deleted: bool = False
    chinese_abstract: str | None = None

    def __post_init__(self) -> None:
        self.crdt = self.crdt.replace("-", "/")
        self.mdat = (self.mdat or self.crdt).replace("-", "/")
        if not self.year:
            self.year = int(self.crdt[:4])


class Request(NamedTuple):
    """One request as the fake saw it. `params` merges the query string and a urlencoded POST
    body; a repeated parameter is a list. `status` is what was (or is being) sent, 0 for a
    reset. `timestamp` is time.monotonic() at arrival."""

    path: str
    params: dict[str, str | list[str]]
    status: int
    timestamp: float


# -- the server ------------------------------------------------------------------------------


@dataclass
class _Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = _XML_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False  # close the connection without answering
    delay: float = 0.0  # seconds to wait before answering


class _BadRequest(Exception):
    """A request the fake answers with 400 (and this message)."""


@dataclass
class _FaultRule:
    endpoint: str | None
    probability: float
    faults: list[str]
    rng: random.Random


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeEutils

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], OSError):  # a client that went away
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # else every reply waits ~40 ms for a delayed ACK
    protocol_version = "HTTP/1.1"
    server_version = "FakeEutils/1.0"
    sys_version = ""
    timeout = 60  # an idle keep-alive connection is closed after this
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._track(self.connection, False)

    def do_GET(self) -> None:
        self.server.fake._local.is_get = True
        self._serve(b"")

    def do_POST(self) -> None:
        self.server.fake._local.is_get = False
        length = int(self.headers.get("Content-Length") or 0)
        self._serve(self.rfile.read(length) if length > 0 else b"")

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _serve(self, body: bytes) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        params: dict[str, list[str]] = {}
        for key, value in parse_qsl(url.query, keep_blank_values=True):
            params.setdefault(key, []).append(value)
        if body and "multipart" not in (self.headers.get("Content-Type") or ""):
            for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                params.setdefault(key, []).append(value)
        reply = fake._handle(url.path, params)
        if reply.reset:
            self.close_connection = True
            # RST instead of FIN: the client sees "connection reset by peer"
            with contextlib.suppress(OSError):
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            return
        if reply.delay and fake._stopping.wait(reply.delay):
            self.close_connection = True
            return
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            self.wfile.flush()
        except OSError:  # the client gave up (e.g. its timeout passed)
            self.close_connection = True


class FakeEutils:
    """The fake server. Use as a context manager, or start()/stop()."""

    def __init__(
        self,
        records: list[FakeRecord],
        rate_limit: float | None = 3.0,
        api_key_rate: float = 10.0,
        cap: int = 10000,
        *,
        idle_timeout: float = 120.0,
        slow_seconds: float = 3.0,
        ncbi: bool = False,
    ) -> None:
        self.records: dict[int, FakeRecord] = {record.pmid: record for record in records}
        self.rate_limit = rate_limit
        self.api_key_rate = api_key_rate
        self.cap = cap
        self.idle_timeout = idle_timeout
        self.slow_seconds = slow_seconds  # how long the "timeout" fault and hangs wait
        # ncbi=True: NCBI's real limits and shapes (see `_ncbi_refusal`, `_elink`, `_esearch`):
        # 500-UID JSON esummary, 10,000-UID epost, GET refused for long id lists, neighbor_score
        # without linkname hanging then failing, all 8 link names with Scores, WarningList,
        # FieldNotFound, tab-indented XML; a deleted record vanishes as through E-utilities
        # (no esearch hit, nothing from efetch or elink, a per-UID esummary error: a
        # DeleteCitation is only in PubMed's FTP files).
        self.ncbi = ncbi
        self.hang_all = False  # every request waits slow_seconds before answering
        # PMIDs whose elink fails: "hang" (the request waits slow_seconds, then a C++ exception
        # ERROR), "linkset" (an ERROR inside its LinkSet), "linksetdb" (inside a LinkSetDb),
        # "invalid" (the request is refused: a root ERROR "Invalid uid")
        self.link_failures: dict[int, str] = {}
        self.url = ""
        self.requests: list[Request] = []
        self.violations = 0  # 429s from the rate limit (not injected ones)
        self.missing_identity = 0  # 400s for a request without tool/email
        self.faults_served: list[tuple[str, str]] = []  # (endpoint, fault), in order
        self.timed_out = False  # True when the server stopped itself after idle_timeout
        self._order = sorted(self.records, reverse=True)  # search results: newest PMID first
        self._folded: dict[int, str] | None = None
        self._lock = threading.Lock()
        self._queues: dict[str, deque[str]] = {endpoint: deque() for endpoint in ENDPOINTS}
        self._rules: list[_FaultRule] = []
        self._windows: dict[str, deque[float]] = {}
        self._history: dict[str, dict[int, list[int]]] = {}
        self._webenvs = 0
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._last_activity = time.monotonic()
        self._local = threading.local()  # per handler thread: was this request a GET?

    @property
    def _is_get(self) -> bool:
        return bool(getattr(self._local, "is_get", False))

    def hang(self, on: bool = True) -> None:
        """Every request waits `slow_seconds` before it is answered (past a client's timeout)."""
        self.hang_all = on

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> FakeEutils:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}{BASE_PATH}"
        self._last_activity = time.monotonic()
        serve = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        watch = threading.Thread(target=self._watch, daemon=True)
        serve.name, watch.name = "fake-eutils", "fake-eutils-idle"
        self._threads = [serve, watch]
        serve.start()
        watch.start()
        return self

    def stop(self) -> None:
        with self._lock:
            server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:  # wake handler threads waiting on keep-alive sockets
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=5)

    @property
    def running(self) -> bool:
        return self._server is not None

    def __enter__(self) -> FakeEutils:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _watch(self) -> None:
        while not self._stopping.wait(min(0.25, self.idle_timeout)):
            if time.monotonic() - self._last_activity > self.idle_timeout:
                self.timed_out = True
                self.stop()
                return

    def _track(self, connection: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    # -- faults --------------------------------------------------------------------------

    def inject(self, endpoint: str, fault: str, times: int = 1) -> None:
        """The next `times` requests to `endpoint` (that pass the rate limit and identity
        checks) get `fault`; injected faults are served in the order injected."""
        _check_fault(endpoint, fault)
        with self._lock:
            self._queues[endpoint].extend([fault] * times)

    def fault_rate(
        self,
        endpoint: str | None,
        probability: float,
        faults: list[str] | None = None,
        seed: int = 0,
    ) -> None:
        """From now on each request to `endpoint` (None: any) gets, with `probability`, one of
        `faults` (default: 500, 502, 503), chosen uniformly; deterministic for a given seed and
        request order. Rules add up: the first that fires wins; injected faults come first."""
        chosen = list(faults or ["500", "502", "503"])
        for fault in chosen:
            _check_fault(endpoint or ENDPOINTS[0], fault)
        with self._lock:
            self._rules.append(_FaultRule(endpoint, probability, chosen, random.Random(seed)))

    def clear_faults(self) -> None:
        with self._lock:
            for queue in self._queues.values():
                queue.clear()
            self._rules.clear()

    def calls(self, endpoint: str) -> list[Request]:
        """The recorded requests to one endpoint ("efetch", ...)."""
        suffix = f"/{endpoint}.fcgi"
        return [request for request in list(self.requests) if request.path.endswith(suffix)]

    def _next_fault(self, endpoint: str) -> str | None:
        with self._lock:
            queue = self._queues[endpoint]
            fault = queue.popleft() if queue else None
            if fault is None:
                for rule in self._rules:
                    if rule.endpoint not in (None, endpoint):
                        continue
                    if rule.rng.random() < rule.probability:
                        fault = rule.rng.choice(rule.faults)
                        break
            if fault:
                self.faults_served.append((endpoint, fault))
            return fault

    # -- one request ---------------------------------------------------------------------

    def _handle(self, path: str, params: dict[str, list[str]]) -> _Reply:
        now = time.monotonic()
        flat: dict[str, str | list[str]] = {
            key: values[0] if len(values) == 1 else values for key, values in params.items()
        }
        with self._lock:
            self._last_activity = now
            reply = self._rate_limit(params, now)
        endpoint = None
        if path.startswith(BASE_PATH) and path.endswith(".fcgi"):
            endpoint = path[len(BASE_PATH) : -len(".fcgi")]
        if reply is not None:
            pass
        elif endpoint not in ENDPOINTS:
            reply = _text(400, f"FakeEutils: unknown path {path!r}; try {BASE_PATH}esearch.fcgi")
        elif missing := [name for name in ("tool", "email") if not _one(params, name)]:
            with self._lock:
                self.missing_identity += 1
            reply = _text(
                400,
                f"FakeEutils: missing {' and '.join(missing)}: NCBI asks every E-utilities "
                "request to carry tool= (the software) and email= (a contact address)",
            )
        else:
            assert endpoint is not None
            reply = self._serve(endpoint, params, self._next_fault(endpoint))
        with self._lock:
            self.requests.append(Request(path, flat, 0 if reply.reset else reply.status, now))
        return reply

    def _rate_limit(self, params: dict[str, list[str]], now: float) -> _Reply | None:
        """NCBI's limit: too many requests in the last second (requests turned away count
        too) -> 429 with a JSON body. Called under the lock."""
        if self.rate_limit is None:
            return None
        key = _one(params, "api_key")
        limit = self.api_key_rate if key else self.rate_limit
        window = self._windows.setdefault(key or "", deque())
        window.append(now)
        while window and window[0] <= now - 1.0:
            window.popleft()
        count = len(window)
        headers = {
            "X-RateLimit-Limit": f"{limit:g}",
            "X-RateLimit-Remaining": str(max(0, int(limit) - count)),
        }
        if count <= limit:
            return None
        self.violations += 1
        body = {
            "error": "API rate limit exceeded",
            "api-key": key or "127.0.0.1",
            "count": str(count),
            "limit": f"{limit:g}",
        }
        return _Reply(429, json.dumps(body, separators=(",", ":")).encode(), _JSON_TYPE, headers)

    def _serve(self, endpoint: str, params: dict[str, list[str]], fault: str | None) -> _Reply:
        if fault in ("429", "429-no-retry-after"):
            limit = f"{self.rate_limit or 3:g}"
            body = {
                "error": "API rate limit exceeded",
                "api-key": _one(params, "api_key") or "127.0.0.1",
                "count": str(int(self.rate_limit or 3) + 1),
                "limit": limit,
            }
            headers = {"Retry-After": "1"} if fault == "429" else {}
            return _Reply(
                429, json.dumps(body, separators=(",", ":")).encode(), _JSON_TYPE, headers
            )
        if fault in ("500", "502", "503"):
            return _html_reply(int(fault))
        if fault == "html":
            return _html_reply(200)
        if fault == "reset":
            return _Reply(reset=True)
        if fault == "error-element":
            return _error_element(endpoint, params)
        try:
            refusal = self._ncbi_refusal(endpoint, params) if self.ncbi else None
            reply = refusal or getattr(self, f"_{endpoint}")(params, fault == "missing-records")
            if self.ncbi and endpoint != "efetch":
                reply = _ncbi_layout(reply)
            if self.hang_all:
                reply.delay = max(reply.delay, self.slow_seconds)
        except _BadRequest as error:
            return _text(400, f"FakeEutils: {error}")
        except Exception:  # a bug in the fake: make it visible
            return _text(500, "FakeEutils crashed:\n" + traceback.format_exc())
        if fault == "truncated" and reply.status == 200:
            reply.body = reply.body[: len(reply.body) // 2]
        if fault == "timeout":
            reply.delay = self.slow_seconds
        return reply

    def _ncbi_refusal(self, endpoint: str, params: dict[str, list[str]]) -> _Reply | None:
        """Real NCBI's size limits (ncbi=True); None when the request is within them."""
        ids = _ids(params)[0]
        if self._is_get and len(ids) > GET_ID_LIMIT:
            return _text(414, "Request-URI Too Long: send long id lists with POST")
        json_mode = (_one(params, "retmode") or "").lower() == "json"
        if endpoint == "esummary" and json_mode:
            many = len(ids) if ids else _int(params, "retmax", DEFAULT_RETMAX)
            if many > ESUMMARY_JSON_LIMIT:
                body = {"header": {"type": "esummary", "version": "0.3"}, "error": TOO_MANY_JSON}
                return _Reply(body=json.dumps(body, indent=4).encode(), content_type=_JSON_TYPE)
        if endpoint == "epost" and len(ids) > EPOST_LIMIT:
            return _error_reply("ePostResult", f"Too many UIDs in request: {len(ids)}")
        return None

    # -- history server --------------------------------------------------------------------

    def _store(self, ids: list[int], webenv: str | None) -> tuple[str, int]:
        with self._lock:
            if not webenv or webenv not in self._history:
                self._webenvs += 1
                webenv = (
                    f"MCID_{self._webenvs:08x}{random.Random(self._webenvs).getrandbits(64):016x}"
                )
                self._history[webenv] = {}
            keys = self._history[webenv]
            query_key = len(keys) + 1
            keys[query_key] = list(ids)
            return webenv, query_key

    def _from_history(self, params: dict[str, list[str]]) -> list[int] | None:
        """The ids stored under WebEnv + query_key, or None when not found."""
        webenv, query_key = _one(params, "WebEnv"), _one(params, "query_key")
        with self._lock:
            keys = self._history.get(webenv or "")
            if keys is None or not query_key or not query_key.isdigit():
                return None
            return keys.get(int(query_key))

    def _history_slice(self, params: dict[str, list[str]], root: str) -> list[int] | _Reply:
        ids = self._from_history(params)
        if ids is None:
            query_key = _one(params, "query_key") or "1"
            return _error_reply(root, f"Unable to obtain query #{query_key}")
        retstart = _int(params, "retstart", 0)
        retmax = min(_int(params, "retmax", DEFAULT_RETMAX), EFETCH_MAX)
        if retstart >= self.cap:
            return _error_reply(root, self._cap_message())
        return ids[retstart : retstart + retmax]

    def _cap_message(self) -> str:
        return (
            "Search Backend failed: Exception:\n"
            f"'retstart' cannot be larger than {self.cap - 1}. For PubMed, ESearch can only "
            f"retrieve the first {self.cap:,} records matching the query. To obtain more than "
            f"{self.cap:,} PubMed records, consider using EDirect that contains additional logic "
            "to batch PubMed search results automatically so that an arbitrary number can be "
            "retrieved. For details see https://www.ncbi.nlm.nih.gov/books/NBK25499/"
        )

    # -- esearch ---------------------------------------------------------------------------

    def _folded_texts(self) -> dict[int, str]:
        if self._folded is None:
            self._folded = {
                pmid: _fold(f"{r.title} {r.abstract} {r.topics_text}")
                for pmid, r in self.records.items()
            }
        return self._folded

    def search(
        self,
        term: str,
        datetype: str | None = None,
        mindate: str | None = None,
        maxdate: str | None = None,
    ) -> list[int]:
        """Every matching PMID, newest (highest) first: what esearch counts."""
        include, exclude = parse_term(term)
        texts = self._folded_texts()
        low = high = None
        if mindate and maxdate:
            low, high = _date_bound(mindate, False), _date_bound(maxdate, True)
        kind = (datetype or "pdat").lower()
        hits = []
        for pmid in self._order:
            if self.ncbi and self.records[pmid].deleted:
                continue
            text = texts[pmid]
            if not any(all(word in text for word in alt) for alt in include):
                continue
            if any(all(word in text for word in alt) for alt in exclude):
                continue
            if low is not None and high is not None:
                record = self.records[pmid]
                if kind == "mdat":
                    when = _date_bound(record.mdat, False)
                elif kind in ("crdt", "edat"):
                    when = _date_bound(record.crdt, False)
                else:
                    if not low[0] <= record.year <= high[0]:
                        continue
                    when = None
                if when is not None and not low <= when <= high:
                    continue
            hits.append(pmid)
        return hits

    def _esearch(self, params: dict[str, list[str]], missing: bool) -> _Reply:
        _check_db(params, "db")
        as_json = (_one(params, "retmode") or "xml").lower() == "json"
        term = (_one(params, "term") or "").strip()
        if not term:
            return _esearch_error("Empty term and query_key - nothing todo", as_json)
        retstart = _int(params, "retstart", 0)
        retmax = _int(params, "retmax", DEFAULT_RETMAX)
        if retstart >= self.cap:
            return _esearch_error(self._cap_message(), as_json)
        hits = self.search(
            term, _one(params, "datetype"), _one(params, "mindate"), _one(params, "maxdate")
        )
        kept = hits[: self.cap]
        ids = kept[retstart : retstart + retmax]
        history = None
        if (_one(params, "usehistory") or "").lower() == "y":
            history = self._store(kept, _one(params, "WebEnv"))
        texts = self._folded_texts().values()
        include, exclude = parse_term(term)
        not_found = [
            word
            for word in dict.fromkeys(w for alt in include for w in alt)
            if not any(word in text for text in texts)
        ]
        translation = _translation(include, exclude)
        warnings, field_errors = self._query_notes(term) if self.ncbi else ([], [])
        count_only = (_one(params, "rettype") or "").lower() == "count"
        if as_json:
            result: dict[str, object] = {"count": str(len(hits))}
            if not count_only:
                result |= {"retmax": str(len(ids)), "retstart": str(retstart)}
                if history:
                    result |= {"querykey": str(history[1]), "webenv": history[0]}
                result |= {
                    "idlist": [str(pmid) for pmid in ids],
                    "translationset": [],
                    "querytranslation": translation,
                }
                if not_found:
                    result["errorlist"] = {"phrasesnotfound": not_found, "fieldsnotfound": []}
            body = {"header": {"type": "esearch", "version": "0.3"}, "esearchresult": result}
            return _Reply(
                body=json.dumps(body, ensure_ascii=False).encode(), content_type=_JSON_TYPE
            )
        parts = [f"<Count>{len(hits)}</Count>"]
        if not count_only:
            parts.append(f"<RetMax>{len(ids)}</RetMax><RetStart>{retstart}</RetStart>")
            if history:
                parts.append(f"<QueryKey>{history[1]}</QueryKey><WebEnv>{history[0]}</WebEnv>")
            parts.append("<IdList>\n" + "".join(f"<Id>{pmid}</Id>\n" for pmid in ids) + "</IdList>")
            parts.append(
                f"<TranslationSet/><QueryTranslation>{escape(translation)}</QueryTranslation>"
            )
            if not_found or field_errors:
                phrases = "".join(
                    f"<PhraseNotFound>{escape(w)}</PhraseNotFound>" for w in not_found
                )
                fields = "".join(
                    f"<FieldNotFound>{escape(f)}</FieldNotFound>" for f in field_errors
                )
                parts.append(f"<ErrorList>{phrases}{fields}</ErrorList>")
            if warnings:
                parts.append(f"<WarningList>{''.join(warnings)}</WarningList>")
        return _xml_reply("eSearchResult", "".join(parts))

    def _query_notes(self, term: str) -> tuple[list[str], list[str]]:
        """(WarningList elements, unknown field names) for a term, as PubMed reports them:
        QuotedPhraseNotFound for a quoted phrase no record has, PhraseIgnored for stopwords,
        FieldNotFound for an unknown [tag]."""
        warnings: list[str] = []
        texts = self._folded_texts().values()
        for phrase in re.findall(r'"([^"]+)"', term):
            folded = _fold(phrase)
            if folded and not any(folded in text for text in texts):
                warnings.append(
                    f"<QuotedPhraseNotFound>{escape(chr(34) + phrase + chr(34))}"
                    "</QuotedPhraseNotFound>"
                )
        bare = _TAG.sub(" ", term.replace('"', " "))
        for word in dict.fromkeys(w for w in re.split(r"[\s()]+", bare) if w in STOPWORDS):
            warnings.append(f"<PhraseIgnored>{word}</PhraseIgnored>")
        fields = [
            tag
            for tag in re.findall(r"\[([^\]]*)\]", term)
            if tag.strip().lower() not in KNOWN_FIELDS
        ]
        return warnings, fields

    # -- epost -----------------------------------------------------------------------------

    def _epost(self, params: dict[str, list[str]], missing: bool) -> _Reply:
        _check_db(params, "db")
        ids, invalid = _ids(params)
        if not ids and not invalid:
            return _error_reply("ePostResult", "Empty ID list; Nothing to store")
        webenv, query_key = self._store(ids, _one(params, "WebEnv"))
        body = ""
        if invalid:
            body += "<InvalidIdList>" + "".join(f"<Id>{escape(i)}</Id>" for i in invalid)
            body += "</InvalidIdList>"
        body += f"<QueryKey>{query_key}</QueryKey><WebEnv>{webenv}</WebEnv>"
        return _xml_reply("ePostResult", body)

    # -- efetch ----------------------------------------------------------------------------

    def _efetch(self, params: dict[str, list[str]], missing: bool) -> _Reply:
        _check_db(params, "db")
        retmode = (_one(params, "retmode") or "xml").lower()
        if retmode != "xml":
            raise _BadRequest(f"retmode={retmode}: the fake serves PubMed efetch as XML only")
        if _all(params, "id"):
            ids = _ids(params)[0]
        elif _one(params, "WebEnv"):
            sliced = self._history_slice(params, "eFetchResult")
            if isinstance(sliced, _Reply):
                return sliced
            ids = sliced
        else:
            return _error_reply("eFetchResult", "Empty id list - nothing todo")
        known = [self.records[pmid] for pmid in dict.fromkeys(ids) if pmid in self.records]
        if missing and known:
            known.pop()  # the fault: one requested record is left out
        articles = "".join(self._article_xml(r) for r in known if not r.deleted)
        deleted = [r.pmid for r in known if r.deleted]
        if deleted and not self.ncbi:
            pmids = "".join(f'<PMID Version="1">{pmid}</PMID>' for pmid in deleted)
            articles += f"<DeleteCitation>{pmids}</DeleteCitation>\n"
        return _xml_reply("PubmedArticleSet", "\n" + articles)

    def _article_xml(self, r: FakeRecord) -> str:
        title, abbrev, issn, nlm_id = _journal(r.pmid)
        last, fore = _author(r.pmid)
        initials = "".join(part[0] for part in fore.split())
        mdat, crdt = _ymd(r.mdat), _ymd(r.crdt)
        volume, issue, page = _volume(r)
        out = [
            "<PubmedArticle>\n",
            '<MedlineCitation Status="MEDLINE" Owner="NLM" IndexingMethod="Automated">\n',
            f'<PMID Version="1">{r.pmid}</PMID>\n',
            f"<DateRevised><Year>{mdat[0]:04d}</Year><Month>{mdat[1]:02d}</Month>"
            f"<Day>{mdat[2]:02d}</Day></DateRevised>\n",
            '<Article PubModel="Print-Electronic">\n<Journal>\n',
            f'<ISSN IssnType="Print">{issn}</ISSN>\n',
            '<JournalIssue CitedMedium="Internet">',
            f"<Volume>{volume}</Volume><Issue>{issue}</Issue>",
            f"<PubDate><Year>{r.year}</Year><Month>{W.MONTHS[_month(r) - 1]}</Month></PubDate>",
            "</JournalIssue>\n",
            f"<Title>{escape(title)}</Title>\n<ISOAbbreviation>{escape(abbrev)}</ISOAbbreviation>\n",
            "</Journal>\n",
            f"<ArticleTitle>{escape(r.title)}</ArticleTitle>\n",
            f"<Pagination><StartPage>{page}</StartPage><MedlinePgn>{page}</MedlinePgn>"
            "</Pagination>\n",
        ]
        if r.doi:
            out.append(f'<ELocationID EIdType="doi" ValidYN="Y">{escape(r.doi)}</ELocationID>\n')
        if r.abstract:
            out.append(
                f"<Abstract>\n<AbstractText>{escape(r.abstract)}</AbstractText>\n</Abstract>\n"
            )
        out += [
            '<AuthorList CompleteYN="Y">\n<Author ValidYN="Y">',
            f"<LastName>{escape(last)}</LastName><ForeName>{escape(fore)}</ForeName>",
            f"<Initials>{initials}</Initials>",
            "<AffiliationInfo><Affiliation>Department of General Practice, Example University "
            "Hospital.</Affiliation></AffiliationInfo>",
            "</Author>\n</AuthorList>\n",
            "<Language>eng</Language>\n",
            '<PublicationTypeList>\n<PublicationType UI="D016428">Journal Article'
            "</PublicationType>\n</PublicationTypeList>\n",
            "</Article>\n",
            f"<MedlineJournalInfo><Country>England</Country><MedlineTA>{escape(abbrev)}"
            f"</MedlineTA><NlmUniqueID>{nlm_id}</NlmUniqueID><ISSNLinking>{issn}</ISSNLinking>"
            "</MedlineJournalInfo>\n",
        ]
        if r.chinese_abstract:
            out.append(
                '<OtherAbstract Type="Publisher" Language="chi">\n'
                f"<AbstractText>{escape(r.chinese_abstract)}</AbstractText>\n</OtherAbstract>\n"
            )
        out += ["</MedlineCitation>\n", "<PubmedData>\n<History>\n"]
        for status in ("entrez", "pubmed", "medline"):
            out.append(
                f'<PubMedPubDate PubStatus="{status}"><Year>{crdt[0]}</Year>'
                f"<Month>{crdt[1]}</Month><Day>{crdt[2]}</Day><Hour>6</Hour><Minute>0</Minute>"
                "</PubMedPubDate>\n"
            )
        out += [
            "</History>\n<PublicationStatus>ppublish</PublicationStatus>\n<ArticleIdList>\n",
            f'<ArticleId IdType="pubmed">{r.pmid}</ArticleId>\n',
        ]
        if r.doi:
            out.append(f'<ArticleId IdType="doi">{escape(r.doi)}</ArticleId>\n')
        out.append("</ArticleIdList>\n")
        if r.refs:
            out.append("<ReferenceList>\n")
            for ref in r.refs:
                out.append(
                    f"<Reference><Citation>{escape(self._citation(ref))}</Citation><ArticleIdList>"
                    f'<ArticleId IdType="pubmed">{ref}</ArticleId></ArticleIdList></Reference>\n'
                )
            out.append("</ReferenceList>\n")
        out.append("</PubmedData>\n</PubmedArticle>\n")
        return "".join(out)

    def _citation(self, pmid: int) -> str:
        record = self.records.get(pmid)
        if record is None:
            return f"Linked article {pmid}."
        last, fore = _author(pmid)
        volume, issue, page = _volume(record)
        abbrev = _journal(pmid)[1]
        return f"{last} {fore[0]}. {record.title} {abbrev}. {record.year};{volume}({issue}):{page}."

    # -- elink -----------------------------------------------------------------------------

    def _elink(self, params: dict[str, list[str]], missing: bool) -> _Reply:
        _check_db(params, "dbfrom")
        _check_db(params, "db")
        cmd = (_one(params, "cmd") or "neighbor").lower()
        if cmd not in ("neighbor", "neighbor_score"):
            raise _BadRequest(f"cmd={cmd}: the fake supports cmd=neighbor and neighbor_score")
        wanted = _one(params, "linkname")
        groups: list[list[int]] = []
        for value in _all(params, "id"):
            group = [int(p) for p in value.split(",") if p.strip().isdigit()]
            if group:
                groups.append(group)
        if not groups and _one(params, "WebEnv"):
            ids = self._from_history(params)
            if ids is None:
                return _error_reply("eLinkResult", "Unable to obtain query #1")
            groups = [ids]  # NCBI: one merged LinkSet for a history set
        if not groups:
            return _error_reply("eLinkResult", "Empty id list - nothing todo")
        asked = {p for group in groups for p in group}
        invalid = [p for p in asked if self.link_failures.get(p) == "invalid"]
        if invalid:
            return _error_reply("eLinkResult", f"Invalid uid {invalid[0]} at position= 0")
        hangs = any(self.link_failures.get(p) == "hang" for p in asked)
        if self.ncbi and cmd == "neighbor_score" and not wanted or hangs:
            reply = _error_reply("eLinkResult", SCORE_EXCEPTION)  # after a ~60 s hang
            reply.delay = self.slow_seconds
            return reply
        sets = [self._link_set(group, cmd == "neighbor_score", wanted) for group in groups]
        return _xml_reply("eLinkResult", "\n" + "".join(sets))

    def links(self, pmids: list[int], name: str) -> list[tuple[int, int]]:
        """The (pmid, score) links of one link name for a set of PMIDs, as elink orders them:
        refs and citedin newest (highest PMID) first; pubmed_pubmed by score, each PMID of the
        set itself first (as NCBI lists it)."""
        found: dict[int, int] = {}
        for pmid in pmids:
            record = self.records.get(pmid)
            if record is None or (self.ncbi and record.deleted):
                continue
            if name == "pubmed_pubmed_refs":
                found.update((ref, 0) for ref in record.refs)
            elif name == "pubmed_pubmed_citedin":
                found.update((citing, 0) for citing in record.citedin)
            elif name in ("pubmed_pubmed_five", "pubmed_pubmed_reviews_five"):
                found.update(record.similar[:5])
            elif name in ("pubmed_pubmed_alsoviewed", "pubmed_pubmed_reviews"):
                found.update((ref, 0) for ref in record.refs[:3])
            elif name == "pubmed_pubmed_combined":
                found.update(record.similar)
            elif name == "pubmed_pubmed" and record.similar:
                top = max(score for _, score in record.similar) * 2 + 1
                for other, score in [(pmid, top), *record.similar]:
                    found[other] = max(found.get(other, 0), score)
        if name == "pubmed_pubmed":
            return sorted(found.items(), key=lambda item: (-item[1], -item[0]))
        return sorted(found.items(), reverse=True)

    def _link_set(self, pmids: list[int], scores: bool, wanted: str | None) -> str:
        ids = "".join(f"<Id>{pmid}</Id>" for pmid in pmids)
        out = [f"<LinkSet>\n<DbFrom>pubmed</DbFrom>\n<IdList>{ids}</IdList>\n"]
        failures = {self.link_failures.get(p) for p in pmids}
        if "linkset" in failures:
            return out[0] + f"<ERROR>{escape(SCORE_EXCEPTION)}</ERROR>\n</LinkSet>\n"
        for name in NCBI_LINK_NAMES if self.ncbi else LINK_NAMES:
            if wanted and name != wanted:
                continue
            links = self.links(pmids, name)
            if not links and "linksetdb" not in failures:
                continue
            out.append(f"<LinkSetDb>\n<DbTo>pubmed</DbTo>\n<LinkName>{name}</LinkName>\n")
            if "linksetdb" in failures:
                out.append("<ERROR>CPmCSResult::Fetch() : Can not fetch result</ERROR>\n")
                out.append("</LinkSetDb>\n")
                continue
            scored = scores and (self.ncbi or name == "pubmed_pubmed")
            for pmid, score in links:
                score_xml = f"<Score>{score}</Score>" if scored else ""
                out.append(f"<Link><Id>{pmid}</Id>{score_xml}</Link>\n")
            out.append("</LinkSetDb>\n")
        out.append("</LinkSet>\n")
        return "".join(out)

    # -- esummary --------------------------------------------------------------------------

    def _esummary(self, params: dict[str, list[str]], missing: bool) -> _Reply:
        _check_db(params, "db")
        as_json = (_one(params, "retmode") or "xml").lower() == "json"
        if _all(params, "id"):
            ids = _ids(params)[0]
        elif _one(params, "WebEnv"):
            sliced = self._history_slice(params, "eSummaryResult")
            if isinstance(sliced, _Reply):
                return _json_error(sliced) if as_json else sliced
            ids = sliced
        else:
            reply = _error_reply("eSummaryResult", "Empty id list - nothing todo")
            return _json_error(reply) if as_json else reply
        ids = list(dict.fromkeys(ids))
        if missing and ids:
            ids.pop()
        summaries = {pmid: self.summary(pmid) for pmid in ids}
        if as_json:
            result: dict[str, object] = {"uids": [str(pmid) for pmid in ids]}
            for pmid, summary in summaries.items():
                result[str(pmid)] = summary or {
                    "uid": str(pmid),
                    "error": "cannot get document summary",
                }
            body = {"header": {"type": "esummary", "version": "0.3"}, "result": result}
            return _Reply(
                body=json.dumps(body, ensure_ascii=False).encode(), content_type=_JSON_TYPE
            )
        if _one(params, "version") == "2.0":
            docs = "".join(_summary_xml(pmid, s) for pmid, s in summaries.items())
            body = f'<DocumentSummarySet status="OK">\n<DbBuild>Build-fake</DbBuild>\n{docs}'
            return _xml_reply("eSummaryResult", body + "</DocumentSummarySet>")
        docs = "".join(_summary_v1(pmid, s) for pmid, s in summaries.items())
        return _xml_reply("eSummaryResult", docs, doctype="eSummaryResult-v1")

    def summary(self, pmid: int) -> dict[str, object] | None:
        """esummary's JSON entry for a PMID (None for a deleted record). A PMID the fake does
        not know (a link out of the corpus) gets a generated one titled 'Linked article N.'."""
        record = self.records.get(pmid)
        if record is not None and record.deleted:
            return None
        if record is None:
            record = FakeRecord(
                pmid, f"Linked article {pmid}.", crdt=f"{1990 + pmid % 30}/0{1 + pmid % 9}/15"
            )
        title, abbrev, issn, nlm_id = _journal(pmid)
        last, fore = _author(pmid)
        author = f"{last} {''.join(part[0] for part in fore.split())}"
        volume, issue, page = _volume(record)
        month = _month(record)
        crdt = _ymd(record.crdt)
        article_ids: list[dict[str, object]] = [
            {"idtype": "pubmed", "idtypen": 1, "value": str(pmid)}
        ]
        if record.doi:
            article_ids.append({"idtype": "doi", "idtypen": 3, "value": record.doi})
        return {
            "uid": str(pmid),
            "pubdate": f"{record.year} {W.MONTHS[month - 1]}",
            "epubdate": "",
            "source": abbrev,
            "authors": [{"name": author, "authtype": "Author", "clusterid": ""}],
            "lastauthor": author,
            "title": record.title,
            "sorttitle": _fold(record.title),
            "volume": volume,
            "issue": issue,
            "pages": page,
            "lang": ["eng"],
            "nlmuniqueid": nlm_id,
            "issn": issn,
            "essn": "",
            "pubtype": ["Journal Article"],
            "recordstatus": "PubMed - indexed for MEDLINE",
            "pubstatus": "4",
            "articleids": article_ids,
            "history": [
                {"pubstatus": "entrez", "date": f"{crdt[0]}/{crdt[1]:02d}/{crdt[2]:02d} 06:00"}
            ],
            "references": [],
            "attributes": ["Has Abstract"] if record.abstract else [],
            "pmcrefcount": len(record.citedin),
            "fulljournalname": title,
            "elocationid": f"doi: {record.doi}" if record.doi else "",
            "doctype": "citation",
            "booktitle": "",
            "sortpubdate": f"{record.year}/{month:02d}/01 00:00",
            "sortfirstauthor": author,
            "vernaculartitle": "",
        }


# -- term parsing ----------------------------------------------------------------------------

_TAG = re.compile(r"\[[^\]]*\]")
_NOT = re.compile(r"\s+NOT\s+")
_OR = re.compile(r"\s+OR\s+")
_AND = re.compile(r"\s+AND\s+")
_NON_WORD = re.compile(r"[^\w]+")


def _fold(text: str) -> str:
    """Lower case, accents stripped, punctuation as single spaces: what search compares."""
    if not text.isascii():
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


def parse_term(term: str) -> tuple[list[list[str]], list[list[str]]]:
    """(include, exclude): each a list of alternatives, each a list of words (see the module
    docstring for the rules)."""
    text = _TAG.sub(" ", term)
    text = text.replace("(", " ").replace(")", " ").replace('"', " ")
    parts = _NOT.split(f" {text} ")

    def alternatives(part: str) -> list[list[str]]:
        found = []
        for alt in _OR.split(f" {part} "):
            words = _fold(_AND.sub(" ", f" {alt} ")).split()
            if words:
                found.append(words)
        return found

    return alternatives(parts[0]), [alt for part in parts[1:] for alt in alternatives(part)]


def _translation(include: list[list[str]], exclude: list[list[str]]) -> str:
    def group(alts: list[list[str]]) -> str:
        return " OR ".join("(" + " AND ".join(alt) + ")" for alt in alts)

    text = group(include)
    return f"({text}) NOT ({group(exclude)})" if exclude else text


def _date_bound(text: str, upper: bool) -> tuple[int, int, int]:
    parts = [int(p) for p in re.split(r"[/-]", text.strip()) if p]
    if not parts:
        raise _BadRequest(f"not a date: {text!r}")
    year = parts[0]
    month = parts[1] if len(parts) > 1 else (12 if upper else 1)
    day = parts[2] if len(parts) > 2 else (31 if upper else 1)
    return year, month, day


# -- parameters ------------------------------------------------------------------------------


def _all(params: dict[str, list[str]], name: str) -> list[str]:
    """Every value of a parameter; names are matched case-insensitively (WebEnv = webenv)."""
    lowered = name.lower()
    return [v for key, values in params.items() if key.lower() == lowered for v in values]


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = _all(params, name)
    return values[0] if values else None


def _int(params: dict[str, list[str]], name: str, default: int) -> int:
    value = _one(params, name)
    if value is None or value == "":
        return default
    try:
        return max(0, int(value))
    except ValueError:
        raise _BadRequest(f"{name}={value!r} is not a number") from None


def _ids(params: dict[str, list[str]]) -> tuple[list[int], list[str]]:
    """The PMIDs of all `id` parameters (comma lists), in order, and the invalid tokens."""
    ids, invalid = [], []
    for value in _all(params, "id"):
        for token in value.split(","):
            token = token.strip()
            if token.isdigit():
                ids.append(int(token))
            elif token:
                invalid.append(token)
    return ids, invalid


def _check_db(params: dict[str, list[str]], name: str) -> None:
    db = _one(params, name) or "pubmed"
    if db.lower() != "pubmed":
        raise _BadRequest(f"{name}={db}: the fake knows db=pubmed only")


def _check_fault(endpoint: str, fault: str) -> None:
    if endpoint not in ENDPOINTS:
        raise ValueError(f"unknown endpoint {endpoint!r}; one of {', '.join(ENDPOINTS)}")
    if fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}; one of {', '.join(FAULTS)}")


# -- replies ---------------------------------------------------------------------------------


def _ncbi_layout(reply: _Reply) -> _Reply:
    """An XML reply laid out as NCBI sends it: declaration, DOCTYPE, tab-indented elements."""
    if reply.status != 200 or not reply.content_type.startswith("text/xml"):
        return reply
    text = reply.body.decode("utf-8")
    first = re.search(r"<[A-Za-z]", text)  # the root element, after declaration and DOCTYPE
    start = first.start() if first else 0
    try:
        root = ET.fromstring(text[start:])
    except ET.ParseError:
        return reply
    ET.indent(root, space="\t")
    body = text[:start] + ET.tostring(root, encoding="unicode") + "\n"
    reply.body = body.encode("utf-8")
    return reply


def _text(status: int, message: str) -> _Reply:
    return _Reply(status, (message + "\n").encode(), _TEXT_TYPE)


def _xml_reply(root: str, inner: str, doctype: str | None = None) -> _Reply:
    body = f"{_XML_DECL}{_DOCTYPES[doctype or root]}<{root}>{inner}</{root}>\n"
    return _Reply(body=body.encode("utf-8"))


def _error_reply(root: str, message: str) -> _Reply:
    return _xml_reply(root, f"\n\t<ERROR>{escape(message)}</ERROR>\n")


def _json_error(reply: _Reply) -> _Reply:
    """An esummary ERROR reply in the JSON form."""
    match = re.search(rb"<ERROR>(.*?)</ERROR>", reply.body, re.DOTALL)
    message = match[1].decode() if match else "error"
    body = {"header": {"type": "esummary", "version": "0.3"}, "esummaryresult": [message]}
    return _Reply(body=json.dumps(body).encode(), content_type=_JSON_TYPE)


def _esearch_error(message: str, as_json: bool) -> _Reply:
    if as_json:
        body = {
            "header": {"type": "esearch", "version": "0.3"},
            "esearchresult": {"ERROR": message},
        }
        return _Reply(body=json.dumps(body).encode(), content_type=_JSON_TYPE)
    return _error_reply("eSearchResult", message)


_BACKEND_FAILED = "Search Backend failed: Couldn't resolve #exLB, the address table is empty."


def _error_element(endpoint: str, params: dict[str, list[str]]) -> _Reply:
    """The "error-element" fault: HTTP 200, an <ERROR> where the data should be."""
    as_json = (_one(params, "retmode") or "xml").lower() == "json"
    if endpoint == "esearch":
        return _esearch_error(_BACKEND_FAILED, as_json)
    if endpoint == "efetch":
        return _error_reply("eFetchResult", "Unable to fetch records: Backend failed, try later")
    if endpoint == "elink":
        return _error_reply("eLinkResult", "Backend failed: Couldn't resolve #exLB")
    if endpoint == "epost":
        return _error_reply("ePostResult", "Backend failed: unable to store the ID list")
    reply = _error_reply("eSummaryResult", "Backend failed: cannot get document summaries")
    return _json_error(reply) if as_json else reply


_HTML_STATUS = {
    200: ("Service unavailable", "The E-utilities service is temporarily unavailable."),
    500: ("Internal Server Error", "The server encountered an internal error."),
    502: ("Bad Gateway", "The proxy server received an invalid response from an upstream server."),
    503: (
        "Service Temporarily Unavailable",
        "The server is temporarily unable to service your request.",
    ),
}


def _html_reply(status: int) -> _Reply:
    """An HTML error page of the kind NCBI's proxies send (with 200 for the "html" fault)."""
    title, message = _HTML_STATUS[status]
    code = 503 if status == 200 else status
    page = (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        f"<html><head><title>NCBI - WWW Error {code} ({title})</title></head>\n"
        f"<body><h1>{title}</h1><p>{message}</p>"
        "<p>Please try again later. If the problem persists, contact info@ncbi.nlm.nih.gov."
        "</p></body></html>\n"
    )
    return _Reply(status, page.encode(), _HTML_TYPE)


def _summary_xml(pmid: int, s: dict | None) -> str:
    """One esummary version 2.0 DocumentSummary."""
    if s is None:
        return f'<DocumentSummary uid="{pmid}"><error>cannot get document summary</error>' + (
            "</DocumentSummary>\n"
        )

    def el(tag: str, key: str) -> str:
        return f"<{tag}>{escape(str(s[key]))}</{tag}>"

    authors = "".join(
        f"<Author><Name>{escape(a['name'])}</Name><AuthType>Author</AuthType>"
        "<ClusterID></ClusterID></Author>"
        for a in s["authors"]
    )
    ids = "".join(
        f"<ArticleId><IdType>{a['idtype']}</IdType><IdTypeN>{a['idtypen']}</IdTypeN>"
        f"<Value>{escape(str(a['value']))}</Value></ArticleId>"
        for a in s["articleids"]
    )
    history = "".join(
        f"<PubMedPubDate><PubStatus>{h['pubstatus']}</PubStatus><Date>{h['date']}</Date>"
        "</PubMedPubDate>"
        for h in s["history"]
    )
    attributes = "".join(f"<flag>{escape(a)}</flag>" for a in s["attributes"])
    parts = [
        f'<DocumentSummary uid="{pmid}">',
        el("PubDate", "pubdate"),
        el("EPubDate", "epubdate"),
        el("Source", "source"),
        f"<Authors>{authors}</Authors>",
        el("LastAuthor", "lastauthor"),
        el("Title", "title"),
        el("SortTitle", "sorttitle"),
        el("Volume", "volume"),
        el("Issue", "issue"),
        el("Pages", "pages"),
        "<Lang>eng</Lang>",
        el("NlmUniqueID", "nlmuniqueid"),
        el("ISSN", "issn"),
        el("ESSN", "essn"),
        "<PubType><flag>Journal Article</flag></PubType>",
        el("RecordStatus", "recordstatus"),
        el("PubStatus", "pubstatus"),
        f"<ArticleIds>{ids}</ArticleIds>",
        f"<History>{history}</History>",
        "<References></References>",
        f"<Attributes>{attributes}</Attributes>",
        el("PmcRefCount", "pmcrefcount"),
        el("FullJournalName", "fulljournalname"),
        el("ELocationID", "elocationid"),
        el("DocType", "doctype"),
        el("BookTitle", "booktitle"),
        el("SortPubDate", "sortpubdate"),
        el("SortFirstAuthor", "sortfirstauthor"),
        el("VernacularTitle", "vernaculartitle"),
        "</DocumentSummary>\n",
    ]
    return "".join(parts)


def _summary_v1(pmid: int, s: dict | None) -> str:
    """One esummary version 1 DocSum (the default XML without version=2.0)."""
    if s is None:
        return f"<ERROR>UID={pmid}: cannot get document summary</ERROR>\n"

    def item(name: str, kind: str, value: object) -> str:
        return f'<Item Name="{name}" Type="{kind}">{escape(str(value))}</Item>'

    ids = "".join(item(a["idtype"], "String", a["value"]) for a in s["articleids"])
    doi = next((a["value"] for a in s["articleids"] if a["idtype"] == "doi"), None)
    parts = [
        f"<DocSum>\n<Id>{pmid}</Id>",
        item("PubDate", "Date", s["pubdate"]),
        item("EPubDate", "Date", ""),
        item("Source", "String", s["source"]),
        '<Item Name="AuthorList" Type="List">'
        + "".join(item("Author", "String", a["name"]) for a in s["authors"])
        + "</Item>",
        item("LastAuthor", "String", s["lastauthor"]),
        item("Title", "String", s["title"]),
        item("Volume", "String", s["volume"]),
        item("Issue", "String", s["issue"]),
        item("Pages", "String", s["pages"]),
        '<Item Name="LangList" Type="List">' + item("Lang", "String", "English") + "</Item>",
        item("NlmUniqueID", "String", s["nlmuniqueid"]),
        item("ISSN", "String", s["issn"]),
        '<Item Name="PubTypeList" Type="List">'
        + item("PubType", "String", "Journal Article")
        + "</Item>",
        f'<Item Name="ArticleIds" Type="List">{ids}</Item>',
        item("DOI", "String", doi) if doi else "",
        item("HasAbstract", "Integer", 1 if s["attributes"] else 0),
        item("PmcRefCount", "Integer", s["pmcrefcount"]),
        item("FullJournalName", "String", s["fulljournalname"]),
        item("ELocationID", "String", s["elocationid"]),
        "\n</DocSum>\n",
    ]
    return "".join(parts)


# -- derived bibliographic details -----------------------------------------------------------


def _journal(pmid: int) -> tuple[str, str, str, str]:
    return journal_of(pmid % len(W.JOURNALS))


def _author(pmid: int) -> tuple[str, str]:
    """(last name, fore name) of a record's author."""
    return W.LAST_NAMES[pmid % len(W.LAST_NAMES)], W.FORE_NAMES[pmid % len(W.FORE_NAMES)]


def _month(record: FakeRecord) -> int:
    return record.pmid % 12 + 1


def _volume(record: FakeRecord) -> tuple[str, str, str]:
    return str(max(1, record.year - 1990)), str(record.pmid % 12 + 1), str(100 + record.pmid % 900)


def _ymd(text: str) -> tuple[int, int, int]:
    year, month, day = (int(p) for p in text.split("/"))
    return year, month, day


def searched(name: str, query: str) -> Topic:
    """A topic as a harvest searches it: a name and a query (labels and colour do not matter)."""
    return Topic(name, query, name, name, "#0072B2")
