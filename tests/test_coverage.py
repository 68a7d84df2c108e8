"""Coordination-level ranking of a translated query (publish/coverage.py)."""

from __future__ import annotations

import math
import sqlite3

import pytest

from litbalint.publish.coverage import TermHits, best_covered, by_coverage, idf, term_hits


def test_idf_is_bm25s() -> None:
    assert idf(1, 100) == pytest.approx(math.log(1 + 99.5 / 1.5))
    assert idf(50, 100) < idf(5, 100) < idf(1, 100)


def test_articles_with_more_of_the_query_come_first() -> None:
    rare, common = TermHits(frozenset({1, 2}), 3.0), TermHits(frozenset({2, 3, 4}), 1.0)
    assert by_coverage([rare, common]) == [(2, 4.0), (1, 3.0), (4, 1.0), (3, 1.0)]
    assert by_coverage([]) == []


def test_a_depth_keeps_the_head_that_best_covered_reads_in_the_same_order() -> None:
    from litbalint.publish.coverage import most_read

    hits = [TermHits(frozenset(range(n, 300)), weight) for n, weight in ((0, 1.0), (100, 0.5))]
    hits.append(TermHits(frozenset(range(0, 300, 7)), 2.0))
    full = by_coverage(hits)
    head = by_coverage(hits, depth=2)
    assert len(full) == 300 and len(head) == most_read(2)
    assert head == full[: len(head)]
    keep = lambda ids: [i for i in ids if i % 3]  # noqa: E731
    assert best_covered(head, keep, depth=2) == best_covered(full, keep, depth=2)


def test_best_covered_filters_in_chunks_and_drops_weak_matches() -> None:
    ranked = [(10, 4.0), (9, 3.0), (8, 2.0), (7, 1.0)]
    everything = best_covered(ranked, lambda ids: ids, depth=10)
    assert everything == [10, 9, 8]  # 7 has less than half of the best one's weight
    odd = best_covered(ranked, lambda ids: [i for i in ids if i % 2], depth=10)
    assert odd == [9]  # the best one kept sets the floor: 7 has 1.0 < 1.5
    assert best_covered(ranked, lambda ids: [], depth=10) == []
    assert best_covered(ranked, lambda ids: ids, depth=1) == [10]


def _index(rows: dict[int, str]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY)")
    conn.execute("CREATE VIRTUAL TABLE articles_fts USING fts5(abstract_en)")
    for rowid, text in rows.items():
        conn.execute("INSERT INTO articles (id) VALUES (?)", [rowid])
        conn.execute("INSERT INTO articles_fts (rowid, abstract_en) VALUES (?, ?)", [rowid, text])
    return conn


def test_term_hits_weigh_each_term_and_skip_terms_found_nowhere() -> None:
    conn = _index({1: "balint group residents", 2: "balint group", 3: "nurses"})
    hits = term_hits(conn, ['"balint group"', '"residents"', '"quantum"'])
    assert [sorted(h.ids) for h in hits] == [[1, 2], [1]]
    assert hits[1].weight > hits[0].weight  # the rarer term weighs more
    assert [article_id for article_id, _ in by_coverage(hits)] == [1, 2]


def test_a_common_term_is_read_where_it_meets_the_other_terms(monkeypatch) -> None:
    from litbalint.publish import coverage

    monkeypatch.setattr(coverage.match_window, "WINDOW", 10)
    texts = {i: "group" + (" balint" if i in (3, 7) else "") for i in range(1, 21)}
    texts.update({21: "balint", 22: "peer support", 23: "peer support", 24: "peer"})
    conn = _index(texts)
    balint, group = term_hits(conn, ['"group"', '"balint"'])  # the rarer first
    assert sorted(balint.ids) == [3, 7, 21]
    # "group" (20 articles) is common: the newest 10 with it, and where it meets "balint"
    assert sorted(group.ids) == [3, 7, *range(11, 21)]
    # its count estimated from its newest 11 (ids 10-20 of 24): 18, not counted (20)
    assert group.weight == pytest.approx(idf(18, 24)) and group.weight < balint.weight
    ranked = [article_id for article_id, _ in by_coverage([balint, group])]
    assert ranked[:3] == [7, 3, 21]
    # only common terms: the newest articles with all of them
    monkeypatch.setattr(coverage.match_window, "WINDOW", 1)
    peer, support = term_hits(conn, ['"peer"', '"support"'])
    assert peer.ids == support.ids == frozenset({23})


def test_the_window_floor_is_the_lowest_id_of_the_newest_matches(monkeypatch) -> None:
    from litbalint.publish import match_window

    monkeypatch.setattr(match_window, "WINDOW", 3)
    conn = _index({i: "group" if i % 2 else "other" for i in range(1, 12)})
    conn.execute("ALTER TABLE articles ADD COLUMN year INTEGER")
    conn.execute("UPDATE articles SET year = 2000 + id")
    live: tuple[list[str], dict[str, object]] = ([], {})  # the index alone
    assert match_window.window_floor(conn, '"group"', live) == 7  # 11, 9, 7
    assert match_window.window_floor(conn, '"other"', live) == 6  # 10, 8, 6
    assert match_window.window_floor(conn, '"nothing"', live) is None
    old = (["a.year < :year"], {"year": 2008})  # 7, 5, 3 of the matches before 2008
    assert match_window.window_floor(conn, '"group"', old) == 3
    assert match_window.window_floor(conn, '"group"', (["a.year < 2004"], {})) is None


def test_a_common_terms_count_is_estimated_from_its_newest_matches() -> None:
    from litbalint.publish.coverage import _estimated_count

    assert _estimated_count(5001, 90_001, 100_000) == 50_010  # about every other article
    assert _estimated_count(5001, 95_000, 100_000) == 100_000  # all of them, at most
    assert _estimated_count(5001, 1, 100_000) == 5001  # all of its matches were read
