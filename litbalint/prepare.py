"""The database-free half of an import: read and parse each file, and segment the Chinese a
record brings for the full-text index. With several files this runs in a worker process, so
the next file is parsed while the store writes the current one (`prepared_stream`)."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import queue
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from litbalint.errors import LitbalintError
from litbalint.model import Article, Record, join_sections
from litbalint.sources.detect import cannot_open, open_document, read_stream
from litbalint.workers import worker_started
from litbalint.zh import has_cjk, segment_for_index

CHUNK_RECORDS = 100  # records handed over at a time
_QUEUE_CHUNKS = 16  # how far the worker may run ahead of the store (a few seconds of work)
_POLL_SECONDS = 1.0


@dataclass
class FileStart:
    """A readable file: what it is, before its records."""

    path: str  # as messages show it
    sha256: str
    size: int
    format: str


@dataclass
class RecordChunk:
    """Some of a file's records with the work done for them ahead of the store."""

    records: list[Record]
    # Chinese text -> the same text segmented for the full-text index
    segments: dict[str, str] = field(default_factory=dict)


@dataclass
class FileEnd:
    """The end of a file's records; `refused`: why none of them may be imported."""

    path: str
    refused: str | None = None


PreparedItem = FileStart | RecordChunk | FileEnd


def _sha256(stream: BinaryIO) -> tuple[str, int]:
    """The digest and size of an open file, which is then read again from its start."""
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return digest.hexdigest(), size


def _chinese_texts(article: Article) -> Iterator[str]:
    """The texts the store segments for this record's index row (when it wins the merge)."""
    yield from (article.title_zh or "", join_sections(article.abstract_zh, "zh") or "")
    yield "; ".join(k.text for k in article.keywords)
    for related in article.related:
        yield related.article.title_zh or ""


def prepare_chunk(records: list[Record]) -> RecordChunk:
    """Segment the Chinese the records bring (the store uses what it still needs)."""
    chunk = RecordChunk(records)
    for record in records:
        if not isinstance(record, Article):
            continue
        for text in _chinese_texts(record):
            if text and text not in chunk.segments and has_cjk(text):
                chunk.segments[text] = segment_for_index(text)
    return chunk


def refusal(shown: str, error: Exception) -> str:
    """The one line saying why a file was not imported."""
    if isinstance(error, LitbalintError):
        message = str(error)
        return message if message.startswith(shown) else f"{shown}: {message}"
    if isinstance(error, OSError):
        return str(cannot_open(shown, error))
    # a bug, not the user's fault: still one line, the run goes on
    return (
        f"{shown}: not imported, litbalint failed on it ({type(error).__name__}: {error}); "
        "please report this with the file"
    )


def prepare_file(path: Path, shown: str) -> Iterator[PreparedItem]:
    """FileStart, its records in chunks, FileEnd; a file that cannot be read (or fails part
    way) ends with FileEnd.refused, and the store keeps none of it."""
    try:
        with open_document(path, shown) as stream:
            sha256, size = _sha256(stream)
            format_name, records = read_stream(stream, shown)
            yield FileStart(shown, sha256, size, format_name)
            batch: list[Record] = []
            for record in records:
                batch.append(record)
                if len(batch) >= CHUNK_RECORDS:
                    yield prepare_chunk(batch)
                    batch = []
            if batch:
                yield prepare_chunk(batch)
    except Exception as error:
        yield FileEnd(shown, refusal(shown, error))
        return
    yield FileEnd(shown)


def prepare_files(files: Iterable[tuple[Path, str]]) -> Iterator[PreparedItem]:
    for path, shown in files:
        yield from prepare_file(path, shown)


def _produce(files: list[tuple[Path, str]], out: multiprocessing.Queue, parent_pid: int) -> None:
    worker_started(parent_pid)
    try:
        for item in prepare_files(files):
            out.put(item)
    finally:
        out.put(None)


def prepared_stream(
    files: list[tuple[Path, str]], worker: bool
) -> Generator[PreparedItem, None, None]:
    """prepare_files(files), computed in a worker process when `worker` (it must be that
    workers.can_fork()). Stopping early stops the worker; it dies with this process."""
    if not worker:
        yield from prepare_files(files)
        return
    context = multiprocessing.get_context("fork")  # the worker shares the loaded dictionaries
    out: multiprocessing.Queue = context.Queue(maxsize=_QUEUE_CHUNKS)
    process = context.Process(target=_produce, args=(files, out, os.getpid()), daemon=True)
    process.start()
    try:
        while True:
            try:
                item = out.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if process.is_alive():
                    continue
                raise LitbalintError(
                    f"the file reader stopped unexpectedly (exit code {process.exitcode}); "
                    "nothing after the last saved file was imported: run the command again"
                ) from None
            if item is None:
                break
            yield item
    finally:
        if process.is_alive():
            process.terminate()
        process.join()
        out.close()
