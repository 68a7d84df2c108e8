"""MEDLINE / .nbib text (PubMed's "Citation manager" export) -> Article records.

Records are split here, so line numbers are known, and each line is checked to be a field
(noting the fields' order, which ``Bio.Medline`` does not keep); ``Bio.Medline`` then reads
each record's lines, once, into its fields' values. Fields whose order matters (authors with
their AD/AUID lines, OTO/OT, OAB/OABL) are read in that order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from Bio import Medline

from litbalint.labels import category_of, chinese_labels, english_labels
from litbalint.model import (
    Article,
    ArticleIds,
    Author,
    Keyword,
    MeshHeading,
    MeshQualifier,
    Problem,
    Record,
    Section,
)
from litbalint.pmid import bad_pmid_message, read_pmid
from litbalint.sources.dates import iso_from_text, parse_date_text

_TAG_LINE = re.compile(r"^(?=[A-Z0-9 ]{4}-)(?P<tag>[A-Z][A-Z0-9]{1,3}) *-(?: (?P<value>.*))?$")
_CONTINUATION = "      "
_MEDLINE_TAGS = frozenset(
    {"PMID", "OWN", "STAT", "DCOM", "LR", "IS", "VI", "IP", "DP", "TI", "TT", "PG", "LID"}
    | {"AB", "CI", "FAU", "AU", "AUID", "AD", "CN", "LA", "PT", "DEP", "PL", "TA", "JT"}
    | {"JID", "SB", "MH", "OTO", "OT", "EDAT", "MHDA", "CRDT", "PHST", "AID", "PST", "SO"}
    | {"PMC", "OAB", "OABL", "GR", "RN", "SI"}
)
_RIS_ONLY = frozenset({"TY", "ER", "T1", "JO", "VL", "SP", "EP", "PY", "SN", "KW"})
_SUFFIXES = frozenset({"Jr", "Sr", "II", "III", "IV", "V", "2nd", "3rd", "4th"})
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])")
_ISSN = re.compile(r"(\d{4}-\d{3}[\dXx])\s*(?:\((Print|Electronic|Linking)\))?")
_ID_TAGGED = re.compile(r"(\S+)\s+\[(doi|pii)\]")

# An English label: capitals (and ' & / , -) at a sentence start, then ":".
_EN_LABEL = re.compile(r"(?:^|(?<=[.?!)\]] ))(?P<label>[A-Z][A-Z'&/,\- ]*[A-Z])\s?:\s")
_ZH_LABEL = re.compile(
    r"(?:^|(?<=[。．.！？!?；;）)\] ]))(?P<label>"
    + "|".join(re.escape(label) for label in chinese_labels())
    + r")\s*[:：]\s*"
)
_KNOWN_EN = frozenset(english_labels())


# Bio.Medline keeps one list of values a tag, a value a line; but the lines that continue an
# MH or AD value are joined to it, and the text fields (TI, AB, ...) are one string.
_CONTINUED_IN_PLACE = frozenset({"MH", "AD"})


@dataclass
class _Field:
    """One field of a record: its tag, first line, how many lines continue it, and its value
    (the lines joined) once Bio.Medline has read the record."""

    tag: str
    line: int
    more: int = 0
    value: str = ""


@dataclass
class _Chunk:
    """One record's lines (as Bio.Medline reads them), its fields in order, and the first
    line that is no field (number, text), if any."""

    start: int
    lines: list[str] = field(default_factory=list)
    fields: list[_Field] = field(default_factory=list)
    bad: tuple[int, str] | None = None


def looks_like_medline(text: str) -> bool:
    """True when the first non-blank lines are MEDLINE tag lines ('PMID- 1', 'TI  - ...')."""
    tags: list[str] = []
    for line in text.lstrip("\ufeff").split("\n"):
        if not line.strip():
            continue
        if line.startswith(_CONTINUATION) and tags:
            continue
        match = _TAG_LINE.match(line.rstrip())
        if not match:
            return False
        tags.append(match["tag"])
        if len(tags) >= 5:
            break
    if not tags or _RIS_ONLY.intersection(tags):
        return False
    return tags[0] == "PMID" or len(_MEDLINE_TAGS.intersection(tags)) >= 2


def parse_medline(text: str) -> Iterator[Record]:
    """Yield one Article per MEDLINE record, or a Problem for a record that cannot be read."""
    for chunk in _chunks(text.split("\n")):
        yield _read_record(chunk)


def _chunks(lines: list[str]) -> Iterator[_Chunk]:
    """The records: blank lines and PMID lines start records (a blank line followed by a
    continuation line is part of a wrapped field)."""
    chunk: _Chunk | None = None
    for index, line in enumerate(lines):
        line = line.rstrip()
        if not line:
            follows = index + 1 < len(lines) and _is_continuation(lines[index + 1])
            if chunk and follows:
                line = _CONTINUATION  # a blank line inside a wrapped field
            else:
                if chunk:
                    yield chunk
                chunk = None
                continue
        elif chunk and line.startswith("PMID-"):
            yield chunk
            chunk = None
        if chunk is None:
            chunk = _Chunk(index + 1)
        chunk.lines.append(line)
        if line.startswith(_CONTINUATION) and chunk.fields:
            chunk.fields[-1].more += 1
        elif match := _TAG_LINE.match(line):
            chunk.fields.append(_Field(match["tag"], index + 1))
        elif chunk.bad is None:
            chunk.bad = index + 1, line
    if chunk:
        yield chunk


def _is_continuation(line: str) -> bool:
    return line.startswith(_CONTINUATION) and bool(line.strip())


def _entries(record: Medline.Record, fields: list[_Field]) -> list[_Field]:
    """The fields, in the record's order, with their values as Bio.Medline read them."""
    used: dict[str, int] = {}
    for entry in fields:
        value = record[entry.tag]
        if not isinstance(value, str):
            first = used.get(entry.tag, 0)
            end = first + (1 if entry.tag in _CONTINUED_IN_PLACE else 1 + entry.more)
            used[entry.tag] = end
            value = " ".join(value[first:end])
        entry.value = " ".join(value.split())
    return fields


