"""The window a search ranks in: a query matching more than `WINDOW` articles is ranked, counted
and faceted among its `WINDOW` most recently added matches (highest article ids), not all of
them.

Why: ranking by bm25 and counting facets cost a lookup per matching article. At 100,000
articles a common word (group, burnout) matches most of them, and the search took 0.5-1.5 s
(scripts/bench_xlingual.py); within the window it takes tens of milliseconds, whatever the
corpus size. A word matching most of the corpus does not rank it usefully anyway: the page says
so and asks for another word. Recently added comes first because the nightly harvest adds new
articles with new ids.

The readers' search (search_ranked.py) and the table search sorted by relevance
(ranked_table.py: the view `article_search`, whose `id` is the index's rowid, so `id >= floor`
bounds the index's own ranking) both read it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

WINDOW = 5000  # matches ranked, counted and faceted at most (the newest)
LIVE = ("a.is_stub = 0", "a.deleted = 0")  # on `articles a`: the conditions every search has


@dataclass(frozen=True)
class Window:
    """A search bounded to its window: the lowest article id in it, and how many articles the
    MATCH finds in all (counted in the index alone: a few milliseconds even for every row)."""

    floor: int
    matches: int


def index_window(conn: sqlite3.Connection, match: str) -> Window | None:
    """The window of a MATCH with no other condition (the table search's), or None when no more
    than `WINDOW` articles match."""
    floor = window_floor(conn, match, ([], {}))
    if floor is None:
        return None
    count = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?"
    matches = conn.execute(count, [match]).fetchone()[0]
    return Window(floor, matches) if matches > WINDOW else None


def window_floor(
    conn: sqlite3.Connection, match: str, filters: tuple[list[str], dict[str, object]]
) -> int | None:
    """The lowest article id among the `WINDOW` newest articles the MATCH finds (passing the
    filters), or None when fewer than `WINDOW` match: the search then reads them all."""
    where, params = filters
    index_only = (
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :window_match "
        f"ORDER BY rowid DESC LIMIT 1 OFFSET {WINDOW - 1}"
    )
    floor = conn.execute(index_only, {"window_match": match}).fetchone()
    narrowing = [condition for condition in where if condition not in LIVE]
    if floor is None or not narrowing:  # fewer matches, or a few stubs cost a few places
        return floor[0] if floor else None
    with_filters = (  # the filters decide which matches count: read the articles too
        "SELECT articles_fts.rowid FROM articles_fts JOIN articles a "
        "ON a.id = articles_fts.rowid WHERE articles_fts MATCH :window_match "
        f"AND {' AND '.join(where)} "
        f"ORDER BY articles_fts.rowid DESC LIMIT 1 OFFSET {WINDOW - 1}"
    )
    row = conn.execute(with_filters, {**params, "window_match": match}).fetchone()
    return row[0] if row else None
