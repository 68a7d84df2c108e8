"""One synthetic record as a PubmedArticle element, efetch style (for corpus.py)."""

from __future__ import annotations

import random
from collections import Counter

from tests.support.synthetic import words as W
from tests.support.synthetic.real import grants_xml, history_xml, indent
from tests.support.synthetic.text import (
    CONTENT_START,
    CUM,
    MATHML,
    MESH,
    VOCAB,
    Head,
    Section,
    chinese,
    english,
    esc,
    ids_of,
    sentence,
)

DOCTYPE = (
    '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
    '1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
    "<PubmedArticleSet>\n"
)


def journal_of(index: int) -> tuple[str, str, str, str]:
    """(title, ISO abbreviation, ISSN, NLM id) of the journal W.JOURNALS[index]."""
    abbreviation, title = W.JOURNALS[index]
    issn = f"{1000 + index * 37:04d}-{index * 7919 % 10000:04d}"
    return title, abbreviation, issn, str(100000000 + index)


def orcid(rng: random.Random) -> str:
    digits = [rng.randint(0, 9) for _ in range(15)]
    total = 0
    for digit in digits:
        total = (total + digit) * 2
    check = (12 - total % 11) % 11
    value = "".join(map(str, digits)) + ("X" if check == 10 else str(check))
    dashed = "-".join(value[i : i + 4] for i in range(0, 16, 4))
    return rng.choice([f"https://orcid.org/{dashed}", dashed, value])


def affiliation(rng: random.Random) -> str:
    name, city, country = rng.choice(W.INSTITUTIONS)
    return f"Department of {rng.choice(W.DEPARTMENTS)}, {name}, {city}, {country}."


def authors_xml(rng: random.Random, real: bool = False) -> tuple[str, list[str]]:
    """The AuthorList; `real`: 6-10 authors, each with an affiliation (real PubMed size)."""
    count = rng.randint(6, 10) if real else min(1 + int(rng.expovariate(0.25)), 25)
    parts, affiliations = ['<AuthorList CompleteYN="Y">'], []
    for position in range(count):
        fore = rng.choice(W.FORE_NAMES)
        parts.append(
            f'<Author ValidYN="Y"><LastName>{esc(rng.choice(W.LAST_NAMES))}</LastName>'
            f"<ForeName>{fore}</ForeName><Initials>{fore[0]}</Initials>"
        )
        if rng.random() < 0.15:
            parts.append(f'<Identifier Source="ORCID">{orcid(rng)}</Identifier>')
        if real or position == 0 or rng.random() < 0.5:
            for _ in range(1 if rng.random() < 0.8 else 2):
                text = affiliation(rng)
                affiliations.append(text)
                parts.append(f"<AffiliationInfo><Affiliation>{esc(text)}</Affiliation>")
                parts.append("</AffiliationInfo>")
        parts.append("</Author>")
    if rng.random() < 0.03:
        name = esc(rng.choice(W.COLLECTIVES))
        parts.append(f'<Author ValidYN="Y"><CollectiveName>{name}</CollectiveName></Author>')
    parts.append("</AuthorList>")
    return "".join(parts), list(dict.fromkeys(affiliations))


def date_xml(tag: str, year: int, month: int, day: int, attrs: str = "") -> str:
    return (
        f"<{tag}{attrs}><Year>{year}</Year><Month>{month:02d}</Month><Day>{day:02d}</Day></{tag}>"
    )


def pub_date_xml(head: Head) -> str:
    if head.medline_date:
        return f"<PubDate><MedlineDate>{head.medline_date}</MedlineDate></PubDate>"
    inner = f"<Year>{head.year}</Year>"
    if head.month:
        inner += f"<Month>{W.MONTHS[head.month - 1]}</Month>"
        inner += f"<Day>{head.day:02d}</Day>" if head.day else ""
    elif head.season:
        inner += f"<Season>{head.season}</Season>"
    return f"<PubDate>{inner}</PubDate>"


