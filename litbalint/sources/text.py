"""Bytes to text for the text-based importers: encodings, BOMs, line ends, binary refusal.

UTF-8 is the default. GB18030/GBK is taken only when the bytes read as Chinese that way and
not as UTF-8 with a few stray bytes: an ASCII file with two Latin-1 bytes stays UTF-8 (with
a warning naming each bad byte and its line), never 'Montr閍l'."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field

from litbalint.errors import UnsupportedFormat
from litbalint.model import Problem

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
# Han ideographs, CJK punctuation and full-width forms: what Chinese text is made of
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_RUN = re.compile(f"[{_CJK}]{{2,}}")
MAX_BAD_PLACES = 10  # more places that are not UTF-8 than this: the file is refused
_LINE_END = re.compile(r"\r\n?|\n")


@dataclass
class DecodedText:
    """A file's text (LF line ends, NFC) and a Problem for each place read as U+FFFD."""

    text: str
    encoding: str
    problems: list[Problem] = field(default_factory=list)


def looks_binary(data: bytes) -> bool:
    """True for data no text importer should read (NUL bytes or many control bytes)."""
    head = data[:8192]
    if any(head.startswith(bom) for bom, _ in _BOMS[1:]):
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > max(4, len(head) // 100)


def plausibly_chinese(text: str) -> bool:
    """Its non-ASCII characters are mostly CJK, and mostly next to other CJK characters
    (stray bytes in Latin text read as GB18030 give lone ideographs inside words)."""
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    cjk = len(_CJK_CHAR.findall(text))
    in_runs = sum(len(run) for run in _CJK_RUN.findall(text))
    return in_runs >= 4 and cjk >= 0.8 * non_ascii and in_runs >= 0.8 * cjk


def line_at(data: bytes, offset: int, encoding: str) -> int:
    """The 1-based line of a byte offset; LF, CRLF and CR-only line ends count the same."""
    before = data[:offset].decode(encoding, errors="replace")
    return len(_LINE_END.findall(before)) + 1


def _bad_places(data: bytes, encoding: str, start: int, limit: int) -> list[tuple[int, bytes]]:
    """(offset in data, bad bytes) of the first `limit` places that do not decode."""
    decode = codecs.getdecoder(encoding)
    view = memoryview(data)
    places: list[tuple[int, bytes]] = []
    position = start
    while len(places) < limit and position < len(data):
        try:
            decode(view[position:], "strict")
            break
        except UnicodeDecodeError as error:
            bad = slice(position + error.start, position + error.end)
            places.append((bad.start, data[bad]))
            position = bad.stop
    return places


def _encoding_name(encoding: str) -> str:
    return {"utf-8": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}[encoding]


def _problems(data: bytes, encoding: str, places: list[tuple[int, bytes]]) -> list[Problem]:
    name = _encoding_name(encoding)
    return [
        Problem(
            f"byte {offset} (0x{bad.hex()}) is not valid {name}, read as \ufffd: "
            f"correct the text there, or save the file as {name} and import again",
            line_at(data, offset, encoding),
        )
        for offset, bad in places
    ]


def _decoded(data: bytes, encoding: str, start: int, name: str) -> DecodedText:
    """Decode with U+FFFD for bad places, a Problem for each; refused when there are many."""
    try:
        return DecodedText(data[start:].decode(encoding), encoding)
    except UnicodeDecodeError:
        pass
    places = _bad_places(data, encoding, start, MAX_BAD_PLACES + 1)
    if len(places) > MAX_BAD_PLACES:
        offset, code = places[0][0], _encoding_name(encoding)
        what = "neither UTF-8 nor Chinese GB18030" if code == "UTF-8" else f"not {code}"
        raise UnsupportedFormat(
            f"{name}: {what} text: more than {MAX_BAD_PLACES} places are not valid {code}, "
            f"the first at byte {offset} (line {line_at(data, offset, encoding)}); "
            "save it as UTF-8 and import again"
        )
    text = data[start:].decode(encoding, errors="replace")
    return DecodedText(text, encoding, _problems(data, encoding, places))


def _without_bom(data: bytes, name: str) -> DecodedText:
    """UTF-8 when it is; GB18030 when that reads as Chinese and UTF-8 mostly fails."""
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        chinese = data.decode("gb18030")
    except UnicodeDecodeError:
        chinese = None
    if chinese is not None and plausibly_chinese(chinese):
        as_utf8 = data.decode("utf-8", errors="replace")
        bad = as_utf8.count("\ufffd")
        good = len(as_utf8) - len(as_utf8.encode("ascii", "ignore")) - bad
        if bad >= good:  # not UTF-8 with a few stray bytes: most non-ASCII fails as UTF-8
            return DecodedText(chinese, "gb18030")
    return _decoded(data, "utf-8", 0, name)


def read_text(data: bytes, name: str = "file") -> DecodedText:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK Chinese; LF line
    ends. A few bytes that do not decode become U+FFFD, each with a Problem; many: refused."""
    if not data.strip():
        raise UnsupportedFormat(f"{name}: the file is empty")
    if looks_binary(data):
        raise UnsupportedFormat(f"{name}: binary data, not a text, XML or MEDLINE file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            decoded = _decoded(data, encoding, len(bom), name)
            break
    else:
        decoded = _without_bom(data, name)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    decoded.text = unicodedata.normalize("NFC", text)
    return decoded


def decode_text(data: bytes, name: str = "file") -> str:
    """The text of read_text (its problems dropped)."""
    return read_text(data, name).text
