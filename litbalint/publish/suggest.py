"""What to try when a search finds nothing: fewer filters, fewer words, the other language.

The other language is the query translation the search itself uses (crosslingual.py: the
glossary, then CC-CEDICT), each term's first rendering, a term without one as typed. Pure
functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from litbalint.align.learned_lexicon import CHINESE_STOPWORDS
from litbalint.align.lexicon import ENGLISH_STOPWORDS
from litbalint.crosslingual import translate_query
from litbalint.publish.search_query import SearchRequest
from litbalint.zh import segment_query

MAX_WORD_SUGGESTIONS = 4


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "unfiltered", "translated", "word"
    args: dict[str, str]  # the search to link to
    text: str  # what the link shows (the query, for "translated" and "word")


def translate(query: str) -> str | None:
    """The query in the other language, or None when none of its terms could be translated."""
    terms = translate_query(query).terms
    if not any(term.alternatives for term in terms):
        return None
    return " ".join(
        term.alternatives[0].text if term.alternatives else term.source for term in terms
    )


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
        words = [w for w in segment_query(request.query.replace('"', " ")) if _worth_alone(w)]
        if len(words) > 1:
            for word in words[:MAX_WORD_SUGGESTIONS]:
                found.append(Suggestion("word", request.args(q=word, page=None), word))
    return found


def _worth_alone(word: str) -> bool:
    """A word worth searching alone: not a stop word (对, the) or a lone letter."""
    word = word.strip()
    return len(word) > 1 and word not in CHINESE_STOPWORDS and word.lower() not in ENGLISH_STOPWORDS
