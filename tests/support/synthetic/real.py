"""The parts of a synthetic record of real PubMed size (corpus.py, shape real): grants,
the full history dates, and efetch's indentation. A real efetch record with its reference list
is ~17 KB (/work/shared/reference/pubmed-xml: 4-space indentation, every container element on
its own line, MathML indented inside abstract text)."""

from __future__ import annotations

import random
import re

from tests.support.synthetic.text import Head

AGENCIES = (
    ("NCI NIH HHS", "CA", "United States"),
    ("NIMH NIH HHS", "MH", "United States"),
    ("NCATS NIH HHS", "TR", "United States"),
    ("Wellcome Trust", "WT_", "United Kingdom"),
    ("Medical Research Council", "MRC_", "United Kingdom"),
    ("National Natural Science Foundation of China", "", "China"),
    ("CIHR", "CIHR", "Canada"),
)
# Elements whose content is elements only: efetch puts each child on its own line.
CONTAINERS = frozenset(
    "PubmedArticle MedlineCitation DateCompleted DateRevised Article Journal JournalIssue "
    "PubDate Pagination Abstract AuthorList Author AffiliationInfo PublicationTypeList "
    "GrantList Grant ArticleDate MedlineJournalInfo ChemicalList Chemical MeshHeadingList "
    "MeshHeading KeywordList PubmedData History PubMedPubDate ArticleIdList ReferenceList "
    "Reference".split()
)
_TAG = re.compile(r"<(/?)([A-Za-z]+)[^>]*?(/?)>")


def grants_xml(rng: random.Random) -> str:
    """A GrantList of 0-6 grants (about half of the records have one)."""
    count = rng.choice([0, 0, 0, 1, 2, 3, 4, 6])
    if not count:
        return ""
    parts = ['<GrantList CompleteYN="Y">']
    for _ in range(count):
        agency, acronym, country = rng.choice(AGENCIES)
        grant = f"{rng.choice('RKUP')}{rng.randint(10, 99)} {acronym}{rng.randint(10**5, 10**6)}"
        parts.append(f"<Grant><GrantID>{grant}</GrantID>")
        parts.append(f"<Acronym>{acronym}</Acronym>" if acronym else "")
        parts.append(f"<Agency>{agency}</Agency><Country>{country}</Country></Grant>")
    parts.append("</GrantList>")
    return "".join(parts)


def history_xml(rng: random.Random, head: Head) -> str:
    """PubMedPubDate received, revised, accepted, pubmed, medline, entrez (with times)."""
    year = head.year
    parts = []
    for status, shift, clock in (
        ("received", -1, False),
        ("revised", 0, False),
        ("accepted", 0, False),
        ("pubmed", 0, True),
        ("medline", 1, True),
        ("entrez", 0, True),
    ):
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        time = f"<Hour>{rng.randint(0, 23)}</Hour><Minute>{rng.randint(0, 59)}</Minute>" * clock
        parts.append(
            f'<PubMedPubDate PubStatus="{status}"><Year>{year + shift}</Year>'
            f"<Month>{month}</Month><Day>{day}</Day>{time}</PubMedPubDate>"
        )
    return "".join(parts)


def indent(xml: str, unit: str = "    ") -> str:
    """Indent a one-line PubmedArticle as efetch does: a new line before each child of a
    container element (text and inline markup elsewhere stay as they are)."""
    out: list[str] = []
    stack: list[str] = []
    last = 0
    for match in _TAG.finditer(xml):
        closing, name, empty = match.group(1), match.group(2), match.group(3)
        out.append(xml[last : match.start()])
        last = match.end()
        if closing:
            if stack and stack[-1] == name:
                stack.pop()
            if name in CONTAINERS:
                out.append("\n" + unit * len(stack))
        elif not stack or stack[-1] in CONTAINERS:
            out.append("\n" + unit * len(stack))
        out.append(match.group(0))
        if not closing and not empty:
            stack.append(name)
    out.append(xml[last:])
    return "".join(out).lstrip("\n")
