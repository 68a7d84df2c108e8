"""What a harvest is configured with: the maintainer's topics file, and the lock that keeps
one harvest per database."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from litbalint.errors import LitbalintError


class HarvestLocked(LitbalintError):
    """Another harvest holds the database."""


@dataclass
class Topic:
    name: str
    query: str
    description: str = ""
    label_en: str = ""  # what readers see: "Balint groups"
    label_zh: str = ""  # 巴林特小组


def load_topics(path: Path) -> list[Topic]:
    """The maintainer's topics file (YAML: topics: {name: {query, description, label}})."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LitbalintError(f"{path}: cannot read the topics file ({error.strerror})") from None
    except UnicodeDecodeError:
        raise LitbalintError(f"{path}: not UTF-8 text; save the topics file as UTF-8") from None
    except yaml.YAMLError as error:
        raise LitbalintError(f"{path}: not valid YAML ({error})".replace("\n", " ")) from None
    entries = (data or {}).get("topics") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise LitbalintError(f"{path}: expected 'topics:' with at least one named topic")
    topics = []
    for name, entry in entries.items():
        query = entry.get("query") if isinstance(entry, dict) else None
        if not isinstance(query, str) or not query.strip():
            raise LitbalintError(f"{path}: topic {name!r} has no 'query'")
        labels = entry.get("label") if isinstance(entry.get("label"), dict) else {}
        topics.append(
            Topic(
                str(name),
                " ".join(query.split()),
                str(entry.get("description", "")),
                str(labels.get("en") or name),
                str(labels.get("zh") or labels.get("en") or name),
            )
        )
    return topics


@contextmanager
def harvest_lock(db_path: Path) -> Iterator[None]:
    """One harvest per database: a lock file beside it (released if the process dies)."""
    lock_path = db_path.with_name(db_path.name + ".harvest-lock")
    try:
        handle = open(lock_path, "a+")  # noqa: SIM115 - held for the whole run
    except OSError as error:
        raise LitbalintError(
            f"{lock_path}: cannot create the lock file ({error.strerror})"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise HarvestLocked(
            f"{db_path}: a harvest is already running ({holder}); this one stops"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}")
    handle.flush()
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def select_topics(topics: list[Topic], names: list[str]) -> list[Topic]:
    """The named topics (all when no names); an unknown name is a configuration error."""
    if not names:
        return topics
    unknown = sorted(set(names) - {t.name for t in topics})
    if unknown:
        raise LitbalintError(
            f"unknown topic {', '.join(unknown)}; the topics file has "
            f"{', '.join(t.name for t in topics)}"
        )
    return [t for t in topics if t.name in names]
