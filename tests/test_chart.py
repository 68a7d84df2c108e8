"""The chart of publications per year by topic on the database page (litbalint/publish/chart.py)."""

from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET

import pytest
from datasette.app import Datasette

from litbalint.publish.chart import TEXT, svg_chart

SVG = "{http://www.w3.org/2000/svg}"
TOPICS = ["balint", "peer_support"]

TITLE, EMPTY = TEXT.text("title", "en"), TEXT.text("empty", "en")


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg"
    return root


def bars(root: ET.Element) -> dict[str, str]:
    """Tooltip → fill of every bar (the rects that carry a <title>)."""
    return {
        rect.find(f"{SVG}title").text: rect.get("fill")
        for rect in root.iter(f"{SVG}rect")
        if rect.find(f"{SVG}title") is not None
    }


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def test_one_bar_per_non_zero_year_and_topic():
    counts = {2020: {"balint": 2}, 2023: {"balint": 1, "peer_support": 3, "other": 0}}
    root = parse(svg_chart(counts, TOPICS, "en"))
    assert set(bars(root)) == {
        "2020 · Balint groups: 2",
        "2023 · Balint groups: 1",
        "2023 · Peer support: 3",
    }
    labels = texts(root)
    assert {"2020", "2021", "2022", "2023"} <= set(labels)  # years without articles too
    assert TITLE in labels
    assert {"Balint groups", "Peer support"} <= set(labels)  # legend
    assert root.get("role") == "img" and TITLE in root.get("aria-label")
    assert root.get("viewBox", "").startswith("0 0 ")
    colours = bars(root)
    assert colours["2023 · Balint groups: 1"] == colours["2020 · Balint groups: 2"]
    assert colours["2023 · Balint groups: 1"] != colours["2023 · Peer support: 3"]


def test_stacked_bars_reach_the_year_total_and_ticks_are_round():
    counts = {2022: {"balint": 3, "peer_support": 4}}
    root = parse(svg_chart(counts, TOPICS, "en"))
    rects = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    heights = sorted(float(r.get("height")) for r in rects)
    assert heights[1] / heights[0] == pytest.approx(4 / 3, rel=0.02)
    assert texts(root.find(f"{SVG}g[@class='lb-chart-y']")) == ["0", "2", "4", "6", "8"]


def test_unknown_topics_are_named_and_escaped():
    counts = {2021: {"<script>": 1, "other": 2, "balint": 1}}
    svg = svg_chart(counts, TOPICS, "en")
    assert "<script" not in svg and "&lt;script&gt;" in svg
    root = parse(svg)
    assert "2021 · <script>: 1" in bars(root)
    assert "2021 · Other: 2" in bars(root)
    legend = texts(root.find(f"{SVG}g[@class='lb-chart-legend']"))
    assert legend == ["Balint groups", "Peer support", "<script>", "Other"]


@pytest.mark.parametrize("counts", [{}, {2020: {}}, {2020: {"balint": 0}}])
def test_empty_input_says_so(counts):
    root = parse(svg_chart(counts, TOPICS, "en"))
    assert EMPTY in texts(root)
    assert not bars(root)


def test_many_years_and_large_counts_stay_readable():
    counts = {year: {"balint": 40_000 + year, "peer_support": 7} for year in range(1945, 2025)}
    root = parse(svg_chart(counts, TOPICS, "en"))
    assert len(bars(root)) == 160
    x_labels = texts(root.find(f"{SVG}g[@class='lb-chart-x']"))
    assert 5 <= len(x_labels) <= 17 and all(int(year) % 5 == 0 for year in x_labels)
    ticks = texts(root.find(f"{SVG}g[@class='lb-chart-y']"))
    assert 3 <= len(ticks) <= 7 and ticks[-1] == "50,000"
    width = float(root.get("viewBox").split()[2])
    assert all(0 <= float(r.get("x")) <= width for r in root.iter(f"{SVG}rect"))
    single = parse(svg_chart({2024: {"balint": 1}}, TOPICS))
    assert texts(single.find(f"{SVG}g[@class='lb-chart-x']")) == ["2024"]


@pytest.fixture
def datasette(seeds_datasette: Datasette) -> Datasette:
    return seeds_datasette


def test_database_page_shows_the_chart_and_numbers(datasette):
    response = asyncio.run(datasette.client.get("/litbalint"))
    assert response.status_code == 200
    html = response.text
    overview = html[html.index('<figure class="lb-chart"') :]
    overview = overview[: overview.index("</figure>")]
    assert "<svg" in overview and "<script" not in overview  # the chart needs no JavaScript
    # the only scripts on the page are Datasette's own SQL editor, served locally
    scripts = re.findall(r"<script[^>]*>", html)
    assert all('src="http' not in tag and "//" not in tag for tag in scripts), scripts
    chart = overview[overview.index('<svg xmlns="http://www.w3.org/2000/svg"') :]
    root = parse(chart[: chart.index("</svg>") + len("</svg>")])
    years = {tip.split(" · ")[0] for tip in bars(root)}
    assert years == {"2020", "2022", "2023", "2024"}
    assert "2021" in texts(root)  # on the axis, without a bar
    total = sum(int(tip.rsplit(": ", 1)[1]) for tip in bars(root))
    assert total == 5  # the five seed articles, one topic each
    assert "巴林特小组" in html and "同伴支持" in html  # Chinese without Accept-Language
    numbers = re.findall(r"<strong>([\d,]+)</strong>", html)
    assert numbers[:2] == ["5", "5"]  # corpus articles, with Chinese
    assert "litbalint.css" in html
    assert html.index("lb-chart-svg") < html.index('id="tables"')  # above the table list


def test_custom_sql_and_json_have_no_chart(datasette):
    response = asyncio.run(datasette.client.get("/litbalint?sql=select+1"))
    assert response.status_code == 200 and "lb-chart-svg" not in response.text
    assert asyncio.run(datasette.client.get("/litbalint.json")).status_code == 200


def test_counts_are_kept_until_another_connection_commits(tmp_path):
    import sqlite3

    from litbalint.publish.home import read_overview
    from tests.conftest import seeded_database

    db = seeded_database(tmp_path)
    reader = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    first = read_overview(reader)
    assert first is not None and first.articles == 5
    assert read_overview(reader) is first  # nothing committed since: not counted again
    with sqlite3.connect(db) as writer:
        writer.execute("UPDATE articles SET deleted = 1 WHERE id = (SELECT min(id) FROM articles)")
    again = read_overview(reader)
    assert again is not first and again is not None and again.articles == 4
    reader.close()
