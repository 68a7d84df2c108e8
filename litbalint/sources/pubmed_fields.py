"""PubMed XML elements -> field values: text, IDs, dates, pages. Shared by the record readers.

Hot code: every record goes through these many times. Leaves (most fields) take a fast path,
pure conversions of often repeated values (dates, labels) are cached, and the small records
are built with positional arguments (twice as fast as keywords; `positional` checks the order).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from functools import lru_cache
from xml.etree.ElementTree import Element

from litbalint.labels import category_of
from litbalint.model import MONTHS, ArticleIds, PubDate
from litbalint.pmid import read_pmid
from litbalint.sources.dates import iso_date, month_number, parse_date_text
from litbalint.sources.markup import collapse

EMPTY = Element("_")  # stands in for a missing element; never modified
_MONTH_ABBR = {number: name.capitalize() for name, number in MONTHS.items()}

category = lru_cache(maxsize=1024)(category_of)


def positional(cls: type, *names: str) -> None:
    """Fail at import when a dataclass's fields no longer start with `names`, the order the
    readers pass them in."""
    if tuple(f.name for f in fields(cls))[: len(names)] != names:
        raise ImportError(f"{cls.__name__}'s fields changed: update its calls in the readers")


positional(PubDate, "year", "month", "day", "season", "text")
positional(ArticleIds, "pmid")


def find(parent: Element, tag: str) -> Element:
    """The first child with this tag, or EMPTY."""
    found = parent.find(tag)
    return EMPTY if found is None else found


def children(parent: Element, tag: str, child_tag: str) -> list[Element]:
    """parent.findall("tag/child_tag") without ElementPath (several times faster)."""
    return [child for elem in parent.findall(tag) for child in elem.findall(child_tag)]


def text_of(elem: Element | None) -> str | None:
    """Collapsed text of an element and all its descendants; None when missing or empty."""
    if elem is None:
        return None
    if len(elem):
        return collapse("".join(elem.itertext())) or None
    text = elem.text  # a leaf (most fields): as collapse() reads it, but faster when short
    if not text or text.isalnum():  # alphanumeric: no whitespace
        return text or None
    return (" ".join(text.split()) if len(text) < 40 else collapse(text)) or None


def texts_of(elems: Iterable[Element]) -> list[str]:
    """The non-empty texts of elements, in order."""
    return [text for elem in elems if (text := text_of(elem))]


def _pmc(value: str) -> str:
    return f"PMC{value}" if value.isdigit() else value.upper()


def elocation_ids(ids: ArticleIds, parent: Element) -> None:
    """DOI and PII from ELocationIDs, where not set already."""
    for loc in parent.findall("ELocationID"):
        kind, value = (loc.get("EIdType") or "").lower(), text_of(loc)
        if loc.get("ValidYN") == "N" or not value:
            continue
        if kind == "doi" and not ids.doi:
            ids.doi = value
        elif kind == "pii" and not ids.pii:
            ids.pii = value


def apply_ids(ids: ArticleIds, id_list: Element | None) -> None:
    """Set the IDs an ArticleIdList carries (the first of each type), overriding others."""
    if id_list is None:
        return
    seen: dict[str, str] = {}
    for elem in id_list.findall("ArticleId"):
        value = text_of(elem)
        if value:
            kind = elem.get("IdType")
            kind = kind.lower() if kind else "pubmed"
            if kind not in seen:
                seen[kind] = value
    if not seen:
        return
    if "pubmed" in seen and ids.pmid is None:
        ids.pmid = read_pmid(seen["pubmed"])  # None when not a valid one
    if "doi" in seen:
        ids.doi = seen["doi"]
    if "pmc" in seen:
        ids.pmc = _pmc(seen["pmc"])
    if "pii" in seen:
        ids.pii = seen["pii"]


@lru_cache(maxsize=4096)
def _pub_date_fields(
    medline: str | None, year: str | None, month: str | None, season: str | None, day: str | None
) -> tuple[int | None, int | None, int | None, str | None, str | None]:
    """PubDate's fields from the texts of MedlineDate, Year, Month, Season and Day."""
    if medline:
        date = parse_date_text(medline)
    elif not year:
        date = PubDate()
    else:
        parts = [year]
        if month:
            number = month_number(month)
            parts.append(_MONTH_ABBR[number] if number else month)
            if number and day:
                parts.append(day.lstrip("0") or day)
        elif season:
            parts.append(season)
        date = parse_date_text(" ".join(parts))
    return date.year, date.month, date.day, date.season, date.text


_month_number = lru_cache(maxsize=1024)(month_number)


def pub_date(elem: Element | None) -> PubDate:
    """A PubDate from Year/Month/Day, Year/Season or MedlineDate, with its human text."""
    if elem is None or not len(elem):
        return PubDate()
    first: dict[str, Element] = {}  # the first child of each tag, in one pass
    for child in elem:
        first.setdefault(child.tag, child)
    get = first.get
    medline, year, month = text_of(get("MedlineDate")), text_of(get("Year")), text_of(get("Month"))
    season, day = text_of(get("Season")), text_of(get("Day"))
    if day and month and not medline and year and len(year) == 4 and year.isdigit():
        # "2022 Nov 21" read as parse_date_text reads it, without its regex (too many days
        # to cache): a 4-digit year, a known month, a 1- or 2-digit day
        number = _month_number(month)
        day = day.lstrip("0") or day
        if number and len(day) <= 2 and day.isdigit() and day.isascii() and year.isascii():
            text = f"{year} {_MONTH_ABBR[number]} {day}"
            return PubDate(int(year), number, int(day) if 1 <= int(day) <= 31 else None, None, text)
    return PubDate(*_pub_date_fields(medline, year, month, season, day))


@lru_cache(maxsize=4096)
def _year_month(year: str | None, month: str | None) -> tuple[str | None, bool]:
    """iso_date(year, month) and whether it has the month."""
    iso = iso_date(year, month)
    return iso, iso is not None and month not in (None, "") and month_number(month) is not None


@lru_cache(maxsize=1024)
def _day_suffix(day: str) -> str:
    """'-05' for Day '5', as iso_date adds it; '' for a Day that is not a number."""
    try:
        return f"-{int(day):02d}"
    except ValueError:
        return ""


def iso_of(elem: Element | None) -> str | None:
    """ISO date of an element with Year, Month and Day children (as iso_date reads them)."""
    if elem is None:
        return None
    iso, has_month = _year_month(elem.findtext("Year"), elem.findtext("Month"))
    if has_month:
        day = elem.findtext("Day")
        if day:
            return f"{iso}{_day_suffix(day)}"
    return iso


def pages_of(pagination: Element | None) -> str | None:
    if pagination is None:
        return None
    pages = text_of(pagination.find("MedlinePgn"))
    if pages:
        return pages
    start, end = text_of(pagination.find("StartPage")), text_of(pagination.find("EndPage"))
    return f"{start}-{end}" if start and end and end != start else start
