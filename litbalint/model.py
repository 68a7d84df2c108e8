"""Typed records shared by every room: parsers produce them, the store writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EdgeKind = Literal["references", "cited_by", "similar"]
EDGE_KINDS: tuple[str, ...] = ("references", "cited_by", "similar")

MONTHS = {
    name: number
    for number, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}
SEASONS = ("spring", "summer", "fall", "autumn", "winter")


@dataclass
class PubDate:
    """A publication date as precise as the source gives it."""

    year: int | None = None
    month: int | None = None  # first month of a range ("Nov-Dec" -> 11)
    day: int | None = None
    season: str | None = None  # "Spring", "Summer", ... when the source gives a season
    text: str | None = None  # as printed: "2022 Nov", "2014 Nov-Dec", "1990 Spring"

    def iso(self) -> str | None:
        """ISO 8601 as precise as known: '2022', '2022-11' or '2022-11-21'."""
        if self.year is None:
            return None
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass
class ArticleIds:
    """The identifiers an article may carry; any of them can be missing."""

    pmid: int | None = None
    doi: str | None = None
    pmc: str | None = None  # "PMC10066008"
    pii: str | None = None

    def any(self) -> bool:
        return bool(self.pmid or self.doi or self.pmc)


@dataclass
class CitationLine:
    """One parsed citation line, e.g.
    'Int J Psychiatry Med. 2022 Nov;57(6):547-553. doi: 10.1177/x. Epub 2022 Aug 21.'"""

    text: str
    journal: str | None = None
    pub_date: PubDate = field(default_factory=PubDate)
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    epub_date: str | None = None  # ISO
    print_date: str | None = None  # ISO, from "Print 2019 Nov 19."
    pmid: int | None = None
    pmc: str | None = None
    invalid_pmid: str | None = None  # what follows "PMID:" when it is no PMID


@dataclass
class Author:
    """One author in list order; a group author has only collective_name."""

    last_name: str | None = None
    fore_name: str | None = None
    initials: str | None = None
    suffix: str | None = None
    collective_name: str | None = None
    orcid: str | None = None  # bare "0000-0002-4590-7461"
    affiliations: list[str] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        """'Olivero JM' (PubMed style), or the collective name."""
        if self.collective_name:
            return self.collective_name
        parts = [self.last_name or "", self.initials or self.fore_name or ""]
        name = " ".join(p for p in parts if p)
        return f"{name} {self.suffix}" if self.suffix else name


@dataclass
class Section:
    """One abstract section (or an unlabeled paragraph) in one language."""

    text: str  # plain text, readable without markup ("CO2")
    label: str | None = None  # as the source prints it: "MATERIALS AND METHODS", "背景"
    category: str | None = None  # NlmCategory or the canonical category of the label
    html: str | None = None  # inline markup kept for pages; None when identical to text


def join_sections(sections: list[Section], lang: str) -> str | None:
    """Whole abstract as plain text: 'LABEL: text' paragraphs separated by blank lines."""
    colon = ": " if lang == "en" else "："
    parts = [f"{s.label}{colon}{s.text}" if s.label else s.text for s in sections]
    return "\n\n".join(parts) or None


@dataclass
class MeshQualifier:
    name: str
    ui: str | None = None
    major: bool = False


@dataclass
class MeshHeading:
    descriptor: str
    ui: str | None = None
    descriptor_major: bool = False
    qualifiers: list[MeshQualifier] = field(default_factory=list)

    @property
    def major(self) -> bool:
        """PubMed's asterisk: the descriptor or any of its qualifiers is a major topic."""
        return self.descriptor_major or any(q.major for q in self.qualifiers)


@dataclass
class Keyword:
    text: str
    major: bool = False
    owner: str | None = None


@dataclass
class Reference:
    """One entry of a PubMed ReferenceList, with whatever IDs it carries."""

    citation: str | None
    ids: ArticleIds = field(default_factory=ArticleIds)


@dataclass
class RelatedArticle:
    """An article listed on another article's page, and how the two are linked."""

    kind: EdgeKind  # as seen from the page's article: its references, citers, similar
    article: Article  # a stub (is_stub=True)
    rank: int | None = None  # the number printed before the item
    score: float | None = None


