"""The store: the only writer to SQLite. Open, ensure the schema, save records in transactions,
report counts."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from litbalint.align.learned_lexicon import BeadText, LearnedPair
from litbalint.align.pipeline import AbstractAlignment
from litbalint.errors import DatabaseUnavailable, LitbalintError
from litbalint.model import (
    Article,
    ArticleLinks,
    Deletion,
    LinkSummary,
    Section,
    SentencePair,
)
from litbalint.store import alignments, learned, links, reconcile, runs, todo, vectors
from litbalint.store.articles import now, save_article
from litbalint.store.migrations import SCHEMA_VERSION, refuse_pending, upgrade
from litbalint.store.schema import schema_version

__all__ = ["SCHEMA_VERSION", "SaveCounts", "Stats", "Store"]

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

    def __init__(self, path: str | Path, create: bool = True, busy_timeout: float = 5.0) -> None:
        self.path = Path(path)
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
        self.touched: set[int] = set()  # records saved since the last take_touched()
        self.last_id: int | None = None  # the article the last save_article() wrote

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
        topics: tuple[str, ...] = (),
        segments: Mapping[str, str] | None = None,
    ) -> SaveCounts:
        """Save a record with its related lists and references (inside a transaction).
        `topics`: the harvest topics whose query found it; `segments`: Chinese texts already
        segmented for the index (zh.segment_for_index), by text."""
        counts = SaveCounts()
        article_id, outcome = save_article(self.db, article, source_format, topics, segments)
        self.last_id = article_id
        setattr(counts, outcome, 1)
        self.touched.add(article_id)
        links.record_source(self.db, article_id, source_format, "record", file_id, run_id)
        edge_source = EDGE_SOURCES.get(source_format, source_format)
        for related in article.related:
            _, added = links.save_related(
                self.db, article_id, related, source_format, edge_source, file_id, run_id, segments
            )
            counts.new_edges += added
        counts.new_edges += links.save_reference_list(
            self.db, article_id, article, source_format, file_id, run_id
        )
        return counts

    def take_touched(self) -> list[int]:
        """Ids of the records saved since the last call (for aligning them)."""
        touched, self.touched = sorted(self.touched), set()
        return touched

    def abstract_sections(self, article_id: int) -> tuple[list[Section], list[Section]]:
        return alignments.abstract_sections(self.db, article_id)

    def alignment_candidates(self, article_ids: list[int]) -> set[int]:
        return alignments.alignment_candidates(self.db, article_ids)

    def existing_articles(self, article_ids: list[int]) -> set[int]:
        """Those of these ids that still have a row (others were folded into another)."""
        return alignments.existing_articles(self.db, article_ids)

    def alignment_hash(self, article_id: int) -> str | None:
        """The inputs hash of the article's current (not stale) alignment."""
        return alignments.stored_hash(self.db, article_id)

    def save_alignment(
        self, article_id: int, alignment: AbstractAlignment | None, inputs_hash: str
    ) -> None:
        alignments.save_alignment(self.db, article_id, alignment, inputs_hash)

    def sentence_pairs(self, min_score: float = 0.0) -> Iterator[SentencePair]:
        """Aligned pairs with text on both sides, article by article, in order."""
        cursor = self.db.execute(
            "SELECT article_id, pmid, doi, coalesce(en_label, zh_label), bead_type, en_text, "
            "zh_text, score FROM sentence_pairs WHERE score >= ? ORDER BY article_id, position",
            [min_score],
        )
        for row in cursor:
            yield SentencePair(*row)

    def confident_beads(self) -> list[BeadText]:
        """The beads the learned lexicon is learned from (store/learned.py)."""
        return list(learned.confident_beads(self.db))

    def beads_fingerprint(self) -> str:
        return learned.beads_fingerprint(self.db)

    def learned_from(self) -> str | None:
        """The beads fingerprint the stored learned lexicon was learned from."""
        return learned.learned_from(self.db)

    def replace_learned_lexicon(self, pairs: list[LearnedPair], fingerprint: str) -> None:
        with self.transaction():
            learned.replace_learned_lexicon(self.db, pairs, fingerprint)

    # -- embeddings (store/vectors.py) -------------------------------------------------------

    def vectors_pending(
        self,
        model: str,
        text_of: Callable[[str | None, str | None, str | None, str | None], str],
        hash_of: Callable[[str], str],
    ) -> tuple[list[vectors.Pending], int]:
        """Corpus articles whose vector is missing or out of date; how many are current."""
        return vectors.pending(self.db, model, text_of, hash_of)

    def save_vectors(self, model: str, rows: list[tuple[int, str, bytes]]) -> int:
        return vectors.save(self.db, model, rows)

    def remove_vectors(self, article_ids: list[int]) -> int:
        return vectors.remove(self.db, article_ids)

    def remove_gone_vectors(self) -> int:
        """Delete the vectors of articles no longer in the corpus (and make sure of the index
        the site reads)."""
        vectors.ensure_index(self.db)
        return vectors.remove_gone(self.db)

    def vector_counts(self, model: str) -> tuple[int, int]:
        """(corpus articles with a vector of this model, corpus articles)."""
        return vectors.counts(self.db, model)

    # -- harvest ---------------------------------------------------------------------------

    def save_elink(self, article_id: int, found: ArticleLinks, similar_top: int) -> int:
        """Edges for one article's elink reply; returns the number of new edges."""
        return links.save_elink(
            self.db, article_id, found.refs, found.cited_by, found.similar[:similar_top]
        )

    def refresh_elink(self, article_id: int, found: ArticleLinks, similar_top: int) -> int:
        """Make an article's PubMed links equal a fresh elink reply; returns edges added."""
        added, _ = reconcile.replace_elink(
            self.db, article_id, found.refs, found.cited_by, found.similar[:similar_top]
        )
        return added

    def mark_links_fetched(self, pmids: list[int], day: str) -> None:
        reconcile.mark_links_fetched(self.db, pmids, day)

    def links_to_refresh(self, fetched_before: str, limit: int) -> dict[int, int]:
        """{pmid: article id}: corpus articles whose links are oldest (up to `limit`)."""
        return reconcile.links_to_refresh(self.db, fetched_before, limit)

    def corpus_size(self) -> int:
        return reconcile.corpus_size(self.db)

    def harvest_topic_pmids(self, topic: str) -> set[int]:
        return reconcile.harvest_topic_pmids(self.db, topic)

    def drop_harvest_topics(self, pmid: int, topics: list[str]) -> int:
        return reconcile.drop_harvest_topics(self.db, pmid, topics)

    def untitled_stubs(self, pmids: list[int]) -> list[int]:
        return links.untitled_stubs(self.db, pmids)

    def stubs_without_title(self) -> list[int]:
        """Untitled stubs, except those whose title esummary refused too often."""
        skip = todo.given_up(self.db, "title")
        return [p for p in links.stubs_without_title(self.db) if p not in skip]

    def save_summaries(self, summaries: list[LinkSummary]) -> None:
        """Stub titles, journals and dates from esummary (fills only what is empty)."""
        links.save_summaries(self.db, summaries)

    def start_run(self, mode: str, topics: list[str]) -> int:
        with self.transaction():
            return runs.start_run(self.db, mode, topics)

    def record_window(
        self, run_id: int, topic: str, date_from: str, date_to: str, found: int
    ) -> None:
        runs.record_window(self.db, run_id, topic, date_from, date_to, found)

    def add_run_counts(self, run_id: int, **counts: int) -> None:
        runs.add_counts(self.db, run_id, **counts)

    def finish_run(
        self,
        run_id: int,
        status: str,
        gaps: list[int],
        error: str | None,
        requests: int,
        retries: int,
        given_up: list[int] | None = None,
    ) -> None:
        with self.transaction():
            runs.finish_run(self.db, run_id, status, gaps, error, requests, retries, given_up)

    def record_query_notes(self, run_id: int, notes: dict[str, dict]) -> None:
        runs.record_query_notes(self.db, run_id, notes)

    def todo_failed(
        self,
        run_id: int,
        step: str,
        reasons: dict[int, str],
        give_up_after: int,
        topics_of: dict[int, list[str]] | None = None,
    ) -> list[int]:
        """One more failed attempt at `step` for these PMIDs; returns those given up now."""
        return todo.failed(self.db, run_id, step, reasons, give_up_after, topics_of)

    def todo_waiting(self, run_id: int, step: str, pmids: list[int], why: str) -> None:
        """On the to-do list without counting an attempt (not asked: NCBI was failing)."""
        todo.waiting(self.db, run_id, step, pmids, why)

    def todo_done(self, step: str, pmids: list[int]) -> None:
        todo.done(self.db, step, pmids)

    def todo_pending(self, step: str) -> dict[int, list[str]]:
        return todo.pending(self.db, step)

    def article_ids(self, pmids: list[int]) -> dict[int, int]:
        """Article ids of the corpus records (not stubs, not deleted) with these PMIDs."""
        return links.article_ids(self.db, pmids)

    @staticmethod
    def read_window_ends(path: Path) -> dict[str, str]:
        """Each topic's last window end, read-only (for --dry-run: nothing is written)."""
        return runs.read_window_ends(path)

    def last_window_end(self, topic: str) -> str | None:
        return runs.last_window_end(self.db, topic)

    def run_row(self, run_id: int) -> dict:
        return runs.run_row(self.db, run_id)

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
