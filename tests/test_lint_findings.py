"""lint_source's report: findings sorted and formatted as file:line:col: CODE, syntax errors located."""

from __future__ import annotations

import re

import pytest
from lint_snippets import HEAD

from tf1_bn.lint import CODES, lint_source


def test_findings_sorted_and_formatted():
    source = HEAD + ("ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n"
                     "h = tf.layers.batch_normalization(x, training=True)\n"
                     "op = opt.minimize(loss)\n")
    findings = lint_source(source, "model.py")
    assert [(f.line, f.code) for f in findings] == [(2, "BN003"), (3, "BN004"), (4, "BN001")]
    assert str(findings[0]).startswith("model.py:2:7: BN003 UPDATE_OPS read before")
    assert {f.code for f in findings} <= set(CODES)


@pytest.mark.parametrize("source, where", [
    ("def f(:\n    pass\n", "net.py:1:"),
    ("x = 1\nprint 'python 2'\n", "net.py:2:"),
])
def test_syntax_error_names_file_and_line(source, where):
    with pytest.raises(ValueError, match=re.escape(where) + " syntax error"):
        lint_source(source, "net.py")
