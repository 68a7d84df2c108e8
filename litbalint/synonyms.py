"""Groups of equivalent search terms (bundled/lexicon/synonyms.tsv), found in a query's words.

A term is matched on the query's words as `zh.segment_query` cuts them, compared by their
FTS5 tokens (case, punctuation and a plural s aside: GPs = GP, burn-out = burn out), longest
term first, so a term of several words (general practitioner; a Chinese term jieba cuts in
two) is found as a whole. The table is read once per process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from litbalint.errors import LitbalintError
from litbalint.resources import SYNONYMS, packaged_text
from litbalint.zh import fts_tokens, segment_query

Key = tuple[str, ...]


@dataclass(frozen=True)
class SynonymGroup:
    """Equivalent terms as written in the table, and the table's line."""

    terms: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Found:
    """Query words `start` to `end` (exclusive) are a term of `group`."""

    start: int
    end: int
    group: SynonymGroup


@dataclass(frozen=True)
class SynonymTable:
    groups: tuple[SynonymGroup, ...]
    by_key: dict[Key, SynonymGroup]
    longest: int  # the most tokens in a term: no match spans more words

    def find(self, words: Sequence[str]) -> list[Found]:
        """The terms among `words`, left to right, the longest at each place."""
        keys = [word_key(word) for word in words]
        found: list[Found] = []
        start = 0
        while start < len(words):
            match = self._longest_at(keys, start)
            if match:
                found.append(match)
                start = match.end
            else:
                start += 1
        return found

    def _longest_at(self, keys: list[Key], start: int) -> Found | None:
        span: list[Key] = []
        for key in keys[start : start + self.longest]:
            if not key:  # punctuation alone: a term never runs across it
                break
            span.append(key)
        for end in range(len(span), 0, -1):
            group = self.by_key.get(tuple(token for key in span[:end] for token in key))
            if group:
                return Found(start, start + end, group)
        return None


def word_key(word: str) -> Key:
    """A word as compared with the table's terms: its FTS5 tokens, case-folded, without a
    plural s (GPs -> gp; burn-out -> burn, out)."""
    return tuple(_singular(token.casefold()) for token in fts_tokens(word))


def _singular(token: str) -> str:
    if len(token) > 2 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def term_key(term: str) -> Key:
    """A term's tokens as a query containing it would give them."""
    return tuple(token for word in segment_query(term) for token in word_key(word))


def parse_synonyms(text: str, name: str = "synonyms.tsv") -> SynonymTable:
    """The table from its text: `term|term|...` a line, # comments; a term in two groups, a
    group of one term or a term without letters or digits is an error."""
    groups: list[SynonymGroup] = []
    by_key: dict[Key, SynonymGroup] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        group = SynonymGroup(tuple(t.strip() for t in line.split("|") if t.strip()), number)
        if len(group.terms) < 2:
            raise LitbalintError(f"{name} line {number}: a group needs two terms or more")
        for term in group.terms:
            key = term_key(term)
            other = by_key.get(key)
            if not key:
                raise LitbalintError(f"{name} line {number}: {term!r} has no letters or digits")
            if other and other is not group:
                raise LitbalintError(
                    f"{name} line {number}: {term!r} is already in the group of line {other.line}"
                )
            by_key[key] = group
        groups.append(group)
    return SynonymTable(tuple(groups), by_key, max((len(key) for key in by_key), default=0))


@cache
def synonym_table() -> SynonymTable:
    """The bundled table (read and segmented once per process)."""
    return parse_synonyms(packaged_text(SYNONYMS))
