"""Classic slim nets at toy size (VGG block, ResNet v1 bottleneck, Inception module) built on tf1_bn.contrib.slim.

The nets are written here the way TF1 slim model code wrote them (arg_scope with normalizer_fn=slim.batch_norm,
`outputs_collections` end points, `@slim.add_arg_scope` units), not copied from tf_slim. Oracles: parameter
counts worked out by hand from the layer sizes, TF1's variable and end-point names, and the closed-form moving
average after one step, moving ← moving·decay + batch·(1 − decay), where every batch_norm here runs a fused
kernel (rank 4 or rank 2), so the batch variance is the Bessel-corrected σ²·m/(m − 1), as in TF 1.15.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np
import pytest
import tensorflow as tf

from tf1_bn.contrib import slim

v1 = tf.compat.v1
UPDATE_OPS = v1.GraphKeys.UPDATE_OPS
DECAY, EPSILON = 0.9, 1e-3
BN = ("BatchNorm/beta", "BatchNorm/moving_mean", "BatchNorm/moving_variance")  # scale=False: no gamma


def vgg_block(images, bn_params, reuse=None, num_classes=5, scope="vgg"):
    """conv1 (2 × 3x3 conv, 8) → pool1 → fc6 (16) → fc7 logits: VGG's layout, BN after every hidden layer."""
    with v1.variable_scope(scope, "vgg", [images], reuse=reuse) as sc:
        end_points_collection = sc.original_name_scope + "_end_points"
        with slim.arg_scope([slim.conv2d, slim.fully_connected, slim.max_pool2d],
                            outputs_collections=end_points_collection):
            with slim.arg_scope([slim.conv2d, slim.fully_connected], normalizer_fn=slim.batch_norm,
                                normalizer_params=bn_params):
                net = slim.repeat(images, 2, slim.conv2d, 8, [3, 3], scope="conv1")  # (N, 8, 8, 8)
                net = slim.max_pool2d(net, [2, 2], scope="pool1")  # (N, 4, 4, 8)
                net = slim.fully_connected(slim.flatten(net), 16, scope="fc6")  # (N, 16)
                net = slim.fully_connected(net, num_classes, activation_fn=None, normalizer_fn=None, scope="fc7")
        return net, slim.utils.convert_collection_to_dict(end_points_collection)


@slim.add_arg_scope
def bottleneck(inputs, depth, depth_bottleneck, stride, outputs_collections=None, scope=None):
    """ResNet v1 bottleneck: relu(shortcut + 1x1 → 3x3 (stride) → 1x1); a 1x1 projection when depths differ."""
    with v1.variable_scope(scope, "bottleneck_v1", [inputs]) as sc:
        depth_in = slim.utils.last_dimension(inputs.get_shape(), min_rank=4)
        if depth == depth_in and stride == 1:
            shortcut = inputs
        else:
            shortcut = slim.conv2d(inputs, depth, [1, 1], stride=stride, activation_fn=None, scope="shortcut")
        residual = slim.conv2d(inputs, depth_bottleneck, [1, 1], scope="conv1")
        residual = slim.conv2d(residual, depth_bottleneck, [3, 3], stride=stride, scope="conv2")
        residual = slim.conv2d(residual, depth, [1, 1], activation_fn=None, scope="conv3")
        output = tf.nn.relu(shortcut + residual)
        return slim.utils.collect_named_outputs(outputs_collections, sc.name, output)


def resnet_block(images, bn_params, reuse=None, scope="resnet"):
    """block1: unit_1 projects 8 → 16 channels at stride 2, unit_2 keeps the identity shortcut."""
    with v1.variable_scope(scope, "resnet", [images], reuse=reuse) as sc:
        end_points_collection = sc.original_name_scope + "_end_points"
        with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm, normalizer_params=bn_params), \
                slim.arg_scope([slim.conv2d, bottleneck], outputs_collections=end_points_collection):
            net = images
            with v1.variable_scope("block1"):
                for i, (depth, depth_bottleneck, stride) in enumerate([(16, 4, 2), (16, 4, 1)]):
                    with v1.variable_scope(f"unit_{i + 1}"):
                        net = bottleneck(net, depth, depth_bottleneck, stride)  # (N, 4, 4, 16)
        return net, slim.utils.convert_collection_to_dict(end_points_collection)


