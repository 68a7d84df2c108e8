"""Query translation for cross-lingual search: a Chinese query as an FTS5 query over the English
columns (and an English query over the Chinese ones), so it also finds articles that exist in
the other language only.

The query is cut into source terms (Chinese: jieba words, glossary terms of several words
matched longest first; English: FTS5 tokens, glossary, synonym and CC-CEDICT terms of up to
four words matched longest first); stop words, numbers and lone characters are left out. A
term's alternatives come from `bilingual.py`:

- the glossary, weight 1 (then 0.05 less for each later one);
- the learned lexicon, its Dice score (at most 0.9); beside the glossary's, only near-certain
  pairs (Dice >= LEARNED_SURE: 巴林特小组 -> Balint, as the corpus writes it, not 同伴支持 ->
  support); English to Chinese, only a Chinese word whose best English word it is;
- CC-CEDICT when the glossary does not know the term, 0.6 then 0.1 less each;
- each one's within-language variants (synonyms.tsv), 0.9 of its weight.

Latin words of a Chinese query are kept as typed. Every alternative is a quoted FTS5 phrase of
the index's tokens, so nothing a user types becomes FTS5 syntax. Caps: MAX_PER_TERM
alternatives a term, MAX_TERMS terms, MAX_ALTERNATIVES in all, zh.MAX_QUERY_CHARS of the query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from litbalint.align.learned_lexicon import CHINESE_STOPWORDS
from litbalint.align.lexicon import ENGLISH_STOPWORDS
from litbalint.bilingual import (
    LearnedLookup,
    cedict,
    english_term_key,
    gloss_text,
    glossary,
)
from litbalint.model import LearnedPair
from litbalint.synonyms import synonym_table, term_key
from litbalint.zh import (
    MAX_QUERY_CHARS,
    fts_tokens,
    has_cjk,
    index_phrase,
    segment_query,
    tokenizer,
)

MAX_PER_TERM = 6  # alternatives of one source term, best first
MAX_TERMS = 16  # source terms translated; later ones are left out
MAX_ALTERNATIVES = 64  # alternatives in the whole query
MAX_TERM_WORDS = 4  # the longest English term looked up, in words
ALL_TERMS_UP_TO = 3  # `fts` requires every term up to this many terms, any term beyond

ENGLISH_COLUMNS: tuple[str, ...] = ("title_en", "abstract_en", "keywords", "mesh_terms")
CHINESE_COLUMNS: tuple[str, ...] = ("title_zh", "abstract_zh", "keywords")

GLOSSARY, LEARNED, CEDICT, SYNONYM, AS_TYPED = "glossary", "learned", "cedict", "synonym", "typed"
LEARNED_MAX_WEIGHT = 0.9
LEARNED_SURE = 0.8  # a learned pair this strong is added even inside a glossary translation
CEDICT_WEIGHT, CEDICT_STEP = 0.6, 0.1
SYNONYM_SHARE = 0.9


@dataclass(frozen=True)
class Alternative:
    """A target-language rendering of a source term: its text, its weight (0-1, higher is
    surer), where it came from (glossary, learned, cedict, synonym, typed) and its FTS5
    phrase, quoted."""

    text: str
    weight: float
    source: str
    phrase: str


@dataclass(frozen=True)
class TermTranslation:
    """A source term of the query and its alternatives, best first (none: not translated)."""

    source: str
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True)
class Translation:
    """A query translated: languages, terms, and FTS5 queries over the target language's
    columns only — `fts_all` requires every translated term, `fts_any` any of them, `fts` is
    the one to use (all terms for up to ALL_TERMS_UP_TO, else any). The FTS5 strings are ""
    when no term has a translation."""

    query: str
    source_lang: str
    target_lang: str
    terms: tuple[TermTranslation, ...]
    columns: tuple[str, ...]
    fts_all: str
    fts_any: str

    @property
    def fts(self) -> str:
        translated = sum(bool(term.alternatives) for term in self.terms)
        return self.fts_all if translated <= ALL_TERMS_UP_TO else self.fts_any

    @property
    def fts_terms(self) -> tuple[str, ...]:
        """One FTS5 query per translated term (its alternatives, any of them), over the target
        language's columns: to rank articles by how many of the terms they have."""
        groups = dict.fromkeys(_group(term) for term in self.terms if term.alternatives)
        return tuple(_filtered(self.columns, [group], "") for group in groups)

    @property
    def target_words(self) -> tuple[str, ...]:
        """The target-language words searched for (each once, in order): what to highlight."""
        words = (
            word
            for term in self.terms
            for alternative in term.alternatives
            for word in alternative.phrase.strip('"').split()
        )
        return tuple(dict.fromkeys(words))


