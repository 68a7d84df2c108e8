"""Scanning PubMed XML as bytes: is this efetch XML, and on which line does each record start.

Kept apart from the record parser so that module holds only the mapping of elements to fields.
"""

from __future__ import annotations

import codecs
import re
from collections import deque
from collections.abc import Iterator
from typing import BinaryIO

# The most one record (or what stands between records) may take. The largest PubMed records
# (consortium author lists, long reference lists) are a few MB; a larger "record" is broken or
# hostile (an element that never closes), and keeping it whole would cost its size in memory.
MAX_RECORD_BYTES = 50 << 20


ROOT_TAGS = frozenset({"PubmedArticleSet", "PubmedArticle", "PubmedBookArticle"})
# The start tag of a record (group 1: its name), as bytes.
RECORD_TAG = re.compile(rb"<(PubmedArticle|PubmedBookArticle|DeleteCitation)[\s>/]")
_PROLOG = re.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE\s+(?P<doctype>[\w.:-]+)[^\[>]*(?:\[.*?\])?\s*>)",
    re.DOTALL,
)
_ROOT = re.compile(r"\s*<(?:PubmedArticleSet|PubmedArticle|PubmedBookArticle)[\s>/]")


class RecordTooLarge(Exception):
    """Raised by LineTracker.read when the record being parsed passed MAX_RECORD_BYTES."""


class LineTracker:
    """Wraps the stream for iterparse and notes the line of every record's start tag; while
    the parser is inside a record (`open_record`/`close_record`), reading more than
    MAX_RECORD_BYTES past its start raises RecordTooLarge, so memory stays bounded."""

    _KEEP = 24  # longer than any start-tag match, so a tag split between reads is still seen

    def __init__(self, stream: BinaryIO, head: bytes = b"") -> None:
        self._stream = stream
        self._head = head  # read from the stream already
        self._tail = b""
        self._lines_before_tail = 0
        self._starts: deque[int] = deque()
        self._read = 0  # bytes read so far
        self._record_from: int | None = None  # bytes read when the open record started

    def open_record(self) -> None:
        self._record_from = self._read

    def close_record(self) -> None:
        self._record_from = None

    def read(self, size: int = -1) -> bytes:
        if self._record_from is not None and self._read - self._record_from > MAX_RECORD_BYTES:
            raise RecordTooLarge
        if self._head:
            cut = len(self._head) if size < 0 else size
            data, self._head = self._head[:cut], self._head[cut:]
        else:
            data = self._stream.read(size)
        if data and isinstance(data, bytes):
            self._read += len(data)
            buffer = self._tail + data
            line, position = self._lines_before_tail + 1, 0
            for match in RECORD_TAG.finditer(buffer):
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
    return root is not None and b"xmlns" not in root[0] and not _INTERNAL_SUBSET.search(head)


