"""The pages Datasette draws: licence and source from the first request, the search box of
`articles` leading to the search page for readers, and the compact table pages."""

from __future__ import annotations

import html
import re
import shutil
import urllib.parse
from pathlib import Path

import pytest
from datasette.app import Datasette

from litbalint.publish.readers_redirect import readers_arguments
from litbalint.publish.table_pages import excerpt
from tests.conftest import get, project_metadata

LICENSE = "PubMed/MEDLINE citation data under the NLM terms"
LICENSE_URL = "https://www.nlm.nih.gov/databases/download/terms_and_conditions.html"
SOURCE_URL = "https://pubmed.ncbi.nlm.nih.gov/"
SEED_003_ID = 9  # the peer support article with both abstracts, in the seeds' import order


@pytest.fixture
def datasette(seeds_datasette: Datasette) -> Datasette:
    return seeds_datasette


def fresh(datasette: Datasette, *more: Path) -> Datasette:
    """A new Datasette over the same file(s), nothing requested yet."""
    files = [str(datasette.databases["litbalint"].path), *map(str, more)]
    return Datasette(files, immutables=[], metadata=project_metadata())


def location(datasette: Datasette, path: str) -> str | None:
    response = get(datasette, path, follow=False)
    return response.headers["location"] if response.status_code == 302 else None


# --- 1. licence and source -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/litbalint/articles/{SEED_003_ID}",  # the article page first
        "/litbalint/journals/1",
        "/litbalint/articles",
        "/litbalint/article_search",
        "/litbalint",
        "/",
        "/litbalint?sql=select+1",
        "/litbalint/chinese_coverage_by_year",
    ],
)
def test_licence_and_source_from_the_first_request(datasette, path):
    response = get(fresh(datasette), path)
    assert response.status_code == 200
    assert LICENSE in response.text
    assert f'<a href="{LICENSE_URL}">' in response.text
    assert f'<a href="{SOURCE_URL}">' in response.text


# --- 3. the search box of `articles` -----------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("_search=+burnout+", "q=burnout"),
        # what Datasette's search form sends
        ("_search=x&_filter_column=&_filter_op=exact&_filter_value=&_sort=id", "q=x"),
        ("_search=x&_filter_column=year&_filter_op=exact&_filter_value=2022", "q=x&year=2022"),
        (
            "_search=x&topics__arraycontains=balint&year=2022&has_zh=1&is_stub=0&lang=en"
            "&publication_types__arraycontains=Review&_facet=journal&_facet_array=topics&_size=50",
            "q=x&topic=balint&year=2022&has_zh=1&type=Review&lang=en",
        ),
        ("_search=x&_searchmode=raw", None),
        ("_search=x&journal=BMJ", None),
        ("_search=x&is_stub=1", None),
        ("_search=x&has_zh=0", None),
        ("_search=x&_next=5", None),
        ("_search=x&_col=pmid", None),
        ("_search=x&year=2020&year=2021", None),
        ("_search=x&year=", None),
        ("year=2020", None),
    ],
)
def test_readers_arguments(query, expected):
    found = readers_arguments(urllib.parse.parse_qsl(query, keep_blank_values=True))
    assert (urllib.parse.urlencode(found) if found is not None else None) == expected


def test_excerpts_are_about_as_wide_in_both_languages():
    english = "Doctors' health is of importance for the quality of care. " * 4
    assert excerpt(english) == english[:114].rstrip(" .") + "…"
    chinese = excerpt("医生的健康对于医疗质量和发展以及医生自身都至关重要。" * 5)
    assert len(chinese) == 61 and chinese.endswith("…")
    assert excerpt("Short. ") == "Short."


def test_the_search_box_leads_to_the_search_page(datasette):
    assert location(datasette, "/litbalint/articles?_search=burnout") == "/-/search?q=burnout"
    form = "_search=%E5%B7%B4%E6%9E%97%E7%89%B9&_filter_column=&_filter_op=exact&_sort=id"
    assert location(datasette, f"/litbalint/articles?{form}") == (
        "/-/search?q=%E5%B7%B4%E6%9E%97%E7%89%B9"
    )
    found = location(
        datasette, "/litbalint/articles?_search=x&topics__arraycontains=balint&is_stub=0&lang=en"
    )
    assert found == "/-/search?q=x&topic=balint&lang=en"


def test_other_searches_stay_with_the_researchers(datasette):
    found = location(datasette, "/litbalint/articles?_search=x&journal=BMJ&_sort=id")
    assert found == "/litbalint/article_search?_search=x&journal=BMJ&_sort=rank"
    found = location(datasette, "/litbalint/articles?_search=x&_searchmode=raw")
    assert found == "/litbalint/article_search?_search=x&_searchmode=raw&_sort=rank"
    assert location(datasette, "/litbalint/articles?_search=x&_sort=year") is None
    assert location(datasette, "/litbalint/article_search?_search=x") == (
        "/litbalint/article_search?_search=x&_sort=rank"  # the view's own box: ranked
    )


