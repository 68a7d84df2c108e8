"""A bilingual lexicon learned from the corpus's own aligned beads: word pairs that keep
turning up together.

Each confident bead (an English sentence group and its Chinese counterpart) gives two sets of
words: jieba words of two or more Chinese characters, and English words as the search index
matches them (lower-cased, a plural s dropped: `groups` -> `group`). Pairs seen together in at
least MIN_LINKS beads, more often than chance (Dunning's G² >= MIN_LLR) and with a Dice
coefficient of at least MIN_DICE are candidates; they are then linked competitively (Melamed
2000): bead by bead, the candidate a dictionary knows (glossary or CC-CEDICT), else the one
with the highest Dice, is linked first and neither of its words is linked again in that bead,
so a word that merely shares sentences with a real pair (`study` beside 巴林特小组 ↔ Balint)
loses to it. A pair is kept when it was linked in MIN_LINKS beads (MIN_LINKS_NEW when the
dictionaries know the Chinese word, but not as this English word), in at least MIN_SHARE of
the beads where both occur, with a Dice over links of MIN_DICE or more; a Chinese word keeps
its MAX_PER_WORD best English words. Pure: beads in, pairs out.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from litbalint.align.lexicon import ENGLISH_STOPWORDS
from litbalint.model import BeadText, LearnedPair
from litbalint.zh import tokenizer

LEARNER_VERSION = 1  # bump when the learning changes: stored lexicons are learned again
MIN_BEAD_SCORE = 0.5  # beads learned from: not low_confidence and scored at least this
MIN_LINKS = 2  # beads in which the pair was linked
MIN_LINKS_NEW = 3  # the same, for a pair the dictionaries contradict
MIN_SHARE = 0.5  # linked in at least this share of the beads where both words occur
MIN_DICE = 0.3  # 2 * links / (beads with the Chinese word + beads with the English word)
MIN_LLR = 10.83  # Dunning's G² of the two words' co-occurrence (p < 0.001 by chance)
MAX_PER_WORD = 3  # English words kept per Chinese word, best first
MAX_WORDS = 60  # a bead with more words on a side (a whole-abstract block) teaches nothing

_ENGLISH = re.compile(r"[A-Za-z]+")
_CHINESE_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
# Chinese function words and fillers jieba keeps as words: no English word translates them
CHINESE_STOPWORDS = frozenset(
    """
    我们 你们 他们 她们 它们 自己 这些 那些 这个 那个 这种 这样 一个 一种 一些 以及 并且 而且
    或者 但是 然而 因此 所以 因为 由于 如果 虽然 通过 进行 可以 能够 已经 没有 其中 之间 之后
    之前 以上 以下 对于 关于 并未 是否 以便 为了 及其 等等 其他 一项 本文 本研究 基于
    """.split()
)


def english_key(word: str) -> str:
    """An English word as the learned lexicon keeps it: lower-cased, without a plural s
    (groups -> group; FTS5's Porter stemmer matches both)."""
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"  # studies -> study
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "is", "us")):
        return word[:-1]
    return word


def english_words(text: str) -> tuple[str, ...]:
    """The distinct content words of an English text, as keys, in order."""
    words = (
        english_key(token)
        for token in _ENGLISH.findall(text)
        if len(token) > 1 and token.lower() not in ENGLISH_STOPWORDS
    )
    return tuple(dict.fromkeys(words))


def chinese_words(text: str) -> tuple[str, ...]:
    """The distinct jieba words of a Chinese text (two or more CJK characters), in order."""
    words = (
        word
        for run in _CHINESE_WORD.findall(text)
        for word in tokenizer().cut(run, HMM=False)
        if len(word) > 1 and word not in CHINESE_STOPWORDS
    )
    return tuple(dict.fromkeys(words))


