""".bib/.ris downloads named after what they hold, and the Chinese fields in them, through
Datasette."""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import quote, unquote

import pytest
from datasette.app import Datasette

from litbalint.cite import CitedArticle
from litbalint.publish.download_names import DownloadName, ExportSource, download_name
from litbalint.zh import tokenizer
from tests.conftest import (
    FIXTURES,
    get,
    project_metadata,
    register_publish_plugin,
    seeded_database,
)

BALINT = "巴林特小组"
BALINT_HASH = "9df926cc"  # sha256("巴林特小组")[:8]


def name(article: CitedArticle | None = None, **source) -> DownloadName:
    return download_name(
        ExportSource(**{"database": "litbalint", "extension": "ris", **source}), article
    )


# --- the names -----------------------------------------------------------------------------


def test_an_article_is_named_by_pmid_then_doi_then_row_id():
    with_pmid = CitedArticle(pmid=35989618, doi="10.1177/X")
    assert name(with_pmid, table="articles", row_id=3).ascii == "pmid-35989618.ris"
    with_doi = CitedArticle(doi="10.4300/JGME-D-24-00016.1")
    assert name(with_doi, table="articles", row_id=3).ascii == "doi-10.4300-jgme-d-24-00016.1.ris"
    assert name(CitedArticle(), table="articles", row_id=3).ascii == "article-3.ris"
    assert name(None, table="articles", row_id=3).ascii == "article-3.ris"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"table": "articles"}, "litbalint-articles.ris"),
        ({"table": "article_search"}, "litbalint-articles.ris"),
        ({"table": "articles", "search": "  "}, "litbalint-articles.ris"),
        ({"table": "articles", "search": "Balint group"}, "litbalint-search-balint-group.ris"),
        (
            {"table": "article_search", "search": '"peer support" OR burnout*'},
            "litbalint-search-peer-support-or-burnout.ris",
        ),
        ({"table": "articles", "search": "../../etc/passwd"}, "litbalint-search-etc-passwd.ris"),
        ({"table": "articles", "search": "Müller–Lyer"}, "litbalint-search-muller-lyer.ris"),
        ({"query_name": "balint_articles"}, "litbalint-balint-articles.ris"),
        ({}, "litbalint-query.ris"),
        ({"database": "corpus 2024", "table": "articles"}, "litbalint-corpus-2024-articles.ris"),
    ],
)
def test_names_of_pages(source, expected):
    assert name(**source).ascii == expected


def test_a_chinese_search_is_hashed_in_ascii_and_kept_in_filename_star():
    chinese = name(table="article_search", search=BALINT)
    assert chinese.ascii == f"litbalint-search-{BALINT_HASH}.ris"
    assert chinese.unicode == f"litbalint-search-{BALINT}.ris"
    assert chinese.content_disposition == (
        f'attachment; filename="litbalint-search-{BALINT_HASH}.ris"; '
        f"filename*=UTF-8''litbalint-search-{quote(BALINT)}.ris"
    )
    mixed = name(table="articles", search=f"Balint {BALINT}")
    assert mixed.ascii == "litbalint-search-balint-42b819b3.ris"
    assert mixed.unicode == f"litbalint-search-balint-{BALINT}.ris"
    other = name(table="articles", search="同伴支持")
    assert other.ascii != chinese.ascii and re.fullmatch(r"[a-z0-9.-]+", other.ascii)
    query = name(query_name="巴林特 查询")
    assert query.unicode == "litbalint-巴林特-查询.ris"


def test_plain_names_have_no_filename_star_and_unicode_ones_are_percent_encoded():
    assert name(table="articles").content_disposition == (
        'attachment; filename="litbalint-articles.ris"'
    )
    accented = name(table="articles", search="Müller")
    assert accented.content_disposition == (
        'attachment; filename="litbalint-search-muller.ris"; '
        "filename*=UTF-8''litbalint-search-m%C3%BCller.ris"
    )
    hostile = name(table="articles", search='a"b;c\\d/e\r\nf\u202eg')
    assert hostile.ascii == "litbalint-search-a-b-c-d-e-f-g.ris"
    assert hostile.content_disposition.isascii()


def test_long_searches_are_cut_at_a_word():
    long = name(table="articles", search="balint groups and burnout " * 10)
    stem = long.ascii.removeprefix("litbalint-search-").removesuffix(".ris")
    assert len(stem) <= 60 and not stem.endswith("-")
    assert stem.startswith("balint-groups-and-burnout-balint")
    chinese = name(table="articles", search=BALINT * 30)
    assert len(chinese.unicode) <= len("litbalint-search-.ris") + 60
    assert chinese.ascii == f"litbalint-search-{chinese.ascii[-12:-4]}.ris"


# --- through Datasette ---------------------------------------------------------------------

