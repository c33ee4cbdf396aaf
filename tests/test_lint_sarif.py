"""--format sarif validates against the official SARIF 2.1.0 schema (OASIS errata 01, tests/data/), for
Python files, notebooks, files that cannot be linted and an empty run."""

from __future__ import annotations

import json
import pathlib

import pytest

from tf1_bn.cli.main import main
from tf1_bn.lint import RULES
from test_lint_notebooks import LAYER_CELL, TRAIN_CELL, notebook

jsonschema = pytest.importorskip("jsonschema")

SCHEMA = json.loads((pathlib.Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
BUGGY = ("import tensorflow as tf\n"
         "h = tf.layers.batch_normalization(x, training=True)\n"
         "train_op = tf.train.AdamOptimizer().minimize(loss)\n")


def sarif(capsys, *argv: str) -> tuple[int, dict]:
    status = main(["lint", "--isolated", "--format", "sarif", *argv])
    document = json.loads(capsys.readouterr().out)
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    return status, document


def test_the_schema_is_the_official_one():
    assert SCHEMA["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    jsonschema.Draft4Validator.check_schema(SCHEMA)


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src dir").mkdir()
    (tmp_path / "src dir" / "model.py").write_text(BUGGY)
    (tmp_path / "bn.ipynb").write_text(notebook(LAYER_CELL, TRAIN_CELL))
    (tmp_path / "broken.py").write_text("def f(:\n")
    return tmp_path


def test_findings_rules_and_locations(tree, capsys):
    status, document = sarif(capsys, "src dir", "bn.ipynb")
    assert status == 1 and document["version"] == "2.1.0"
    (run,) = document["runs"]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [rule.code for rule in RULES]
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]
    located = [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]) for r in run["results"]]
    notebook_result = run["results"][0]
    json_lines = (tree / "bn.ipynb").read_text().splitlines()
    line = next(i for i, text in enumerate(json_lines, 1) if "minimize" in text)
    assert located[0] == ("BN001", "bn.ipynb", {"startLine": line, "startColumn": json_lines[line - 1].index("tf.") + 1})
    assert notebook_result["properties"] == {"cell": 2, "cellLine": 2, "cellColumn": 12}
    assert notebook_result["message"]["text"].startswith("cell 2, line 2, col 12: ")
    assert located[1:] == [("BN004", "src%20dir/model.py", {"startLine": 2, "startColumn": 47}),
                           ("BN001", "src%20dir/model.py", {"startLine": 3, "startColumn": 12})]
    assert run["results"][1]["ruleIndex"] == 3


def test_files_that_cannot_be_linted_are_notifications(tree, capsys):
    status, document = sarif(capsys, str(tree / "broken.py"), "missing.py", "src dir")
    (run,) = document["runs"]
    assert status == 2 and run["invocations"][0]["executionSuccessful"] is False
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == ["missing.py: no such file or folder",
                                                    f"{tree / 'broken.py'}:1: syntax error: invalid syntax"]
    assert notes[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (tree / "broken.py").as_uri()
    assert len(run["results"]) == 2


def test_an_empty_run(tmp_path, capsys):
    (tmp_path / "clean.py").write_text("x = 1\n")
    status, document = sarif(capsys, str(tmp_path / "clean.py"))
    assert status == 0 and document["runs"][0]["results"] == []
