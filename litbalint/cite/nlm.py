"""The NLM (Vancouver) citation line, as PubMed shows it under "Cite"."""

from __future__ import annotations

from litbalint.cite.record import MONTH_ABBREVIATIONS, CitedArticle, clean

MAX_VANCOUVER_AUTHORS = 6  # more than this: the first six, then "et al."
_SENTENCE_ENDS = ".?!。？！"


def _sentence(text: str | None) -> str:
    """text ending with one period (kept as is when it ends with . ? ! or Chinese 。？！)."""
    text = clean(text)
    if not text:
        return ""
    return text if text[-1] in _SENTENCE_ENDS else text + "."


def vancouver(article: CitedArticle) -> str:
    """The NLM (Vancouver) citation PubMed shows under "Cite":
    'Olivero JM, Chen LH. Title. Int J Psychiatry Med. 2022 Nov;57(6):547-553.
    doi: 10.1177/x. PMID: 36100001; PMCID: PMC10066008.' Missing parts are left out."""
    parts: list[str] = []
    if article.authors:
        names = article.authors[:MAX_VANCOUVER_AUTHORS]
        if len(article.authors) > MAX_VANCOUVER_AUTHORS:
            names = [*names, "et al"]
        parts.append(_sentence(", ".join(names)))
    date = _date_text(article)
    kind = article.kind
    if kind == "article":
        parts.append(_sentence(article.title))
        parts.append(_sentence(article.journal or article.journal_title))
        parts.append(_sentence(_journal_location(date, article)))
    else:
        if kind == "chapter":
            parts.append(_sentence(article.title))
            parts.append(_sentence(f"In: {clean(article.book_title)}"))
        else:
            parts.append(_sentence(article.title or article.book_title))
        parts.append(_sentence("; ".join(p for p in (clean(article.publisher), date) if p)))
        if article.pages:
            parts.append(_sentence(f"p. {clean(article.pages)}"))
    if article.doi:
        parts.append(_sentence(f"doi: {article.doi.strip()}"))
    ids = []
    if article.pmid:
        ids.append(f"PMID: {article.pmid}")
    if article.pmc:
        ids.append(f"PMCID: {article.pmc}")
    parts.append(_sentence("; ".join(ids)))
    return " ".join(part for part in parts if part)


def _date_text(article: CitedArticle) -> str | None:
    """'2022 Nov', '2019 Nov 18', '2014 Nov-Dec': as printed when known, else from the parts."""
    if article.pub_date_text:
        return clean(article.pub_date_text)
    if article.year is None:
        return None
    parts = [str(article.year)]
    if article.month and 1 <= article.month <= 12:
        parts.append(MONTH_ABBREVIATIONS[article.month - 1])
        if article.day:
            parts.append(str(article.day))
    return " ".join(parts)


def _journal_location(date: str | None, article: CitedArticle) -> str:
    """'2022 Nov;57(6):547-553', '2019 Nov 18;139(17)', '2021:e28-e34', '57(6)'."""
    volume = clean(article.volume) or ""
    issue = clean(article.issue)
    pages = clean(article.pages)
    location = volume + (f"({issue})" if issue else "")
    if pages:
        location += f":{pages}" if location or date else pages
    if not date:
        return location
    if not location:
        return date
    return date + location if location.startswith(":") else f"{date};{location}"
