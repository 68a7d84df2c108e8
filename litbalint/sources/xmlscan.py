"""Scanning PubMed XML as bytes: is this efetch XML, and on which line does each record start.

Kept apart from the record parser so that module holds only the mapping of elements to fields.
"""

from __future__ import annotations

import codecs
import re
from collections import deque
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
