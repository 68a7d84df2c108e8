"""Pure mapping between Article records and table rows, and the field-merge rules.

Merge rules: a full record overrides the fields it has and keeps the ones it lacks; a stub
(an article known only from a link) only fills fields that are still empty. Dates and the
Chinese abstract move as groups, so a row never mixes one source's year with another's month.
"""

from __future__ import annotations

import json
from typing import Any

from litbalint.model import Article, Author, Section, join_sections

FIELD_GROUPS: tuple[tuple[str, ...], ...] = (
    ("year", "month", "day", "season", "pub_date", "pub_date_text"),
    ("abstract_zh", "abstract_zh_source"),
    ("title_en", "title_en_html"),
)
SEARCH_COLUMNS = ("title_en", "abstract_en", "title_zh", "abstract_zh", "keywords", "mesh_terms")


def _json_list(values: list[str]) -> str | None:
    return json.dumps(values, ensure_ascii=False) if values else None


def article_columns(article: Article) -> dict[str, Any]:
    """The articles-table columns an Article describes; None means 'this source does not say'."""
    date = article.pub_date
    return {
        "pmid": article.ids.pmid,
        "doi": article.ids.doi,
        "pmc": article.ids.pmc,
        "pii": article.ids.pii,
        "title_en": article.title_en,
        "title_en_html": article.title_en_html,
        "title_zh": article.title_zh,
        "journal": article.journal,
        "book_title": article.book_title,
        "publisher": article.publisher,
        "year": date.year,
        "month": date.month,
        "day": date.day,
        "season": date.season,
        "pub_date": date.iso(),
        "pub_date_text": date.text,
        "volume": article.volume,
        "issue": article.issue,
        "pages": article.pages,
        "epub_date": article.epub_date,
        "print_date": article.print_date,
        "date_revised": article.date_revised,
        "entrez_date": article.entrez_date,
        "languages": _json_list(article.languages),
        "abstract_en": join_sections(article.abstract_en, "en"),
        "abstract_zh": join_sections(article.abstract_zh, "zh"),
        "abstract_zh_source": article.abstract_zh_source if article.abstract_zh else None,
        "copyright": article.copyright,
        "citation_text": article.citation_text,
        "medline_status": article.medline_status,
        "publication_types": _json_list(article.publication_types),
        "mesh_terms": _json_list([m.descriptor for m in article.mesh]),
        "keywords": _json_list([k.text for k in article.keywords]),
    }


def without(columns: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    return {name: value for name, value in columns.items() if name not in names}


def only(columns: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    """These columns as they are, every other one as 'this source does not say'."""
    return {name: (value if name in names else None) for name, value in columns.items()}


def merge_columns(existing: dict[str, Any], incoming: dict[str, Any], stub: bool) -> dict[str, Any]:
    """Existing row values updated by an incoming record (see module docstring)."""
    merged = dict(existing)
    grouped = {column for group in FIELD_GROUPS for column in group}
    for group in FIELD_GROUPS:
        lead = group[0]
        if incoming.get(lead) is None or (stub and existing.get(lead) is not None):
            continue
        for column in group:
            merged[column] = incoming.get(column)
    for column, value in incoming.items():
        if column in grouped or value is None:
            continue
        if stub and existing.get(column) not in (None, "", "[]"):
            continue
        merged[column] = value
    return merged


def section_rows(sections: list[Section], lang: str, source: str) -> list[tuple]:
    return [
        (lang, position, s.label, s.category, s.text, s.html, source)
        for position, s in enumerate(sections, start=1)
    ]


def author_rows(authors: list[Author]) -> list[tuple]:
    """(position, name, last, fore, initials, suffix, collective, orcid, affiliations-json)."""
    return [
        (
            position,
            a.display_name,
            a.last_name,
            a.fore_name,
            a.initials,
            a.suffix,
            a.collective_name,
            a.orcid,
            json.dumps(a.affiliations, ensure_ascii=False),
        )
        for position, a in enumerate(authors, start=1)
    ]


def mesh_rows(article: Article) -> list[tuple]:
    return [
        (
            position,
            m.descriptor,
            m.ui,
            int(m.major),
            int(m.descriptor_major),
            json.dumps(
                [{"name": q.name, "ui": q.ui, "major": q.major} for q in m.qualifiers],
                ensure_ascii=False,
            ),
        )
        for position, m in enumerate(article.mesh, start=1)
    ]


def keyword_rows(article: Article) -> list[tuple]:
    return [
        (position, k.text, int(k.major), k.owner)
        for position, k in enumerate(article.keywords, start=1)
    ]


def publication_type_rows(article: Article) -> list[tuple]:
    return [(position, p) for position, p in enumerate(article.publication_types, start=1)]


DATA_COLUMNS: tuple[str, ...] = tuple(article_columns(Article()))
