"""The experiment commands end to end, in-process with tiny step counts: table, compare, bench."""

from __future__ import annotations

import csv
import json

import pytest

from tf1_bn.cli.main import main
from tf1_bn.article.table import CSV_HEADER, parse_only, verdict


@pytest.mark.parametrize("without_bn, with_bn, expected", [
    (0.9774, 0.9800, "tie"), (0.8570, 0.9700, "BN better"), (0.0982, 0.9805, "BN rescues"),
    (0.0980, 0.0974, "both fail"), (0.97, 0.30, "BN breaks"), (0.97, 0.90, "BN worse"), (0.90, 0.91, "tie"),
])
def test_verdict(without_bn, with_bn, expected):
    assert verdict(without_bn, with_bn) == expected


def test_the_article_verdicts():
    from tf1_bn.article.experiment import article_table

    verdicts = [verdict(r.test_acc_without_bn, r.test_acc_with_bn) for r in article_table()]
    assert verdicts == ["tie", "BN better", "BN rescues", "tie", "BN rescues", "BN rescues", "both fail", "BN rescues"]


def test_csv_header_is_the_articles():
    from importlib.resources import files

    header = files("tf1_bn.article").joinpath("data/article_table.csv").read_text().splitlines()[0].split(",")
    assert header == CSV_HEADER


@pytest.mark.parametrize("text, rows", [(None, list(range(1, 9))), ("3,1,3", [1, 3]), (" 8 ", [8])])
def test_parse_only(text, rows):
    assert parse_only(text) == rows


@pytest.mark.parametrize("text", ["0", "9", "1,x", ",", ""])
def test_parse_only_rejects(text):
    with pytest.raises(ValueError, match="`only` takes model numbers 1-8"):  # the CLI says --only
        parse_only(text)


@pytest.mark.parametrize("options, mode", [([], "batched"), (["--solo"], "solo"), (["--faithful"], "faithful")])
def test_table_writes_csv_pngs_and_prints_beside_the_article(tmp_path, capsys, options, mode):
    out = tmp_path / "results"
    code = main(["table", "--steps", "12", "--validate-every", "5", "--only", "1,7", "--out", str(out), "--no-progress", *options])
    assert code == 0
    printed = capsys.readouterr().out
    assert "article: no BN" in printed and "both fail" in printed and "diverged" in printed
    assert f"trained {mode} in" in printed
    with open(out / "results.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == CSV_HEADER and [r[0] for r in rows[1:]] == ["1", "7"]
    assert all(0 <= float(v) <= 1 for r in rows[1:] for v in r[4:])
    for name in ("model_1.png", "model_7.png", "all_models.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(out.glob(".*tmp"))  # nothing half-written left behind


def test_compare_runs_one_pair(tmp_path, capsys):
    plot = tmp_path / "pair.png"
    code = main(["compare", "--weights", "small", "--lr", "0.5", "--activation", "relu", "--steps", "20",
                 "--validate-every", "10", "--no-progress", "--plot", str(plot)])
    printed = capsys.readouterr().out
    assert code == 0 and "verdict:" in printed and "with BN" in printed and plot.exists()


def test_bn_backends_other_than_layers_train_solo_with_a_note(tmp_path, capsys):
    code = main(["table", "--steps", "6", "--validate-every", "5", "--only", "2", "--bn", "moments_ema",
                 "--out", str(tmp_path), "--no-progress"])
    printed = capsys.readouterr().out
    assert code == 0 and "note: bn='moments_ema' trains the networks one at a time" in printed
    assert "trained solo in" in printed


def test_bench_json_is_the_last_line(capsys, monkeypatch):
    from tf1_bn.article import bench

    tables = []  # the whole table (16 graphs solo) is the table command's test; here its row in the JSON
    monkeypatch.setattr(bench, "measure_table", lambda factory, mode, steps: tables.append((mode, steps)) or 1000.0)
    assert main(["bench", "--steps", "30", "--repeats", "1", "--warmup", "5", "--table-steps", "2", "--json"]) == 0
    assert tables == [("batched", 2), ("solo", 2)]
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["batch_size"] == 60 and summary["steps"] == 30
    assert {"results", "speedup", "bn_overhead"} <= set(summary)  # the keys of before issue 17 stay
    assert {(r["path"], r["batch_norm"]) for r in summary["results"]} == {
        (path, bn) for path in ("faithful", "fast", "batched") for bn in (False, True)}
    assert all(r["steps_per_s"] > 0 for r in summary["results"])
    assert summary["flops_per_step"] == 2 * 60 * (2 * (784 * 128 + 2 * 128 * 128 + 128 * 10) + 2 * 128 * 128 + 128 * 10)
    for r in summary["results"]:
        assert r["percent_of_bound"] == pytest.approx(100 * r["steps_per_s"] * r["flops_per_step"] / 1e9 / summary["bound_gflops"], abs=0.1)
        assert 0 < r["matmul_gflops"] and 0 < r["percent_of_bound"] < 100
    assert set(summary["table"]["network_steps_per_s"]) == {"batched", "solo"} and summary["table"]["steps"] == 2


@pytest.mark.parametrize("argv, message", [
    (["table", "--only", "9"], "--only takes model numbers 1-8"),
    (["table", "--steps", "0"], "expected a positive integer"),
    (["table", "--solo", "--faithful"], "argument --faithful: not allowed with argument --solo"),
    (["compare", "--weights", "small", "--lr", "1", "--activation", "relu", "--faithful", "--solo"], "not allowed with"),
    (["bench", "--table-steps", "0"], "expected a positive integer"),
    (["table", "--data", "/no/such/folder"], "is not 'mnist', 'fashion' or an existing folder"),
    (["compare", "--weights", "huge", "--lr", "1", "--activation", "relu"], "invalid choice"),
    (["compare", "--weights", "small", "--lr", "-1", "--activation", "relu"], "expected a positive number"),
    (["bench", "--steps", "x"], "expected a positive integer"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse errors
        code = exit_.code
    error = capsys.readouterr().err
    assert code == 2 and message in error and "Traceback" not in error


def test_table_with_population_statistics(tmp_path, capsys):
    code = main(["table", "--steps", "30", "--validate-every", "10", "--only", "8", "--inference-stats", "population",
                 "--out", str(tmp_path), "--no-progress"])
    assert code == 0 and "population (Algorithm 2)" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["table", "--out", "{file}"],
    ["pitfalls", "--out", "{file}/sub"],
    ["compare", "--weights", "small", "--lr", "1", "--activation", "relu", "--plot", "{file}/curves.png"],
])
def test_an_unusable_output_path_fails_before_training(tmp_path, capsys, argv):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    argv = [a.replace("{file}", str(blocker)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and str(blocker) in err and ("--out" in err or "--plot" in err)