def references_xml(
    rng: random.Random, seed: int, corpus: int, stubs: set[str], real: bool = False
) -> tuple[str, int]:
    """A ReferenceList and its length; the ids of cited articles outside the corpus (stubs
    once imported) are added to `stubs`. `real`: ~35 entries, 95% of them with a PubMed id,
    few of those also with a DOI or PMC id (as in /work/shared/reference/pubmed-xml: PubMed
    ids alone)."""
    count = rng.randint(25, 45) if real else rng.randint(5, 40)
    with_pmid, with_doi, with_pmc = (0.95, 0.05, 0.05) if real else (0.8, 0.25, 0.3)
    parts = ["<ReferenceList>"]
    for _ in range(count):
        if real:  # efetch's form: "Radiology. 2015 Jan;274(1):250-9"
            month = W.MONTHS[rng.randrange(12)]
            first = rng.randint(1, 999)
            last = first + rng.randint(2, 14)
            where = f"{rng.randint(1, 90)}({rng.randint(1, 12)}):{first}-{last}"
            cite = f"{rng.choice(W.JOURNALS)[0]}. {rng.randint(1960, 2024)} {month};{where}"
        else:
            words = english(sentence(rng, 5, 12, extras=False))
            author = f"{rng.choice(W.LAST_NAMES)} {rng.choice(W.FORE_NAMES)[0]}"
            journal = rng.choice(W.JOURNALS)[0]
            where = f"{rng.randint(1, 90)}:{rng.randint(1, 999)}"
            cite = f"{author}, et al. {words} {journal}. {rng.randint(1960, 2024)};{where}."
        parts.append(f"<Reference><Citation>{esc(cite)}</Citation>")
        kind = rng.random()
        if kind < with_pmid:
            inside = rng.random() < 0.7
            ids = ids_of(seed, rng.randrange(corpus)) if inside else None
            pmid = ids.pmid if ids else rng.randint(1_000_000, 19_000_000)
            if not ids:
                stubs.add(f"pmid:{pmid}")
            parts.append(f'<ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId>')
            if ids and ids.doi and rng.random() < with_doi:
                parts.append(f'<ArticleId IdType="doi">{ids.doi}</ArticleId>')
            if ids and ids.pmc and rng.random() < with_pmc:
                parts.append(f'<ArticleId IdType="pmc">{ids.pmc}</ArticleId>')
            parts.append("</ArticleIdList>")
        elif kind < with_pmid + 0.05:
            doi = f"10.9/ref.{rng.randint(1, 10**8)}"
            stubs.add(f"doi:{doi}")
            parts.append(f'<ArticleIdList><ArticleId IdType="doi">{doi}')
            parts.append("</ArticleId></ArticleIdList>")
        parts.append("</Reference>")
    parts.append("</ReferenceList>")
    return "".join(parts), count


def short_history_xml(rng: random.Random, head: Head) -> str:
    """The received and entrez dates."""
    received = (
        head.year - 1 if head.month and head.month < 4 else head.year,
        rng.randint(1, 12),
        rng.randint(1, 28),
    )
    entrez = head.epub or (head.year, head.month or 1, head.day or 1)
    return date_xml("PubMedPubDate", *received, attrs=' PubStatus="received"') + date_xml(
        "PubMedPubDate", *entrez, attrs=' PubStatus="entrez"'
    )


def sections_xml(sections: list[Section]) -> str:
    parts = []
    for section in sections:
        text = " ".join(english(s, 0) for s in section.sentences)
        if section.label:
            label, _, category = section.label
            category = "UNASSIGNED" if label == "DISCUSSION" else category
            parts.append(
                f'<AbstractText Label="{label}" NlmCategory="{category}">{text}</AbstractText>'
            )
        else:
            parts.append(f"<AbstractText>{text}</AbstractText>")
    return "".join(parts)