def translate_query(query: str, learned: LearnedLookup | None = None) -> Translation:
    """The query in the other language: Chinese (any CJK in it) to English, else English to
    Chinese. `learned`: the learned lexicon (None: glossary and CC-CEDICT only)."""
    text = query[:MAX_QUERY_CHARS].replace('"', " ")
    if has_cjk(text):
        found = _from_chinese(text, learned)
        source, target, columns = "zh", "en", ENGLISH_COLUMNS
    else:
        found = _from_english(text, learned)
        source, target, columns = "en", "zh", CHINESE_COLUMNS
    terms = _capped(found)
    groups = list(dict.fromkeys(_group(term) for term in terms if term.alternatives))
    return Translation(
        query=query,
        source_lang=source,
        target_lang=target,
        terms=tuple(terms),
        columns=columns,
        fts_all=_filtered(columns, groups, " AND "),
        fts_any=_filtered(columns, groups, " OR "),
    )


# -- Chinese to English --------------------------------------------------------------------


def _from_chinese(text: str, learned: LearnedLookup | None) -> Iterator[TermTranslation]:
    """The query's terms, translated one by one as they are asked for (a long query stops
    being translated at the caps: `_capped`)."""
    for span in _spans(segment_query(text), lambda words: "".join(words) in glossary().to_english):
        term = "".join(span)
        if has_cjk(term):
            if len(term) > 1 and term not in CHINESE_STOPWORDS:
                alternatives = _english_for(term, learned)
                if alternatives or len(term) < 3:
                    yield TermTranslation(term, alternatives)
                else:  # a compound no dictionary has: its known words (同伴支持服务)
                    pieces = _known_pieces(term)
                    yield from (TermTranslation(p, _english_for(p, learned)) for p in pieces)
                    if not pieces:
                        yield TermTranslation(term, ())
        elif _latin_word(term):
            typed = _english(term, 1.0, AS_TYPED)
            yield TermTranslation(term, _with_variants([typed], _english))


def _known_pieces(term: str) -> list[str]:
    """A Chinese compound cut into the words a dictionary knows, longest first from the left
    (同伴支持服务 -> 同伴支持, 服务; 社区卫生 -> 社区, 卫生); characters no word starts with
    are left out."""
    pieces: list[str] = []
    start = 0
    while start < len(term):
        end = next(
            (
                end
                for end in range(len(term) - (start == 0), start + 1, -1)
                if _known_chinese(term[start:end])
            ),
            None,
        )
        if end is None:
            start += 1
            continue
        if term[start:end] not in CHINESE_STOPWORDS:
            pieces.append(term[start:end])
        start = end
    return pieces


def _known_chinese(word: str) -> bool:
    return (
        word in glossary().to_english
        or word in cedict().to_english
        or term_key(word) in synonym_table().by_key
    )


def _latin_word(word: str) -> bool:
    """A Latin word of a Chinese query worth searching as typed (COVID-19, GP; not 12, n, or)."""
    tokens = fts_tokens(word)
    return (
        len("".join(tokens)) > 1
        and not all(token.isdigit() for token in tokens)
        and word.lower() not in ENGLISH_STOPWORDS
    )


def _english_for(term: str, learned: LearnedLookup | None) -> tuple[Alternative, ...]:
    alternatives: list[Alternative] = []
    for variant in _synonyms(term):  # the term itself first
        alternatives += [
            _english(english, 1.0 - 0.05 * n, GLOSSARY)
            for n, english in enumerate(glossary().to_english.get(variant, ()))
        ]
    from_glossary = bool(alternatives)
    if learned is not None:
        alternatives += [
            _english(pair.en, min(LEARNED_MAX_WEIGHT, pair.score), LEARNED)
            for pair in learned.english(term)
            if not from_glossary or pair.score >= LEARNED_SURE
        ]
    if not from_glossary:
        alternatives += [
            _english(gloss, CEDICT_WEIGHT - CEDICT_STEP * n, CEDICT)
            for n, gloss in enumerate(cedict().to_english.get(term, ()))
        ]
    return _with_variants(alternatives, _english)


def _english(text: str, weight: float, source: str) -> Alternative:
    return Alternative(text, round(weight, 3), source, _quote(" ".join(fts_tokens(text))))


# -- English to Chinese --------------------------------------------------------------------


def _from_english(text: str, learned: LearnedLookup | None) -> Iterator[TermTranslation]:
    for words in _spans(fts_tokens(text), _known_english):
        if len(words) == 1 and (
            words[0].lower() in ENGLISH_STOPWORDS or words[0].isdigit() or len(words[0]) < 2
        ):
            continue
        term = " ".join(words)
        yield TermTranslation(term, _chinese_for(term, learned))


def _known_english(words: list[str]) -> bool:
    """Whether these words are a glossary, CC-CEDICT or synonym-table term."""
    key = english_term_key(" ".join(words))
    return (
        key in glossary().to_chinese
        or bool(cedict().chinese(key))
        or term_key(" ".join(words)) in synonym_table().by_key
    )


