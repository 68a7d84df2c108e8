"""PubMed efetch XML (PubmedArticleSet) -> Article, Deletion and Problem records, streamed.

Each PubmedArticle, PubmedBookArticle and DeleteCitation is turned into a record at its end
tag and then dropped, so memory stays flat however large the file. A file that breaks off or
is not well-formed yields what came before the break, then one Problem with the line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterable, Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element
from xml.parsers import expat

from litbalint.errors import UnsupportedFormat
from litbalint.labels import category_of
from litbalint.model import (
    MONTHS,
    Article,
    ArticleIds,
    Author,
    Deletion,
    Keyword,
    MeshHeading,
    MeshQualifier,
    Problem,
    PubDate,
    Record,
    Reference,
    Section,
)
from litbalint.sources.dates import iso_date, month_number, parse_date_text
from litbalint.sources.markup import collapse, render_inline
from litbalint.sources.xmlscan import (
    ROOT_TAGS,
    LineTracker,
    RecordScanner,
    can_split,
    looks_like_pubmed_xml,
)

__all__ = ["looks_like_pubmed_xml", "parse_pubmed_xml", "render_inline"]

_RECORD_TAGS = frozenset({"PubmedArticle", "PubmedBookArticle", "DeleteCitation"})
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ORCID = re.compile(r"\d{4}-?\d{4}-?\d{4}-?\d{3}[\dX]", re.IGNORECASE)
_MONTH_ABBR = {number: name.capitalize() for name, number in MONTHS.items()}
_CHINESE = frozenset({"chi", "zho", "zh", "chn"})
_AUTHOR_FIELDS = {
    "LastName": "last_name",
    "ForeName": "fore_name",
    "Initials": "initials",
    "Suffix": "suffix",
    "CollectiveName": "collective_name",
}
_EMPTY = Element("_")  # stands in for a missing element; never modified


def parse_pubmed_xml(stream: BinaryIO) -> Iterator[Record]:
    """Yield an Article, Deletion or Problem for each record of an efetch XML file, in order."""
    try:
        head = stream.read(RecordScanner.CHUNK)
    except (OSError, EOFError, zlib.error) as error:
        yield Problem(f"could not read the rest of the file: {error}", 1)
        return
    if can_split(head):
        yield from _parse_split(RecordScanner(stream, head))
    else:
        yield from _parse_whole(LineTracker(_Prefixed(head, stream)))


class _Prefixed:
    """A stream whose first bytes were already read."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head, self._stream = head, stream

    def read(self, size: int = -1) -> bytes:
        if not self._head:
            return self._stream.read(size)
        if size < 0:
            data, self._head = self._head + self._stream.read(), b""
            return data
        data, self._head = self._head[:size], self._head[size:]
        return data


def _broken(error: ET.ParseError, line: int = 1, column: int = 0) -> Problem:
    """A Problem for a parse error in a piece of the file that starts at (line, column)."""
    at_line, at_column = getattr(error, "position", (1, 0))
    at_column += column if at_line == 1 else 0
    at_line += line - 1
    message = f"{expat.ErrorString(error.code)}: line {at_line}, column {at_column}"
    return Problem(f"XML broken off or not well-formed: {message}", at_line)


def _parse_one(data: bytes, line: int, column: int, wrap: bool = False) -> Element | Problem:
    """Parse one piece; `wrap` puts it in an element of its own (for what is between records)."""
    parser = ET.XMLParser()
    try:
        parser.feed(b"<_>" + data + b"</_>" if wrap else data)
        return parser.close()
    except ET.ParseError as error:
        return _broken(error, line, column - 3 if wrap else column)


