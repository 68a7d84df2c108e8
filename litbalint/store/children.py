"""Writing an article's child rows (abstract sections, authors and affiliations, MeSH,
keywords, publication types): replaced only when different, and which source may replace what.
Called only inside a Store transaction, by articles.save_article."""

from __future__ import annotations

import json

from sqlite_utils import Database

from litbalint.model import Article
from litbalint.store import rows

PUBMED_FORMATS = ("pubmed_xml", "medline", "harvest")


def _replace(
    db: Database,
    table: str,
    article_id: int,
    columns: tuple[str, ...],
    new_rows: list[tuple],
    where: str = "",
    params: tuple = (),
    fresh: bool = False,
) -> bool:
    """Replace an article's rows in a child table unless they are already exactly these.
    `fresh`: the article has no rows there yet (nothing to compare or delete)."""
    if not fresh:
        select = (
            f"SELECT {', '.join(columns)} FROM {table} WHERE article_id = ? {where} "
            "ORDER BY position"
        )
        have = [tuple(r) for r in db.execute(select, [article_id, *params])]
        if have == new_rows:
            return False
        if have:
            db.execute(f"DELETE FROM {table} WHERE article_id = ? {where}", [article_id, *params])
    marks = ", ".join("?" for _ in range(len(columns) + 1))
    db.conn.executemany(
        f"INSERT INTO {table} (article_id, {', '.join(columns)}) VALUES ({marks})",
        [(article_id, *row) for row in new_rows],
    )
    return True


# Where an abstract came from, per language, when PubMed is the source that may withdraw it.
_PUBMED_SECTION_SOURCES = {"en": PUBMED_FORMATS, "zh": ("publisher",)}


def withdraw_abstracts(db: Database, article_id: int, article: Article, source: str) -> list[str]:
    """A PubMed record without an abstract it used to have: PubMed withdrew it, so the stored
    sections from PubMed go (a Suppr or plain-text abstract stays). Returns the languages."""
    if source not in PUBMED_FORMATS:
        return []
    withdrawn = []
    for lang, sections in (("en", article.abstract_en), ("zh", article.abstract_zh)):
        if sections:
            continue
        sources = _PUBMED_SECTION_SOURCES[lang]
        marks = ",".join("?" * len(sources))
        cursor = db.execute(
            f"DELETE FROM abstract_sections WHERE article_id = ? AND lang = ? AND source IN "
            f"({marks})",
            [article_id, lang, *sources],
        )
        if cursor.rowcount:
            db.execute("UPDATE alignments SET stale = 1 WHERE article_id = ?", [article_id])
            withdrawn.append(lang)
    return withdrawn


def defers_to_pubmed(db: Database, article_id: int, source: str) -> bool:
    """A Suppr page or a bilingual dump of an article PubMed has given us: PubMed's record is
    the authority on everything but the Chinese (whichever file is imported last)."""
    if source in PUBMED_FORMATS:
        return False
    marks = ",".join("?" * len(PUBMED_FORMATS))
    found = db.execute(
        "SELECT 1 FROM article_sources WHERE article_id = ? AND role = 'record' "
        f"AND format IN ({marks}) LIMIT 1",
        [article_id, *PUBMED_FORMATS],
    ).fetchone()
    return found is not None


def _has_rows(db: Database, table: str, article_id: int, where: str = "", params=()) -> bool:
    query = f"SELECT 1 FROM {table} WHERE article_id = ? {where} LIMIT 1"
    return db.execute(query, [article_id, *params]).fetchone() is not None


