"""Sniff a file's format and hand it to the right parser; the list of accepted formats."""

from __future__ import annotations

import codecs
import errno
import io
import itertools
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from litbalint.errors import UnsupportedFormat
from litbalint.model import Record
from litbalint.sources.medline import looks_like_medline, parse_medline
from litbalint.sources.plain import looks_like_plain, parse_plain
from litbalint.sources.pubmed_xml import looks_like_pubmed_xml, parse_pubmed_xml
from litbalint.sources.streams import BrokenGzip, GzipReader, LfStream
from litbalint.sources.suppr import looks_like_suppr, parse_suppr
from litbalint.sources.text import looks_binary, read_text

FORMATS: dict[str, str] = {
    "suppr": "Suppr (超能文献) page copy",
    "plain": "plain bilingual text dump (affiliations, citation line, English, Chinese)",
    "pubmed_xml": "PubMed efetch XML (PubmedArticleSet, optionally .gz)",
    "medline": "MEDLINE / .nbib export",
}
# File endings `litbalint build` picks up when it walks a folder.
DOCUMENT_SUFFIXES = (".txt", ".xml", ".gz", ".nbib", ".medline")

_SNIFF_BYTES = 65536


def accepted_formats() -> str:
    return "; ".join(FORMATS.values())


def _unknown(name: str, why: str) -> UnsupportedFormat:
    return UnsupportedFormat(f"{name}: {why}; accepted formats: {accepted_formats()}")


def detect_text_format(text: str, name: str = "file") -> str:
    """Which text importer takes this decoded text."""
    if looks_like_medline(text):
        return "medline"
    if looks_like_suppr(text):
        return "suppr"
    if looks_like_plain(text):
        return "plain"
    raise _unknown(name, "not a format litbalint can read")


_TEXT_PARSERS = {"suppr": parse_suppr, "plain": parse_plain, "medline": parse_medline}


def read_stream(stream: BinaryIO, name: str) -> tuple[str, Iterator[Record]]:
    """Sniff an open binary stream and return (format, records). XML (also gzipped) is
    streamed record by record; text formats are read whole (they are small)."""
    head = stream.read(_SNIFF_BYTES)
    stream.seek(0)
    try:
        if head[:2] == b"\x1f\x8b":
            stream = GzipReader(stream)  # type: ignore[assignment]
            head = stream.read(_SNIFF_BYTES)
            stream.seek(0)
        if not head.strip():
            raise UnsupportedFormat(f"{name}: the file is empty; nothing to import")
        if looks_like_pubmed_xml(head):
            if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                stream = LfStream(stream)  # type: ignore[assignment]
            return "pubmed_xml", parse_pubmed_xml(stream)
        if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            raise _unknown(name, "XML, but not PubMed efetch XML")
        if looks_binary(head):
            raise _unknown(name, "binary data")
        decoded = read_text(stream.read(), name)
    except BrokenGzip as error:
        raise UnsupportedFormat(f"{name}: {error}") from None
    format_name = detect_text_format(decoded.text, name)
    records = _TEXT_PARSERS[format_name](decoded.text)
    return format_name, itertools.chain(decoded.problems, records)


_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def not_a_file(mode: int) -> str | None:
    """What a special file is (a named pipe, a device, a socket, a folder); None for a file."""
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def cannot_open(name: str, error: OSError) -> UnsupportedFormat:
    """The one line for a file that cannot be opened or read."""
    if error.errno == errno.ELOOP:
        return UnsupportedFormat(
            f"{name}: a symbolic link that loops (it leads back to itself); fix or remove the link"
        )
    if error.errno in (errno.EACCES, errno.EPERM):
        return UnsupportedFormat(
            f"{name}: cannot be read (permission denied); "
            "give yourself read permission (chmod u+r) or copy the file"
        )
    if error.errno == errno.ENOENT:
        return UnsupportedFormat(f"{name}: no such file")
    return UnsupportedFormat(f"{name}: cannot be read ({error.strerror or error})")


def open_document(path: Path, name: str) -> BinaryIO:
    """Open a regular file for reading; a named pipe, device or socket is never opened
    (it could block or never end), and every other failure is one plain message."""
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            os.listdir(path)  # a folder the walk could not read: say why
        kind = not_a_file(mode)
        if kind:
            raise UnsupportedFormat(f"{name}: {kind}, not a file; skipped")
        # O_NONBLOCK: should a named pipe have replaced the file since, opening does not wait
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise cannot_open(name, error) from None
    kind = not_a_file(os.fstat(fd).st_mode)
    if kind:
        os.close(fd)
        raise UnsupportedFormat(f"{name}: {kind}, not a file; skipped")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


@contextmanager
def open_records(path: Path, name: str | None = None) -> Iterator[tuple[str, Iterator[Record]]]:
    """Open a file and yield (format, records); the file stays open while records are read.
    `name` is how messages call the file (default: the path)."""
    name = name or str(path)
    with open_document(path, name) as stream:
        yield read_stream(stream, name)


def records_from_bytes(data: bytes, name: str = "file") -> tuple[str, list[Record]]:
    """Detect and parse in-memory data."""
    format_name, records = read_stream(io.BytesIO(data), name)
    return format_name, list(records)
