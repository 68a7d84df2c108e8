"""The record a citation is made from (`CitedArticle`), and `from_row` to read one from a row of
the `articles` table."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

MONTH_ABBREVIATIONS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{}/"
DOI_URL = "https://doi.org/{}"
ZH_TITLE_LABEL = "Chinese title (中文标题): "
ZH_ABSTRACT_LABEL = "Chinese abstract (中文摘要): "

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
    abstract_zh: str | None = None
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
        return clean(self.title_en) or clean(self.title_zh)

    @property
    def abstract(self) -> str | None:
        """The English abstract, else the Chinese one."""
        return clean(self.abstract_en) or clean(self.abstract_zh)

    @property
    def url(self) -> str | None:
        """The PubMed page when the PMID is known, else the DOI resolver."""
        if self.pmid:
            return PUBMED_URL.format(self.pmid)
        if self.doi:
            return DOI_URL.format(self.doi)
        return None


def clean(text: str | None) -> str | None:
    """Whitespace (newlines included) collapsed to single spaces; None when empty."""
    if text is None:
        return None
    return " ".join(text.split()) or None


def chinese_notes(article: CitedArticle) -> list[str]:
    """The Chinese title and abstract, labelled, when the title and abstract fields already hold
    the English ones (a Chinese-only article has its Chinese there, and no notes)."""
    title_zh, abstract_zh = clean(article.title_zh), clean(article.abstract_zh)
    notes = []
    if title_zh and clean(article.title_en):
        notes.append(ZH_TITLE_LABEL + title_zh)
    if abstract_zh and clean(article.abstract_en):
        notes.append(ZH_ABSTRACT_LABEL + abstract_zh)
    return notes


def _same_text(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(text.split()).rstrip(".").casefold()

    return norm(a) == norm(b)


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
        abstract_zh=text("abstract_zh"),
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
