"""Bytes to text for the text-based importers: encodings, BOMs, line ends, binary refusal."""

from __future__ import annotations

import codecs
import unicodedata

from litbalint.errors import UnsupportedFormat

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def looks_binary(data: bytes) -> bool:
    """True for data no text importer should read (NUL bytes or many control bytes)."""
    head = data[:8192]
    if any(head.startswith(bom) for bom, _ in _BOMS[1:]):
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > max(4, len(head) // 100)


def decode_text(data: bytes, name: str = "file") -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK; LF line ends."""
    if not data.strip():
        raise UnsupportedFormat(f"{name}: the file is empty")
    if looks_binary(data):
        raise UnsupportedFormat(f"{name}: binary data, not a text, XML or MEDLINE file")
    text = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(encoding, errors="replace")
            break
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as error:
                raise UnsupportedFormat(
                    f"{name}: neither UTF-8 nor GB18030 text (byte {error.start}); "
                    "save it as UTF-8 and import again"
                ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)
