"""The article page: the row page of `articles`, read for people who often read Chinese first.

`article_context` is awaited by the plugin's `extra_template_vars` hook for that page and
returns `{"article_page": ArticlePage}` (or `{}` when the row is not a litbalint article, so the
template falls back to Datasette's own row page). The template is
`templates/row-litbalint-articles.html`. Everything is read in one `execute_fn` call, under the
instance's SQL time limit; nothing is written.

Escaping: the template relies on Jinja's autoescape for every value read from the database. The
only exception is `_parser_html`: `articles.title_en_html` and `abstract_sections.text_html`,
which our PubMed parser (`litbalint/sources/markup.py`) builds from a fixed whitelist of inline
elements with every text and attribute escaped; they are wrapped in `Markup` there and nowhere
else.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from datasette.plugins import get_plugins
from datasette.utils import sqlite_timelimit, urlsafe_components
from markupsafe import Markup

from litbalint import cite

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
TOPIC_LABELS = {"balint": "Balint groups 巴林特小组", "peer_support": "Peer support 同伴支持"}
ZH_SOURCES = {
    "suppr": "Suppr 超能文献",
    "plain": "bilingual text 双语文本",
    "publisher": "the publisher 出版者",
}


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

    label: str
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
    zh_source: str | None = None

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
    heading: str  # plain text for <title> and for an article without any title
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


class Urls:
    """The links the page needs, built with Datasette's URL helpers (base_url aware)."""

    def __init__(self, datasette, database: str) -> None:
        self._urls = datasette.urls
        self._database = database
        self._table = datasette.urls.table(database, "articles")
        self.css = str(datasette.urls.static_plugins(_plugin_name(), "litbalint.css"))

    def row(self, article_id: int, format: str | None = None) -> str:
        return str(self._urls.row(self._database, "articles", str(article_id), format=format))

    def filtered(self, column: str, value: str) -> str:
        query = urllib.parse.urlencode({f"{column}__arraycontains": value})
        return f"{self._table}?{query}"


def _plugin_name() -> str:
    """The name Datasette serves this plugin's static/ under: the distribution's name
    ("litbalint") when loaded from the entry point, the module's when registered by hand."""
    static = Path(__file__).parent / "static"
    for plugin in get_plugins():
        if plugin["static_path"] and Path(plugin["static_path"]) == static:
            return plugin["name"]
    return "litbalint"


async def article_context(datasette, database: str, request) -> dict:
    """Template variables for the article page, or {} when this row cannot be shown as one."""
    pks = urlsafe_components(request.url_vars.get("pks", ""))
    if len(pks) != 1 or not pks[0].isdigit():
        return {}
    article_id = int(pks[0])
    urls = Urls(datasette, database)
    time_limit = datasette.setting("sql_time_limit_ms")

    def read(conn: sqlite3.Connection) -> ArticlePage | None:
        with sqlite_timelimit(conn, time_limit):
            return load_article(conn, article_id, urls)

    try:
        page = await datasette.get_database(database).execute_fn(read)
    except sqlite3.Error:  # not a litbalint database, or over the time limit: plain row page
        return {}
    return {"article_page": page} if page else {}


def _rows(conn: sqlite3.Connection, sql: str, params: list | dict = ()) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _parser_html(value: str | None) -> Markup | None:
    """Markup made by our PubMed parser from a whitelist (see the module docstring): the only
    database text the page trusts as HTML."""
    return Markup(value) if value else None


