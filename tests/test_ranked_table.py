"""Datasette's own table search ranked by relevance: the `article_search` view and the redirect."""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from pathlib import Path

import pytest
from datasette.app import Datasette

from litbalint.pipeline import import_file
from litbalint.publish.ranked_table import ranked_location
from litbalint.store import Store
from tests.conftest import get, project_metadata, register_publish_plugin
from tests.test_store import pubmed_xml, write

# Filler words so no test term is in most documents (bm25 gives such terms next to no weight).
FILLER = "Clinicians met monthly to discuss cases with colleagues in primary care settings."
DOCUMENTS = [  # pmid, title, abstract: pmid order is the opposite of relevance for "burnout"
    (101, "Nursing handover", "Burnout was mentioned once. " + FILLER),
    (102, "Supervision in oncology", "Burnout and burnout again, burnout. " + FILLER),
    (103, "Burnout in residents", "Burnout, burnout, burnout, burnout. " + FILLER),
    (104, "Team meetings", FILLER),
    (105, "Ward rounds", FILLER),
    (106, "Mentoring", FILLER),
    (107, "Coaching", FILLER),
]


@pytest.fixture(scope="module")
def datasette(tmp_path_factory: pytest.TempPathFactory) -> Datasette:
    register_publish_plugin()
    folder = tmp_path_factory.mktemp("ranked")
    with Store(folder / "litbalint.db") as store:
        for pmid, title, abstract in DOCUMENTS:
            xml = write(folder, f"{pmid}.xml", pubmed_xml(pmid, f"10.1/{pmid}", title, abstract))
            assert import_file(store, xml).ok
    return Datasette([], immutables=[str(folder / "litbalint.db")], metadata=project_metadata())


def pmids(datasette: Datasette, path: str, **args: str) -> list[int]:
    query = urllib.parse.urlencode({**args, "_shape": "array"})
    response = get(datasette, f"{path}?{query}")
    assert response.status_code == 200, response.text
    return [row["pmid"] for row in response.json()]


def test_search_box_results_come_by_relevance(datasette):
    # the title counts most, then how often the word occurs
    assert pmids(datasette, "/litbalint/articles.json", _search="burnout") == [103, 102, 101]
    assert pmids(datasette, "/litbalint/articles.json", _search="Burnouts") == [103, 102, 101]
    assert pmids(datasette, "/litbalint/articles.json", _search="burnout", _sort="id") == [
        103,
        102,
        101,
    ]  # the search form's own sort box (the primary key) is no sort


def test_an_explicit_sort_is_kept(datasette):
    response = get(datasette, "/litbalint/articles.json?_search=burnout&_sort=pmid", False)
    assert response.status_code == 200
    assert pmids(datasette, "/litbalint/articles.json", _search="burnout", _sort="pmid") == [
        101,
        102,
        103,
    ]
    assert pmids(datasette, "/litbalint/article_search.json", _search="burnout", _sort="year")
    assert (
        pmids(datasette, "/litbalint/article_search.json", _search="burnout", _sort_desc="pmid")[0]
        == 103
    )


def test_the_page_redirect_keeps_every_argument(datasette):
    response = get(
        datasette, "/litbalint/articles?_search=burnout&year=2023&_facet=journal&_next=5", False
    )
    assert response.status_code == 302
    location = urllib.parse.urlsplit(response.headers["location"])
    assert location.path == "/litbalint/article_search"
    assert urllib.parse.parse_qsl(location.query) == [
        ("_search", "burnout"),
        ("year", "2023"),
        ("_facet", "journal"),
        ("_next", "5"),
        ("_sort", "rank"),
    ]


@pytest.mark.parametrize("extension", ["json", "bib", "ris", "csv"])
def test_json_and_exports_answer_in_place(datasette, extension):
    """API clients and downloads get the ranked result without following a redirect."""
    response = get(datasette, f"/litbalint/articles.{extension}?_search=burnout", False)
    assert response.status_code == 200
    assert response.text.index("10.1/103") < response.text.index("10.1/101")