def _chinese_for(term: str, learned: LearnedLookup | None) -> tuple[Alternative, ...]:
    alternatives: list[Alternative] = []
    for variant in _synonyms(term):
        alternatives += [
            _chinese(chinese, 1.0 - 0.05 * n, GLOSSARY)
            for n, chinese in enumerate(glossary().to_chinese.get(english_term_key(variant), ()))
        ]
    from_glossary = bool(alternatives)
    key = english_term_key(term)
    if learned is not None and len(key) == 1:
        alternatives += [
            _chinese(pair.zh, min(LEARNED_MAX_WEIGHT, pair.score), LEARNED)
            for pair in learned.chinese(key[0])
            if (not from_glossary or pair.score >= LEARNED_SURE) and _mutual(pair, learned)
        ]
    if not from_glossary:
        found = cedict().chinese(key) or cedict().chinese(tuple(gloss_text(term).split()))
        alternatives += [
            _chinese(chinese, CEDICT_WEIGHT - CEDICT_STEP * n, CEDICT)
            for n, chinese in enumerate(found)
        ]
    return _with_variants(alternatives, _chinese)


def _mutual(pair: LearnedPair, learned: LearnedLookup) -> bool:
    """Whether the English word is the Chinese word's best: a learned pair translates an
    English word only then, and not when another ties with it (医患互动 is learned with
    'doctor' and 'interaction' alike: the words of 'doctor-patient interaction', no
    translation of either alone)."""
    best = learned.english(pair.zh)
    return (
        bool(best)
        and best[0].en == pair.en
        and (len(best) == 1 or best[1].score < best[0].score)  # a tie: words of a phrase
    )


def _chinese(text: str, weight: float, source: str) -> Alternative:
    return Alternative(text, round(weight, 3), source, _quote(index_phrase(text)))


# -- both ----------------------------------------------------------------------------------


def _spans(words: list[str], known: Callable[[list[str]], bool]) -> Iterator[list[str]]:
    """The words cut into terms, left to right: at each place the longest run of up to
    MAX_TERM_WORDS words that is `known`, else one word."""
    start = 0
    while start < len(words):
        end = next(
            (
                end
                for end in range(min(len(words), start + MAX_TERM_WORDS), start + 1, -1)
                if known(words[start:end])
            ),
            start + 1,
        )
        yield words[start:end]
        start = end


def _synonyms(term: str) -> list[str]:
    """The term, then the other terms of its synonym group (synonyms.tsv)."""
    group = synonym_table().by_key.get(term_key(term))
    return [term, *(t for t in group.terms if t != term)] if group else [term]


def _with_variants(
    alternatives: Iterable[Alternative], make: Callable[[str, float, str], Alternative]
) -> tuple[Alternative, ...]:
    """The alternatives with their synonym-table variants, best first, each phrase once; a
    Chinese phrase containing a dictionary word that is an alternative too is left out (the
    index has the dictionary words inside words: 倦怠 finds 职业倦怠), and at most
    MAX_PER_TERM are kept."""
    found: list[Alternative] = []
    for alternative in alternatives:
        found.append(alternative)
        found += [
            make(variant, alternative.weight * SYNONYM_SHARE, SYNONYM)
            for variant in _synonyms(alternative.text)[1:]
        ]
    best: dict[str, Alternative] = {}
    for alternative in sorted(found, key=lambda a: -a.weight):
        if alternative.phrase != '""':
            best.setdefault(alternative.phrase.casefold(), alternative)
    kept = [a for a in best.values() if not any(_found_inside(o, a) for o in best.values())]
    return tuple(kept[:MAX_PER_TERM])


def _found_inside(shorter: Alternative, longer: Alternative) -> bool:
    """Whether the index finds `longer` (Chinese) by `shorter`, a dictionary word in it."""
    word = shorter.phrase.strip('"')
    return (
        shorter is not longer
        and has_cjk(word)
        and word in longer.phrase
        and bool(tokenizer().FREQ.get(word))
    )


def _capped(terms: Iterable[TermTranslation]) -> list[TermTranslation]:
    """Each source term once; at most MAX_TERMS translated terms and MAX_ALTERNATIVES
    alternatives in all; the terms after those are neither translated nor kept."""
    left, translated, capped = MAX_ALTERNATIVES, 0, []
    seen: set[str] = set()
    for term in terms:
        if translated >= MAX_TERMS or left <= 0:
            break
        if term.source.casefold() in seen:
            continue
        seen.add(term.source.casefold())
        alternatives = term.alternatives[:left]
        translated += bool(alternatives)
        left -= len(alternatives)
        capped.append(TermTranslation(term.source, alternatives))
    return capped


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _group(term: TermTranslation) -> str:
    phrases = [alternative.phrase for alternative in term.alternatives]
    return phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")"


def _filtered(columns: tuple[str, ...], groups: list[str], joiner: str) -> str:
    if not groups:
        return ""
    return "{" + " ".join(columns) + "} : (" + joiner.join(groups) + ")"
