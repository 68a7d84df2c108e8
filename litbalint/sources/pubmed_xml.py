"""PubMed efetch XML (PubmedArticleSet) -> Article, Deletion and Problem records, streamed.

Each PubmedArticle, PubmedBookArticle and DeleteCitation is turned into a record at its end
tag and then dropped, so memory stays flat however large the file. A record that is not
well-formed costs that record only (one Problem) where the records' boundaries can be trusted
(see _parse_record); a file that breaks off, or is not well-formed where they cannot, yields
what came before the break, then one Problem with the line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Generator, Iterator
from itertools import pairwise
from typing import BinaryIO
from xml.etree.ElementTree import Element
from xml.parsers import expat

from litbalint.errors import BadRecord, UnsupportedFormat
from litbalint.model import Problem, Record
from litbalint.pmid import bad_pmid_message, read_pmid
from litbalint.sources.markup import render_inline
from litbalint.sources.pubmed_record import read_article, read_book, read_deletion
from litbalint.sources.xmlscan import (
    MAX_RECORD_BYTES,
    RECORD_TAG,
    ROOT_TAGS,
    LineTracker,
    RecordScanner,
    RecordTooLarge,
    can_split,
    looks_like_pubmed_xml,
)

__all__ = ["looks_like_pubmed_xml", "parse_pubmed_xml", "render_inline"]

_PMID = re.compile(rb"<PMID(?:\s[^>]*)?>([^<]*)</PMID>")
_RECORD_TAGS = frozenset({"PubmedArticle", "PubmedBookArticle", "DeleteCitation"})
_BATCH = 10  # records parsed together
_MAX_MB = MAX_RECORD_BYTES >> 20
_TOO_LARGE = {
    "oversize": f"record larger than {_MAX_MB} MB (the most one record may be): not imported",
    "oversize-unclosed": f"record that never ends (over {_MAX_MB} MB to the end of the file, "
    "no end tag): not imported, nor anything after it",
    "oversize-whole": f"record larger than {_MAX_MB} MB (the most one record may be) in a file "
    "read as a whole (not UTF-8, or with entity declarations): not imported, nor anything after it",
    "too-long": f"over {_MAX_MB} MB without a record (<PubmedArticle>, <PubmedBookArticle>, "
    "<DeleteCitation>) in it: the rest of the file is not read",
}


def parse_pubmed_xml(stream: BinaryIO) -> Iterator[Record]:
    """Yield an Article, Deletion or Problem for each record of an efetch XML file, in order."""
    try:
        head = stream.read(RecordScanner.CHUNK)
    except (OSError, EOFError, zlib.error) as error:
        yield Problem(f"could not read the rest of the file: {error}", 1)
        return
    if can_split(head):
        yield from _parse_split(RecordScanner(stream, head))
    else:
        yield from _parse_whole(LineTracker(stream, head))


def _error_at(error: ET.ParseError, line: int = 1, column: int = 0) -> tuple[str, int]:
    """('mismatched tag: line L, column C', L) for a parse error in a piece of the file that
    starts at (line, column)."""
    at_line, at_column = getattr(error, "position", (1, 0))
    at_column += column if at_line == 1 else 0
    at_line += line - 1
    return f"{expat.ErrorString(error.code)}: line {at_line}, column {at_column}", at_line


def _broken(error: ET.ParseError, line: int = 1, column: int = 0) -> Problem:
    """The Problem that ends the file: a parse error in a piece from (line, column) on."""
    where, at_line = _error_at(error, line, column)
    return Problem(f"XML broken off or not well-formed: {where}", at_line)


def _skipped(data: bytes, line: int, why: str) -> Problem:
    """The Problem of a record piece that is not well-formed: it costs that record only."""
    tag = _tag_name(data).decode("utf-8", "replace")
    pmid = read_pmid(match[1].decode()) if (match := _PMID.search(data)) else None
    named = f" PMID {pmid}" if pmid else ""
    return Problem(f"<{tag}>{named} not imported: not well-formed XML ({why})", line)


def _tag_name(data: bytes) -> bytes:
    """The name of the start tag that begins `data`."""
    return data[1:].split(b">", 1)[0].split()[0].rstrip(b"/")


def _parse_one(data: bytes) -> Element | ET.ParseError:
    parser = ET.XMLParser()
    try:
        parser.feed(data)
        return parser.close()
    except ET.ParseError as error:
        return error


def _nothing_hidden(data: bytes) -> bool:
    """No comment, CDATA section, processing instruction or declaration, which could hide a
    tag. (One-byte searches first: they are a memchr, a two-byte one a scan.)"""
    return (b"!" not in data or b"<!" not in data) and (b"?" not in data or b"<?" not in data)


# What _parse_batch and _parse_record return: all read, the last piece skipped, or stop here.
_SKIPPED, _STOP = "skipped", "stop"


def _parse_batch(pieces: list[tuple[bytes, int, int]]) -> Generator[Record, None, str | None]:
    """Records of consecutive record pieces (data, line, column). One parser reads them all,
    inside an element of its own (a parser per record costs more than the records' dates).
    The pieces are then exactly its children: each piece ends at its record's first end tag
    (or "/>"), so with nothing hidden in any of them, no piece can close an element opened
    before it, and a piece that is not one element of its own leaves one open and breaks the
    whole. Then each piece is parsed alone, for its records and errors as they would be."""
    if len(pieces) > 1 and all(_nothing_hidden(data) for data, _, _ in pieces):
        elems = _parse_one(b"<_>" + b"".join(data for data, _, _ in pieces) + b"</_>")
        if isinstance(elems, Element) and len(elems) == len(pieces):
            for elem, (_, line, _) in zip(elems, pieces, strict=True):
                yield from _records(elem, line)
            return None
    state = None
    for data, line, column in pieces:
        state = yield from _parse_record(data, line, column)
        if state == _STOP:
            break
    return state


def _parse_record(data: bytes, line: int, column: int) -> Generator[Record, None, str | None]:
    """The records of one piece. One that is not well-formed costs that record only (one
    Problem) when nothing in it can hide a tag: then its end tag and the next record's start
    tag, which the scanner found, are tags indeed. (Else its Problem ends the file: _STOP.)
    A record whose end tag is missing runs on into the next ones: each is then read alone."""
    elem = _parse_one(data)
    if isinstance(elem, Element):
        yield from _records(elem, line)
        return None
    if not _nothing_hidden(data):
        yield _broken(elem, line, column)
        return _STOP
    starts = [match.start() for match in RECORD_TAG.finditer(data, 1)]
    if not starts:
        yield _skipped(data, line, _error_at(elem, line, column)[0])
        return _SKIPPED
    state = None
    for begin, end in pairwise([0, *starts, len(data)]):
        newlines = data.count(b"\n", 0, begin)
        at_column = begin - data.rfind(b"\n", 0, begin) - 1 if newlines else column + begin
        state = yield from _parse_record(data[begin:end], line + newlines, at_column)
    return state


class _Outline:
    """Parses what is outside the records (the prolog, the root element's tags, the tail)
    with a stand-in for the records, so a foreign root element or a file cut off between
    records is still reported. `root`: the root element's tag once it has started."""

    def __init__(self) -> None:
        self._parser: ET.XMLPullParser[Element] = ET.XMLPullParser(events=("start",))
        self.root: str | None = None
        self.seen = b""  # what the parser was given before the tail

    def feed(self, data: bytes, close: bool = False) -> None:
        """Raises the ParseError of the data, unless it started a root element that is
        not PubMed's (which says more than what broke after it)."""
        self._parser.feed(data)
        if not close:
            self.seen += data
        try:
            for event in self._parser.read_events():  # raises a ParseError the feed queued
                if isinstance(elem := event[-1], Element):  # ("start", element) only
                    self.root = self.root or elem.tag
            if close:
                self._parser.close()
        except ET.ParseError:
            if self.root is None or self.root in ROOT_TAGS:
                raise

    def foreign(self) -> Problem | None:
        if self.root is None or self.root in ROOT_TAGS:
            return None
        return Problem(f"not PubMed XML: the root element is <{self.root}>")

    def tail_problem(self, error: ET.ParseError, line: int, column: int) -> Problem:
        """A parse error of the parser, whose input was `seen` and then the tail."""
        at_line, at_column = getattr(error, "position", (1, 0))
        newlines = self.seen.count(b"\n")
        if at_line - 1 < newlines:
            return _broken(error)  # in the prolog, which starts the file
        if at_line - 1 == newlines:
            at_column -= len(self.seen) - self.seen.rfind(b"\n") - 1
        error.position = (at_line - newlines, at_column)
        return _broken(error, line, column)


def _parse_split(scanner: RecordScanner) -> Iterator[Record]:
    """Records cut out of the byte stream and parsed a batch at a time: no per-element events,
    so several times faster than iterparse."""
    outline = _Outline()
    batch: list[tuple[bytes, int, int]] = []  # record pieces not parsed yet
    state: str | None = None  # of the last record piece parsed
    try:
        for kind, data, line, column in scanner.pieces():
            if kind == "prolog":
                try:
                    outline.feed(data)
                except ET.ParseError as error:
                    yield _broken(error)
                    return
            elif outline.root is None and kind in ("record", "partial", "between"):
                # the record is the root element: a stand-in for it
                stand_in = b"<" + _tag_name(data) + b"/>"
                try:
                    outline.feed(stand_in)
                    if outline.root is None:
                        outline.feed(b"", close=True)
                except ET.ParseError as error:  # the prolog never ended
                    yield outline.tail_problem(error, line, column)
                    return
            if problem := outline.foreign():
                yield problem
                return
            if kind == "record":
                batch.append((data, line, column))
                if len(batch) < _BATCH:
                    continue
            if batch:
                state = yield from _parse_batch(batch)
                batch = []
                if state == _STOP:
                    return
            if kind == "between":
                failed = _parse_one(b"<_>" + data + b"</_>")
                if isinstance(failed, ET.ParseError) and not _nothing_hidden(data):
                    yield _broken(failed, line, column - 3)
                    return
                if isinstance(failed, ET.ParseError) and state != _SKIPPED:
                    # (after a skipped record it is the rest of that record)
                    where, at_line = _error_at(failed, line, column - 3)
                    yield Problem(f"not well-formed XML between records ({where})", at_line)
            elif kind == "partial" and isinstance(failed := _parse_one(data), ET.ParseError):
                yield _broken(failed, line, column)  # the file ends inside this record
            elif kind in _TOO_LARGE:
                yield Problem(_TOO_LARGE[kind], line)
                if kind != "oversize":
                    return
            elif kind == "tail":  # the outline checks the document ends where it should
                try:
                    outline.feed(data, close=True)
                except ET.ParseError as error:
                    yield outline.tail_problem(error, line, column)
                    return
                if problem := outline.foreign():
                    yield problem
            if kind != "record":
                state = None
        if batch:
            yield from _parse_batch(batch)
    except (OSError, EOFError, zlib.error) as error:  # e.g. a gzip file cut short
        if batch and (yield from _parse_batch(batch)) == _STOP:
            return
        yield Problem(f"could not read the rest of the file: {error}", scanner.line)


def _parse_whole(source: LineTracker) -> Iterator[Record]:
    """Any XML expat reads (other encodings, entity declarations): iterparse, record by
    record, each dropped once read, so memory stays flat."""
    root: Element | None = None
    line: int | None = None
    try:
        for event, elem in ET.iterparse(source, events=("start", "end")):
            if event == "start":
                if root is None:
                    root = elem
                    if elem.tag not in ROOT_TAGS:
                        yield Problem(f"not PubMed XML: the root element is <{elem.tag}>")
                        return
                if elem.tag in _RECORD_TAGS:
                    line = source.next_start()
                    source.open_record()
                continue
            if elem.tag not in _RECORD_TAGS:
                continue
            source.close_record()
            records = list(_records(elem, line))
            elem.clear()
            if root is not None and root is not elem:
                root.clear()
            yield from records
    except RecordTooLarge:
        yield Problem(_TOO_LARGE["oversize-whole"], line)
    except ET.ParseError as error:
        position = getattr(error, "position", None)
        yield Problem(
            f"XML broken off or not well-formed: {error}", position[0] if position else None
        )
    except (OSError, EOFError, zlib.error) as error:  # e.g. a gzip file cut short
        yield Problem(f"could not read the rest of the file: {error}", source.line)
    except (ValueError, LookupError) as error:  # an encoding expat cannot read
        raise UnsupportedFormat(
            f"XML in an encoding that cannot be read ({error}); convert it to UTF-8"
        ) from None


# -- records --------------------------------------------------------------------------------


def _records(elem: Element, line: int | None) -> Iterator[Record]:
    """The record of one element, and a Problem for each thing in it that was left out; a
    record that cannot be read at all is one Problem, and the file goes on."""
    tag = elem.tag
    try:
        if tag == "PubmedArticle":
            record: Record = read_article(elem)
        elif tag == "DeleteCitation":
            record, invalid = read_deletion(elem)
            for text in invalid:
                yield Problem(f"<DeleteCitation>: {bad_pmid_message(text)}: not deleted", line)
        else:
            record = read_book(elem)
    except BadRecord as error:
        yield Problem(f"<{tag}>{_pmid_of(elem)} not imported: {error}", line)
        return
    except Exception as error:  # whatever one record does, it costs that record only
        yield Problem(
            f"<{tag}>{_pmid_of(elem)} not imported: it could not be read "
            f"({type(error).__name__}: {str(error)[:200]})",
            line,
        )
        return
    record.line = line
    yield record


def _pmid_of(elem: Element) -> str:
    """' PMID n' for a message, when the record has a valid one."""
    for path in ("MedlineCitation/PMID", "BookDocument/PMID"):
        pmid = read_pmid(elem.findtext(path))
        if pmid:
            return f" PMID {pmid}"
    return ""
