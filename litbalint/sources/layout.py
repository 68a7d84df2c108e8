"""Line-level helpers shared by the text importers (Suppr pages and plain dumps)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from litbalint.labels import category_of
from litbalint.model import Section

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_CJK_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_URL = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$")
_EN_INLINE_LABEL = re.compile(r"^(?P<label>[A-Za-z][A-Za-z &/,'()-]{2,60}?)\s*:\s+(?P<text>\S.*)$")
_ZH_INLINE_LABEL = re.compile(r"^(?P<label>[\u4e00-\u9fff、和与]{2,12})\s*[:：]\s*(?P<text>\S.*)$")
_SENTENCE_PUNCTUATION = re.compile(r"[。,，;；!！?？]")


@dataclass
class Line:
    """A non-empty line and its 1-based number in the file."""

    number: int
    text: str


def numbered_lines(text: str) -> list[Line]:
    """Non-empty, stripped lines with their line numbers."""
    return [
        Line(number, stripped)
        for number, raw in enumerate(text.split("\n"), start=1)
        if (stripped := raw.strip())
    ]


def is_url(text: str) -> bool:
    return bool(_URL.match(text))


def cjk_share(text: str) -> float:
    """Share of CJK ideographs among the non-space characters."""
    visible = len("".join(text.split()))  # str.split() splits on exactly str.isspace()
    if not visible:
        return 0.0
    return len(_CJK_IDEOGRAPH.findall(text)) / visible


def is_chinese(text: str) -> bool:
    """Chinese text, even with many English terms in it (English text has no ideographs)."""
    return cjk_share(text) >= 0.1


def split_glued_title(text: str) -> tuple[str | None, str | None]:
    """'Peer Supporters.同伴支持者。' -> ('Peer Supporters.', '同伴支持者。').

    Suppr glues the Chinese translation to an English title; the split falls after the last
    sentence mark that is glued to the next character, else before the first CJK character.
    A short Latin lead-in ('COVID-19 期间...') belongs to the Chinese title.
    """
    text = text.strip()
    first = _CJK_IDEOGRAPH.search(text)
    if not first:
        return text or None, None
    english = text[: first.start()]
    glued = [m.end() for m in re.finditer(r"[.?!\]](?=\S)", english)]
    cut = glued[-1] if glued else first.start()
    head = text[:cut].strip()
    if len(head.split()) < 3 and not re.search(r"[.?!]$", head):
        return None, text
    return head, text[cut:].strip() or None


def _is_english_label(text: str) -> bool:
    if category_of(text):
        return True
    words = text.rstrip(":").split()
    return (
        text.rstrip(":") == text.rstrip(":").upper()
        and any(c.isalpha() for c in text)
        and 1 <= len(words) <= 6
        and len(text) <= 60
        and not text.endswith(".")
    )


def _is_chinese_label(text: str) -> bool:
    if category_of(text):
        return True
    bare = text.rstrip(":：")
    return (
        2 <= len(bare) <= 10 and cjk_share(bare) == 1.0 and not _SENTENCE_PUNCTUATION.search(bare)
    )


def parse_sections(lines: list[Line], lang: str) -> list[Section]:
    """Paragraph lines -> sections: a label line starts a labelled section, its paragraphs
    join with newlines; paragraphs before any label are unlabeled sections of their own."""
    is_label = _is_english_label if lang == "en" else _is_chinese_label
    inline = _EN_INLINE_LABEL if lang == "en" else _ZH_INLINE_LABEL
    sections: list[Section] = []
    current: Section | None = None
    for index, line in enumerate(lines):
        text = line.text
        has_next = index + 1 < len(lines)
        if has_next and len(text) < len(lines[index + 1].text) and is_label(text):
            label = text.rstrip(":：").strip()
            current = Section(text="", label=label, category=category_of(label))
            sections.append(current)
            continue
        match = inline.match(text)
        if match and (category_of(match["label"]) or (lang == "en" and is_label(match["label"]))):
            label = match["label"].strip()
            current = Section(text=match["text"].strip(), label=label, category=category_of(label))
            sections.append(current)
            continue
        if current is not None and current.label and not current.text:
            current.text = text
        elif current is not None and current.label:
            current.text += "\n" + text
        else:
            current = None
            sections.append(Section(text=text))
    return [s for s in sections if s.text]