def load_article(conn: sqlite3.Connection, article_id: int, urls: Urls) -> ArticlePage | None:
    if not _rows(conn, "SELECT 1 FROM sqlite_master WHERE name = 'litbalint_meta'"):
        return None  # some other database's `articles` table: Datasette's row page
    found = _rows(conn, "SELECT * FROM articles WHERE id = ?", [article_id])
    if not found:
        return None
    a = found[0]
    if not a["citation_text"]:  # a stub from a PubMed reference list: the entry's text
        a["citation_text"] = _reference_citation(conn, article_id)
    journal_title = None
    if a["journal_id"] is not None:
        journals = _rows(conn, "SELECT title FROM journals WHERE id = ?", [a["journal_id"]])
        journal_title = journals[0]["title"] if journals else None
    authors, affiliations = _authors(conn, article_id)
    title_en = _parser_html(a["title_en_html"]) or a["title_en"]
    return ArticlePage(
        id=article_id,
        title_zh=a["title_zh"],
        title_en=title_en,
        heading=a["title_zh"] or a["title_en"] or _identifier(a),
        is_stub=bool(a["is_stub"]),
        deleted=bool(a["deleted"]),
        citation_text=a["citation_text"],
        journal=a["journal"] or a["book_title"],
        journal_title=journal_title,
        published=_published(a),
        epub_date=a["epub_date"],
        pmid=a["pmid"],
        doi=a["doi"],
        pmc=a["pmc"],
        links=external_links(a),
        vancouver=_vancouver(a, journal_title, authors),
        bib_url=urls.row(article_id, "bib"),
        ris_url=urls.row(article_id, "ris"),
        json_url=urls.row(article_id, "json"),
        css_url=urls.css,
        abstract=_abstract(conn, a),
        authors=authors,
        affiliations=affiliations,
        mesh=_mesh(conn, article_id, urls),
        keywords=[
            Term(r["keyword"], urls.filtered("keywords", r["keyword"]), bool(r["major"]))
            for r in _rows(
                conn,
                "SELECT keyword, major FROM keywords WHERE article_id = ? ORDER BY position",
                [article_id],
            )
        ],
        topics=[
            Term(TOPIC_LABELS.get(topic, topic), urls.filtered("topics", topic))
            for topic in _json_list(a["topics"])
        ],
        publication_types=[
            Term(r["publication_type"], urls.filtered("publication_types", r["publication_type"]))
            for r in _rows(
                conn,
                "SELECT publication_type FROM publication_types WHERE article_id = ? "
                "ORDER BY position",
                [article_id],
            )
        ],
        references=_items(conn, article_id, "references", urls),
        unlinked_references=[
            r["citation"]
            for r in _rows(
                conn,
                "SELECT citation FROM reference_lists WHERE article_id = ? AND cited_id IS NULL "
                "AND pmid IS NULL AND doi IS NULL AND pmc IS NULL AND citation IS NOT NULL "
                "ORDER BY position",
                [article_id],
            )
        ],
        cited_by=_items(conn, article_id, "cited_by", urls),
        similar=_items(conn, article_id, "similar", urls),
    )


def _reference_citation(conn: sqlite3.Connection, article_id: int) -> str | None:
    rows = _rows(conn, f"SELECT {_REFERENCE_CITATION}", {"id": article_id})
    return rows[0]["citation"] if rows else None


# How a PubMed reference list printed the article :id, for articles known only from one
_REFERENCE_CITATION = (
    "(SELECT citation FROM reference_lists WHERE cited_id = :id AND citation IS NOT NULL "
    "ORDER BY article_id, position LIMIT 1) AS citation"
)


def _json_list(value: str | None) -> list[str]:
    try:
        items = json.loads(value or "[]")
    except ValueError:
        return []
    return [str(item) for item in items] if isinstance(items, list) else []


def _identifier(a: dict) -> str:
    if a["pmid"]:
        return f"PMID {a['pmid']}"
    if a["doi"]:
        return f"DOI {a['doi']}"
    return f"Article {a['id']}"


def _published(a: dict) -> str | None:
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


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="/:;()")


def external_links(a: dict) -> list[Link]:
    links = []
    if a["pmid"]:
        links.append(Link("PubMed", f"https://pubmed.ncbi.nlm.nih.gov/{a['pmid']}/"))
    if a["doi"]:
        links.append(Link("DOI", f"https://doi.org/{_quote(a['doi'])}"))
    if a["pmc"]:
        links.append(Link("PMC", f"https://www.ncbi.nlm.nih.gov/pmc/articles/{_quote(a['pmc'])}/"))
    return links


