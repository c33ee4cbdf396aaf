"""tf1_bn.migrate.converter.convert on each supported TF1 model family (issue 14): built under TF1 behaviour
(graph mode, TF1 shapes, Switch/Merge conds), trained a few steps with the UPDATE_OPS recipe on plain and
shifted data, converted; the Keras model must give the graph's outputs in inference and training mode,
carry over momentum and ε, hold the variables' values, and leave the graph without a new op."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf

import tf1_bn.layers as layers
from tf1_bn.article import backends
from tf1_bn.article.experiment import article_weights
from tf1_bn.article.network import NeuralNetwork
from tf1_bn.compat import behaviour
from tf1_bn.contrib import layers as contrib
from tf1_bn.contrib import slim
from tf1_bn.migrate.converter import convert
from tf1_bn.migrate.keras_model import eager

TOLERANCE = 1e-5    # max |Keras − TF1|, float32 (issue 14, "Done when")
SHIFT = 3.0         # every other training batch, and one compared batch, is shifted by this
TRAIN_STEPS = 6
LEARNING_RATE = 0.05
EMA_MOMENTUM = 0.9  # given to moments_ema_bn / assign_bn / NeuralNetwork
GRAPH_SEED = 0      # measured max |Δ| with it: ≤ 4e-6 (fused kernels vs Keras's tf.nn.moments), 0 when not fused
UPDATE_OPS = tf.compat.v1.GraphKeys.UPDATE_OPS


@pytest.fixture
def tf1():
    """TF1's global behaviour (graph mode, TF1 shapes, v1 control flow), switched back afterwards."""
    switched = behaviour.switch_to_tf1()
    try:
        yield
    finally:
        behaviour.switch_back(switched)


@pytest.fixture
def sess(tf1, graph, session):
    """A Session on a fresh graph made after the switch to TF1 behaviour, with a graph seed: the initial
    weights, hence the outputs' size and the float32 differences, are the same on every run."""
    tf.compat.v1.set_random_seed(GRAPH_SEED)
    return session


@dataclasses.dataclass
class Built:
    """One TF1 model: placeholders, output, one batch's shape, and `expect`: Keras layer → (count, arguments)."""

    x: tf.Tensor
    is_training: tf.Tensor
    output: tf.Tensor
    shape: tuple
    expect: dict

    @property
    def bn_count(self) -> int:
        return self.expect.get("BatchNormalization", (0, {}))[0]


def batch_norms(count: int, momentum: float, epsilon: float = 1e-3, **arguments) -> dict:
    """`count` BatchNormalization layers with TF1's momentum and ε carried over (and `arguments`)."""
    return {"BatchNormalization": (count, dict(momentum=momentum, epsilon=epsilon, **arguments))}


def placeholders(shape, x_name="x"):
    x = tf.compat.v1.placeholder(tf.float32, (None, *shape[1:]), name=x_name)
    return x, tf.compat.v1.placeholder(tf.bool, (), name="is_training")


def train(sess, built: Built, rng, steps: int = TRAIN_STEPS) -> None:
    """Initialize, then SGD on mean((y − 1)²) waiting for UPDATE_OPS (seed 000's recipe); odd batches +SHIFT."""
    loss = tf.reduce_mean(tf.square(built.output - 1.0))
    with tf.control_dependencies(tf.compat.v1.get_collection(UPDATE_OPS)):
        train_op = tf.compat.v1.train.GradientDescentOptimizer(LEARNING_RATE).minimize(loss)
    sess.run(tf.compat.v1.global_variables_initializer())
    for step in range(steps):
        sess.run(train_op, {built.x: rng.normal(size=built.shape) + SHIFT * (step % 2), built.is_training: True})


def convert_checked(sess, built: Built, **names):
    """convert(…, steps=[]) by tensors (or by `names`), asserting that the graph gains no op; → (model, steps)."""
    before = len(sess.graph.get_operations())
    steps: list = []
    model = convert(sess, names.get("inputs", built.x), names.get("outputs", built.output),
                    names.get("training", built.is_training), steps=steps)
    assert len(sess.graph.get_operations()) == before
    return model, steps