def test_json_pages_through_the_ranking(datasette):
    first = get(datasette, "/litbalint/articles.json?_search=burnout&_size=2", False).json()
    assert [row[first["columns"].index("pmid")] for row in first["rows"]] == [103, 102]
    assert first["next_url"].startswith("http://localhost/litbalint/articles.json?")
    assert "_search=burnout" in first["next_url"] and "_nocol" not in first["next_url"]
    following = get(datasette, first["next_url"].split("localhost", 1)[-1], False).json()
    assert [row[following["columns"].index("pmid")] for row in following["rows"]] == [101]
    token = first["next"]  # a client adding `_next` to its own first address
    again = get(datasette, f"/litbalint/articles.json?_search=burnout&_size=2&_next={token}", False)
    assert [row[1] for row in again.json()["rows"]] == [row[1] for row in following["rows"]]


def test_the_view_page_is_a_full_table_page(datasette):
    data = get(datasette, "/litbalint/article_search.json?_search=burnout").json()
    assert data["table"] == "article_search" and data["is_view"] is True
    assert data["filtered_table_rows_count"] == 3
    assert {"topics", "year", "has_zh"} <= set(data["facet_results"])
    assert data["columns"][0] == "rank" and data["columns"][-1] == "articles_fts"
    ranks = [row[data["columns"].index("rank")] for row in data["rows"]]
    assert ranks == sorted(ranks) and ranks[0] < 0
    html = get(datasette, "/litbalint/article_search?_search=burnout").text
    assert 'href="/litbalint/articles/' in html  # titles link to the article page
    assert 'name="_search" value="burnout"' in html or 'value="burnout"' in html


def test_raw_mode_takes_fts5_syntax(datasette):
    found = pmids(
        datasette, "/litbalint/articles.json", _search="burnout OR mentoring", _searchmode="raw"
    )
    assert sorted(found) == [101, 102, 103, 106]
    assert pmids(datasette, "/litbalint/articles.json", _search="burnout OR mentoring") == []


def test_exports_follow_the_ranking(datasette):
    response = get(datasette, "/litbalint/articles.bib?_search=burnout")
    assert response.status_code == 200
    body = response.text
    assert body.index("10.1/103") < body.index("10.1/102") < body.index("10.1/101")


def test_unsearched_view_lists_the_corpus(datasette):
    data = get(datasette, "/litbalint/article_search.json?_shape=array").json()
    assert len(data) == len(DOCUMENTS) and all(row["rank"] is None for row in data)


def test_sql_researchers_write(datasette, tmp_path: Path):
    db = datasette.databases["litbalint"].path
    rows = sqlite3.connect(db).execute(
        "SELECT pmid FROM article_search WHERE articles_fts MATCH 'burnout' ORDER BY rank"
    )
    assert [pmid for (pmid,) in rows] == [103, 102, 101]


@pytest.mark.parametrize(
    "path, query, expected",
    [
        ("/litbalint/articles", "_search=x", "/litbalint/article_search?_search=x&_sort=rank"),
        (
            "/litbalint/articles.json",
            "_search=%E5%B7%B4%E6%9E%97%E7%89%B9&_shape=array",
            "/litbalint/article_search.json?_search=%E5%B7%B4%E6%9E%97%E7%89%B9&_shape=array"
            "&_nocol=rank&_nocol=articles_fts&_sort=rank",
        ),
        (
            "/litbalint/article_search",
            "_search=x",
            "/litbalint/article_search?_search=x&_sort=rank",
        ),
        ("/litbalint/article_search", "_search=x&_sort=id", None),  # chosen on the view
        ("/litbalint/articles", "_search=x&_sort_desc=id", None),
        ("/litbalint/articles", "_search=+", None),  # nothing to rank
        ("/litbalint/articles", "is_stub=0", None),
        ("/litbalint/journals", "_search=x", None),
        ("/litbalint/articles/1", "_search=x", None),
    ],
)
def test_ranked_location(datasette, path, query, expected):
    found = ranked_location(path, query, datasette)
    assert (found.url if found else None) == expected


