"""The synonym table (bundled/lexicon/synonyms.tsv) and the query expansion in escape_fts."""

from __future__ import annotations

import sqlite3

import datasette.cli
import pytest

from litbalint.errors import LitbalintError
from litbalint.publish.fts_query import MAX_ALTERNATIVES, escape_fts
from litbalint.synonyms import parse_synonyms, synonym_table, term_key
from litbalint.zh import has_cjk, segment_for_index
from tests.conftest import error_line, run

BURNOUT_ZH = '("职业倦怠" OR "职业枯竭" OR "职业 耗竭" OR "倦怠")'
BURNOUT_EN = '("burnout" OR "burn out" OR "burned out" OR "burnt out")'
RESIDENT_ZH = '("住院医师" OR "住院医生")'
GP_EN = '("GP" OR "general practitioner")'
TOKENIZER = "porter unicode61 remove_diacritics 2"  # as in store/schema.py
PEER_ZH = '("同伴支持" OR "同伴 互助" OR "朋辈支持" OR "同辈支持" OR "同侪支持")'


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # both ways: any term of the group gives the whole group
        ("职业倦怠", BURNOUT_ZH),
        ("职业枯竭", BURNOUT_ZH),
        ("倦怠", BURNOUT_ZH),
        ("职业耗竭", BURNOUT_ZH),  # jieba cuts it in two: matched on the words, a phrase
        ("住院医师职业倦怠", f"{RESIDENT_ZH} AND {BURNOUT_ZH}"),
        ("住院医生 职业枯竭", f"{RESIDENT_ZH} AND {BURNOUT_ZH}"),
        ("burnout", BURNOUT_EN),
        ("Burn-out", BURNOUT_EN),
        ("burn out", BURNOUT_EN),
        ("burned out", BURNOUT_EN),
        ("burning out", '"burning" "out"'),  # not a term: as before
        ("general practitioners", GP_EN),  # two words, plural, any case
        ("GPs burnout", f"{GP_EN} AND {BURNOUT_EN}"),
        ("general practice", '"general" "practice"'),  # not a term: unchanged
        ("同伴支持", PEER_ZH),
        ("同伴支持者", '"同伴支持者"'),  # a dictionary word of its own, not a term
        # several words cut as the index cuts them: the sub-words are in the phrase
        ("初级卫生保健", '("初级保健" OR "初级 卫生 保健 卫生保健" OR "基层医疗" OR "初级 医疗")'),
        # the longest term wins
        (
            "primary health care",
            '("primary care" OR "primary health care" OR "primary healthcare")',
        ),
        ("health care workers", '("health care" OR "healthcare") AND "workers"'),
        ("wellbeing", '("wellbeing" OR "well being")'),
        ("Balint 住院医师", f'"Balint" AND {RESIDENT_ZH}'),
        ("巴林特 group", '"巴林特" "group"'),  # nothing to expand: as before
    ],
)
def test_expansion(query, expected):
    assert escape_fts(query) == expected


def test_quoted_phrases_get_no_variants():
    assert escape_fts('"职业倦怠"') == '"职业倦怠"'
    assert escape_fts('"burn-out"') == '"burn out"'
    assert escape_fts('"peer support" 同伴支持') == f'"peer support" AND {PEER_ZH}'
    # a phrase of several Chinese words is cut as the index cuts it (sub-words included)
    assert escape_fts('"住院医师职业倦怠"') == '"住院 医师 住院医师 职业 倦怠 职业倦怠"'


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("burnout OR NOT (倦怠", f'{BURNOUT_EN} AND "OR" AND "NOT" AND {BURNOUT_ZH}'),
        ('NEAR(职业倦怠 "unbalanced', f'"NEAR(" AND {BURNOUT_ZH} AND "unbalanced"'),
        ("burnout - * ^", BURNOUT_EN),  # no letters or digits: left out
        ("* ( )", '""'),
        ('say "hi', '"say" "hi"'),
        ("col:burnout", '"col:burnout"'),  # one word: not a term, not a column filter
    ],
)
def test_fts5_syntax_is_plain_text(query, expected):
    assert escape_fts(query) == expected


HOSTILE = ["burnout OR NOT (倦怠", 'NEAR(职业倦怠 "x', "* ( )", "burnout:", "a AND (", '"""']


