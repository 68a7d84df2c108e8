"""What ships inside the package and the default paths: the bundled files are read through
importlib.resources, the data folder and the database are found from the current folder (or
$LITBALINT_DATA / $LITBALINT_DB), bundled seeds are stored under a stable name."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import datasette.cli
import pytest
import yaml

from litbalint.errors import LitbalintError
from litbalint.resources import (
    GLOSSARY,
    METADATA,
    TOPICS,
    USER_DICTIONARY,
    default_db_path,
    display_path,
    packaged,
    packaged_path,
    packaged_text,
    seed_files,
)
from tests.conftest import FIXTURES, ROOT, SEEDS, error_line, run


def test_every_bundled_file_is_readable() -> None:
    assert "巴林特" in packaged_text(USER_DICTIONARY)
    assert "\t" in packaged_text(GLOSSARY)
    assert set(yaml.safe_load(packaged_text(TOPICS))["topics"]) == {"balint", "peer_support"}
    assert "litbalint" in yaml.safe_load(packaged_text(METADATA))["databases"]
    assert packaged_path(USER_DICTIONARY).is_file()  # jieba and Datasette need real paths
    assert [p.name[:3] for p in seed_files()] == ["000", "001", "002", "003", "004"]


def test_a_missing_bundled_file_is_one_line() -> None:
    with pytest.raises(LitbalintError) as raised:
        packaged("bundled/nothing.txt")
    assert str(raised.value) == (
        "bundled/nothing.txt is missing from the installed litbalint package; reinstall litbalint"
    )


def test_pyproject_declares_every_bundled_file() -> None:
    """A file under litbalint/bundled/ or publish/ that the package data globs miss would be
    absent from a wheel (scripts/check_wheel.sh checks the installed result)."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["package-data"]
    declared = {
        path
        for package, patterns in globs.items()
        for pattern in patterns
        for path in (ROOT / package.replace(".", "/")).glob(pattern)
    }
    shipped = [
        *(ROOT / "litbalint" / "bundled").rglob("*"),
        ROOT / "litbalint" / "publish" / "metadata.yml",
    ]
    assert {p for p in shipped if p.is_file()} <= declared


def test_display_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = seed_files()[0]
    assert display_path(first) == f"seeds/{first.name}"
    inside = tmp_path / "data" / "a.xml"
    outside = tmp_path.parent / "b.xml"
    monkeypatch.chdir(tmp_path)
    assert display_path(inside) == "data/a.xml"
    assert display_path(Path("data/a.xml")) == "data/a.xml"
    assert display_path(outside) == str(outside)
    assert display_path(SEEDS / first.name) == f"seeds/{first.name}"


def articles(db: Path) -> tuple[int, int]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(
            "SELECT count(*), sum(has_zh) FROM articles WHERE is_stub = 0"
        ).fetchone()


def test_build_from_an_unrelated_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("build", "-q")
    assert result.exit_code == 0, result.output
    db = tmp_path / "data" / "litbalint.db"  # data/ is created for the default database
    assert articles(db) == (5, 5)
    with closing(sqlite3.connect(db)) as conn:
        paths = [row[0] for row in conn.execute("SELECT path FROM import_files ORDER BY id")]
    assert paths == [f"seeds/{p.name}" for p in seed_files()]
    assert run("stats", "--json").exit_code == 0  # the same default for every command


def test_build_reads_documents_from_litbalint_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "several.xml").write_bytes((FIXTURES / "pubmed" / "several.xml").read_bytes())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LITBALINT_DATA", str(folder))
    assert default_db_path() == folder / "litbalint.db"
    result = run("build")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-3].startswith("6 file(s): ")  # then embed progress, summary
    assert (folder / "litbalint.db").exists() and not (tmp_path / "data").exists()


def test_litbalint_db_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LITBALINT_DATA", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("LITBALINT_DB", str(tmp_path / "x.db"))
    assert default_db_path(create_folder=True) == tmp_path / "x.db"
    assert not (tmp_path / "elsewhere").exists()


def test_missing_litbalint_data_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LITBALINT_DATA", str(tmp_path / "nowhere"))
    result = run("build", "--db", tmp_path / "x.db")
    assert result.exit_code == 2
    assert error_line(result).startswith(f"Error: LITBALINT_DATA={tmp_path / 'nowhere'}: no such")
    assert not (tmp_path / "x.db").exists()


def test_data_folder_that_cannot_be_made_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").write_text("a file, not a folder\n", encoding="utf-8")
    result = run("import", SEEDS / seed_files()[1].name)
    assert result.exit_code == 1
    assert error_line(result).startswith("Error: data: cannot create the data folder")


def test_serve_uses_the_packaged_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.chdir(tmp_path)
    assert run("build", "-q").exit_code == 0
    seen: list[list[str]] = []
    monkeypatch.setattr(datasette.cli.cli, "main", lambda args, **_: seen.append(args))
    assert run("serve", "--port", "0").exit_code == 0
    (args,) = seen
    assert args[args.index("--metadata") + 1] == str(packaged_path(METADATA))
    assert "data/litbalint.db" in args
