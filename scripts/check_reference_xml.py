"""Run the PubMed XML parser over a folder of efetch files and print what it read.

A check against real records (such as ../shared/reference/pubmed-xml/), not a test:

    python -m scripts.check_reference_xml ../shared/reference/pubmed-xml
"""

from __future__ import annotations

import sys
from pathlib import Path

from litbalint.model import Article, Deletion, Problem
from litbalint.sources.pubmed_xml import parse_pubmed_xml


def describe(article: Article) -> str:
    authors = ", ".join(a.display_name for a in article.authors[:3])
    more = f" +{len(article.authors) - 3}" if len(article.authors) > 3 else ""
    orcids = sum(1 for a in article.authors if a.orcid)
    return (
        f"PMID {article.ids.pmid} doi={article.ids.doi} pmc={article.ids.pmc}\n"
        f"  {article.title_en}\n"
        f"  {article.journal} {article.pub_date.text} ({article.pub_date.iso()}) "
        f"{article.volume}({article.issue}):{article.pages} epub={article.epub_date}\n"
        f"  authors: {authors}{more} (ORCID {orcids})\n"
        f"  sections: {[s.label for s in article.abstract_en]} zh={len(article.abstract_zh)}\n"
        f"  MeSH {len(article.mesh)} (major {sum(m.major for m in article.mesh)}), "
        f"keywords {len(article.keywords)}, references {len(article.references)}, "
        f"types {article.publication_types}"
    )


def main(folder: str) -> int:
    problems = 0
    for path in sorted(Path(folder).glob("*.xml")):
        print(f"== {path.name}")
        with open(path, "rb") as stream:
            for record in parse_pubmed_xml(stream):
                if isinstance(record, Article):
                    print(describe(record))
                elif isinstance(record, Deletion):
                    print(f"DeleteCitation {record.pmids}")
                elif isinstance(record, Problem):
                    problems += 1
                    print(f"PROBLEM line {record.line}: {record.message}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/pubmed-xml"))