def _vancouver(a: dict, journal_title: str | None, authors: list[Author]) -> str:
    """The Vancouver (NLM) line from litbalint.cite; a stub known only by its citation line
    (no title, no authors) keeps that line."""
    if not (a["title_en"] or a["title_zh"] or authors) and a["citation_text"]:
        return a["citation_text"]
    row = {**a, "journal_title": journal_title}
    return cite.vancouver(cite.from_row(row, [author.name for author in authors]))


def _authors(conn: sqlite3.Connection, article_id: int) -> tuple[list[Author], list[str]]:
    """Authors in order, each with the numbers of its affiliations; the numbered affiliation
    list (each text once), article-level affiliations (author_id NULL) included."""
    affiliations: list[str] = []

    def number(text: str) -> int:
        if text not in affiliations:
            affiliations.append(text)
        return affiliations.index(text) + 1

    by_author: dict[int, list[str]] = {}
    for r in _rows(
        conn,
        "SELECT author_id, affiliation FROM affiliations WHERE article_id = ? "
        "ORDER BY author_id IS NOT NULL, position, id",
        [article_id],
    ):
        if r["author_id"] is None:
            number(r["affiliation"])  # listed for the article, as Suppr pages do
        else:
            by_author.setdefault(r["author_id"], []).append(r["affiliation"])
    authors = []
    for r in _rows(
        conn,
        "SELECT id, name, orcid FROM authors WHERE article_id = ? ORDER BY position",
        [article_id],
    ):
        orcid = r["orcid"]
        authors.append(
            Author(
                name=r["name"],
                orcid=orcid,
                orcid_url=f"https://orcid.org/{_quote(orcid)}" if orcid else None,
                marks=[number(text) for text in by_author.get(r["id"], [])],
            )
        )
    return authors, affiliations


def _mesh(conn: sqlite3.Connection, article_id: int, urls: Urls) -> list[Term]:
    terms = []
    for r in _rows(
        conn,
        "SELECT descriptor, major, descriptor_major, qualifiers FROM mesh_headings "
        "WHERE article_id = ? ORDER BY position",
        [article_id],
    ):
        try:
            qualifiers = json.loads(r["qualifiers"] or "[]")
        except ValueError:
            qualifiers = []
        terms.append(
            Term(
                r["descriptor"],
                urls.filtered("mesh_terms", r["descriptor"]),
                major=bool(r["descriptor_major"]),
                qualifiers=[
                    (str(q.get("name", "")), bool(q.get("major")))
                    for q in qualifiers
                    if isinstance(q, dict)
                ],
            )
        )
    return terms


# (the other article's column, WHERE clause, ORDER BY) for each list on the page
_LISTS = {
    "references": (
        "cited_id",
        "c.citing_id = :id AND c.kind = 'references'",
        "rank IS NULL, rank, a.id",
    ),
    "cited_by": (
        "citing_id",
        "c.cited_id = :id AND c.kind IN ('cited_by', 'references')",
        "a.year IS NULL, a.year DESC, rank IS NULL, rank, a.id",
    ),
    "similar": (
        "cited_id",
        "c.citing_id = :id AND c.kind = 'similar'",
        "score IS NULL, score DESC, rank IS NULL, rank, a.id",
    ),
}