class RecordScanner:
    """Cuts a PubMed XML byte stream into pieces without parsing it: the prolog (everything
    before the first record), each record (PubmedArticle, PubmedBookArticle, DeleteCitation
    element), anything but white space between records, and the tail after the last record
    (or the record the end of the stream cut off). Each piece comes with the line and column
    its first byte is on. A record over MAX_RECORD_BYTES is not kept: an 'oversize' piece
    (no bytes) stands for it, or 'oversize-unclosed' when the stream ends inside it. Reads in
    chunks into one growing buffer and searches each byte once, so time is linear in the file
    and memory holds one chunk plus one record."""

    CHUNK = 1 << 16  # as iterparse reads: a gzip stream cut short loses at most this much

    def __init__(self, stream: BinaryIO, head: bytes = b"") -> None:
        self._stream = stream
        self._buffer = bytearray(head)
        self._pos = 0  # start of what is not yet handed out
        self._line, self._column = 1, 0  # of self._buffer[self._pos]

    @property
    def line(self) -> int:
        """The line the bytes read so far end on."""
        return self._line + self._buffer.count(b"\n", self._pos)

    def _fill(self) -> bool:
        """Read one more chunk onto the buffer (dropping what was handed out: a bytearray
        drops its front and grows at its end in amortized constant time per byte)."""
        data = self._stream.read(self.CHUNK)
        if not data:
            return False
        del self._buffer[: self._pos]
        self._pos = 0
        self._buffer += data
        return True

    def _advance(self, end: int) -> tuple[int, int]:
        """Move past the bytes up to `end`, counting lines; the (line, column) moved from."""
        where = self._line, self._column
        newlines = self._buffer.count(b"\n", self._pos, end)
        if newlines:
            self._line += newlines
            self._column = end - self._buffer.rfind(b"\n", self._pos, end) - 1
        else:
            self._column += end - self._pos
        self._pos = end
        return where

    def _cut(self, end: int) -> tuple[bytes, int, int]:
        piece = bytes(self._buffer[self._pos : end])
        return piece, *self._advance(end)

    def _pending(self) -> int:
        return len(self._buffer) - self._pos

    def pieces(self) -> Iterator[tuple[str, bytes, int, int]]:
        """(kind, bytes, line, column): 'prolog', 'record', 'oversize' or 'between'..., then
        'tail', 'partial', 'oversize-unclosed' or 'too-long' (over MAX_RECORD_BYTES and no
        record in it: the rest of the stream is not read).
        Read errors (a gzip stream cut short) are raised; `line` says where reading stopped."""
        first = True
        searched = self._pos
        while True:
            start = RECORD_TAG.search(self._buffer, searched)
            if start is None:
                searched = max(self._pos, len(self._buffer) - 24)  # a tag may be split
                if self._pending() > MAX_RECORD_BYTES:
                    yield "too-long", b"", self._line, self._column
                    return
                before = self._pos
                if self._fill():
                    searched -= before
                    continue
                yield ("prolog" if first else "tail", *self._cut(len(self._buffer)))
                if first:
                    yield "tail", b"", self._line, self._column
                return
            # bytes now: the match reads the buffer, which later reads change
            name, begin = bytes(start.group(1)), start.start()
            del start
            between = self._cut(begin)
            if first:
                yield ("prolog", *between)
                first = False
            elif between[0].strip():
                yield ("between", *between)
            end = self._record_end(name)
            if end is None:
                yield ("partial", *self._cut(len(self._buffer)))
                return
            if end < 0:  # too large: skipped
                where = self._line, self._column
                closed = self._skip(b"</" + name + b">")
                yield ("oversize" if closed else "oversize-unclosed", b"", *where)
                if not closed:
                    return
            else:
                yield ("record", *self._cut(end))
            searched = self._pos

    def _record_end(self, name: bytes) -> int | None:
        """Offset just past the record that starts at self._pos, reading more as needed; None
        when the stream ends first, -1 when the record grows over MAX_RECORD_BYTES."""
        close = b"</" + name + b">"
        searched = self._pos
        while True:
            tag_end = self._buffer.find(b">", searched)
            if tag_end >= 0:
                break
            searched = len(self._buffer)
            if self._pending() > MAX_RECORD_BYTES:
                return -1
            before = self._pos
            if not self._fill():
                return None
            searched -= before
        if self._buffer[tag_end - 1 : tag_end] == b"/":
            return tag_end + 1  # <DeleteCitation/>
        searched = tag_end
        while True:
            found = self._buffer.find(close, searched)
            if found >= 0:
                end = found + len(close)
                return end if end - self._pos <= MAX_RECORD_BYTES else -1
            searched = max(self._pos, len(self._buffer) - len(close))
            if self._pending() > MAX_RECORD_BYTES:
                return -1
            before = self._pos
            if not self._fill():
                return None
            searched -= before  # the buffer was shifted by _fill

    def _skip(self, close: bytes) -> bool:
        """Drop the record at self._pos up to and with `close` (counting its lines), keeping
        no more than a chunk; False when the stream ends first."""
        while True:
            found = self._buffer.find(close, self._pos)
            if found >= 0:
                self._advance(found + len(close))
                return True
            self._advance(max(self._pos, len(self._buffer) - len(close)))
            if not self._fill():
                self._advance(len(self._buffer))
                return False
