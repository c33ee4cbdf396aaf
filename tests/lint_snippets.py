"""Shared machinery for the tests/test_lint_*.py files: TF1 snippets marked with `# expect: CODE` comments."""

from __future__ import annotations

import re
import textwrap

from tf1_bn.lint import Finding, lint_source

# Each snippet marks the lines it expects a finding on with `# expect: CODE`; unmarked snippets must lint clean.
HEAD = "import tensorflow as tf\n"
LAYER = "h = tf.layers.batch_normalization(x, training=is_training)\n"


def with_layer(*bodies: str) -> str:
    """A snippet that builds a tf.layers batch norm (driven by `is_training`) on line 2, then the bodies
    (each dedented)."""
    return HEAD + LAYER + "".join(textwrap.dedent(body) for body in bodies)


def expected(source: str) -> list[tuple[str, int]]:
    """(code, line) pairs marked in `source` by `# expect: BN001[, BN004]` comments."""
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        if "# expect:" in line:
            found.extend((code, number) for code in re.findall(r"BN\d{3}", line.split("# expect:", 1)[1]))
    return sorted(found)


def check(source: str) -> list[Finding]:
    """Assert the findings are exactly the marked ones; return them."""
    if source.startswith(HEAD):  # snippets are written `HEAD + """<indented body>"""`
        source = HEAD + textwrap.dedent(source[len(HEAD):])
    findings = lint_source(source, "<case>")
    assert sorted((f.code, f.line) for f in findings) == expected(source), "\n".join(map(str, findings))
    return findings

