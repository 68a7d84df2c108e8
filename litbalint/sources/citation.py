"""One citation line in PubMed's summary style -> CitationLine.

'Int J Psychiatry Med. 2022 Nov;57(6):547-553. doi: 10.1177/x. Epub 2022 Aug 21.'
Shared by the Suppr and plain-text importers (the page's own line and every related item).
"""

from __future__ import annotations

import re

from litbalint.model import Article, ArticleIds, CitationLine, Problem
from litbalint.pmid import bad_pmid_message, read_pmid
from litbalint.sources.dates import iso_from_text, parse_date_text

# journal ". " year [month/season [day]] up to the first ; : or "."
_HEAD = re.compile(
    r"""^(?P<journal>\S.{0,200}?)\.\s+
    (?P<date>\d{4}(?:[ -][A-Za-z0-9 -]{0,30}?)?)\s*
    (?=[;:.]|$)""",
    re.VERBOSE,
)
# after the date: ;volume(issue):pages  (each part optional)
_BIB = re.compile(
    r"""^(?:;\s*(?P<volume>[^(:;.\s][^(:;]*?)?\s*)?
    (?:\((?P<issue>[^)]*)\))?
    (?::\s*(?P<pages>[^\s;.][^;]*?))?
    \s*(?:\.\s|\.$|$)""",
    re.VERBOSE,
)
_DOI = re.compile(r"\bdoi:\s*(10\.\S+)", re.IGNORECASE)
_EPUB = re.compile(r"\bEpub(?:\s+ahead of print)?\s+(\d{4}(?:\s+[A-Za-z]{3,9}(?:\s+\d{1,2})?)?)")
_PRINT = re.compile(r"\bPrint\s+(\d{4}(?:\s+[A-Za-z]{3,9}(?:\s+\d{1,2})?)?)")
_PMID = re.compile(r"\bPMID:\s*([^\s;,]+?)\.?(?:[\s;,]|$)")
_PMC = re.compile(r"\bPMCID:\s*(PMC\d+)")


def _strip_end(value: str) -> str:
    return value.strip().rstrip(".;,").strip()


def parse_citation_line(line: str) -> CitationLine | None:
    """Parse one line; None when it is not a citation (no 'Journal. YYYY' head)."""
    text = " ".join(line.split())
    head = _HEAD.match(text)
    if not head:
        return None
    journal = head["journal"].strip()
    if re.search(r"[\u3400-\u9fff]", journal) or len(journal.split()) > 20:
        return None
    citation = CitationLine(text=text, journal=journal, pub_date=parse_date_text(head["date"]))
    rest = text[head.end() :]
    bib = _BIB.match(rest)
    if bib:
        citation.volume = _clean(bib["volume"])
        citation.issue = _clean(bib["issue"])
        citation.pages = _clean(bib["pages"])
    doi = _DOI.search(rest)
    if doi:
        citation.doi = _strip_end(doi.group(1))
    for pattern, attribute in ((_EPUB, "epub_date"), (_PRINT, "print_date")):
        found = pattern.search(rest)
        if found:
            setattr(citation, attribute, iso_from_text(found.group(1)))
    citation.pmid, citation.invalid_pmid = find_pmid(rest)
    pmc = _PMC.search(rest)
    if pmc:
        citation.pmc = pmc.group(1)
    return citation


def find_pmid(text: str) -> tuple[int | None, str | None]:
    """The PMID of the first "PMID: n" in `text`, or what stands there when it is none."""
    found = _PMID.search(text)
    if not found:
        return None, None
    pmid = read_pmid(found.group(1))
    return pmid, None if pmid else found.group(1)


def kept_without_pmid(text: str, line: int | None) -> Problem:
    """The warning for a page or dump whose PMID is invalid: it is still imported (matched by
    DOI, PMC or title like any record without a PMID), without that PMID."""
    return Problem(f"{bad_pmid_message(text)}: imported without a PMID", line)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def full_citation(line: str) -> CitationLine | None:
    """The parsed line when it has a journal, a year and bibliographic detail or a DOI."""
    citation = parse_citation_line(line)
    if citation is None or citation.pub_date.year is None:
        return None
    if citation.doi or citation.volume or citation.pages or citation.pmid:
        return citation
    return None


def looks_like_citation(line: str) -> bool:
    """A line that parses with a journal, a year and bibliographic detail or a DOI."""
    return full_citation(line) is not None


def apply_citation(article: Article, citation: CitationLine) -> None:
    """Copy a parsed citation line into an article (journal, date, volume, ids...)."""
    article.journal = citation.journal
    article.pub_date = citation.pub_date
    article.volume = citation.volume
    article.issue = citation.issue
    article.pages = citation.pages
    article.epub_date = citation.epub_date
    article.print_date = citation.print_date
    article.ids = ArticleIds(
        pmid=citation.pmid or article.ids.pmid,
        doi=citation.doi or article.ids.doi,
        pmc=citation.pmc or article.ids.pmc,
    )