def record_xml(
    seed: int,
    index: int,
    corpus: int,
    head: Head,
    rng: random.Random,
    sections: list[Section],
    stats: Counter,
    stubs: set[str],
    real: bool = False,
) -> tuple[str, list[str], list[str]]:
    """One PubmedArticle; also returns the affiliations and keywords it lists (and adds its
    references' ids outside the corpus to `stubs`). `real`: of real
    PubMed size and shape (~17 KB, indented; see real.py)."""
    ids, journal = head.ids, head.journal
    title, abbreviation, issn, nlm_id = journal_of(journal)
    authors, affiliations = authors_xml(rng, real)
    mesh = rng.random() < 0.7 or real
    out = [
        f'<PubmedArticle><MedlineCitation Status="{"MEDLINE" if mesh else "PubMed-not-MEDLINE"}" '
        f'Owner="NLM"><PMID Version="1">{ids.pmid}</PMID>',
        date_xml("DateRevised", min(2025, head.year + rng.randint(0, 3)), rng.randint(1, 12), 1),
        f'<Article PubModel="{"Print-Electronic" if head.epub else "Print"}"><Journal>',
        f'<ISSN IssnType="Electronic">{issn}</ISSN>',
        f'<JournalIssue CitedMedium="Internet"><Volume>{head.volume}</Volume>',
        f"<Issue>{head.issue}</Issue>" if head.issue else "",
        f"{pub_date_xml(head)}</JournalIssue><Title>{esc(title)}</Title>",
        f"<ISOAbbreviation>{abbreviation}</ISOAbbreviation></Journal>",
        f"<ArticleTitle>{english(head.title, 0)}</ArticleTitle>",
        f"<Pagination><MedlinePgn>{head.pages}</MedlinePgn></Pagination>",
    ]
    if ids.doi and ids.doi_in_elocation:
        if ids.pii:
            out.append(f'<ELocationID EIdType="pii" ValidYN="Y">{esc(ids.pii)}</ELocationID>')
        out.append(f'<ELocationID EIdType="doi" ValidYN="Y">{ids.doi}</ELocationID>')
    if sections:
        out.append(f"<Abstract>{sections_xml(sections)}")
        if rng.random() < 0.2:
            out.append(f"<CopyrightInformation>© {head.year} The Authors.</CopyrightInformation>")
        out.append("</Abstract>")
    out.append(authors)
    if real:
        out.append(grants_xml(rng))
    chinese_journal = rng.random() < 0.01
    out.append("<Language>eng</Language>" + ("<Language>chi</Language>" if chinese_journal else ""))
    out.append("<PublicationTypeList>")
    types = [W.PUBLICATION_TYPES[0]] + [t for t in W.PUBLICATION_TYPES[1:] if rng.random() < 0.06]
    out += [f'<PublicationType UI="{ui}">{esc(name)}</PublicationType>' for name, ui in types]
    out.append("</PublicationTypeList>")
    if chinese_journal:
        out.append(f"<VernacularTitle>{chinese(head.title)}</VernacularTitle>")
    if head.epub:
        out.append(date_xml("ArticleDate", *head.epub, attrs=' DateType="Electronic"'))
    out.append(f"</Article><MedlineJournalInfo><Country>China</Country><MedlineTA>{abbreviation}")
    out.append(f"</MedlineTA><NlmUniqueID>{nlm_id}</NlmUniqueID>")
    out.append("</MedlineJournalInfo>")
    if mesh:
        out.append("<MeshHeadingList>")
        many = rng.randint(8, 12) if real else rng.randint(3, 13)
        for name in [MESH[0], *rng.sample(MESH[1:], many)]:
            major = "Y" if rng.random() < 0.2 else "N"
            ui = f"D{(MESH.index(name) * 7919) % 999999:06d}"
            out.append(f'<MeshHeading><DescriptorName UI="{ui}" MajorTopicYN="{major}">')
            out.append(f"{esc(name)}</DescriptorName>")
            qualifiers = rng.choice([0, 1, 1, 2, 3] if real else [0, 0, 0, 1, 2])
            for qualifier, qui in rng.sample(W.QUALIFIERS, qualifiers):
                major = "Y" if rng.random() < 0.15 else "N"
                out.append(f'<QualifierName UI="{qui}" MajorTopicYN="{major}">{esc(qualifier)}')
                out.append("</QualifierName>")
            out.append("</MeshHeading>")
        out.append("</MeshHeadingList>")
    keywords: list[str] = []
    if rng.random() < 0.4 or real:
        picks = rng.choices(
            VOCAB[CONTENT_START:],
            cum_weights=CUM[: len(VOCAB) - CONTENT_START],
            k=rng.randint(3, 7),
        )
        keywords = list(
            dict.fromkeys([*([head.topic[1]] if head.topic else []), *(e for e, _ in picks)])
        )
        out.append('<KeywordList Owner="NOTNLM">')
        out += [f'<Keyword MajorTopicYN="N">{esc(k)}</Keyword>' for k in keywords]
        out.append("</KeywordList>")
    out.append("</MedlineCitation><PubmedData><History>")
    out.append(history_xml(rng, head) if real else short_history_xml(rng, head))
    out.append("</History><PublicationStatus>ppublish</PublicationStatus><ArticleIdList>")
    out.append(f'<ArticleId IdType="pubmed">{ids.pmid}</ArticleId>')
    if ids.doi:
        out.append(f'<ArticleId IdType="doi">{ids.doi}</ArticleId>')
    if ids.pii:
        out.append(f'<ArticleId IdType="pii">{esc(ids.pii)}</ArticleId>')
    if ids.pmc:
        out.append(f'<ArticleId IdType="pmc">{ids.pmc}</ArticleId>')
    out.append("</ArticleIdList>")
    if real or (head.year >= 2005 and rng.random() < 0.2):
        references, count = references_xml(rng, seed, corpus, stubs, real)
        out.append(references)
        stats["with_references"] += 1
        stats["references"] += count
    out.append("</PubmedData></PubmedArticle>")
    stats["with_doi"] += bool(ids.doi)
    stats["with_pmc"] += bool(ids.pmc)
    stats["with_mesh"] += mesh
    stats["with_keywords"] += bool(keywords)
    stats["mathml"] += any(t[0] == MATHML for s in sections for x in s.sentences for t in x)
    text = "".join(out)
    return (indent(text) if real else text) + "\n", affiliations, keywords
