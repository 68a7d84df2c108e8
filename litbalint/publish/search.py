"""The ranked search page: `/-/search` (HTML) and `/-/search.json`, titles and abstracts in both
languages, best match first.

Datasette's own search box (`?_search=` on the `articles` table) filters without ranking; this
page orders corpus articles by FTS5's bm25 with titles (10) and keywords and MeSH (3) weighing
more than abstracts (1). The query goes through `escape_fts` (the same jieba segmentation as the
index, every word quoted, all words required), so FTS syntax in it is plain text, and every
query runs through Datasette's `execute`, under the instance's SQL time limit. An SQL error or a
timeout shows "no results", never a 500.

Snippets come from FTS5's `snippet()` with private-use sentinel characters around the matches.
The Chinese columns of the index hold segmented text (words and the dictionary sub-words inside
them, separated by spaces: 巴林 巴林特 小组 巴林特小组), so a Chinese snippet is put back
together first: sub-words followed by the word that contains them are dropped (a highlighted
sub-word highlights its place in the word), and spaces between CJK characters and punctuation
are removed. The text is then escaped as a whole and the sentinels become `<mark>` tags (HTML)
or « » (JSON, plain text).
"""

from __future__ import annotations

import html
import math
import re
import urllib.parse
from dataclasses import dataclass

from datasette.utils.asgi import Response
from markupsafe import Markup

from litbalint.publish.article_model import TOPIC_LABELS, json_list
from litbalint.publish.fts_query import escape_fts
from litbalint.store.schema import FTS_WEIGHTS

PAGE_SIZE = 20
MAX_PAGE = 500
DATABASE = "litbalint"
SNIPPET_TOKENS = {"en": 24, "zh": 40}  # Chinese: sub-words take tokens and are dropped
OPEN, CLOSE, ELLIPSIS = "\ue000", "\ue001", "\ue002"  # private use: never in the corpus
_CJK_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
_CJK = re.compile(  # ideographs, radicals, CJK and full-width punctuation
    r"[\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
)


def routes() -> list[tuple[str, object]]:
    return [(r"^/-/search$", search_view), (r"^/-/search\.json$", search_json)]


@dataclass
class Hit:
    id: int
    pmid: int | None
    doi: str | None
    title_en: str | None
    title_zh: str | None
    journal: str | None
    year: int | None
    topics: list[str]
    score: float
    snippet_en: list[tuple[str, bool]]  # (text, highlighted) runs
    snippet_zh: list[tuple[str, bool]]
    url: str = ""

    @property
    def topic_labels(self) -> list[str]:
        return [TOPIC_LABELS.get(topic, topic) for topic in self.topics]

    @property
    def snippet_en_html(self) -> Markup:
        return _html(self.snippet_en)

    @property
    def snippet_zh_html(self) -> Markup:
        return _html(self.snippet_zh)


@dataclass
class Search:
    query: str
    match: str | None
    topic: str | None
    has_zh: bool
    page: int
    total: int
    hits: list[Hit]
    failed: bool = False  # the query raised (time limit, SQL error): shown as no results


def _database(datasette):
    if DATABASE in datasette.databases:
        return datasette.get_database(DATABASE)
    return datasette.get_database()  # the first one that is not _internal


async def _ranked_in_index(db, params: dict) -> tuple[int, list]:
    """Without filters, rank inside the full-text index (it holds live corpus articles only):
    the weighted bm25 sorted with a LIMIT (called directly: FTS5's `rank` column, configured as
    the same function, takes 1.6x as long); snippets and article fields are then read for the
    page's rows alone."""
    total = (
        await db.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH :match", params
        )
    ).first()[0]
    page = (
        await db.execute(
            f"SELECT rowid, bm25(articles_fts, {FTS_WEIGHTS}) AS score FROM articles_fts "
            f"WHERE articles_fts MATCH :match ORDER BY score, rowid LIMIT {PAGE_SIZE} "
            "OFFSET :offset",
            params,
        )
    ).rows
    if not page:
        return total, []
    ids = [row[0] for row in page]
    marks = ", ".join(str(int(i)) for i in ids)
    details = {
        row[0]: row
        for row in (
            await db.execute(
                "SELECT a.id, a.pmid, a.doi, a.title_en, a.title_zh, a.journal, a.year, a.topics, "
                f"0, snippet(articles_fts, 1, :open, :close, :ellipsis, {SNIPPET_TOKENS['en']}), "
                f"snippet(articles_fts, 3, :open, :close, :ellipsis, {SNIPPET_TOKENS['zh']}) "
                "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
                f"WHERE articles_fts MATCH :match AND articles_fts.rowid IN ({marks})",
                params,
            )
        ).rows
    }
    names = (
        "id",
        "pmid",
        "doi",
        "title_en",
        "title_zh",
        "journal",
        "year",
        "topics",
        "rank",
        "s_en",
        "s_zh",
    )  # the columns of the filtered query, for the same Hit building
    rows = []
    for rowid, rank in page:
        if rowid in details:
            row = dict(zip(names, details[rowid], strict=True))
            row["rank"] = rank
            rows.append(row)
    return total, rows


