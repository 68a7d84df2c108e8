"""The interface language: chosen from ?lang=, the cookie, Accept-Language; labels as words."""

from __future__ import annotations

import asyncio

from litbalint.publish import i18n


def test_accept_language_picks_the_preferred_of_chinese_and_english() -> None:
    assert i18n.accepted_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert i18n.accepted_language("en-US,en;q=0.9,zh-CN;q=0.8") == "en"
    assert i18n.accepted_language("fr-FR, en;q=0.5, zh-TW;q=0.7") == "zh"
    assert i18n.accepted_language("de, fr") is None
    assert i18n.accepted_language("zh;q=0, en") == "en"
    assert i18n.accepted_language("zh;q=bad, en;q=0.1") == "en"
    assert i18n.accepted_language(None) is None


def test_choice_order_parameter_cookie_header_default() -> None:
    assert i18n.choose_language("en", "zh", "zh") == "en"
    assert i18n.choose_language(None, "en", "zh") == "en"
    assert i18n.choose_language("xx", "yy", "en-GB") == "en"
    assert i18n.choose_language(None, None, "de") == "zh"
    assert i18n.choose_language(None, None, None) == "zh"


def test_switch_links_keep_every_other_argument() -> None:
    links = i18n.switch_links("/-/search", "q=%E5%B7%B4&lang=en&page=2", "en")
    assert [(s.lang, s.current) for s in links] == [("zh", False), ("en", True)]
    assert links[0].url == "/-/search?q=%E5%B7%B4&page=2&lang=zh"


def test_topic_and_publication_type_labels_are_words() -> None:
    assert i18n.topic_label("balint", "zh") == "巴林特小组"
    assert i18n.topic_label("balint", "en") == "Balint groups"
    assert i18n.topic_label("peer_support", "zh") == "同伴支持"
    assert i18n.topic_label("new_topic", "zh") == "new topic"
    assert i18n.topic_names()[:2] == ["balint", "peer_support"]
    assert i18n.publication_type_label("Randomized Controlled Trial", "zh") == "随机对照试验"
    assert i18n.publication_type_label("Randomized Controlled Trial", "en") == (
        "Randomized Controlled Trial"
    )
    assert i18n.publication_type_label("Unheard Of", "zh") == "Unheard Of"


def test_messages_and_interface() -> None:
    messages = i18n.Messages({"hits": ("{n} results", "{n} 条结果")})
    ui = i18n.Interface("zh", messages)
    assert ui.t("hits", n=3) == "3 条结果"
    assert i18n.Interface("en", messages).t("hits", n=3) == "3 results"
    assert ui.html_lang == "zh-CN"


def _run(path_query: str) -> list[tuple[bytes, bytes]]:
    sent: list[dict] = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    path, _, query = path_query.partition("?")
    scope = {"type": "http", "path": path, "query_string": query.encode()}
    asyncio.run(i18n.asgi_wrapper(app)(scope, receive, send))
    return sent[0]["headers"]


def test_the_choice_is_remembered_in_a_cookie() -> None:
    headers = dict(_run("/?lang=en"))
    assert headers[b"set-cookie"].startswith(b"litbalint_lang=en; Max-Age=")
    assert b"set-cookie" not in dict(_run("/?lang=fr"))
    assert b"set-cookie" not in dict(_run("/"))
    assert dict(_run("/"))[b"vary"] == b"Accept-Language, Cookie"
