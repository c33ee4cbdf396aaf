"""tf1_bn.article.profile: the traced batched step, summed by kernel type."""

from __future__ import annotations

import warnings

import pytest
import tensorflow as tf
from tensorflow.core.framework import step_stats_pb2

from tf1_bn import mnist
from tf1_bn.article import profile


def _metadata(nodes: list[tuple[str, str, int, int]]) -> tf.compat.v1.RunMetadata:
    """RunMetadata whose one device ran `nodes`: (node name, timeline label, start µs, duration µs)."""
    metadata = tf.compat.v1.RunMetadata()
    device = metadata.step_stats.dev_stats.add(device="/cpu:0")
    for name, label, start, duration in nodes:
        device.node_stats.append(step_stats_pb2.NodeExecStats(
            node_name=name, timeline_label=label, all_start_micros=start, all_end_rel_micros=duration))
    return metadata


def test_summarize_sums_durations_by_kernel_type_per_step():
    metadata = _metadata([
        ("_SOURCE", "_SOURCE", 100, 1),
        ("while/MatMul", "while/MatMul = _MklBatchMatMulV2(a, b)", 101, 40),
        ("while/MatMul_1", "while/MatMul_1 = _MklBatchMatMulV2(c, d)", 141, 20),
        ("while/Relu", "while/Relu = Relu(while/MatMul)", 161, 9),
    ])
    per_kernel, wall = profile.summarize(metadata, steps=2)
    assert per_kernel == {"_MklBatchMatMulV2": (30.0, 1.0), "Relu": (4.5, 0.5), "_SOURCE": (0.5, 0.5)}
    assert list(per_kernel)[0] == "_MklBatchMatMulV2"  # largest first
    assert wall == (170 - 100) / 2
    result = profile.StepProfile(False, 2, per_kernel, wall)
    assert result.op_us == 35.0 and result.busy(cores=2) == pytest.approx(35.0 / 70)


def test_an_untraced_run_is_named_as_such():
    with pytest.raises(ValueError, match="trace_level=FULL_TRACE"):
        profile.summarize(tf.compat.v1.RunMetadata(), steps=1)


@pytest.fixture(scope="module")
def data():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mnist.read_data_sets("no-such-folder", one_hot=True, seed=0, source="embedded")


def test_the_bn_step_is_traced_with_its_matmuls_and_bn_calls(graph, data):
    result = profile.profile_batched(True, data, steps=3, warmup=1)
    assert result.batch_norm and result.steps == 3
    matmuls = [k for k in result.per_kernel if "BatchMatMul" in k]
    assert matmuls and sum(result.per_kernel[k][1] for k in matmuls) == 11  # forward 4, weight grads 4, input grads 3
    assert result.per_kernel["PartitionedCall"][1] == 6  # one XLA call forward and one backward per hidden layer
    assert 0 < result.busy(cores=2) <= 2
    text = profile.report([result], top=3, cores=2)
    assert "with BN" in text and "busy" in text and len(text.splitlines()) == 1 + 3 + 3


@pytest.mark.parametrize("argument", ["steps", "warmup"])
@pytest.mark.parametrize("value", [0, -1, 2.5, True])
def test_bad_counts(data, argument, value):
    with pytest.raises(ValueError, match=f"`{argument}` must be a positive integer"):
        profile.profile_batched(True, data, **{argument: value})


@pytest.mark.parametrize("argv", [["--steps", "0"], ["--top", "-1"], ["--steps", "x"]])
def test_the_command_refuses_bad_options_with_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        profile.main(argv)
    assert exit_info.value.code == 2
    assert f"error: argument {argv[0]}: " in capsys.readouterr().err.strip().splitlines()[-1]