def _params(request) -> tuple[str, str | None, bool, int]:
    args = request.args
    query = " ".join((args.get("q") or "").split())
    topic = args.get("topic") or None
    has_zh = args.get("has_zh") in ("1", "on", "true")
    try:
        page = min(max(int(args.get("page") or 1), 1), MAX_PAGE)
    except ValueError:
        page = 1
    return query, topic, has_zh, page


async def run_search(datasette, request) -> tuple[Search, str]:
    """The search the request asks for, and the name of the database it ran on."""
    query, topic, has_zh, page = _params(request)
    db = _database(datasette)
    search = Search(query, None, topic, has_zh, page, 0, [])
    if not query:
        return search, db.name
    search.match = escape_fts(query)
    where = ["articles_fts MATCH :match", "a.is_stub = 0", "a.deleted = 0"]
    params: dict[str, object] = {"match": search.match}
    if topic:
        where.append("EXISTS (SELECT 1 FROM json_each(a.topics) WHERE json_each.value = :topic)")
        params["topic"] = topic
    if has_zh:
        where.append("a.has_zh = 1")
    joined = "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid WHERE " + " AND ".join(
        where
    )
    sql = (
        "SELECT a.id, a.pmid, a.doi, a.title_en, a.title_zh, a.journal, a.year, a.topics, "
        f"bm25(articles_fts, {FTS_WEIGHTS}) AS rank, "
        f"snippet(articles_fts, 1, :open, :close, :ellipsis, {SNIPPET_TOKENS['en']}) AS s_en, "
        f"snippet(articles_fts, 3, :open, :close, :ellipsis, {SNIPPET_TOKENS['zh']}) AS s_zh "
        f"{joined} ORDER BY rank, a.id LIMIT {PAGE_SIZE} OFFSET :offset"
    )
    params_rows = {
        **params,
        "open": OPEN,
        "close": CLOSE,
        "ellipsis": ELLIPSIS,
        "offset": (page - 1) * PAGE_SIZE,
    }
    try:
        if topic or has_zh:
            total = (await db.execute(f"SELECT count(*) {joined}", params)).first()[0]
            rows = (await db.execute(sql, params_rows)).rows
        else:
            total, rows = await _ranked_in_index(db, params_rows)
    except Exception:  # sqlite3 errors, QueryInterrupted (time limit): no results, never a 500
        search.failed = True
        return search, db.name
    search.total = total
    for row in rows:
        search.hits.append(
            Hit(
                id=row["id"],
                pmid=row["pmid"],
                doi=row["doi"],
                title_en=row["title_en"],
                title_zh=row["title_zh"],
                journal=row["journal"],
                year=row["year"],
                topics=json_list(row["topics"]),
                score=float(f"{-row['rank']:.6g}"),
                snippet_en=snippet_runs(row["s_en"]),
                snippet_zh=snippet_runs(row["s_zh"], chinese=True),
                url=str(datasette.urls.row(db.name, "articles", str(row["id"]))),
            )
        )
    return search, db.name


# --- snippets ---------------------------------------------------------------------------------


def snippet_runs(snippet: str | None, chinese: bool = False) -> list[tuple[str, bool]]:
    """An FTS5 snippet (with OPEN/CLOSE/ELLIPSIS sentinels) as (text, highlighted) runs; for a
    Chinese column, sub-words dropped and the index's spaces between CJK characters removed."""
    if not snippet:
        return []
    # tokens as lists of (character, highlighted); the ellipses are tokens of their own
    tokens: list[list[tuple[str, bool]]] = []
    current: list[tuple[str, bool]] = []
    marked = False
    for char in snippet.replace(ELLIPSIS, f" {ELLIPSIS} "):
        if char == OPEN:
            marked = True
        elif char == CLOSE:
            marked = False
        elif char.isspace():
            if current:
                tokens.append(current)
            current = []
        else:
            current.append((char, marked))
    if current:
        tokens.append(current)
    if chinese:
        tokens = _drop_subwords(tokens)
    chars: list[tuple[str, bool]] = []
    for token in tokens:
        if chars and _keeps_space(chars[-1][0], token[0][0], chinese):
            chars.append((" ", chars[-1][1] and token[0][1]))
        chars += token
    runs: list[tuple[str, bool]] = []
    for char, flag in chars:
        char = "…" if char == ELLIPSIS else char
        if runs and runs[-1][1] == flag:
            runs[-1] = (runs[-1][0] + char, flag)
        else:
            runs.append((char, flag))
    return runs