def _items(conn: sqlite3.Connection, article_id: int, kind: str, urls: Urls) -> list[Item]:
    """One list of linked articles, each article once whichever sources listed it."""
    other, where, order = _LISTS[kind]
    sql = (
        "SELECT a.id, a.pmid, a.doi, a.title_en, a.title_zh, a.citation_text, a.journal, "
        "a.book_title, a.year, a.is_stub, MIN(c.rank) AS rank, MAX(c.score) AS score, "
        + _REFERENCE_CITATION.replace(":id", "a.id")
        + " "
        f"FROM citations c JOIN articles a ON a.id = c.{other} "
        f"WHERE {where} AND a.id != :id GROUP BY a.id ORDER BY {order}"
    )
    items = []
    for r in _rows(conn, sql, {"id": article_id}):
        in_corpus = not r["is_stub"]
        if in_corpus or not (r["pmid"] or r["doi"]):
            url = urls.row(r["id"])
        elif r["pmid"]:
            url = f"https://pubmed.ncbi.nlm.nih.gov/{r['pmid']}/"
        else:
            url = f"https://doi.org/{_quote(r['doi'])}"
        items.append(
            Item(
                title_zh=r["title_zh"],
                title_en=r["title_en"],
                fallback=r["citation_text"] or r["citation"] or _identifier(r),
                journal=r["journal"] or r["book_title"],
                year=r["year"],
                url=url,
                in_corpus=in_corpus,
            )
        )
    return items


def _abstract(conn: sqlite3.Connection, a: dict) -> Abstract:
    """The abstract as parallel rows: stored beads when the alignment is current, else whole
    sections side by side, else the one language there is."""
    article_id = a["id"]
    abstract = Abstract(
        mode="none",
        copyright=a["copyright"],
        zh_source=ZH_SOURCES.get(a["abstract_zh_source"] or "", a["abstract_zh_source"]),
    )
    alignment = _rows(
        conn, "SELECT badly_aligned, stale FROM alignments WHERE article_id = ?", [article_id]
    )
    if alignment:
        abstract.badly_aligned = bool(alignment[0]["badly_aligned"])
        abstract.stale = bool(alignment[0]["stale"])
    if alignment and not abstract.stale:
        beads = _rows(
            conn,
            "SELECT pair_index, en_label, zh_label, en_text, zh_text, score, low_confidence "
            "FROM alignment_beads WHERE article_id = ? ORDER BY position",
            [article_id],
        )
        if beads:
            abstract.mode = "beads"
            _group_beads(abstract, beads)
            return abstract
    sections = {"en": [], "zh": []}
    for r in _rows(
        conn,
        "SELECT lang, label, text, text_html FROM abstract_sections WHERE article_id = ? "
        "ORDER BY lang, position",
        [article_id],
    ):
        if r["lang"] in sections:
            sections[r["lang"]].append(r)
    for lang in sections:  # an abstract stored without sections: its paragraphs
        text = a[f"abstract_{lang}"]
        if not sections[lang] and text:
            sections[lang] = [{"label": None, "text": text, "text_html": None}]
    en, zh = sections["en"], sections["zh"]
    if en and zh:
        abstract.mode = "sections"
        if len(en) == len(zh):
            for e, z in zip(en, zh, strict=True):
                abstract.groups.append(
                    Group(e["label"], z["label"], [Row(_section_text(e), z["text"])])
                )
        else:  # sections that do not pair: each language whole, side by side
            abstract.groups.append(
                Group(None, None, [Row(_joined(en), "\n\n".join(_labelled(z) for z in zh))])
            )
    elif en:
        abstract.mode = "en"
        abstract.groups = [Group(s["label"], None, [Row(_section_text(s), "")]) for s in en]
    elif zh:
        abstract.mode = "zh"
        abstract.groups = [Group(None, s["label"], [Row("", s["text"])]) for s in zh]
    return abstract


def _group_beads(abstract: Abstract, beads: list[dict]) -> None:
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


def _section_text(section: dict) -> str | Markup:
    return _parser_html(section["text_html"]) or section["text"]


def _labelled(section: dict) -> str:
    return f"{section['label']}: {section['text']}" if section["label"] else section["text"]


def _joined(sections: list[dict]) -> str | Markup:
    """English sections as one block, keeping the parser's markup where a section has it."""
    pieces: list[Markup] = []
    for s in sections:
        text = _section_text(s)
        label = Markup.escape(s["label"]) + Markup(": ") if s["label"] else Markup("")
        pieces.append(label + Markup.escape(text))  # escape() leaves Markup as it is
    return Markup("\n\n").join(pieces)