def test_no_redirect_without_the_view(tmp_path: Path):
    register_publish_plugin()
    db = tmp_path / "other.db"
    sqlite3.connect(db).execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT)")
    plain = Datasette([str(db)])
    assert get(plain, "/other/articles?_search=x", False).status_code != 302


# --- articles.json?_search= answers as the table does --------------------------------------

RELEVANCE = [103, 102, 101]


def both(datasette: Datasette, args: str, extension: str = "json"):
    """The table's answer without a search and with one, for the same arguments."""
    plain = get(datasette, f"/litbalint/articles.{extension}?_size=3&{args}", False)
    searched = get(datasette, f"/litbalint/articles.{extension}?_search=burnout&{args}", False)
    assert plain.status_code == searched.status_code == 200, searched.text
    return plain, searched


def id_to_pmid(datasette: Datasette) -> dict[int, int]:
    rows = get(datasette, "/litbalint/articles.json?_shape=array&_col=pmid").json()
    return {row["id"]: row["pmid"] for row in rows}


@pytest.mark.parametrize("shape", ["", "_shape=objects", "_col=pmid&_col=doi", "_nocol=doi"])
def test_a_search_has_the_tables_keys_and_columns(datasette, shape):
    plain, searched = (response.json() for response in both(datasette, shape))
    assert list(searched) == list(plain)  # the same keys, in the same order
    for key in ("database", "table", "is_view", "primary_keys", "columns"):
        assert searched[key] == plain[key], key
    assert searched["table"] == "articles" and searched["is_view"] is False
    assert searched["primary_keys"] == ["id"] and "rank" not in searched["columns"]
    assert "articles_fts" not in searched["columns"] and searched["columns"][0] == "id"
    assert list(searched["facet_results"]) == list(plain["facet_results"])
    rows = searched["rows"]
    pmids = [row["pmid"] if isinstance(row, dict) else row[1] for row in rows]
    if "_col" in shape or "_nocol" in shape:
        pmids = [id_to_pmid(datasette)[row[0]] for row in rows]
    assert pmids == RELEVANCE
    assert "sorted by relevance" in searched["human_description_en"]


def test_the_column_choices_keep_the_primary_key(datasette):
    plain, searched = (response.json() for response in both(datasette, "_col=pmid"))
    assert plain["columns"] == searched["columns"] == ["id", "pmid"]
    assert [row[1] for row in searched["rows"]] == RELEVANCE


@pytest.mark.parametrize("args", ["_shape=array", "_shape=array&_nl=on", "_shape=arrayfirst"])
def test_lists_of_rows_have_the_tables_columns(datasette, args):
    plain, searched = both(datasette, args)
    assert searched.headers["content-type"] == plain.headers["content-type"]
    if "_nl" in args:
        rows = [json.loads(line) for line in searched.text.splitlines()]
        assert list(rows[0]) == list(json.loads(plain.text.splitlines()[0]))
    else:
        rows = searched.json()
    if args.endswith("arrayfirst"):  # the first column: the id
        pmids = id_to_pmid(datasette)
        assert [pmids[i] for i in rows] == RELEVANCE
    else:
        assert list(rows[0]) == list(plain.json()[0] if "_nl" not in args else rows[0])
        assert [row["pmid"] for row in rows] == RELEVANCE and "rank" not in rows[0]


@pytest.mark.parametrize("args", ["_shape=object", "_shape=object&_col=pmid"])
def test_the_object_shape_is_keyed_by_id(datasette, args):
    plain, searched = (response.json() for response in both(datasette, args))
    pmids = id_to_pmid(datasette)
    assert [pmids[int(key)] for key in searched] == RELEVANCE  # relevance order kept
    assert all(int(key) == row["id"] for key, row in searched.items())
    assert list(next(iter(searched.values()))) == list(next(iter(plain.values())))


