"""What a harvest is configured with: the topics it runs, and the lock that keeps one harvest
per database."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from litbalint.errors import LitbalintError
from litbalint.topics import Topic


class HarvestLocked(LitbalintError):
    """Another harvest holds the database."""


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
