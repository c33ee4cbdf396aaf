"""The pitfall lab: each mistake has the measured effect the README claims, and guard/lint see it."""

from __future__ import annotations

import pytest

from tf1_bn import mnist
from tf1_bn.cli.main import main
from tf1_bn.article.pitfalls import format_results, run_pitfalls


def _data():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mnist.read_data_sets("x", one_hot=True, seed=0, source="embedded")


@pytest.fixture(scope="module")
def results():
    rows = run_pitfalls(_data, only=["correct", "omitted", "batch_of_one", "few_steps", "population"], echo=lambda _: None)
    return {r.pitfall.key: r for r in rows}


def test_correct_wiring_infers_as_well_as_it_trains(results):
    row = results["correct"]
    assert row.training_mode > 0.7 and abs(row.inference - row.training_mode) < 0.05
    assert row.guard == "attached" and row.lint == "clean"


def test_omitted_update_ops_collapse_inference_and_both_tools_say_so(results):
    row = results["omitted"]
    assert row.training_mode > 0.7 and row.inference < 0.2
    assert row.guard.endswith("update ops not run") and row.lint == "BN001"


def test_batch_of_one_in_training_mode_predicts_one_class(results):
    row = results["batch_of_one"]
    assert "1 distinct class(es)" in row.effect and row.lint == "BN004"


def test_population_statistics_repair_a_network_trained_too_briefly(results):
    assert results["few_steps"].inference < results["few_steps"].training_mode - 0.15
    assert abs(results["population"].inference - results["population"].training_mode) < 0.05
    assert "population statistics" in format_results(list(results.values()))


def test_unknown_pitfall_is_a_one_line_error(capsys):
    assert main(["pitfalls", "--only", "nonsense"]) == 2
    assert "--only takes pitfall keys" in capsys.readouterr().err
