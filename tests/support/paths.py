"""Paths of the checkout that tests and scripts read."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "litbalint" / "bundled" / "seeds"
FIXTURES = ROOT / "tests" / "fixtures"
