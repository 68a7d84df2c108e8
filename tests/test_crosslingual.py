"""Query translation for cross-lingual search (crosslingual.py, bilingual.py,
publish/crosslingual.py): lookups, FTS5 queries over the other language, caps, the seeds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from litbalint.bilingual import LearnedTable, cedict, english_term_key, glossary
from litbalint.crosslingual import (
    MAX_ALTERNATIVES,
    MAX_PER_TERM,
    MAX_TERMS,
    translate_query,
)
from litbalint.model import LearnedPair
from litbalint.pipeline import relearn_lexicon
from litbalint.publish.crosslingual import DatabaseLearned, translate, translated_ids
from litbalint.resources import GLOSSARY, packaged_text
from litbalint.store import Store
from tests.conftest import seeded_database

EN = "{title_en abstract_en keywords mesh_terms} : "
ZH = "{title_zh abstract_zh keywords} : "
BALINT_EN = '("Balint" OR "Balint group" OR "Balint seminar")'
BALINT_RESIDENCY_DOI = "10.1177/00912174221122862"
TOKENIZER = "porter unicode61 remove_diacritics 2"  # as in store/schema.py


def test_glossary_both_ways() -> None:
    to_english, to_chinese = glossary().to_english, glossary().to_chinese
    assert to_english["巴林特小组"] == ("Balint", "Balint group")  # "Balint" alone too
    assert to_english["住院医师"] == ("resident",)
    assert to_english["同伴支持"] == ("peer support",)
    assert to_english["倦怠"] == ("burnout",)
    assert to_english["医生"] == ("doctor", "physician")  # two English lines give 医生
    # the literature's English, not CC-CEDICT's (fair, impartial; virtual reality)
    assert to_english["公平"] == ("equity", "fairness")
    assert to_english["虚拟"] == ("virtual",)
    assert to_english["质性研究"] == ("qualitative research", "qualitative study")
    assert to_english["挪威"] == ("Norway", "Norwegian")  # a country and its adjective
    assert to_chinese[("balint", "group")] == ("巴林特小组", "巴林特团体", "巴林特组")
    assert to_chinese[english_term_key("Residents")][0] == "住院医师"
    assert to_chinese[english_term_key("peer support")][0] == "同伴支持"
    assert to_chinese[english_term_key("burnout")] == ("倦怠", "职业倦怠", "职业枯竭")


def test_glossary_lines_are_well_formed() -> None:
    """One line per English term (as compared: no case, punctuation or plural s), a tab, then
    distinct Chinese terms."""
    keys = []
    for line in packaged_text(GLOSSARY).splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, chinese = line.split("\t")
        terms = chinese.split("|")
        assert english.strip() == english and all(t.strip() == t != "" for t in terms), line
        assert len(set(terms)) == len(terms), line
        keys.append(english_term_key(english))
    assert len(set(keys)) == len(keys), [k for k in keys if keys.count(k) > 1]


def test_cedict_short_glosses_and_reverse_lookup() -> None:
    dictionary = cedict()
    assert dictionary.to_english["住院医师"] == ("resident physician",)
    assert dictionary.to_english["倦怠"] == ("worn out", "exhausted", "dispirited")
    assert dictionary.to_english["共情"] == ("empathy",)
    # measure words (CL:), 'to be in favor of' (four words), 'to stand by' (ends in 'by') are not
    assert dictionary.to_english["支持"] == ("support", "back", "backing")
    assert dictionary.to_english["医生"] == ("doctor",)
    assert dictionary.chinese(english_term_key("general practitioner")) == ("全科医生",)
    assert dictionary.chinese(("empathy",))[:2] == ("共情", "同理心")
    assert dictionary.chinese(("racism",))[0] == "种族主义"
    assert "巴林特" not in dictionary.to_english


@pytest.mark.parametrize(
    ("query", "fts"),
    [
        ("巴林特小组 住院医师", f'{EN}({BALINT_EN} AND "resident")'),
        ("巴林特小组住院医师", f'{EN}({BALINT_EN} AND "resident")'),  # unsegmented
        ("同伴支持", f'{EN}("peer support")'),
        ("职业倦怠", f'{EN}(("burnout" OR "burn out" OR "burned out" OR "burnt out"))'),
        ("全科医生", f'{EN}(("general practitioner" OR "GP"))'),
        ("Balint 住院医师", f'{EN}("Balint" AND "resident")'),  # Latin words as typed
        (
            "Balint groups for residents",
            f'{ZH}(("巴林特小组" OR "巴林特团体" OR "巴林特组") AND '
            '("住院医师" OR "住院医生" OR "居民"))',
        ),
        (
            "peer support",
            f'{ZH}(("同伴支持" OR "朋辈支持" OR "同伴 互助" OR "同辈支持" OR "同侪支持"))',
        ),
        ("burnout", f'{ZH}(("倦怠" OR "职业枯竭" OR "职业 耗竭"))'),  # 倦怠 finds 职业倦怠
        ("General Practitioners", f'{ZH}(("全科医生" OR "全科医师"))'),
        ("empathy", f'{ZH}(("同理心" OR "共情"))'),
        ("racism", f'{ZH}(("种族主义" OR "种族歧视"))'),  # CC-CEDICT, not in the glossary
        ("的 了 and the 2020", ""),  # nothing to translate
    ],
)
def test_translated_fts_queries(query: str, fts: str) -> None:
    assert translate_query(query).fts == fts


def test_terms_alternatives_and_target_words() -> None:
    translation = translate_query("巴林特小组 住院医师 种族主义")
    assert (translation.source_lang, translation.target_lang) == ("zh", "en")
    balint, resident, racism = translation.terms
    assert balint.source == "巴林特小组"
    assert [(a.text, a.weight, a.source) for a in balint.alternatives] == [
        ("Balint", 1.0, "glossary"),  # as abstracts write it too: "participating in Balint"
        ("Balint group", 1.0, "glossary"),  # also the first rendering of a synonym, 巴林特团体
        ("Balint seminar", 0.9, "synonym"),
    ]
    assert [(a.text, a.source) for a in resident.alternatives] == [("resident", "glossary")]
    assert racism.alternatives[0].source == "cedict"  # not in the glossary
    assert translation.target_words[:4] == ("Balint", "group", "seminar", "resident")
    # three terms: all required; a fourth makes any of them enough (ranked by bm25)
    assert translation.fts == translation.fts_all
    longer = translate_query("巴林特小组 住院医师 种族主义 职业倦怠")
    assert longer.fts == longer.fts_any and " OR " in longer.fts_any and " AND " not in longer.fts


def test_learned_pairs_join_the_glossary_only_when_near_certain() -> None:
    learned = LearnedTable(
        [
            LearnedPair("住院医师", "registrar", 18, 0.95),  # the UK's word, near-certain
            LearnedPair("同伴支持", "support", 7, 0.5185),  # 'peer support' widened: no
            LearnedPair("劳伦斯", "lawrence", 2, 1.0),
            LearnedPair("医患互动", "interaction", 2, 1.0),
            LearnedPair("医患互动", "doctor", 2, 0.5),
        ]
    )
    assert translate_query("住院医师", learned).fts == f'{EN}(("resident" OR "registrar"))'
    assert translate_query("同伴支持", learned).fts == f'{EN}("peer support")'
    assert translate_query("劳伦斯", learned).fts == f'{EN}("lawrence")'
    # English to Chinese: only where the English word is the Chinese word's best
    lawrence = translate_query("lawrence", learned).terms[0].alternatives
    assert [(a.text, a.source) for a in lawrence] == [("劳伦斯", "learned"), ("罗伦斯", "cedict")]
    assert translate_query("interaction", learned).terms[0].alternatives[0].text == "医患互动"
    assert all(
        a.text != "医患互动" for a in translate_query("doctor", learned).terms[0].alternatives
    )


@pytest.mark.parametrize(
    "query",
    [
        'NEAR(巴林特 小组) OR "住院医师" * ^title_zh',
        "巴林特小组 AND NOT {title_zh abstract_zh}: 住院医师)",
        'peer* OR support) NOT {title_zh}: ^burnout "',
        'burnout" OR title_zh : x',
        "(((((",
    ],
)
def test_fts_syntax_in_a_query_is_plain_text(query: str) -> None:
    translation = translate_query(query)
    conn = _tiny_index()
    for fts in (translation.fts_all, translation.fts_any):
        if fts:
            conn.execute("SELECT rowid FROM t WHERE t MATCH ?", [fts]).fetchall()  # parses
    for term in translation.terms:
        for alternative in term.alternatives:
            inner = alternative.phrase[1:-1]
            assert alternative.phrase == f'"{inner}"' and '"' not in inner
            assert all(token.isalnum() for token in inner.split())


def _tiny_index() -> sqlite3.Connection:
    """An FTS5 table with the index's columns and tokenizer: row 1 English, row 2 Chinese
    (segmented as the index holds it), row 3 English words in the Chinese columns and Chinese
    words in the English ones."""
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(title_en, abstract_en, title_zh, abstract_zh, "
        f"keywords, mesh_terms, tokenize = '{TOKENIZER}')"
    )
    conn.executemany(
        "INSERT INTO t (rowid, title_en, abstract_en, title_zh, abstract_zh, keywords, "
        "mesh_terms) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (1, "Virtual Balint Groups", "for residents in a residency", "", "", "", ""),
            (2, "", "", "巴林特 小组 巴林特小组", "住院 医师 住院医师", "", ""),
            (3, "巴林特小组 住院医师", "", "Balint groups", "residents", "", ""),
        ],
    )
    return conn


def test_the_column_filter_searches_the_other_language_only() -> None:
    conn = _tiny_index()

    def found(query: str) -> list[int]:
        fts = translate_query(query).fts
        return [r[0] for r in conn.execute("SELECT rowid FROM t WHERE t MATCH ?", [fts])]

    assert found("巴林特小组 住院医师") == [1]  # not row 3's English in Chinese columns
    assert found("Balint group residents") == [2]  # not row 3's Chinese in English columns
    # snippet() marks the matched words with the column filter in place
    fts = translate_query("巴林特小组 住院医师").fts
    marked = conn.execute(
        "SELECT snippet(t, 0, '[', ']', '…', 10), snippet(t, 1, '[', ']', '…', 10) FROM t "
        "WHERE t MATCH ?",
        [fts],
    ).fetchone()
    assert marked == ("Virtual [Balint Groups]", "for [residents] in a [residency]")


def test_caps() -> None:
    terms = [term for term in glossary().to_english if len(term) > 1][:40]
    translation = translate_query(" ".join(terms * 2))  # each term once in the translation
    translated = [term for term in translation.terms if term.alternatives]
    assert len(translated) == MAX_TERMS
    assert len({term.source for term in translation.terms}) == len(translation.terms)
    assert all(len(term.alternatives) <= MAX_PER_TERM for term in translation.terms)
    assert sum(len(term.alternatives) for term in translation.terms) <= MAX_ALTERNATIVES
    assert translation.fts.count('"') // 2 <= MAX_ALTERNATIVES
    long_query = "巴林特小组 " * 200 + "住院医师"
    assert "resident" not in translate_query(long_query).fts  # read up to MAX_QUERY_CHARS
    # two terms with the same translation: one OR group
    assert translate_query("医生 医师").fts == f'{EN}(("doctor" OR "physician"))'


@pytest.fixture(scope="module")
def english_only_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds with their Chinese removed (articles and index), learned lexicon kept."""
    db = seeded_database(tmp_path_factory.mktemp("english-only"))
    with Store(db) as store:
        relearn_lexicon(store)
        with store.transaction():
            store.db.execute("UPDATE articles SET title_zh = NULL, abstract_zh = NULL")
            store.db.execute("UPDATE articles_fts SET title_zh = '', abstract_zh = ''")
    return db


def test_a_chinese_query_finds_the_english_only_seed(english_only_seeds: Path) -> None:
    conn = sqlite3.connect(english_only_seeds)
    assert not conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH '巴林特小组'"
    ).fetchall()
    ids = translated_ids(conn, "巴林特小组 住院医师")
    doi = conn.execute("SELECT doi FROM articles WHERE id = ?", [ids[0]]).fetchone()[0]
    assert doi == BALINT_RESIDENCY_DOI
    # the learned lexicon from the database: 巴林特小组 is also plain 'Balint' in this corpus
    # (the glossary says so too now: the learned pair adds nothing new to the translation)
    assert ("巴林特小组", "balint") in {
        (p.zh, p.en) for p in DatabaseLearned(conn).english("巴林特小组")
    }
    assert len(translated_ids(conn, "巴林特小组")) == 3
    assert translated_ids(conn, "的 了") == []


def test_learned_lookup_on_a_database_without_the_table(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "old.db")
    assert DatabaseLearned(conn).english("巴林特小组") == []
    assert translate(conn, "巴林特小组").fts == f"{EN}({BALINT_EN})"