def inception_module(images, bn_params, reuse=None, scope="inception"):
    """Mixed_3b: 1x1 | 1x1→3x3 | 1x1→separable 3x3 | 3x3 max pool→1x1, concatenated on channels (4+6+5+3)."""
    with v1.variable_scope(scope, "inception", [images], reuse=reuse) as outer:
        end_points_collection = outer.original_name_scope + "_end_points"
        with slim.arg_scope([slim.conv2d, slim.separable_conv2d], normalizer_fn=slim.batch_norm,
                            normalizer_params=bn_params), \
                slim.arg_scope([slim.conv2d, slim.separable_conv2d, slim.max_pool2d],
                               outputs_collections=end_points_collection):
            with v1.variable_scope("Mixed_3b") as sc:
                with v1.variable_scope("Branch_0"):
                    branch_0 = slim.conv2d(images, 4, [1, 1], scope="Conv2d_0a_1x1")
                with v1.variable_scope("Branch_1"):
                    branch_1 = slim.conv2d(images, 3, [1, 1], scope="Conv2d_0a_1x1")
                    branch_1 = slim.conv2d(branch_1, 6, [3, 3], scope="Conv2d_0b_3x3")
                with v1.variable_scope("Branch_2"):
                    branch_2 = slim.conv2d(images, 2, [1, 1], scope="Conv2d_0a_1x1")
                    branch_2 = slim.separable_conv2d(branch_2, 5, [3, 3], depth_multiplier=1, scope="SepConv2d_0b_3x3")
                with v1.variable_scope("Branch_3"):
                    branch_3 = slim.max_pool2d(images, [3, 3], stride=1, padding="SAME", scope="MaxPool_0a_3x3")
                    branch_3 = slim.conv2d(branch_3, 3, [1, 1], scope="Conv2d_0b_1x1")
                net = tf.concat(axis=3, values=[branch_0, branch_1, branch_2, branch_3])  # (N, 5, 5, 18)
                slim.utils.collect_named_outputs(end_points_collection, sc.name, net)
        return net, slim.utils.convert_collection_to_dict(end_points_collection)


def _bn_layer(scope: str, weights: tuple[str, ...] = ("weights",)) -> list[str]:
    return [f"{scope}/{w}" for w in weights] + [f"{scope}/{role}" for role in BN]


@dataclasses.dataclass(frozen=True)
class Net:
    build: Callable
    input_shape: tuple  # (batch, height, width, channels); the placeholder leaves the batch unknown
    end_points: dict  # name → static shape, in collection order
    variables: list  # model variable names, in creation order
    parameters: int  # worked out by hand in NETS
    batch_norms: int
    checked: str  # a BN layer fed by the images: its input is `<checked>/Conv2D:0`, its output `<checked>/Relu:0`

    @property
    def id(self) -> str:
        return self.build.__name__


