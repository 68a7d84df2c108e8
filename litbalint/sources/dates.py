"""Date text as PubMed and Suppr print it -> PubDate / ISO strings. Shared by every parser."""

from __future__ import annotations

import re

from litbalint.model import MONTHS, SEASONS, PubDate

_MONTH = r"(?:[A-Z][a-z]{2,8}\.?|\d{1,2})"
_DATE_TEXT = re.compile(
    rf"""^\s*
    (?P<season1>[A-Z][a-z]+\s+)?                        # "Summer 2005" (rare)
    (?P<year>\d{{4}})
    (?:\s*[-/]\s*\d{{2,4}}(?=\s|$))?                    # "2010-2011" year range: first year
    (?:\s+(?P<month>{_MONTH}|[A-Z][a-z]+)
       (?:\s*-\s*(?:\d{{4}}\s+)?(?:{_MONTH}|[A-Z][a-z]+))? # "Nov-Dec", "Dec-1999 Jan"
    )?
    (?:\s+(?P<day>\d{{1,2}})(?:\s*-\s*\d{{1,2}})?)?      # "Jan 15" or "Jan 15-21"
    """,
    re.VERBOSE,
)


def month_number(token: str | None) -> int | None:
    """'Nov', 'November', 'nov.' or '11' -> 11; anything else -> None."""
    if not token:
        return None
    token = token.strip().rstrip(".")
    if token.isdigit():
        number = int(token)
        return number if 1 <= number <= 12 else None
    return MONTHS.get(token[:3].lower()) if len(token) >= 3 else None


def season_of(token: str | None) -> str | None:
    if token and token.strip().lower() in SEASONS:
        return token.strip().capitalize()
    return None


def parse_date_text(text: str | None) -> PubDate:
    """'2022 Nov 21', '2014 Nov-Dec', '1990 Spring', '1998 Dec-1999 Jan' -> PubDate.

    A month range keeps its first month; a season keeps no month. The text is kept as given.
    """
    if not text or not text.strip():
        return PubDate()
    text = " ".join(text.split())
    match = _DATE_TEXT.match(text)
    if not match:
        return PubDate(text=text)
    year = int(match["year"])
    month_token = match["month"]
    month = month_number(month_token)
    season = season_of(month_token) or season_of(match["season1"])
    day = int(match["day"]) if match["day"] and month else None
    if day is not None and not 1 <= day <= 31:
        day = None
    return PubDate(year=year, month=month, day=day, season=season, text=text)


def iso_date(year: object, month: object = None, day: object = None) -> str | None:
    """Parts as strings or ints (month may be 'Nov') -> '2022', '2022-11' or '2022-11-21'."""
    try:
        y = int(str(year))
    except (TypeError, ValueError):
        return None
    m = month_number(str(month)) if month not in (None, "") else None
    d = None
    if m is not None and day not in (None, ""):
        try:
            d = int(str(day))
        except ValueError:
            d = None
    return PubDate(year=y, month=m, day=d).iso()


def iso_from_text(text: str | None) -> str | None:
    """'2022 Aug 21' -> '2022-08-21'; '20220821' or '2022/08/21 06:00' -> '2022-08-21'."""
    if not text:
        return None
    text = text.strip()
    compact = re.match(r"^(\d{4})(\d{2})(\d{2})$", text)
    if compact:
        return iso_date(*compact.groups())
    slashed = re.match(r"^(\d{4})[/-](\d{1,2})(?:[/-](\d{1,2}))?", text)
    if slashed:
        return iso_date(*slashed.groups())
    return parse_date_text(text).iso()