def assert_steps(sess, model, steps, built: Built) -> None:
    """The expected Keras layers with their converted arguments; moved moving statistics; weights = TF1 values."""
    for kind, (count, arguments) in built.expect.items():
        found = [step for _, step in steps if step.layer == kind]
        assert len(found) == count, (kind, [step.describe() for _, step in steps])
        for step in found:
            assert {k: step.arguments[k] for k in arguments} == pytest.approx(arguments, rel=1e-6), step.describe()
    with eager():
        for _, step in steps:
            layer = model.get_layer(step.keras_name)
            expected = {name: w if isinstance(w, np.ndarray) else sess.run(w)
                        for name, w in zip(step.weight_names, step.weights)}
            if step.layer == "BatchNormalization":
                assert (layer.momentum, layer.epsilon) == pytest.approx(
                    (step.arguments["momentum"], step.arguments["epsilon"]))
                assert np.any(expected["moving_mean"] != 0) and np.any(expected["moving_variance"] != 1)  # trained
            actual = dict(zip(step.weight_names, layer.get_weights()))
            assert actual.keys() == expected.keys(), step.describe()
            for name in actual:
                np.testing.assert_array_equal(actual[name], expected[name], err_msg=f"{step.keras_name}.{name}")


def compared_batches(rng, built: Built) -> list[np.ndarray]:
    return [rng.normal(size=built.shape).astype(np.float32), (rng.normal(size=built.shape) + SHIFT).astype(np.float32)]


def assert_outputs(sess, model, built: Built, batches, steps=()) -> None:
    """Keras(training=False/True) = TF1(is_training=False/True) on every batch, within TOLERANCE.

    Inference first: a training-mode pass updates the statistics of Keras, and of updates_collections=None,
    moments_ema and assign graphs. Dropout masks are random on both sides: Keras's masked tensor is fed
    into the TF1 graph in place of TF1's, after checking that it is TF1's input, masked and scaled."""
    feed = lambda b, t: {built.x: b, built.is_training: t}  # noqa: E731
    tf_inference = [sess.run(built.output, feed(b, False)) for b in batches]
    with eager():
        keras_inference = [model(b, training=False).numpy() for b in batches]
    for tf_out, keras_out in zip(tf_inference, keras_inference):
        assert keras_out.shape == tf_out.shape
        np.testing.assert_allclose(keras_out, tf_out, rtol=0, atol=TOLERANCE, err_msg="training=False")
    dropout = next((step for _, step in steps if step.layer == "Dropout"), None)
    for b, tf_out in zip(batches, tf_inference):
        with eager():
            if dropout is None:
                keras_train, fed = model(b, training=True).numpy(), {}
            else:
                layer = model.get_layer(dropout.keras_name)
                probe = keras.Model(model.input, [layer.input, layer.output, model.output])
                before, masked, keras_train = (t.numpy() for t in probe(b, training=True))
        if dropout is not None:
            np.testing.assert_allclose(before, sess.run(dropout.inputs[0], feed(b, True)), rtol=0, atol=TOLERANCE)
            kept = masked != 0
            assert 0 < kept.mean() < 1
            np.testing.assert_allclose(masked[kept], before[kept] / (1 - dropout.arguments["rate"]), rtol=1e-6)
            fed = {sess.graph.get_tensor_by_name(dropout.tf1 + ":0"): masked}
        tf_train = sess.run(built.output, {**feed(b, True), **fed})
        np.testing.assert_allclose(keras_train, tf_train, rtol=0, atol=TOLERANCE, err_msg="training=True")
        if built.bn_count:
            assert np.abs(tf_train - tf_out).max() > 1e-3  # the two modes really differ