def _parse_split(scanner: RecordScanner) -> Iterator[Record]:
    """Records cut out of the byte stream and parsed one by one: no per-element events, so
    several times faster than iterparse. What is outside the records (the prolog, the root
    element's tags, the tail) goes through one more parser, with a stand-in for the records,
    so a wrong root element or a file cut off between records is still reported."""
    outer = ET.XMLPullParser(events=("start",))
    seen = b""  # what the outer parser was given before the tail

    def feed_outer(data: bytes, close: bool = False) -> str | None:
        """Feed the outer parser; the root element's tag once it has started."""
        outer.feed(data)
        tags = []
        try:
            for _, elem in outer.read_events():  # raises a ParseError the feed queued
                tags.append(elem.tag)
            if close:
                outer.close()
        except ET.ParseError:
            if tags and tags[0] not in ROOT_TAGS:
                return tags[0]  # a foreign root element says more than what broke after it
            raise
        return tags[0] if tags else None

    root: str | None = None
    try:
        for kind, data, line, column in scanner.pieces():
            if kind == "prolog":
                try:
                    root = feed_outer(data)
                except ET.ParseError as error:
                    yield _broken(error)
                    return
                if root is not None and root not in ROOT_TAGS:
                    yield Problem(f"not PubMed XML: the root element is <{root}>")
                    return
                seen = data
            elif kind in ("record", "partial", "between"):
                if root is None:  # the record is the root element: stand in for it
                    stand_in = b"<" + data[1 : data.index(b">")].split()[0].rstrip(b"/") + b"/>"
                    seen += stand_in
                    try:
                        root = feed_outer(stand_in) or feed_outer(b"", close=True)
                    except ET.ParseError as error:  # the prolog never ended
                        yield _tail_problem(error, seen, line, column)
                        return
                if root not in ROOT_TAGS:
                    yield Problem(f"not PubMed XML: the root element is <{root}>")
                    return
                elem = _parse_one(data, line, column, wrap=kind == "between")
                if isinstance(elem, Problem):
                    yield elem
                    return
                if kind == "record":
                    yield _record(elem, line)
            else:  # the tail: the outer parser checks the document ends where it should
                try:
                    root = feed_outer(data, close=True) or root
                except ET.ParseError as error:
                    yield _tail_problem(error, seen, line, column)
                    return
                if root not in ROOT_TAGS:
                    yield Problem(f"not PubMed XML: the root element is <{root}>")
    except (OSError, EOFError, zlib.error) as error:  # e.g. a gzip file cut short
        yield Problem(f"could not read the rest of the file: {error}", scanner.line)


def _tail_problem(error: ET.ParseError, seen: bytes, line: int, column: int) -> Problem:
    """A parse error of the outer parser, whose input was `seen` and then the tail."""
    at_line, at_column = getattr(error, "position", (1, 0))
    newlines = seen.count(b"\n")
    if at_line - 1 < newlines:
        return _broken(error)  # in the prolog, which starts the file
    if at_line - 1 == newlines:
        at_column -= len(seen) - seen.rfind(b"\n") - 1
    error.position = (at_line - newlines, at_column)
    return _broken(error, line, column)


def _parse_whole(source: LineTracker) -> Iterator[Record]:
    """Any XML expat reads (other encodings, entity declarations): iterparse, record by
    record, each dropped once read, so memory stays flat."""
    root: Element | None = None
    line: int | None = None
    try:
        for event, elem in ET.iterparse(source, events=("start", "end")):
            if event == "start":
                if root is None:
                    root = elem
                    if elem.tag not in ROOT_TAGS:
                        yield Problem(f"not PubMed XML: the root element is <{elem.tag}>")
                        return
                if elem.tag in _RECORD_TAGS:
                    line = source.next_start()
                continue
            if elem.tag not in _RECORD_TAGS:
                continue
            record = _record(elem, line)
            elem.clear()
            if root is not None and root is not elem:
                root.clear()
            yield record
    except ET.ParseError as error:
        position = getattr(error, "position", None)
        yield Problem(
            f"XML broken off or not well-formed: {error}", position[0] if position else None
        )
    except (OSError, EOFError, zlib.error) as error:  # e.g. a gzip file cut short
        yield Problem(f"could not read the rest of the file: {error}", source.line)
    except (ValueError, LookupError) as error:  # an encoding expat cannot read
        raise UnsupportedFormat(
            f"XML in an encoding that cannot be read ({error}); convert it to UTF-8"
        ) from None


# -- records --------------------------------------------------------------------------------


