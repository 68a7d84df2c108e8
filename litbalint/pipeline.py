"""Import orchestration: files -> parsers -> store, one transaction per file."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from litbalint.align.pipeline import align_sections
from litbalint.errors import DatabaseUnavailable, LitbalintError
from litbalint.model import Article, Deletion, Problem
from litbalint.resources import RESOURCE_DIRS, data_dir, display_path
from litbalint.sources.detect import DOCUMENT_SUFFIXES, open_records
from litbalint.store import SaveCounts, Store
from litbalint.store.alignments import inputs_hash


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


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def expand_paths(paths: Iterable[Path], skip_dirs: tuple[str, ...] = ()) -> list[Path]:
    """Files as given; folders walked (sorted) for document files, skipping hidden entries."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            for folder, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in skip_dirs)
                files.extend(
                    Path(folder, name)
                    for name in sorted(names)
                    if not name.startswith(".") and name.lower().endswith(DOCUMENT_SUFFIXES)
                )
        else:
            files.append(path)
    return files


def corpus_files(root: Path | None = None) -> list[Path]:
    """Every document under data/ (the bundled corpus), not the project's resource files."""
    return expand_paths([root or data_dir()], skip_dirs=RESOURCE_DIRS)


def import_file(store: Store, path: Path) -> FileReport:
    """Import one file in one transaction: all its readable records, or nothing."""
    shown = display_path(path)
    report = FileReport(path=shown)
    if not path.exists():
        report.refused = f"{shown}: no such file"
        return report
    try:
        sha256, size = _sha256(path)
        with open_records(path, shown) as (format_name, records), store.transaction():
            report.format = format_name
            file_id = store.record_file(shown, sha256, format_name, size, 0, 0)
            for record in records:
                if isinstance(record, Problem):
                    where = f":{record.line}" if record.line else ""
                    report.problems.append(f"{shown}{where}: {record.message}")
                elif isinstance(record, Deletion):
                    report.counts.add(store.save_deletion(record))
                elif isinstance(record, Article):
                    report.records += 1
                    report.related += len(record.related)
                    report.counts.add(store.save_article(record, format_name, file_id=file_id))
            report.aligned = align_articles(store, store.take_touched())
            store.finish_file(file_id, report.records, len(report.problems))
    except DatabaseUnavailable as error:  # no later file can be saved either: stop the run
        raise DatabaseUnavailable(f"{shown}: not imported: {error}") from None
    except LitbalintError as error:
        message = str(error)
        report.refused = message if message.startswith(shown) else f"{shown}: {message}"
    except OSError as error:
        report.refused = f"{shown}: cannot be read ({error.strerror or error})"
    except Exception as error:  # a bug, not the user's fault: still one line, the run goes on
        report.refused = (
            f"{shown}: not imported, litbalint failed on it ({type(error).__name__}: {error}); "
            "please report this with the file"
        )
    return report


def align_articles(store: Store, article_ids: Iterable[int]) -> int:
    """Align the articles whose abstracts changed since they were last aligned (or never
    were); returns how many were aligned. Run inside the caller's transaction."""
    aligned = 0
    ids = list(article_ids)
    candidates = store.alignment_candidates(ids)
    for article_id in ids:
        if article_id not in candidates:
            continue
        en, zh = store.abstract_sections(article_id)
        current = inputs_hash(en, zh)
        if store.alignment_hash(article_id) == current:
            continue
        store.save_alignment(article_id, align_sections(en, zh) if en and zh else None, current)
        aligned += bool(en and zh)
    return aligned


def import_paths(store: Store, paths: Iterable[Path]) -> list[FileReport]:
    return [import_file(store, path) for path in paths]