def test_urls_in_the_answer_point_at_the_table(datasette):
    _, response = both(datasette, "_size=1&_facet=journal")
    data = response.json()
    link = response.headers["link"]
    assert link.startswith("<http://localhost/litbalint/articles.json?") and 'rel="next"' in link
    toggles = [facet["toggle_url"] for facet in data["facet_results"].values()]
    toggles += [v["toggle_url"] for f in data["facet_results"].values() for v in f["results"]]
    for url in [data["next_url"], *toggles]:
        assert "/litbalint/articles.json?" in url and "article_search" not in url, url
        query = urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query)
        assert ("_sort", "rank") not in query and not any(k == "_nocol" for k, _ in query)
    following = get(datasette, data["next_url"].split("localhost", 1)[1], False).json()
    assert [row[1] for row in following["rows"]] == [RELEVANCE[1]]


def test_csv_has_the_tables_columns(datasette):
    plain, searched = both(datasette, "_dl=1", "csv")
    assert searched.text.splitlines()[0] == plain.text.splitlines()[0]
    assert searched.headers["content-disposition"] == 'attachment; filename="articles.csv"'
    assert searched.text.index("10.1/103") < searched.text.index("10.1/101")


@pytest.mark.parametrize("args", ["_nocol=id", "_col=rank", "_nocol=articles_fts"])
def test_what_the_table_refuses_is_refused(datasette, args):
    response = get(datasette, f"/litbalint/articles.json?_search=burnout&{args}", False)
    assert response.status_code == 400


def test_the_researchers_view_keeps_its_rank(datasette):
    data = get(datasette, "/litbalint/article_search.json?_search=burnout&_col=pmid").json()
    assert data["table"] == "article_search" and data["columns"] == ["pmid"]
    rows = get(datasette, "/litbalint/article_search.json?_search=burnout&_shape=array").json()
    assert [row["pmid"] for row in rows] == RELEVANCE and rows[0]["rank"] < rows[1]["rank"]


def test_a_search_matching_more_than_the_window_is_ranked_among_the_newest(datasette, monkeypatch):
    from litbalint.publish import match_window

    ids = {pmid: article_id for article_id, pmid in id_to_pmid(datasette).items()}
    monkeypatch.setattr(match_window, "WINDOW", 2)  # "burnout": 101, 102, 103 match
    newest = sorted((ids[101], ids[102], ids[103]), reverse=True)[:2]
    data = get(datasette, "/litbalint/articles.json?_search=burnout", False).json()
    assert data["windowed"] is True and data["search_matches"] == 3
    assert data["filtered_table_rows_count"] == 2
    assert sorted(row[0] for row in data["rows"]) == sorted(newest)  # ranked among them
    assert (
        "3 articles match: the 2 most recently added are ranked" in (data["human_description_en"])
    )
    assert data["facet_results"]["year"]["results"]  # faceted among them too
    assert sum(f["count"] for f in data["facet_results"]["has_zh"]["results"]) == 2
    view = get(datasette, "/litbalint/article_search.json?_search=burnout&_sort=rank").json()
    assert view["filtered_table_rows_count"] == 2 and "windowed" not in view
    assert "the 2 most recently added" in view["human_description_en"]
    page = get(datasette, "/litbalint/article_search?_search=burnout&_sort=rank").text
    assert "the 2 most recently added are ranked" in page
    # not ranked (another sort), another filter, or few enough matches: every match
    assert len(pmids(datasette, "/litbalint/articles.json", _search="burnout", _sort="pmid")) == 3
    sized = get(datasette, "/litbalint/articles.json?_search=burnout&_size=1", False).json()
    assert sized["windowed"] is True  # display arguments are not filters
    filtered = get(datasette, "/litbalint/articles.json?_search=burnout&has_zh=0", False).json()
    assert filtered["filtered_table_rows_count"] == 3 and "windowed" not in filtered
    monkeypatch.setattr(match_window, "WINDOW", 3)
    plain = get(datasette, "/litbalint/articles.json?_search=burnout", False).json()
    assert plain["filtered_table_rows_count"] == 3 and "windowed" not in plain
    raw = "burnout OR mentoring"  # a raw FTS5 query has its window too; a broken one none
    monkeypatch.setattr(match_window, "WINDOW", 2)
    found = pmids(datasette, "/litbalint/articles.json", _search=raw, _searchmode="raw")
    assert len(found) == 2
    broken = get(datasette, "/litbalint/articles.json?_search=%22burn&_searchmode=raw", False)
    assert broken.status_code == 400