@pytest.mark.parametrize("extension", ["json", "csv", "bib", "ris"])
def test_data_is_never_redirected(datasette, extension):
    response = get(datasette, f"/litbalint/articles.{extension}?_search=balint", follow=False)
    assert response.status_code == 200


def test_a_second_corpus_has_its_own_search_page(datasette, tmp_path):
    other = tmp_path / "other.db"
    shutil.copy(datasette.databases["litbalint"].path, other)
    both = fresh(datasette, other)
    assert location(both, "/other/articles?_search=balint") == "/other/-/search?q=balint"
    assert location(both, "/litbalint/articles?_search=balint") == "/-/search?q=balint"


# --- 4. compact table pages -------------------------------------------------------------------


def cells(page: str, column: str) -> list[str]:
    return re.findall(rf'<td class="col-{column} [^"]*">(.*?)</td>', page, re.DOTALL)


def test_the_articles_page_is_compact(datasette):
    page = get(datasette, "/litbalint/articles?lang=en").text
    assert re.search(r'<link rel="stylesheet" href="/-/litbalint\.css\?v=[0-9a-f]{10}">', page)
    # the column descriptions, collapsed before the search box; no other list of them
    details = page.index('<details class="lb-columns">')
    assert page.count('class="column-descriptions"') == 1
    assert details < page.index('class="column-descriptions"') < page.index('name="_search"')
    assert "<summary" in page[details:] and "Column descriptions (41)" in page
    assert '<details class="lb-columns" open' not in page
    # abstracts as excerpts, titles linked to the article page
    abstracts = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in cells(page, "abstract_en")]
    abstracts = [text.strip() for text in abstracts]
    long = [text for text in abstracts if text.endswith("…")]
    assert long and all(len(text) <= 121 for text in abstracts)
    titles = cells(page, "title_en")
    assert any(re.match(r'<a href="/litbalint/articles/\d+">', title) for title in titles)
    # the table's SQL only in the collapsed block
    end_of_details = page.index("</details>", details)
    assert details < page.index("CREATE TABLE articles") < end_of_details
    assert page.count("CREATE TABLE articles") == 1
    # the line over the table, in the reader's language
    assert "Search titles and abstracts, best match first" in page
    assert "检索标题与摘要" in get(datasette, "/litbalint/articles?lang=zh").text


def test_json_and_the_row_page_keep_whole_texts(datasette):
    rows = get(datasette, "/litbalint/articles.json?_shape=array&has_zh=1").json()
    longest = max(rows, key=lambda row: len(row["abstract_en"] or ""))
    assert len(longest["abstract_en"]) > 500
    row_page = get(datasette, f"/litbalint/articles/{longest['id']}").text
    record = row_page[row_page.index('id="record"') :]
    assert html.escape(longest["abstract_en"][-200:], quote=False) in record


def test_the_ranked_view_page(datasette):
    page = get(datasette, "/litbalint/article_search?_search=balint&_sort=rank&lang=en").text
    ranks = [re.sub(r"<[^>]+>", "", c) for c in cells(page, "rank")]
    assert ranks and all(re.fullmatch(r"-\d+\.\d\d", rank) for rank in ranks)
    assert any('href="/litbalint/articles/' in title for title in cells(page, "title_zh"))
    assert "Show “balint” on the search page" in page and 'href="/-/search?q=balint"' in page
    assert "lb-no-results" not in page
    # the view's SQL only in the collapsed block
    assert page.count("CREATE VIEW") == 1
    assert page.index('<details class="lb-columns">') < page.index("CREATE VIEW")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_hits_on_the_view(datasette, lang):
    query = urllib.parse.quote("zzzq nothing")
    page = get(datasette, f"/litbalint/article_search?_search={query}&_sort=rank&lang={lang}").text
    assert "lb-no-results" in page and "lb-no-hits" in page  # (its CSS hides empty facets)
    assert page.count('href="/-/search?q=zzzq+nothing"') == 1  # in that line only
    line = page[page.index("lb-no-results") :].split("</p>", 1)[0]
    assert ("No articles match" in line) == (lang == "en")
    assert ("没有找到匹配的文献" in line) == (lang == "zh")
    end_of_details = page.index("</details>", page.index('<details class="lb-columns">'))
    assert "CREATE VIEW" not in page[end_of_details:]


def test_the_view_description_quotes_no_query(datasette):
    page = get(datasette, "/litbalint/article_search").text
    assert "'burnout'" not in page and "for researchers" in page


def test_the_language_choice_is_no_column_filter(datasette):
    """Datasette reads any argument as a column filter (`lang = 'en'`: no rows): on the table
    pages `?lang=` becomes the cookie by a redirect."""
    response = get(datasette, "/litbalint/articles?is_stub=0&lang=en", follow=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/litbalint/articles?is_stub=0"
    assert response.headers["set-cookie"].startswith("litbalint_lang=en;")
    page = get(datasette, "/litbalint/articles?is_stub=0&lang=en").text
    assert "5 rows" in page and "Search titles and abstracts" in page
    found = location(datasette, "/litbalint/articles?_search=x&journal=BMJ&lang=en")
    assert found == "/litbalint/article_search?_search=x&journal=BMJ&_sort=rank"
