"""The interface language of the pages the plugin draws: Chinese (zh) or English (en).

Chosen per request (`request_language`): `?lang=zh|en` first (the switch on every page links
there), then the cookie that switch set (`asgi_wrapper` adds it to the response, so the choice
is remembered for a year), then the browser's `Accept-Language` (its preferred of zh/en by
q-value), else Chinese: the site is made for readers who read Chinese first.

Each page module keeps its own texts in a `Messages` (key -> English, Chinese), so adding a
text is one line beside the code that shows it. Topic names come from the topics file (the
`label` of each topic) and publication types from `bundled/lexicon/publication_types.tsv`:
both shown as words, never as keys.
"""

from __future__ import annotations

import functools
import urllib.parse
from dataclasses import dataclass, field

from litbalint.resources import packaged_text
from litbalint.topics import configured_topics

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
PARAM = "lang"
COOKIE = "litbalint_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
NAMES = {"zh": "中文", "en": "English"}
PUBLICATION_TYPES = "bundled/lexicon/publication_types.tsv"


@dataclass(frozen=True)
class Messages:
    """Texts of one page or part of a page: key -> (English, Chinese)."""

    texts: dict[str, tuple[str, str]]

    def text(self, key: str, lang: str) -> str:
        english, chinese = self.texts[key]
        return chinese if lang == "zh" else english

    def __or__(self, other: Messages) -> Messages:
        return Messages({**self.texts, **other.texts})


def accepted_language(header: str | None) -> str | None:
    """The language among zh/en that an `Accept-Language` header prefers, or None."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        if best is None or (quality, -position) > (best[0], best[1]):
            best = (quality, -position, primary)
    return best[2] if best else None


def choose_language(param: str | None, cookie: str | None, accept: str | None) -> str:
    """`?lang=`, else the cookie, else Accept-Language, else Chinese."""
    for choice in (param, cookie):
        if choice in LANGUAGES:
            return str(choice)
    return accepted_language(accept) or DEFAULT_LANGUAGE


def request_language(request) -> str:
    """The interface language of a Datasette request (None: Chinese)."""
    if request is None:
        return DEFAULT_LANGUAGE
    return choose_language(
        request.args.get(PARAM), request.cookies.get(COOKIE), request.headers.get("accept-language")
    )


@dataclass(frozen=True)
class Switch:
    lang: str
    name: str
    url: str
    current: bool


def switch_links(path: str, query_string: str, lang: str) -> list[Switch]:
    """Links to this same page in each language (`?lang=` replaced, every other argument kept)."""
    args = [
        (name, value)
        for name, value in urllib.parse.parse_qsl(query_string, keep_blank_values=True)
        if name != PARAM
    ]
    return [
        Switch(
            code,
            NAMES[code],
            f"{path}?{urllib.parse.urlencode([*args, (PARAM, code)])}",
            code == lang,
        )  # fmt: skip
        for code in LANGUAGES
    ]


def _topic_labels() -> dict[str, tuple[str, str]]:
    return {t.name: (t.label_en, t.label_zh) for t in configured_topics()}


def topic_names() -> list[str]:
    """The topics of the topics file, in its order."""
    return list(_topic_labels())


def topic_label(topic: str, lang: str) -> str:
    """A topic's name for readers ("巴林特小组"); an unknown topic shows as its key."""
    labels = _topic_labels().get(topic)
    if labels is None:
        return topic.replace("_", " ")
    return labels[1] if lang == "zh" else labels[0]


@functools.cache
def _publication_types() -> dict[str, str]:
    labels: dict[str, str] = {}
    for line in packaged_text(PUBLICATION_TYPES).splitlines():
        if line.strip() and not line.startswith("#"):
            english, _, chinese = line.partition("\t")
            if chinese.strip():
                labels[english.strip()] = chinese.strip()
    return labels


def publication_type_label(name: str, lang: str) -> str:
    """A PubMed publication type in the reader's language (as PubMed names it when unknown)."""
    return _publication_types().get(name, name) if lang == "zh" else name


@dataclass
class Interface:
    """What a template needs to speak the reader's language: `t(key)`, the switch, labels."""

    lang: str
    messages: Messages
    switch: list[Switch] = field(default_factory=list)

    def t(self, key: str, **values: object) -> str:
        text = self.messages.text(key, self.lang)
        return text.format(**values) if values else text

    def topic(self, topic: str) -> str:
        return topic_label(topic, self.lang)

    def publication_type(self, name: str) -> str:
        return publication_type_label(name, self.lang)

    @property
    def html_lang(self) -> str:
        return "zh-CN" if self.lang == "zh" else "en"


def interface(request, messages: Messages) -> Interface:
    """The interface of this request's page."""
    lang = request_language(request)
    switch = []
    if request is not None:
        switch = switch_links(request.path, request.query_string, lang)
    return Interface(lang, messages, switch)


def asgi_wrapper(app):
    """Remember `?lang=` in a cookie, and tell caches that pages vary by language."""

    async def remember_language(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
        chosen = (query.get(PARAM) or [None])[-1]

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if chosen in LANGUAGES:
                    cookie = f"{COOKIE}={chosen}; Max-Age={COOKIE_MAX_AGE}; Path=/; SameSite=Lax"
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                headers.append((b"vary", b"Accept-Language, Cookie"))
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_cookie)

    return remember_language
