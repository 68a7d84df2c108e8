"""Reading the article page from the database: every query the page makes, on one connection
(the caller sets the time limit). Rows become `article_model` dataclasses; nothing is written."""

from __future__ import annotations

import json
import sqlite3

from litbalint.publish.article_model import (
    Abstract,
    ArticlePage,
    Author,
    Group,
    Item,
    Row,
    Term,
    Urls,
    external_links,
    group_beads,
    identifier,
    joined,
    json_list,
    labelled,
    parser_html,
    published,
    quote,
    section_text,
    vancouver_line,
)
from litbalint.publish.vectors import related


def _rows(conn: sqlite3.Connection, sql: str, params: list | dict | tuple = ()) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


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
    title_en = parser_html(a["title_en_html"]) or a["title_en"]
    return ArticlePage(
        id=article_id,
        title_zh=a["title_zh"],
        title_en=title_en,
        title_en_text=a["title_en"],
        heading=identifier(a),
        is_stub=bool(a["is_stub"]),
        deleted=bool(a["deleted"]),
        citation_text=a["citation_text"],
        journal=a["journal"] or a["book_title"],
        journal_title=journal_title,
        published=published(a),
        epub_date=a["epub_date"],
        pmid=a["pmid"],
        doi=a["doi"],
        pmc=a["pmc"],
        links=external_links(a),
        vancouver=vancouver_line(a, journal_title, authors),
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
        topics=[Term(topic, urls.filtered("topics", topic)) for topic in json_list(a["topics"])],
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
                orcid_url=f"https://orcid.org/{quote(orcid)}" if orcid else None,
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
            url = f"https://doi.org/{quote(r['doi'])}"
        items.append(
            Item(
                title_zh=r["title_zh"],
                title_en=r["title_en"],
                fallback=r["citation_text"] or r["citation"] or identifier(r),
                journal=r["journal"] or r["book_title"],
                year=r["year"],
                url=url,
                in_corpus=in_corpus,
            )
        )
    return items


def related_items(conn: sqlite3.Connection, article_id: int, urls: Urls) -> list[Item]:
    """The corpus articles nearest to this one by embedding (publish/vectors.py), best first;
    [] when it has no vector or embeddings are off."""
    nearest = related(conn, article_id)
    if not nearest:
        return []
    ids = [other for other, _ in nearest]
    marks = ",".join("?" * len(ids))
    found = {
        r["id"]: r
        for r in _rows(
            conn,
            "SELECT id, pmid, doi, title_en, title_zh, citation_text, journal, book_title, year "
            f"FROM articles WHERE id IN ({marks})",
            ids,
        )
    }
    return [
        Item(
            title_zh=r["title_zh"],
            title_en=r["title_en"],
            fallback=r["citation_text"] or identifier(r),
            journal=r["journal"] or r["book_title"],
            year=r["year"],
            url=urls.row(r["id"]),
            in_corpus=True,
        )
        for r in (found[other] for other in ids if other in found)
    ]


def _abstract(conn: sqlite3.Connection, a: dict) -> Abstract:
    """The abstract as parallel rows: stored beads when the alignment is current, else whole
    sections side by side, else the one language there is."""
    article_id = a["id"]
    abstract = Abstract(
        mode="none",
        copyright=a["copyright"],
        zh_source=a["abstract_zh_source"],
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
            group_beads(abstract, beads)
            return abstract
    sections: dict[str, list[dict]] = {"en": [], "zh": []}
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
                    Group(e["label"], z["label"], [Row(section_text(e), z["text"])])
                )
        else:  # sections that do not pair: each language whole, side by side
            abstract.groups.append(
                Group(None, None, [Row(joined(en), "\n\n".join(labelled(z) for z in zh))])
            )
    elif en:
        abstract.mode = "en"
        abstract.groups = [Group(s["label"], None, [Row(section_text(s), "")]) for s in en]
    elif zh:
        abstract.mode = "zh"
        abstract.groups = [Group(None, s["label"], [Row("", s["text"])]) for s in zh]
    return abstract
