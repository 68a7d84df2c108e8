"""The on-disk cache of derived dictionaries (litbalint/cache.py): what it loads equals what is
built from the sources, a changed source is read again, and a cache that cannot be written
only means computing, as without one."""

from __future__ import annotations

import marshal
from pathlib import Path

import pytest

from litbalint import cache, zh
from litbalint.align import lexicon
from litbalint.align.lexicon import Lexicon, default_lexicon
from litbalint.resources import USER_DICTIONARY, packaged_path

SENTENCE = "十二名住院医师参加了巴林特小组，职业倦怠减轻。"


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An empty cache folder, and the per-process lexicon and tokenizer forgotten."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    default_lexicon.cache_clear()
    zh.tokenizer.cache_clear()
    yield folder
    default_lexicon.cache_clear()
    zh.tokenizer.cache_clear()


def _entries(folder: Path, name: str) -> list[Path]:
    return sorted(folder.glob(f"{name}-*{cache.SUFFIX}"))


def _never(*args: object) -> None:
    raise AssertionError("a warm start reads no source")


def test_the_cached_lexicon_is_the_one_built_from_the_sources(
    cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = Lexicon()
    cold = default_lexicon()  # built, and written to the cache
    assert len(_entries(cache_folder, "lexicon")) == 1
    default_lexicon.cache_clear()
    monkeypatch.setattr(Lexicon, "_load_cedict", _never)
    monkeypatch.setattr(Lexicon, "_load_glossary", _never)
    warm = default_lexicon()
    assert warm is not cold
    assert warm.glosses == cold.glosses == fresh.glosses
    assert warm.vocabulary == cold.vocabulary == fresh.vocabulary
    assert len(warm.glosses) > 100_000  # CC-CEDICT is in it
    assert warm.glosses["巴林特小组"] == "balint group"
    assert set(warm.glosses["医生"].split()) == {"doctor", "physic"}
    assert warm.chinese_units(SENTENCE) == fresh.chinese_units(SENTENCE)


def test_the_cached_jieba_dictionary_segments_as_jieba_does(cache_folder: Path) -> None:
    import jieba

    own = jieba.Tokenizer()  # jieba's own way: its dictionary, then the user dictionary
    own.initialize()
    own.load_userdict(str(packaged_path(USER_DICTIONARY)))
    cold = zh.tokenizer()
    assert len(_entries(cache_folder, "jieba")) == 1
    zh.tokenizer.cache_clear()
    warm = zh.tokenizer()
    assert warm is not cold
    for segmenter in (cold, warm):
        assert segmenter.FREQ == own.FREQ and segmenter.total == own.total
        assert segmenter.user_word_tag_tab == own.user_word_tag_tab
    expected = list(own.cut(SENTENCE, HMM=False))
    assert "住院医师" in expected and "巴林特小组" in expected
    assert list(warm.cut(SENTENCE, HMM=False)) == expected


def test_the_cached_cedict_is_the_one_read_from_the_file(
    cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from litbalint import bilingual
    from litbalint.resources import cedict_path

    path = cedict_path()
    assert path is not None
    bilingual.cedict.cache_clear()
    try:
        fresh = bilingual.read_cedict(path)
        cold = bilingual.cedict()
        bilingual.cedict.cache_clear()
        monkeypatch.setattr(bilingual, "read_cedict", _never)
        warm = bilingual.cedict()
    finally:
        bilingual.cedict.cache_clear()
    assert warm.to_english == cold.to_english == fresh
    assert warm.to_english["倦怠"] == ("worn out", "exhausted", "dispirited")
    assert len(_entries(cache_folder, "cedict")) == 1


def test_a_changed_glossary_is_read_again(
    cache_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    glossary = tmp_path / "glossary.tsv"
    glossary.write_text("peer support\t同伴支持\n", encoding="utf-8")
    monkeypatch.setattr(lexicon, "cedict_path", lambda: None)  # the glossary alone: quick
    monkeypatch.setattr(lexicon, "packaged_path", lambda relative: glossary)
    monkeypatch.setattr(lexicon, "packaged_text", lambda relative: glossary.read_text("utf-8"))
    assert default_lexicon().glosses == {"同伴支持": "peer suppor"}
    (first,) = _entries(cache_folder, "lexicon")
    default_lexicon.cache_clear()
    glossary.write_text("peer support\t同伴支持\nburnout\t倦怠\n", encoding="utf-8")
    assert default_lexicon().glosses == {"同伴支持": "peer suppor", "倦怠": "burnou"}
    assert (
        first in _entries(cache_folder, "lexicon") and len(_entries(cache_folder, "lexicon")) == 2
    )


def test_changed_sources_build_again_and_the_same_sources_do_not(cache_folder: Path) -> None:
    built: list[str] = []

    def build(value: str):
        def run() -> dict[str, tuple[int, ...]]:
            built.append(value)
            return {value: (1, 2)}

        return run

    assert cache.cached("thing", [b"v1", "stamp"], build("a")) == {"a": (1, 2)}
    assert cache.cached("thing", [b"v1", "stamp"], build("b")) == {"a": (1, 2)}  # read back
    assert cache.cached("thing", [b"v2", "stamp"], build("c")) == {"c": (1, 2)}
    assert built == ["a", "c"]
    assert cache.cached("thing", [b"v1", "stamp"], build("d")) == {"a": (1, 2)}  # still kept
    for version in range(3, 3 + cache.KEEP):
        cache.cached("thing", [f"v{version}".encode(), "stamp"], build(f"v{version}"))
    assert len(_entries(cache_folder, "thing")) == cache.KEEP  # the newest; older ones removed
    assert sorted(cache_folder.iterdir()) == _entries(cache_folder, "thing")  # no temporary file


def test_an_unwritable_cache_folder_only_means_computing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "cache"))  # under a file: never a folder
    built: list[int] = []
    for _ in range(2):
        assert cache.cached("thing", ["x"], lambda: built.append(1) or [3, 4]) == [3, 4]
    assert built == [1, 1]


def test_the_aligner_works_without_a_writable_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import run

    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "cache"))
    monkeypatch.setattr(lexicon, "cedict_path", lambda: None)  # the glossary alone: quick
    default_lexicon.cache_clear()
    zh.tokenizer.cache_clear()
    en, zh_file = tmp_path / "en.txt", tmp_path / "zh.txt"
    en.write_text("Twelve residents joined a Balint group.\nBurnout fell.\n", encoding="utf-8")
    zh_file.write_text("十二名住院医师参加了巴林特小组。\n职业倦怠减轻。\n", encoding="utf-8")
    try:
        result = run("align", "--en", en, "--zh", zh_file)
    finally:
        default_lexicon.cache_clear()
        zh.tokenizer.cache_clear()
    assert result.exit_code == 0, result.output
    assert [line.split(', "score"')[0] for line in result.output.splitlines()] == [
        '{"en": [0], "zh": [0]',
        '{"en": [1], "zh": [1]',
    ]


