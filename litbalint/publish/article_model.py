"""The article page's view model: the dataclasses the template reads, the links it needs
(`Urls`), and the formatting of what `article_queries` reads (dates, identifiers, external links,
the Vancouver line, the parallel abstract's rows). Nothing here touches the database.

`parser_html` is the one place database text is trusted as HTML (see `article`'s docstring).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass, field

from markupsafe import Markup

from litbalint import cite
from litbalint.publish.stylesheet import css_url

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def text_lang(text: object) -> str:
    """The `lang` of a database text whose language is not recorded (a keyword, an
    affiliation, a citation line): Chinese when it has any CJK character, else English."""
    return "zh-CN" if _CJK.search(str(text or "")) else "en"


@dataclass
class Link:
    label: str
    url: str


@dataclass
class Author:
    name: str
    orcid: str | None = None
    orcid_url: str | None = None
    marks: list[int] = field(default_factory=list)  # numbers of its affiliations


@dataclass
class Term:
    """A MeSH heading, keyword, topic or publication type, linked to the filtered table."""

    label: str  # as stored: the template names topics and publication types through i18n
    url: str
    major: bool = False
    qualifiers: list[tuple[str, bool]] = field(default_factory=list)  # (name, major)


@dataclass
class Item:
    """An article in a references / cited-by / similar list."""

    title_zh: str | None
    title_en: str | None
    fallback: str  # citation line or identifier, when there is no title
    journal: str | None
    year: int | None
    url: str
    in_corpus: bool


@dataclass
class Row:
    """One line of the parallel abstract: a bead, or a whole section when there are no beads."""

    en: str | Markup
    zh: str
    low: bool = False
    score: float | None = None
    bead: bool = False


@dataclass
class Group:
    """Rows under one pair of section headings."""

    en_label: str | None
    zh_label: str | None
    rows: list[Row] = field(default_factory=list)


@dataclass
class Abstract:
    mode: str  # "beads", "sections", "en", "zh" or "none"
    groups: list[Group] = field(default_factory=list)
    low_count: int = 0
    bead_count: int = 0
    badly_aligned: bool = False
    stale: bool = False
    copyright: str | None = None
    zh_source: str | None = None  # as stored: suppr, plain, publisher (named by the template)

    @property
    def columns(self) -> list[str]:
        return {"beads": ["en", "zh"], "sections": ["en", "zh"], "en": ["en"], "zh": ["zh"]}.get(
            self.mode, []
        )


@dataclass
class ArticlePage:
    id: int
    title_zh: str | None
    title_en: str | Markup | None
    title_en_text: str | None  # the English title as plain text
    heading: str  # plain text for an article without any title: its identifier
    is_stub: bool
    deleted: bool
    citation_text: str | None
    journal: str | None
    journal_title: str | None
    published: str | None
    epub_date: str | None
    pmid: int | None
    doi: str | None
    pmc: str | None
    links: list[Link]
    vancouver: str
    bib_url: str
    ris_url: str
    json_url: str
    css_url: str
    abstract: Abstract
    authors: list[Author]
    affiliations: list[str]  # numbered from 1 in the template
    mesh: list[Term]
    keywords: list[Term]
    topics: list[Term]
    publication_types: list[Term]
    references: list[Item]
    unlinked_references: list[str]  # PubMed reference-list entries without any identifier
    cited_by: list[Item]
    similar: list[Item]
    related: list[Item] = field(default_factory=list)  # nearest corpus articles by embedding

    def heading_for(self, lang: str) -> str:
        """Plain text for <title>: the title in the reader's language first."""
        titles = [self.title_zh, self.title_en_text]
        for title in reversed(titles) if lang == "en" else titles:
            if title:
                return title
        return self.heading