@pytest.mark.parametrize("query", HOSTILE + ["GP burnout " * 40])
def test_every_expansion_is_valid_fts5(query):
    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize = 'porter unicode61')")
        conn.execute("INSERT INTO t VALUES ('burnout of GPs')")
        conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", [escape_fts(query)]).fetchone()


def test_the_expansion_is_capped():
    expanded = escape_fts("burnout " * 100)
    assert expanded.count(" OR ") + expanded.count("(") <= MAX_ALTERNATIVES
    assert expanded.count("(") == MAX_ALTERNATIVES // 4  # four variants each, then as typed
    assert expanded.endswith('AND "burnout" AND "burnout"')
    long = escape_fts("职业倦怠住院医师 burnout general practitioner " * 500)
    assert long.count(" OR ") + long.count("(") <= MAX_ALTERNATIVES


def test_every_term_finds_every_variant_in_the_index():
    """Each term of a group, as a query, finds text holding any term of its group, cut for the
    index as the importer cuts it, alone and inside sentences."""
    contexts = {
        True: ["{}", "本研究探讨{}的影响。", "关于{}：一项定性研究", "医学生和{}之间"],
        False: ["{}", "The {} of trainees.", "{}s in the UK"],
    }
    texts = [
        context.format(term)
        for group in synonym_table().groups
        for term in group.terms
        for context in contexts[has_cjk(term)]
    ]
    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize = '" + TOKENIZER + "')")
        conn.executemany("INSERT INTO t VALUES (?)", [(segment_for_index(t),) for t in texts])
        for group in synonym_table().groups:
            wanted = {text for text in texts if any(term in text for term in group.terms)}
            for term in group.terms:
                rows = conn.execute("SELECT rowid FROM t WHERE t MATCH ?", [escape_fts(term)])
                found = {texts[rowid - 1] for (rowid,) in rows}
                assert wanted <= found, (term, escape_fts(term), sorted(wanted - found))


def test_a_dictionary_word_still_finds_the_longer_words_holding_it():
    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(a)")
        conn.execute("INSERT INTO t VALUES (?)", [segment_for_index("医生的职业倦怠问题")])
        conn.execute("INSERT INTO t VALUES (?)", [segment_for_index("学生的学习倦怠")])
        rows = conn.execute("SELECT rowid FROM t WHERE t MATCH ?", [escape_fts("倦怠")])
        assert {rowid for (rowid,) in rows} == {1, 2}


def test_the_bundled_table():
    table = synonym_table()
    assert len(table.groups) >= 30
    for group in table.groups:
        languages = {has_cjk(term) for term in group.terms}
        assert len(languages) == 1, f"line {group.line}: one language a group: {group.terms}"
    assert table.by_key[term_key("职业枯竭")].terms[0] == "职业倦怠"
    assert table.by_key[("gp",)] is table.by_key[("general", "practitioner")]
    assert table.longest == 3  # coronavirus disease 2019, primary health care


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "# a comment\nGP|general practitioner\n\ngp|family doctor",
            "line 4: 'gp' is already in the group of line 2",
        ),
        ("burnout\n", "line 1: a group needs two terms or more"),
        ("burnout||\n", "line 1: a group needs two terms or more"),
        ("burnout|--\n", "line 1: '--' has no letters or digits"),
    ],
)
def test_a_wrong_table_names_its_line(text, message):
    with pytest.raises(LitbalintError, match=message):
        parse_synonyms(text)


def test_serve_refuses_a_wrong_table_in_one_line(tmp_path, monkeypatch):
    import litbalint.synonyms

    def wrong() -> None:
        parse_synonyms("burnout\n")

    started: list[list[str]] = []
    monkeypatch.setattr(litbalint.synonyms, "synonym_table", wrong)  # serve imports it
    monkeypatch.setattr(datasette.cli.cli, "main", lambda args, **_: started.append(args))
    plain = tmp_path / "plain.db"
    with sqlite3.connect(plain) as conn:
        conn.execute("CREATE TABLE t (a)")
    result = run("serve", plain)
    assert result.exit_code == 1 and not started
    assert error_line(result) == "Error: synonyms.tsv line 1: a group needs two terms or more"
