"""The parsers `scripts/bench.py parse` compares, each run in its own process.

    python -m scripts.bench_parsers PARSER FOLDER      (PARSER: litbalint, entrez, pubmed_parser)

Parses every .xml file in FOLDER and prints one JSON line: records, titles, abstracts, DOIs (how
many records have each) and the seconds the parsing took (imports and start-up not counted).
Entrez.read gets one file per call, as a user gets one efetch reply of 500 records per call.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

Counts = tuple[bool, bool, bool]  # has a title, an abstract, a DOI


def litbalint_records(path: Path) -> Iterator[Counts]:
    from litbalint.model import Article
    from litbalint.sources.pubmed_xml import parse_pubmed_xml

    with open(path, "rb") as stream:
        for record in parse_pubmed_xml(stream):
            if isinstance(record, Article):
                yield bool(record.title_en), bool(record.abstract_en), bool(record.ids.doi)


def entrez_records(path: Path) -> Iterator[Counts]:
    from Bio import Entrez

    with open(path, "rb") as stream:
        result = Entrez.read(stream)
    for record in result["PubmedArticle"]:
        article = record["MedlineCitation"]["Article"]
        ids = [
            str(i) for i in record["PubmedData"]["ArticleIdList"] if i.attributes["IdType"] == "doi"
        ]
        ids += [str(e) for e in article.get("ELocationID", []) if e.attributes["EIdType"] == "doi"]
        abstract = article.get("Abstract", {}).get("AbstractText", [])
        yield bool(str(article.get("ArticleTitle", ""))), bool(abstract), bool(ids)


def pubmed_parser_records(path: Path) -> Iterator[Counts]:
    import gzip

    from pubmed_parser import medline_parser

    class PlainOrGzip:  # parse_medline_xml opens every file with gzip.open; ours are plain XML
        @staticmethod
        def open(name: str, mode: str = "rb"):  # noqa: ANN205
            with open(name, "rb") as probe:
                gzipped = probe.read(2) == b"\x1f\x8b"
            return gzip.open(name, mode) if gzipped else open(name, mode)  # noqa: SIM115

    medline_parser.gzip = PlainOrGzip  # type: ignore[attr-defined]
    for record in medline_parser.parse_medline_xml(str(path)):
        yield bool(record.get("title")), bool(record.get("abstract")), bool(record.get("doi"))


PARSERS: dict[str, Callable[[Path], Iterator[Counts]]] = {
    "litbalint": litbalint_records,
    "entrez": entrez_records,
    "pubmed_parser": pubmed_parser_records,
}


def main() -> int:
    name, folder = sys.argv[1], Path(sys.argv[2])
    files = sorted(folder.glob("*.xml"))
    parse = PARSERS[name]
    next(parse(files[0]), None)  # warm-up: imports, DTDs, caches
    totals = [0, 0, 0, 0]
    start = time.perf_counter()
    for path in files:
        for title, abstract, doi in parse(path):
            totals[0] += 1
            totals[1] += title
            totals[2] += abstract
            totals[3] += doi
    seconds = time.perf_counter() - start
    keys = ("records", "titles", "abstracts", "dois")
    print(json.dumps({**dict(zip(keys, totals, strict=True)), "seconds": seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
