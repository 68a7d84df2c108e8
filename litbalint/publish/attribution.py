"""Licence and source lines on every page, from the first request after start.

Datasette 0.65 gives a row page (and a canned query's page) only that table's (or query's) own
metadata, and fills in the instance's licence and source only as a side effect of drawing a
table or database page (`update_with_inherited_metadata` changes its cached metadata in place):
on a fresh server the article page had no "Data license" line until `/<db>/articles` had been
visited. `page_metadata` reads those keys itself, with Datasette's fallback from table to
database to instance, and the plugin passes the result as the template's `metadata`.
"""

from __future__ import annotations

ATTRIBUTION_KEYS = ("license", "license_url", "source", "source_url", "about", "about_url")


def attribution(datasette, database: str | None, table: str | None = None) -> dict[str, str]:
    """The licence, source and about keys that apply to this page (table, else database, else
    instance), those that are set."""
    found = {}
    for key in ATTRIBUTION_KEYS:
        value = datasette.metadata(key, database=database, table=table, fallback=True)
        if value:
            found[key] = value
    return found


def page_metadata(datasette, database: str, table: str | None, own: dict | None = None) -> dict:
    """`own` (the table's metadata when not given) with the attribution added: a new dict, so
    Datasette's own metadata is never changed."""
    if own is None:
        own = datasette.metadata(database=database, table=table, fallback=False) or {}
    return {**own, **attribution(datasette, database, table)}
