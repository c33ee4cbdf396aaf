"""`tf.contrib.layers.batch_norm` (= `slim.batch_norm`), TF 1.15's contrib semantics on tf.compat.v1.

Ioffe & Szegedy 2015, Algorithm 1; the same equations as `tf.layers.batch_normalization`
(`tf1_bn.bn_math`), with contrib's own defaults and names:

    y = γ·(x − μ)/√(σ² + ε) + β       μ, σ²: batch moments when training, moving ones otherwise
    moving ← moving − (moving − batch)·(1 − decay)

- defaults: decay=0.999, center=True, **scale=False** (no γ unless asked), epsilon=0.001,
  **is_training=True** (unlike tf.layers' training=False);
- variables under `scope` (default `BatchNorm`, uniquified): `BatchNorm/beta`, `BatchNorm/gamma` (with
  scale), `BatchNorm/moving_mean`, `BatchNorm/moving_variance`; all are model variables;
- `updates_collections` (default UPDATE_OPS) receives the two update ops; **None updates in place**:
  the output then depends on the updates, so no UPDATE_OPS dependency is needed;
- data_format 'NHWC' normalizes per last axis, 'NCHW' per axis 1.

Which implementation runs, decided as TF 1.15 decided it (it matters: the fused kernel's moving
variance tracks the Bessel-corrected σ²·m/(m−1), the others the biased σ²):
  1. fused kernel: fused (None = True), rank 2 or 4, no batch_weights/renorm/adjustment, AND
     (rank 2, or zero_debias_moving_mean, or updates_collections other than UPDATE_OPS);
  2. otherwise `tf.layers.BatchNormalization` (`tf1_bn.layers`; itself fused for rank 4) when
     batch_weights is None, updates_collections is UPDATE_OPS and no zero debias;
  3. otherwise tf.nn.moments (or weighted moments with `batch_weights`) + tf.nn.batch_normalization.

`zero_debias_moving_mean=True` keeps `moving_mean = biased/(1 − decay^t)`, with the two extra
variables TF created — named `<scope>/<scope>/moving_mean/biased` and `…/local_step` (the scope
appears twice, as TF's own assign_moving_average names them); the EMA is `tf1_bn.bn_updates`, and so
is the `updates_collections` wiring both own paths share.

One deliberate difference: `param_regularizers` are applied on every path; TF 1.15 silently ignored
them on path 3. Reference: TF 1.15 tensorflow/contrib/layers/python/layers/layers.py (as forked into
tf-slim), read for behaviour; this is an independent implementation.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import tensorflow as tf

from tf1_bn import bn_math, bn_updates
from tf1_bn._graph import Training
from tf1_bn.contrib import variables as contrib_variables
from tf1_bn.contrib.arg_scope import add_arg_scope
from tf1_bn.layers.normalization import BatchNormalization

UPDATE_OPS = tf.compat.v1.GraphKeys.UPDATE_OPS
INITIALIZED = ("beta", "gamma", "moving_mean", "moving_variance")
REGULARIZED = ("beta", "gamma")
_DEFAULT_INIT = {"beta": tf.compat.v1.zeros_initializer(), "gamma": tf.compat.v1.ones_initializer(),
                 "moving_mean": tf.compat.v1.zeros_initializer(), "moving_variance": tf.compat.v1.ones_initializer()}


def _checked_dict(value: Mapping[str, Any] | None, argument: str, keys: Sequence[str]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"`{argument}` must be a dict with keys from {list(keys)}; received {value!r}")
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise ValueError(f"`{argument}` accepts the keys {list(keys)}; received unknown keys {unknown}")
    return dict(value)


def _validate(decay: Any, data_format: Any, inputs: tf.Tensor) -> None:
    """TF 1.15's checks, with its wording first (upstream tests match it) and then what was received."""
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"data_format has to be either NCHW or NHWC. `data_format` received {data_format!r}")
    if not isinstance(decay, (tf.Tensor, tf.Variable)) and (
            isinstance(decay, bool) or not isinstance(decay, (int, float)) or not 0.0 <= decay <= 1.0):
        raise ValueError(f"`decay` must be a number in [0, 1] (typically 0.9–0.999); received {decay!r}")
    rank = inputs.shape.rank
    if rank is None:
        raise ValueError(f"Inputs {inputs.name} has undefined rank: `inputs` must have a known rank of at least 2 "
                         "(batch first)")
    if rank < 2:
        raise ValueError(f"`inputs` must have a known rank of at least 2 (batch first); received shape {inputs.shape}")
    channels = tf.compat.dimension_value(inputs.shape[1 if data_format == "NCHW" else -1])  # TF1 or TF2 shapes
    if channels is None:
        raise ValueError(f"Inputs {inputs.name} has undefined channels dimension for data_format={data_format}; "
                         f"received shape {inputs.shape}")


