"""BibTeX entries (@article, @incollection, @book) with keys unique within one output.

Chinese: `title` and `abstract` hold the English title and abstract, or the Chinese ones when
there are no English ones; otherwise the Chinese title and abstract go, labelled, into `annote`.
Why (Zotero's BibTeX.js importer): `abstract` becomes the abstract, one field only; `note`,
`annote`, `comment` and `review` each become a child note; fields it does not know (`titleaddon`,
`origtitle`, ...) are dropped; and every run of whitespace in a value becomes one space, so
paragraphs cannot survive anyway. Of the note fields, `annote` is the one bibliography styles do
not print (`note` they do), and JabRef and biblatex keep it as a field of its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from litbalint.cite.parts import page_range, split_name
from litbalint.cite.record import MONTH_ABBREVIATIONS, CitedArticle, chinese_notes, clean

_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_TEX_PATTERN = re.compile("[" + re.escape("".join(_TEX_SPECIAL)) + "]")
_BIB_MONTHS = [m.lower() for m in MONTH_ABBREVIATIONS]  # the standard macros jan ... dec
_BIB_ENTRY_TYPES = {"article": "article", "chapter": "incollection", "book": "book"}


def tex_escape(text: str) -> str:
    """LaTeX's special characters escaped; everything else (non-ASCII too) kept as is."""
    return _TEX_PATTERN.sub(lambda m: _TEX_SPECIAL[m.group()], text)


_WORD_PUNCTUATION = re.compile(r"(\W*)(.*?)(\W*)", re.DOTALL)


def _tex_title(title: str) -> str:
    """Escaped, with words that have capitals past their first letter (COVID-19, CHC, mHealth)
    in braces so bibliography styles that lower-case titles leave them alone."""
    words = []
    for word in title.split():
        parts = _WORD_PUNCTUATION.fullmatch(word)  # matches every word
        lead, core, trail = parts.groups() if parts else ("", word, "")
        if any(c.isupper() for c in core[1:]):
            words.append(tex_escape(lead) + "{" + tex_escape(core) + "}" + tex_escape(trail))
        else:
            words.append(tex_escape(word))
    return " ".join(words)


def _bib_verbatim(text: str) -> str:
    """DOIs and URLs are verbatim fields (biblatex): not escaped, but braces must balance."""
    return text.strip().replace("{", "%7B").replace("}", "%7D")


def _bib_author(name: str) -> str:
    person = split_name(name)
    if person is None:  # a group: braces so BibTeX does not split it into names
        return "{" + tex_escape(name) + "}"
    first = " ".join(f"{initial}." for initial in person.initials)
    last = tex_escape(person.last_name)
    if person.suffix:
        return f"{last}, {person.suffix}, {first}"
    return f"{last}, {first}"


def _ascii(text: str) -> str:
    """Lower-case ASCII letters and digits only: 'Müller-Lyer' -> 'mullerlyer'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def bibtex_key(article: CitedArticle) -> str:
    """First author's surname + year + first title word, ASCII-folded: 'olivero2022virtual'."""
    surname = ""
    if article.authors:
        person = split_name(article.authors[0])
        surname = _ascii(person.last_name if person else article.authors[0].split()[0])
    word = ""
    for token in (article.title or "").split():
        word = _ascii(token)
        if word:
            break
    return f"{surname or 'anon'}{article.year or ''}{word}"


def bibtex(articles: Iterable[CitedArticle]) -> str:
    """One entry per article (@article; @incollection for a book chapter, @book for a book),
    keys unique within the output ('olivero2022virtual', 'olivero2022virtualb', ...)."""
    used: set[str] = set()
    entries = []
    for article in articles:
        base = bibtex_key(article)
        key, n = base, 1
        while key in used:
            n += 1
            key = base + _letters(n)
        used.add(key)
        entries.append(_bib_entry(key, article))
    return "\n".join(entries)


def _letters(n: int) -> str:
    """2 -> 'b', 26 -> 'z', 27 -> 'aa', ..."""
    text = ""
    n -= 1
    while True:
        text = chr(ord("a") + n % 26) + text
        n = n // 26 - 1
        if n < 0:
            return text


def _bib_entry(key: str, article: CitedArticle) -> str:
    kind = article.kind
    fields: list[tuple[str, str]] = []

    def add(name: str, value: str | None, *, raw: bool = False) -> None:
        value = clean(value)
        if value:
            fields.append((name, value if raw else tex_escape(value)))

    if article.authors:
        fields.append(("author", " and ".join(_bib_author(name) for name in article.authors)))
    title = article.title if kind != "book" else (article.title or clean(article.book_title))
    if title:
        fields.append(("title", _tex_title(title[:-1] if title.endswith(".") else title)))
    if kind == "article":
        add("journal", article.journal_title or article.journal)
        if article.journal_title and article.journal:
            add("shortjournal", article.journal)
    elif kind == "chapter":
        add("booktitle", article.book_title)
    add("publisher", article.publisher)
    add("year", str(article.year) if article.year else None)
    if article.month and 1 <= article.month <= 12:
        fields.append(("month", _BIB_MONTHS[article.month - 1]))  # a macro, not braced
    add("volume", article.volume)
    add("number", article.issue)
    first, last = page_range(article.pages)
    add("pages", f"{first}--{last}" if last else first)
    add("doi", _bib_verbatim(article.doi) if article.doi else None, raw=True)
    add("pmid", str(article.pmid) if article.pmid else None)
    add("pmcid", article.pmc)
    add("url", _bib_verbatim(article.url) if article.url else None, raw=True)
    add("abstract", article.abstract)
    add("keywords", ", ".join(clean(k) or "" for k in article.keywords))
    add("language", article.language)
    add("annote", " ".join(chinese_notes(article)))  # each part starts with its label
    lines = [f"@{_BIB_ENTRY_TYPES[kind]}{{{key},"]
    for name, value in fields:
        value = value if name == "month" else "{" + value + "}"
        lines.append(f"  {name} = {value},")
    lines.append("}")
    return "\n".join(lines) + "\n"
