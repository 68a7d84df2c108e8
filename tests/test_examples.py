"""The example searches (publish/examples.py) on the bundled corpus, and the places that show
them: README's list and the site's description."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from datasette.app import Datasette

from litbalint.publish.examples import EXAMPLES
from tests import conftest

VIRTUAL_BALINT = "10.1177/00912174221122862"  # 000: family medicine residents, 住院医师
GP_TRAINEES = "10.1080/14739879.2020.1764397"  # 001: GP trainees, burnout, 职业枯竭
STUDENTS = "10.1186/s12909-022-03508-2"  # 002: medical students in psychiatry
PEER_DOCTORS = "10.1186/s12913-023-09312-y"  # 003: peer support for doctors
PEER_PRIMARY = "10.1186/s12875-024-02548-5"  # 004: peer support worker in primary care
README_BLOCK = re.compile(r"<!-- examples: [^>]*-->\n(.*?)\n *<!-- /examples -->", re.S)


@pytest.fixture
def datasette(seeds_datasette: Datasette) -> Datasette:
    return seeds_datasette


def found(datasette: Datasette, query: str) -> dict:
    path = "/-/search.json?" + urllib.parse.urlencode({"q": query})
    response = conftest.get(datasette, path)
    assert response.status_code == 200, response.text
    return response.json()


def dois(datasette: Datasette, query: str) -> set[str]:
    return {result["doi"] for result in found(datasette, query)["results"]}


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.query for e in EXAMPLES])
def test_every_example_finds_something(datasette, example):
    assert found(datasette, example.query)["total"] >= 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("巴林特小组", {VIRTUAL_BALINT, GP_TRAINEES, STUDENTS}),
        # 001 says 职业枯竭 (burnout rate) only; before the synonyms 职业倦怠 found nothing
        ("职业倦怠", {GP_TRAINEES}),
        ("职业枯竭", {GP_TRAINEES}),
        ("倦怠", {GP_TRAINEES}),
        ("住院医师", {VIRTUAL_BALINT}),
        ("住院医生", {VIRTUAL_BALINT}),  # 000 says 住院医师 only
        ("burnout", {GP_TRAINEES}),
        ("burn-out", {GP_TRAINEES}),
        ("全科医生职业倦怠", {GP_TRAINEES}),
        ("住院医师职业倦怠", set()),  # 000 has residents, 001 burnout: no seed has both
        ("同伴支持", {PEER_DOCTORS, PEER_PRIMARY}),
        ("GPs", {GP_TRAINEES}),
        ("wellbeing", {VIRTUAL_BALINT, PEER_DOCTORS}),  # 003 says well-being
        ("healthcare", {PEER_DOCTORS, PEER_PRIMARY}),  # 003 says health care
        ('"Balint group"', {VIRTUAL_BALINT, STUDENTS}),  # 001 never says group
    ],
)
def test_the_right_seeds(datasette, query, expected):
    assert dois(datasette, query) == expected


def test_the_right_seed_by_title(datasette):
    (result,) = found(datasette, "住院医师")["results"]
    assert result["title_en"].startswith("Virtual Balint Groups During COVID-19")
    assert result["title_zh"].startswith("新冠疫情期间的虚拟巴林特小组")


def test_the_table_search_has_the_variants_too(datasette):
    path = "/litbalint/articles.json?" + urllib.parse.urlencode(
        {"_search": "职业倦怠", "_shape": "array", "_col": "doi"}
    )
    assert {row["doi"] for row in conftest.get(datasette, path).json()} == {GP_TRAINEES}


def test_a_quoted_chinese_phrase_of_several_words_is_found(datasette):
    # 004 says 半结构化访谈进行了主题分析: a phrase across dictionary words, which hold sub-words
    assert dois(datasette, '"半结构化访谈进行了主题分析"') == {PEER_PRIMARY}


def test_readme_lists_exactly_the_examples():
    readme = (conftest.ROOT / "README.md").read_text(encoding="utf-8")
    block = README_BLOCK.search(readme)
    assert block, "README.md lost its <!-- examples --> block"
    expected = [f"  - `{example.query}`: {example.shows}" for example in EXAMPLES]
    assert block.group(1).splitlines() == expected


def test_the_site_description_shows_only_examples():
    description = conftest.project_metadata()["description_html"]
    shown = re.findall(r"<code>(.*?)</code>", description)
    assert len(shown) >= 5
    assert set(shown) <= {example.query for example in EXAMPLES}