def _drop_subwords(tokens: list[list[tuple[str, bool]]]) -> list[list[tuple[str, bool]]]:
    """The index writes each Chinese word after the dictionary words inside it, in order of
    their start (住院 住院医师 医师 培训 住院医师培训): right to left, the tokens just before a
    word that are shorter CJK words found inside it, at non-increasing positions, go; their
    highlighting moves to their place in the word."""
    kept: list[list[tuple[str, bool]]] = []
    index = len(tokens) - 1
    while index >= 0:
        word = tokens[index]
        text = "".join(char for char, _ in word)
        index -= 1
        if _CJK_WORD.fullmatch(text):
            flags = [flag for _, flag in word]
            last = len(text)
            while index >= 0:
                part = "".join(char for char, _ in tokens[index])
                position = text.find(part)
                if not (_CJK_WORD.fullmatch(part) and len(part) < len(text)):
                    break
                if position < 0 or position > last:
                    break
                for offset, (_, flag) in enumerate(tokens[index]):
                    flags[position + offset] = flags[position + offset] or flag
                last = position
                index -= 1
            word = list(zip(text, flags, strict=True))
        kept.append(word)
    kept.reverse()
    return kept


def _keeps_space(left: str, right: str, chinese: bool) -> bool:
    """A space from the index stays next to Latin letters and digits; between CJK characters
    (and between CJK and punctuation) it was put there by the segmentation."""
    if not chinese:
        return True
    if ELLIPSIS in (left, right):
        return False
    if left.isascii() and left.isalnum() or right.isascii() and right.isalnum():
        return True
    left_cjk, right_cjk = bool(_CJK.match(left)), bool(_CJK.match(right))
    return not (left_cjk or right_cjk)


def _with_sentinels(runs: list[tuple[str, bool]]) -> str:
    return "".join(f"{OPEN}{text}{CLOSE}" if flag else text for text, flag in runs)


def _html(runs: list[tuple[str, bool]]) -> Markup:
    """Escaped as a whole, then the sentinels become <mark> tags: nothing else is markup."""
    escaped = html.escape(_with_sentinels(runs), quote=True)
    return Markup(escaped.replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))


def plain(runs: list[tuple[str, bool]]) -> str:
    """Plain text, the highlighted parts in « »."""
    return _with_sentinels(runs).replace(OPEN, "«").replace(CLOSE, "»")


# --- views ------------------------------------------------------------------------------------


async def search_json(datasette, request) -> Response:
    """`{"query", "match", "total", "page", "page_size", "results": [...]}`; snippets are plain
    text with the highlighted parts in « » (`snippet_*_html`: the same as escaped HTML)."""
    search, _ = await run_search(datasette, request)
    results = [
        {
            "id": hit.id,
            "pmid": hit.pmid,
            "doi": hit.doi,
            "title_en": hit.title_en,
            "title_zh": hit.title_zh,
            "journal": hit.journal,
            "year": hit.year,
            "topics": hit.topics,
            "score": hit.score,
            "url": hit.url,
            "snippet_en": plain(hit.snippet_en),
            "snippet_zh": plain(hit.snippet_zh),
            "snippet_en_html": str(hit.snippet_en_html),
            "snippet_zh_html": str(hit.snippet_zh_html),
        }
        for hit in search.hits
    ]
    body = {
        "query": search.query,
        "match": search.match,
        "total": search.total,
        "page": search.page,
        "page_size": PAGE_SIZE,
        "error": search.failed,
        "results": results,
    }
    return Response.json(body, headers={"Access-Control-Allow-Origin": "*"})


async def search_view(datasette, request) -> Response:
    search, database = await run_search(datasette, request)
    pages = max(math.ceil(search.total / PAGE_SIZE), 1)
    base = str(datasette.urls.path("/-/search"))

    def page_url(page: int) -> str:
        args = {"q": search.query}
        if search.topic:
            args["topic"] = search.topic
        if search.has_zh:
            args["has_zh"] = "1"
        if page > 1:
            args["page"] = str(page)
        return f"{base}?{urllib.parse.urlencode(args)}"

    json_url = str(datasette.urls.path("/-/search.json"))
    if request.query_string:
        json_url += "?" + request.query_string
    context = {
        "search": search,
        "database": database,
        "topic_labels": TOPIC_LABELS,
        "search_url": base,
        "json_url": json_url,
        "table_url": str(datasette.urls.table(database, "articles")),
        "prev_url": page_url(search.page - 1) if search.page > 1 else None,
        "next_url": page_url(search.page + 1) if search.page < pages else None,
        "pages": pages,
        "first": (search.page - 1) * PAGE_SIZE + 1,
        "css_url": _css_url(datasette),
    }
    return Response.html(
        await datasette.render_template("litbalint_search.html", context, request=request)
    )


def _css_url(datasette) -> str:
    from litbalint.publish.article import _plugin_name

    return str(datasette.urls.static_plugins(_plugin_name(), "litbalint.css"))