def learn_lexicon(
    beads: Iterable[BeadText], known: Callable[[str, str], bool | None] | None = None
) -> list[LearnedPair]:
    """Word pairs learned from aligned beads, by Chinese word, best first. `known(zh, en)`:
    whether a dictionary pairs them (True: linked first in a bead; False: the dictionary
    knows the Chinese word but not as this English word, so the pair needs MIN_LINKS_NEW
    links; None: the dictionary does not know the Chinese word)."""
    verdict = known or (lambda z, e: None)
    tokenized = []
    for bead in beads:
        zh, en = chinese_words(bead.zh), english_words(bead.en)
        if zh and en and len(zh) <= MAX_WORDS and len(en) <= MAX_WORDS:
            tokenized.append((zh, en))
    total = len(tokenized)
    zh_count = Counter(word for zh, _ in tokenized for word in zh)
    en_count = Counter(word for _, en in tokenized for word in en)
    together: Counter[tuple[str, str]] = Counter()
    for zh, en in tokenized:
        common_zh = [z for z in zh if zh_count[z] >= MIN_LINKS]
        common_en = [e for e in en if en_count[e] >= MIN_LINKS]
        together.update(
            (z, e) for z in common_zh for e in common_en if _may_match(zh_count[z], en_count[e])
        )
    candidates: dict[str, dict[str, float]] = {}  # Chinese word -> English word -> Dice
    for (z, e), count in together.items():
        dice = 2 * count / (zh_count[z] + en_count[e])
        if (
            count >= MIN_LINKS
            and dice >= MIN_DICE
            and count * total > zh_count[z] * en_count[e]  # more often than by chance
            and log_likelihood(count, zh_count[z], en_count[e], total) >= MIN_LLR
        ):
            candidates.setdefault(z, {})[e] = dice + (1.0 if verdict(z, e) else 0.0)
    links = Counter(link for zh, en in tokenized for link in _competitive_links(zh, en, candidates))
    kept: dict[str, list[LearnedPair]] = {}
    for (z, e), count in links.items():
        score = 2 * count / (zh_count[z] + en_count[e])
        needed = MIN_LINKS_NEW if verdict(z, e) is False else MIN_LINKS
        if count >= needed and count >= MIN_SHARE * together[z, e] and score >= MIN_DICE:
            kept.setdefault(z, []).append(LearnedPair(z, e, count, round(score, 4)))
    return [
        pair
        for z in sorted(kept)
        for pair in sorted(kept[z], key=lambda p: (-p.score, -p.pairs, p.en))[:MAX_PER_WORD]
    ]


def _may_match(first: int, second: int) -> bool:
    """Whether words seen in `first` and `second` beads can reach MIN_DICE at all."""
    return 2 * min(first, second) >= MIN_DICE * (first + second)


def _competitive_links(
    zh: Sequence[str], en: Sequence[str], candidates: dict[str, dict[str, float]]
) -> list[tuple[str, str]]:
    """One bead's links: the most associated pair first, each word linked once. A Chinese
    word whose best English words still free tie is left unlinked in this bead (医患互动 with
    doctor, patient, interaction: words of one phrase, none its translation alone)."""
    english = set(en)
    ranked = sorted(
        (-score, z, e) for z in zh for e, score in candidates.get(z, {}).items() if e in english
    )
    tied: dict[tuple[str, float], list[str]] = {}
    for score, z, e in ranked:
        tied.setdefault((z, score), []).append(e)
    linked_zh: set[str] = set()
    linked_en: set[str] = set()
    links = []
    for score, z, e in ranked:
        if z in linked_zh or e in linked_en:
            continue
        linked_zh.add(z)
        if sum(other not in linked_en for other in tied[z, score]) == 1:
            linked_en.add(e)
            links.append((z, e))
    return links


def log_likelihood(together: int, first: int, second: int, beads: int) -> float:
    """Dunning's G² for two words seen `together` in `beads` (first, second: their counts)."""
    cells = (
        (together, first * second),
        (first - together, first * (beads - second)),
        (second - together, (beads - first) * second),
        (beads - first - second + together, (beads - first) * (beads - second)),
    )
    return 2 * sum(
        observed * math.log(observed * beads / expected)
        for observed, expected in cells
        if observed > 0 and expected > 0
    )
