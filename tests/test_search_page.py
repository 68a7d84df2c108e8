"""The ranked search page (/-/search and /-/search.json) and the link to it on the table page."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from datasette.app import Datasette

from litbalint.publish.snippets import CLOSE, ELLIPSIS, OPEN, html_runs, plain, snippet_runs
from tests import conftest

BALINT = {"10.1177/00912174221122862", "10.1080/14739879.2020.1764397",
          "10.1186/s12909-022-03508-2"}  # fmt: skip
PEER = {"10.1186/s12913-023-09312-y", "10.1186/s12875-024-02548-5"}
CJK_SPACE = re.compile(r"[\u4e00-\u9fff] [\u4e00-\u9fff]")


@pytest.fixture
def datasette(seeds_datasette: Datasette) -> Datasette:
    return seeds_datasette


def get(datasette: Datasette, path: str, **args: str):
    if args:
        path += "?" + urllib.parse.urlencode(args)
    response = conftest.get(datasette, path)
    assert response.status_code == 200, response.text
    assert "Traceback" not in response.text
    return response


def found(datasette: Datasette, **args: str) -> dict:
    return get(datasette, "/-/search.json", **args).json()


def dois(data: dict) -> list[str]:
    return [result["doi"] for result in data["results"]]


def test_json_shape_and_chinese_query(datasette):
    data = found(datasette, q="巴林特")
    assert set(dois(data)) == BALINT and data["total"] == 3
    assert data["query"] == "巴林特" and data["match"] == '"巴林特"'
    keys = {"id", "pmid", "doi", "title_en", "title_zh", "journal", "year", "score"}
    keys |= {"snippet_en", "snippet_zh"}
    assert all(keys <= set(result) for result in data["results"])
    scores = [result["score"] for result in data["results"]]
    assert scores == sorted(scores, reverse=True)


def test_ranking_puts_title_matches_first(datasette):
    # 001 has Balint in its English title, 002 and 003 only in their abstracts
    assert dois(found(datasette, q="balint"))[0] == "10.1177/00912174221122862"
    # both peer-support seeds say "qualitative" in their titles, 002 only in its abstract
    ranked = dois(found(datasette, q="qualitative"))
    assert set(ranked[:2]) == PEER and ranked[2:] == ["10.1080/14739879.2020.1764397"]


def test_english_is_stemmed_and_chinese_words_match(datasette):
    assert set(dois(found(datasette, q="groups"))) == BALINT - {"10.1080/14739879.2020.1764397"}
    assert set(dois(found(datasette, q="同伴支持"))) == PEER


def test_chinese_snippets_are_whole_words_with_marks(datasette):
    data = found(datasette, q="巴林特小组")
    assert set(dois(data)) == BALINT
    for result in data["results"]:
        html = result["snippet_zh_html"]
        assert "<mark>巴林特小组</mark>" in html, html
        assert not CJK_SPACE.search(result["snippet_zh"]), result["snippet_zh"]
        assert "巴林巴林特" not in result["snippet_zh"]  # the index's sub-words are gone
    for result in found(datasette, q="同伴支持")["results"]:
        assert "«同伴支持»" in result["snippet_zh"], result["snippet_zh"]


def test_html_page_links_titles_to_article_pages(datasette):
    page = get(datasette, "/-/search", q="巴林特").text
    assert "3 results 条结果" in page
    ids = {result["id"] for result in found(datasette, q="巴林特")["results"]}
    for article_id in ids:
        assert f'href="/litbalint/articles/{article_id}"' in page
    assert "<mark>巴林特</mark>" in page
    assert "Virtual Balint Groups During COVID-19" in page


def test_queries_are_escaped_and_never_fail(datasette):
    page = get(datasette, "/-/search", q="<script>alert(1)</script>").text
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
    for query in ['"unbalanced', "AND OR NOT (", "NEAR(a b", "*", '""']:
        assert get(datasette, "/-/search", q=query).status_code == 200
        assert isinstance(found(datasette, q=query)["total"], int)
    assert "No results 无结果" in get(datasette, "/-/search", q="zzzznothing").text


def test_empty_query_shows_the_form_only(datasette):
    page = get(datasette, "/-/search", q="").text
    assert 'name="q"' in page and "lb-result" not in page and "No results" not in page
    assert found(datasette)["results"] == []


def test_filters(datasette):
    assert set(dois(found(datasette, q="health", topic="balint"))) <= BALINT
    assert set(dois(found(datasette, q="health", topic="peer_support"))) == PEER
    assert found(datasette, q="巴林特", topic="peer_support")["total"] == 0
    assert found(datasette, q="巴林特", has_zh="1")["total"] == 3
    assert found(datasette, q="巴林特", page="2")["results"] == []
    assert found(datasette, q="巴林特", page="x")["total"] == 3


def test_snippet_reassembly():
    # the index's text for 巴林特小组 (sub-words first), the match on a sub-word
    snippet = f"{ELLIPSIS}研究 巴林 {OPEN}巴林特{CLOSE} 小组 巴林特小组"
    snippet += f" 在 2020 年 , 有 <b>{ELLIPSIS}"
    runs = snippet_runs(snippet, chinese=True)
    assert plain(runs) == "…研究«巴林特»小组在 2020 年,有<b>…"
    assert str(html_runs(runs)) == "…研究<mark>巴林特</mark>小组在 2020 年,有&lt;b&gt;…"
    english = snippet_runs(f"the {OPEN}Balint{CLOSE} & <i>groups</i>")
    assert str(html_runs(english)) == "the <mark>Balint</mark> &amp; &lt;i&gt;groups&lt;/i&gt;"
    assert snippet_runs(None) == [] and snippet_runs("") == []