@dataclass
class Article:
    """One article as one source describes it. Stubs carry only what a link shows."""

    ids: ArticleIds = field(default_factory=ArticleIds)
    title_en: str | None = None
    title_en_html: str | None = None  # only when the title has inline markup
    title_zh: str | None = None
    journal: str | None = None  # ISO abbreviation: "Int J Psychiatry Med"
    journal_title: str | None = None
    issn_print: str | None = None
    issn_electronic: str | None = None
    issn_linking: str | None = None
    nlm_id: str | None = None
    book_title: str | None = None
    publisher: str | None = None
    pub_date: PubDate = field(default_factory=PubDate)
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    epub_date: str | None = None  # ISO
    print_date: str | None = None  # ISO
    date_revised: str | None = None  # ISO
    entrez_date: str | None = None  # ISO, PubMed's create date
    languages: list[str] = field(default_factory=list)  # PubMed codes: "eng", "chi"
    abstract_en: list[Section] = field(default_factory=list)
    abstract_zh: list[Section] = field(default_factory=list)
    abstract_zh_source: str | None = None  # "suppr", "plain", "publisher"
    copyright: str | None = None
    affiliations: list[str] = field(default_factory=list)  # article-level, when no authors
    authors: list[Author] = field(default_factory=list)
    mesh: list[MeshHeading] = field(default_factory=list)
    keywords: list[Keyword] = field(default_factory=list)
    publication_types: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    related: list[RelatedArticle] = field(default_factory=list)
    citation_text: str | None = None  # a stub's citation as printed where it was listed
    medline_status: str | None = None
    is_stub: bool = False
    line: int | None = None  # 1-based line in the source file where the record starts


@dataclass
class Deletion:
    """PubMed withdrew these PMIDs (efetch DeleteCitation)."""

    pmids: list[int]
    line: int | None = None


@dataclass
class Problem:
    """Something in a file that could not be read; the rest of the file still counts."""

    message: str
    line: int | None = None


Record = Article | Deletion | Problem


LOW_SCORE = 0.35  # beads scored below are flagged low-confidence
BAD_SHARE = 0.3  # an abstract with more low-confidence beads than this is badly aligned


@dataclass
class Bead:
    """Aligned sentences: 0-based indices into a section pair's English and Chinese sentences."""

    en: list[int]
    zh: list[int]
    score: float = 0.0

    @property
    def kind(self) -> str:
        """'1-1', '2-1', '1-0', ..."""
        return f"{len(self.en)}-{len(self.zh)}"

    @property
    def low_confidence(self) -> bool:
        """A null bead, or one scored under LOW_SCORE."""
        return not self.en or not self.zh or self.score < LOW_SCORE


@dataclass
class SectionPair:
    """English and Chinese text aligned as one unit, with where it came from."""

    en_label: str | None
    zh_label: str | None
    en_sections: list[int]  # 0-based positions in the article's English sections
    zh_sections: list[int]
    en_text: str
    zh_text: str
    paired_by: str  # "label", "order" or "whole" (fallback: the abstract as one block)


@dataclass
class AlignedPair:
    """A section pair split into sentences, and the beads that align them."""

    pair: SectionPair
    en: list[str]
    zh: list[str]
    beads: list[Bead]


@dataclass
class AbstractAlignment:
    """One article's abstracts aligned, section pair by section pair."""

    pairs: list[AlignedPair]

    @property
    def beads(self) -> list[Bead]:
        return [bead for pair in self.pairs for bead in pair.beads]

    @property
    def flagged_share(self) -> float:
        beads = self.beads
        return sum(b.low_confidence for b in beads) / len(beads) if beads else 1.0

    @property
    def badly_aligned(self) -> bool:
        return self.flagged_share > BAD_SHARE


@dataclass(frozen=True)
class BeadText:
    """The two sides of an aligned bead."""

    en: str
    zh: str


@dataclass(frozen=True)
class LearnedPair:
    """A Chinese word and an English word (as `english_key` writes it) found to translate each
    other: linked in `pairs` beads; `score` is their Dice coefficient over those links."""

    zh: str
    en: str
    pairs: int
    score: float


@dataclass
class SentencePair:
    """One aligned bead with text on both sides (a row of the sentence_pairs view)."""

    article_id: int
    pmid: int | None
    doi: str | None
    section: str | None
    bead_type: str
    en: str
    zh: str
    score: float


@dataclass
class ArticleLinks:
    """One article's links from elink."""

    refs: list[int] = field(default_factory=list)
    cited_by: list[int] = field(default_factory=list)
    similar: list[tuple[int, float]] = field(default_factory=list)  # (pmid, score), best first


@dataclass
class LinkSummary:
    """What esummary says of an article (enough for a link to read well)."""

    pmid: int
    title: str | None
    journal: str | None
    pub_date: str | None
    doi: str | None
