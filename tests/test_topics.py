"""A topic is one entry of the topics file: one added there alone is harvested, assigned on
import, labelled on the pages and drawn in the chart; the file's mistakes are one line."""

from __future__ import annotations

import dataclasses
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from litbalint.errors import LitbalintError
from litbalint.resources import TOPICS, packaged_text
from litbalint.topics import _hints, configured_topics, load_topics, topics_for_text
from tests.conftest import get, project_metadata, register_publish_plugin, run
from tests.support.fake_eutils import FakeEutils, FakeRecord
from tests.test_store import pubmed_xml

MINDFULNESS = """
  mindfulness:
    label: {en: Mindfulness, zh: 正念}
    colour: "#117733"
    query: mindfulness[tiab]
    rule:
      match: ['\\bmindfulness\\b', 正念]
      except: ['\\bmindfulness app']
"""


def topics_file(tmp_path: Path) -> Path:
    """The bundled topics with one more, added in the file only."""
    path = tmp_path / "topics.yml"
    path.write_text(packaged_text(TOPICS).rstrip("\n") + "\n" + MINDFULNESS, encoding="utf-8")
    return path


def topics_of(db: Path) -> set[tuple[int, str, str]]:
    with closing(sqlite3.connect(db)) as conn:
        return set(
            conn.execute(
                "SELECT a.pmid, t.topic, t.source FROM article_topics t "
                "JOIN articles a ON a.id = t.article_id"
            ).fetchall()
        )


