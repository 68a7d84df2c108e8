"""The site's side of embeddings: `nearest` (order, exclusion, live articles only, the cached
matrix following commits), the cross-lingual ranking of the seeds with the real model, and the
article page's related list."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from litbalint import embed
from litbalint.embed_run import embed_articles
from litbalint.publish import vectors
from litbalint.store import Store
from litbalint.store import vectors as stored_vectors
from tests.conftest import get, project_metadata, register_publish_plugin

SEED_IDS = [1, 7, 8, 9, 13]
BALINT, PEER = {1, 7, 8}, {9, 13}  # seeds 000-002 are on Balint groups, 003-004 peer support


def unit(*values: float) -> np.ndarray:
    vector = np.zeros(embed.DIM, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


@pytest.fixture
def hand_made(seeds_not_embedded: Path, tmp_path: Path) -> Path:
    """The seeds with vectors chosen by hand: article i at a growing angle from the x axis."""
    db = tmp_path / "hand.db"
    shutil.copy(seeds_not_embedded, db)
    with Store(db) as store, store.transaction():
        stored_vectors.save(
            store.db,
            embed.MODEL_NAME,
            [(i, "h", embed.to_blob(unit(1.0, 0.2 * n))) for n, i in enumerate(SEED_IDS)],
        )
    return db


def test_nearest_order_exclusion_and_live_articles_only(hand_made: Path) -> None:
    conn = sqlite3.connect(hand_made)
    query = unit(1.0, 0.0)
    found = vectors.nearest(conn, query, 3)
    assert [i for i, _ in found] == [1, 7, 8]
    assert found[0][1] > found[1][1] > found[2][1] and found[0][1] == pytest.approx(1, abs=1e-3)
    assert [i for i, _ in vectors.nearest(conn, query, 3, exclude_ids=[1, 8])] == [7, 9, 13]
    assert [i for i, _ in vectors.nearest(conn, query, 10)] == SEED_IDS
    assert vectors.nearest(conn, None, 3) == [] and vectors.nearest(conn, query, 0) == []
    writer = sqlite3.connect(hand_made)  # another process marks an article deleted
    writer.execute("UPDATE articles SET deleted = 1 WHERE id = 7")
    writer.commit()
    assert [i for i, _ in vectors.nearest(conn, query, 3)] == [1, 8, 9]
    assert [i for i, _ in vectors.related(conn, 1, 2)] == [8, 9]
    assert vectors.related(conn, 2) == []  # a stub: no vector


def test_the_cached_matrix_follows_commits(
    hand_made: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = []
    load = vectors._load
    monkeypatch.setattr(vectors, "_load", lambda conn: loads.append(1) or load(conn))
    conn = sqlite3.connect(hand_made)
    first = vectors.stored_vectors(conn)
    assert first is not None and vectors.stored_vectors(conn) is first  # read once
    with Store(hand_made) as store, store.transaction():  # a new vector for 13: rows added
        stored_vectors.save(
            store.db, embed.MODEL_NAME, [(13, "moved", embed.to_blob(unit(0.0, 1.0)))]
        )
    assert vectors.nearest(conn, unit(0.0, 1.0), 1)[0][0] == 13
    second = vectors.stored_vectors(conn)
    assert second is not first and list(second.ids) == SEED_IDS
    other = sqlite3.connect(hand_made)  # a second connection shares it
    assert vectors.stored_vectors(other) is second
    assert len(loads) == 1  # the new row was read alone
    with Store(hand_made) as store, store.transaction():  # a row removed: read again
        stored_vectors.remove(store.db, [9])
    assert list(vectors.stored_vectors(conn).ids) == [1, 7, 8, 13]
    assert len(loads) == 2
    assert [i for i, _ in vectors.nearest(other, unit(1.0, 0.0), 5)] == [1, 7, 8, 13]


def test_no_vectors_or_switched_off_means_no_signal(
    seeds_not_embedded: Path, hand_made: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert vectors.stored_vectors(sqlite3.connect(seeds_not_embedded)) is None
    assert vectors.nearest(sqlite3.connect(seeds_not_embedded), unit(1.0), 3) == []
    monkeypatch.setenv(embed.SWITCH, "off")
    assert vectors.nearest(sqlite3.connect(hand_made), unit(1.0), 3) == []
    assert vectors.query_vector("同伴支持") is None


@pytest.fixture(scope="module")
def english_only(seeds_not_embedded: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds with their Chinese removed before embedding (the real model)."""
    db = tmp_path_factory.mktemp("english") / "english.db"
    shutil.copy(seeds_not_embedded, db)
    with Store(db) as store:
        with store.transaction():
            store.db.execute("UPDATE articles SET title_zh = NULL, abstract_zh = NULL")
        assert embed_articles(store).embedded == 5
    return db


