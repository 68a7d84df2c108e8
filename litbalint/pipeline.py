"""Import orchestration: files -> parsers (prepare.py) -> store, each file all or nothing."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path

from litbalint.align.learned_lexicon import LEARNER_VERSION, MIN_BEAD_SCORE, learn_lexicon
from litbalint.align.pipeline import align_sections
from litbalint.bilingual import known_pair
from litbalint.collector import fewer_collections
from litbalint.errors import DatabaseUnavailable, LitbalintError
from litbalint.model import Article, Deletion, Problem, Section
from litbalint.prepare import (
    FileEnd,
    FileStart,
    PreparedItem,
    prepared_stream,
    refusal,
)
from litbalint.resources import display_path, resolved_path, seed_files, stored_path
from litbalint.sources.detect import DOCUMENT_SUFFIXES
from litbalint.store import SaveCounts, Store, alignments, learned
from litbalint.store.alignments import inputs_hash
from litbalint.workers import can_fork, worker_started

BATCH_SECONDS = 1.0  # files are committed together until a batch has taken this long
CACHE_MEGABYTES = (48, 256)  # an import's page cache: at least, at most (cache_megabytes)
WORKER_MIN_BYTES = 1 << 20  # one file this large is parsed in a worker too (a few hundred records)


@dataclass
class FileReport:
    """What importing one file did."""

    path: str
    format: str | None = None
    records: int = 0
    related: int = 0
    counts: SaveCounts = field(default_factory=SaveCounts)
    problems: list[str] = field(default_factory=list)  # "path:line: message"
    refused: str | None = None  # why nothing was imported
    aligned: int = 0  # articles whose abstracts were (re-)aligned

    @property
    def ok(self) -> bool:
        return self.refused is None and not self.problems


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders walked (sorted) for document files, skipping hidden entries.
    Links to folders are not followed (no loops); a subfolder that cannot be read is listed
    itself, so the import names it."""
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        unreadable: list[OSError] = []
        for folder, dirs, names in os.walk(path, onerror=unreadable.append):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            files.extend(
                Path(folder, name)
                for name in sorted(names)
                if not name.startswith(".") and name.lower().endswith(DOCUMENT_SUFFIXES)
            )
        files.extend(Path(error.filename) for error in unreadable)
    return files


def corpus_files(documents: Path | None = None) -> list[Path]:
    """What `litbalint build` imports: the bundled seeds, then every other document under
    `documents` (the user's data folder), when given."""
    seeds = seed_files()
    bundled = {resolved_path(path) for path in seeds}
    found = expand_paths([documents]) if documents else []
    return [*seeds, *(path for path in found if resolved_path(path) not in bundled)]


def import_file(store: Store, path: Path) -> FileReport:
    """Import one file in one transaction: all its readable records, or nothing."""
    return import_paths(store, [path], worker=False)[0]


def import_paths(
    store: Store, paths: Iterable[Path], worker: bool | None = None, roots: Iterable[Path] = ()
) -> list[FileReport]:
    """Import files in order, each all or nothing. Files are committed in batches (one
    transaction per BATCH_SECONDS of work, a savepoint per file). With `worker` (default:
    several files, or one of WORKER_MIN_BYTES, and CPUs) parsing runs ahead in one worker
    process (prepare.py) and alignment in another (BackgroundAligner), so the store, the
    slowest stage, never waits for them."""
    files = [(path, display_path(path)) for path in paths]
    named = list(roots)  # the folders and files named: stored paths are relative to them
    stored_as = {shown: stored_path(path, named) for path, shown in files}
    sizes = _sizes(files)
    if worker is None:
        worker = (len(files) > 1 or sum(sizes) >= WORKER_MIN_BYTES) and (os.cpu_count() or 1) > 1
    worker = worker and can_fork()
    stream = prepared_stream(files, worker)
    by_file = _by_file(stream)
    reports: list[FileReport] = []
    more = True
    with (
        fewer_collections(),
        store.large_cache(cache_megabytes(max(sizes, default=0))),
        closing(stream),
        BackgroundAligner(worker) as aligner,
    ):
        while more:
            batch: list[FileReport] = []
            started = time.perf_counter()
            try:
                with store.transaction():
                    for first, items in by_file:
                        report = _store_file(store, first, items, aligner, len(batch), stored_as)
                        batch.append(report)
                        for _ in items:  # what is left of a file the store gave up on
                            pass
                        if time.perf_counter() - started >= BATCH_SECONDS:
                            break
                    else:
                        more = False
                    aligner.save_all(store)
            except DatabaseUnavailable:
                raise
            except LitbalintError as error:  # the commit failed: the whole batch is lost
                if not batch:
                    raise DatabaseUnavailable(str(error)) from None
                raise DatabaseUnavailable(
                    f"{error}; the {len(batch)} file(s) since the last commit were not saved "
                    f"({batch[0].path} to {batch[-1].path}): run the command again"
                ) from None
            reports.extend(batch)
    return reports