def _debias_variables(moving_mean: tf.Variable) -> tuple[tf.Variable, tf.Variable]:
    """The zero-debias `biased` and `local_step` beside the moving mean, model variables as in TF1."""
    debias = bn_updates.zero_debias_variables(moving_mean)
    for variable in debias:
        contrib_variables.mark_model_variable(variable)
    return debias


def _parameters(channels: int, dtype: tf.DType, center: bool, scale: bool, initializers: dict, regularizers: dict,
                trainable: bool, collections: Any) -> tuple[Any, Any, tf.Variable, tf.Variable]:
    """(beta or None, gamma or None, moving_mean, moving_variance) as model variables, in TF1's order."""

    def make(role: str, train: bool) -> tf.Variable:
        return contrib_variables.model_variable(
            role, [channels], dtype, initializers.get(role, _DEFAULT_INIT[role]), trainable=train,
            regularizer=regularizers.get(role), collections=contrib_variables.variable_collections(collections, role))

    beta = make("beta", trainable) if center else None
    gamma = make("gamma", trainable) if scale else None
    # Statistics are never partitioned (assign_moving_average cannot update a partitioned variable).
    with tf.compat.v1.variable_scope(tf.compat.v1.get_variable_scope()) as unpartitioned:
        unpartitioned.set_partitioner(None)
        return beta, gamma, make("moving_mean", False), make("moving_variance", False)


def _updates(moving_mean: tf.Variable, moving_variance: tf.Variable, mean: tf.Tensor, variance: tf.Tensor,
             decay: Any, debias: tuple | None) -> Callable[[], tuple[tf.Tensor, tf.Tensor]]:
    """The two update ops (zero-debiased mean when `debias` holds its variables), built when called."""

    def make() -> tuple[tf.Tensor, tf.Tensor]:
        if debias is None:
            update_mean = bn_updates.assign_moving_average(moving_mean, mean, decay)
        else:
            update_mean = bn_updates.zero_debiased_moving_average(moving_mean, mean, decay, debias)
        return update_mean, bn_updates.assign_moving_average(moving_variance, variance, decay)

    return make


