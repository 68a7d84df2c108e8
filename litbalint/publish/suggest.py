"""What to try when a search finds nothing: fewer filters, fewer words, the other language.

The other language comes from the domain glossary (`bundled/lexicon/glossary.tsv`, English
term -> Chinese terms, the aligner's dictionary): each glossary term found in the query is
replaced by its first counterpart, longest terms first. Pure functions.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from litbalint.publish.search_query import SearchRequest
from litbalint.resources import GLOSSARY, packaged_text
from litbalint.zh import has_cjk, segment_query

MAX_WORD_SUGGESTIONS = 4


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "unfiltered", "translated", "word"
    args: dict[str, str]  # the search to link to
    text: str  # what the link shows (the query, for "translated" and "word")


@functools.cache
def _glossary() -> tuple[dict[str, str], dict[str, str]]:
    """(English term -> first Chinese term, Chinese term -> English term), lower-cased English."""
    to_zh: dict[str, str] = {}
    to_en: dict[str, str] = {}
    for line in packaged_text(GLOSSARY).splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, _, chinese = line.partition("\t")
        terms = [term.strip() for term in chinese.split("|") if term.strip()]
        if english.strip() and terms:
            to_zh.setdefault(english.strip().lower(), terms[0])
            for term in terms:
                to_en.setdefault(term, english.strip())
    return to_zh, to_en


def translate(query: str) -> str | None:
    """The query with every glossary term it contains in the other language, or None when it
    contains none."""
    to_zh, to_en = _glossary()
    if has_cjk(query):
        words = segment_query(query)
        found = [to_en.get(word) for word in words]
        if not any(found):
            return None
        return " ".join(english or word for english, word in zip(found, words, strict=True))
    text, changed = query.lower(), False
    for term in sorted(to_zh, key=len, reverse=True):
        pattern = re.compile(rf"\b{re.escape(term)}s?\b")
        if pattern.search(text):
            text, changed = pattern.sub(f" {to_zh[term]} ", text), True
    return " ".join(text.split()) if changed else None


def suggestions(request: SearchRequest) -> list[Suggestion]:
    """Searches worth trying after this one found nothing."""
    found: list[Suggestion] = []
    if request.filtered:
        found.append(Suggestion("unfiltered", SearchRequest(request.query).args(), request.query))
    if request.query:
        translated = translate(request.query)
        if translated and translated != request.query:
            found.append(
                Suggestion("translated", request.args(q=translated, page=None), translated)
            )
        words = [w for w in segment_query(request.query.replace('"', " ")) if w.strip()]
        if len(words) > 1:
            for word in words[:MAX_WORD_SUGGESTIONS]:
                found.append(Suggestion("word", request.args(q=word, page=None), word))
    return found
