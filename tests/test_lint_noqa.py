"""`# noqa` comments: bare, with matching codes (any case or spacing), and with other codes."""

from __future__ import annotations

import pytest
from lint_snippets import HEAD

from tf1_bn.lint import lint_source


@pytest.mark.parametrize("comment, silenced", [
    ("# noqa", True), ("# noqa: BN001", True), ("# NOQA:BN004,BN001", True), ("# noqa: BN004", False),
    ("# no qa", False),
])
def test_noqa(comment, silenced):
    source = HEAD + f"h = tf.layers.batch_normalization(x, training=t)\nop = opt.minimize(loss)  {comment}\n"
    assert [f.code for f in lint_source(source)] == ([] if silenced else ["BN001"])
