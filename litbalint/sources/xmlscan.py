"""Scanning PubMed XML as bytes: is this efetch XML, and on which line does each record start.

Kept apart from the record parser so that module holds only the mapping of elements to fields.
"""

from __future__ import annotations

import codecs
import re
from collections import deque
from collections.abc import Iterator
from typing import BinaryIO

ROOT_TAGS = frozenset({"PubmedArticleSet", "PubmedArticle", "PubmedBookArticle"})
_RECORD_START = re.compile(rb"<(?:PubmedArticle|PubmedBookArticle|DeleteCitation)[\s>/]")
_PROLOG = re.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE\s+(?P<doctype>[\w.:-]+)[^\[>]*(?:\[.*?\])?\s*>)",
    re.DOTALL,
)
_ROOT = re.compile(r"\s*<(?:PubmedArticleSet|PubmedArticle|PubmedBookArticle)[\s>/]")


class LineTracker:
    """Wraps the stream for iterparse and notes the line of every record's start tag."""

    _KEEP = 24  # longer than any start-tag match, so a tag split between reads is still seen

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._tail = b""
        self._lines_before_tail = 0
        self._starts: deque[int] = deque()

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        if data and isinstance(data, bytes):
            buffer = self._tail + data
            line, position = self._lines_before_tail + 1, 0
            for match in _RECORD_START.finditer(buffer):
                if match.end() <= len(self._tail):
                    continue  # seen with the previous read
                line += buffer.count(b"\n", position, match.start())
                position = match.start()
                self._starts.append(line)
            cut = max(0, len(buffer) - self._KEEP)
            self._lines_before_tail += buffer.count(b"\n", 0, cut)
            self._tail = buffer[cut:]
        return data

    @property
    def line(self) -> int:
        """The line the bytes read so far end on."""
        return self._lines_before_tail + self._tail.count(b"\n") + 1

    def next_start(self) -> int | None:
        return self._starts.popleft() if self._starts else None


def looks_like_pubmed_xml(head: bytes) -> bool:
    """True when the start of a file shows a PubmedArticleSet/PubmedArticle/PubmedBookArticle."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom) :].decode(encoding, errors="ignore")
            break
    else:
        text = head.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="ignore")
    doctype = None
    position = 0
    while match := _PROLOG.match(text, position):
        doctype = match["doctype"] or doctype
        position = match.end()
    if _ROOT.match(text, position):
        return True
    # the head ends inside the prolog: trust the DOCTYPE's root name
    return doctype in ROOT_TAGS and not text[position:].strip()


_RECORD_TAG = re.compile(rb"<(PubmedArticle|PubmedBookArticle|DeleteCitation)[\s>/]")
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)")
_INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[")
_FIRST_TAG = re.compile(rb"<[A-Za-z_][^>]*>")
_PLAIN_ENCODINGS = frozenset({b"utf-8", b"utf8", b"us-ascii", b"ascii"})


def can_split(head: bytes) -> bool:
    """Can records be cut out of this file and parsed one by one? Yes for UTF-8 efetch XML
    (what NCBI sends); no for other encodings, a DOCTYPE with its own entity declarations or
    namespaces declared on the root, which only a parser of the whole file reads right."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    head = head.removeprefix(codecs.BOM_UTF8)
    encoding = _XML_ENCODING.match(head)
    if encoding and encoding.group(1).lower() not in _PLAIN_ENCODINGS:
        return False
    root = _FIRST_TAG.search(head)
    return bool(root) and b"xmlns" not in root.group(0) and not _INTERNAL_SUBSET.search(head)


class RecordScanner:
    """Cuts a PubMed XML byte stream into pieces without parsing it: the prolog (everything
    before the first record), each record (PubmedArticle, PubmedBookArticle, DeleteCitation
    element), anything but white space between records, and the tail after the last record
    (or the record the end of the stream cut off). Each piece comes with the line and column
    its first byte is on. Reads in chunks, so memory holds one chunk plus one record."""

    CHUNK = 1 << 16  # as iterparse reads: a gzip stream cut short loses at most this much

    def __init__(self, stream: BinaryIO, head: bytes = b"") -> None:
        self._stream = stream
        self._buffer = head
        self._pos = 0  # start of what is not yet handed out
        self._line, self._column = 1, 0  # of self._buffer[self._pos]

    @property
    def line(self) -> int:
        """The line the bytes read so far end on."""
        return self._line + self._buffer.count(b"\n", self._pos)

    def _fill(self) -> bool:
        data = self._stream.read(self.CHUNK)
        if not data:
            return False
        self._buffer = self._buffer[self._pos :] + data
        self._pos = 0
        return True

    def _cut(self, end: int) -> tuple[bytes, int, int]:
        piece = self._buffer[self._pos : end]
        where = self._line, self._column
        newlines = piece.count(b"\n") if b"\n" in piece else 0  # `in` is a memchr: far faster
        if newlines:
            self._line += newlines
            self._column = len(piece) - piece.rfind(b"\n") - 1
        else:
            self._column += len(piece)
        self._pos = end
        return piece, *where

    def pieces(self) -> Iterator[tuple[str, bytes, int, int]]:
        """(kind, bytes, line, column): 'prolog', 'record' or 'between'..., 'tail' or 'partial'.
        Read errors (a gzip stream cut short) are raised; `line` says where reading stopped."""
        first = True
        while True:
            start = _RECORD_TAG.search(self._buffer, self._pos)
            if start is None:
                if self._fill():
                    continue
                yield ("prolog" if first else "tail", *self._cut(len(self._buffer)))
                if first:
                    yield "tail", b"", self._line, self._column
                return
            between = self._cut(start.start())
            if first:
                yield ("prolog", *between)
                first = False
            elif between[0].strip():
                yield ("between", *between)
            end = self._record_end(start.group(1))
            if end is None:
                yield ("partial", *self._cut(len(self._buffer)))
                return
            yield ("record", *self._cut(end))

    def _record_end(self, name: bytes) -> int | None:
        """Offset just past the record that starts at self._pos, reading more as needed."""
        close = b"</" + name + b">"
        searched = self._pos
        while True:
            tag_end = self._buffer.find(b">", self._pos)
            if tag_end > 0 and self._buffer[tag_end - 1 : tag_end] == b"/":
                return tag_end + 1  # <DeleteCitation/>
            found = self._buffer.find(close, searched)
            if found >= 0:
                return found + len(close)
            searched = max(self._pos, len(self._buffer) - len(close))
            before = self._pos
            if not self._fill():
                return None
            searched -= before  # the buffer was shifted by _fill
