"""RIS records ('TY  - JOUR' ... 'ER  - ') with CRLF line ends, one tag and value a line.

Chinese: `TI` and `AB` hold the English title and abstract, or the Chinese ones when there are
no English ones. Otherwise the Chinese title goes into `TT` and, like the Chinese abstract, into
an `N1` of its own, labelled. Why: EndNote's RIS has `TT` for its Translated Title field (its own
exports write "TT  - Translated Title", "AB  - Abstract", "N1  - Notes"), but Zotero's RIS.js
maps `TT` to "unsupported/Translated Title", which it drops unless a hidden preference is set
(`ignoreUnknown = true`), and takes the first `AB`/`N2` as the abstract and drops a second one
the same way; each `N1` becomes a child note. JabRef joins every `AB`/`N2` into one abstract,
reads `N1` as a comment and ignores `TT`. So `N1` is the tag all three keep.
Values are whitespace-collapsed: a line break inside a value would start a continuation line,
which each reader joins its own way (paragraphs of an abstract are run together with a space).
"""

from __future__ import annotations

from collections.abc import Iterable

from litbalint.cite.parts import page_range, split_name
from litbalint.cite.record import CitedArticle, chinese_notes, clean

RIS_EOL = "\r\n"
_RIS_TYPES = {"article": "JOUR", "chapter": "CHAP", "book": "BOOK"}


def _ris_author(name: str) -> str:
    """'Olivero JM' -> 'Olivero, J.M.'; 'King ML Jr' -> 'King, M.L., Jr'; a group as is."""
    person = split_name(name)
    if person is None:
        return name
    text = f"{person.last_name}, {''.join(f'{i}.' for i in person.initials)}"
    return f"{text}, {person.suffix}" if person.suffix else text


def _ris_date(article: CitedArticle) -> str | None:
    """RIS's 'YYYY/MM/DD/': '2022/11//', '2019///'."""
    if article.year is None:
        return None
    month = f"{article.month:02d}" if article.month and 1 <= article.month <= 12 else ""
    day = f"{article.day:02d}" if month and article.day else ""
    return f"{article.year:04d}/{month}/{day}/"


def ris(articles: Iterable[CitedArticle]) -> str:
    """RIS records ('TY  - JOUR' ... 'ER  - '), each followed by a blank line; CRLF line ends."""
    return "".join(_ris_record(article) for article in articles)


def _ris_record(article: CitedArticle) -> str:
    kind = article.kind
    lines: list[tuple[str, str]] = []

    def add(tag: str, value: str | None) -> None:
        value = clean(value)
        if value:
            lines.append((tag, value))

    add("TY", _RIS_TYPES[kind])
    for name in article.authors:
        add("AU", _ris_author(name))
    if kind == "book":
        add("TI", article.title or article.book_title)
    else:
        add("TI", article.title)
    if article.title_en and article.title_zh:
        add("TT", article.title_zh)  # EndNote's Translated Title
    if kind == "article":
        add("T2", article.journal_title or article.journal)
        add("JO", article.journal)
    elif kind == "chapter":
        add("T2", article.book_title)
    add("PB", article.publisher)
    add("PY", str(article.year) if article.year else None)
    add("DA", _ris_date(article))
    add("VL", article.volume)
    add("IS", article.issue)
    first, last = page_range(article.pages)
    add("SP", first)
    add("EP", last)
    add("DO", article.doi)
    add("AN", str(article.pmid) if article.pmid else None)
    add("C2", article.pmc)  # PMCID, where PubMed and EndNote put it
    add("UR", article.url)
    add("AB", article.abstract)
    for keyword in article.keywords:
        add("KW", keyword)
    add("LA", article.language)
    for note in chinese_notes(article):
        add("N1", note)
    body = "".join(f"{tag}  - {value}{RIS_EOL}" for tag, value in lines)
    return body + f"ER  - {RIS_EOL}{RIS_EOL}"