@pytest.mark.parametrize(
    ("query", "relevant"),
    [("巴林特小组 住院医师", BALINT), ("巴林特小组", BALINT), ("同伴支持", PEER)],
)
def test_a_chinese_query_finds_english_only_seeds(
    english_only: Path, query: str, relevant: set[int]
) -> None:
    found = vectors.nearest(sqlite3.connect(english_only), vectors.query_vector(query), 5)
    assert found[0][0] in relevant, found


@pytest.fixture(scope="module")
def embedded_datasette(seeds_not_embedded: Path, tmp_path_factory: pytest.TempPathFactory):
    from datasette.app import Datasette

    register_publish_plugin()
    db = tmp_path_factory.mktemp("page") / "litbalint.db"
    shutil.copy(seeds_not_embedded, db)
    with Store(db) as store:
        embed_articles(store)
    return Datasette([str(db)], immutables=[], metadata=project_metadata())


def test_article_page_lists_related_corpus_articles(embedded_datasette) -> None:
    page = get(embedded_datasette, "/litbalint/articles/9?lang=zh")
    assert page.status_code == 200
    html = page.text
    assert "语料内相关文献" in html
    related = html.split('id="related"')[1].split("</ol>")[0]
    assert related.count("<li") == 4  # the other four seeds
    assert 'href="/litbalint/articles/13"' in related  # peer integration in primary care
    assert 'href="/litbalint/articles/9"' not in related
    english = get(embedded_datasette, "/litbalint/articles/9?lang=en").text
    assert "Related in this corpus" in english


def test_article_page_without_related_list(
    embedded_datasette, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub = get(embedded_datasette, "/litbalint/articles/2?lang=en")
    assert stub.status_code == 200 and 'id="related"' not in stub.text
    monkeypatch.setenv(embed.SWITCH, "off")
    off = get(embedded_datasette, "/litbalint/articles/9?lang=en")
    assert off.status_code == 200 and 'id="related"' not in off.text
    assert 'id="similar"' in off.text


def test_the_search_signal_keeps_only_articles_that_stand_out(
    hand_made: Path, english_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from litbalint.publish import crosslingual_search

    signals = crosslingual_search.SIGNALS
    conn = sqlite3.connect(hand_made)  # articles at growing angles from the x axis
    monkeypatch.setattr(vectors, "query_vector", lambda text: unit(1.0, 0.0))
    # similarities 1.0, 0.98, 0.93, 0.86, 0.78: the median is 0.93, so 1 and 7 stand out
    assert [i for i, _ in signals.nearest(conn, "x", 10)] == [1, 7]
    monkeypatch.setattr(vectors, "query_vector", lambda text: unit(0.0, 0.0, 1.0))
    assert signals.nearest(conn, "x", 10) == []  # far from all of them alike: none stands out
    monkeypatch.setattr(vectors, "query_vector", lambda text: unit(1.0, 0.0))
    later = signals.nearest_later(conn, "x")  # scored in the embedding thread, kept here
    assert later(10) == signals.nearest(conn, "x", 10) and [i for i, _ in later(1)] == [1]
    assert signals.nearest_later(conn, "")(10) == []
    monkeypatch.undo()
    # the real model on the five seeds (all on the same subjects): unrelated queries find none
    seeds = sqlite3.connect(english_only)
    for unrelated in ("zzzznothing", "心脏手术 并发症", "quantum black holes"):
        assert signals.nearest(seeds, unrelated, 10) == [], unrelated


def test_rows_added_among_older_ids_keep_the_matrix_in_order(
    hand_made: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(hand_made) as store, store.transaction():
        stored_vectors.remove(store.db, [7, 9])
    conn = sqlite3.connect(hand_made)
    assert list(vectors.stored_vectors(conn).ids) == [1, 8, 13]
    monkeypatch.setattr(vectors, "_load", lambda conn: pytest.fail("read all again"))
    with Store(hand_made) as store, store.transaction():
        stored_vectors.save(
            store.db,
            embed.MODEL_NAME,
            [(7, "b", embed.to_blob(unit(0.0, 1.0))), (9, "c", embed.to_blob(unit(0.0, 0.0, 1.0)))],
        )
    held = vectors.stored_vectors(conn)
    assert list(held.ids) == SEED_IDS
    assert [i for i, _ in vectors.nearest(conn, unit(0.0, 1.0), 1)] == [7]
    assert [i for i, _ in vectors.nearest(conn, unit(0.0, 0.0, 1.0), 1)] == [9]
    assert float(held.matrix[held.row_of(1)] @ unit(1.0, 0.0)) == pytest.approx(1, abs=1e-3)
