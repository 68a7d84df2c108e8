"""The ranked search page (/-/search and /-/search.json) and the link to it on the table page."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

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
    assert data["translation"] == []  # every seed has Chinese: nothing to translate for
    assert "同时检索英文" not in get(datasette, "/-/search", q="巴林特").text
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
    assert "共 3 条结果" in page  # Chinese without Accept-Language
    assert "3 results" in get(datasette, "/-/search", q="巴林特", lang="en").text
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
    assert "没有找到“zzzznothing”的结果" in get(datasette, "/-/search", q="zzzznothing").text
    assert (
        "No results for zzzznothing" in get(datasette, "/-/search", q="zzzznothing", lang="en").text
    )


def test_empty_query_shows_the_form_only(datasette):
    page = get(datasette, "/-/search", q="").text
    assert 'name="q"' in page and "lb-result" not in page and "没有找到" not in page
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


def test_topic_or_year_alone_lists_articles_newest_first(datasette):
    listed = found(datasette, topic="balint")
    assert set(dois(listed)) == BALINT and listed["total"] == 3
    years = [result["year"] for result in listed["results"]]
    assert years == sorted(years, reverse=True)
    assert all(result["score"] is None for result in listed["results"])
    year = years[0]
    assert all(r["year"] == year for r in found(datasette, year=str(year))["results"])
    page = get(datasette, "/-/search", topic="peer_support", lang="en").text
    assert "2 articles, newest first" in page


def test_facets_count_every_match_and_are_labelled(datasette):
    data = found(datasette, q="health")
    facets = data["facets"]
    assert sum(facets["topic"].values()) >= data["total"] > 0
    assert sum(facets["year"].values()) == data["total"]
    assert facets["has_zh"] == 5 - 0 or facets["has_zh"] <= data["total"]
    page = get(datasette, "/-/search", q="health").text
    assert ">巴林特小组</a>" in page and ">同伴支持</a>" in page  # labels, not keys
    assert ">balint<" not in page and ">peer_support<" not in page
    english = get(datasette, "/-/search", q="health", lang="en").text
    assert ">Balint groups</a>" in english and ">Peer support</a>" in english
    chosen = get(datasette, "/-/search", q="health", topic="balint").text
    assert 'class="lb-selected"' in chosen and "q=health" in chosen


def test_publication_type_filter_and_labels(tmp_path):
    conftest.register_publish_plugin()
    fixtures = Path(__file__).parent / "fixtures"
    extra = (fixtures / "pubmed" / "structured.xml", fixtures / "medline" / "two_records.nbib")
    db = conftest.seeded_database(tmp_path, extra)
    with_types = Datasette([str(db)], metadata=conftest.project_metadata())
    articles = found(with_types, type="Journal Article")
    assert articles["total"] == 3 and articles["facets"]["type"]["Journal Article"] == 3
    trials = found(with_types, type="Randomized Controlled Trial")
    assert trials["total"] == 2
    assert all("Randomized Controlled Trial" in r["publication_types"] for r in trials["results"])
    page = get(with_types, "/-/search", type="Journal Article").text
    assert ">随机对照试验</a>" in page and ">期刊论文</a>" in page  # facet labels in Chinese
    assert '<span class="lb-badge lb-badge-type">随机对照试验</span>' in page


def test_no_hits_suggests_what_to_try(datasette):
    page = get(datasette, "/-/search", q="巴林特小组 zzzznothing", topic="peer_support").text
    assert "没有找到" in page and "No results." in page  # both languages
    assert "去掉筛选条件" in page  # without the filter
    assert "只用一个词" in page and "q=%E5%B7%B4%E6%9E%97%E7%89%B9%E5%B0%8F%E7%BB%84" in page
    english = get(datasette, "/-/search", q="Balint group zzzz", lang="en").text
    assert "in the other language: 巴林特小组 zzzz" in english
    stop = get(datasette, "/-/search", q="巴林特小组 对 zzzznothing", lang="en").text
    assert "one word: 巴林特小组" in stop and "one word: 对" not in stop  # no stop words alone
    long = get(datasette, "/-/search", q="zzzznothing " * 50, lang="en").text
    assert f"No results for {('zzzznothing ' * 50)[:80]}…." in long  # repeated shortened


def test_stubs_are_hidden_unless_asked(datasette):
    hidden = found(datasette, q="burnout")
    assert hidden["stubs"] == []
    assert all(r["url"] for r in hidden["results"])
    shown = found(datasette, q="burnout", stubs="1")
    assert shown["total"] == hidden["total"]  # the corpus list is the same
    for stub in shown["stubs"]:
        text = " ".join(str(stub[k] or "") for k in ("title_en", "title_zh", "citation"))
        assert "burnout" in text.lower()


def test_language_switch_links_keep_the_search(datasette):
    page = get(datasette, "/-/search", q="巴林特").text
    assert "q=%E5%B7%B4%E6%9E%97%E7%89%B9&amp;lang=en" in page


def test_landing_page_search_box_first_then_entry_points(datasette):
    for path in ("/", "/litbalint"):
        page = get(datasette, path).text
        content = page[page.index('<section class="content">') :]
        assert content.index('role="search"') < content.index("lb-entry")  # the box first
        assert 'action="/-/search"' in content and 'name="q"' in content
        assert "/-/search?topic=balint&amp;lang=zh" in content  # topic entry points
        assert "/-/search?year=2024&amp;lang=zh" in content  # year entry points
        assert "尚未从 PubMed 更新" in content  # no harvest yet in the seeds
        assert content.index("lb-chart-svg") < content.index("lb-researchers")
        assert "PubMed/MEDLINE citation data" in content  # the licence, first request
        assert "<script" not in content[: content.index("lb-researchers")]
    english = get(datasette, "/", lang="en").text
    assert "Balint groups and peer support in health care" in english
    assert ">Balint groups <span" in english


def test_landing_page_names_untitled_articles_by_their_opening_words(datasette):
    page = get(datasette, "/").text
    assert "（无标题）" in page and "文献 " not in page


def test_search_page_carries_the_licence(datasette):
    assert "PubMed/MEDLINE citation data" in get(datasette, "/-/search", q="巴林特").text


def test_every_example_link_on_the_site_is_a_tested_example(datasette):
    from litbalint.publish.examples import EXAMPLES

    queries = {example.query for example in EXAMPLES}
    for path in ("/", "/-/search"):
        page = get(datasette, path).text
        shown = re.findall(r'<a class="lb-chip" href="/-/search\?q=([^"&]+)', page)
        assert len(shown) >= 5
        assert {urllib.parse.unquote_plus(q) for q in shown} <= queries


def test_landing_page_shows_the_last_successful_harvest(tmp_path):
    import sqlite3

    conftest.register_publish_plugin()
    db = conftest.seeded_database(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO harvest_runs (started_at, finished_at, mode, topics, status) "
            "VALUES (?, ?, 'incremental', '[]', ?)",
            [
                ("2026-11-30T02:00:00", "2026-11-30T02:10:00", "ok"),
                ("2026-12-01T02:00:00", "2026-12-01T02:09:00", "ok"),
                ("2026-12-02T02:00:00", "2026-12-02T02:01:00", "failed"),
            ],
        )
    served = Datasette([str(db)], metadata=conftest.project_metadata())
    assert "最近一次 PubMed 更新：2026-12-01" in get(served, "/").text
    assert "last PubMed update: 2026-12-01" in get(served, "/litbalint", lang="en").text


@pytest.fixture(scope="module")
def english_only(tmp_path_factory: pytest.TempPathFactory) -> Datasette:
    """The seeds with their Chinese removed (articles and index): English-only articles, as
    most harvested ones are."""
    import sqlite3

    from litbalint.pipeline import relearn_lexicon
    from litbalint.store import Store

    conftest.register_publish_plugin()
    db = conftest.seeded_database(tmp_path_factory.mktemp("english-only-search"))
    with Store(db) as store:
        relearn_lexicon(store)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE articles SET title_zh = NULL, abstract_zh = NULL, has_zh = 0")
        conn.execute("UPDATE articles_fts SET title_zh = '', abstract_zh = ''")
    return Datasette([str(db)], metadata=conftest.project_metadata())


def test_a_chinese_query_finds_english_only_articles(english_only):
    data = found(english_only, q="巴林特小组 住院医师")
    assert dois(data)[0] == "10.1177/00912174221122862"
    assert data["results"][0]["matched_by"] == ["translation"]
    assert data["translation"][0]["term"] == "巴林特小组"
    assert "Balint group" in data["translation"][0]["searched"]
    assert set(dois(found(english_only, q="巴林特小组"))) == BALINT
    assert set(dois(found(english_only, q="同伴支持"))) == PEER
    page = get(english_only, "/-/search", q="巴林特小组 住院医师").text
    assert "同时检索英文：" in page  # readers see what was searched
    assert "仅英文摘要" in page and "经翻译匹配" in page
    assert "<mark>Balint</mark>" in page or "<mark>Balint group</mark>" in page


def test_translation_does_not_widen_same_language_search(datasette):
    # bilingual seeds: an English query is matched on their English, not on a loose
    # translation of it into Chinese
    assert set(dois(found(datasette, q="qualitative"))) == PEER | {"10.1080/14739879.2020.1764397"}
    everything = {r["id"]: r["matched_by"] for r in found(datasette, q="health")["results"]}
    assert everything and all("translation" not in by for by in everything.values())


def test_the_same_search_from_sql(english_only):
    sql = (
        "select a.doi, j.value ->> 'matched_by' as matched_by from "
        "json_each(litbalint_search(:q)) j join articles a on a.id = j.value ->> 'id'"
    )
    path = "/litbalint.json?" + urllib.parse.urlencode(
        {"sql": sql, "q": "巴林特小组 住院医师", "_shape": "array"}
    )
    rows = get(english_only, path).json()
    assert rows[0]["doi"] == "10.1177/00912174221122862"
    assert "translation" in rows[0]["matched_by"]
    empty = "/litbalint.json?" + urllib.parse.urlencode(
        {"sql": "select litbalint_search('', 3) as r", "_shape": "array"}
    )
    assert get(english_only, empty).json() == [{"r": "[]"}]


def test_a_translation_no_article_matches_in_full_falls_back_to_any_term(english_only):
    data = found(english_only, q="巴林特小组 量子物理")  # no seed is about quantum physics
    assert set(dois(data)) == BALINT
    assert " OR " in data["match"] and all(r["matched_by"] for r in data["results"])


def test_a_query_matching_more_than_the_window_is_ranked_among_the_newest(datasette, monkeypatch):
    from litbalint.publish import match_window

    everything = found(datasette, q="Balint")
    assert not everything["windowed"] and set(dois(everything)) == BALINT
    monkeypatch.setattr(match_window, "WINDOW", 2)
    data = found(datasette, q="Balint")
    assert data["windowed"] and data["total"] == 2
    newest = sorted((r["id"] for r in everything["results"]), reverse=True)[:2]
    assert sorted(r["id"] for r in data["results"]) == sorted(newest)
    assert "most recently added" in get(datasette, "/-/search", q="Balint", lang="en").text
    assert not found(datasette, q="巴林特小组 住院医师")["windowed"]  # one match: no window


def test_whether_any_article_lacks_english_is_answered_by_an_index(datasette):
    import sqlite3

    from litbalint.publish.search_ranked import LACKS

    path = next(db.path for db in datasette.databases.values() if db.path)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    sql = f"SELECT EXISTS (SELECT 1 FROM articles a WHERE a.is_stub = 0 AND {LACKS['en']})"
    plan = " ".join(str(row) for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
    assert "articles_without_english" in plan
    assert conn.execute(sql).fetchone() == (0,)  # every seed has English


def test_a_search_that_failed_is_not_to_be_kept(datasette, monkeypatch):
    """A search that ran out of time says so, and no cache (the server's, a browser's, a
    proxy's) may keep that answer: the same search a moment later may well succeed."""
    import sqlite3

    import litbalint.publish.search

    assert "no-store" not in get(datasette, "/-/search.json", q="balint").headers.get(
        "cache-control", ""
    )

    async def interrupted(*_):
        raise sqlite3.OperationalError("interrupted")

    monkeypatch.setattr(litbalint.publish.search, "read_snapshot", interrupted)
    response = get(datasette, "/-/search.json", q="balint")
    assert response.json()["error"] is True
    assert response.headers["cache-control"] == "no-store"
    assert get(datasette, "/-/search", q="balint").headers["cache-control"] == "no-store"
