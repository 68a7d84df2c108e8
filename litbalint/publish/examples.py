"""The example searches the site and README show, in one place (tests check that each finds
something in the bundled corpus and that README lists exactly these)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    """A search box query and what it demonstrates."""

    query: str
    shows: str
    featured: bool = True  # shown as a link on the landing and search pages


EXAMPLES: tuple[Example, ...] = (
    Example("巴林特小组", "Chinese unsegmented; also finds its variants 巴林特团体, 巴林特组"),
    Example("巴林特", "a dictionary word inside a longer one: finds 巴林特小组", featured=False),
    Example("职业倦怠", "a synonym: finds 职业枯竭 (and 职业耗竭, 倦怠)"),
    Example("住院医师", "also finds 住院医生"),
    Example(
        "全科医生职业倦怠", "two words, both required, each with its variants: 全科医师, 职业枯竭"
    ),
    Example("同伴支持", "also finds 朋辈支持, 同伴互助, 同辈支持, 同侪支持"),
    Example("burnout", "English, also finds burn-out and burn out"),
    Example(
        "general practitioners",
        "stemmed (plural), a term of two words, also finds GP",
        featured=False,
    ),
    Example('"peer support"', "a phrase in double quotes: those words in that order, no variants"),
    Example('"Balint group"', "a phrase; Balint groups matches too (stemming)", featured=False),
    Example("Balint 住院医师", "English and Chinese mixed: every word required", featured=False),
)
FEATURED: tuple[str, ...] = tuple(example.query for example in EXAMPLES if example.featured)