def test_a_source_that_cannot_be_read_means_no_cache(cache_folder: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    assert cache.file_bytes(missing) is None and cache.file_stamp(missing) is None
    built: list[int] = []
    for _ in range(2):
        value = cache.cached("thing", [cache.file_bytes(missing)], lambda: built.append(1) or [5])
        assert value == [5]
    assert built == [1, 1] and not cache_folder.exists()


def test_a_broken_entry_is_built_again(cache_folder: Path) -> None:
    cache.cached("thing", ["x"], lambda: [1])
    (entry,) = _entries(cache_folder, "thing")
    entry.write_bytes(entry.read_bytes()[:2])  # cut off
    assert cache.cached("thing", ["x"], lambda: [2]) == [2]
    assert marshal.loads(entry.read_bytes()) == [2]
    entry.write_bytes(b"\x00not marshal")
    assert cache.cached("thing", ["x"], lambda: [3]) == [3]


def test_where_the_cache_lives(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/reader")
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache.cache_dir() == Path("/home/reader/.cache/litbalint")
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache/reader")
    assert cache.cache_dir() == Path("/var/cache/reader/litbalint")
    monkeypatch.setenv(cache.CACHE_ENV, "/srv/litbalint-cache")
    assert cache.cache_dir() == Path("/srv/litbalint-cache")
