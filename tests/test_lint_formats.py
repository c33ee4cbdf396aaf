"""--format text|json|github, --statistics, --exit-zero and --select/--extend-select on the command line."""

from __future__ import annotations

import json

import pytest

from tf1_bn.cli.main import main
from tf1_bn.lint import Finding, Report
from tf1_bn.lint.formats import render, statistics, to_github

BUGGY = ("import tensorflow as tf\n"
         "h = tf.layers.batch_normalization(x, training=True)\n"
         "h2 = tf.layers.batch_normalization(h, training=True)\n"
         "train_op = tf.train.AdamOptimizer().minimize(loss)\n")


@pytest.fixture
def buggy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.py").write_text(BUGGY)
    return "model.py"


def test_text_is_the_default_and_unchanged(buggy, capsys):
    assert main(["lint", buggy]) == 1
    assert capsys.readouterr().out.splitlines()[0].startswith("model.py:2:47: BN004 training=True written literally")


def test_json(buggy, capsys):
    assert main(["lint", "--format", "json", buggy]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert [(r["code"], r["line"], r["col"]) for r in rows] == [("BN004", 2, 47), ("BN004", 3, 48), ("BN001", 4, 12)]
    assert rows[0] == {"path": "model.py", "cell": None, "line": 2, "col": 47, "file_line": 2, "file_col": 47,
                       "code": "BN004", "message": rows[0]["message"]}


def test_github_annotations(buggy, capsys):
    assert main(["lint", "--format", "github", buggy]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("::warning file=model.py,line=2,col=47,title=BN004::training=True written literally")
    assert len(lines) == 3


def test_github_escaping_and_notebook_titles():
    finding = Finding("a,b:c.ipynb", 3, 5, "BN001", "50% done\nnext", cell=7, file_line=40, file_col=12)
    assert to_github(Report([finding], [], 1)) == (
        "::warning file=a%2Cb%3Ac.ipynb,line=40,col=12,title=BN001 (cell 7%2C line 3%2C col 5)::50%25 done%0Anext\n")


@pytest.mark.parametrize("output_format, stream", [("text", 0), ("json", 1), ("sarif", 1), ("github", 1)])
def test_statistics_after_the_findings_and_off_stdout_for_machine_formats(buggy, capsys, output_format, stream):
    assert main(["lint", "--statistics", "--format", output_format, buggy]) == 1
    printed = capsys.readouterr()[stream].splitlines()
    assert printed[-2:] == ["    2  BN004  training=True / is_training=True written literally",
                            "    1  BN001  train op built without the batch-norm update ops"]
    if output_format in ("json", "sarif"):
        json.loads(capsys.readouterr().out or "null")


@pytest.mark.parametrize("argv, status, shown", [
    (["--exit-zero"], 0, 3),
    (["--exit-zero", "--select", "BN009"], 0, 0),
    (["--select", "BN001"], 1, 1),
    (["--select", "BN001", "--extend-select", "BN004"], 1, 3),
    (["--select", "BN", "--ignore", "BN00"], 0, 0),
    (["--quiet", "--exit-zero"], 0, 0),
])
def test_selection_and_exit_zero(buggy, capsys, argv, status, shown):
    assert main(["lint", "--isolated", *argv, buggy]) == status
    assert len(capsys.readouterr().out.splitlines()) == shown


def test_exit_zero_keeps_2_for_files_that_cannot_be_linted(buggy, capsys):
    assert main(["lint", "--exit-zero", buggy, "missing.py"]) == 2
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 3 and err == "tf1-bn lint: error: missing.py: no such file or folder\n"


@pytest.mark.parametrize("argv", [["--select", "BN999"], ["--extend-select", "X1"], ["--ignore", "BN0010"],
                                  ["--format", "xml"]])
def test_bad_options_are_usage_errors(buggy, capsys, argv):
    with pytest.raises(SystemExit) as raised:
        main(["lint", *argv, buggy])
    err = capsys.readouterr().err
    assert raised.value.code == 2 and "usage: tf1-bn lint" in err and err.strip().splitlines()[-1].count(":") >= 2


def test_statistics_order_and_render_refuses_unknown_formats():
    findings = [Finding("a.py", i, 1, code, "m") for i, code in enumerate(["BN005", "BN001", "BN005", "BN002"], 1)]
    assert [line.split()[:2] for line in statistics(findings)] == [["2", "BN005"], ["1", "BN001"], ["1", "BN002"]]
    with pytest.raises(ValueError, match="unknown format 'xml'; expected one of text, json, sarif, github"):
        render(Report([], [], 0), "xml")
