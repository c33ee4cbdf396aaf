"""Smoke test of the conversion benchmark (`python -m tf1_bn.migrate.bench`) at a very small depth: the graph it
builds has the ResNet layout's layer count, converts with the TF1 outputs, and the process state is put back.
No timing is asserted; the ResNet-50 figures come from running the module."""

from __future__ import annotations

import pytest
import tensorflow as tf

from tf1_bn.migrate import bench

SMALL = dict(units=(1, 2), width=4, size=16)  # stem + 3 bottleneck units + 2 projections


def test_a_small_resnet_converts_with_the_graphs_outputs():
    state = tf.executing_eagerly(), tf.compat.v1.control_flow_v2_enabled()
    result = bench.run_benchmark(**SMALL)
    assert (tf.executing_eagerly(), tf.compat.v1.control_flow_v2_enabled()) == state
    convs = 1 + 3 * sum(SMALL["units"]) + len(SMALL["units"])  # stem, 3 per unit, one shortcut per block
    assert (result.conv_layers, result.bn_layers) == (convs, convs)
    assert result.graph_ops > 20 * convs
    assert result.max_abs_difference <= 1e-5 < result.output_scale
    assert 0 <= result.plan_seconds and result.build_seconds >= 0
    lines = result.lines()
    assert lines[0] == f"graph: slim ResNet units [1, 2], {result.graph_ops} ops"
    assert lines[1] == f"converted: {convs} Conv2D, {convs} BatchNormalization layers"


def test_the_command_line(capsys):
    assert bench.main(["--units", "1", "--width", "4", "--size", "8"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "converted: 5 Conv2D, 5 BatchNormalization layers"
    assert out[4].startswith("convert total:") and "30 s target" in out[4]
    assert out[5].startswith("inference max |Keras − TF1|: ")


@pytest.mark.parametrize("argv, message", [(["--units", "0"], "`units` must be positive ints"),
                                           (["--width", "2"], "`width` must be an int of at least 4")])
def test_bad_arguments_are_usage_errors(capsys, argv, message):
    with pytest.raises(SystemExit) as stop:
        bench.main(argv)
    assert stop.value.code == 2 and message in capsys.readouterr().err
