"""The chart on the landing page of every corpus (`/` and `/<database>`): publications per year
by topic.

`svg_chart` is a pure function that draws a stacked bar chart as inline SVG (no JavaScript, no
external fonts or scripts: the instance works offline), in the reader's language; home.py reads
the counts (`CHART_SQL`) and puts it on the page.

What is counted: corpus articles (`is_stub = 0`, not deleted) with a known year, once per topic
in `articles.topics` (an article with two topics adds to both bars); corpus articles without any
topic are counted under "other" (Other 其他), so a year's stack is never lower than its number of
articles. Articles without a year are left out of the chart (but not of the headline numbers).

Escaping: every text in the SVG (topic names come from the data) goes through `html.escape`,
and numbers are formatted by us; so the SVG string is safe to mark as `Markup`.
"""

from __future__ import annotations

import math
import unicodedata
from html import escape

from litbalint.publish import i18n
from litbalint.topics import PALETTE, configured_topics

TEXT = i18n.Messages(
    {
        "title": ("Publications per year by topic", "各主题逐年文献数"),
        "empty": ("No articles yet", "暂无文献"),
        "other": ("Other", "其他"),
        "axis": ("Articles", "文献数"),
    }
)
OTHER = "other"  # corpus articles with no topic
OTHER_COLOUR = "#9AA3AB"  # grey; the topics' colours are in the topics file
FONT = (
    "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Arial, 'PingFang SC', "
    "'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"
)

WIDTH = 800
LEFT, RIGHT = 64, 16  # room for tick labels up to "100,000"
PLOT_TOP, PLOT_HEIGHT = 58, 220
LEGEND_ROW = 20
MAX_LEGEND_CHARS = 40


def topic_label(topic: str, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    return TEXT.text("other", lang) if topic == OTHER else i18n.topic_label(topic, lang)


def svg_chart(
    counts: dict[int, dict[str, int]], topics: list[str], lang: str = i18n.DEFAULT_LANGUAGE
) -> str:
    """A stacked bar chart of counts (year → topic → number of articles) as an SVG string.

    Bars are stacked in the order of `topics`, which also gives the legend and the colours;
    topics present in `counts` but not in `topics` follow, sorted ("other" last). Every year
    between the first and the last is on the axis (a year without articles has no bar); year
    labels are thinned to round years when there are many. Empty counts give a one-line
    "No articles yet" SVG. Texts and topic names in `lang` (zh or en).
    """
    counts = {
        int(year): {t: int(n) for t, n in by_topic.items() if n and n > 0}
        for year, by_topic in counts.items()
    }
    counts = {year: by_topic for year, by_topic in counts.items() if by_topic}
    if not counts:
        return _empty_svg(lang)
    order = list(dict.fromkeys(topics))
    extra = {t for by_topic in counts.values() for t in by_topic} - set(order)
    order += sorted(extra, key=lambda t: (t == OTHER, t))  # "other" last
    colours = _colours(order)
    first, last = min(counts), max(counts)
    years = list(range(first, last + 1))
    totals = [sum(counts.get(year, {}).values()) for year in years]
    ticks = _ticks(max(totals))
    top = ticks[-1]

    plot_width = WIDTH - LEFT - RIGHT
    bottom = PLOT_TOP + PLOT_HEIGHT
    band = plot_width / len(years)
    bar = min(band * 0.72, 56)

    def y(value: float) -> float:
        return bottom - value / top * PLOT_HEIGHT

    legend, legend_rows = _legend(order, colours, bottom + 40, lang)
    height = bottom + 40 + legend_rows * LEGEND_ROW + 6
    span = f"{first}" if first == last else f"{first}–{last}"
    by_topic = [(t, sum(c.get(t, 0) for c in counts.values())) for t in order]
    summary = "; ".join(f"{topic_label(t, lang)}: {n:,}" for t, n in by_topic if n)
    title = TEXT.text("title", lang)
    aria = f"{title}, {span}. {summary}."
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lb-chart-svg" role="img" '
        f'aria-label="{escape(aria)}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" font-family="{escape(FONT)}" font-size="12" fill="#24292f">',
        f'<text x="{LEFT}" y="24" font-size="16" font-weight="600">{escape(title)}</text>',
        f'<text x="{LEFT}" y="{PLOT_TOP - 12}" font-size="11" fill="#5f6b76">'
        f"{escape(TEXT.text('axis', lang))}, {escape(span)}</text>",
    ]
    # y axis: grid lines and round ticks
    parts.append('<g class="lb-chart-y" font-size="11" text-anchor="end" fill="#5f6b76">')
    for tick in ticks:
        ty = _n(y(tick))
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty}" y2="{ty}" '
            f'stroke="{"#8c959f" if tick == 0 else "#e3e7eb"}" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{_n(y(tick) + 4)}">{tick:,}</text>'
        )
    parts.append("</g>")
    # bars, stacked in topic order
    parts.append('<g class="lb-chart-bars">')
    for i, year in enumerate(years):
        x = _n(LEFT + i * band + (band - bar) / 2)
        base = 0
        for topic in order:
            n = counts.get(year, {}).get(topic, 0)
            if not n:
                continue
            y_top, y_base = y(base + n), y(base)
            tip = f"{year} · {topic_label(topic, lang)}: {n:,}"
            parts.append(
                f'<rect x="{x}" y="{_n(y_top)}" width="{_n(bar)}" '
                f'height="{_n(max(y_base - y_top, 0.5))}" fill="{colours[topic]}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            base += n
    parts.append("</g>")
    # x axis: every year has a slot; labels on round years when there are many
    step = _label_step(len(years), plot_width)
    parts.append('<g class="lb-chart-x" font-size="11" text-anchor="middle" fill="#5f6b76">')
    for i, year in enumerate(years):
        if year % step and len(years) > 1:
            continue
        cx = _n(LEFT + (i + 0.5) * band)
        parts.append(
            f'<line x1="{cx}" x2="{cx}" y1="{bottom}" y2="{bottom + 4}" stroke="#8c959f"/>'
            f'<text x="{cx}" y="{bottom + 17}">{year}</text>'
        )
    parts.append("</g>")
    parts += legend
    parts.append("</svg>")
    return "".join(parts)


def _empty_svg(lang: str) -> str:
    title, empty = TEXT.text("title", lang), TEXT.text("empty", lang)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lb-chart-svg" role="img" '
        f'aria-label="{escape(title)}: {escape(empty)}" viewBox="0 0 {WIDTH} 60" '
        f'width="{WIDTH}" height="60" font-family="{escape(FONT)}" font-size="14" '
        f'fill="#5f6b76"><text x="{LEFT}" y="36">{escape(empty)}</text></svg>'
    )