def check_family(sess, built: Built, rng):
    """Train, convert, and check steps, weights and outputs; → (model, steps)."""
    kinds = {op.type for op in sess.graph.get_operations()}
    assert not kinds & {"If", "StatelessIf"} and ("Switch" in kinds) == bool(built.bn_count)  # v1 control flow
    train(sess, built, rng)
    model, steps = convert_checked(sess, built)
    assert_steps(sess, model, steps, built)
    assert_outputs(sess, model, built, compared_batches(rng, built), steps)
    return model, steps


# ----------------------------------------------------------------------------------------- the families
def mlp(shape=(32, 12)) -> Built:
    """tf.layers: dense → batch_normalization (rank 2: not fused) → relu, twice; dropout; dense."""
    x, is_training = placeholders(shape, "images")
    h = x
    for units in (16, 16):
        h = tf.nn.relu(layers.batch_normalization(layers.dense(h, units, use_bias=False), training=is_training))
    h = layers.dropout(h, rate=0.25, training=is_training)
    return Built(x, is_training, tf.identity(layers.dense(h, 3), name="logits"), shape,
                 {**batch_norms(2, 0.99, axis=1, center=True, scale=True), "Dropout": (1, {"rate": 0.25})})


def conv_net(kind: str, data_format: str) -> Built:
    """conv2d(no bias) → batch_normalization (fused) → relu → max_pooling2d → flatten → dense."""
    nchw = data_format == "NCHW"
    shape = (16, 3, 8, 8) if nchw else (16, 8, 8, 3)
    x, is_training = placeholders(shape)
    if kind == "layers":
        keras_format = "channels_first" if nchw else "channels_last"
        h = layers.conv2d(x, 8, 3, padding="same", use_bias=False, data_format=keras_format)
        h = tf.nn.relu(layers.batch_normalization(h, axis=1 if nchw else -1, training=is_training))
        y = layers.dense(layers.flatten(layers.max_pooling2d(h, 2, 2, data_format=keras_format)), 5)
        expect = batch_norms(1, 0.99, axis=1 if nchw else 3, scale=True)
    else:
        h = contrib.conv2d(x, 8, 3, data_format=data_format, normalizer_fn=contrib.batch_norm,
                           normalizer_params={"is_training": is_training, "data_format": data_format})
        y = contrib.fully_connected(contrib.flatten(contrib.max_pool2d(h, 2, data_format=data_format)), 5,
                                    activation_fn=None)
        expect = batch_norms(1, 0.999, axis=1 if nchw else 3, center=True, scale=False)
    return Built(x, is_training, y, shape, {**expect, "Conv2D": (1, {}), "MaxPooling2D": (1, {})})


def discriminator(fused) -> Built:
    """DCGAN: conv → lrelu, conv → batch_norm(updates_collections=None, scale=True) → lrelu, fully_connected."""
    shape = (16, 8, 8, 3)
    x, is_training = placeholders(shape)
    params = {"is_training": is_training, "updates_collections": None, "scale": True, "fused": fused}
    leaky = lambda h: tf.maximum(h, 0.2 * h)  # noqa: E731  (DCGAN's hand-written leaky relu)
    h = leaky(contrib.conv2d(x, 8, 4, stride=2, activation_fn=None))
    h = leaky(contrib.conv2d(h, 16, 4, stride=2, activation_fn=None, normalizer_fn=contrib.batch_norm,
                             normalizer_params=params))
    return Built(x, is_training, contrib.fully_connected(contrib.flatten(h), 1, activation_fn=None), shape,
                 {**batch_norms(1, 0.999, axis=3, scale=True), "LeakyReLU": (2, {"negative_slope": 0.2})})


