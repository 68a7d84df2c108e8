"""The aligned corpus as files: TMX 1.4 for translation-memory tools, TSV for scripts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from xml.sax.saxutils import escape, quoteattr

from litbalint import __version__
from litbalint.model import SentencePair


def tmx(pairs: Iterable[SentencePair]) -> Iterator[str]:
    """TMX 1.4b: one <tu> per pair, English source, zh-CN target, provenance as <prop>s."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield '<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx version="1.4">\n'
    yield (
        f'  <header creationtool="litbalint" creationtoolversion="{__version__}" '
        'datatype="plaintext" segtype="sentence" adminlang="en" srclang="en" '
        f'o-tmf="litbalint" creationdate="{stamp}"/>\n  <body>\n'
    )
    for pair in pairs:
        props = [
            ("x-article-id", str(pair.article_id)),
            ("x-bead", pair.bead_type),
            ("x-score", f"{pair.score:.3f}"),
        ]
        if pair.pmid:
            props.append(("x-pmid", str(pair.pmid)))
        if pair.doi:
            props.append(("x-doi", pair.doi))
        if pair.section:
            props.append(("x-section", pair.section))
        yield "    <tu>\n"
        for name, value in props:
            yield f"      <prop type={quoteattr(name)}>{escape(value)}</prop>\n"
        yield f'      <tuv xml:lang="en"><seg>{escape(pair.en)}</seg></tuv>\n'
        yield f'      <tuv xml:lang="zh-CN"><seg>{escape(pair.zh)}</seg></tuv>\n'
        yield "    </tu>\n"
    yield "  </body>\n</tmx>\n"


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")


TSV_COLUMNS = ("en", "zh", "score", "bead_type", "pmid", "doi", "section", "article_id")


def tsv(pairs: Iterable[SentencePair]) -> Iterator[str]:
    """Tab-separated, header first; tabs, newlines and backslashes in text are escaped."""
    yield "\t".join(TSV_COLUMNS) + "\n"
    for pair in pairs:
        yield "\t".join(_cell(getattr(pair, c)) for c in TSV_COLUMNS) + "\n"