def _record(elem: Element, line: int | None) -> Record:
    try:
        if elem.tag == "DeleteCitation":
            pmids = [pmid for pmid in (_int(e.text) for e in elem.iter("PMID")) if pmid]
            return Deletion(pmids=pmids, line=line)
        article = _article(elem) if elem.tag == "PubmedArticle" else _book(elem)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as error:
        return Problem(f"could not read <{elem.tag}>: {error!r}", line)
    article.line = line
    return article


def _article(elem: Element) -> Article:
    citation = _find(elem, "MedlineCitation")
    art = _find(citation, "Article")
    journal = _find(art, "Journal")
    info = _find(citation, "MedlineJournalInfo")
    issue = _find(journal, "JournalIssue")
    data = _find(elem, "PubmedData")
    a = Article(medline_status=citation.get("Status"))
    a.ids.pmid = _int(_text(citation, "PMID"))
    _elocation_ids(a.ids, art)
    _apply_ids(a.ids, data.find("ArticleIdList"))
    a.title_en, a.title_en_html = _title(art.find("ArticleTitle"))
    a.title_zh = _vernacular(art)
    a.journal = _text(journal, "ISOAbbreviation") or _text(info, "MedlineTA")
    a.journal_title = _text(journal, "Title")
    for issn in journal.findall("ISSN"):
        kind = (issn.get("IssnType") or "").lower()
        if kind == "print":
            a.issn_print = _text(issn)
        elif kind == "electronic":
            a.issn_electronic = _text(issn)
    a.issn_linking = _text(info, "ISSNLinking")
    a.nlm_id = _text(info, "NlmUniqueID")
    a.volume = _text(issue, "Volume")
    a.issue = _text(issue, "Issue")
    a.pub_date = _pub_date(issue.find("PubDate"))
    a.pages = _pages(art.find("Pagination"))
    for date in art.findall("ArticleDate"):
        if (date.get("DateType") or "Electronic").lower() == "electronic":
            a.epub_date = _iso(date)
            break
    a.date_revised = _iso(citation.find("DateRevised"))
    a.abstract_en, a.copyright = _abstract(art.find("Abstract"))
    _other_abstracts(a, citation)
    a.authors = _authors(art.findall("AuthorList"))
    a.languages = _texts(art.findall("Language"))
    a.publication_types = _texts(_children(art, "PublicationTypeList", "PublicationType"))
    a.mesh = _mesh(citation)
    a.keywords = _keywords(citation)
    a.entrez_date = _entrez(data)
    a.references = _references(data)
    return a


def _book(elem: Element) -> Article:
    doc = _find(elem, "BookDocument")
    book = _find(doc, "Book")
    data = _find(elem, "PubmedBookData")
    a = Article()
    a.ids.pmid = _int(_text(doc, "PMID"))
    _elocation_ids(a.ids, doc)
    _elocation_ids(a.ids, book)
    _apply_ids(a.ids, doc.find("ArticleIdList"))
    _apply_ids(a.ids, data.find("ArticleIdList"))
    a.book_title = _text(book, "BookTitle")
    a.publisher = _text(book, "Publisher/PublisherName")
    a.pub_date = _pub_date(book.find("PubDate"))
    a.volume = _text(book, "Volume")
    a.title_en, a.title_en_html = _title(doc.find("ArticleTitle"))
    if not a.title_en:
        a.title_en, a.title_en_html = _title(book.find("BookTitle"))
    a.title_zh = _vernacular(doc)
    a.pages = _pages(doc.find("Pagination"))
    a.date_revised = _iso(doc.find("DateRevised"))
    a.abstract_en, a.copyright = _abstract(doc.find("Abstract"))
    _other_abstracts(a, doc)
    lists = doc.findall("AuthorList") + book.findall("AuthorList")
    a.authors = _authors(x for x in lists if (x.get("Type") or "authors") == "authors")
    a.languages = _texts(doc.findall("Language"))
    a.publication_types = _texts(doc.findall("PublicationType"))
    a.keywords = _keywords(doc)
    a.entrez_date = _entrez(data)
    a.references = _references(doc) + _references(data)
    return a


