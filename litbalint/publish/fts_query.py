"""A search box's text as an FTS5 query, Chinese segmented with the index's jieba dictionary
and every term of the synonym table (litbalint/synonyms.py) searched with its variants."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from litbalint.synonyms import SynonymGroup, synonym_table
from litbalint.zh import fts_tokens, index_phrase, query_text, segment_query

_QUOTED = re.compile(r'"([^"]*)"')
MAX_ALTERNATIVES = 64  # OR terms a query may gain from synonyms; later terms stay as typed


@dataclass
class _Budget:
    left: int = MAX_ALTERNATIVES


def escape_fts(query: str | None) -> str:
    """A user's query as an FTS5 query: Chinese runs cut into the index's words, every word
    quoted (so FTS5 syntax characters are plain text), all words required, a word without
    letters or digits left out. An unquoted word or words that are a synonym table term become
    an OR group of the term's variants: 职业倦怠 -> ("职业倦怠" OR "职业枯竭" OR ...). A phrase
    in double quotes stays that phrase, without variants. Only the query's first
    zh.MAX_QUERY_CHARS characters are read (it is an SQL function anyone can call)."""
    query = query_text(query) if isinstance(query, str) else ""
    if not query:
        return '""'
    parts: list[str] = []
    budget = _Budget()
    position = 0
    for match in _QUOTED.finditer(query):
        parts += _words(query[position : match.start()], budget)
        phrase = index_phrase(match.group(1))
        if phrase:
            parts.append(_quote(phrase))
        position = match.end()
    parts += _words(query[position:].replace('"', " "), budget)
    # FTS5 takes a bare space (implicit AND) between phrases only, not next to a bracket
    joiner = " AND " if any(part.startswith("(") for part in parts) else " "
    return joiner.join(parts) or '""'


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _words(text: str, budget: _Budget) -> list[str]:
    words = [word for word in segment_query(text) if fts_tokens(word)]
    parts: list[str] = []
    position = 0
    for found in synonym_table().find(words):
        parts += [_quote(word) for word in words[position : found.start]]
        variants = _variants(found.group)
        if len(variants) > 1 and len(variants) <= budget.left:
            budget.left -= len(variants)
            parts.append("(" + " OR ".join(variants) + ")")
        else:
            parts += [_quote(word) for word in words[found.start : found.end]]
        position = found.end
    return parts + [_quote(word) for word in words[position:]]


@cache
def _variants(group: SynonymGroup) -> tuple[str, ...]:
    """A group's terms as FTS5 phrases, each once (burn-out and burn out are one phrase)."""
    phrases: dict[str, str] = {}
    for term in group.terms:
        phrase = index_phrase(term)
        phrases.setdefault(phrase.casefold(), _quote(phrase))
    return tuple(phrases.values())