def replace_children(
    db: Database,
    article_id: int,
    article: Article,
    source: str,
    fresh: bool = False,
    defer: bool = False,
) -> bool:
    """Replace the child rows the record has. `defer`: only the Chinese abstract is replaced;
    other rows are written only where the article has none (see defers_to_pubmed)."""
    changed = False
    for lang, sections in (("en", article.abstract_en), ("zh", article.abstract_zh)):
        if (
            defer
            and lang == "en"
            and _has_rows(db, "abstract_sections", article_id, "AND lang = 'en'")
        ):
            continue
        if sections:
            section_source = article.abstract_zh_source if lang == "zh" else source
            abstract_changed = _replace(
                db,
                "abstract_sections",
                article_id,
                ("lang", "position", "label", "category", "text", "text_html", "source"),
                rows.section_rows(sections, lang, section_source or source),
                "AND lang = ?",
                (lang,),
                fresh,
            )
            if abstract_changed:  # the stored beads no longer describe the text
                db.execute("UPDATE alignments SET stale = 1 WHERE article_id = ?", [article_id])
            changed |= abstract_changed
    if (article.authors or article.affiliations) and not (
        defer and _has_rows(db, "authors", article_id)
    ):
        changed |= _replace_authors(db, article_id, article, fresh)
    for table, columns, new_rows in (
        (
            "mesh_headings",
            ("position", "descriptor", "descriptor_ui", "major", "descriptor_major", "qualifiers"),
            rows.mesh_rows(article),
        ),
        ("keywords", ("position", "keyword", "major", "owner"), rows.keyword_rows(article)),
        (
            "publication_types",
            ("position", "publication_type"),
            rows.publication_type_rows(article),
        ),
    ):
        if new_rows and not (defer and _has_rows(db, table, article_id)):
            changed |= _replace(db, table, article_id, columns, new_rows, fresh=fresh)
    return changed


def _replace_authors(db: Database, article_id: int, article: Article, fresh: bool = False) -> bool:
    """Authors with their affiliations, plus article-level affiliations (Suppr, plain).
    `fresh`: the article has none stored yet."""
    wanted = rows.author_rows(article.authors)
    wanted_loose = list(enumerate(article.affiliations, start=1))
    if not fresh:
        have = [
            tuple(r)
            for r in db.execute(
                "SELECT a.position, a.name, a.last_name, a.fore_name, a.initials, a.suffix, "
                "a.collective_name, a.orcid, (SELECT json_group_array(affiliation) FROM "
                "(SELECT affiliation FROM affiliations f WHERE f.author_id = a.id "
                "ORDER BY position)) FROM authors a WHERE a.article_id = ? ORDER BY a.position",
                [article_id],
            )
        ]
        have_loose = [
            tuple(r)
            for r in db.execute(
                "SELECT position, affiliation FROM affiliations WHERE article_id = ? "
                "AND author_id IS NULL ORDER BY position",
                [article_id],
            )
        ]
        if not article.authors and have:
            return False  # a page without authors keeps the authors (and affiliations) PubMed gave
        if [(*r[:-1], json.loads(r[-1])) for r in have] == [
            (*r[:-1], json.loads(r[-1])) for r in wanted
        ] and have_loose == wanted_loose:
            return False
        if have or have_loose:  # (an author's affiliations go with the author)
            db.execute("DELETE FROM affiliations WHERE article_id = ?", [article_id])
            db.execute("DELETE FROM authors WHERE article_id = ?", [article_id])
    insert_affiliations = (
        "INSERT INTO affiliations (article_id, author_id, position, affiliation) "
        "VALUES (?, ?, ?, ?)"
    )
    for (*author, _), affiliations in zip(
        wanted, (a.affiliations for a in article.authors), strict=True
    ):
        cursor = db.conn.execute(
            "INSERT INTO authors (article_id, position, name, last_name, fore_name, initials, "
            "suffix, collective_name, orcid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [article_id, *author],
        )
        db.conn.executemany(
            insert_affiliations,
            [(article_id, cursor.lastrowid, n, text) for n, text in enumerate(affiliations, 1)],
        )
    db.conn.executemany(
        insert_affiliations, [(article_id, None, n, text) for n, text in wanted_loose]
    )
    return True
