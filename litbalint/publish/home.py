"""The landing page: `/` (the first corpus served) and `/<database>` (each corpus), for readers.

First the search box (it leads to the readers' search page), two lines on how to search and
example queries; then entry points by topic and by year, the corpus in numbers (articles, with
Chinese, citation links, the last harvest), the newest articles and the chart; links for
researchers (tables, SQL, the JSON API, canned queries) come last, and Datasette's own listing
of tables and queries follows below them. Everything is read in one read transaction
(`corpus.read_snapshot`) and computed again only after a commit (`corpus.unchanged_since`:
1.1 s on 100,000 articles, then nothing), so a harvest writing the served file shows at once.
"""

from __future__ import annotations

import sqlite3
import urllib.parse
from dataclasses import dataclass, field

from markupsafe import Markup

from litbalint.publish import i18n
from litbalint.publish.attribution import attribution
from litbalint.publish.chart import CHART_SQL, svg_chart
from litbalint.publish.corpus import read_snapshot, schema_version, search_path, unchanged_since
from litbalint.publish.examples import FEATURED
from litbalint.publish.search_query import OPENING_SQL, Opening
from litbalint.publish.stylesheet import css_url

NEWEST = 6
YEARS_SHOWN = 12

TEXT = i18n.Messages(
    {
        "site": ("Balint groups and peer support in health care", "巴林特小组与同伴支持文献库"),
        "tagline": (
            "A bilingual literature corpus: PubMed articles with Chinese translations, side by "
            "side.",
            "中英双语文献库：PubMed 文献与中文译文，中英对照阅读。",
        ),
        "query": ("Search titles and abstracts", "检索标题与摘要"),
        "placeholder": (
            "Chinese or English: 巴林特小组, burnout…",
            "中文或英文：巴林特小组、burnout…",
        ),
        "submit": ("Search", "检索"),
        "how1": (
            "Type words in Chinese or English; variants are found too (职业倦怠 also finds "
            "职业枯竭, burnout also burn-out). Best matches come first.",
            "输入中文或英文检索词，同义写法一并检索（如 职业倦怠 也找 职业枯竭，burnout 也找 "
            "burn-out），结果按相关度排序。",
        ),
        "how2": (
            "Click a title to read the abstract in English and Chinese side by side; put a phrase "
            'in "double quotes" to keep it together.',
            '点击标题即可中英对照阅读摘要；用英文双引号 " " 把词组括起来可精确检索。',
        ),
        "examples": ("Examples:", "示例："),
        "topics": ("By topic", "按主题浏览"),
        "years": ("By year", "按年份浏览"),
        "numbers": ("The corpus", "文献库概况"),
        "articles": ("articles", "篇文献"),
        "with_zh": ("with a Chinese abstract", "篇有中文摘要"),
        "citations": ("citation links", "条引用关系"),
        "harvest": ("last PubMed update: {date}", "最近一次 PubMed 更新：{date}"),
        "no_harvest": ("not yet updated from PubMed", "尚未从 PubMed 更新"),
        "newest": ("Newest articles", "最新文献"),
        "researchers": ("For researchers", "研究者入口"),
        "table": (
            "The articles table (filter, facets, CSV, JSON)",
            "文献表（筛选、分面、CSV、JSON）",
        ),
        "tables": ("All tables and views", "全部数据表与视图"),
        "sql": ("Run SQL (read-only)", "运行 SQL（只读）"),
        "api": ("Search API (JSON)", "检索 API（JSON）"),
        "queries": ("Canned queries:", "预设查询："),
        "licence": ("Data licence:", "数据许可："),
        "source": ("Source:", "数据来源："),
        "chart_note": (
            "Corpus articles with a known year; an article with two topics counts in both.",
            "统计有出版年份的收录文献；属于两个主题的文献在两个主题中各计一次。",
        ),
    }
)


@dataclass
class NewArticle:
    id: int
    title_en: str | None
    title_zh: str | None
    journal: str | None
    year: int | None
    opening: Opening | None = None  # when it has no title


@dataclass
class Overview:
    """What the landing page shows of a corpus."""

    articles: int
    with_zh: int
    citations: int
    last_harvest: str | None  # ISO date of the last successful harvest run
    topics: dict[str, int]  # corpus articles per topic
    years: dict[int, int]  # corpus articles per year, newest first
    chart: dict[int, dict[str, int]]  # year -> topic -> articles
    newest: list[NewArticle] = field(default_factory=list)


CORPUS = "is_stub = 0 AND deleted = 0"


def read_overview(conn: sqlite3.Connection) -> Overview | None:
    """The landing page's numbers, or None for a database without litbalint's schema; read
    again only after a commit."""
    if schema_version(conn) is None:
        return None
    return unchanged_since(conn, "overview", lambda: _overview(conn))


