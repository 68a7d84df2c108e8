"""Reciprocal rank fusion (litbalint/publish/fusion.py)."""

from __future__ import annotations

import pytest

from litbalint.publish.fusion import K, fuse


def test_agreeing_signals_lift_an_article() -> None:
    fused = fuse({"text": [1, 2, 3], "vector": [3, 4]})
    assert [f.id for f in fused] == [3, 1, 2, 4]
    assert fused[0].ranks == {"text": 3, "vector": 1}
    assert fused[0].score == pytest.approx(1 / (K + 3) + 1 / (K + 1))
    assert fused[0].signals == ["text", "vector"]


def test_weights_and_ties() -> None:
    assert [f.id for f in fuse({"a": [1], "b": [2]})] == [1, 2]  # tie: then the id
    assert [f.id for f in fuse({"a": [1], "b": [2]}, {"a": 1.0, "b": 2.0})] == [2, 1]
    assert [f.id for f in fuse({"a": [5, 1], "b": [1, 5]})] == [1, 5]  # tie: best rank 1 both


def test_repeats_and_empty_rankings() -> None:
    fused = fuse({"a": [7, 7, 8], "b": []})
    assert [(f.id, f.ranks) for f in fused] == [(7, {"a": 1}), (8, {"a": 3})]
    assert fuse({}) == []