# -- fields ---------------------------------------------------------------------------------


def _find(parent: Element, path: str) -> Element:
    found = parent.find(path)
    return _EMPTY if found is None else found


def _children(parent: Element, tag: str, child_tag: str) -> list[Element]:
    """parent.findall("tag/child_tag") without ElementPath (several times faster)."""
    return [child for elem in parent.findall(tag) for child in elem.findall(child_tag)]


def _text(parent: Element | None, path: str | None = None) -> str | None:
    """Collapsed text of parent/path (all descendants), or None when missing or empty."""
    elem = parent if path is None or parent is None else parent.find(path)
    if elem is None:
        return None
    if not len(elem):  # a leaf (most fields): its own text, collapsed as collapse() does
        return collapse(elem.text) or None if elem.text else None
    return collapse("".join(elem.itertext())) or None


def _texts(elems: Iterable[Element]) -> list[str]:
    return [text for text in (_text(e) for e in elems) if text]


def _int(text: str | None) -> int | None:
    try:
        return int(text.strip()) if text else None
    except ValueError:
        return None


def _title(elem: Element | None) -> tuple[str | None, str | None]:
    plain, markup = render_inline(elem)
    return (plain or None), markup


def _vernacular(parent: Element) -> str | None:
    for elem in parent.findall("VernacularTitle"):
        text = render_inline(elem)[0]
        if _CJK.search(text):
            return text
    return None


def _pmc(value: str) -> str:
    return f"PMC{value}" if value.isdigit() else value.upper()


def _elocation_ids(ids: ArticleIds, parent: Element) -> None:
    for loc in parent.findall("ELocationID"):
        kind, value = (loc.get("EIdType") or "").lower(), _text(loc)
        if loc.get("ValidYN") == "N" or not value:
            continue
        if kind == "doi" and not ids.doi:
            ids.doi = value
        elif kind == "pii" and not ids.pii:
            ids.pii = value


def _apply_ids(ids: ArticleIds, id_list: Element | None) -> None:
    """Set the IDs an ArticleIdList carries (the first of each type), overriding others."""
    if id_list is None:
        return
    seen: dict[str, str] = {}
    for elem in id_list.findall("ArticleId"):
        value = _text(elem)
        if value:
            seen.setdefault((elem.get("IdType") or "pubmed").lower(), value)
    if "pubmed" in seen and ids.pmid is None:
        ids.pmid = _int(seen["pubmed"])
    if "doi" in seen:
        ids.doi = seen["doi"]
    if "pmc" in seen:
        ids.pmc = _pmc(seen["pmc"])
    if "pii" in seen:
        ids.pii = seen["pii"]


def _pub_date(elem: Element | None) -> PubDate:
    """A PubDate from Year/Month/Day, Year/Season or MedlineDate, with its human text."""
    if elem is None:
        return PubDate()
    medline = _text(elem, "MedlineDate")
    if medline:
        return parse_date_text(medline)
    year = _text(elem, "Year")
    if not year:
        return PubDate()
    parts = [year]
    month, season, day = _text(elem, "Month"), _text(elem, "Season"), _text(elem, "Day")
    if month:
        number = month_number(month)
        parts.append(_MONTH_ABBR[number] if number else month)
        if number and day:
            parts.append(day.lstrip("0") or day)
    elif season:
        parts.append(season)
    return parse_date_text(" ".join(parts))


def _iso(elem: Element | None) -> str | None:
    if elem is None:
        return None
    return iso_date(elem.findtext("Year"), elem.findtext("Month"), elem.findtext("Day"))


def _entrez(data: Element) -> str | None:
    for date in _children(data, "History", "PubMedPubDate"):
        if date.get("PubStatus") == "entrez":
            return _iso(date)
    return None


def _pages(pagination: Element | None) -> str | None:
    if pagination is None:
        return None
    pages = _text(pagination, "MedlinePgn")
    if pages:
        return pages
    start, end = _text(pagination, "StartPage"), _text(pagination, "EndPage")
    return f"{start}-{end}" if start and end and end != start else start


