"""The store: the only writer to SQLite. Open, ensure the schema, save records in transactions,
report counts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from litbalint.errors import DatabaseUnavailable, LitbalintError
from litbalint.model import Article, Deletion
from litbalint.store import links
from litbalint.store.articles import now, save_article
from litbalint.store.migrations import SCHEMA_VERSION, refuse_pending, upgrade
from litbalint.store.schema import schema_version
from litbalint.topics import Topic, configured_topics

__all__ = ["SCHEMA_VERSION", "SaveCounts", "SavedArticle", "Stats", "Store"]

EDGE_SOURCES = {
    "suppr": "suppr",
    "plain": "plain",
    "pubmed_xml": "pubmed",
    "medline": "pubmed",
    "harvest": "pubmed",
}


@dataclass
class SaveCounts:
    """What saving some records did to the database."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    new_edges: int = 0

    def add(self, other: SaveCounts) -> None:
        for name in ("new", "updated", "unchanged", "deleted", "new_edges"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class SavedArticle:
    """What `Store.save_article` wrote: the article's row id and what changed."""

    article_id: int
    counts: SaveCounts


@dataclass
class Stats:
    articles: int = 0  # corpus articles: full records, not deleted
    stubs: int = 0  # articles known only from a link
    deleted: int = 0
    with_chinese: int = 0  # corpus articles with a Chinese abstract
    edges_by_kind: dict[str, int] = field(default_factory=dict)
    by_topic: dict[str, int] = field(default_factory=dict)
    by_year: dict[int, int] = field(default_factory=dict)
    files: int = 0


def _friendly(path: Path, error: sqlite3.Error) -> LitbalintError:
    text = str(error)
    if "locked" in text or "busy" in text:
        return DatabaseUnavailable(
            f"{path}: the database is locked by another process (a build, import or harvest); "
            "try again when it has finished"
        )
    if "not a database" in text or "malformed" in text:
        return DatabaseUnavailable(
            f"{path}: not a litbalint SQLite database (or it is damaged); "
            "name another file with --db"
        )
    if "readonly" in text or "unable to open" in text:
        return DatabaseUnavailable(f"{path}: cannot write the database ({text}); check permissions")
    if "disk" in text or "full" in text:
        return DatabaseUnavailable(f"{path}: {text}; check free disk space and the file system")
    return LitbalintError(f"{path}: database error: {text}")


class Store:
    """A litbalint database. `Store(path)` creates it if needed and applies the schema."""

    def __init__(
        self,
        path: str | Path,
        create: bool = True,
        busy_timeout: float = 5.0,
        topics: Sequence[Topic] | None = None,
    ) -> None:
        """`topics`: whose rules assign imported articles their topics (default: the
        configured topics file, topics.configured_topics)."""
        self.path = Path(path)
        self._topics = tuple(topics) if topics is not None else None
        if not self.path.exists() and not create:
            raise LitbalintError(f"{self.path}: no database here; run `litbalint build` first")
        if not self.path.parent.exists():
            raise LitbalintError(f"{self.path.parent}: folder does not exist; create it first")
        self.migrated: list[str] = []  # the migrations this open applied (store/migrations.py)
        try:
            self.db = sqlite_utils.Database(self.path)
            self.db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            self.db.execute("PRAGMA foreign_keys = ON")
            if schema_version(self.db) is None and self.db.table_names():
                raise DatabaseUnavailable(
                    f"{self.path}: an SQLite database that is not litbalint's; "
                    "name a new file with --db"
                )
            if create:
                self.db.execute("PRAGMA journal_mode = WAL")
                # with WAL, NORMAL cannot corrupt the database: a power cut may lose the last
                # commits, which the next run imports again (a file's sha256 is stored with it)
                self.db.execute("PRAGMA synchronous = NORMAL")
                self.migrated = upgrade(self.db, self.path)
            elif schema_version(self.db) is None:
                raise DatabaseUnavailable(f"{self.path}: an empty database; run `litbalint build`")
            else:
                refuse_pending(self.db, self.path)  # a reader never migrates
        except sqlite3.Error as error:
            raise _friendly(self.path, error) from None

    @property
    def topics(self) -> tuple[Topic, ...]:
        """The topics whose rules assign articles theirs (read when first needed)."""
        if self._topics is None:
            self._topics = configured_topics()
        return self._topics

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def large_cache(self, megabytes: int) -> Iterator[None]:
        """A bigger page cache for a bulk import (SQLite's default is 2 MB): the index and
        B-tree pages it keeps revisiting stay in memory."""
        before = self.db.execute("PRAGMA cache_size").fetchone()[0]
        self.db.execute(f"PRAGMA cache_size = {-1024 * int(megabytes)}")
        try:
            yield
        finally:
            self.db.execute(f"PRAGMA cache_size = {int(before)}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: everything written inside commits together or not at all."""
        try:
            with self.db.atomic():
                yield
        except sqlite3.Error as error:
            raise _friendly(self.path, error) from None

    def save_article(
        self,
        article: Article,
        source_format: str,
        file_id: int | None = None,
        run_id: int | None = None,
        harvest_topics: tuple[str, ...] = (),
        segments: Mapping[str, str] | None = None,
    ) -> SavedArticle:
        """Save a record with its related lists and references (inside a transaction); returns
        its id and what changed. `harvest_topics`: the topics whose query found it (the rules of
        the store's topics give the others); `segments`: Chinese texts already segmented for the
        index (zh.segment_for_index), by text."""
        counts = SaveCounts()
        article_id, outcome = save_article(
            self.db, article, source_format, self.topics, harvest_topics, segments
        )
        setattr(counts, outcome, 1)
        links.record_source(self.db, article_id, source_format, "record", file_id, run_id)
        edge_source = EDGE_SOURCES.get(source_format, source_format)
        for related in article.related:
            _, added = links.save_related(
                self.db,
                article_id,
                related,
                source_format,
                edge_source,
                file_id,
                run_id,
                self.topics,
                segments,
            )
            counts.new_edges += added
        counts.new_edges += links.save_reference_list(
            self.db, article_id, article, source_format, file_id, run_id, self.topics
        )
        return SavedArticle(article_id, counts)

    def save_deletion(self, deletion: Deletion) -> SaveCounts:
        return SaveCounts(deleted=links.mark_deleted(self.db, deletion.pmids))

    def record_file(
        self, path: str, sha256: str, source_format: str, size: int, records: int, problems: int
    ) -> int:
        """The import_files row for this content (the first import's row when seen before)."""
        self.db.execute(
            "INSERT OR IGNORE INTO import_files (path, sha256, format, size, records, problems, "
            "imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [path, sha256, source_format, size, records, problems, now()],
        )
        return self.db.execute("SELECT id FROM import_files WHERE sha256 = ?", [sha256]).fetchone()[
            0
        ]

    def finish_file(self, file_id: int, records: int, problems: int) -> None:
        self.db.execute(
            "UPDATE import_files SET records = ?, problems = ? WHERE id = ? "
            "AND (records, problems) IS NOT (?, ?)",
            [records, problems, file_id, records, problems],
        )

    def stats(self) -> Stats:
        try:
            return self._stats()
        except sqlite3.Error as error:
            raise _friendly(self.path, error) from None

    def _stats(self) -> Stats:
        def scalar(sql: str) -> int:
            return self.db.execute(sql).fetchone()[0]

        corpus = "is_stub = 0 AND deleted = 0"
        stats = Stats(
            articles=scalar(f"SELECT count(*) FROM articles WHERE {corpus}"),
            stubs=scalar("SELECT count(*) FROM articles WHERE is_stub = 1 AND deleted = 0"),
            deleted=scalar("SELECT count(*) FROM articles WHERE deleted = 1"),
            with_chinese=scalar(f"SELECT count(*) FROM articles WHERE {corpus} AND has_zh = 1"),
            files=scalar("SELECT count(*) FROM import_files"),
        )
        stats.edges_by_kind = dict(
            self.db.execute(
                "SELECT kind, count(*) FROM citations GROUP BY kind ORDER BY kind"
            ).fetchall()
        )
        stats.by_topic = dict(
            self.db.execute(
                "SELECT t.value, count(*) FROM articles a, json_each(a.topics) t "
                f"WHERE {corpus} GROUP BY t.value ORDER BY t.value"
            ).fetchall()
        )
        stats.by_year = dict(
            self.db.execute(
                f"SELECT year, count(*) FROM articles WHERE {corpus} AND year IS NOT NULL "
                "GROUP BY year ORDER BY year"
            ).fetchall()
        )
        return stats
