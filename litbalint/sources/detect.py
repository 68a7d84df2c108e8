"""Sniff a file's format and hand it to the right parser; the list of accepted formats."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from litbalint.errors import UnsupportedFormat
from litbalint.model import Record
from litbalint.sources.medline import looks_like_medline, parse_medline
from litbalint.sources.plain import looks_like_plain, parse_plain
from litbalint.sources.pubmed_xml import looks_like_pubmed_xml, parse_pubmed_xml
from litbalint.sources.suppr import looks_like_suppr, parse_suppr
from litbalint.sources.text import decode_text, looks_binary

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
    if head[:2] == b"\x1f\x8b":
        stream = gzip.GzipFile(fileobj=stream)  # type: ignore[assignment]
        try:
            head = stream.read(_SNIFF_BYTES)
        except (OSError, EOFError) as error:
            raise _unknown(name, f"a broken gzip file ({error})") from None
        stream.seek(0)
    if not head.strip():
        raise UnsupportedFormat(f"{name}: the file is empty; nothing to import")
    if looks_like_pubmed_xml(head):
        return "pubmed_xml", parse_pubmed_xml(stream)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise _unknown(name, "XML, but not PubMed efetch XML")
    if looks_binary(head):
        raise _unknown(name, "binary data")
    try:
        data = stream.read()
    except (OSError, EOFError) as error:
        raise _unknown(name, f"a broken gzip file ({error})") from None
    text = decode_text(data, name)
    format_name = detect_text_format(text, name)
    return format_name, iter(_TEXT_PARSERS[format_name](text))


@contextmanager
def open_records(path: Path, name: str | None = None) -> Iterator[tuple[str, Iterator[Record]]]:
    """Open a file and yield (format, records); the file stays open while records are read.
    `name` is how messages call the file (default: the path)."""
    name = name or str(path)
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as error:
        raise UnsupportedFormat(f"{name}: cannot be read ({error.strerror})") from None
    with stream:
        yield read_stream(stream, name)


def records_from_bytes(data: bytes, name: str = "file") -> tuple[str, list[Record]]:
    """Detect and parse in-memory data."""
    format_name, records = read_stream(io.BytesIO(data), name)
    return format_name, list(records)
