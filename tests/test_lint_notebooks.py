"""Notebooks: code cells linted together, IPython lines skipped with the numbering kept, findings located by
cell and line (and by line and column of the .ipynb file for annotations), bad notebooks are exit 2."""

from __future__ import annotations

import json

import pytest

from tf1_bn.cli.main import main
from tf1_bn.lint import LintError, lint_file, lint_notebook, lint_paths, python_files


def notebook(*cells: str | tuple[str, str], indent: int | None = 1, ensure_ascii: bool = False,
             as_lists: bool = True, language: str = "python") -> str:
    """An nbformat-4 notebook: each cell is code text, or (cell_type, text)."""
    listed = []
    for cell in cells:
        kind, text = cell if isinstance(cell, tuple) else ("code", cell)
        source = text.splitlines(keepends=True) if as_lists else text
        entry = {"cell_type": kind, "metadata": {}, "source": source}
        if kind == "code":
            entry.update(execution_count=None, outputs=[])
        listed.append(entry)
    data = {"cells": listed, "metadata": {"language_info": {"name": language}}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(data, indent=indent, ensure_ascii=ensure_ascii)


LAYER_CELL = "import tensorflow as tf\nh = tf.layers.batch_normalization(x, training=is_training)\n"
TRAIN_CELL = "loss = tf.reduce_mean(h)\ntrain_op = tf.train.AdamOptimizer().minimize(loss)\n"


def test_update_ops_bug_caught_with_its_cell_position(tmp_path, capsys):
    path = tmp_path / "bn.ipynb"
    path.write_text(notebook(("markdown", "# Batch norm\n"), "%matplotlib inline\n!pip install tf1_bn\n" + LAYER_CELL,
                             ("markdown", "Train it:"), TRAIN_CELL))
    assert main(["lint", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{path}:cell 4:line 2:col 12: BN001 optimizer.minimize() builds a train op")
    assert "(tf.layers.batch_normalization at cell 2, line 4)" in out  # lines in messages are cell lines too


@pytest.mark.parametrize("cell, line", [
    ("%%time\n" + LAYER_CELL + TRAIN_CELL, 5),
    ("files = !ls\n%env TF_CPP_MIN_LOG_LEVEL=3\ntf.layers.batch_normalization?\n" + LAYER_CELL + TRAIN_CELL, 7),
    ("for i in range(2):\n    !echo $i\n    %time x = 1\n" + LAYER_CELL + TRAIN_CELL, 7),
])
def test_ipython_lines_are_skipped_and_numbering_kept(cell, line):
    (finding,) = lint_notebook(notebook(cell), "nb.ipynb")
    assert (finding.code, finding.cell, finding.line) == ("BN001", 1, line)


def test_cell_magics_with_other_languages_are_skipped():
    assert lint_notebook(notebook("%%bash\nprint x && echo 'not python'\n", LAYER_CELL), "nb.ipynb") == []


@pytest.mark.parametrize("options", [
    {"indent": 1}, {"indent": 1, "ensure_ascii": True}, {"indent": None}, {"indent": 2, "as_lists": False},
])
def test_file_position_points_into_the_notebook_text(options):
    text = notebook(LAYER_CELL, "note = 'caf\u00e9 \"quoted\"'; " + TRAIN_CELL.replace("\n", "\n", 1), **options)
    (finding,) = lint_notebook(text, "nb.ipynb")
    assert (finding.cell, finding.line, finding.col) == (2, 2, 12)
    line = text.splitlines()[finding.file_line - 1]
    if options.get("as_lists", True):  # the column lands on the call inside the JSON string
        assert line[finding.file_col - 1:].startswith("tf.train.AdamOptimizer().minimize(loss)")
    else:  # one JSON string per cell: its start
        assert line[finding.file_col - 2] == '"'


def test_noqa_in_a_cell():
    cell = TRAIN_CELL.replace("minimize(loss)", "minimize(loss)  # noqa: BN001")
    assert lint_notebook(notebook(LAYER_CELL, cell), "nb.ipynb") == []


def test_syntax_error_names_cell_and_line(tmp_path):
    with pytest.raises(LintError, match=r"nb\.ipynb:cell 2:line 2: syntax error"):
        lint_notebook(notebook(LAYER_CELL, "x = 1\nprint 'python 2'\n"), "nb.ipynb")


def test_nbformat_3_and_other_languages():
    v3 = {"nbformat": 3, "worksheets": [{"cells": [
        {"cell_type": "code", "input": LAYER_CELL.splitlines(keepends=True)},
        {"cell_type": "code", "input": TRAIN_CELL}]}], "metadata": {}}
    assert [f.code for f in lint_notebook(json.dumps(v3), "old.ipynb")] == ["BN001"]
    assert lint_notebook(notebook(LAYER_CELL + TRAIN_CELL, language="R"), "r.ipynb") == []


@pytest.mark.parametrize("content, message", [
    ("{not json", "not a valid notebook: invalid JSON at line 1 column 2"),
    ('{"nbformat": 4}', 'not a valid notebook: no "cells" list'),
    ('{"cells": [{"source": "x"}]}', "not a valid notebook: a cell without a cell_type"),
    ('{"cells": [{"cell_type": "code", "source": 3}]}', "not a valid notebook: cell 1's source is neither text nor a list of lines"),
    ("[]", "not a valid notebook: the JSON is not an object"),
])
def test_bad_notebooks_exit_2_one_line_and_the_others_are_linted(tmp_path, capsys, content, message):
    (tmp_path / "bad.ipynb").write_text(content)
    (tmp_path / "good.ipynb").write_text(notebook(LAYER_CELL, TRAIN_CELL))
    assert main(["lint", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert err.startswith(f"tf1-bn lint: error: {tmp_path / 'bad.ipynb'}: {message}")
    assert err.count("\n") == 1 and f"{tmp_path / 'good.ipynb'}:cell 2:line 2" in out


def test_not_utf8(tmp_path):
    (tmp_path / "latin.ipynb").write_bytes(b'{"cells": [], "x": "\xe9"}')
    with pytest.raises(LintError, match="latin.ipynb: not a valid notebook: not UTF-8"):
        lint_file(tmp_path / "latin.ipynb")


def test_folders_include_notebooks_but_not_checkpoints(tmp_path):
    (tmp_path / "a.ipynb").write_text(notebook(LAYER_CELL, TRAIN_CELL))
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text(notebook(LAYER_CELL, TRAIN_CELL))
    (tmp_path / "b.py").write_text(LAYER_CELL + TRAIN_CELL)
    assert python_files(tmp_path) == [tmp_path / "a.ipynb", tmp_path / "b.py"]
    assert [(f.path.rsplit("/", 1)[-1], f.cell, f.line) for f in lint_paths(tmp_path)] == [
        ("a.ipynb", 2, 2), ("b.py", None, 4)]
