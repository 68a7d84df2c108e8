"""Citations of corpus articles: NLM/Vancouver lines (as PubMed's "Cite" shows them), BibTeX and
RIS. Pure functions over a small typed record; no database, no Datasette.

`from_row` turns a row of the `articles` table (plus `journal_title` from `journals`, when
joined) and its authors' display names into a `CitedArticle`.

Modules: `record` (the record and `from_row`), `parts` (names and page ranges taken apart),
`nlm` (the Vancouver line), `bibfile` (BibTeX), `risfile` (RIS).
"""

from __future__ import annotations

from litbalint.cite.bibfile import bibtex, bibtex_key, tex_escape
from litbalint.cite.nlm import MAX_VANCOUVER_AUTHORS, vancouver
from litbalint.cite.parts import PersonName, page_range, split_name
from litbalint.cite.record import (
    DOI_URL,
    MONTH_ABBREVIATIONS,
    PUBMED_URL,
    CitedArticle,
    Kind,
    from_row,
)
from litbalint.cite.risfile import RIS_EOL, ris

__all__ = [
    "DOI_URL",
    "MAX_VANCOUVER_AUTHORS",
    "MONTH_ABBREVIATIONS",
    "PUBMED_URL",
    "RIS_EOL",
    "CitedArticle",
    "Kind",
    "PersonName",
    "bibtex",
    "bibtex_key",
    "from_row",
    "page_range",
    "ris",
    "split_name",
    "tex_escape",
    "vancouver",
]
