"""Derived dictionaries kept on disk: built once, then loaded in a fraction of the time.

Where: `$LITBALINT_CACHE`, else `$XDG_CACHE_HOME/litbalint`, else `~/.cache/litbalint`. An
entry is one marshal file, `NAME-KEY.marshal`: KEY hashes what it is derived from (the source
files' bytes, or path, size and modification time for large ones; the code that derives it;
litbalint's and Python's versions), so a changed source is a different file; the KEEP newest
files of a name are kept (two installs side by side do not rebuild each other's), older ones
removed. Writes go to a temporary file renamed into place, so processes racing each other read
either nothing or a whole entry; a folder that cannot be written, a broken entry or a source
that cannot be read means the value is computed, as without a cache. Deleting the folder
clears the cache.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import TypeVar

from litbalint import __version__

CACHE_ENV = "LITBALINT_CACHE"
SUFFIX = ".marshal"
KEEP = 3  # files kept per name: the newest

T = TypeVar("T")


def cache_dir() -> Path:
    """$LITBALINT_CACHE, else $XDG_CACHE_HOME/litbalint, else ~/.cache/litbalint."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "litbalint"


Source = bytes | str | None  # None: a source that cannot be read (then no cache)


def file_bytes(path: Path | str) -> bytes | None:
    """A small source, keyed by its content."""
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


def file_stamp(path: Path | str) -> str | None:
    """A large source, keyed by where it is, its size and modification time."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return f"{os.path.abspath(path)}:{status.st_size}:{status.st_mtime_ns}"


def cache_key(sources: Iterable[Source]) -> str | None:
    """A hash of the sources, litbalint's version and Python's (marshal's format); None when
    a source could not be read."""
    digest = hashlib.sha256(f"{__version__}\0{sys.version_info[:2]}".encode())
    for source in sources:
        if source is None:
            return None
        data = source if isinstance(source, bytes) else source.encode("utf-8", "surrogateescape")
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()[:24]


def cached(name: str, sources: Iterable[Source], build: Callable[[], T]) -> T:
    """The value `build()` returns (marshal-able: dicts, lists, strings, numbers, frozensets),
    read from the cache entry for these sources, else built and stored there."""
    key = cache_key(sources)
    if key is None:
        return build()
    folder = cache_dir()
    path = folder / f"{name}-{key}{SUFFIX}"
    try:
        return marshal.loads(path.read_bytes())  # loads(bytes): 3x faster than load(file)
    except (OSError, EOFError, ValueError, TypeError):
        pass
    value = build()
    with suppress(OSError, ValueError):  # not writable: computed each time, as without one
        _write(folder, path, marshal.dumps(value))  # type: ignore[arg-type]
    return value


def _write(folder: Path, path: Path, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(partial, path)
    except BaseException:
        os.unlink(partial)
        raise
    name = path.name.rsplit("-", 1)[0]
    others = [(_mtime(old), old) for old in folder.glob(f"{name}-*{SUFFIX}") if old != path]
    for _, old in sorted(others, reverse=True)[KEEP - 1 :]:  # sources that changed since
        old.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed meanwhile by another process
        return 0.0
