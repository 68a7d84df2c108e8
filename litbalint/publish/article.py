"""The article page: the row page of `articles`, read for people who often read Chinese first.

`article_context` is awaited by the plugin's `extra_template_vars` hook for that page and
returns `{"article_page": ArticlePage}` (or `{}` when the row is not a litbalint article, so the
template falls back to Datasette's own row page). The template is `templates/row.html`, which
extends Datasette's own and switches to the article layout when `article_page` is set: any
database with litbalint's schema gets it, whatever its name (see corpus.py). Everything is read
in one read transaction (`corpus.read_snapshot`), under the instance's SQL time limit; nothing
is written.

Modules: `article_queries` reads the page from the database (`load_article`); `article_model`
holds the dataclasses the template reads and the formatting of what was read.

Escaping: the template relies on Jinja's autoescape for every value read from the database. The
only exception is `article_model.parser_html`: `articles.title_en_html` and
`abstract_sections.text_html`, which our PubMed parser (`litbalint/sources/markup.py`) builds
from a fixed whitelist of inline elements with every text and attribute escaped; they are
wrapped in `Markup` there and nowhere else.
"""

from __future__ import annotations

import contextlib
import sqlite3

from datasette.utils import urlsafe_components

from litbalint.publish import i18n
from litbalint.publish.article_model import (
    ArticlePage,
    Urls,
    text_lang,
)
from litbalint.publish.article_queries import load_article, related_items
from litbalint.publish.corpus import read_snapshot, schema_version, search_path

__all__ = ["ArticlePage", "Urls", "article_context", "load_article"]


# Every text the page draws around the article's own (English, Chinese): `lb.t(key)`
MESSAGES = i18n.Messages(
    {
        "nav_home": ("Home", "首页"),
        "nav_query": ("Search titles and abstracts", "检索标题与摘要"),
        "nav_search": ("Search", "检索"),
        "epub": ("Epub {date}", "电子版 {date}"),
        "deleted": ("Deleted from PubMed", "已从 PubMed 删除"),
        "stub": (
            "Known only from a citation link; not a full record in this corpus.",
            "仅由引用关系得知，本库未收录全文记录。",
        ),
        "cite": ("Cite", "引用"),
        "vancouver": ("Vancouver (NLM) style", "温哥华（NLM）格式"),
        "download": ("Download", "下载"),
        "authors": ("Authors", "作者"),
        "affiliations": ("Affiliations", "机构"),
        "abstract": ("Abstract", "摘要"),
        "no_abstract": ("No abstract", "无摘要"),
        "badly_aligned": (
            "The automatic sentence alignment of this abstract is poor (more than 30% of pairs "
            "are low confidence): read each section as a whole.",
            "本摘要的自动句对齐质量较差（低置信度句对超过 30%），请按段落整体阅读。",
        ),
        "stale": (
            "The sentence alignment is out of date: whole sections are shown.",
            "句对齐尚未更新，按段落显示。",
        ),
        "paired": ("Sentences paired automatically", "句子由程序自动配对"),
        "low": ("low confidence", "低置信度"),
        "low_count": ("{low} of {total} pairs marked", "{total} 个句对中 {low} 个标为"),
        "colon": (": ", "："),
        "score": ("score {score}", "匹配分 {score}"),
        "en_only": ("English abstract only", "仅有英文摘要"),
        "zh_only": ("Chinese abstract only", "仅有中文摘要"),
        "col_en": ("English", "英文"),
        "col_zh": ("Chinese", "中文"),
        "zh_from": ("Chinese abstract from {source}", "中文摘要来源：{source}"),
        "zh_source_suppr": ("Suppr (超能文献)", "超能文献（Suppr）"),
        "zh_source_plain": ("a bilingual text", "双语文本"),
        "zh_source_publisher": ("the publisher", "出版者"),
        "mesh": ("MeSH terms", "MeSH 主题词"),
        "major": ("major topic", "主要主题"),
        "keywords": ("Keywords", "关键词"),
        "topics": ("Topics", "主题"),
        "publication_types": ("Publication types", "文献类型"),
        "references": ("References ({n})", "参考文献（{n}）"),
        "unlinked": ("Further entries without identifiers ({n})", "其他无标识条目（{n}）"),
        "cited_by": ("Cited by ({n})", "被引（{n}）"),
        "similar": ("Similar articles ({n})", "相似文献（{n}）"),
        "related": ("Related in this corpus", "语料内相关文献"),
        "related_how": (
            "Nearest by meaning, in either language (multilingual embeddings of titles and "
            "abstracts)",
            "按语义最接近的本库文献，中英文皆可（标题与摘要的多语言向量）",
        ),
        "none_listed": ("None listed", "暂无"),
        "in_corpus": ("in corpus", "本库"),
        "in_corpus_title": ("an article of this corpus", "本库收录的文献"),
        "record": ("The database row, all columns", "数据库记录（全部字段）"),
        "language": ("Interface language", "界面语言"),
    }
)


def zh_source_name(lb: i18n.Interface, source: str | None) -> str | None:
    """Where the Chinese abstract came from, named in the reader's language."""
    key = f"zh_source_{source}"
    return lb.t(key) if key in lb.messages.texts else source


async def article_context(datasette, database: str, request) -> dict:
    """Template variables for the article page (`article_page`, the interface `lb`, and
    `lang_of` for texts of unrecorded language), or {} when this row cannot be shown as one."""
    pks = urlsafe_components(request.url_vars.get("pks", ""))
    if len(pks) != 1 or not pks[0].isdigit():
        return {}
    article_id = int(pks[0])
    urls = Urls(datasette, database)

    def read(conn: sqlite3.Connection) -> ArticlePage | None:
        if schema_version(conn) is None:
            return None  # not a litbalint database: Datasette's row page
        page = load_article(conn, article_id, urls)
        if page is not None and not page.is_stub:
            # last: over the time limit, the page still shows, without this list
            with contextlib.suppress(sqlite3.Error):
                page.related = related_items(conn, article_id, urls)
        return page

    try:
        page = await read_snapshot(datasette, database, read)
    except (sqlite3.Error, KeyError):  # over the time limit, schema too old: plain row page
        return {}
    if not page:
        return {}
    lb = i18n.interface(request, MESSAGES)
    return {
        "article_page": page,
        "lb": lb,
        "lang_of": text_lang,
        "zh_source": zh_source_name(lb, page.abstract.zh_source),
        "home_url": str(datasette.urls.database(database)),
        "search_url": await search_path(datasette, database),
    }
