"""The lexicon learned from aligned beads (align/learned_lexicon.py) and its table."""

from __future__ import annotations

from pathlib import Path

from litbalint.align.learned_lexicon import chinese_words, english_key, english_words, learn_lexicon
from litbalint.bilingual import known_pair
from litbalint.model import BeadText, LearnedPair
from litbalint.pipeline import relearn_lexicon
from litbalint.store import Store
from tests.conftest import SEEDS, run, seeded_database

# four bead shapes, three times each: every word pairs with its translation in all its beads
BEADS = [
    BeadText("Balint helps residents.", "巴林特小组帮助住院医师。"),
    BeadText("Residents value Balint.", "住院医师重视巴林特小组。"),
    BeadText("Balint reduces burnout.", "巴林特小组减少职业倦怠。"),
    BeadText("Burnout harms residents.", "职业倦怠伤害住院医师。"),
    BeadText("Burnout is common.", "倦怠很常见。"),
    BeadText("Common problems.", "常见问题。"),
]


def test_words_of_each_side() -> None:
    assert english_words("The Residents' groups studied studies; burnout, GP.") == (
        "resident",
        "group",
        "studied",
        "study",
        "burnout",
        "gp",
    )
    assert [english_key(w) for w in ("analysis", "process", "focus", "therapies")] == [
        "analysis",
        "process",
        "focus",
        "therapy",
    ]
    # jieba words of two characters or more, each once, no function words
    assert chinese_words("我们的巴林特小组帮助住院医师，巴林特小组。") == (
        "巴林特小组",
        "帮助",
        "住院医师",
    )


def test_pairs_and_scores_from_hand_made_beads() -> None:
    assert learn_lexicon(BEADS * 3) == [
        LearnedPair("伤害", "harm", 3, 1.0),
        LearnedPair("住院医师", "resident", 9, 1.0),
        LearnedPair("减少", "reduce", 3, 1.0),
        LearnedPair("巴林特小组", "balint", 9, 1.0),
        LearnedPair("帮助", "help", 3, 1.0),
        LearnedPair("常见问题", "problem", 3, 1.0),  # 'common' is in 6 beads, problem in 3
        # linked in 6 beads; 'burnout' is in 9, 职业倦怠 in 6: Dice 2 * 6 / 15
        LearnedPair("职业倦怠", "burnout", 6, 0.8),
        LearnedPair("重视", "value", 3, 1.0),
        # 倦怠 (3 beads, with burnout of 9 and common of 6): too weak to tell (G² < 10.83)
    ]


def test_seen_once_or_by_chance_is_not_learned() -> None:
    assert learn_lexicon(BEADS) == []  # every pair in one or two beads: G² too low


def test_words_of_one_phrase_tie_and_a_dictionary_breaks_the_tie() -> None:
    beads = [
        BeadText("Doctor-patient interaction matters.", "医患互动很重要。"),
        BeadText("We study doctor-patient interaction.", "我们研究医患互动。"),
        BeadText("Nothing else here.", "这里没有别的。"),
    ] * 4
    learned = {pair.zh: pair.en for pair in learn_lexicon(beads)}
    assert learned == {"研究": "study", "重要": "matter"}  # 医患互动: doctor? patient? left out

    def known(zh: str, en: str) -> bool | None:
        return en == "interaction" if zh == "医患互动" else None

    learned = {pair.zh: pair.en for pair in learn_lexicon(beads, known)}
    assert learned == {"医患互动": "interaction", "研究": "study", "重要": "matter"}


def test_a_pair_the_dictionaries_contradict_needs_more_beads() -> None:
    beads = [BeadText("Balint helps.", "巴林特小组帮助。")] * 2
    beads += [BeadText("Plain filler.", "普通填充。")] * 48

    def known(zh: str, en: str) -> bool | None:  # 巴林特小组 is Balint; 帮助 is as given
        return en == "balint" if zh == "巴林特小组" else verdict

    verdict = None  # a dictionary that does not know 帮助: two beads are enough
    assert learn_lexicon(beads, known) == [
        LearnedPair("巴林特小组", "balint", 2, 1.0),
        LearnedPair("帮助", "help", 2, 1.0),
    ]
    verdict = False  # one that knows 帮助, as something else: three beads needed
    assert learn_lexicon(beads, known) == [LearnedPair("巴林特小组", "balint", 2, 1.0)]
    # without a dictionary the two pairs tie in both beads: nothing is learned
    assert learn_lexicon(beads) == []
    # the real dictionaries: 巴林特小组 is 'Balint group', so balint is known, not contradicted
    assert known_pair("巴林特小组", "balint") is True
    assert known_pair("帮助", "help") is True
    assert known_pair("帮助", "balint") is False
    assert known_pair("巴林特小组作业", "balint") is None


def test_the_store_replaces_the_table_and_relearns_only_when_beads_change(
    tmp_path: Path,
) -> None:
    db = seeded_database(tmp_path)  # imports, without the command's re-learning
    with Store(db) as store:
        update = relearn_lexicon(store)
        assert update is not None and update.beads == 63 and update.pairs > 40
        rows = store.db.execute("SELECT zh, en, pairs, score FROM learned_lexicon").fetchall()
        assert len(rows) == update.pairs
        assert ("巴林特小组", "balint", 18, 1.0) in rows
        assert ("住院医师", "resident", 5, 1.0) in rows
        assert relearn_lexicon(store) is None  # the same beads: nothing to do
        again = relearn_lexicon(store, force=True)  # replaced, not added to
        assert again == update
        assert store.db.execute("SELECT count(*) FROM learned_lexicon").fetchone()[0] == len(rows)
        with store.transaction():  # an article's beads are gone: learned again, without them
            store.db.execute("DELETE FROM alignment_beads WHERE article_id = 1")
        smaller = relearn_lexicon(store)
        assert smaller is not None and smaller.beads == 52
        assert store.db.execute("SELECT count(*) FROM learned_lexicon").fetchone()[0] == (
            smaller.pairs
        )


def test_build_learns_the_lexicon_once(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    first = run("build", "--db", db, "--data", SEEDS)
    assert first.exit_code == 0, first.output
    learned = [line for line in first.stdout.splitlines() if line.startswith("learned lexicon: ")]
    assert len(learned) == 1 and learned[0].endswith(" word pairs from 63 beads")
    again = run("build", "--db", db, "--data", SEEDS)
    assert "learned lexicon" not in again.stdout  # nothing changed
    with Store(db) as store:
        pairs = store.db.execute("SELECT count(*) FROM learned_lexicon").fetchone()[0]
    assert f"learned lexicon: {pairs} word pairs" in first.stdout