def test_a_topic_added_to_the_file_alone_works_end_to_end(
    tmp_path: Path,
    fast_cli: list,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, db = topics_file(tmp_path), tmp_path / "corpus.db"
    world = [
        FakeRecord(
            40000001, "Mindfulness training for residents", "We taught it.", crdt="2025/03/01"
        ),
        FakeRecord(40000002, "Balint groups for nurses", "Balint groups help.", crdt="2025/03/02"),
    ]
    # harvested: its query is searched, the record found carries it
    with FakeEutils(world, rate_limit=None) as fake:
        args = ("--db", db, "--topics", path, "--eutils-url", fake.url, "--today", "2025-04-01")
        assert run("harvest", "-q", *args).exit_code == 0
        assert "mindfulness[tiab]" in {r.params.get("term") for r in fake.calls("esearch")}
    assert {(40000001, "mindfulness", "harvest"), (40000002, "balint", "harvest")} <= topics_of(db)
    assert not {t for t in topics_of(db) if t[0] == 40000002 and t[1] == "mindfulness"}

    # assigned on import by its rule (in English and in Chinese); its `except` holds
    files = {
        50000001: "Mindfulness for doctors",
        50000002: "正念减压训练",
        50000003: "A mindfulness app for nurses",
    }
    for pmid, title in files.items():
        (tmp_path / f"{pmid}.xml").write_bytes(pubmed_xml(pmid, None, title))
    xml = [tmp_path / f"{pmid}.xml" for pmid in files]
    assert run("import", *xml, "--db", db, "--topics", path, "-q").exit_code == 0
    rule = {(p, t) for p, t, source in topics_of(db) if source == "rule"}
    assert {(50000001, "mindfulness"), (50000002, "mindfulness")} <= rule
    assert (50000003, "mindfulness") not in rule
    # the same files with the shipped topics file: nobody knows the topic there
    plain = tmp_path / "plain.db"
    assert run("import", *xml, "--db", plain, "-q").exit_code == 0
    assert not {t for t in topics_of(plain) if t[1] == "mindfulness"}

    # labelled on the pages and drawn in the chart, by the site that reads the file
    monkeypatch.setenv("LITBALINT_TOPICS", str(path))
    register_publish_plugin()
    from datasette.app import Datasette

    site = Datasette([str(db)], immutables=[], metadata=project_metadata())
    home = get(site, "/corpus?lang=zh").text
    assert "正念" in home and 'fill="#117733"' in home  # the chip and the chart's series
    assert "Mindfulness" in get(site, "/corpus?lang=en").text
    with closing(sqlite3.connect(db)) as conn:
        (article_id,) = conn.execute("SELECT id FROM articles WHERE pmid = 50000002").fetchone()
    article = get(site, f"/corpus/articles/{article_id}?lang=en").text
    assert ">Mindfulness</a>" in article  # its topic chip, in the reader's language
    search = get(site, "/-/search?q=doctors&lang=en").text
    assert '<option value="mindfulness"' in search  # the topic filter offers it
    assert '<span class="lb-badge">Mindfulness</span>' in search  # a result's topic


def test_the_shipped_rules_tell_balint_groups_from_balint_syndrome() -> None:
    topics = configured_topics()
    assert [t.name for t in topics] == ["balint", "peer_support"]
    assert topics_for_text(topics, "Balint groups for residents") == ["balint"]
    assert topics_for_text(topics, "Bálint syndrome after stroke") == []
    assert topics_for_text(topics, "Balint-Holmes syndrome") == []
    assert topics_for_text(topics, "巴林特综合征") == []
    assert topics_for_text(topics, "Balint's syndrome, and then Balint groups") == ["balint"]
    assert topics_for_text(topics, "巴林特小组与同伴支持") == ["balint", "peer_support"]
    assert topics_for_text(topics, "peer-to-peer supporters") == ["peer_support"]
    assert topics_for_text(topics, "peers supported each other") == []


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  Bad Name:\n    query: x\n", "topic 'Bad Name': a name is lower-case"),
        ("  extra:\n    label: {en: X}\n", "topic 'extra': has no 'query'"),
        ("  extra:\n    query: x\n    colour: red\n", "colour 'red' is not a #RRGGBB colour"),
        ("  extra:\n    query: x\n    rule: {except: [a]}\n", "a rule needs 'match:'"),
        ("  extra:\n    query: x\n    rule: {match: ['(']}\n", "rule pattern '(' is not a regular"),
    ],
)
def test_a_mistake_in_the_topics_file_is_one_line(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "topics.yml"
    path.write_text("topics:\n  balint:\n    query: balint\n" + entry, encoding="utf-8")
    with pytest.raises(LitbalintError, match="topics.yml: ") as raised:
        load_topics(path)
    assert message in str(raised.value) and "\n" not in str(raised.value)
    result = run("import", path, "--db", tmp_path / "x.db", "--topics", path)
    assert result.exit_code == 2 and message in result.output


def test_colours_default_to_the_palette_by_place(tmp_path: Path) -> None:
    path = tmp_path / "topics.yml"
    path.write_text("topics:\n  a:\n    query: a\n  b:\n    query: b\n", encoding="utf-8")
    assert [(t.colour, t.label_en, t.rule) for t in load_topics(path)] == [
        ("#0072B2", "a", None),
        ("#E69F00", "b", None),
    ]


def test_a_rules_hints_only_skip_texts_it_cannot_match() -> None:
    """The substring test before the regex: words every match contains, else none at all."""
    assert _hints(r"\bb[aá]lint\b|巴林特") == (("lint",), ("巴林特",))
    assert _hints(r"(?:ab|cd)") == (("ab",), ("cd",))
    assert _hints(r"\bpeer[\s-]+(?:to[\s-]+peer[\s-]+)?support(?:s|ed)?\b") == (
        ("peer", "support"),  # both words are in every match
    )
    assert _hints(r"(?:ab|cd)e?") is None  # a choice inside a sequence: not looked into
    assert _hints(r"x(yz)w") is None  # no run of two plain characters
    assert _hints(r"a|bc") is None  # one alternative has none: every text is searched
    texts = [
        "BALINT GROUPS",
        "Bálint-Holmes",
        "A BÁLINT group",
        "PEER-TO-PEER SUPPORTERS",
        "peer\nsupport",
        "同侪支持",
        "support for peers",
        "lint",
        "",
    ]
    for topic in configured_topics():
        assert topic.rule is not None and topic.rule.hints
        unhinted = dataclasses.replace(topic.rule, hints=None)
        for text in texts:
            assert topic.rule.matches(text) == unhinted.matches(text), (topic.name, text)
