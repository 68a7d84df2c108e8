"""What citation styles take apart and print their own way: personal author names (surname,
initials, suffix) and page ranges (first and last page)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class PersonName:
    """A personal author's display name taken apart: 'King ML Jr' -> King, ['M', 'L'], Jr."""

    last_name: str
    initials: list[str]
    suffix: str | None = None


_SUFFIXES = {"Jr", "Sr", "II", "III", "IV", "V", "2nd", "3rd", "4th"}


def split_name(name: str) -> PersonName | None:
    """A PubMed display name ('Olivero JM', 'King ML Jr', 'van der Berg A') as surname,
    initials and suffix; None for a group author ('Balint Research Collaborative') or any name
    whose last word is not initials."""
    words = name.split()
    suffix = None
    if len(words) >= 3 and words[-1].rstrip(".") in _SUFFIXES:
        suffix = words.pop().rstrip(".")
    if len(words) < 2:
        return None
    initials = words[-1]
    if not (len(initials) <= 4 and initials.isalpha() and initials.isupper()):
        return None
    return PersonName(" ".join(words[:-1]), list(initials), suffix)


_PAGE = r"([A-Za-z]*)(\d+)([A-Za-z]*)"
_PAGE_RANGE = re.compile(_PAGE + r"\s*[-\u2010-\u2013]+\s*" + _PAGE)


def page_range(pages: str | None) -> tuple[str | None, str | None]:
    """First and last page: '547-553' -> 547, 553; 'e28-e34' -> e28, e34; PubMed's short form
    '733-8' -> 733, 738; '436' -> 436, None. Anything else stays whole as the first page."""
    if not pages or not pages.strip():
        return None, None
    pages = pages.strip()
    match = _PAGE_RANGE.fullmatch(pages)
    if not match:
        return pages, None
    prefix, first, tail, last_prefix, last, last_tail = match.groups()
    if len(last) < len(first) and (not last_prefix or last_prefix == prefix):
        last = first[: len(first) - len(last)] + last
        last_prefix = last_prefix or prefix
    return prefix + first + tail, last_prefix + last + last_tail
