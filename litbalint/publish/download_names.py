"""File names of the .bib/.ris downloads, after what they hold.

- an article's row page: `pmid-35989618.ris`; without a PMID `doi-10.1177-00912174221122862.ris`
  (the DOI names the article anywhere, the row id only in this database); else `article-14.ris`;
- a search (`?_search=` on `articles` or `article_search`): `litbalint-search-balint-group.ris`;
- the table: `litbalint-articles.ris`; a canned query: `litbalint-<query name>.ris`; any other
  SQL: `litbalint-query.ris`. A database not called `litbalint` is named after the prefix:
  `litbalint-<database>-articles.ris`.

The plain `filename` is lower-case ASCII letters, digits, `-` and `.`. Where the text has
letters that do not fold to ASCII (Chinese), the first 8 hex digits of its SHA-256 are added
(`litbalint-search-9df926cc.ris` for 巴林特小组), so different Chinese searches get different
names without a transliteration table; the name with the text itself
(`litbalint-search-巴林特小组.ris`) goes into RFC 5987's `filename*=UTF-8''...`, which browsers
prefer when it is there.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from litbalint.cite import CitedArticle

PREFIX = "litbalint"
SEARCH_TABLES = ("articles", "article_search")
_MAX_STEM = 60  # characters of a name taken from text (a search, a query name)


@dataclass(frozen=True)
class ExportSource:
    """What a download was asked of: the page's database, table (table and row pages), canned
    query, `?_search=` text, and on a row page the article's id."""

    database: str
    extension: str
    table: str | None = None
    query_name: str | None = None
    search: str | None = None
    row_id: int | None = None


@dataclass(frozen=True)
class DownloadName:
    """A download's file name: plain ASCII, and with the text as typed (Chinese kept)."""

    ascii: str
    unicode: str

    @property
    def content_disposition(self) -> str:
        """`attachment; filename="..."`, plus `filename*=UTF-8''...` when the names differ."""
        header = f'attachment; filename="{self.ascii}"'
        if self.unicode != self.ascii:
            header += f"; filename*=UTF-8''{quote(self.unicode, safe='')}"
        return header


def download_name(source: ExportSource, article: CitedArticle | None = None) -> DownloadName:
    """The name of this download; `article` is the one article of a row page."""
    if source.row_id is not None:
        return _named(_article_stem(article, source.row_id), source.extension)
    prefix = _word(PREFIX)
    if source.database != PREFIX:
        prefix = prefix.join(_slug(source.database))
    if source.table in SEARCH_TABLES and source.search and source.search.strip():
        stem = prefix.join(_word("search")).join(_slug(source.search))
    elif source.table is not None:
        stem = prefix.join(_word("articles"))
    elif source.query_name:
        stem = prefix.join(_slug(source.query_name))
    else:
        stem = prefix.join(_word("query"))
    return _named(stem, source.extension)


@dataclass(frozen=True)
class _Slug:
    ascii: str
    unicode: str

    def join(self, other: _Slug) -> _Slug:
        return _Slug(_joined(self.ascii, other.ascii), _joined(self.unicode, other.unicode))


def _word(text: str) -> _Slug:
    return _Slug(text, text)


def _joined(first: str, second: str) -> str:
    return "-".join(part for part in (first, second) if part)


def _slug(text: str, keep: str = "") -> _Slug:
    """Lower-case words joined by '-': 'Balint group' -> balint-group; 'Müller' -> muller.
    What does not fold to ASCII is replaced, in the ASCII form, by a hash of the whole text:
    '巴林特小组' -> ASCII '9df926cc', Unicode '巴林特小组'. `keep`: punctuation kept."""
    text = unicodedata.normalize("NFC", text.strip())
    ascii_words = re.compile(f"[^a-z0-9{re.escape(keep)}]+")
    unicode_words = re.compile(f"(?:[^\\w{re.escape(keep)}]|_)+")
    folded, lost = [], False
    for char in text.lower():
        ascii_char = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        lost = lost or (char.isalnum() and not ascii_char)
        folded.append(ascii_char if char.isalnum() or char in keep else " ")
    ascii_slug = _short(ascii_words.sub("-", "".join(folded)), keep)
    unicode_slug = _short(unicode_words.sub("-", text.lower()), keep)
    if lost:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
        ascii_slug = _joined(_short(ascii_slug, keep, _MAX_STEM - 9), digest)
    return _Slug(ascii_slug, unicode_slug)


def _short(text: str, keep: str, most: int = _MAX_STEM) -> str:
    """At most `most` characters, cut at a '-' when there is one, no '-' or kept punctuation
    at either end."""
    if len(text) > most:
        cut = text[:most]
        text = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return text.strip("-" + keep)


def _article_stem(article: CitedArticle | None, row_id: int) -> _Slug:
    if article is not None and article.pmid:
        return _word(f"pmid-{article.pmid}")
    if article is not None and article.doi:
        return _word("doi").join(_slug(article.doi, keep="."))
    return _word(f"article-{row_id}")


def _named(stem: _Slug, extension: str) -> DownloadName:
    return DownloadName(f"{stem.ascii}.{extension}", f"{stem.unicode}.{extension}")
