"""The topics: each is one entry of the topics file (its PubMed query, its labels in English and
Chinese, the rule that assigns it to imported articles, its chart colour). Everything else is
derived from that entry: the harvest's searches, the rule topics on import, the labels on pages
and the chart's series.

The file is `$LITBALINT_TOPICS`, else the one shipped in the package (bundled/topics.yml); the
commands that use it also take `--topics FILE`. A rule is a list of `match` patterns (Python
regular expressions, case-insensitive) and optional `except` patterns: a text has the topic when
a match starts outside every `except` match (so "Bálint syndrome", a neurological disorder, is
not a Balint group while a text naming both still is). An `except` text is looked for within
NEAR characters of the match.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from litbalint.errors import LitbalintError
from litbalint.resources import TOPICS, packaged_path

ENVIRONMENT = "LITBALINT_TOPICS"
# Okabe-Ito: distinguishable with the common colour-vision deficiencies; a topic without a
# `colour` takes the next one by its place in the file
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
NEAR = 100  # an `except` text is looked for this many characters around each match


@dataclass(frozen=True)
class TopicRule:
    """Which texts belong to a topic: a `match` occurrence that no `exclude` occurrence covers.
    `hints`: for each alternative of `match`, the lower-case words every match of it contains
    (None: some alternative has none); a text holding no alternative's words is not searched
    (a substring test is ~20 times cheaper than the regex)."""

    match: re.Pattern[str]
    exclude: re.Pattern[str] | None = None
    hints: tuple[tuple[str, ...], ...] | None = None

    def matches(self, text: str, lowered: str | None = None) -> bool:
        if self.hints is not None and not self._hinted(
            text.lower() if lowered is None else lowered
        ):
            return False
        if self.exclude is None:
            return self.match.search(text) is not None
        for found in self.match.finditer(text):
            start = found.start()
            near = self.exclude.finditer(text, max(0, start - NEAR), found.end() + NEAR)
            if not any(e.start() <= start < e.end() for e in near):
                return True
        return False

    def _hinted(self, lowered: str) -> bool:
        assert self.hints is not None
        for words in self.hints:  # plain loops: this runs for every record imported
            for word in words:
                if word not in lowered:
                    break
            else:
                return True
        return False


@dataclass(frozen=True)
class Topic:
    name: str  # the key stored in articles.topics: "balint"
    query: str  # PubMed's search syntax, dates left out
    label_en: str  # what readers see: "Balint groups"
    label_zh: str  # 巴林特小组
    colour: str  # its series in the chart: "#0072B2"
    rule: TopicRule | None = None  # None: only harvested articles get the topic
    description: str = ""


def topics_for_text(topics: Iterable[Topic], *texts: str | None) -> list[str]:
    """Names of the topics whose rule matches any of the texts (title, abstract, keywords...),
    sorted."""
    joined = "\n".join(t for t in texts if t)
    lowered = joined.lower()
    return sorted(t.name for t in topics if t.rule is not None and t.rule.matches(joined, lowered))


def configured_path() -> Path:
    """The topics file: $LITBALINT_TOPICS, else the one shipped with litbalint."""
    return Path(os.environ.get(ENVIRONMENT) or packaged_path(TOPICS))


def configured_topics() -> tuple[Topic, ...]:
    """The topics of the configured file (read once per path)."""
    return _cached(str(configured_path()))


@lru_cache(maxsize=4)
def _cached(path: str) -> tuple[Topic, ...]:
    return tuple(load_topics(Path(path)))


def load_topics(path: Path) -> list[Topic]:
    """The topics file: `topics: {name: {query, label: {en, zh}, rule, colour, description}}`.
    A mistake in it is one line naming the file, the topic and what to fix."""
    import yaml  # only when the file is read: `litbalint stats` never needs it

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LitbalintError(f"{path}: cannot read the topics file ({error.strerror})") from None
    except UnicodeDecodeError:
        raise LitbalintError(f"{path}: not UTF-8 text; save the topics file as UTF-8") from None
    except yaml.YAMLError as error:
        raise LitbalintError(f"{path}: not valid YAML ({error})".replace("\n", " ")) from None
    entries = (data or {}).get("topics") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise LitbalintError(f"{path}: expected 'topics:' with at least one named topic")
    return [
        _topic(path, str(name), entry, place) for place, (name, entry) in enumerate(entries.items())
    ]


Complaint = Callable[[str], LitbalintError]


def _topic(path: Path, name: str, entry: object, place: int) -> Topic:
    def wrong(what: str) -> LitbalintError:
        return LitbalintError(f"{path}: topic {name!r}: {what}")

    if not _NAME.fullmatch(name):
        raise wrong("a name is lower-case letters, digits and _ (it is stored in the database)")
    if not isinstance(entry, dict):
        raise wrong("expected query, label, rule and colour under it")
    query = entry.get("query")
    if not isinstance(query, str) or not query.strip():
        raise wrong("has no 'query'")
    labels = entry.get("label")
    if not isinstance(labels, dict):
        labels = {}
    colour = str(entry.get("colour") or PALETTE[place % len(PALETTE)])
    if not _COLOUR.fullmatch(colour):
        raise wrong(f"colour {colour!r} is not a #RRGGBB colour")
    return Topic(
        name=name,
        query=" ".join(query.split()),
        label_en=str(labels.get("en") or name.replace("_", " ")),
        label_zh=str(labels.get("zh") or labels.get("en") or name.replace("_", " ")),
        colour=colour,
        rule=_rule(entry.get("rule"), wrong),
        description=" ".join(str(entry.get("description", "")).split()),
    )


def _rule(entry: object, wrong: Complaint) -> TopicRule | None:
    if entry is None:
        return None
    if not isinstance(entry, dict) or not entry.get("match"):
        raise wrong("a rule needs 'match:' (a list of patterns) and may have 'except:'")
    exclude = entry.get("except")
    match = _pattern(entry["match"], wrong)
    return TopicRule(match, _pattern(exclude, wrong) if exclude else None, _hints(match.pattern))


def _pattern(patterns: object, wrong: Complaint) -> re.Pattern[str]:
    items: Sequence[object] = patterns if isinstance(patterns, list) else [patterns]
    for item in items:
        if not isinstance(item, str) or not item:
            raise wrong(f"rule pattern {item!r} is not a text")
        try:
            re.compile(item)
        except re.error as error:
            raise wrong(f"rule pattern {item!r} is not a regular expression ({error})") from None
    return re.compile("|".join(f"(?:{item})" for item in items), re.IGNORECASE)


def _hints(pattern: str) -> tuple[tuple[str, ...], ...] | None:
    """For each alternative of `pattern`, the lower-case words every match of it contains: its
    runs of two or more plain characters outside any group or repeat; None when an alternative
    has no such run (the regex then runs on every text)."""
    if sys.version_info >= (3, 11):  # the standard library's own reading of the pattern
        from re import _parser
    else:
        import sre_parse as _parser

    hints = []
    for alternative in _alternatives(_parser.parse(pattern, re.IGNORECASE).data):
        runs, run = [], ""
        for op, value in [*alternative, ("END", None)]:
            if str(op) == "LITERAL":
                run += chr(value)
            elif str(op) != "AT":  # a boundary (\b, ^) is not a character: the run goes on
                runs.append(run)
                run = ""
        words = tuple(dict.fromkeys(r.lower() for r in runs if len(r) >= 2))
        if not words:
            return None
        hints.append(words)
    return tuple(dict.fromkeys(hints))


def _alternatives(items: list) -> list[list]:
    """The sequences a parsed pattern is a choice of (nested non-capturing groups opened)."""
    while len(items) == 1 and str(items[0][0]) == "SUBPATTERN" and items[0][1][0] is None:
        items = list(items[0][1][3])
    if len(items) == 1 and str(items[0][0]) == "BRANCH":
        return [seq for branch in items[0][1][1] for seq in _alternatives(list(branch))]
    return [items]
