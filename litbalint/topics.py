"""Keyword rules that give imported articles their topics (harvested ones get the query's).

Bálint syndrome (a neurological disorder) is not a Balint group: a "Balint" directly followed
by "syndrome" (or 巴林特 by 综合征) does not count.
"""

from __future__ import annotations

import re

TOPICS = ("balint", "peer_support")

_PEER_SUPPORT_ZH = ("同伴支持", "朋辈支持", "同辈支持", "同侪支持")
_RULES: dict[str, re.Pattern[str]] = {
    "balint": re.compile(
        r"\bB[aá]lint\b(?!['’]?s?\s+(?:syndrome|syndromes)\b)|巴林特(?!氏?综合征|症)",
        re.IGNORECASE,
    ),
    "peer_support": re.compile(
        r"\bpeer[\s-]+(?:to[\s-]+peer[\s-]+)?support(?:s|ed|ing|ers?)?\b"
        r"|\bpeer[\s-]+supporters?\b|" + "|".join(_PEER_SUPPORT_ZH),
        re.IGNORECASE,
    ),
}
# A rule can only match where one of its words occurs: a cheap test before the regex.
_HINTS: dict[str, tuple[str, ...]] = {
    "balint": ("balint", "bálint", "巴林特"),
    "peer_support": ("peer", *_PEER_SUPPORT_ZH),
}


def topics_for_text(*texts: str | None) -> list[str]:
    """Topics whose rule matches any of the texts (title, abstract, keywords...), sorted."""
    joined = "\n".join(t for t in texts if t)
    lowered = joined.lower()
    return [
        topic
        for topic in TOPICS
        if any(hint in lowered for hint in _HINTS[topic]) and _RULES[topic].search(joined)
    ]
