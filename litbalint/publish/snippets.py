"""Search snippets: FTS5's `snippet()` with private-use sentinel characters around the matches.

The Chinese columns of the index hold segmented text (words and the dictionary sub-words inside
them, separated by spaces: 巴林 巴林特 小组 巴林特小组), so a Chinese snippet is put back
together first: sub-words followed by the word that contains them are dropped (a highlighted
sub-word highlights its place in the word), and spaces between CJK characters and punctuation
are removed. The text is then escaped as a whole and the sentinels become `<mark>` tags (HTML)
or « » (JSON, plain text).
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

OPEN, CLOSE, ELLIPSIS = "\ue000", "\ue001", "\ue002"  # private use: never in the corpus
_CJK_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
_CJK = re.compile(  # ideographs, radicals, CJK and full-width punctuation
    r"[\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
)


def snippet_runs(snippet: str | None, chinese: bool = False) -> list[tuple[str, bool]]:
    """An FTS5 snippet (with OPEN/CLOSE/ELLIPSIS sentinels) as (text, highlighted) runs; for a
    Chinese column, sub-words dropped and the index's spaces between CJK characters removed."""
    if not snippet:
        return []
    # tokens as lists of (character, highlighted); the ellipses are tokens of their own
    tokens: list[list[tuple[str, bool]]] = []
    current: list[tuple[str, bool]] = []
    marked = False
    for char in snippet.replace(ELLIPSIS, f" {ELLIPSIS} "):
        if char == OPEN:
            marked = True
        elif char == CLOSE:
            marked = False
        elif char.isspace():
            if current:
                tokens.append(current)
            current = []
        else:
            current.append((char, marked))
    if current:
        tokens.append(current)
    if chinese:
        tokens = _drop_subwords(tokens)
    chars: list[tuple[str, bool]] = []
    for token in tokens:
        if chars and _keeps_space(chars[-1][0], token[0][0], chinese):
            chars.append((" ", chars[-1][1] and token[0][1]))
        chars += token
    runs: list[tuple[str, bool]] = []
    for char, flag in chars:
        char = "…" if char == ELLIPSIS else char
        if runs and runs[-1][1] == flag:
            runs[-1] = (runs[-1][0] + char, flag)
        else:
            runs.append((char, flag))
    return runs


def _drop_subwords(tokens: list[list[tuple[str, bool]]]) -> list[list[tuple[str, bool]]]:
    """The index writes each Chinese word after the dictionary words inside it, in order of
    their start (住院 住院医师 医师 培训 住院医师培训): right to left, the tokens just before a
    word that are shorter CJK words found inside it, at non-increasing positions, go; their
    highlighting moves to their place in the word."""
    kept: list[list[tuple[str, bool]]] = []
    index = len(tokens) - 1
    while index >= 0:
        word = tokens[index]
        text = "".join(char for char, _ in word)
        index -= 1
        if _CJK_WORD.fullmatch(text):
            flags = [flag for _, flag in word]
            last = len(text)
            while index >= 0:
                part = "".join(char for char, _ in tokens[index])
                position = text.find(part)
                if not (_CJK_WORD.fullmatch(part) and len(part) < len(text)):
                    break
                if position < 0 or position > last:
                    break
                for offset, (_, flag) in enumerate(tokens[index]):
                    flags[position + offset] = flags[position + offset] or flag
                last = position
                index -= 1
            word = list(zip(text, flags, strict=True))
        kept.append(word)
    kept.reverse()
    return kept


def _keeps_space(left: str, right: str, chinese: bool) -> bool:
    """A space from the index stays next to Latin letters and digits; between CJK characters
    (and between CJK and punctuation) it was put there by the segmentation."""
    if not chinese:
        return True
    if ELLIPSIS in (left, right):
        return False
    if left.isascii() and left.isalnum() or right.isascii() and right.isalnum():
        return True
    left_cjk, right_cjk = bool(_CJK.match(left)), bool(_CJK.match(right))
    return not (left_cjk or right_cjk)


def _with_sentinels(runs: list[tuple[str, bool]]) -> str:
    return "".join(f"{OPEN}{text}{CLOSE}" if flag else text for text, flag in runs)


def html_runs(runs: list[tuple[str, bool]]) -> Markup:
    """Escaped as a whole, then the sentinels become <mark> tags: nothing else is markup."""
    escaped = html.escape(_with_sentinels(runs), quote=True)
    return Markup(escaped.replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))


def plain(runs: list[tuple[str, bool]]) -> str:
    """Plain text, the highlighted parts in « »."""
    return _with_sentinels(runs).replace(OPEN, "«").replace(CLOSE, "»")
