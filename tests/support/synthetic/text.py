"""Text and citation heads of synthetic records.

A token is (XML, plain English, Chinese): a sentence is drawn once and rendered three ways, so
the XML abstract, the page copy's English and its Chinese say the same thing sentence by
sentence. Words follow a Zipf law over the vocabulary of words.py.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass, field

from tests.support.synthetic import words as W

Token = tuple[str, str, str]  # (XML, plain English, Chinese)
MATHML = (
    '<mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:msub><mml:mi>V</mml:mi>'
    "<mml:mrow><mml:mn>O</mml:mn><mml:mn>2</mml:mn></mml:mrow></mml:msub></mml:math>"
)
VOCAB = W.vocabulary()
CUM = list(itertools.accumulate(1 / (rank + 2.7) ** 1.05 for rank in range(len(VOCAB))))
CONTENT_START = W.FUNCTION.count(":")  # keywords come from the content words
MESH = W.MESH.split("|")
MARKUP: list[Token] = [
    ("<i>P</i> &lt; 0.05", "P < 0.05", "P < 0.05"),
    ("<i>P</i> = 0.01", "P = 0.01", "P = 0.01"),
    ("CO<sub>2</sub>", "CO2", "CO2"),
    ("10<sup>-3</sup>", "10^-3", "10^-3"),
    ("<i>in vitro</i>", "in vitro", "体外"),
    ("<b>not</b>", "not", "未"),
]
BALINT_GROUPS: Token = ("Balint groups", "Balint groups", "巴林特小组")
PEER_SUPPORT: Token = ("peer support", "peer support", "同伴支持")
BALINT_SYNDROME: Token = ("Balint syndrome", "Balint syndrome", "巴林特综合征")
Topics = list[tuple[float, Token]]  # (share of records, phrase); the rest have no topic
TOPICS: Topics = [(0.03, BALINT_GROUPS), (0.06, PEER_SUPPORT), (0.003, BALINT_SYNDROME)]
_CJK = re.compile(r"[\u3400-\u9fff]")


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


WORDS: list[Token] = [(esc(e), e, z) for e, z in VOCAB]  # sentence()'s tokens


def stream(seed: int, index: int, part: int) -> random.Random:
    """The random stream of one part of one record (0 ids, 1 head, 2 body)."""
    return random.Random((seed * 1_000_003 + index) * 8 + part)


def pmid_of(index: int) -> int:
    return 20_000_000 + 7 * index + (index * 31) % 7


# -- sentences -------------------------------------------------------------------------------


def sentence(rng: random.Random, low: int, high: int, extras: bool = True) -> list[Token]:
    tokens = rng.choices(WORDS, cum_weights=CUM, k=rng.randint(low, high))
    if extras and rng.random() < 0.25:
        number = str(rng.randint(2, 900))
        tokens.insert(rng.randint(1, len(tokens)), (number, number, number))
    if extras and rng.random() < 0.08:
        value = f"{rng.randint(1, 99)}.{rng.randint(0, 9)}%"
        tokens.insert(rng.randint(1, len(tokens)), (value, value, value))
    if extras and rng.random() < 0.06:
        n = f"(n = {rng.randint(8, 400)})"
        tokens.insert(rng.randint(1, len(tokens)), (n, n, n))
    if rng.random() < 0.05:
        acronym = rng.choice(W.ACRONYMS)
        tokens.insert(rng.randint(1, len(tokens)), (acronym, acronym, acronym))
    if extras and rng.random() < 0.05:
        tokens.insert(rng.randint(1, len(tokens)), rng.choice(MARKUP))
    for position in range(len(tokens) - 3, 3, -rng.randint(6, 9)):  # clauses
        tokens.insert(position, (",", ",", "、" if rng.random() < 0.15 else ","))
    xml, plain, zh = tokens[0]
    tokens[0] = (xml[:1].upper() + xml[1:], plain[:1].upper() + plain[1:], zh)
    return tokens


def english(tokens: list[Token], column: int = 1, end: str = ".") -> str:
    text = " ".join(t[column] for t in tokens).replace(" ,", ",")
    return text + end


def chinese(tokens: list[Token], end: str = "。") -> str:
    out: list[str] = []
    for _, _, piece in tokens:
        if not piece or (piece in ",、" and (not out or out[-1] in ",、")):
            continue
        if out and piece not in ",、" and out[-1] not in ",、":
            before, after = out[-1][-1], piece[0]
            if not (_CJK.match(before) and _CJK.match(after)):
                out.append(" ")
        out.append(piece)
    text = "".join(out).strip().rstrip(",、")
    return text + end


def with_topic(rng: random.Random, tokens: list[Token], topic: Token | None) -> list[Token]:
    if topic:
        tokens.insert(rng.randint(1, len(tokens)), topic)
    return tokens


# -- one record ------------------------------------------------------------------------------


@dataclass
class Ids:
    pmid: int
    doi: str | None
    doi_in_elocation: bool
    pmc: str | None
    pii: str | None


def ids_of(seed: int, index: int) -> Ids:
    rng = stream(seed, index, 0)
    doi = (
        f"10.{rng.randint(1000, 1300)}/{rng.choice('sjmb')}{index:07d}"
        if rng.random() < 0.85
        else None
    )
    pmc = f"PMC{5_000_000 + index}" if rng.random() < 0.25 else None
    pii = f"S{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}(24){index:05d}-X"
    return Ids(pmid_of(index), doi, rng.random() < 0.75, pmc, pii if rng.random() < 0.3 else None)


@dataclass
class Head:
    """What a citation of the record shows: ids, title, journal, date, volume, pages."""

    ids: Ids
    title: list[Token]
    topic: Token | None
    journal: int
    year: int
    month: int | None
    day: int | None
    season: str | None
    medline_date: str | None
    volume: str
    issue: str | None
    pages: str
    epub: tuple[int, int, int] | None

    @property
    def date_text(self) -> str:
        if self.medline_date:
            return self.medline_date
        parts = [str(self.year)]
        if self.month:
            parts.append(W.MONTHS[self.month - 1])
            if self.day:
                parts.append(str(self.day))
        elif self.season:
            parts.append(self.season)
        return " ".join(parts)

    def citation(self) -> str:
        issue = f"({self.issue})" if self.issue else ""
        line = f"{W.JOURNALS[self.journal][0]}. {self.date_text};{self.volume}{issue}:{self.pages}."
        if self.ids.doi:
            line += f" doi: {self.ids.doi}."
        if self.epub:
            year, month, day = self.epub
            line += f" Epub {year} {W.MONTHS[month - 1]} {day}."
        return line


def head_of(seed: int, index: int, topics: Topics = TOPICS) -> Head:
    """The head of record `index`, its topic drawn from `topics`."""
    rng = stream(seed, index, 1)
    share, topic = rng.random(), None
    for limit, phrase in topics:
        if share < limit:
            topic = phrase
            break
        share -= limit
    title = with_topic(rng, sentence(rng, 6, 15, extras=False), topic)
    year = min(2025, 1975 + int(50 * rng.random() ** 0.45))
    kind = rng.random()
    month = day = season = medline = None
    if kind < 0.80:
        month = rng.randint(1, 12)
        day = rng.randint(1, 28) if kind < 0.45 else None
    elif kind < 0.84:
        season = rng.choice(W.SEASONS)
    elif kind < 0.92:
        first = rng.randint(1, 11)
        medline = rng.choice(
            [
                f"{year} {W.MONTHS[first - 1]}-{W.MONTHS[first]}",
                f"{year} {rng.choice(W.SEASONS)}-{rng.choice(W.SEASONS)}",
                f"{year} Dec-{year + 1} Jan",
                f"{year}-{year + 1}",
            ]
        )
    first_page = rng.randint(1, 2000)
    pages = rng.choice(
        [f"{first_page}-{first_page + rng.randint(2, 14)}", f"e{rng.randint(10000, 99999)}"]
    )
    epub = (year, rng.randint(1, 12), rng.randint(1, 28)) if rng.random() < 0.4 else None
    return Head(
        ids=ids_of(seed, index),
        title=title,
        topic=topic,
        journal=min(len(W.JOURNALS) - 1, int(len(W.JOURNALS) * rng.random() ** 2)),
        year=year,
        month=month,
        day=day,
        season=season,
        medline_date=medline,
        volume=str(rng.randint(1, 80)),
        issue=str(rng.randint(1, 12)) if rng.random() < 0.85 else None,
        pages=pages,
        epub=epub,
    )


@dataclass
class Section:
    label: tuple[str, str, str] | None  # (English, Chinese, NlmCategory)
    sentences: list[list[Token]] = field(default_factory=list)


def abstract(
    rng: random.Random, topic: Token | None, bilingual: bool, short: bool = False
) -> list[Section]:
    """An abstract (15% of the English-only records have none), structured or plain, the
    topic in 1-3 of its sentences. `short` (the fake E-utilities' records): about a third of
    the sentences, of 8-20 words instead of 8-28."""
    if not bilingual and rng.random() < 0.15:
        return []
    longest = 20 if short else 28
    if rng.random() < 0.5:
        if rng.random() < 0.75:
            labels = [(e, z, e) for e, z in W.LABELS if e != "OBJECTIVE" or rng.random() < 0.4]
        else:
            (intro, methods, findings, discussion, conclusion) = W.OTHER_LABELS
            labels = [
                (*intro, "BACKGROUND"),
                (*methods, "METHODS"),
                (*findings, "RESULTS"),
                (*rng.choice([discussion, conclusion]), "CONCLUSIONS"),
            ]
        sections = [Section(label) for label in labels]
        for section in sections:
            results = section.label[2] == "RESULTS"
            if short:
                count = rng.randint(1, 2) if results else 1
            else:
                count = rng.randint(2, 5) if results else rng.randint(1, 3)
            section.sentences = [sentence(rng, 8, longest) for _ in range(count)]
    else:
        count = rng.randint(2, 4) if short else rng.randint(4, 10)
        sections = [Section(None, [sentence(rng, 8, longest) for _ in range(count)])]
    if topic:
        for _ in range(rng.randint(1, 3)):
            section = rng.choice(sections)
            with_topic(rng, rng.choice(section.sentences), topic)
    if not bilingual and rng.random() < 0.002:  # rare MathML (never in a bilingual record)
        section = rng.choice(sections)
        section.sentences[-1].append((MATHML, "VO2", "VO2"))
    return sections