def _read_record(chunk: _Chunk) -> Record:
    start = chunk.start
    if chunk.bad:
        first = chunk.lines[0]
        shown = first[6:].strip() if first.startswith("PMID-") else "?"
        number, line = chunk.bad
        return Problem(
            f"record PMID {shown} (line {start}) skipped: line {number} is not a MEDLINE field: "
            f"{line.strip()[:60]!r}",
            number,
        )
    if chunk.fields[0].tag != "PMID":
        return Problem("MEDLINE record without a PMID line", start)
    pmid = None
    try:
        record = Medline.read(chunk.lines)
        entries = _entries(record, chunk.fields)
        pmid = read_pmid(entries[0].value)
        if pmid is None:
            message = bad_pmid_message(entries[0].value)
            return Problem(f"MEDLINE record not imported: {message}", start)
        return _article(record, entries, pmid, start)
    except Exception as error:  # whatever one record does, it costs that record only
        return Problem(
            f"MEDLINE record{f' PMID {pmid}' if pmid else ''} not imported: it could not be "
            f"read ({type(error).__name__}: {str(error)[:200]})",
            start,
        )


def _text(record: Medline.Record, tag: str) -> str | None:
    """A single-valued field as Bio.Medline joins it, whitespace tidied; None when absent."""
    value = record.get(tag)
    if isinstance(value, list):
        value = " ".join(value)
    value = " ".join(value.split()) if value else ""
    return value or None


def _values(entries: list[_Field], tag: str) -> list[str]:
    return [entry.value for entry in entries if entry.tag == tag and entry.value]


