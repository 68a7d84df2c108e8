"""Chinese word segmentation with the domain dictionary: one place, so index and queries agree.

SQLite's unicode61 tokenizer makes a whole run of CJK characters one token, so Chinese text is
segmented with jieba before indexing (and queries before matching). The index gets every word
of the precise cut plus all dictionary words inside it (住院医师培训 -> 住院 医师 住院医师 培训
住院医师培训), so a query for any of them matches; a query gets the precise cut. No HMM:
dictionary words only, so the same string always segments the same way.
"""

from __future__ import annotations

import logging
import re
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from litbalint.cache import cached, file_stamp
from litbalint.resources import USER_DICTIONARY, packaged_path

if TYPE_CHECKING:
    import jieba

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_TOKEN = re.compile(r"[^\W_]+")  # a run of letters and digits: what FTS5's unicode61 keeps
# The most of a user's query anything reads (the search, its translation, `escape_fts`, the
# SQL functions, segmentation): the rest is left out, so no query costs more than this much.
MAX_QUERY_CHARS = 500


@cache
def tokenizer() -> jieba.Tokenizer:
    """A jieba tokenizer with the domain dictionary loaded (built once per process; jieba is
    imported only then: 0.14 s a command that reads no Chinese does not pay). jieba's own
    dictionary comes from litbalint's cache (`litbalint/cache.py`): 0.3 s instead of jieba's
    0.8 s from its cache in the temporary folder."""
    jieba = _import_jieba()
    jieba.setLogLevel(logging.WARNING)
    segmenter = jieba.Tokenizer()
    dictionary = Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME
    if dictionary.is_file():
        sources = [jieba.__version__, file_stamp(dictionary)]
        segmenter.FREQ, segmenter.total = cached("jieba", sources, lambda: _prefixes(segmenter))
        segmenter.initialized = True
    segmenter.load_userdict(str(packaged_path(USER_DICTIONARY)))
    return segmenter


def _import_jieba() -> Any:
    """jieba, without the pkg_resources it imports when it can (0.13 s, and deprecated) only to
    open its own dictionary file, which it then opens by its path."""
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import fails
    try:
        import jieba
    finally:
        if blocked and sys.modules.get("pkg_resources", False) is None:
            del sys.modules["pkg_resources"]
    return jieba


def _prefixes(segmenter: jieba.Tokenizer) -> tuple[dict[str, int], int]:
    """jieba's prefix dictionary and total count, as jieba builds them."""
    segmenter.initialize()
    return segmenter.FREQ, segmenter.total


def _segment(text: str, cut) -> str:
    """`cut(segmenter, run)` is called only when the text has CJK (loading jieba takes ~1 s)."""

    def replace(match: re.Match[str]) -> str:
        words = [w for w in cut(tokenizer(), match.group(0)) if w.strip()]
        return " " + " ".join(words) + " "

    return " ".join(_CJK_RUN.sub(replace, text).split())


def has_cjk(text: str) -> bool:
    return _CJK_RUN.search(text) is not None


def segment_for_index(text: str | None) -> str:
    """Text for the full-text index: CJK runs become space-separated words and sub-words."""
    if not text:
        return ""
    return _segment(text, _with_subwords)


def _with_subwords(segmenter: jieba.Tokenizer, run: str) -> list[str]:
    words: list[str] = []
    for word in segmenter.cut(run, HMM=False):
        frequencies = segmenter.FREQ  # built by the first cut
        for start in range(len(word) - 1):
            for end in range(start + 2, len(word) + 1):
                part = word[start:end]
                if part != word and frequencies.get(part):
                    words.append(part)
        words.append(word)
    return words


def query_text(text: str | None) -> str:
    """A user's query as read: white space collapsed, at most MAX_QUERY_CHARS characters, no
    half of a Latin word at the end."""
    words = " ".join((text or "")[: 4 * MAX_QUERY_CHARS].split())
    if len(words) <= MAX_QUERY_CHARS:
        return words
    cut = words[:MAX_QUERY_CHARS]
    head, _, last = cut.rpartition(" ")
    return head if head and words[MAX_QUERY_CHARS] != " " and not has_cjk(last) else cut


def query_cut(text: str | None) -> bool:
    """Whether `query_text` leaves part of this query out."""
    return len(" ".join((text or "")[: 4 * MAX_QUERY_CHARS + 1].split())) > MAX_QUERY_CHARS


def segment_query(text: str) -> list[str]:
    """A user's query as words (its first MAX_QUERY_CHARS characters): CJK runs cut
    precisely, other text split on white space."""
    cut = _segment(text[:MAX_QUERY_CHARS], lambda segmenter, run: segmenter.cut(run, HMM=False))
    return cut.split()


def fts_tokens(text: str) -> list[str]:
    """The tokens FTS5's unicode61 makes of segmented text: runs of letters and digits
    (burn-out -> burn, out; COVID-19 -> COVID, 19)."""
    return _TOKEN.findall(text)


def index_phrase(text: str) -> str:
    """Text as the index's tokens in order, space-separated, for an FTS5 phrase. One query
    word stays one word (found wherever the index has it, also inside a longer word); several
    are cut as the index cuts them, sub-words included, so that the phrase's tokens are next to
    each other there too (住院医师职业倦怠 -> 住院 医师 住院医师 职业 倦怠 职业倦怠)."""
    words = segment_query(text)
    segmented = words[0] if len(words) == 1 else segment_for_index(text)
    return " ".join(fts_tokens(segmented))
