"""tf.contrib.layers.batch_norm (tf1_bn.contrib) against TF 1.15's contrib semantics.

Oracles: the NumPy reference (outputs in both modes, closed-form moving averages after one step:
moving_mean = (1 − d)·μ, moving_variance = d + (1 − d)·σ², σ² Bessel-corrected exactly on the fused
paths), TF1's own layer kept in tf-keras (for the path that delegates to tf.layers), and TensorFlow's
internal assign_moving_average(zero_debias=True) for the zero-debiased mean.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from tf1_bn import reference
from tf1_bn.contrib import batch_norm as contrib_batch_norm
from tf1_bn.contrib.layers import batch_norm

pytestmark = pytest.mark.usefixtures("behaviour")  # each test under TF2 and TF1 behaviour

GraphKeys = tf.compat.v1.GraphKeys
DECAY = 0.9


def _variable(name: str) -> tf.Variable:
    """The variable called `name` (fetching "name:0" would return a resource handle, not the value)."""
    return next(v for v in tf.compat.v1.global_variables() if v.op.name == name)


@dataclasses.dataclass(frozen=True)
class Case:
    shape: tuple
    kwargs: dict
    bessel: bool  # the moving variance tracks σ²·m/(m−1) (a fused kernel ran)

    @property
    def id(self) -> str:
        return f"r{len(self.shape)}-" + (",".join(f"{k}={v}" for k, v in self.kwargs.items()) or "default")


CASES = [
    Case((10, 4), {}, True),                                          # rank 2: contrib's own fused path
    Case((10, 4), dict(fused=False), False),                          # → tf.layers, plain
    Case((10, 4), dict(fused=False, updates_collections=None), False),  # → moments path
    Case((6, 3, 3, 4), {}, True),                                     # → tf.layers, fused NHWC
    Case((6, 4, 3, 3), dict(data_format="NCHW"), True),               # → tf.layers, fused NCHW
    Case((6, 3, 3, 4), dict(fused=False), False),                     # → tf.layers, plain
    Case((6, 3, 3, 4), dict(updates_collections=None), True),         # → contrib fused, in place
    Case((6, 4, 3, 3), dict(data_format="NCHW", updates_collections="my_updates"), True),
    Case((6, 4, 3, 3), dict(data_format="NCHW", fused=False, updates_collections=None), False),  # moments NCHW
    Case((6, 5, 4), {}, False),                                       # rank 3 → tf.layers, plain
    Case((6, 5, 4), dict(updates_collections=None), False),           # rank 3 → moments path
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_one_step_matches_the_closed_form(graph, session, rng, case):
    channel_axis = 1 if case.kwargs.get("data_format") == "NCHW" else -1
    data = (rng.standard_normal(case.shape) * 3 + 5).astype(np.float32)
    x = tf.compat.v1.placeholder(tf.float32, case.shape)
    is_training = tf.compat.v1.placeholder(tf.bool, [])
    y = batch_norm(x, decay=DECAY, is_training=is_training, **case.kwargs)
    names = sorted(v.name for v in tf.compat.v1.global_variables())
    assert names == ["BatchNorm/beta:0", "BatchNorm/moving_mean:0", "BatchNorm/moving_variance:0"]  # scale=False
    assert [v.name for v in tf.compat.v1.trainable_variables()] == ["BatchNorm/beta:0"]
    assert len(tf.compat.v1.get_collection(GraphKeys.MODEL_VARIABLES)) == 3
    collection = case.kwargs.get("updates_collections", GraphKeys.UPDATE_OPS)
    updates = tf.compat.v1.get_collection(collection) if collection else []
    assert len(updates) == (2 if collection else 0)
    if collection != GraphKeys.UPDATE_OPS:
        assert tf.compat.v1.get_collection(GraphKeys.UPDATE_OPS) == []

    session.run(tf.compat.v1.global_variables_initializer())
    out, _ = session.run([y, updates], {x: data, is_training: True})
    expected, _ = reference.forward(data.astype(np.float64), training=True, axis=channel_axis, epsilon=1e-3)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)

    mean, variance = reference.moments(data.astype(np.float64), axis=channel_axis, unbiased=case.bessel)
    moving_mean, moving_variance = session.run([_variable("BatchNorm/moving_mean"), _variable("BatchNorm/moving_variance")])
    np.testing.assert_allclose(moving_mean, (1 - DECAY) * mean, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(moving_variance, DECAY + (1 - DECAY) * variance, rtol=1e-5, atol=1e-5)

    inference = session.run(y, {x: data, is_training: False})
    expected, _ = reference.forward(data.astype(np.float64), training=False, axis=channel_axis, epsilon=1e-3,
                                    moving_mean=moving_mean, moving_variance=moving_variance)
    np.testing.assert_allclose(inference, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(session.run(_variable("BatchNorm/moving_mean")), moving_mean)  # inference updates nothing


def test_updates_collections_none_updates_through_the_output(graph, session, rng):
    x = tf.constant(rng.standard_normal((8, 3)).astype(np.float32) + 4)
    y = batch_norm(x, decay=0.5, updates_collections=None)  # is_training=True by default
    session.run(tf.compat.v1.global_variables_initializer())
    for _ in range(3):
        session.run(y)
    moving_mean = session.run(_variable("BatchNorm/moving_mean"))
    np.testing.assert_allclose(moving_mean, (1 - 0.5 ** 3) * session.run(tf.reduce_mean(x, 0)), rtol=1e-5)
    assert tf.compat.v1.get_collection(GraphKeys.UPDATE_OPS) == []


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 3, 2)])
def test_python_false_is_training_builds_no_updates(graph, session, shape):
    x = tf.ones(shape)
    y = batch_norm(x, is_training=False, scale=True)
    assert tf.compat.v1.get_collection(GraphKeys.UPDATE_OPS) == []
    session.run(tf.compat.v1.global_variables_initializer())
    np.testing.assert_allclose(session.run(y), 1 / np.sqrt(1 + 1e-3), rtol=1e-6)  # moving mean 0, variance 1


@pytest.mark.parametrize("shape, data_format", [((6, 3, 3, 4), "NHWC"), ((6, 4, 3, 3), "NCHW"), ((7, 4), "NHWC")])
def test_tf_layers_path_equals_tf1_layer(legacy_tf_layers, rng, shape, data_format):
    """With UPDATE_OPS and no zero debias, contrib delegated to tf.layers.BatchNormalization(momentum=decay)."""
    data = (rng.standard_normal(shape) * 2 + 1).astype(np.float32)
    results = []
    for build in (
        lambda x, t: batch_norm(x, decay=DECAY, scale=True, is_training=t, data_format=data_format, fused=False),
        lambda x, t: legacy_tf_layers.batch_normalization(x, axis=1 if data_format == "NCHW" else -1, momentum=DECAY,
                                                           epsilon=1e-3, training=t, fused=False),
    ):
        with tf.Graph().as_default():
            x = tf.compat.v1.placeholder(tf.float32, shape)
            t = tf.compat.v1.placeholder(tf.bool, [])
            y = build(x, t)
            with tf.control_dependencies(tf.compat.v1.get_collection(GraphKeys.UPDATE_OPS)):
                step = tf.identity(y)
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                trained = [sess.run(step, {x: data * (i + 1), t: True}) for i in range(2)]
                stats = sess.run([v for v in tf.compat.v1.global_variables() if "moving" in v.name])
                results.append((trained, stats, sess.run(y, {x: data, t: False})))
    for ours, theirs in zip(results[0], results[1]):
        np.testing.assert_allclose(np.concatenate([np.ravel(a) for a in ours]),
                                   np.concatenate([np.ravel(a) for a in theirs]), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kwargs", [dict(), dict(fused=False, updates_collections=None)], ids=["fused", "moments"])
def test_zero_debias_matches_tensorflows_assign_moving_average(rng, kwargs):
    from tensorflow.python.training import moving_averages  # TF's own implementation: the oracle

    batches = [(rng.standard_normal((9, 3)) + i).astype(np.float32) for i in range(4)]
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [9, 3])
        y = batch_norm(x, decay=0.8, zero_debias_moving_mean=True, **kwargs)
        updates = tf.compat.v1.get_collection(GraphKeys.UPDATE_OPS)
        ours = sorted(v.name for v in tf.compat.v1.global_variables())
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            means = []
            for batch in batches:
                sess.run([y, updates], {x: batch})
                means.append(sess.run(_variable("BatchNorm/moving_mean")))
    with tf.Graph().as_default():
        value = tf.compat.v1.placeholder(tf.float32, [3])
        with tf.compat.v1.variable_scope("BatchNorm"):
            variable = tf.compat.v1.get_variable("moving_mean", [3], initializer=tf.compat.v1.zeros_initializer(), trainable=False)
            update = moving_averages.assign_moving_average(variable, value, 0.8, zero_debias=True)
        theirs = sorted(v.name for v in tf.compat.v1.global_variables())
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            expected = [sess.run(update, {value: batch.mean(0)}) for batch in batches]
    assert set(theirs) <= set(ours)  # BatchNorm/BatchNorm/moving_mean/biased and …/local_step, as TF names them
    assert "BatchNorm/BatchNorm/moving_mean/biased:0" in ours
    np.testing.assert_allclose(means, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(means[0], batches[0].mean(0), rtol=1e-5)  # debiased: exact after one step


def test_batch_weights_use_weighted_moments(graph, session, rng):
    data = rng.standard_normal((6, 2)).astype(np.float32)
    weights = np.array([1, 2, 0, 1, 3, 1], np.float32)
    y = batch_norm(tf.constant(data), batch_weights=tf.constant(weights), decay=0.0)
    update_ops = tf.compat.v1.get_collection(GraphKeys.UPDATE_OPS)
    session.run(tf.compat.v1.global_variables_initializer())
    out, _ = session.run([y, update_ops])
    mean = (weights[:, None] * data).sum(0) / weights.sum()
    variance = (weights[:, None] * (data - mean) ** 2).sum(0) / weights.sum()
    np.testing.assert_allclose(out, (data - mean) / np.sqrt(variance + 1e-3), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(session.run(_variable("BatchNorm/moving_variance")), variance, rtol=1e-5)


def test_names_scopes_reuse_and_collections(graph):
    x = tf.compat.v1.placeholder(tf.float32, [None, 4, 4, 3])
    batch_norm(x, scale=True)
    batch_norm(x)
    batch_norm(x, scope="bn", variables_collections={"moving_mean": ["stats"], "beta": ["offsets"]})
    y = batch_norm(x, scope="bn", reuse=True, outputs_collections="outputs", activation_fn=tf.nn.relu)
    assert [v.name for v in tf.compat.v1.global_variables()] == [
        "BatchNorm/gamma:0", "BatchNorm/beta:0", "BatchNorm/moving_mean:0", "BatchNorm/moving_variance:0",
        "BatchNorm_1/beta:0", "BatchNorm_1/moving_mean:0", "BatchNorm_1/moving_variance:0",
        "bn/beta:0", "bn/moving_mean:0", "bn/moving_variance:0",
    ]
    assert [v.name for v in tf.compat.v1.get_collection("stats")] == ["bn/moving_mean:0"]
    assert [v.name for v in tf.compat.v1.get_collection("offsets")] == ["bn/beta:0"]
    assert tf.compat.v1.get_collection("outputs") == [y] and y.aliases == ["bn"] and y.op.type == "Relu"


def test_renorm_and_regularizers_on_the_layer_path(graph):
    x = tf.compat.v1.placeholder(tf.float32, [None, 5])
    batch_norm(x, renorm=True, fused=False, scale=True,
               param_regularizers={"gamma": lambda g: tf.reduce_sum(g), "beta": lambda b: tf.reduce_sum(b)})
    names = {v.op.name for v in tf.compat.v1.global_variables()}
    assert {"BatchNorm/renorm_mean", "BatchNorm/renorm_stddev", "BatchNorm/moving_stddev"} <= names
    assert len(tf.compat.v1.get_collection(GraphKeys.REGULARIZATION_LOSSES)) == 2


@pytest.mark.parametrize("kwargs", [dict(), dict(fused=False, updates_collections=None)], ids=["fused", "moments"])
def test_param_regularizers_apply_on_every_path(graph, kwargs):
    """A deliberate difference: TF 1.15 ignored them on the moments path."""
    batch_norm(tf.ones([4, 3]), scale=True, param_regularizers={"gamma": lambda g: tf.reduce_sum(g)}, **kwargs)
    assert len(tf.compat.v1.get_collection(GraphKeys.REGULARIZATION_LOSSES)) == 1


def test_param_initializers(graph, session):
    y = batch_norm(tf.zeros([4, 2]), is_training=False, scale=True, param_initializers={
        "beta": tf.compat.v1.constant_initializer(2.0), "gamma": tf.compat.v1.constant_initializer(3.0),
        "moving_mean": tf.compat.v1.constant_initializer(1.0), "moving_variance": tf.compat.v1.constant_initializer(4.0)})
    session.run(tf.compat.v1.global_variables_initializer())
    np.testing.assert_allclose(session.run(y), 3.0 * (0 - 1) / np.sqrt(4 + 1e-3) + 2.0, rtol=1e-6)


@pytest.mark.parametrize("call, error, message", [
    (lambda x: batch_norm(x, data_format="NHCW"), ValueError,
         "data_format has to be either NCHW or NHWC. `data_format` received 'NHCW'"),  # TF1's words first
    (lambda x: batch_norm(x, decay=1.5), ValueError, "`decay` must be a number in [0, 1]"),
    (lambda x: batch_norm(x, renorm=True, updates_collections=None), ValueError,
     "`renorm`=True cannot be combined with `batch_weights`, a custom `updates_collections` or `zero_debias_moving_mean`"),
    (lambda x: batch_norm(x, param_initializers={"mean": None}), ValueError, "received unknown keys ['mean']"),
    (lambda x: batch_norm(x, param_regularizers={"moving_mean": abs}), ValueError, "`param_regularizers` accepts the keys"),
    (lambda x: batch_norm(tf.zeros([3])), ValueError, "`inputs` must have a known rank of at least 2"),
    (lambda x: batch_norm(x, is_training="yes"), TypeError, "`is_training` must be a Python bool"),
    (lambda x: batch_norm(x, fused="auto"), TypeError, "`fused` must be None, True or False"),
])
def test_errors_name_the_argument(graph, call, error, message):
    with pytest.raises(error) as caught:
        call(tf.compat.v1.placeholder(tf.float32, [None, 3]))
    assert message in str(caught.value)


def test_module_documents_the_contrib_defaults():
    doc = contrib_batch_norm.__doc__
    assert "scale=False" in doc and "is_training=True" in doc and "decay=0.999" in doc