_UNIT = "resnet/block1/unit_{}/bottleneck_v1"
_MIXED = "inception/Mixed_3b/"
NETS = [
    Net(vgg_block, (4, 8, 8, 3),
        {"vgg/conv1/conv1_1": [None, 8, 8, 8], "vgg/conv1/conv1_2": [None, 8, 8, 8], "vgg/pool1": [None, 4, 4, 8],
         "vgg/fc6": [None, 16], "vgg/fc7": [None, 5]},
        [*_bn_layer("vgg/conv1/conv1_1"), *_bn_layer("vgg/conv1/conv1_2"), *_bn_layer("vgg/fc6"),
         "vgg/fc7/weights", "vgg/fc7/biases"],
        (3 * 3 * 3 * 8 + 3 * 8) + (3 * 3 * 8 * 8 + 3 * 8) + (4 * 4 * 8 * 16 + 3 * 16) + (16 * 5 + 5),  # 3021
        3, "vgg/conv1/conv1_1"),
    Net(resnet_block, (4, 8, 8, 8),
        {**{f"{_UNIT.format(1)}/{layer}": shape for layer, shape in [
            ("shortcut", [None, 4, 4, 16]), ("conv1", [None, 8, 8, 4]), ("conv2", [None, 4, 4, 4]),  # stride in 3x3
            ("conv3", [None, 4, 4, 16])]},
         _UNIT.format(1): [None, 4, 4, 16],
         **{f"{_UNIT.format(2)}/{layer}": [None, 4, 4, depth] for layer, depth in [("conv1", 4), ("conv2", 4),
                                                                                  ("conv3", 16)]},
         _UNIT.format(2): [None, 4, 4, 16]},
        [name for unit, layers in [(1, ["shortcut", "conv1", "conv2", "conv3"]), (2, ["conv1", "conv2", "conv3"])]
         for layer in layers for name in _bn_layer(f"{_UNIT.format(unit)}/{layer}")],
        (8 * 16 + 3 * 16) + (8 * 4 + 3 * 4) + (3 * 3 * 4 * 4 + 3 * 4) + (4 * 16 + 3 * 16)  # unit_1: 488
        + (16 * 4 + 3 * 4) + (3 * 3 * 4 * 4 + 3 * 4) + (4 * 16 + 3 * 16),  # unit_2 (no shortcut): 344
        7, f"{_UNIT.format(1)}/conv1"),
    Net(inception_module, (4, 5, 5, 6),
        {f"{_MIXED}Branch_0/Conv2d_0a_1x1": [None, 5, 5, 4], f"{_MIXED}Branch_1/Conv2d_0a_1x1": [None, 5, 5, 3],
         f"{_MIXED}Branch_1/Conv2d_0b_3x3": [None, 5, 5, 6], f"{_MIXED}Branch_2/Conv2d_0a_1x1": [None, 5, 5, 2],
         f"{_MIXED}Branch_2/SepConv2d_0b_3x3": [None, 5, 5, 5], f"{_MIXED}Branch_3/MaxPool_0a_3x3": [None, 5, 5, 6],
         f"{_MIXED}Branch_3/Conv2d_0b_1x1": [None, 5, 5, 3], "inception/Mixed_3b": [None, 5, 5, 18]},
        [*_bn_layer(f"{_MIXED}Branch_0/Conv2d_0a_1x1"), *_bn_layer(f"{_MIXED}Branch_1/Conv2d_0a_1x1"),
         *_bn_layer(f"{_MIXED}Branch_1/Conv2d_0b_3x3"), *_bn_layer(f"{_MIXED}Branch_2/Conv2d_0a_1x1"),
         *_bn_layer(f"{_MIXED}Branch_2/SepConv2d_0b_3x3", ("depthwise_weights", "pointwise_weights")),
         *_bn_layer(f"{_MIXED}Branch_3/Conv2d_0b_1x1")],
        (6 * 4 + 3 * 4) + (6 * 3 + 3 * 3) + (3 * 3 * 3 * 6 + 3 * 6) + (6 * 2 + 3 * 2)
        + (3 * 3 * 2 + 2 * 5 + 3 * 5) + (6 * 3 + 3 * 3),  # 331
        6, f"{_MIXED}Branch_0/Conv2d_0a_1x1"),
]
by_net = pytest.mark.parametrize("net", NETS, ids=lambda n: n.id)
by_updates = pytest.mark.parametrize("updates_collections", [UPDATE_OPS, None], ids=["UPDATE_OPS", "in-place"])


def _variable(name: str) -> tf.Variable:
    return next(v for v in v1.global_variables() if v.op.name == name)


def _build(net: Net, updates_collections=UPDATE_OPS, reuse=None):
    """(images, is_training, output, end_points) in the default graph."""
    images = v1.placeholder(tf.float32, [None, *net.input_shape[1:]], name="images")
    is_training = v1.placeholder(tf.bool, [], name="is_training")
    bn_params = {"is_training": is_training, "decay": DECAY, "epsilon": EPSILON,
                 "updates_collections": updates_collections}
    output, end_points = net.build(images, bn_params, reuse=reuse)
    return images, is_training, output, end_points


def _train_op(output: tf.Tensor) -> tf.Operation:
    """TF1's recipe: the step waits for the BN updates (an empty list when they run in place)."""
    loss = tf.reduce_mean(tf.square(output))
    with tf.control_dependencies(v1.get_collection(UPDATE_OPS)):
        return v1.train.GradientDescentOptimizer(0.05).minimize(loss)


def _statistics(session, layer: str) -> tuple[np.ndarray, np.ndarray]:
    names = (f"{layer}/BatchNorm/moving_mean", f"{layer}/BatchNorm/moving_variance")
    return tuple(session.run([_variable(name) for name in names]))


@by_net
def test_end_points_names_and_static_shapes(graph, net):
    _, _, output, end_points = _build(net)
    assert list(end_points) == list(net.end_points)
    assert {name: t.get_shape().as_list() for name, t in end_points.items()} == net.end_points
    assert end_points[list(net.end_points)[-1]] is output