def generator() -> Built:
    """DCGAN: z → fully_connected + batch_norm → relu → dense → reshape → batch_norm → relu → conv2d (tanh)."""
    shape = (16, 8)
    z, is_training = placeholders(shape)
    params = {"is_training": is_training, "updates_collections": None, "scale": True}
    h = contrib.fully_connected(z, 32, normalizer_fn=contrib.batch_norm, normalizer_params=params)
    h = tf.reshape(layers.dense(h, 4 * 4 * 8), [-1, 4, 4, 8])          # (batch, 4, 4, 8)
    h = tf.nn.relu(contrib.batch_norm(h, **params))
    return Built(z, is_training, contrib.conv2d(h, 3, 3, activation_fn=tf.nn.tanh), shape,
                 {**batch_norms(2, 0.999, scale=True), "Dense": (2, {}), "Conv2D": (1, {})})


def residual_net() -> Built:
    """slim + arg_scope: conv2d with normalizer_fn=slim.batch_norm, an identity shortcut, relu, global mean."""
    shape = (16, 8, 8, 3)
    x, is_training = placeholders(shape)
    with slim.arg_scope([slim.conv2d], kernel_size=[3, 3], normalizer_fn=slim.batch_norm,
                        normalizer_params={"is_training": is_training}):
        shortcut = slim.conv2d(x, 8, scope="stem")
        net = slim.conv2d(slim.conv2d(shortcut, 8, scope="block/conv1"), 8, activation_fn=None, scope="block/conv2")
        net = tf.nn.relu(net + shortcut)
    net = tf.reduce_mean(net, [1, 2])                                   # (batch, 8)
    return Built(x, is_training, slim.fully_connected(net, 4, activation_fn=None, scope="logits"), shape,
                 {**batch_norms(3, 0.999, axis=3, scale=False), "Add": (1, {}), "GlobalAveragePooling2D": (1, {})})


def seed003(backend) -> Built:
    """x·W → moments_ema_bn or assign_bn (tf.cond on is_training) → relu → dense."""
    shape = (32, 10)
    x, is_training = placeholders(shape)
    weights = tf.Variable(np.random.default_rng(3).normal(0, 0.3, (10, 16)).astype(np.float32))
    h, _ = backend(tf.matmul(x, weights), is_training, EMA_MOMENTUM)
    return Built(x, is_training, layers.dense(tf.nn.relu(h), 3), shape,
                 {**batch_norms(1, EMA_MOMENTUM, axis=1, center=True, scale=True), "Dense": (2, {})})


FAMILIES = {
    "mlp": mlp,
    "conv-layers-NHWC": lambda: conv_net("layers", "NHWC"),
    "conv-layers-NCHW": lambda: conv_net("layers", "NCHW"),
    "conv-contrib-NCHW": lambda: conv_net("contrib", "NCHW"),
    "dcgan-discriminator-fused": lambda: discriminator(None),
    "dcgan-discriminator-moments": lambda: discriminator(False),
    "dcgan-generator": generator,
    "slim-residual": residual_net,
    "moments-ema": lambda: seed003(backends.moments_ema_bn),
    "assign": lambda: seed003(backends.assign_bn),
}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_each_family_converts_with_the_graphs_outputs(sess, rng, family):
    check_family(sess, FAMILIES[family](), rng)


@pytest.mark.parametrize("backend", ["layers", "moments_ema", "assign", "none"])
def test_the_articles_network_converts_on_every_backend(sess, rng, backend):
    network = NeuralNetwork(article_weights(0.05, 1), tf.nn.relu, backend != "none", bn=backend,
                            momentum=EMA_MOMENTUM)
    count = 0 if backend == "none" else 3
    built = Built(network.input_layer, network.is_training, network.output_layer, (60, 784),
                  {**batch_norms(count, EMA_MOMENTUM, backends.EPSILON, axis=1), "Dense": (4, {})})
    _, steps = check_family(sess, built, rng)
    assert len(network.batch_norms) == count
    norms = [step for _, step in steps if step.layer == "BatchNormalization"]
    for step, bn in zip(norms, network.batch_norms):  # the backend's inference statistics, not others
        assert [w.op.name for w in step.weights] == [
            v.op.name for v in (bn.gamma, bn.beta, bn.moving_mean, bn.moving_variance)]