def _colours(order: list[str]) -> dict[str, str]:
    """Each topic's colour from the topics file; a topic the file does not know (any more)
    takes the palette's colours in turn; "other" is grey."""
    known = {topic.name: topic.colour for topic in configured_topics()}
    colours: dict[str, str] = {OTHER: OTHER_COLOUR}
    unknown = 0
    for topic in order:
        if topic not in colours:
            colours[topic] = known.get(topic) or PALETTE[unknown % len(PALETTE)]
            unknown += topic not in known
    return colours


def _ticks(maximum: int) -> list[int]:
    """0 and at most six more round integer ticks (1, 2 or 5 × 10^k apart), the last one the
    smallest such value at or above maximum."""
    maximum = max(maximum, 1)
    magnitude = 10 ** max(0, math.floor(math.log10(maximum / 5)))
    step = next(
        s
        for s in (m * magnitude * 10**k for k in range(3) for m in (1, 2, 5))
        if math.ceil(maximum / s) <= 6
    )
    return list(range(0, math.ceil(maximum / step) * step + 1, step))


def _label_step(n_years: int, plot_width: float) -> int:
    """Label every year, or only the multiples of a round step so labels do not collide."""
    fits = max(1, int(plot_width // 44))  # a "2024" label needs about 44 units
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if n_years / step <= fits:
            return step
    return 1000


def _text_width(text: str, size: float) -> float:
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.6 for c in text)


def _legend(
    order: list[str], colours: dict[str, str], top: float, lang: str
) -> tuple[list[str], int]:
    """Legend items (swatch and bilingual label) in rows that wrap at the chart's width."""
    parts = ['<g class="lb-chart-legend" font-size="12">']
    x: float = LEFT
    row = 0
    for topic in order:
        label = topic_label(topic, lang)
        if len(label) > MAX_LEGEND_CHARS:
            label = label[: MAX_LEGEND_CHARS - 1] + "…"
        width = 14 + 6 + _text_width(label, 12) + 18
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, row = LEFT, row + 1
        ly = top + row * LEGEND_ROW
        parts.append(
            f'<rect x="{_n(x)}" y="{_n(ly - 11)}" width="14" height="14" '
            f'fill="{colours[topic]}"/>'
            f'<text x="{_n(x + 20)}" y="{_n(ly)}">{escape(label)}</text>'
        )
        x += width
    parts.append("</g>")
    return parts, row + 1


def _n(value: float) -> str:
    """A coordinate with at most one decimal."""
    return f"{round(value, 1):g}"


CHART_SQL = f"""
select year, coalesce(t.value, '{OTHER}') as topic, count(*) as n
from articles
left join json_each(case when json_valid(articles.topics) then articles.topics else '[]' end) t
where is_stub = 0 and deleted = 0 and year is not null
group by year, topic
"""