def _fused_path(inputs: tf.Tensor, decay: Any, center: bool, scale: bool, epsilon: float, initializers: dict,
                regularizers: dict, updates_collections: Any, is_training: Training, trainable: bool, collections: Any,
                data_format: str, zero_debias: bool) -> tf.Tensor:
    original = inputs
    channels = int(inputs.shape[1 if data_format == "NCHW" else -1])
    if inputs.shape.rank == 2:  # (N, C) → (N, 1, 1, C) or (N, C, 1, 1) for the 4-D kernel
        inputs = tf.reshape(inputs, [-1, channels, 1, 1] if data_format == "NCHW" else [-1, 1, 1, channels])
    beta, gamma, moving_mean, moving_variance = _parameters(
        channels, tf.float32, center, scale, initializers, regularizers, trainable, collections)
    debias = _debias_variables(moving_mean) if zero_debias else None
    offset = beta if beta is not None else tf.constant(0.0, tf.float32, [channels])
    factor = gamma if gamma is not None else tf.constant(1.0, tf.float32, [channels])
    outputs, mean, variance = bn_updates.fused_batch_norm(
        is_training, inputs, factor, offset, moving_mean, moving_variance, epsilon, data_format)
    if is_training.may_train:
        (outputs,) = bn_updates.wire_updates(
            is_training, _updates(moving_mean, moving_variance, mean, variance, decay, debias),
            lambda: (tf.identity(moving_mean), tf.identity(moving_variance)), updates_collections, [outputs])
    outputs.set_shape(inputs.shape)
    if original.shape.rank == 2:
        outputs = tf.reshape(outputs, [-1 if d is None else d for d in original.shape.as_list()]
                             if sum(d is None for d in original.shape.as_list()) <= 1 else tf.shape(original))
    return outputs


def _moments_path(inputs: tf.Tensor, decay: Any, center: bool, scale: bool, epsilon: float, initializers: dict,
                  regularizers: dict, updates_collections: Any, is_training: Training, trainable: bool, collections: Any,
                  batch_weights: Any, data_format: str, zero_debias: bool) -> tf.Tensor:
    rank = inputs.shape.rank
    channel_axis = 1 if data_format == "NCHW" else rank - 1
    axes = [a for a in range(rank) if a != channel_axis]
    broadcast = [1] * rank
    broadcast[channel_axis] = int(inputs.shape[channel_axis])
    beta, gamma, moving_mean, moving_variance = _parameters(
        broadcast[channel_axis], inputs.dtype.base_dtype, center, scale, initializers, regularizers, trainable, collections)
    debias = _debias_variables(moving_mean) if zero_debias else None
    if not is_training.may_train:
        mean, variance = moving_mean, moving_variance
    else:
        if batch_weights is None:
            batch_mean, batch_variance = bn_math.moments(inputs, axes)
        else:
            weights = tf.reshape(tf.convert_to_tensor(batch_weights, inputs.dtype), [-1] + [1] * (rank - 1))
            batch_mean, batch_variance = tf.nn.weighted_moments(inputs, axes, weights)
        stored = lambda: (tf.identity(moving_mean), tf.identity(moving_variance))  # noqa: E731
        mean, variance = bn_updates.wire_updates(
            is_training, _updates(moving_mean, moving_variance, batch_mean, batch_variance, decay, debias), stored,
            updates_collections, [batch_mean, batch_variance], otherwise=stored)
    if data_format == "NCHW":
        mean, variance, beta, gamma = (None if v is None else tf.reshape(v, broadcast) for v in (mean, variance, beta, gamma))
    outputs = bn_math.normalize(inputs, mean, variance, beta, gamma, epsilon)
    outputs.set_shape(inputs.shape)
    return outputs


def _choose_path(rank: int | None, fused: bool | None, batch_weights: Any, renorm: bool, adjustment: Any,
                 updates_collections: Any, zero_debias: bool) -> str:
    """"fused", "layer" or "moments", decided as TF 1.15 decided it (see the module docstring)."""
    default_collection = isinstance(updates_collections, str) and updates_collections == UPDATE_OPS
    fusable = batch_weights is None and not renorm and rank in (2, 4) and adjustment is None
    if (True if fused is None else fused) and fusable and (zero_debias or rank == 2 or not default_collection):
        return "fused"
    if batch_weights is None and default_collection and not zero_debias:
        return "layer"
    if renorm:
        raise ValueError("`renorm`=True cannot be combined with `batch_weights`, a custom `updates_collections` or "
                         f"`zero_debias_moving_mean`; received batch_weights={batch_weights!r}, "
                         f"updates_collections={updates_collections!r}, zero_debias_moving_mean={zero_debias!r}")
    return "moments"