def _article(record: Medline.Record, entries: list[_Field], pmid: int, start: int) -> Article:
    article = Article(ids=_ids(record, entries, pmid), line=start)
    article.title_en = _text(record, "TI")
    vernacular = _text(record, "TT")
    if vernacular and _CJK.search(vernacular):
        article.title_zh = vernacular
    article.journal = _text(record, "TA")
    article.journal_title = _text(record, "JT")
    _issns(article, _text(record, "IS") or "")
    article.nlm_id = _text(record, "JID")
    article.volume = _text(record, "VI")
    article.issue = _text(record, "IP")
    article.pages = _text(record, "PG")
    article.pub_date = parse_date_text(_text(record, "DP"))
    article.epub_date = iso_from_text(_text(record, "DEP"))
    article.date_revised = iso_from_text(_text(record, "LR"))
    created = _values(entries, "CRDT") or [_text(record, "EDAT") or ""]
    article.entrez_date = iso_from_text(created[0])
    article.medline_status = _text(record, "STAT")
    article.languages = _values(entries, "LA")
    article.publication_types = _values(entries, "PT")
    article.copyright = _text(record, "CI")
    article.abstract_en = split_sections(_text(record, "AB"))
    article.abstract_zh = _chinese_abstract(entries)
    if article.abstract_zh:
        article.abstract_zh_source = "publisher"
    article.authors, article.affiliations = _authors(entries)
    article.mesh = [_mesh(" ".join(term.split())) for term in record.get("MH", [])]
    article.keywords = _keywords(entries)
    return article


def _ids(record: Medline.Record, entries: list[_Field], pmid: int) -> ArticleIds:
    """PMID, and DOI / PII from AID and LID ("10.x/y [doi]", "S0000 [pii]"), and PMC."""
    ids = ArticleIds(pmid=pmid, pmc=_text(record, "PMC"))
    tagged = _values(entries, "AID") + _values(entries, "LID")
    for value, kind in (m.groups() for v in tagged for m in _ID_TAGGED.finditer(v)):
        if kind == "doi" and ids.doi is None:
            ids.doi = value
        elif kind == "pii" and ids.pii is None:
            ids.pii = value
    return ids


def _issns(article: Article, text: str) -> None:
    """'1541-3527 (Electronic) 0091-2174 (Linking)' -> the three ISSN fields."""
    for issn, kind in _ISSN.findall(text):
        issn = issn.upper()
        if kind == "Electronic":
            article.issn_electronic = article.issn_electronic or issn
        elif kind == "Linking":
            article.issn_linking = article.issn_linking or issn
        else:
            article.issn_print = article.issn_print or issn


def split_sections(text: str | None) -> list[Section]:
    """A flattened abstract ("BACKGROUND: ... METHODS: ...") -> labeled Sections.

    Splits only when the text starts with a label and labels follow at sentence starts;
    labels that labels.py does not know count only when they look like labels (capitals,
    at most six words). Otherwise the whole text is one unlabeled Section.
    """
    if not text or not text.strip():
        return []
    text = " ".join(text.split())
    found = sorted(
        [(m.start(), m.end(), m["label"]) for m in _EN_LABEL.finditer(text) if _is_label(m)]
        + [(m.start(), m.end(), m["label"]) for m in _ZH_LABEL.finditer(text)]
    )
    if not found or found[0][0] != 0 or (len(found) == 1 and not category_of(found[0][2])):
        return [Section(text=text)]
    sections = []
    for index, (_, end, label) in enumerate(found):
        stop = found[index + 1][0] if index + 1 < len(found) else len(text)
        body = text[end:stop].strip()
        sections.append(Section(text=body, label=label.strip(), category=category_of(label)))
    return sections


def _is_label(match: re.Match[str]) -> bool:
    label = match["label"]
    if label in _KNOWN_EN:
        return True
    return len(label) >= 3 and len(label.replace(",", " ").split()) <= 6


