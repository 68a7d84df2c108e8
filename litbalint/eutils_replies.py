"""E-utilities replies read as NCBI really sends them: typed results, and every <ERROR> (at the
root, in a LinkSet, in a LinkSetDb, esummary's JSON `error`) turned into a transient fault (asked
again) or a permanent one (EutilsRequestError: one line saying what to change), never into an
empty answer."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from litbalint.errors import LitbalintError
from litbalint.model import Article, ArticleLinks, Deletion, LinkSummary, Problem, Record
from litbalint.pmid import read_pmid
from litbalint.sources.pubmed_xml import parse_pubmed_xml


class EutilsError(LitbalintError):
    """A request that still failed after every retry."""

    splittable = False  # True when a smaller request may succeed (an <ERROR>, a timeout)


class EutilsRequestError(EutilsError):
    """A request NCBI refuses as it is (invalid query, unknown field, too many ids): asking
    again cannot help; the message says what to change."""


class EutilsUnreachable(EutilsError):
    """Nothing answers at the E-utilities URL (connection refused, no such host)."""


class TransientReply(Exception):
    """A reply that may succeed when asked again (`wait`: seconds NCBI asked for)."""

    def __init__(self, reason: str, wait: float | None = None, splittable: bool = False) -> None:
        super().__init__(reason)
        self.wait = wait
        self.splittable = splittable


# Lower-case fragments of NCBI's error texts. Permanent ones are checked first: "Search Backend
# failed: ... 'retstart' cannot be larger than 9998" is permanent although the backend "failed".
PERMANENT_ERRORS = (
    "too many uids",
    "request too large",
    "cannot be larger than",
    "invalid query",
    "syntax error",
    "query syntax",
    "wrong subquery",
    "empty id list",
    "empty term",
    "nothing todo",
    "invalid uid",
    "invalid id",
    "wrong db name",
    "unknown db",
    "database not found",
    "invalid db",
)
TRANSIENT_ERRORS = (
    "backend failed",
    "c++ exception",
    "read failed",
    "unable to obtain query",
    "can not fetch result",
    "couldn't resolve",
    "temporarily",
    "try later",
    "timeout",
)


def classify(message: str, what: str) -> Exception:
    """The exception for an NCBI error text: EutilsRequestError (permanent) or TransientReply.
    An unknown text counts as transient (asked again a bounded number of times)."""
    text = " ".join(message.split())[:300]
    lowered = text.lower()
    if any(marker in lowered for marker in PERMANENT_ERRORS):
        refused = EutilsRequestError(f"{what}: NCBI refuses the request: {text}")
        refused.splittable = True  # it may be one id's fault: a smaller request may do
        return refused
    return TransientReply(f"NCBI error: {text}", splittable=True)


@dataclass
class SearchResult:
    count: int
    ids: list[int]
    webenv: str | None = None
    query_key: str | None = None
    translation: str | None = None  # how PubMed read the query (QueryTranslation)
    warnings: list[str] = field(default_factory=list)  # "QuotedPhraseNotFound: ..." ...
    errors: list[str] = field(default_factory=list)  # "FieldNotFound: ...", "PhraseNotFound: ..."

    def notes(self) -> list[str]:
        return [*self.errors, *self.warnings]


@dataclass
class LinkReply:
    """elink for a set of PMIDs: links per PMID, and the PMIDs whose links failed (why)."""

    links: dict[int, ArticleLinks] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)
    # not asked, or asked while elink failed for everything: no fault of these PMIDs
    unasked: list[int] = field(default_factory=list)

    def merge(self, other: LinkReply) -> None:
        for pmid, found in other.links.items():
            mine = self.links.setdefault(pmid, ArticleLinks())
            mine.refs = mine.refs or found.refs
            mine.cited_by = mine.cited_by or found.cited_by
            mine.similar = mine.similar or found.similar
        for pmid, why in other.failed.items():
            self.failed.setdefault(pmid, why)
        self.unasked += [p for p in other.unasked if p not in self.unasked]


@dataclass
class SummaryReply:
    summaries: list[LinkSummary] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)  # per-UID errors
    unasked: list[int] = field(default_factory=list)  # esummary was failing: no fault of theirs

    def merge(self, other: SummaryReply) -> None:
        self.summaries += other.summaries
        self.failed |= other.failed
        self.unasked += other.unasked


@dataclass
class Outage:
    """Set once a utility kept failing after every retry in this run: later requests to it
    are not sent, their PMIDs wait for the next run."""

    reason: str | None = None


def _parse(body: bytes) -> tuple[ET.Element, ET.Element | None]:
    """The parsed reply and its root <ERROR> (None without one), even beside a Count."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise TransientReply(f"truncated or broken XML ({error})") from None
    return root, root.find("ERROR")


def xml_root(body: bytes, what: str) -> ET.Element:
    """The parsed reply; a root <ERROR> raises (classified)."""
    root, found = _parse(body)
    if found is not None:
        raise classify(found.text or "", what)
    return root


def _listed(root: ET.Element, path: str) -> list[str]:
    found = root.find(path)
    if found is None:
        return []
    return [f"{e.tag}: {' '.join((e.text or '').split())}" for e in found if (e.text or "").strip()]


