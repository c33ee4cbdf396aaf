"""Cross-check with tf1_bn.article.pitfalls: each pitfall's TF1 snippet gets exactly its lint code."""

from __future__ import annotations

import pytest

from tf1_bn.lint import lint_source


def test_the_pitfall_lab_snippets_get_their_codes():
    """tf1_bn.article.pitfalls shows the lint's verdict on each pitfall's TF1 pattern: one code per bug."""
    pitfalls = pytest.importorskip("tf1_bn.article.pitfalls")
    verdicts = {"correct": set(), "omitted": {"BN001"}, "through_loss": {"BN002"}, "collected_early": {"BN003"},
                "batch_of_one": {"BN004"}, "few_steps": set(), "ema_decay_half": set()}
    rows = [p for p in pitfalls.PITFALLS if p.key in verdicts]
    assert rows
    assert {p.key: {f.code for f in lint_source(p.snippet)} for p in rows} == {p.key: verdicts[p.key] for p in rows}
