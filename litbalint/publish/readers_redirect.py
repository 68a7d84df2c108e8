"""Where the search box of the `articles` table page leads: the search page for readers.

Datasette's search form on `/<db>/articles` sends `?_search=...` with its own sort box
(`_sort=id`) and empty filter fields. When everything asked can be said in the search page's
arguments (`q`, `topic`, `year`, `has_zh=1`, `type`, `lang`; see search.py), the page is
redirected there; anything else (another filter, `_searchmode=raw`, paging, chosen columns)
returns None and the search stays on the researchers' ranked view (ranked_table.py).
"""

from __future__ import annotations

from datasette.utils import MultiParams, filters_should_redirect

# Table arguments (`column__exact` read as `column`) and the search page's names for them
MAPPED = {
    "_search": "q",
    "topics__arraycontains": "topic",
    "year": "year",
    "has_zh": "has_zh",
    "publication_types__arraycontains": "type",
}
# What changes only the table page's own display: dropped on the way to the search page
DISPLAY_ONLY = {"_facet", "_facet_array", "_facet_date", "_facet_size", "_size", "_nofacet",
                "_nocount", "_nosuggest"}  # fmt: skip
LANG = "lang"


def form_arguments(args: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The arguments as Datasette reads them once the fields of its filter form
    (`_filter_column`, `_filter_op`, `_filter_value`, numbered or not) are turned into
    `column__op=value` (an empty column: no filter), as Datasette's own redirect does."""
    derived = filters_should_redirect(MultiParams(args))
    kept = [(name, value) for name, value in args if not name.startswith("_filter_")]
    return kept + [(name, value) for name, value in derived if value is not None]


def readers_arguments(args: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """The search page's arguments for a table search of `articles`, or None when the search
    asks for something that page cannot show (then it stays a table search)."""
    mapped: list[tuple[str, str]] = []
    lang = None
    for name, value in form_arguments(args):
        name = name.removesuffix("__exact")
        if name in DISPLAY_ONLY or (name == "_sort" and value in ("", "id")):
            continue
        if name == LANG:
            lang = value
            continue
        if name == "is_stub" and value == "0":
            continue  # the search page shows corpus articles unless asked for stubs
        target = MAPPED.get(name)
        value = value.strip()
        if target is None or not value or (target == "has_zh" and value != "1"):
            return None
        if any(seen == target for seen, _ in mapped):
            return None  # one value of each
        mapped.append((target, value))
    if not any(name == "q" for name, _ in mapped):
        return None
    return mapped + ([(LANG, lang)] if lang else [])
