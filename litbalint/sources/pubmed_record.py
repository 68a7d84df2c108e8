"""One parsed PubmedArticle or PubmedBookArticle element -> an Article.

The streaming (cutting records out of the file, parse errors) is in pubmed_xml; the repeated
parts of a record (authors, abstract sections, MeSH, ...) in pubmed_lists.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from litbalint.errors import BadRecord
from litbalint.model import Article, ArticleIds, Deletion
from litbalint.pmid import bad_pmid_message, read_pmid
from litbalint.sources.markup import render_inline
from litbalint.sources.pubmed_fields import (
    apply_ids,
    children,
    elocation_ids,
    find,
    iso_of,
    pages_of,
    pub_date,
    text_of,
    texts_of,
)
from litbalint.sources.pubmed_lists import (
    authors_of,
    chinese_abstract,
    keywords_of,
    mesh_of,
    references_of,
    sections_of,
)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _title(elem: Element | None) -> tuple[str | None, str | None]:
    plain, markup = render_inline(elem)
    return (plain or None), markup


def _vernacular(parent: Element) -> str | None:
    for elem in parent.findall("VernacularTitle"):
        text = render_inline(elem)[0]
        if _CJK.search(text):
            return text
    return None


def _entrez(data: Element) -> str | None:
    for history in data.findall("History"):
        for date in history.findall("PubMedPubDate"):
            if date.get("PubStatus") == "entrez":
                return iso_of(date)
    return None


def read_deletion(elem: Element) -> tuple[Deletion, list[str]]:
    """The deletion of the valid PMIDs, and the texts of the invalid ones."""
    deletion, invalid = Deletion(pmids=[]), []
    for pmid_elem in elem.iter("PMID"):
        text = pmid_elem.text or ""
        pmid = read_pmid(text)
        if pmid:
            deletion.pmids.append(pmid)
        else:
            invalid.append(text)
    return deletion, invalid


def _ids(parent: Element, id_lists: list[Element | None]) -> ArticleIds:
    """The record's IDs: its PMID (else the pubmed ArticleId) must be a valid one."""
    element = parent.find("PMID")
    text = text_of(element)
    ids = ArticleIds(read_pmid(text))
    if element is not None and ids.pmid is None:  # an empty <PMID> too: a broken record
        raise BadRecord(bad_pmid_message(text or ""))
    for id_list in id_lists:
        apply_ids(ids, id_list)
    if ids.pmid is None:
        raise BadRecord("no PMID")
    return ids


def read_article(elem: Element) -> Article:
    """A PubmedArticle: MedlineCitation and PubmedData."""
    citation = find(elem, "MedlineCitation")
    art = find(citation, "Article")
    journal = find(art, "Journal")
    issue = find(journal, "JournalIssue")
    info = find(citation, "MedlineJournalInfo")
    data = find(elem, "PubmedData")
    ids = _ids(citation, [data.find("ArticleIdList")])
    elocation_ids(ids, art)
    issn_print = issn_electronic = None
    for issn in journal.findall("ISSN"):
        kind = (issn.get("IssnType") or "").lower()
        if kind == "print":
            issn_print = text_of(issn)
        elif kind == "electronic":
            issn_electronic = text_of(issn)
    epub_date = None
    for date in art.findall("ArticleDate"):
        if (date.get("DateType") or "Electronic").lower() == "electronic":
            epub_date = iso_of(date)
            break
    title, title_html = _title(art.find("ArticleTitle"))
    abstract = art.find("Abstract")
    abstract_zh = chinese_abstract(citation)
    return Article(
        ids=ids,
        medline_status=citation.get("Status"),
        title_en=title,
        title_en_html=title_html,
        title_zh=_vernacular(art),
        journal=text_of(journal.find("ISOAbbreviation")) or text_of(info.find("MedlineTA")),
        journal_title=text_of(journal.find("Title")),
        issn_print=issn_print,
        issn_electronic=issn_electronic,
        issn_linking=text_of(info.find("ISSNLinking")),
        nlm_id=text_of(info.find("NlmUniqueID")),
        volume=text_of(issue.find("Volume")),
        issue=text_of(issue.find("Issue")),
        pub_date=pub_date(issue.find("PubDate")),
        pages=pages_of(art.find("Pagination")),
        epub_date=epub_date,
        date_revised=iso_of(citation.find("DateRevised")),
        abstract_en=sections_of(abstract),
        copyright=None if abstract is None else text_of(abstract.find("CopyrightInformation")),
        abstract_zh=abstract_zh,
        abstract_zh_source="publisher" if abstract_zh else None,
        authors=authors_of(art.findall("AuthorList")),
        languages=texts_of(art.findall("Language")),
        publication_types=texts_of(children(art, "PublicationTypeList", "PublicationType")),
        mesh=mesh_of(citation),
        keywords=keywords_of(citation),
        entrez_date=_entrez(data),
        references=references_of(data),
    )


def read_book(elem: Element) -> Article:
    """A PubmedBookArticle: BookDocument and PubmedBookData."""
    doc = find(elem, "BookDocument")
    book = find(doc, "Book")
    data = find(elem, "PubmedBookData")
    ids = _ids(doc, [doc.find("ArticleIdList"), data.find("ArticleIdList")])
    elocation_ids(ids, doc)
    elocation_ids(ids, book)
    title, title_html = _title(doc.find("ArticleTitle"))
    if not title:
        title, title_html = _title(book.find("BookTitle"))
    abstract = doc.find("Abstract")
    abstract_zh = chinese_abstract(doc)
    lists = doc.findall("AuthorList") + book.findall("AuthorList")
    return Article(
        ids=ids,
        book_title=text_of(book.find("BookTitle")),
        publisher=text_of(book.find("Publisher/PublisherName")),
        pub_date=pub_date(book.find("PubDate")),
        volume=text_of(book.find("Volume")),
        title_en=title,
        title_en_html=title_html,
        title_zh=_vernacular(doc),
        pages=pages_of(doc.find("Pagination")),
        date_revised=iso_of(doc.find("DateRevised")),
        abstract_en=sections_of(abstract),
        copyright=None if abstract is None else text_of(abstract.find("CopyrightInformation")),
        abstract_zh=abstract_zh,
        abstract_zh_source="publisher" if abstract_zh else None,
        authors=authors_of(x for x in lists if (x.get("Type") or "authors") == "authors"),
        languages=texts_of(doc.findall("Language")),
        publication_types=texts_of(doc.findall("PublicationType")),
        keywords=keywords_of(doc),
        entrez_date=_entrez(data),
        references=references_of(doc) + references_of(data),
    )