# ----------------------------------------------------------------------------------------- bad input
UNSUPPORTED = {  # op type → a graph ending in it; conv2d_transpose is not supported yet, with or without bias
    "Cumsum": lambda h: tf.math.cumsum(h, axis=-1, name="running_total"),
    "Conv2DBackpropInput": lambda h: layers.conv2d_transpose(h, 3, 3, strides=2, padding="same", use_bias=False),
    "Conv2DBackpropInput+BiasAdd": lambda h: layers.conv2d_transpose(h, 3, 3, strides=2, padding="same"),
}


@pytest.mark.parametrize("case", list(UNSUPPORTED))
def test_an_unsupported_op_is_named_with_its_type_and_the_supported_list(sess, case):
    x, is_training = placeholders((4, 4, 4, 8))
    y = tf.nn.relu(layers.batch_normalization(UNSUPPORTED[case](x), training=is_training))
    sess.run(tf.compat.v1.global_variables_initializer())
    op_type = case.split("+")[0]
    (op,) = [op for op in sess.graph.get_operations() if op.type == op_type]
    before = len(sess.graph.get_operations())
    with pytest.raises(ValueError, match=rf"of type {op_type} .*the converter supports: .*batch norm") as error:
        convert(sess, x, y, is_training)
    assert repr(op.name) in str(error.value)
    assert len(sess.graph.get_operations()) == before


def test_a_wrong_training_placeholder_is_refused(sess):
    built = mlp()
    other = tf.compat.v1.placeholder(tf.bool, (), name="other_flag")
    rate = tf.compat.v1.placeholder(tf.float32, (), name="learning_rate")
    sess.run(tf.compat.v1.global_variables_initializer())
    with pytest.raises(ValueError, match="switches on 'is_training:0', not on `training` \\('other_flag:0'\\)"):
        convert(sess, built.x, built.output, other)
    with pytest.raises(ValueError, match="pass that placeholder as `training`"):
        convert(sess, built.x, built.output)
    with pytest.raises(ValueError, match="bool placeholder; received learning_rate:0 of float32"):
        convert(sess, built.x, built.output, rate)


@pytest.mark.parametrize("argument, names, near", [
    ("inputs", ("imagse", "logits", "is_training"), "images"),
    ("outputs", ("images", "logit", "is_training"), "logits"),
    ("training", ("images", "logits", "is_trainnig"), "is_training")])
def test_a_misspelled_name_suggests_the_near_one(sess, argument, names, near):
    mlp()
    sess.run(tf.compat.v1.global_variables_initializer())
    with pytest.raises(ValueError, match=rf"`{argument}`: the graph has no tensor .*did you mean .*\b{near}\b"):
        convert(sess, *names)
    model = convert(sess, "images", "logits:0", "is_training:0")  # and the right names work
    assert model.input.shape == (None, 12) and model.output.shape == (None, 3)


@pytest.mark.parametrize("options", [dict(fused=False), dict(fused=True), dict(virtual_batch_size=2),
                                     dict(renorm=True, renorm_momentum=0.0)], ids=["plain", "fused", "ghost", "renorm"])
def test_momentum_zero_is_carried_over_not_taken_for_missing(sess, options):
    """momentum=0 (moving ← batch) is a momentum like any other: not replaced by the 0.99 default."""
    x, is_training = placeholders((4, 3, 3, 4))
    output = layers.batch_normalization(x, momentum=0.0, training=is_training, **options)
    sess.run(tf.compat.v1.global_variables_initializer())
    steps: list = []
    convert(sess, x, output, is_training, steps=steps)
    [bn] = [step for _, step in steps if step.layer.lower().endswith("normalization")]
    assert bn.arguments["momentum"] == 0.0 and not any("0.99" in note for note in bn.notes), bn.describe()
    if options.get("renorm"):
        assert bn.arguments["renorm_momentum"] == 0.0
