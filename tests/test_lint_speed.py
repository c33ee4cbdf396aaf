"""The lint's speed machinery: the fast node walk visits what `ast.walk` visits (minus context and operator
singletons, in the same order), the text pre-filter never hides a finding, and the benchmark runs."""

from __future__ import annotations

import ast
import json
import pathlib
import textwrap

import pytest
from lint_snippets import HEAD

from test_lint_bn006 import BN006
from test_lint_bn007 import BN007
from test_lint_bn008 import BN008
from test_lint_bn009 import BN009
from test_lint_correct import CORRECT
from test_lint_mode import MODE
from tf1_bn.lint import bench, findings
from tf1_bn.lint._checks import Checker
from tf1_bn.lint._names import subtree

_SINGLETONS = (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)
SOURCES = sorted(pathlib.Path(ast.__file__).parent.glob("[a-f]*.py"))[:40]


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_subtree_is_ast_walk_without_singletons(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    expected = [n for n in ast.walk(tree) if not isinstance(n, _SINGLETONS)]
    found = subtree(tree)
    assert len(found) == len(expected) and all(a is b for a, b in zip(found, expected))


SNIPPETS = [s for table in (CORRECT, MODE, BN006, BN007, BN008, BN009) for s in table.values()]


@pytest.mark.parametrize("snippet", SNIPPETS)
def test_the_text_shortcuts_change_no_finding(snippet):
    """The text pre-filter of `lint_source` and the text test for UPDATE_OPS reads give what the checks
    on the tree alone give."""
    source = HEAD + textwrap.dedent(snippet[len(HEAD):])
    on_the_tree = sorted((n.lineno, code) for n, code, _ in Checker(ast.parse(source)).run())
    if not findings._may_have_findings(source):
        assert on_the_tree == []
    assert sorted((f.line, f.code) for f in findings.lint_source(source)) == on_the_tree


def test_the_benchmark_runs_on_a_generated_tree(capsys):
    assert bench.main(["--generate", "40", "--repeats", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["files"] == 40 and result["findings"] == 5 * 3  # 5 buggy scripts: BN001, BN006, BN009 each
    assert result["ratio"] > 0 and result["lint_files_per_s"] > 0