CANNED = {"balint_articles": {"sql": "select id from articles where is_stub = 0 order by id"}}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Datasette, dict[str, int]]:
    """The seeds and the Chinese MEDLINE record; the ids of two articles."""
    register_publish_plugin()
    chinese = FIXTURES / "medline" / "chinese.nbib"
    db = seeded_database(tmp_path_factory.mktemp("downloads"), (chinese,))
    metadata = project_metadata()
    metadata["databases"]["litbalint"]["queries"] = CANNED
    with sqlite3.connect(db) as conn:
        ids = {
            "pmid": conn.execute("select id from articles where pmid = 34500003").fetchone()[0],
            "doi": conn.execute(
                "select id from articles where doi = '10.1177/00912174221122862'"
            ).fetchone()[0],
        }
    tokenizer()  # loading jieba takes ~1 s: not inside the first Chinese search's time limit
    return Datasette([str(db)], immutables=[], metadata=metadata), ids


def disposition(datasette: Datasette, path: str) -> str:
    response = get(datasette, path)
    assert response.status_code == 200, response.text
    return response.headers["content-disposition"]


def test_row_pages_are_named_after_the_article(served):
    datasette, ids = served
    assert disposition(datasette, f"/litbalint/articles/{ids['pmid']}.ris") == (
        'attachment; filename="pmid-34500003.ris"'
    )
    assert disposition(datasette, f"/litbalint/articles/{ids['doi']}.bib") == (
        'attachment; filename="doi-10.1177-00912174221122862.bib"'
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/litbalint/articles.ris", 'attachment; filename="litbalint-articles.ris"'),
        ("/litbalint/articles.bib?is_stub=0", 'attachment; filename="litbalint-articles.bib"'),
        (
            "/litbalint/articles.ris?_search=Balint+group",  # answered by the ranked view
            'attachment; filename="litbalint-search-balint-group.ris"',
        ),
        (
            "/litbalint/article_search.bib?_search=burnout&_sort=rank",
            'attachment; filename="litbalint-search-burnout.bib"',
        ),
        (
            f"/litbalint/articles.ris?_search={quote(BALINT)}",
            f'attachment; filename="litbalint-search-{BALINT_HASH}.ris"; '
            f"filename*=UTF-8''litbalint-search-{quote(BALINT)}.ris",
        ),
        ("/litbalint/balint_articles.ris", 'attachment; filename="litbalint-balint-articles.ris"'),
        (
            "/litbalint.bib?sql=select+id+from+articles",
            'attachment; filename="litbalint-query.bib"',
        ),
    ],
)
def test_downloads_are_named_after_the_page(served, path, expected):
    datasette, _ = served
    assert disposition(datasette, path) == expected


def test_a_chinese_search_download_holds_the_chinese_fields(served):
    datasette, _ = served
    response = get(datasette, f"/litbalint/articles.ris?_search={quote(BALINT)}")
    filename = response.headers["content-disposition"].split("filename*=UTF-8''")[1]
    assert unquote(filename) == f"litbalint-search-{BALINT}.ris"
    text = response.content.decode("utf-8")
    assert "TT  - 巴林特小组培训对全科医生职业倦怠的影响\r\n" in text
    assert (
        "N1  - Chinese abstract (中文摘要): 目的：评价巴林特小组培训对全科医生职业倦怠的影响。"
        in text
    )


def test_the_chinese_article_as_ris_and_bibtex(served):
    datasette, ids = served
    record = get(datasette, f"/litbalint/articles/{ids['pmid']}.ris").content.decode("utf-8")
    assert (
        "TI  - [Effect of Balint group training on job burnout of general practitioners].\r\n"
        in record
    )
    assert "TT  - 巴林特小组培训对全科医生职业倦怠的影响\r\n" in record
    assert "AB  - OBJECTIVE: To evaluate the effect of Balint group training on burnout" in record
    assert "N1  - Chinese title (中文标题): 巴林特小组培训对全科医生职业倦怠的影响\r\n" in record
    assert re.search(
        r"N1  - Chinese abstract \(中文摘要\): 目的：.* 结论：巴林特小组培训可缓解职业倦怠。\r\n",
        record,
    )
    entry = get(datasette, f"/litbalint/articles/{ids['pmid']}.bib").content.decode("utf-8")
    assert "  abstract = {OBJECTIVE: To evaluate the effect of Balint group training" in entry
    assert re.search(
        r"^  annote = \{Chinese title \(中文标题\): 巴林特小组培训对全科医生职业倦怠的影响 "
        r"Chinese abstract \(中文摘要\): 目的：.*\(P<0\.05\)。 "
        r"结论：巴林特小组培训可缓解职业倦怠。\},$",
        entry,
        re.MULTILINE,
    )


def test_a_seed_with_a_suppr_translation(served):
    datasette, ids = served
    record = get(datasette, f"/litbalint/articles/{ids['doi']}.ris").content.decode("utf-8")
    assert "TT  - 新冠疫情期间的虚拟巴林特小组:" in record
    assert "AB  - The Lawrence Family Medicine residency was created in the 1990s" in record
    assert (
        "N1  - Chinese abstract (中文摘要): 劳伦斯家庭医学住院医师培训计划始于 20 世纪 90 年代,"
        in record
    )
