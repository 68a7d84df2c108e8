"""`article_vectors`: the one writer of the articles' embeddings (one row per corpus article:
`model`, `text_hash` of the text embedded, the vector as a BLOB, `embedded_at`).

Which articles need a vector is decided here from the text the caller's recipe makes of each
corpus article (is_stub = 0, deleted = 0): no row yet, or a row made from another text or by
another model. Rows of articles that left the corpus (deleted, folded into another) go.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlite_utils import Database

CORPUS = "a.is_stub = 0 AND a.deleted = 0"


@dataclass(frozen=True)
class Pending:
    """A corpus article whose vector is missing or out of date: the text to embed."""

    article_id: int
    text: str
    text_hash: str


def stamp() -> str:
    """`embedded_at`: UTC with microseconds, so each write moves the table's latest time (the
    site's cached matrix is keyed on it, see publish/vectors.py)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def pending(
    db: Database,
    model: str,
    text_of: Callable[[str | None, str | None, str | None, str | None], str],
    hash_of: Callable[[str], str],
) -> tuple[list[Pending], int]:
    """Corpus articles, in id order, whose stored vector is missing, from another model or
    from another text than `text_of(title_en, title_zh, abstract_en, abstract_zh)` now
    gives; and how many have an up-to-date vector. An article without any text but with a
    stored vector comes with text "" (its vector is to be removed)."""
    cursor = db.execute(
        "SELECT a.id, a.title_en, a.title_zh, a.abstract_en, a.abstract_zh, v.model, "
        "v.text_hash FROM articles a LEFT JOIN article_vectors v ON v.article_id = a.id "
        f"WHERE {CORPUS} ORDER BY a.id"
    )
    found: list[Pending] = []
    current = 0
    for article_id, title_en, title_zh, abstract_en, abstract_zh, stored, old in cursor:
        text = text_of(title_en, title_zh, abstract_en, abstract_zh)
        if not text:
            if stored is not None:
                found.append(Pending(article_id, "", ""))
            continue
        digest = hash_of(text)
        if stored != model or old != digest:
            found.append(Pending(article_id, text, digest))
        else:
            current += 1
    return found, current


def save(db: Database, model: str, rows: list[tuple[int, str, bytes]]) -> int:
    """Store vectors: (article id, text hash, BLOB) each; run inside the caller's transaction
    (one per batch). An article that left the corpus meanwhile (deleted, folded into another
    by an import running at the same time) gets none. Returns how many were given."""
    when = stamp()
    db.conn.executemany(
        "INSERT INTO article_vectors (article_id, model, text_hash, vector, embedded_at) "
        "SELECT a.id, ?, ?, ?, ? FROM articles a WHERE a.id = ? AND a.is_stub = 0 "
        "AND a.deleted = 0 ON CONFLICT (article_id) DO UPDATE SET model = excluded.model, "
        "text_hash = excluded.text_hash, vector = excluded.vector, "
        "embedded_at = excluded.embedded_at",
        [(model, digest, blob, when, article_id) for article_id, digest, blob in rows],
    )
    return len(rows)


def remove_gone(db: Database) -> int:
    """Delete the vectors of articles no longer in the corpus (marked deleted); returns how
    many."""
    cursor = db.execute(
        "DELETE FROM article_vectors WHERE NOT EXISTS (SELECT 1 FROM articles a "
        f"WHERE a.id = article_vectors.article_id AND {CORPUS})"
    )
    return cursor.rowcount


def remove(db: Database, article_ids: list[int]) -> int:
    """Delete these articles' vectors (an article whose text is now empty)."""
    removed = 0
    for article_id in article_ids:
        removed += db.execute(
            "DELETE FROM article_vectors WHERE article_id = ?", [article_id]
        ).rowcount
    return removed


def counts(db: Database, model: str) -> tuple[int, int]:
    """(corpus articles with a vector of this model, corpus articles)."""
    row = db.execute(
        "SELECT count(v.article_id), count(*) FROM articles a LEFT JOIN article_vectors v "
        f"ON v.article_id = a.id AND v.model = ? WHERE {CORPUS}",
        [model],
    ).fetchone()
    return int(row[0]), int(row[1])
