"""Bounded search work on a large corpus: the table search's window (match_window.index_window,
the view's `id` read from the index) and the readers' ranking read from the index first
(search_ranked.by_bm25)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from litbalint.publish import match_window, search_ranked
from litbalint.publish.search_ranked import by_bm25
from litbalint.store import Store
from litbalint.store.schema import SEARCH_VIEW


def _corpus(tmp_path: Path, texts: dict[int, str]) -> sqlite3.Connection:
    """Articles with these abstracts (id -> text), year 2000 + id, in a litbalint database."""
    path = tmp_path / "litbalint.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    for article_id, text in texts.items():
        conn.execute(
            "INSERT INTO articles (id, year, abstract_en, created_at, updated_at) "
            "VALUES (?, ?, ?, '', '')",
            [article_id, 2000 + article_id, text],
        )
        conn.execute(
            "INSERT INTO articles_fts (rowid, abstract_en) VALUES (?, ?)", [article_id, text]
        )
    conn.commit()
    return conn


LIVE: tuple[list[str], dict[str, object]] = (list(match_window.LIVE), {})


def test_the_index_window_counts_every_match(tmp_path: Path, monkeypatch) -> None:
    conn = _corpus(tmp_path, {i: "group" if i % 2 else "other words" for i in range(1, 12)})
    monkeypatch.setattr(match_window, "WINDOW", 3)
    assert match_window.index_window(conn, '"group"') == match_window.Window(7, 6)  # 11, 9, 7
    assert match_window.index_window(conn, '"nothing"') is None
    monkeypatch.setattr(match_window, "WINDOW", 5)
    assert match_window.index_window(conn, '"group"') == match_window.Window(3, 6)
    monkeypatch.setattr(match_window, "WINDOW", 6)
    assert match_window.index_window(conn, '"group"') is None  # all of them: no window


def test_the_views_id_is_the_indexs_so_a_floor_bounds_its_ranking(tmp_path: Path) -> None:
    conn = _corpus(tmp_path, {1: "burnout", 2: "burnout burnout", 3: "burnout"})
    columns = [row[1] for row in conn.execute("PRAGMA table_info(article_search)")]
    table = [row[1] for row in conn.execute("PRAGMA table_info(articles)")]
    assert columns == ["rank", *table, "articles_fts"]  # the articles table's, in its order
    sql = "SELECT id FROM article_search WHERE articles_fts MATCH 'burnout' AND id >= 2"
    plan = " ".join(str(row[3]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
    assert re.search(r"articles_fts VIRTUAL TABLE INDEX \d+:M\d+>", plan)  # `>`: the floor
    assert [row[0] for row in conn.execute(sql + " ORDER BY rank")] == [2, 3]


def test_an_older_database_gets_the_new_view(tmp_path: Path) -> None:
    path = tmp_path / "litbalint.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP VIEW article_search")
    conn.execute(  # schema 8's definition
        "CREATE VIEW article_search AS SELECT articles_fts.rank AS rank, a.*, "
        "articles_fts.articles_fts AS articles_fts "
        "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
    )
    conn.execute("UPDATE litbalint_meta SET value = '8' WHERE key = 'schema_version'")
    conn.execute("DROP TABLE _sqlite_migrations")  # schema 8 had no recorded migrations
    conn.commit()
    Store(path).close()
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'article_search'").fetchone()
    assert "articles_fts.rowid AS id" in sql[0] and "a.*" not in sql[0]
    assert "ARTICLE_COLUMNS" in SEARCH_VIEW  # filled in from the table when the view is made


def test_bm25_ranking_reads_the_index_first_and_falls_back_for_narrow_filters(
    tmp_path: Path, monkeypatch
) -> None:
    # relevance: 5 (most "burnout"), then 4, 3, 2, 1; years 2001-2005
    conn = _corpus(tmp_path, {i: " ".join(["burnout"] * i + ["filler"] * 6) for i in range(1, 6)})
    assert by_bm25(conn, '"burnout"', LIVE, 3) == [5, 4, 3]
    assert by_bm25(conn, '"burnout"', LIVE, 10) == [5, 4, 3, 2, 1]
    assert by_bm25(conn, '"burnout"', LIVE, 3, floor=3) == [5, 4, 3]
    assert by_bm25(conn, '"burnout"', LIVE, 3, floor=4) == [5, 4]
    old = ([*LIVE[0], "a.year <= :year"], {"year": 2002})
    calls: list[str] = []
    conn.set_trace_callback(calls.append)
    # the index's best 2 * 1 (5, 4) are both filtered out: every match is ranked with its row
    assert by_bm25(conn, '"burnout"', old, 1) == [2]
    assert len([sql for sql in calls if "bm25(" in sql]) == 1
    calls.clear()
    assert by_bm25(conn, '"burnout"', old, 3) == [2, 1]  # all 5 read by the index: no fallback
    assert not [sql for sql in calls if "bm25(" in sql]
    monkeypatch.setattr(search_ranked, "OVERFETCH", 4)
    assert by_bm25(conn, '"burnout"', old, 1) == [2]  # 5, 4, 3, 2 read: 2 passes
    assert not [sql for sql in calls if "bm25(" in sql]


@pytest.mark.parametrize("filters", [LIVE, ([*LIVE[0], "a.year > 2000"], {})])
def test_ties_are_broken_by_id_either_way(tmp_path: Path, filters) -> None:
    conn = _corpus(tmp_path, {i: "burnout filler" for i in (4, 2, 9, 7)})
    assert by_bm25(conn, '"burnout"', filters, 2) == [2, 4]
    assert by_bm25(conn, '"burnout"', filters, 4) == [2, 4, 7, 9]


def test_the_window_is_read_once_with_its_ranks_and_sorted_like_the_index(
    tmp_path: Path, monkeypatch
) -> None:
    # relevance: 5 (most "burnout"), then 4, 3, 2, 1; years 2001-2005
    conn = _corpus(tmp_path, {i: " ".join(["burnout"] * i + ["filler"] * 6) for i in range(1, 6)})
    monkeypatch.setattr(match_window, "WINDOW", 3)
    window = match_window.window_ids(conn, '"burnout"', LIVE)
    assert list(window) == [5, 4, 3] and window[5] < window[4] < window[3] < 0  # bm25: lower
    assert match_window.floor_of(window) == 3 == match_window.window_floor(conn, '"burnout"', LIVE)
    old = ([*LIVE[0], "a.year <= :year"], {"year": 2003})
    assert list(match_window.window_ids(conn, '"burnout"', old)) == [3, 2, 1]
    monkeypatch.setattr(match_window, "WINDOW", 5000)
    assert list(match_window.window_ids(conn, '"burnout"', old)) == [3, 2, 1]  # every match
    assert match_window.floor_of(match_window.window_ids(conn, '"burnout"', old)) is None
    for filters in (LIVE, old):
        every = match_window.window_ids(conn, '"burnout"', filters)
        expected = by_bm25(conn, '"burnout"', filters, 2)
        calls: list[str] = []
        conn.set_trace_callback(calls.append)
        assert by_bm25(conn, '"burnout"', filters, 2, None, every) == expected
        assert not [sql for sql in calls if "MATCH" in sql]  # sorted, not evaluated again
        conn.set_trace_callback(None)


def test_a_readers_search_evaluates_its_match_once(tmp_path: Path) -> None:
    from litbalint.publish.search_query import SearchRequest, read_results

    conn = _corpus(tmp_path, {i: f"burnout filler {i}" for i in range(1, 8)})
    calls: list[str] = []
    conn.set_trace_callback(calls.append)
    results = read_results(conn, SearchRequest(query="burnout"))
    assert results.total == 7 and [hit.id for hit in results.hits] == [1, 2, 3, 4, 5, 6, 7]
    matching = [sql for sql in calls if "MATCH" in sql and "snippet(" not in sql]
    assert len(matching) == 1, matching  # the window, with its ranks: ranking, count, facets