def _sections(parent: Element | None) -> list[Section]:
    sections = []
    for elem in [] if parent is None else parent.findall("AbstractText"):
        text, markup = render_inline(elem)
        if not text:
            continue
        label = collapse(elem.get("Label") or "") or None
        nlm = elem.get("NlmCategory")
        category = nlm if nlm and nlm != "UNASSIGNED" else (category_of(label) or nlm)
        sections.append(Section(text=text, label=label, category=category, html=markup))
    return sections


def _abstract(abstract: Element | None) -> tuple[list[Section], str | None]:
    if abstract is None:
        return [], None
    return _sections(abstract), _text(abstract, "CopyrightInformation")


def _other_abstracts(article: Article, parent: Element) -> None:
    """A Chinese OtherAbstract is the publisher's Chinese abstract; other languages are left."""
    for other in parent.findall("OtherAbstract"):
        if (other.get("Language") or "").lower() in _CHINESE and not article.abstract_zh:
            article.abstract_zh = _sections(other)
            if article.abstract_zh:
                article.abstract_zh_source = "publisher"


def _orcid(value: str | None) -> str | None:
    if not value:
        return None
    match = _ORCID.search(value.replace(" ", ""))
    if not match:
        return re.sub(r"^(?:https?://)?(?:www\.)?orcid\.org/", "", value.strip()) or None
    digits = match[0].replace("-", "").upper()
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def _author(elem: Element) -> Author | None:
    if elem.get("ValidYN") == "N":
        return None
    names: dict[str, str | None] = {}  # the first child of each name, read in one pass
    orcid, affiliations = None, []
    for child in elem:
        tag = child.tag
        if tag == "AffiliationInfo":
            affiliations += _texts(child.findall("Affiliation"))
        elif tag == "Identifier":
            if (child.get("Source") or "").upper() == "ORCID":
                orcid = _orcid(_text(child))
        elif tag in _AUTHOR_FIELDS and _AUTHOR_FIELDS[tag] not in names:
            names[_AUTHOR_FIELDS[tag]] = _text(child)
    author = Author(**names, orcid=orcid, affiliations=affiliations)
    return author if author.last_name or author.collective_name else None


def _authors(author_lists: Iterable[Element]) -> list[Author]:
    """Valid authors in order; a later list (a book's) repeats no one from an earlier one."""
    authors: list[Author] = []
    for author_list in author_lists:
        earlier = list(authors)
        for elem in author_list.findall("Author"):
            author = _author(elem)
            if author and author not in earlier:
                authors.append(author)
    return authors


def _mesh(citation: Element) -> list[MeshHeading]:
    headings = []
    for heading in _children(citation, "MeshHeadingList", "MeshHeading"):
        descriptor = heading.find("DescriptorName")
        name = _text(descriptor)
        if descriptor is None or not name:
            continue
        qualifiers = [
            MeshQualifier(name=text, ui=q.get("UI"), major=q.get("MajorTopicYN") == "Y")
            for q in heading.findall("QualifierName")
            if (text := _text(q))
        ]
        major = descriptor.get("MajorTopicYN") == "Y"
        headings.append(MeshHeading(name, descriptor.get("UI"), major, qualifiers))
    return headings


def _keywords(parent: Element) -> list[Keyword]:
    keywords = []
    for keyword_list in parent.findall("KeywordList"):
        owner = keyword_list.get("Owner")
        for elem in keyword_list.findall("Keyword"):
            text = render_inline(elem)[0]
            if text:
                keywords.append(Keyword(text, elem.get("MajorTopicYN") == "Y", owner))
    return keywords


def _references(parent: Element) -> list[Reference]:
    """Every Reference of the ReferenceLists directly under parent, nested lists included."""
    references = []
    for reference_list in parent.findall("ReferenceList"):
        for elem in reference_list.iter("Reference"):
            ids = ArticleIds()
            _apply_ids(ids, elem.find("ArticleIdList"))
            citation = render_inline(elem.find("Citation"))[0] or None
            references.append(Reference(citation=citation, ids=ids))
    return references
