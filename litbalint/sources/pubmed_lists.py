"""The repeated parts of a PubMed record: abstract sections, authors, MeSH, keywords, references.

The hottest code of the parser (a record has several of each): an element's children are
read in one pass where several of them are wanted, and records are built positionally.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.etree.ElementTree import Element

from litbalint.model import (
    ArticleIds,
    Author,
    Keyword,
    MeshHeading,
    MeshQualifier,
    Reference,
    Section,
)
from litbalint.sources.markup import collapse, render_inline
from litbalint.sources.pubmed_fields import apply_ids, category, positional, text_of

_ORCID = re.compile(r"\d{4}-?\d{4}-?\d{4}-?\d{3}[\dX]", re.IGNORECASE)
_ORCID_URL = re.compile(r"^(?:https?://)?(?:www\.)?orcid\.org/")
_CHINESE = frozenset({"chi", "zho", "zh", "chn"})

positional(
    Author,
    "last_name",
    "fore_name",
    "initials",
    "suffix",
    "collective_name",
    "orcid",
    "affiliations",
)
positional(Section, "text", "label", "category", "html")
positional(MeshQualifier, "name", "ui", "major")
positional(MeshHeading, "descriptor", "ui", "descriptor_major", "qualifiers")
positional(Keyword, "text", "major", "owner")
positional(Reference, "citation", "ids")


def sections_of(parent: Element | None) -> list[Section]:
    """The non-empty AbstractText sections of an Abstract or OtherAbstract."""
    if parent is None:
        return []
    sections = []
    for elem in parent.findall("AbstractText"):
        if len(elem):
            text, markup = render_inline(elem)
        else:  # no inline markup (most sections)
            text, markup = collapse(elem.text or ""), None
        if not text:
            continue
        label = elem.get("Label")
        label = (collapse(label) or None) if label else None
        nlm = elem.get("NlmCategory")
        kind = nlm if nlm and nlm != "UNASSIGNED" else (category(label) or nlm)
        sections.append(Section(text, label, kind, markup))
    return sections


def chinese_abstract(parent: Element) -> list[Section]:
    """The first Chinese OtherAbstract with text (the publisher's); other languages are left."""
    for other in parent.findall("OtherAbstract"):
        if (other.get("Language") or "").lower() in _CHINESE:
            sections = sections_of(other)
            if sections:
                return sections
    return []


def _orcid(value: str | None) -> str | None:
    if not value:
        return None
    if len(value) == 16 and value.isdigit() and value.isascii():  # the regex's whole match
        return f"{value[:4]}-{value[4:8]}-{value[8:12]}-{value[12:]}"
    match = _ORCID.search(value.replace(" ", ""))
    if not match:
        return _ORCID_URL.sub("", value.strip()) or None
    digits = match[0].replace("-", "").upper()
    return f"{digits[:4]}-{digits[4:8]}-{digits[8:12]}-{digits[12:16]}"


def _author(elem: Element) -> Author | None:
    """A valid author with a last or collective name (the first of each name element)."""
    if elem.get("ValidYN") == "N":
        return None
    last = fore = initials = suffix = collective = orcid = None
    affiliations = []
    for child in elem:
        tag = child.tag
        if tag == "LastName":
            if last is None:
                last = child
        elif tag == "ForeName":
            if fore is None:
                fore = child
        elif tag == "Initials":
            if initials is None:
                initials = child
        elif tag == "AffiliationInfo":
            for affiliation in child:
                if affiliation.tag == "Affiliation" and (text := text_of(affiliation)):
                    affiliations.append(text)
        elif tag == "Identifier":
            if (child.get("Source") or "").upper() == "ORCID":
                orcid = _orcid(text_of(child))
        elif tag == "Suffix":
            if suffix is None:
                suffix = child
        elif tag == "CollectiveName" and collective is None:
            collective = child
    last_name, collective_name = text_of(last), text_of(collective)
    if not last_name and not collective_name:
        return None
    return Author(
        last_name,
        text_of(fore),
        text_of(initials),
        text_of(suffix),
        collective_name,
        orcid,
        affiliations,
    )


def authors_of(author_lists: Iterable[Element]) -> list[Author]:
    """Valid authors in order; a later list (a book's) repeats no one from an earlier one."""
    authors: list[Author] = []
    for author_list in author_lists:
        earlier = list(authors)
        for elem in author_list.findall("Author"):
            author = _author(elem)
            if author and (not earlier or author not in earlier):
                authors.append(author)
    return authors


def mesh_of(citation: Element) -> list[MeshHeading]:
    """MeSH headings with a descriptor (the first), and their qualifiers with a name."""
    headings = []
    for heading_list in citation.findall("MeshHeadingList"):
        for heading in heading_list.findall("MeshHeading"):
            descriptor = None
            qualifiers = []
            for child in heading:
                tag = child.tag
                if tag == "QualifierName":
                    name = text_of(child)
                    if name:
                        major = child.get("MajorTopicYN") == "Y"
                        qualifiers.append(MeshQualifier(name, child.get("UI"), major))
                elif tag == "DescriptorName" and descriptor is None:
                    descriptor = child
            name = text_of(descriptor)
            if descriptor is None or not name:
                continue
            major = descriptor.get("MajorTopicYN") == "Y"
            headings.append(MeshHeading(name, descriptor.get("UI"), major, qualifiers))
    return headings


def keywords_of(parent: Element) -> list[Keyword]:
    keywords = []
    for keyword_list in parent.findall("KeywordList"):
        owner = keyword_list.get("Owner")
        for elem in keyword_list.findall("Keyword"):
            text = render_inline(elem)[0] if len(elem) else collapse(elem.text or "")
            if text:
                keywords.append(Keyword(text, elem.get("MajorTopicYN") == "Y", owner))
    return keywords


def references_of(parent: Element) -> list[Reference]:
    """Every Reference of the ReferenceLists directly under parent, nested lists included."""
    references = []
    for reference_list in parent.findall("ReferenceList"):
        for elem in reference_list.iter("Reference"):
            ids = ArticleIds()
            id_list = elem.find("ArticleIdList")
            if id_list is not None:
                apply_ids(ids, id_list)
            citation = elem.find("Citation")
            if citation is None:
                text = None
            elif len(citation):
                text = render_inline(citation)[0] or None
            else:  # as render_inline reads it
                text = collapse(citation.text or "") or None
            references.append(Reference(text, ids))
    return references
