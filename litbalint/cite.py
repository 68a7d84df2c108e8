"""Citations of corpus articles: NLM/Vancouver lines (as PubMed's "Cite" shows them), BibTeX and
RIS. Pure functions over a small typed record; no database, no Datasette.

`from_row` turns a row of the `articles` table (plus `journal_title` from `journals`, when
joined) and its authors' display names into a `CitedArticle`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

MONTH_ABBREVIATIONS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
MAX_VANCOUVER_AUTHORS = 6  # more than this: the first six, then "et al."
PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{}/"
DOI_URL = "https://doi.org/{}"
RIS_EOL = "\r\n"

Kind = Literal["article", "chapter", "book"]


@dataclass
class CitedArticle:
    """What a citation needs of an article. Authors are display names as PubMed prints them
    ("Olivero JM", "King ML Jr") or group names ("Balint Research Collaborative")."""

    pmid: int | None = None
    doi: str | None = None
    pmc: str | None = None
    title_en: str | None = None
    title_zh: str | None = None
    journal: str | None = None  # ISO abbreviation: "Int J Psychiatry Med"
    journal_title: str | None = None  # "International journal of psychiatry in medicine"
    year: int | None = None
    month: int | None = None
    day: int | None = None
    pub_date_text: str | None = None  # as printed: "2014 Nov-Dec"
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None  # "547-553", "e28-e34", PubMed's short "733-8"
    authors: list[str] = field(default_factory=list)
    book_title: str | None = None
    publisher: str | None = None
    abstract_en: str | None = None
    keywords: list[str] = field(default_factory=list)
    language: str | None = None  # PubMed codes, comma-separated when several: "eng, chi"

    @property
    def kind(self) -> Kind:
        """A journal article, a chapter (or section) of a book, or a whole book."""
        if not self.book_title or self.journal:
            return "article"
        if not self.title_en or _same_text(self.title_en, self.book_title):
            return "book"
        return "chapter"

    @property
    def title(self) -> str | None:
        """The English title, else the Chinese one."""
        return _clean(self.title_en) or _clean(self.title_zh)

    @property
    def url(self) -> str | None:
        """The PubMed page when the PMID is known, else the DOI resolver."""
        if self.pmid:
            return PUBMED_URL.format(self.pmid)
        if self.doi:
            return DOI_URL.format(self.doi)
        return None


# --- from the database ---------------------------------------------------------------------


def from_row(row: Mapping[str, Any], authors: Sequence[str] = ()) -> CitedArticle:
    """A row of the `articles` table (a dict; `journal_title` may be joined in from `journals`)
    and the article's author display names in `position` order."""

    def text(column: str) -> str | None:
        value = row.get(column)
        if value is None:
            return None
        return str(value).strip() or None

    languages = _json_list(row.get("languages"))
    return CitedArticle(
        pmid=_int(row.get("pmid")),
        doi=text("doi"),
        pmc=text("pmc"),
        title_en=text("title_en"),
        title_zh=text("title_zh"),
        journal=text("journal"),
        journal_title=text("journal_title"),
        year=_int(row.get("year")),
        month=_int(row.get("month")),
        day=_int(row.get("day")),
        pub_date_text=text("pub_date_text"),
        volume=text("volume"),
        issue=text("issue"),
        pages=text("pages"),
        authors=[name.strip() for name in authors if name and name.strip()],
        book_title=text("book_title"),
        publisher=text("publisher"),
        abstract_en=text("abstract_en"),
        keywords=_json_list(row.get("keywords")),
        language=", ".join(languages) or None,
    )


