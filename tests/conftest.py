"""Shared test helpers: paths to the bundled seeds and fixtures, a fresh store."""

from __future__ import annotations

from pathlib import Path

import pytest

from litbalint.store import Store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def seed(prefix: str) -> Path:
    """The bundled seed document whose name starts with prefix ('000' ... '004')."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "test.db") as opened:
        yield opened


def dump(store: Store) -> list[str]:
    """Every row of every table, for before/after comparisons."""
    return list(store.db.conn.iterdump())