@add_arg_scope
def batch_norm(
    inputs: Any,
    decay: float = 0.999,
    center: bool = True,
    scale: bool = False,
    epsilon: float = 0.001,
    activation_fn: Callable[[tf.Tensor], tf.Tensor] | None = None,
    param_initializers: Mapping[str, Any] | None = None,
    param_regularizers: Mapping[str, Callable] | None = None,
    updates_collections: str | Sequence[str] | None = UPDATE_OPS,
    is_training: Any = True,
    reuse: Any = None,
    variables_collections: Any = None,
    outputs_collections: Any = None,
    trainable: bool = True,
    batch_weights: Any = None,
    fused: bool | None = None,
    data_format: str = "NHWC",
    zero_debias_moving_mean: bool = False,
    scope: Any = None,
    renorm: bool = False,
    renorm_clipping: Mapping[str, Any] | None = None,
    renorm_decay: float = 0.99,
    adjustment: Callable | None = None,
) -> tf.Tensor:
    """contrib's batch normalization; see the module docstring for defaults, names and paths.

    `is_training` (default True) is a Python bool or a bool tensor such as a placeholder. With the
    default `updates_collections`, make the train op depend on tf.GraphKeys.UPDATE_OPS (seed 000's
    recipe); with `updates_collections=None` the output itself waits for the updates.
    """
    inputs = tf.convert_to_tensor(inputs)
    _validate(decay, data_format, inputs)
    if activation_fn is not None and not callable(activation_fn):
        raise TypeError(f"`activation_fn` must be callable or None; received {activation_fn!r}")
    if fused not in (None, True, False):
        raise TypeError(f"`fused` must be None, True or False; received {fused!r}")
    mode = Training.of(is_training, "is_training")  # validated and decided once
    initializers = _checked_dict(param_initializers, "param_initializers", INITIALIZED)
    regularizers = _checked_dict(param_regularizers, "param_regularizers", REGULARIZED)
    path = _choose_path(inputs.shape.rank, fused, batch_weights, renorm, adjustment, updates_collections,
                        zero_debias_moving_mean)
    getter = contrib_variables.layer_variable_getter() if path == "layer" else None
    with tf.compat.v1.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse, custom_getter=getter) as sc:
        if path == "layer":
            layer = BatchNormalization(
                axis=1 if data_format == "NCHW" else -1, momentum=decay, epsilon=epsilon, center=center, scale=scale,
                beta_initializer=initializers.get("beta", _DEFAULT_INIT["beta"]),
                gamma_initializer=initializers.get("gamma", _DEFAULT_INIT["gamma"]),
                moving_mean_initializer=initializers.get("moving_mean", _DEFAULT_INIT["moving_mean"]),
                moving_variance_initializer=initializers.get("moving_variance", _DEFAULT_INIT["moving_variance"]),
                beta_regularizer=regularizers.get("beta"), gamma_regularizer=regularizers.get("gamma"),
                trainable=trainable, renorm=renorm, renorm_clipping=renorm_clipping, renorm_momentum=renorm_decay,
                adjustment=adjustment, name=sc.name, _scope=sc, _reuse=reuse, fused=True if fused is None else fused,
            )
            outputs = layer(inputs, training=mode)
            for role in INITIALIZED:
                contrib_variables.add_to_collections(getattr(layer, role), variables_collections, role)
        elif path == "fused":
            outputs = _fused_path(inputs, decay, center, scale, epsilon, initializers, regularizers, updates_collections,
                                  mode, trainable, variables_collections, data_format, zero_debias_moving_mean)
        else:
            outputs = _moments_path(inputs, decay, center, scale, epsilon, initializers, regularizers,
                                    updates_collections, mode, trainable, variables_collections, batch_weights,
                                    data_format, zero_debias_moving_mean)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return contrib_variables.collect_named_outputs(outputs_collections, sc.name, outputs)