def _overview(conn: sqlite3.Connection) -> Overview:
    articles, with_zh = conn.execute(
        f"SELECT count(*), coalesce(sum(has_zh), 0) FROM articles WHERE {CORPUS}"
    ).fetchone()
    citations = conn.execute("SELECT count(*) FROM citations").fetchone()[0]
    harvest = conn.execute(
        "SELECT max(finished_at) FROM harvest_runs WHERE status = 'ok'"
    ).fetchone()[0]
    topics = dict(
        conn.execute(
            "SELECT t.value, count(*) FROM articles, json_each(CASE WHEN json_valid(topics) "
            f"THEN topics ELSE '[]' END) t WHERE {CORPUS} GROUP BY t.value ORDER BY 2 DESC"
        ).fetchall()
    )
    years = dict(
        conn.execute(
            f"SELECT year, count(*) FROM articles WHERE {CORPUS} AND year IS NOT NULL "
            "GROUP BY year ORDER BY year DESC"
        ).fetchall()
    )
    chart: dict[int, dict[str, int]] = {}
    for year, topic, n in conn.execute(CHART_SQL):
        if isinstance(year, int):
            chart.setdefault(year, {})[str(topic)] = n
    newest = [
        NewArticle(row[0], row[1], row[2], row[3], row[4], Opening.of(row[5], row[6]))
        for row in conn.execute(
            f"SELECT a.id, a.title_en, a.title_zh, a.journal, a.year, {OPENING_SQL} "
            f"FROM articles a WHERE {CORPUS} "
            f"ORDER BY coalesce(pub_date, year) DESC, id DESC LIMIT {NEWEST}"
        )
    ]
    last = str(harvest)[:10] if harvest else None
    return Overview(articles, with_zh, citations, last, topics, years, chart, newest)


@dataclass
class Chip:
    label: str
    count: int
    url: str


async def home_context(datasette, database: str, request) -> dict:
    """Template variables for the landing part of `/` and `/<database>` (`litbalint_home`), or
    {} for a database without litbalint's schema or when reading fails."""
    if request is not None and request.args.get("sql"):
        return {}  # a custom SQL query rendered by the database view
    try:
        overview = await read_snapshot(datasette, database, read_overview)
    except (sqlite3.Error, KeyError):  # unknown database, schema too old, over the time limit
        return {}
    if overview is None:
        return {}
    ui = i18n.interface(request, TEXT)
    search = await search_path(datasette, database)

    def find(**args: object) -> str:
        return f"{search}?{urllib.parse.urlencode({**args, 'lang': ui.lang})}"

    topics = list(dict.fromkeys([*i18n.topic_names(), *overview.topics]))
    home = {
        "lb": ui,
        "overview": overview,
        "search_url": search,
        "examples": [(example, find(q=example)) for example in FEATURED],
        "topic_chips": [
            Chip(ui.topic(t), overview.topics.get(t, 0), find(topic=t)) for t in topics
        ],
        "year_chips": [
            Chip(str(y), n, find(year=y)) for y, n in list(overview.years.items())[:YEARS_SHOWN]
        ],
        "newest": [
            (a, str(datasette.urls.row(database, "articles", str(a.id)))) for a in overview.newest
        ],
        # safe: svg_chart escapes every text it puts in the SVG (see chart.py)
        "chart": Markup(svg_chart(overview.chart, i18n.topic_names(), ui.lang)),
        "links": _researcher_links(datasette, database, ui),
        "queries": await _canned_queries(datasette, database, request),
        "attribution": attribution(datasette, database),
    }
    return {
        "litbalint_home": home,
        "litbalint_css": css_url(datasette),
    }


def _researcher_links(datasette, database: str, ui: i18n.Interface) -> list[tuple[str, str]]:
    sql = "select id, pmid, year, title_en, title_zh from articles where is_stub = 0 limit 10"
    return [
        (ui.t("table"), str(datasette.urls.table(database, "articles")) + "?is_stub=0"),
        (ui.t("tables"), str(datasette.urls.database(database)) + "#tables"),
        (
            ui.t("sql"),
            str(datasette.urls.database(database)) + "?" + urllib.parse.urlencode({"sql": sql}),
        ),
        (
            ui.t("api"),
            str(datasette.urls.path("/-/search.json")) + "?q=" + urllib.parse.quote("巴林特小组"),
        ),
    ]


async def _canned_queries(datasette, database: str, request) -> list[tuple[str, str]]:
    actor = request.actor if request is not None else None
    queries = await datasette.get_canned_queries(database, actor)
    return [
        (str(query.get("title") or name), str(datasette.urls.query(database, name)))
        for name, query in queries.items()
    ]
