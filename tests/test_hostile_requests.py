"""Hostile clients: over-long queries cost no more than a capped one, the site shows no server
path, and a client's mistake is a 4xx with one line, never a 500."""

from __future__ import annotations

import asyncio
import sqlite3
import time
import urllib.parse
from pathlib import Path

import pytest
from datasette.app import Datasette

from litbalint.publish import SERVE_SETTINGS, server_paths
from litbalint.publish.fts_query import escape_fts
from litbalint.publish.search_query import SearchRequest
from litbalint.zh import MAX_QUERY_CHARS, query_text, segment_query
from tests.conftest import get, project_metadata, register_publish_plugin, seeded_database

HUGE = "巴林特小组职业倦怠" * 250_000  # 2.25 million CJK characters


def test_queries_are_read_up_to_the_cap():
    assert len(query_text(HUGE)) == MAX_QUERY_CHARS == 500
    assert query_text("  burnout \n\t Balint  ") == "burnout Balint"
    assert query_text(None) == ""
    assert query_text("burnout " * 100) == " ".join(["burnout"] * 62)  # no "burn" at the end
    assert sum(map(len, segment_query(HUGE))) == MAX_QUERY_CHARS
    request = SearchRequest.from_args({"q": HUGE})
    assert request.query == HUGE[:MAX_QUERY_CHARS] and request.cut
    assert not SearchRequest.from_args({"q": "巴林特 " + " " * 5000}).cut


def test_escape_fts_of_two_million_characters_is_quick_and_bounded():
    escape_fts("巴林特")  # jieba's dictionary loaded outside the timing
    started = time.perf_counter()
    escaped = escape_fts(HUGE)
    assert time.perf_counter() - started < 0.5
    assert escaped == escape_fts(HUGE[:MAX_QUERY_CHARS])
    assert escaped.startswith('("巴林特小组" OR ') and len(escaped) < 20 * MAX_QUERY_CHARS
    assert escape_fts(12) == '""'  # an SQL caller may pass anything


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Datasette, Path]:
    register_publish_plugin()
    db = seeded_database(tmp_path_factory.mktemp("hostile"))
    settings = dict(SERVE_SETTINGS, sql_time_limit_ms=1000)
    return Datasette([str(db)], metadata=project_metadata(), settings=settings), db


def test_sql_functions_read_the_capped_query(served):
    datasette, _ = served
    two_million = "replace(hex(zeroblob(1000000)), '00', '巴林特小组')"  # built in SQL
    sql = f"select length(escape_fts({two_million})), litbalint_search({two_million}, 3)"
    started = time.perf_counter()
    response = get(datasette, "/litbalint.json?" + urllib.parse.urlencode({"sql": sql}))
    assert time.perf_counter() - started < 5
    assert response.status_code == 200, response.text
    row = response.json()["rows"][0]
    assert (
        row[0] == len(escape_fts("巴林特小组" * 1_000_000)) == len(escape_fts("巴林特小组" * 100))
    )
    assert row[1].startswith('[{"id": ')


def test_over_long_search_answers_quickly_and_says_so(served):
    datasette, _ = served
    query = urllib.parse.quote("巴林特小组 " + "住院医师" * 1500)  # the longest URL httpx sends
    started = time.perf_counter()
    found = get(datasette, f"/-/search.json?q={query}")
    page = get(datasette, f"/-/search?q={query}&lang=en")
    assert time.perf_counter() - started < 10
    assert found.status_code == 200 and page.status_code == 200
    body = found.json()
    assert body["query_cut"] is True and len(body["query"]) == MAX_QUERY_CHARS
    assert body["error"] is False and body["total"] >= 1
    assert "Only the first 500 characters of the query were searched." in page.text
    assert len(page.text) < 200_000  # the page does not echo the whole query back
    assert get(datasette, "/-/search.json?q=balint").json()["query_cut"] is False


def test_databases_json_shows_file_names_not_paths(served):
    datasette, db = served
    listed = get(datasette, "/-/databases.json").json()
    assert [(d["name"], d["path"]) for d in listed] == [("litbalint", "litbalint.db")]
    page = get(datasette, "/-/databases")
    assert page.status_code == 200 and str(db.parent) not in page.text
    assert "litbalint.db" in page.text


def test_pragma_database_list_hides_the_file(served):
    datasette, db = served
    for sql in (
        "select * from pragma_database_list",
        "select file from pragma_database_list() where name = 'main'",
        "with d as (select * from pragma_database_list) select group_concat(file) from d",
    ):
        response = get(datasette, "/litbalint.json?" + urllib.parse.urlencode({"sql": sql}))
        assert response.status_code == 200, response.text
        assert str(db.parent) not in response.text
    rows = get(datasette, "/litbalint.json?sql=select+*+from+pragma_database_list&_shape=array")
    assert rows.json() == [{"seq": 0, "name": "main", "file": None}]


def test_statement_pragma_still_names_the_file(tmp_path: Path):
    """The plugin (vectors.py) and Datasette read the file with the PRAGMA statement."""
    conn = sqlite3.connect(tmp_path / "x.db")
    conn.set_authorizer(server_paths.authorizer)
    assert conn.execute("PRAGMA database_list").fetchone()[2] == str(tmp_path / "x.db")
    assert conn.execute("select file from pragma_database_list").fetchone() == (None,)


@pytest.mark.parametrize("sort", ["_sort", "_sort_desc"])
@pytest.mark.parametrize("table", ["articles", "article_search", "import_files"])
def test_sort_by_a_missing_column_is_a_400(served, sort, table):
    datasette, _ = served
    response = get(datasette, f"/litbalint/{table}.json?{sort}=nonexistent")
    assert response.status_code == 400
    assert response.json()["error"] == "Cannot sort by nonexistent: the table has no such column"
    page = get(datasette, f"/litbalint/{table}?{sort}=nonexistent")
    assert page.status_code == 400 and "the table has no such column" in page.text


@pytest.mark.parametrize("suffix", ["", ".json"])
def test_post_to_a_canned_query_is_a_405(served, suffix):
    datasette, _ = served
    path = f"/litbalint/sentence_pairs_with_term{suffix}"
    response = asyncio.run(datasette.client.post(path, data={"term": "Balint"}))
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert "sentence_pairs_with_term is a read-only query: ask for it with GET" in response.text
    assert get(datasette, f"{path}?term=Balint").status_code == 200
