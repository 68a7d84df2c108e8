"""Byte streams under the parsers: gzip read errors as one plain message, and XML line ends
made LF so every line count (ours and expat's) is the same for LF, CRLF and CR-only files."""

from __future__ import annotations

import gzip
import zlib
from typing import BinaryIO

from litbalint.errors import UnsupportedFormat


class BrokenGzip(UnsupportedFormat, OSError):
    """A gzip file that is corrupt or cut short (an OSError, so XML parsing reports the
    records before the break)."""


def broken_gzip(error: Exception) -> BrokenGzip:
    """The plain message for a gzip read error (zlib.error, EOFError, BadGzipFile)."""
    if isinstance(error, EOFError):
        return BrokenGzip(
            "the gzip file is cut short (it ends before its last block); download or copy it again"
        )
    detail = str(error).removeprefix("Error -3 while decompressing data: ")
    return BrokenGzip(f"the gzip file is corrupt ({detail}); download or copy it again")


class GzipReader:
    """Reads a gzip stream; a corrupt or cut-off one raises BrokenGzip."""

    def __init__(self, stream: BinaryIO) -> None:
        self._gzip = gzip.GzipFile(fileobj=stream)

    def read(self, size: int = -1) -> bytes:
        try:
            return self._gzip.read(size)
        except (EOFError, zlib.error, gzip.BadGzipFile) as error:
            raise broken_gzip(error) from None

    def seek(self, offset: int) -> int:
        try:
            return self._gzip.seek(offset)
        except (EOFError, zlib.error, gzip.BadGzipFile) as error:
            raise broken_gzip(error) from None


class LfStream:
    """CRLF and lone CR read as LF (what an XML parser does anyway), so the byte lines the
    record scanner counts are the lines expat counts. Only for ASCII-compatible encodings."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._held_cr = False  # the last read ended on CR: its LF may come next

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        if self._held_cr and data.startswith(b"\n"):
            data = data[1:] or self._stream.read(size)  # that CRLF was given as LF already
        self._held_cr = data.endswith(b"\r")
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        return data
