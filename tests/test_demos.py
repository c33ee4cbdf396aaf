"""Every TF1-style script in demos/ runs unchanged through `tf1-bn run`, with small step counts.

In-process through the CLI's `main` (the console script itself is exercised in test_compat_run.py), in a
temporary folder so `MNIST_data/` and the PNGs land there; MNIST is the embedded subset (offline).
"""

from __future__ import annotations

import pathlib
import warnings

import pytest

from tf1_bn.cli.main import main

DEMOS = pathlib.Path(__file__).resolve().parents[1] / "demos"

CASES = {
    # demo: (arguments, what stdout must say, files it writes)
    "update_ops_recipe.py": (["--steps", "30"], "inference (moving statistics)", []),
    "moments_ema.py": (["--steps", "2"], "OK", []),
    "update_ops_pitfall.py": (["--steps", "40"], "without UPDATE_OPS", []),
    "normalization_comparison.py": (["--images", "6", "--batch", "4", "--png", "h.png"], "largest difference", ["h.png"]),
    "conv_bn.py": (["--steps", "5", "--png", "c.png"], "NCHW: after 5 steps", ["c.png"]),
    "article_experiment.py": (["--steps", "40", "--validate-every", "20", "--png", "a.png"],
                              "With Batch Norm: The final accuracy on test data", ["a.png"]),
}


def test_every_demo_is_tested():
    assert sorted(p.name for p in DEMOS.glob("*.py")) == sorted(CASES)


@pytest.mark.parametrize("demo", sorted(CASES))
def test_demo_runs_through_tf1_bn_run(demo, tmp_path, monkeypatch, capsys):
    arguments, expected, files = CASES[demo]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TF1_BN_MNIST_SOURCE", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the embedded-MNIST notice
        code = main(["run", str(DEMOS / demo), *arguments])
    out, err = capsys.readouterr()
    assert code == 0, err[-3000:]
    assert expected in out
    for name in files:
        assert (tmp_path / name).stat().st_size > 1000, name
