"""Plain bilingual dumps -> one Article.

Layout: affiliation line(s), one citation line, English paragraph(s), Chinese paragraph(s).
No titles; paragraphs become sections in order (a paragraph opening with a known label such
as "BACKGROUND:" keeps it).
"""

from __future__ import annotations

from litbalint.model import Article, CitationLine, Problem, Record
from litbalint.sources.citation import apply_citation, full_citation, kept_without_pmid
from litbalint.sources.layout import is_chinese, is_url, numbered_lines, parse_sections

MAX_AFFILIATION_LINES = 12


def _citation_at(lines: list[str]) -> tuple[int, CitationLine] | None:
    """The first citation line near the top: its index and what it says."""
    for index, line in enumerate(lines[: MAX_AFFILIATION_LINES + 1]):
        citation = full_citation(line)
        if citation is not None:
            return index, citation
    return None


def looks_like_plain(text: str) -> bool:
    """A citation line near the top, then at least one English and one Chinese paragraph."""
    lines = [line.text for line in numbered_lines(text)]
    found = _citation_at(lines)
    if found is None:
        return False
    after = lines[found[0] + 1 :]
    return any(is_chinese(p) for p in after) and any(not is_chinese(p) for p in after)


def parse_plain(text: str) -> list[Record]:
    """Parse one decoded dump (LF line ends) into an Article plus any Problems."""
    lines = [line for line in numbered_lines(text) if not is_url(line.text)]
    found = _citation_at([line.text for line in lines])
    if found is None:
        return [Problem("no citation line (journal. year;volume(issue):pages) near the top", 1)]
    index, citation = found
    article = Article(line=lines[0].number)
    article.affiliations = [line.text for line in lines[:index]]
    apply_citation(article, citation)
    body = lines[index + 1 :]
    english = [line for line in body if not is_chinese(line.text)]
    chinese = [line for line in body if is_chinese(line.text)]
    article.abstract_en = parse_sections(english, "en")
    article.abstract_zh = parse_sections(chinese, "zh")
    if article.abstract_zh:
        article.abstract_zh_source = "plain"
    problems: list[Record] = []
    if citation.invalid_pmid:
        problems.append(kept_without_pmid(citation.invalid_pmid, lines[index].number))
    if not article.abstract_en:
        problems.append(
            Problem("no English paragraph after the citation line", lines[index].number)
        )
    if not article.abstract_zh:
        problems.append(
            Problem("no Chinese paragraph after the citation line", lines[index].number)
        )
    return [article, *problems]
