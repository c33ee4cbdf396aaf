"""The code table (tf1_bn.lint._codes.RULES) is the one list: `--help`, SARIF rules and messages follow it;
every code is tested on both sides; the pre-commit hook runs the console script."""

from __future__ import annotations

import pathlib
import re
import textwrap

import pytest
from lint_snippets import HEAD, expected

import test_lint_bn006
import test_lint_bn007
import test_lint_bn008
import test_lint_bn009
from tf1_bn.cli.main import main
from tf1_bn.lint import CODES, RULES, lint_source

ROOT = pathlib.Path(__file__).resolve().parent.parent
NEW = {"BN006": test_lint_bn006, "BN007": test_lint_bn007, "BN008": test_lint_bn008, "BN009": test_lint_bn009}


def test_one_table_in_order():
    assert list(CODES) == [rule.code for rule in RULES] == [f"BN00{i}" for i in range(1, 10)]
    for rule in RULES:
        assert rule.summary and rule.catches and rule.fix and "\n" not in rule.summary + rule.catches + rule.fix


@pytest.mark.parametrize("code", NEW)
def test_every_new_code_has_positive_and_negative_snippets(code):
    module = NEW[code]
    positives = getattr(module, code).values()
    assert all(code in {c for c, _ in expected(s)} for s in positives)
    assert all(code not in {c for c, _ in expected(s)} for s in module.FINE.values())
    assert len(module.FINE) >= 5


@pytest.mark.parametrize("code", NEW)
def test_every_new_message_ends_with_its_fix(code):
    for snippet in getattr(NEW[code], code).values():
        source = HEAD + textwrap.dedent(snippet[len(HEAD):])
        for finding in lint_source(source):
            if finding.code == code:
                assert re.search(r"; (omit|pass|use|build|map|feed|track)\b[^;]*$", finding.message), finding.message


def test_help_lists_every_code_and_option(capsys):
    with pytest.raises(SystemExit):
        main(["lint", "--help"])
    out = capsys.readouterr().out
    assert all(code in out for code in CODES)
    assert all(option in out for option in ("--select", "--extend-select", "--ignore", "--exit-zero", "--statistics",
                                            "--format", "sarif", "github", "pyproject.toml", ".ipynb"))


def test_pre_commit_hooks():
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    hooks = [dict(re.findall(r"^\s*-?\s*(\w+): (.+)$", block, re.M)) for block in text.split("\n- ")[1:]]
    assert [h["id"] for h in hooks] == ["tf1-bn-lint", "tf1-bn-lint-system"]
    assert all(h["entry"] == "tf1-bn lint" and h["types_or"] == "[python, jupyter]" for h in hooks)
    assert [h["language"] for h in hooks] == ["python", "system"]
    assert "tf1-bn = tf1_bn.cli.main:main" in (ROOT / "setup.cfg").read_text()
