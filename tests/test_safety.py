"""Publishing is read-only and bounded: escaping everywhere, no writes, time limit, row cap."""

from __future__ import annotations

import asyncio
import sqlite3
import urllib.parse
from pathlib import Path

import pytest
from datasette.app import Datasette

from litbalint.pipeline import import_file
from litbalint.publish import SERVE_SETTINGS
from litbalint.store import Store
from tests.conftest import dump, get, project_metadata, register_publish_plugin
from tests.test_store import pubmed_xml, write

EVIL = "<script>alert(1)</script> Balint & peer <b>support</b>"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Datasette, Path]:
    register_publish_plugin()
    folder = tmp_path_factory.mktemp("safety")
    db = folder / "litbalint.db"
    with Store(db) as store:
        title = EVIL.replace("&", "&amp;").replace("<", "&lt;")  # as XML text
        xml = write(folder, "evil.xml", pubmed_xml(4242, "10.1/evil", title, "Balint groups."))
        assert import_file(store, xml).ok
    metadata = project_metadata()
    settings = dict(SERVE_SETTINGS, sql_time_limit_ms=200)
    return Datasette([], immutables=[str(db)], metadata=metadata, settings=settings), db


@pytest.mark.parametrize(
    "path",
    [
        "/litbalint/articles?is_stub=0",
        "/litbalint/articles/1",
        "/-/search?q=balint",
        "/litbalint/articles?_search=balint",  # redirected to the search page
        "/litbalint/articles?_search=balint&_searchmode=raw",  # to the ranked view
        "/litbalint/article_search?_search=balint&_sort=rank",
    ],
)
def test_html_is_escaped_everywhere(served, path):
    datasette, _ = served
    response = get(datasette, path)
    assert response.status_code == 200, response.text
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_no_writes(served):
    datasette, db = served
    before = list(sqlite3.connect(db).iterdump())
    for path in ("/litbalint/articles", "/litbalint/articles/1", "/litbalint"):
        response = asyncio.run(datasette.client.post(path, json={"title_en": "x"}))
        assert response.status_code >= 400, (path, response.status_code)
    sql = urllib.parse.quote("update articles set title_en = 'x'")
    response = get(datasette, f"/litbalint.json?sql={sql}")
    assert response.status_code >= 400
    assert list(sqlite3.connect(db).iterdump()) == before


def test_queries_are_time_limited(served):
    datasette, _ = served
    slow = urllib.parse.quote(
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000000) "
        "select count(*) from n"
    )
    response = get(datasette, f"/litbalint.json?sql={slow}")
    assert response.status_code == 400
    assert "too long" in response.text


def test_large_results_are_capped(served):
    datasette, _ = served
    many = urllib.parse.quote(
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 5000) "
        "select i from n"
    )
    data = get(datasette, f"/litbalint.json?sql={many}&_shape=objects").json()
    assert len(data["rows"]) == 1000 and data["truncated"] is True


def test_database_download_is_off(served):
    datasette, _ = served
    assert get(datasette, "/litbalint.db").status_code == 403


def test_store_is_unchanged_by_serving(served):
    datasette, db = served
    with Store(db, create=False) as store:
        before = dump(store)
    get(datasette, "/litbalint/articles?_search=balint")
    with Store(db, create=False) as store:
        assert dump(store) == before
