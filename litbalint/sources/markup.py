"""Inline markup in PubMed titles and abstracts (i, b, u, sup, sub, MathML) -> text and HTML.

The plain text keeps the meaning ("CO2", "10^-3", "V̇O2max"); the HTML keeps the markup a
browser can show and nothing else: i/b/u/sup/sub and MathML elements from a fixed list, with
every text and attribute value escaped.
"""

from __future__ import annotations

import html
import re
from xml.etree.ElementTree import Element

from litbalint.errors import BadRecord

# How deep markup may nest inside a title or abstract. Real PubMed MathML is under 20 levels;
# the renderer recurses (about three Python frames a level), so this keeps it well within
# Python's recursion limit: deeper markup makes its record unreadable, not the file.
MAX_MARKUP_DEPTH = 100

MATHML_NS = "http://www.w3.org/1998/Math/MathML"

_INLINE_TAGS = frozenset({"i", "b", "u", "sup", "sub"})
_MATH_TAGS = frozenset(
    {"math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "msub", "msup", "msubsup"}
    | {"munder", "mover", "munderover", "mfrac", "msqrt", "mroot", "mstyle", "merror", "mpadded"}
    | {"mphantom", "mfenced", "menclose", "mmultiscripts", "mprescripts", "none", "semantics"}
    | {"mtable", "mtr", "mtd", "mlabeledtr"}
)
_MATH_TOKENS = frozenset({"mi", "mn", "mo", "ms", "mtext"})  # their text counts, even a space
_MATH_DROPPED = frozenset({"annotation", "annotation-xml"})  # alternative encodings, never shown
# accent characters of <mover> -> the combining mark that puts them on the base
_ACCENTS = {
    ".": "\u0307",
    "˙": "\u0307",
    "..": "\u0308",
    "¨": "\u0308",
    "¯": "\u0304",
    "‾": "\u0305",
    "^": "\u0302",
    "ˆ": "\u0302",
    "~": "\u0303",
    "˜": "\u0303",
    "→": "\u20d7",
}
_UNDERLINED = {"<": "≤", ">": "≥"}  # PubMed prints ≤ and ≥ as an underlined < and >
_ATTR_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_UNSAFE_ATTRS = frozenset({"href", "src", "style", "class", "id"})


def _escape(value: str) -> str:
    """html.escape, without its five passes over text that has nothing to escape."""
    if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
        return html.escape(value)
    return value


class _Out:
    """Plain and HTML pieces of a rendering, appended side by side."""

    def __init__(self) -> None:
        self.plain: list[str] = []
        self.html: list[str] = []

    def text(self, value: str | None, in_math: bool) -> None:
        if not value or (in_math and not value.strip()):
            return
        self.plain.append(value)
        self.html.append(_escape(value))

    def last_char(self) -> str:
        for piece in reversed(self.plain):
            if piece:
                return piece[-1]
        return ""

    def plain_text(self) -> str:
        return "".join(self.plain)


def _split(tag: object) -> tuple[str | None, str]:
    """'{ns}name' -> (ns, name); comments and processing instructions -> (None, '')."""
    if not isinstance(tag, str):
        return None, ""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return None, tag


def _attrs(elem: Element) -> str:
    """Attributes safe to keep on a MathML element, escaped."""
    parts = []
    for key, value in elem.attrib.items():
        if not _ATTR_NAME.match(key) or key.startswith("on") or key in _UNSAFE_ATTRS:
            continue
        parts.append(f' {key}="{html.escape(value)}"')
    return "".join(parts)


def _content(elem: Element, out: _Out, in_math: bool) -> None:
    """The element's text and children (with their tails), not its own tag."""
    out.text(elem.text, in_math)
    for child in elem:
        _element(child, out, in_math)
        out.text(child.tail, in_math)


def _element(elem: Element, out: _Out, in_math: bool) -> None:
    namespace, name = _split(elem.tag)
    if not name:
        return
    if in_math or (name == "math" and namespace in (MATHML_NS, None)):
        _math(elem, out, namespace, name)
    elif namespace is None and name in _INLINE_TAGS:
        if name == "sup" and (out.last_char().isdigit() or out.last_char() == ")"):
            out.plain.append("^")
        out.html.append(f"<{name}>")
        inner = _Out()
        _content(elem, inner, False)
        underlined = _UNDERLINED.get(inner.plain_text()) if name == "u" else None
        out.plain.append(underlined or inner.plain_text())
        out.html.extend(inner.html)
        out.html.append(f"</{name}>")
    else:
        _content(elem, out, False)


def _part(elem: Element) -> _Out:
    """One MathML child rendered on its own (with its tail), to be reordered in plain text."""
    out = _Out()
    _element(elem, out, True)
    out.text(elem.tail, True)
    return out


def _math_plain(name: str, elem: Element, parts: list[_Out]) -> str | None:
    """Plain text of the MathML layouts whose children do not simply concatenate."""
    texts = [p.plain_text() for p in parts]
    if name == "mover" and len(texts) == 2 and texts[1].strip() in _ACCENTS:
        return texts[0] + _ACCENTS[texts[1].strip()]
    if name in ("msup", "msubsup") and len(texts) >= 2:
        base = "".join(texts[:-1])
        caret = "^" if base.rstrip()[-1:].isdigit() or base.rstrip().endswith(")") else ""
        return base + caret + texts[-1]
    if name == "mfrac" and len(texts) == 2:
        return f"{texts[0]}/{texts[1]}"
    if name == "mmultiscripts":
        tags = [_split(child.tag)[1] for child in elem]
        if "mprescripts" in tags:
            cut = tags.index("mprescripts")
            return "".join(texts[cut + 1 :] + texts[:1] + texts[1:cut])
    return None


def _math(elem: Element, out: _Out, namespace: str | None, name: str) -> None:
    if name in _MATH_DROPPED:
        return
    known = name in _MATH_TAGS and namespace in (MATHML_NS, None)
    if known:
        out.html.append(f"<{name}{_attrs(elem)}>")
    out.text(elem.text, name not in _MATH_TOKENS)
    parts = [_part(child) for child in elem]
    plain = _math_plain(name, elem, parts) if known else None
    for part in parts:
        out.html.extend(part.html)
    out.plain.append(plain if plain is not None else "".join(p.plain_text() for p in parts))
    if known:
        out.html.append(f"</{name}>")


def collapse(text: str) -> str:
    """Runs of whitespace -> one space, stripped (str.split's whitespace is regex \\s)."""
    if len(text) > 40 and text.isascii():  # a long text is mostly already collapsed: check
        if (
            "  " not in text
            and text[0] != " "
            and text[-1] != " "
            # ASCII whitespace but " " (each test a memchr: far faster than isprintable)
            and "\n" not in text
            and "\t" not in text
            and "\r" not in text
            and "\x0b" not in text
            and "\x0c" not in text
            and "\x1c" not in text
            and "\x1d" not in text
            and "\x1e" not in text
            and "\x1f" not in text
        ):
            return text
    elif text.isprintable() and "  " not in text and text.strip(" ") == text:
        return text  # no whitespace but single spaces inside (isprintable: " " is the only one)
    return " ".join(text.split())


def _simple(elem: Element) -> tuple[list[str], list[str]] | None:
    """Plain and HTML pieces of content whose children are all i/b/u/sup/sub holding text only
    (most markup), as _content renders them; None for anything else."""
    plain: list[str] = []
    markup: list[str] = []
    last = ""  # the last character of the plain text so far
    text = elem.text
    if text:
        plain.append(text)
        markup.append(_escape(text))
        last = text[-1]
    for child in elem:
        name = child.tag
        if name not in _INLINE_TAGS or len(child):
            return None
        inner = child.text or ""
        if name == "sup" and (last.isdigit() or last == ")"):
            plain.append("^")
            last = "^"
        shown = (_UNDERLINED.get(inner) if name == "u" else None) or inner
        if shown:
            plain.append(shown)
            last = shown[-1]
        markup.append(f"<{name}>{_escape(inner)}</{name}>")
        tail = child.tail
        if tail:
            plain.append(tail)
            markup.append(_escape(tail))
            last = tail[-1]
    return plain, markup


def _deeper_than(elem: Element, limit: int) -> bool:
    """True when elements nest more than `limit` levels below `elem` (without recursion)."""
    level = [elem]
    for _ in range(limit):
        level = [child for parent in level for child in parent]
        if not level:
            return False
    return any(len(parent) for parent in level)


def render_inline(elem: Element | None) -> tuple[str, str | None]:
    """Plain text and safe HTML of an element's content; HTML is None when there is no markup."""
    if elem is None:
        return "", None
    if not len(elem):  # no markup inside (most titles and abstracts)
        return collapse(elem.text or ""), None
    pieces = _simple(elem)
    if pieces is None:
        if _deeper_than(elem, MAX_MARKUP_DEPTH):
            raise BadRecord(
                f"markup in <{elem.tag}> nested more than {MAX_MARKUP_DEPTH} elements deep"
            )
        out = _Out()
        _content(elem, out, False)
        pieces = out.plain, out.html
    plain = collapse("".join(pieces[0]))
    markup = collapse("".join(pieces[1]))
    return plain, (None if markup == _escape(plain) else markup)