def _chinese_abstract(entries: list[_Field]) -> list[Section]:
    """The OAB whose OABL is 'chi' (or, without OABL, whose text is Chinese)."""
    others: list[list[str]] = []  # [text, language]
    for entry in entries:
        if entry.tag == "OAB":
            others.append([entry.value, ""])
        elif entry.tag == "OABL" and others:
            others[-1][1] = entry.value.lower()
    for value, language in others:
        if language in ("chi", "zho") or (not language and _CJK.search(value)):
            return split_sections(value)
    return []


def _authors(entries: list[_Field]) -> tuple[list[Author], list[str]]:
    """Authors in order, each with the AD / AUID lines after it; stray AD lines separately."""
    authors: list[Author] = []
    stray: list[str] = []
    current: Author | None = None
    has_au = False
    for entry in entries:
        tag, value = entry.tag, entry.value
        if tag == "FAU":
            current, has_au = _full_name(value), False
            authors.append(current)
        elif tag == "AU":
            if current is None or has_au or current.collective_name:
                current = Author()
                authors.append(current)
            _short_name(current, value)
            has_au = True
        elif tag == "CN":
            current, has_au = Author(collective_name=value), True
            authors.append(current)
        elif tag in ("IR", "FIR", "IRAD"):
            current = None  # investigators are not authors
        elif tag == "AD" and value:
            (current.affiliations if current else stray).append(value)
        elif tag == "AUID" and current is not None and "orcid" in value.lower():
            match = _ORCID.search(value)
            if match and current.orcid is None:
                current.orcid = "-".join(match.groups()).upper()
    return authors, stray


def _full_name(value: str) -> Author:
    """FAU 'Olivero, Jose M' -> last_name / fore_name; 'Smith, John, Jr' keeps the suffix."""
    last, _, fore = (part.strip() for part in value.partition(","))
    author = Author(last_name=last or None, fore_name=fore or None)
    if fore:
        head, _, tail = fore.rpartition(",") if "," in fore else fore.rpartition(" ")
        if tail.strip() in _SUFFIXES and head.strip():
            author.fore_name, author.suffix = head.strip(), tail.strip()
    return author


def _short_name(author: Author, value: str) -> None:
    """AU 'Olivero JM' -> initials (and last_name / suffix when there was no FAU)."""
    words = value.split()
    if len(words) > 1 and words[-1] in _SUFFIXES:
        author.suffix = author.suffix or words.pop()
    if author.last_name and value.startswith(author.last_name + " "):
        rest = value[len(author.last_name) :].split()
        author.initials = rest[0] if rest and rest[0] not in _SUFFIXES else None
    elif len(words) > 1:
        author.last_name = author.last_name or " ".join(words[:-1])
        author.initials = words[-1]
    else:
        author.last_name = author.last_name or value or None


def _mesh(term: str) -> MeshHeading:
    """'*Burnout, Professional/*psychology/prevention & control' -> MeshHeading."""
    descriptor, *qualifiers = term.split("/")
    heading = MeshHeading(descriptor=descriptor.lstrip("*").strip())
    heading.descriptor_major = descriptor.startswith("*")
    for qualifier in qualifiers:
        name = qualifier.lstrip("*").strip()
        if name:
            heading.qualifiers.append(MeshQualifier(name=name, major=qualifier.startswith("*")))
    return heading


def _keywords(entries: list[_Field]) -> list[Keyword]:
    """OT terms with the OTO owner that precedes them; a leading '*' marks a major term."""
    keywords: list[Keyword] = []
    owner: str | None = None
    for entry in entries:
        if entry.tag == "OTO":
            owner = entry.value or None
        elif entry.tag == "OT" and entry.value.lstrip("*").strip():
            text = entry.value.lstrip("*").strip()
            keywords.append(Keyword(text=text, major=entry.value.startswith("*"), owner=owner))
    return keywords