def _json_list(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    return [str(item).strip() for item in value if item is not None and str(item).strip()]


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- shared helpers ------------------------------------------------------------------------


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


def _clean(text: str | None) -> str | None:
    """Whitespace (newlines included) collapsed to single spaces; None when empty."""
    if text is None:
        return None
    return " ".join(text.split()) or None


def _same_text(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(text.split()).rstrip(".").casefold()

    return norm(a) == norm(b)


def _date_text(article: CitedArticle) -> str | None:
    """'2022 Nov', '2019 Nov 18', '2014 Nov-Dec': as printed when known, else from the parts."""
    if article.pub_date_text:
        return _clean(article.pub_date_text)
    if article.year is None:
        return None
    parts = [str(article.year)]
    if article.month and 1 <= article.month <= 12:
        parts.append(MONTH_ABBREVIATIONS[article.month - 1])
        if article.day:
            parts.append(str(article.day))
    return " ".join(parts)


def _ascii(text: str) -> str:
    """Lower-case ASCII letters and digits only: 'Müller-Lyer' -> 'mullerlyer'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", folded.lower())


# --- NLM / Vancouver -----------------------------------------------------------------------


_SENTENCE_ENDS = ".?!。？！"


def _sentence(text: str | None) -> str:
    """text ending with one period (kept as is when it ends with . ? ! or Chinese 。？！)."""
    text = _clean(text)
    if not text:
        return ""
    return text if text[-1] in _SENTENCE_ENDS else text + "."


def vancouver(article: CitedArticle) -> str:
    """The NLM (Vancouver) citation PubMed shows under "Cite":
    'Olivero JM, Chen LH. Title. Int J Psychiatry Med. 2022 Nov;57(6):547-553.
    doi: 10.1177/x. PMID: 36100001; PMCID: PMC10066008.' Missing parts are left out."""
    parts: list[str] = []
    if article.authors:
        names = article.authors[:MAX_VANCOUVER_AUTHORS]
        if len(article.authors) > MAX_VANCOUVER_AUTHORS:
            names = [*names, "et al"]
        parts.append(_sentence(", ".join(names)))
    date = _date_text(article)
    kind = article.kind
    if kind == "article":
        parts.append(_sentence(article.title))
        parts.append(_sentence(article.journal or article.journal_title))
        parts.append(_sentence(_journal_location(date, article)))
    else:
        if kind == "chapter":
            parts.append(_sentence(article.title))
            parts.append(_sentence(f"In: {_clean(article.book_title)}"))
        else:
            parts.append(_sentence(article.title or article.book_title))
        parts.append(_sentence("; ".join(p for p in (_clean(article.publisher), date) if p)))
        if article.pages:
            parts.append(_sentence(f"p. {_clean(article.pages)}"))
    if article.doi:
        parts.append(_sentence(f"doi: {article.doi.strip()}"))
    ids = []
    if article.pmid:
        ids.append(f"PMID: {article.pmid}")
    if article.pmc:
        ids.append(f"PMCID: {article.pmc}")
    parts.append(_sentence("; ".join(ids)))
    return " ".join(part for part in parts if part)


def _journal_location(date: str | None, article: CitedArticle) -> str:
    """'2022 Nov;57(6):547-553', '2019 Nov 18;139(17)', '2021:e28-e34', '57(6)'."""
    volume = _clean(article.volume) or ""
    issue = _clean(article.issue)
    pages = _clean(article.pages)
    location = volume + (f"({issue})" if issue else "")
    if pages:
        location += f":{pages}" if location or date else pages
    if not date:
        return location
    if not location:
        return date
    return date + location if location.startswith(":") else f"{date};{location}"


# --- BibTeX --------------------------------------------------------------------------------

_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_TEX_PATTERN = re.compile("[" + re.escape("".join(_TEX_SPECIAL)) + "]")
_BIB_MONTHS = [m.lower() for m in MONTH_ABBREVIATIONS]  # the standard macros jan ... dec
_BIB_ENTRY_TYPES = {"article": "article", "chapter": "incollection", "book": "book"}


def tex_escape(text: str) -> str:
    """LaTeX's special characters escaped; everything else (non-ASCII too) kept as is."""
    return _TEX_PATTERN.sub(lambda m: _TEX_SPECIAL[m.group()], text)


_WORD_PUNCTUATION = re.compile(r"(\W*)(.*?)(\W*)", re.DOTALL)


def _tex_title(title: str) -> str:
    """Escaped, with words that have capitals past their first letter (COVID-19, CHC, mHealth)
    in braces so bibliography styles that lower-case titles leave them alone."""
    words = []
    for word in title.split():
        lead, core, trail = _WORD_PUNCTUATION.fullmatch(word).groups()
        if any(c.isupper() for c in core[1:]):
            words.append(tex_escape(lead) + "{" + tex_escape(core) + "}" + tex_escape(trail))
        else:
            words.append(tex_escape(word))
    return " ".join(words)


def _bib_verbatim(text: str) -> str:
    """DOIs and URLs are verbatim fields (biblatex): not escaped, but braces must balance."""
    return text.strip().replace("{", "%7B").replace("}", "%7D")


def _bib_author(name: str) -> str:
    person = split_name(name)
    if person is None:  # a group: braces so BibTeX does not split it into names
        return "{" + tex_escape(name) + "}"
    first = " ".join(f"{initial}." for initial in person.initials)
    last = tex_escape(person.last_name)
    if person.suffix:
        return f"{last}, {person.suffix}, {first}"
    return f"{last}, {first}"


def bibtex_key(article: CitedArticle) -> str:
    """First author's surname + year + first title word, ASCII-folded: 'olivero2022virtual'."""
    surname = ""
    if article.authors:
        person = split_name(article.authors[0])
        surname = _ascii(person.last_name if person else article.authors[0].split()[0])
    word = ""
    for token in (article.title or "").split():
        word = _ascii(token)
        if word:
            break
    return f"{surname or 'anon'}{article.year or ''}{word}"


def bibtex(articles: Iterable[CitedArticle]) -> str:
    """One entry per article (@article; @incollection for a book chapter, @book for a book),
    keys unique within the output ('olivero2022virtual', 'olivero2022virtualb', ...)."""
    used: set[str] = set()
    entries = []
    for article in articles:
        base = bibtex_key(article)
        key, n = base, 1
        while key in used:
            n += 1
            key = base + _letters(n)
        used.add(key)
        entries.append(_bib_entry(key, article))
    return "\n".join(entries)


def _letters(n: int) -> str:
    """2 -> 'b', 26 -> 'z', 27 -> 'aa', ..."""
    text = ""
    n -= 1
    while True:
        text = chr(ord("a") + n % 26) + text
        n = n // 26 - 1
        if n < 0:
            return text


def _bib_entry(key: str, article: CitedArticle) -> str:
    kind = article.kind
    fields: list[tuple[str, str]] = []

    def add(name: str, value: str | None, *, raw: bool = False) -> None:
        value = _clean(value)
        if value:
            fields.append((name, value if raw else tex_escape(value)))

    if article.authors:
        fields.append(("author", " and ".join(_bib_author(name) for name in article.authors)))
    title = article.title if kind != "book" else (article.title or _clean(article.book_title))
    if title:
        fields.append(("title", _tex_title(title[:-1] if title.endswith(".") else title)))
    if kind == "article":
        add("journal", article.journal_title or article.journal)
        if article.journal_title and article.journal:
            add("shortjournal", article.journal)
    elif kind == "chapter":
        add("booktitle", article.book_title)
    add("publisher", article.publisher)
    add("year", str(article.year) if article.year else None)
    if article.month and 1 <= article.month <= 12:
        fields.append(("month", _BIB_MONTHS[article.month - 1]))  # a macro, not braced
    add("volume", article.volume)
    add("number", article.issue)
    first, last = page_range(article.pages)
    add("pages", f"{first}--{last}" if last else first)
    add("doi", _bib_verbatim(article.doi) if article.doi else None, raw=True)
    add("pmid", str(article.pmid) if article.pmid else None)
    add("pmcid", article.pmc)
    add("url", _bib_verbatim(article.url) if article.url else None, raw=True)
    add("abstract", article.abstract_en)
    add("keywords", ", ".join(_clean(k) or "" for k in article.keywords))
    add("language", article.language)
    if article.title_zh and article.title_en:
        add("note", f"Chinese title: {article.title_zh}")
    lines = [f"@{_BIB_ENTRY_TYPES[kind]}{{{key},"]
    for name, value in fields:
        value = value if name == "month" else "{" + value + "}"
        lines.append(f"  {name} = {value},")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- RIS -----------------------------------------------------------------------------------

_RIS_TYPES = {"article": "JOUR", "chapter": "CHAP", "book": "BOOK"}


def _ris_author(name: str) -> str:
    """'Olivero JM' -> 'Olivero, J.M.'; 'King ML Jr' -> 'King, M.L., Jr'; a group as is."""
    person = split_name(name)
    if person is None:
        return name
    text = f"{person.last_name}, {''.join(f'{i}.' for i in person.initials)}"
    return f"{text}, {person.suffix}" if person.suffix else text


def _ris_date(article: CitedArticle) -> str | None:
    """RIS's 'YYYY/MM/DD/': '2022/11//', '2019///'."""
    if article.year is None:
        return None
    month = f"{article.month:02d}" if article.month and 1 <= article.month <= 12 else ""
    day = f"{article.day:02d}" if month and article.day else ""
    return f"{article.year:04d}/{month}/{day}/"


def ris(articles: Iterable[CitedArticle]) -> str:
    """RIS records ('TY  - JOUR' ... 'ER  - '), each followed by a blank line; CRLF line ends."""
    return "".join(_ris_record(article) for article in articles)


def _ris_record(article: CitedArticle) -> str:
    kind = article.kind
    lines: list[tuple[str, str]] = []

    def add(tag: str, value: str | None) -> None:
        value = _clean(value)
        if value:
            lines.append((tag, value))

    add("TY", _RIS_TYPES[kind])
    for name in article.authors:
        add("AU", _ris_author(name))
    if kind == "book":
        add("TI", article.title or article.book_title)
    else:
        add("TI", article.title)
    if article.title_en and article.title_zh:
        add("TT", article.title_zh)  # the translated title
    if kind == "article":
        add("T2", article.journal_title or article.journal)
        add("JO", article.journal)
    elif kind == "chapter":
        add("T2", article.book_title)
    add("PB", article.publisher)
    add("PY", str(article.year) if article.year else None)
    add("DA", _ris_date(article))
    add("VL", article.volume)
    add("IS", article.issue)
    first, last = page_range(article.pages)
    add("SP", first)
    add("EP", last)
    add("DO", article.doi)
    add("AN", str(article.pmid) if article.pmid else None)
    add("C2", article.pmc)  # PMCID, where PubMed and EndNote put it
    add("UR", article.url)
    add("AB", article.abstract_en)
    for keyword in article.keywords:
        add("KW", keyword)
    add("LA", article.language)
    body = "".join(f"{tag}  - {value}{RIS_EOL}" for tag, value in lines)
    return body + f"ER  - {RIS_EOL}{RIS_EOL}"