def _sizes(files: list[tuple[Path, str]]) -> list[int]:
    """The files' sizes in bytes (one that cannot be read counts 0: its import says why)."""
    sizes = []
    for path, _ in files:
        size = 0
        with suppress(OSError):
            size = path.stat().st_size
        sizes.append(size)
    return sizes


def cache_megabytes(largest_file: int) -> int:
    """The page cache of an import: a file is one transaction, whose pages (about 0.9 times the
    size of a PubMed XML file) stay in memory up to CACHE_MEGABYTES[1]: fewer spilled to
    the WAL mid-transaction and read back from it."""
    low, high = CACHE_MEGABYTES
    return max(low, min(high, largest_file * 6 // 10 >> 20))


def _by_file(items: Iterator[PreparedItem]) -> Iterator[tuple[PreparedItem, Iterator]]:
    """(FileStart or a refusing FileEnd, the file's remaining items up to its FileEnd)."""
    for first in items:
        if isinstance(first, FileEnd):
            yield first, iter(())
            continue

        def rest() -> Iterator[PreparedItem]:
            for item in items:
                yield item
                if isinstance(item, FileEnd):
                    return

        yield first, rest()


def _store_file(
    store: Store,
    first: PreparedItem,
    items: Iterator,
    aligner: BackgroundAligner,
    unsaved: int,
    stored_as: dict[str, str],
) -> FileReport:
    if isinstance(first, FileEnd):
        return FileReport(path=first.path, refused=first.refused)
    assert isinstance(first, FileStart)
    shown = first.path
    report = FileReport(path=shown, format=first.format)
    saved: set[int] = set()  # the file's articles, to align
    try:
        with store.transaction():  # a savepoint: a refused file leaves the batch as it was
            file_id = store.record_file(
                stored_as.get(shown, shown), first.sha256, first.format, first.size, 0, 0
            )
            for item in items:
                if isinstance(item, FileEnd):
                    if item.refused:
                        raise LitbalintError(item.refused)
                    break
                for record in item.records:
                    if article_id := _save_record(
                        store, record, report, first.format, file_id, item.segments
                    ):
                        saved.add(article_id)
            jobs = aligner.plan(store, sorted(saved))
            store.finish_file(file_id, report.records, len(report.problems))
        aligner.add(jobs, report)  # the file is in: its alignments are saved before the commit
    except DatabaseUnavailable as error:  # no later file can be saved either: stop the run
        lost = f"; nor were the {unsaved} file(s) before it since the last commit" * bool(unsaved)
        raise DatabaseUnavailable(f"{shown}: not imported: {error}{lost}") from None
    except Exception as error:  # the user's (LitbalintError) or a bug: one line, the run goes on
        report.refused = refusal(shown, error)
    return report


def _save_record(
    store: Store,
    record: object,
    report: FileReport,
    source_format: str,
    file_id: int,
    segments: dict[str, str],
) -> int | None:
    """Save one record of a file into its report; the article's id when it was an article."""
    if isinstance(record, Problem):
        where = f":{record.line}" if record.line else ""
        report.problems.append(f"{report.path}{where}: {record.message}")
    elif isinstance(record, Deletion):
        report.counts.add(store.save_deletion(record))
    elif isinstance(record, Article):
        report.records += 1
        report.related += len(record.related)
        saved = store.save_article(record, source_format, file_id=file_id, segments=segments)
        report.counts.add(saved.counts)
        return saved.article_id
    return None


@dataclass(frozen=True)
class LexiconUpdate:
    """The learned lexicon was learned again: `pairs` word pairs from `beads` beads."""

    pairs: int
    beads: int


def relearn_lexicon(store: Store, force: bool = False) -> LexiconUpdate | None:
    """Learn the lexicon (align/learned_lexicon.py) from the confident beads again and store
    it, when those beads changed since it was last learned (or `force`); None otherwise.
    The check is one aggregate query; learning takes ~0.25 s per 1,000 beads."""
    fingerprint = learned.beads_fingerprint(store.db, MIN_BEAD_SCORE, LEARNER_VERSION)
    if not force and learned.learned_from(store.db) == fingerprint:
        return None
    beads = list(learned.confident_beads(store.db, MIN_BEAD_SCORE))
    pairs = learn_lexicon(beads, known_pair)
    with store.transaction():
        learned.replace_learned_lexicon(store.db, pairs, fingerprint)
    return LexiconUpdate(len(pairs), len(beads))


@dataclass
class AlignmentJob:
    article_id: int
    en: list[Section]
    zh: list[Section]
    inputs_hash: str


def alignment_jobs(
    store: Store, article_ids: Iterable[int], planned: Mapping[int, str] | None = None
) -> list[AlignmentJob]:
    """The articles whose abstracts changed since they were last aligned (or never were;
    `planned`: inputs hashes of alignments not saved yet, by article). A job with an empty
    side clears the article's alignment."""
    jobs = []
    ids = list(article_ids)
    candidates = alignments.alignment_candidates(store.db, ids)
    for article_id in ids:
        if article_id not in candidates:
            continue
        en, zh = alignments.abstract_sections(store.db, article_id)
        current = inputs_hash(en, zh)
        done: str | None
        if planned and article_id in planned:
            done = planned[article_id]
        else:
            done = alignments.stored_hash(store.db, article_id)
        if done != current:
            jobs.append(AlignmentJob(article_id, en, zh, current))
    return jobs


def align_articles(store: Store, article_ids: Iterable[int]) -> int:
    """Align the articles whose abstracts changed since they were last aligned (or never
    were); returns how many were aligned. Run inside the caller's transaction."""
    jobs = alignment_jobs(store, article_ids)
    for job in jobs:
        alignment = align_sections(job.en, job.zh) if job.en and job.zh else None
        alignments.save_alignment(store.db, job.article_id, alignment, job.inputs_hash)
    return sum(bool(job.en and job.zh) for job in jobs)


class BackgroundAligner:
    """Alignments computed in a worker process while the store goes on with the next files;
    `save_all` waits for them and saves them (before the batch commits). Without a worker
    they are computed in `save_all`. The worker dies with this process."""

    def __init__(self, worker: bool) -> None:
        self.worker = worker
        self.pool: ProcessPoolExecutor | None = None
        self.pending: list[tuple[AlignmentJob, FileReport, Future | None]] = []

    def __enter__(self) -> BackgroundAligner:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def plan(self, store: Store, article_ids: Iterable[int]) -> list[AlignmentJob]:
        planned = {job.article_id: job.inputs_hash for job, _, _ in self.pending}
        return alignment_jobs(store, article_ids, planned)

    def add(self, jobs: list[AlignmentJob], report: FileReport) -> None:
        """Start the jobs of a file that is in the batch."""
        for job in jobs:
            future = None
            if job.en and job.zh:
                report.aligned += 1
                if self.worker:
                    if self.pool is None:
                        context = multiprocessing.get_context("fork")
                        self.pool = ProcessPoolExecutor(
                            1,
                            mp_context=context,
                            initializer=worker_started,
                            initargs=(os.getpid(),),
                        )
                    future = self.pool.submit(align_sections, job.en, job.zh)
            self.pending.append((job, report, future))

    def save_all(self, store: Store) -> None:
        """Save the batch's alignments: per article the last one planned, and none for an
        article folded into another since (the kept one has a job of its own)."""
        pending, self.pending = self.pending, []
        last = {job.article_id: n for n, (job, _, _) in enumerate(pending)}
        present = alignments.existing_articles(store.db, list(last))
        for n, (job, report, future) in enumerate(pending):
            if last[job.article_id] != n or job.article_id not in present:
                if future is not None:
                    future.cancel()
                report.aligned -= bool(job.en and job.zh)
                continue
            alignment = None
            if job.en and job.zh:
                try:
                    alignment = future.result() if future else align_sections(job.en, job.zh)
                except Exception as error:  # a bug: the article stays unaligned, the run goes on
                    report.problems.append(
                        f"{report.path}: article {job.article_id} could not be aligned "
                        f"({type(error).__name__}: {error}); please report this with the file"
                    )
                    report.aligned -= 1
                    continue
            alignments.save_alignment(store.db, job.article_id, alignment, job.inputs_hash)