class Urls:
    """The links the page needs, built with Datasette's URL helpers (base_url aware)."""

    def __init__(self, datasette, database: str) -> None:
        self._urls = datasette.urls
        self._database = database
        self._table = datasette.urls.table(database, "articles")
        self.css = css_url(datasette)

    def row(self, article_id: int, format: str | None = None) -> str:
        return str(self._urls.row(self._database, "articles", str(article_id), format=format))

    def filtered(self, column: str, value: str) -> str:
        query = urllib.parse.urlencode({f"{column}__arraycontains": value})
        return f"{self._table}?{query}"


def parser_html(value: str | None) -> Markup | None:
    """Markup made by our PubMed parser from a whitelist (see `article`'s docstring): the only
    database text the page trusts as HTML."""
    return Markup(value) if value else None


# --- an `articles` row, formatted ----------------------------------------------------------


def json_list(value: str | None) -> list[str]:
    try:
        items = json.loads(value or "[]")
    except ValueError:
        return []
    return [str(item) for item in items] if isinstance(items, list) else []


def identifier(a: dict) -> str:
    if a["pmid"]:
        return f"PMID {a['pmid']}"
    if a["doi"]:
        return f"DOI {a['doi']}"
    return f"Article {a['id']}"


def published(a: dict) -> str | None:
    """The publication date as printed ("2014 Nov-Dec"), else built from its parts."""
    if a["pub_date_text"]:
        return a["pub_date_text"]
    if not a["year"]:
        return None
    parts = [str(a["year"])]
    if a["season"]:
        parts.append(a["season"])
    elif a["month"] and 1 <= a["month"] <= 12:
        parts.append(MONTHS[a["month"] - 1])
        if a["day"]:
            parts.append(str(a["day"]))
    return " ".join(parts)


def quote(value: str) -> str:
    return urllib.parse.quote(value, safe="/:;()")


def external_links(a: dict) -> list[Link]:
    links = []
    if a["pmid"]:
        links.append(Link("PubMed", f"https://pubmed.ncbi.nlm.nih.gov/{a['pmid']}/"))
    if a["doi"]:
        links.append(Link("DOI", f"https://doi.org/{quote(a['doi'])}"))
    if a["pmc"]:
        links.append(Link("PMC", f"https://www.ncbi.nlm.nih.gov/pmc/articles/{quote(a['pmc'])}/"))
    return links


def vancouver_line(a: dict, journal_title: str | None, authors: list[Author]) -> str:
    """The Vancouver (NLM) line from litbalint.cite; a stub known only by its citation line
    (no title, no authors) keeps that line."""
    if not (a["title_en"] or a["title_zh"] or authors) and a["citation_text"]:
        return a["citation_text"]
    row = {**a, "journal_title": journal_title}
    return cite.vancouver(cite.from_row(row, [author.name for author in authors]))


# --- the parallel abstract's rows ----------------------------------------------------------


def group_beads(abstract: Abstract, beads: list[dict]) -> None:
    current = None
    for bead in beads:
        if current is None or bead["pair_index"] != current:
            current = bead["pair_index"]
            abstract.groups.append(Group(bead["en_label"], bead["zh_label"]))
        low = bool(bead["low_confidence"])
        abstract.low_count += low
        abstract.bead_count += 1
        abstract.groups[-1].rows.append(
            Row(bead["en_text"], bead["zh_text"], low=low, score=bead["score"], bead=True)
        )


def section_text(section: dict) -> str | Markup:
    return parser_html(section["text_html"]) or section["text"]


def labelled(section: dict) -> str:
    return f"{section['label']}: {section['text']}" if section["label"] else section["text"]


def joined(sections: list[dict]) -> str | Markup:
    """English sections as one block, keeping the parser's markup where a section has it."""
    pieces: list[Markup] = []
    for s in sections:
        text = section_text(s)
        label = Markup.escape(s["label"]) + Markup(": ") if s["label"] else Markup("")
        pieces.append(label + Markup.escape(text))  # escape() leaves Markup as it is
    return Markup("\n\n").join(pieces)
