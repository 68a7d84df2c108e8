"""PubMed efetch XML (PubmedArticleSet) -> Article, Deletion and Problem records, streamed.

Each PubmedArticle, PubmedBookArticle and DeleteCitation is turned into a record at its end
tag and then dropped, so memory stays flat however large the file. A file that breaks off or
is not well-formed yields what came before the break, then one Problem with the line.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zlib
from collections.abc import Generator, Iterator
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
    ROOT_TAGS,
    LineTracker,
    RecordScanner,
    RecordTooLarge,
    can_split,
    looks_like_pubmed_xml,
)

__all__ = ["looks_like_pubmed_xml", "parse_pubmed_xml", "render_inline"]

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
        yield from _parse_whole(LineTracker(_Prefixed(head, stream)))


class _Prefixed:
    """A stream whose first bytes were already read."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head, self._stream = head, stream

    def read(self, size: int = -1) -> bytes:
        if not self._head:
            return self._stream.read(size)
        if size < 0:
            data, self._head = self._head + self._stream.read(), b""
            return data
        data, self._head = self._head[:size], self._head[size:]
        return data


def _broken(error: ET.ParseError, line: int = 1, column: int = 0) -> Problem:
    """A Problem for a parse error in a piece of the file that starts at (line, column)."""
    at_line, at_column = getattr(error, "position", (1, 0))
    at_column += column if at_line == 1 else 0
    at_line += line - 1
    message = f"{expat.ErrorString(error.code)}: line {at_line}, column {at_column}"
    return Problem(f"XML broken off or not well-formed: {message}", at_line)


def _parse_one(data: bytes, line: int, column: int, wrap: bool = False) -> Element | Problem:
    """Parse one piece; `wrap` puts it in an element of its own (for what is between records)."""
    parser = ET.XMLParser()
    try:
        parser.feed(b"<_>" + data + b"</_>" if wrap else data)
        return parser.close()
    except ET.ParseError as error:
        return _broken(error, line, column - 3 if wrap else column)


def _nothing_hidden(data: bytes) -> bool:
    """No comment, CDATA section, processing instruction or declaration, which could hide a
    tag. (One-byte searches first: they are a memchr, a two-byte one a scan.)"""
    return (b"!" not in data or b"<!" not in data) and (b"?" not in data or b"<?" not in data)


def _parse_batch(pieces: list[tuple[bytes, int, int]]) -> Generator[Record, None, bool]:
    """Records of consecutive record pieces (data, line, column); True when one is broken
    (its Problem is then the last record). One parser reads them all, inside an element of
    its own (a parser per record costs more than the records' dates). The pieces are then
    exactly its children: each piece ends at its record's first end tag (or "/>"), so with
    nothing hidden in any of them, no piece can close an element opened before it, and a
    piece that is not one element of its own leaves one open and breaks the whole. Then each
    piece is parsed alone, for its records and the first error as it would be reported."""
    if len(pieces) > 1 and all(_nothing_hidden(data) for data, _, _ in pieces):
        parser = ET.XMLParser()
        try:
            parser.feed(b"<_>" + b"".join(data for data, _, _ in pieces) + b"</_>")
            elems: Element | None = parser.close()
        except ET.ParseError:
            elems = None
        if elems is not None and len(elems) == len(pieces):
            for elem, (_, line, _) in zip(elems, pieces, strict=True):
                yield from _records(elem, line)
            return False
    for data, line, column in pieces:
        parsed = _parse_one(data, line, column)
        if isinstance(parsed, Problem):
            yield parsed
            return True
        yield from _records(parsed, line)
    return False


def _parse_split(scanner: RecordScanner) -> Iterator[Record]:
    """Records cut out of the byte stream and parsed a batch at a time: no per-element events,
    so several times faster than iterparse. What is outside the records (the prolog, the root
    element's tags, the tail) goes through one more parser, with a stand-in for the records,
    so a wrong root element or a file cut off between records is still reported."""
    outer: ET.XMLPullParser[Element] = ET.XMLPullParser(events=("start",))
    seen = b""  # what the outer parser was given before the tail

    def feed_outer(data: bytes, close: bool = False) -> str | None:
        """Feed the outer parser; the root element's tag once it has started."""
        outer.feed(data)
        tags = []
        try:
            for event in outer.read_events():  # raises a ParseError the feed queued
                elem = event[-1]  # "start" events only: an Element
                if isinstance(elem, Element):
                    tags.append(elem.tag)
            if close:
                outer.close()
        except ET.ParseError:
            if tags and tags[0] not in ROOT_TAGS:
                return tags[0]  # a foreign root element says more than what broke after it
            raise
        return tags[0] if tags else None

    root: str | None = None
    batch: list[tuple[bytes, int, int]] = []  # record pieces not parsed yet
    try:
        for kind, data, line, column in scanner.pieces():
            if kind == "record" and root in ROOT_TAGS:
                batch.append((data, line, column))
                if len(batch) < _BATCH:
                    continue
            if batch:
                pieces, batch = batch, []
                if (yield from _parse_batch(pieces)):
                    return
                if kind == "record" and root in ROOT_TAGS:
                    continue
            if kind == "prolog":
                try:
                    root = feed_outer(data)
                except ET.ParseError as error:
                    yield _broken(error)
                    return
                if root is not None and root not in ROOT_TAGS:
                    yield Problem(f"not PubMed XML: the root element is <{root}>")
                    return
                seen = data
            elif kind in ("record", "partial", "between"):
                if root is None:  # the record is the root element: stand in for it
                    stand_in = b"<" + data[1 : data.index(b">")].split()[0].rstrip(b"/") + b"/>"
                    seen += stand_in
                    try:
                        root = feed_outer(stand_in) or feed_outer(b"", close=True)
                    except ET.ParseError as error:  # the prolog never ended
                        yield _tail_problem(error, seen, line, column)
                        return
                if root not in ROOT_TAGS:
                    yield Problem(f"not PubMed XML: the root element is <{root}>")
                    return
                elem = _parse_one(data, line, column, wrap=kind == "between")
                if isinstance(elem, Problem):
                    yield elem
                    return
                if kind == "record":
                    yield from _records(elem, line)
            elif kind in _TOO_LARGE:
                yield Problem(_TOO_LARGE[kind], line)
                if kind != "oversize":
                    return
            else:  # the tail: the outer parser checks the document ends where it should
                try:
                    root = feed_outer(data, close=True) or root
                except ET.ParseError as error:
                    yield _tail_problem(error, seen, line, column)
                    return
                if root not in ROOT_TAGS:
                    yield Problem(f"not PubMed XML: the root element is <{root}>")
        if batch and (yield from _parse_batch(batch)):
            return
    except (OSError, EOFError, zlib.error) as error:  # e.g. a gzip file cut short
        if batch and (yield from _parse_batch(batch)):
            return
        yield Problem(f"could not read the rest of the file: {error}", scanner.line)


def _tail_problem(error: ET.ParseError, seen: bytes, line: int, column: int) -> Problem:
    """A parse error of the outer parser, whose input was `seen` and then the tail."""
    at_line, at_column = getattr(error, "position", (1, 0))
    newlines = seen.count(b"\n")
    if at_line - 1 < newlines:
        return _broken(error)  # in the prolog, which starts the file
    if at_line - 1 == newlines:
        at_column -= len(seen) - seen.rfind(b"\n") - 1
    error.position = (at_line - newlines, at_column)
    return _broken(error, line, column)


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