@by_net
def test_exact_variable_names_and_hand_counted_parameters(graph, net):
    _build(net)
    assert [v.op.name for v in slim.get_model_variables()] == net.variables
    assert [v.op.name for v in v1.global_variables()] == net.variables  # nothing outside the model variables
    assert slim.model_analyzer.analyze_vars(slim.get_model_variables()) == (net.parameters, 4 * net.parameters)
    moving = slim.get_variables_by_name("moving_mean")
    assert len(moving) == net.batch_norms and not any(v.trainable for v in moving)


@by_net
@by_updates
def test_update_ops_two_per_batch_norm_or_none_in_place(graph, net, updates_collections):
    _build(net, updates_collections)
    expected = 2 * net.batch_norms if updates_collections else 0
    assert len(v1.get_collection(UPDATE_OPS)) == expected


@by_net
@by_updates
def test_one_training_step_moves_the_statistics_by_the_closed_form(graph, session, rng, net, updates_collections):
    images, is_training, output, _ = _build(net, updates_collections)
    train_op = _train_op(output)
    data = (rng.standard_normal(net.input_shape) * 2 + 3).astype(np.float32)
    session.run(v1.global_variables_initializer())
    layer_input = session.run(graph.get_tensor_by_name(f"{net.checked}/Conv2D:0"), {images: data})
    session.run(train_op, {images: data, is_training: True})

    axes = (0, 1, 2)
    batch_mean = layer_input.astype(np.float64).mean(axes)
    batch_variance = layer_input.astype(np.float64).var(axes, ddof=1)  # fused kernel: σ²·m/(m − 1)
    moving_mean, moving_variance = _statistics(session, net.checked)
    np.testing.assert_allclose(moving_mean, 0.0 * DECAY + batch_mean * (1 - DECAY), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(moving_variance, 1.0 * DECAY + batch_variance * (1 - DECAY), rtol=1e-5, atol=1e-6)
    for variable in slim.get_variables_by_name("moving_variance"):  # every BN layer moved, not only the first
        assert not np.allclose(session.run(variable), 1.0), variable.op.name


@by_net
@by_updates
def test_eval_mode_leaves_the_statistics_untouched_and_uses_them(graph, session, rng, net, updates_collections):
    images, is_training, output, _ = _build(net, updates_collections)
    train_op = _train_op(output)
    data = (rng.standard_normal(net.input_shape) + 1).astype(np.float32)
    session.run(v1.global_variables_initializer())
    session.run(train_op, {images: data, is_training: True})  # statistics away from their 0/1 start
    moving = [v for v in v1.global_variables() if v.op.name.endswith(("moving_mean", "moving_variance"))]
    before = session.run(moving)

    layer_input, layer_output, _ = session.run(
        [graph.get_tensor_by_name(f"{net.checked}/Conv2D:0"), graph.get_tensor_by_name(f"{net.checked}/Relu:0"),
         v1.get_collection(UPDATE_OPS)], {images: data * 3 - 2, is_training: False})
    for old, new in zip(before, session.run(moving)):
        np.testing.assert_array_equal(new, old)
    moving_mean, moving_variance = _statistics(session, net.checked)
    beta = session.run(_variable(f"{net.checked}/BatchNorm/beta"))
    expected = np.maximum((layer_input - moving_mean) / np.sqrt(moving_variance + EPSILON) + beta, 0.0)
    np.testing.assert_allclose(layer_output, expected, rtol=1e-4, atol=1e-4)


@by_net
def test_reuse_builds_the_same_net_again_without_new_variables(graph, session, rng, net):
    images, is_training, output, _ = _build(net)
    names = [v.op.name for v in v1.global_variables()]
    second = net.build(images, {"is_training": is_training, "decay": DECAY, "epsilon": EPSILON}, reuse=True)[0]
    assert [v.op.name for v in v1.global_variables()] == names
    assert [v.op.name for v in slim.get_model_variables()] == net.variables
    assert len(v1.get_collection(UPDATE_OPS)) == 4 * net.batch_norms  # the reused tower adds its own updates
    assert second.get_shape().as_list() == output.get_shape().as_list()
    session.run(v1.global_variables_initializer())
    feed = {images: rng.standard_normal(net.input_shape).astype(np.float32), is_training: False}
    first_value, second_value = session.run([output, second], feed)
    np.testing.assert_allclose(second_value, first_value, rtol=1e-6, atol=1e-6)
