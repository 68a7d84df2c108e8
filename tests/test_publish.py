"""The Datasette plugin: Chinese-aware search through Datasette's own search box and JSON API."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from datasette.app import Datasette

from litbalint.publish import escape_fts
from tests.conftest import (
    error_line,
    get,
    run,
)

BALINT = {"10.1177/00912174221122862", "10.1080/14739879.2020.1764397",
          "10.1186/s12909-022-03508-2"}  # fmt: skip
PEER = {"10.1186/s12913-023-09312-y", "10.1186/s12875-024-02548-5"}


@pytest.fixture
def datasette(seeds_datasette: Datasette) -> Datasette:
    return seeds_datasette


def search(datasette: Datasette, query: str) -> set[str]:
    path = "/litbalint/articles.json?" + urllib.parse.urlencode(
        {"_search": query, "is_stub": "0", "_shape": "array", "_col": "doi"}
    )
    response = get(datasette, path)
    assert response.status_code == 200, response.text
    return {row["doi"] for row in response.json()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("巴林特", BALINT),
        ("巴林特小组", BALINT),  # unsegmented: one dictionary word
        ("同伴支持", PEER),
        ("group", BALINT - {"10.1080/14739879.2020.1764397"}),  # 001 never says "group"
        ("groups", BALINT - {"10.1080/14739879.2020.1764397"}),  # porter: groups = group
        ("Balint 住院医师", {"10.1177/00912174221122862"}),  # mixed: both required
        ("住院医师职业倦怠", set()),  # two words (with their variants), no seed has both
        ("全科医生职业倦怠", {"10.1080/14739879.2020.1764397"}),  # 001 says 职业枯竭
        ('"peer support" 同伴支持', PEER),
        ('unbalanced " quote (AND', set()),
    ],
)
def test_search_box_understands_chinese_and_english(datasette, query, expected):
    assert search(datasette, query) == expected


def test_escape_fts_quotes_every_word():
    assert escape_fts("巴林特小组培训 医学生") == '"巴林特小组培训" "医学生"'
    assert escape_fts('AND "peer support" NEAR(') == '"AND" "peer support" "NEAR("'
    assert escape_fts("") == '""'
    assert escape_fts('say "hi') == '"say" "hi"'


def test_the_plugin_is_loaded(datasette):
    response = get(datasette, "/-/plugins.json")
    assert "litbalint" in {plugin["name"] for plugin in response.json()}


def test_serve_refuses_a_missing_database(tmp_path: Path):
    result = run("serve", "--db", tmp_path / "none.db")
    assert result.exit_code == 1
    assert "run `litbalint build` first" in error_line(result)


def test_canned_queries_answer(datasette):
    cases = {
        "sentence_pairs_with_term?term=巴林特": lambda rows: len(rows) >= 10,
        "articles_citing?pmid_or_doi=10.1177/00912174221122862": lambda rows: (
            [r["doi"] for r in rows] == ["10.4300/JGME-D-24-00016.1"]
        ),
        # only 003 (a corpus article) cites anything: its two references
        "most_cited_in_corpus": lambda rows: {r["id"] for r in rows} and len(rows) == 2,
        "chinese_coverage_by_year": lambda rows: (
            [(r["year"], r["with_chinese"]) for r in rows]
            == [(2020, 1), (2022, 2), (2023, 1), (2024, 1)]
        ),
    }
    for path, check in cases.items():
        name, _, query = path.partition("?")
        url = f"/litbalint/{name}.json?{urllib.parse.quote(query, safe='=&')}&_shape=array"
        response = get(datasette, url)
        assert response.status_code == 200, (path, response.text)
        assert check(response.json()), (path, response.json())


def test_facets_and_hidden_tables(datasette):
    data = get(datasette, "/litbalint/articles.json?is_stub=0&_size=0").json()
    facets = data["facet_results"]
    assert {"topics", "year", "journal", "publication_types", "mesh_terms", "has_zh"} <= set(facets)
    topics = {v["value"]: v["count"] for v in facets["topics"]["results"]}
    assert topics == {"balint": 3, "peer_support": 2}
    tables = {t["name"] for t in get(datasette, "/litbalint.json").json()["tables"]
              if not t["hidden"]}  # fmt: skip
    assert "articles" in tables and not any(name.startswith("articles_fts") for name in tables)