def search_result(body: bytes) -> SearchResult:
    root, found = _parse(body)
    if found is not None:
        errors = _listed(root, "ErrorList")
        unknown = [e for e in errors if e.startswith("FieldNotFound")]
        if unknown:
            raise EutilsRequestError(f"esearch.fcgi: {'; '.join(unknown)}")
        if errors and all(e.startswith("PhraseNotFound") for e in errors):
            # "Can't run executor" beside PhraseNotFound / "No items found": nothing matches
            return SearchResult(0, [], errors=errors, warnings=_listed(root, "WarningList"))
        # "Can't run executor" says little; its WarningList says why ("Query syntax error.")
        details = [found.text or "", *_listed(root, "WarningList")]
        raise classify("; ".join(d for d in details if d), "esearch.fcgi")
    errors, warnings = _listed(root, "ErrorList"), _listed(root, "WarningList")
    count = root.findtext("Count")
    if count is None:
        if any(e.startswith("FieldNotFound") for e in errors):
            raise EutilsRequestError(f"esearch.fcgi: {'; '.join(errors)}")
        raise TransientReply(f"esearch reply without a Count {'; '.join(errors)}".strip())
    return SearchResult(
        int(count),
        [int(e.text) for e in root.iterfind("IdList/Id") if e.text and e.text.strip()],
        root.findtext("WebEnv"),
        root.findtext("QueryKey"),
        " ".join((root.findtext("QueryTranslation") or "").split()) or None,
        warnings,
        errors,
    )


def posted(body: bytes) -> tuple[str, str]:
    root = xml_root(body, "epost.fcgi")
    webenv, query_key = root.findtext("WebEnv"), root.findtext("QueryKey")
    if not webenv or not query_key:
        raise TransientReply("epost reply without WebEnv/QueryKey")
    return webenv.strip(), query_key.strip()


def records(body: bytes) -> list[Record]:
    if b"<ERROR>" in body[:2048]:
        xml_root(body, "efetch.fcgi")  # raises, classified
    parsed = list(parse_pubmed_xml(io.BytesIO(body)))
    problems = [r for r in parsed if isinstance(r, Problem)]
    if problems:
        raise TransientReply(f"efetch reply unreadable: {problems[0].message}")
    return [r for r in parsed if isinstance(r, (Article, Deletion))]


def link_sets(body: bytes, asked: list[int], linkname: str) -> LinkReply:
    """One elink reply for `linkname` (one `id=` per PMID asked): links per PMID; an ERROR in
    a LinkSet or LinkSetDb fails that PMID; a PMID without a LinkSet failed too."""
    root = xml_root(body, "elink.fcgi")
    if root.tag != "eLinkResult":
        raise TransientReply(f"elink reply is <{root.tag}>, not eLinkResult")
    reply = LinkReply()
    for link_set in root.iterfind("LinkSet"):
        ids = [int(e.text) for e in link_set.iterfind("IdList/Id") if e.text and e.text.strip()]
        error = link_set.findtext("ERROR")
        if error is not None:
            if len(ids) != 1:  # an ERROR nobody can be blamed for: the request failed
                raise classify(error, "elink.fcgi")
            reply.failed[ids[0]] = f"elink {linkname}: {' '.join(error.split())}"
            continue
        if len(ids) != 1:
            continue
        pmid = ids[0]
        links = reply.links.setdefault(pmid, ArticleLinks())
        for db in link_set.iterfind("LinkSetDb"):
            name = (db.findtext("LinkName") or "").strip()
            if name != linkname:
                continue
            db_error = db.findtext("ERROR")
            if db_error is not None:
                reply.failed[pmid] = f"elink {linkname}: {' '.join(db_error.split())}"
                continue
            found = [
                (int(link.findtext("Id") or 0), float(link.findtext("Score") or 0))
                for link in db.iterfind("Link")
            ]
            if name == "pubmed_pubmed_refs":
                links.refs = [p for p, _ in found]
            elif name == "pubmed_pubmed_citedin":
                links.cited_by = [p for p, _ in found]
            else:
                links.similar = sorted(
                    ((p, score) for p, score in found if p != pmid), key=lambda item: -item[1]
                )
    for pmid in asked:
        if pmid not in reply.links and pmid not in reply.failed:
            reply.failed[pmid] = f"elink {linkname}: no LinkSet for this PMID in the reply"
    for pmid in reply.failed:
        reply.links.pop(pmid, None)
    return reply


def summaries(body: bytes) -> SummaryReply:
    """esummary JSON (version 2.0): {"result": {"uids": [...], "<uid>": {...}}}; a top-level
    `error` is never an empty answer, a per-UID `error` leaves that PMID without a title."""
    try:
        data = json.loads(body)
    except ValueError as error:
        raise TransientReply(f"truncated or broken esummary JSON ({error})") from None
    if not isinstance(data, dict):
        raise TransientReply("esummary reply is not a JSON object")
    result = data.get("result")
    if data.get("error") or not isinstance(result, dict):  # an "error" even beside a result
        problem = data.get("error") or data.get("esummaryresult") or "no result"
        raise classify(str(problem), "esummary.fcgi")
    reply = SummaryReply()
    for uid in result.get("uids", []):
        doc = result.get(str(uid)) or {}
        pmid = read_pmid(str(uid))
        if pmid is None:  # not a PubMed ID (١٢٣ is not 123)
            continue
        if "error" in doc or not doc.get("title"):
            reply.failed[pmid] = f"esummary: {doc.get('error') or 'no title'}"
            continue
        doi = next(
            (a.get("value") for a in doc.get("articleids", []) if a.get("idtype") == "doi"), None
        )
        reply.summaries.append(
            LinkSummary(
                pmid,
                doc.get("title") or None,
                doc.get("source") or None,
                doc.get("pubdate") or None,
                doi or None,
            )
        )
    return reply
