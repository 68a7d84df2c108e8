"""A search box's text as an FTS5 query, Chinese segmented with the index's jieba dictionary."""

from __future__ import annotations

import re

from litbalint.zh import segment_query

_QUOTED = re.compile(r'"([^"]*)"')


def escape_fts(query: str | None) -> str:
    """A user's query as an FTS5 query: Chinese runs cut into the index's words, every word
    quoted (so FTS5 syntax characters are plain text), all words required. A phrase in double
    quotes stays a phrase."""
    if not query:
        return '""'
    parts: list[str] = []
    position = 0
    for match in _QUOTED.finditer(query):
        parts += _words(query[position : match.start()])
        phrase = " ".join(segment_query(match.group(1)))
        if phrase:
            parts.append(_quote(phrase))
        position = match.end()
    parts += _words(query[position:].replace('"', " "))
    return " ".join(parts) or '""'


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _words(text: str) -> list[str]:
    return [_quote(word) for word in segment_query(text) if word.strip()]
