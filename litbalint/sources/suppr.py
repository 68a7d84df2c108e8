"""Suppr (超能文献) page copies -> one Article with its related-article lists.

A page copy is a run of blocks, each opened by a heading line: the titles (before any heading),
机构信息 (affiliations), 出版信息 (citation line), Abstract, 摘要, 关键词, and the lists 相似文献,
引用本文的文献, 本文引用的文献. The site's promotional footer and figure URLs are dropped.
"""

from __future__ import annotations

import re

from litbalint.model import (
    Article,
    EdgeKind,
    Keyword,
    Problem,
    Record,
    RelatedArticle,
)
from litbalint.sources.citation import (
    apply_citation,
    find_pmid,
    full_citation,
    kept_without_pmid,
    parse_citation_line,
)
from litbalint.sources.layout import (
    Line,
    is_chinese,
    is_url,
    numbered_lines,
    parse_sections,
    split_glued_title,
)

SITE_MARKS = ("Suppr超能文献", "超能文献", "Suppr")

HEADINGS = {
    "机构信息": "affiliations",
    "作者信息": "affiliations",
    "出版信息": "citation",
    "Abstract": "abstract_en",
    "ABSTRACT": "abstract_en",
    "摘要": "abstract_zh",
    "关键词": "keywords",
    "Keywords": "keywords",
    "相似文献": "similar",
    "引用本文的文献": "cited_by",
    "本文引用的文献": "references",
}
LIST_KINDS: dict[str, EdgeKind] = {
    "similar": "similar",
    "cited_by": "cited_by",
    "references": "references",
}

# The site's promotional tiles: a heading, a blurb, a button. Known headings open a tile;
# any button line closes one (and takes the two lines before it along).
FOOTER_HEADINGS = {
    "文献AI研究员",
    "用中文搜PubMed",
    "文档翻译",
    "文献检索",
    "文件翻译",
    "深度研究",
    "AI研究员",
    "中文搜PubMed",
    "AI写综述",
    "文献翻译",
    "全文翻译",
    "翻译文档",
}
_BUTTON = re.compile(r"^(?:立即|马上|免费|开始|去|一键)[\u4e00-\u9fffA-Za-z]{0,8}$")


def looks_like_suppr(text: str) -> bool:
    """The site mark on top, or at least two of the page's own headings."""
    lines = [line.text for line in numbered_lines(text[:20000])]
    if lines and any(lines[0].startswith(mark) for mark in SITE_MARKS[:2]):
        return True
    return sum(1 for line in lines if line in ("机构信息", "出版信息", "摘要", "相似文献")) >= 2


def _drop_promotions(lines: list[Line]) -> list[Line]:
    kept: list[Line] = []
    in_tile = False
    for line in lines:
        if line.text in FOOTER_HEADINGS:
            in_tile = True
            continue
        if _BUTTON.match(line.text):
            if not in_tile:  # a tile whose heading we do not know: drop heading and blurb
                for _ in range(2):
                    if kept and len(kept[-1].text) <= 80 and kept[-1].text not in HEADINGS:
                        kept.pop()
            in_tile = False
            continue
        if in_tile and line.text not in HEADINGS:
            continue
        in_tile = False
        if is_url(line.text):
            continue
        kept.append(line)
    return kept


def _blocks(lines: list[Line]) -> dict[str, list[Line]]:
    blocks: dict[str, list[Line]] = {"titles": []}
    name = "titles"
    for line in lines:
        if line.text in HEADINGS:
            name = HEADINGS[line.text]
            blocks.setdefault(name, [])
            continue
        blocks[name].append(line)
    return blocks


def parse_suppr(text: str) -> list[Record]:
    """Parse one decoded page copy (LF line ends) into an Article plus any Problems."""
    lines = numbered_lines(text)
    if lines and any(lines[0].text.startswith(mark) for mark in SITE_MARKS):
        rest = lines[0].text
        for mark in SITE_MARKS:
            rest = rest.removeprefix(mark)
        lines = lines[1:] if not rest.strip() else [Line(lines[0].number, rest.strip())] + lines[1:]
    blocks = _blocks(_drop_promotions(lines))
    problems: list[Record] = []
    article = Article(line=lines[0].number if lines else 1)

    for line in blocks["titles"]:
        english, chinese = split_glued_title(line.text)
        if english:
            article.title_en = _join(article.title_en, english)
        if chinese:
            article.title_zh = _join(article.title_zh, chinese)
    article.affiliations = [line.text for line in blocks.get("affiliations", [])]

    citation_lines = blocks.get("citation", [])
    if citation_lines:
        citation = parse_citation_line(citation_lines[0].text)
        if citation is None:
            problems.append(
                Problem(
                    f"出版信息 is not a citation line: {citation_lines[0].text[:80]!r}",
                    citation_lines[0].number,
                )
            )
        else:
            apply_citation(article, citation)
            if citation.invalid_pmid:
                problems.append(kept_without_pmid(citation.invalid_pmid, citation_lines[0].number))
        for line in citation_lines[1:]:  # "PMID: 35989618  PMCID: PMC10066008" lines
            pmid, invalid = find_pmid(line.text)
            article.ids.pmid = article.ids.pmid or pmid
            if invalid:
                problems.append(kept_without_pmid(invalid, line.number))
            pmc = re.search(r"PMCID:\s*(PMC\d+)", line.text)
            article.ids.pmc = article.ids.pmc or (pmc.group(1) if pmc else None)
    else:
        problems.append(
            Problem("no 出版信息 (citation) block: journal and date unknown", article.line)
        )

    article.abstract_en = parse_sections(blocks.get("abstract_en", []), "en")
    article.abstract_zh = parse_sections(blocks.get("abstract_zh", []), "zh")
    if article.abstract_zh:
        article.abstract_zh_source = "suppr"
    for line in blocks.get("keywords", []):
        for word in re.split(r"\s*[;；,，、]\s*", line.text):
            if word.strip():
                article.keywords.append(Keyword(word.strip()))

    for block_name, kind in LIST_KINDS.items():
        article.related.extend(_related_items(blocks.get(block_name, []), kind))
    if not (article.title_en or article.title_zh or article.abstract_en):
        problems.append(Problem("no title and no abstract found", article.line))
    return [article, *problems]


def _join(existing: str | None, more: str) -> str:
    return f"{existing} {more}" if existing else more


def _related_items(lines: list[Line], kind: EdgeKind) -> list[RelatedArticle]:
    """Items: an optional rank number, an English title (maybe with Chinese glued on),
    an optional Chinese title line, a citation line. A bare number with nothing after it
    (a count, or a rank whose item the copy lost) yields nothing."""
    items: list[RelatedArticle] = []
    current: RelatedArticle | None = None
    rank: int | None = None

    def start() -> RelatedArticle:
        item = RelatedArticle(kind=kind, article=Article(is_stub=True), rank=rank)
        items.append(item)
        return item

    for line in lines:
        text = line.text
        if text.isdigit():
            rank = int(text)
            current = None
            continue
        citation = full_citation(text)
        if citation is not None:
            if current is None or current.article.citation_text:
                current = start()
            current.article.citation_text = text
            apply_citation(current.article, citation)
            continue
        if (
            current is None
            or current.article.citation_text
            or (current.article.title_en and not is_chinese(text))
        ):
            current = start()
            current.article.line = line.number
        stub = current.article
        english, chinese = split_glued_title(text)
        if english:
            stub.title_en = _join(stub.title_en, english)
        if chinese:
            stub.title_zh = _join(stub.title_zh, chinese)
        rank = None
    return [item for item in items if item.article.title_en or item.article.citation_text]
