"""TF1's `tf.layers.dense`, `dropout` and `flatten` (and their classes), rebuilt on tf.compat.v1.

    dense:    y = activation(x·W + b)      W: `<scope>/kernel` [in, units], b: `<scope>/bias` [units]
    dropout:  y = x·mask/(1 − rate) with mask ~ Bernoulli(1 − rate) when training, else y = x
    flatten:  [N, d1, d2, …] → [N, d1·d2·…]  (channels_first inputs are moved to channels_last first)

TF 1.15's signatures and defaults: the kernel initializer None means `get_variable`'s default
(glorot_uniform), the bias starts at zeros; a rank > 2 input to `dense` is contracted on its last axis
(tensordot), not flattened; an activity regularizer adds `regularizer(y)/batch_size` to
REGULARIZATION_LOSSES, as TF1's base layer did.

**`dropout`'s `training` defaults to False, as in TF1**: `tf.layers.dropout(x, 0.5)` without
`training=is_training` never drops anything. (contrib's `tf.contrib.layers.dropout` defaults to
`is_training=True` — a classic source of confusion.)

Reference: TF 1.15 `tf.layers` (tensorflow/python/layers/core.py), as kept in the tf-keras package,
read for behaviour; this is an independent implementation.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import tensorflow as tf

from tf1_bn._graph import smart_cond, static_bool
from tf1_bn.layers.base import Layer, functional_form

_ACTIVATIONS: dict[str, Callable[[tf.Tensor], tf.Tensor]] = {
    "relu": tf.nn.relu, "relu6": tf.nn.relu6, "elu": tf.nn.elu, "selu": tf.nn.selu, "sigmoid": tf.sigmoid,
    "tanh": tf.tanh, "softmax": tf.nn.softmax, "softplus": tf.nn.softplus, "softsign": tf.nn.softsign,
    "linear": lambda x: x,
}
_INITIALIZERS: dict[str, Callable[[], Any]] = {
    "zeros": tf.compat.v1.zeros_initializer, "ones": tf.compat.v1.ones_initializer,
    "glorot_uniform": tf.compat.v1.glorot_uniform_initializer, "glorot_normal": tf.compat.v1.glorot_normal_initializer,
}


def activation_function(value: Any, argument: str = "activation") -> Callable[[tf.Tensor], tf.Tensor] | None:
    """A callable, None, or one of TF1's activation names ('relu', 'sigmoid', 'tanh', …) as a function."""
    if value is None or callable(value):
        return value
    if isinstance(value, str) and value in _ACTIVATIONS:
        return _ACTIVATIONS[value]
    raise TypeError(f"`{argument}` must be callable, None or one of {sorted(_ACTIVATIONS)}; received {value!r}")


def initializer(value: Any, argument: str) -> Callable | None:
    """A callable initializer, None (get_variable's default, glorot_uniform) or a name like 'zeros'."""
    if value is None or callable(value):
        return value
    if isinstance(value, str) and value in _INITIALIZERS:
        return _INITIALIZERS[value]()
    raise TypeError(f"`{argument}` must be an initializer (callable), None or one of {sorted(_INITIALIZERS)}; received {value!r}")


def optional_callable(value: Any, argument: str) -> Callable | None:
    if value is not None and not callable(value):
        raise TypeError(f"`{argument}` must be callable or None; received {value!r}")
    return value


def positive_int(value: Any, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"`{argument}` must be a positive int; received {value!r}")
    return int(value)


def add_activity_loss(layer: Layer, regularizer: Callable | None, outputs: tf.Tensor) -> None:
    """TF1's activity regularization: regularizer(outputs)/batch_size into REGULARIZATION_LOSSES."""
    if regularizer is None:
        return
    with tf.compat.v1.name_scope("ActivityRegularizer"):
        loss = tf.convert_to_tensor(regularizer(outputs))
        loss = tf.math.divide_no_nan(loss, tf.cast(tf.shape(outputs)[0], loss.dtype))
    layer._losses.append(loss)
    tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES, loss)


def configure_output(layer: Layer, activation: Any, use_bias: bool, activity_regularizer: Any) -> None:
    """Validate and store what every kernel layer applies after its product: bias switch, activation, activity loss."""
    layer.activation = activation_function(activation)
    layer.use_bias = bool(use_bias)
    layer.activity_regularizer = optional_callable(activity_regularizer, "activity_regularizer")


def configure_weight(layer: Layer, prefix: str, initializer_: Any, regularizer: Any, constraint: Any) -> None:
    """Validate and store `<prefix>_initializer`, `<prefix>_regularizer`, `<prefix>_constraint` (TF1's names)."""
    setattr(layer, f"{prefix}_initializer", initializer(initializer_, f"{prefix}_initializer"))
    setattr(layer, f"{prefix}_regularizer", optional_callable(regularizer, f"{prefix}_regularizer"))
    setattr(layer, f"{prefix}_constraint", optional_callable(constraint, f"{prefix}_constraint"))


def add_configured_weight(layer: Layer, prefix: str, name: str, shape: Sequence[int]) -> tf.Variable:
    """The trainable `<scope>/<name>` of `shape`, with what configure_weight stored under `prefix`."""
    return layer.add_weight(name, list(shape), None, getattr(layer, f"{prefix}_initializer"),
                            getattr(layer, f"{prefix}_regularizer"), True, getattr(layer, f"{prefix}_constraint"))


def configure_kernel_and_bias(
    layer: Layer, activation: Any, use_bias: bool, kernel_initializer: Any, bias_initializer: Any,
    kernel_regularizer: Any, bias_regularizer: Any, activity_regularizer: Any, kernel_constraint: Any,
    bias_constraint: Any,
) -> None:
    """Validate and store the options Dense and Conv2D share (TF1's names), each error naming its argument."""
    configure_output(layer, activation, use_bias, activity_regularizer)
    configure_weight(layer, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
    configure_weight(layer, "bias", bias_initializer, bias_regularizer, bias_constraint)
    layer.kernel = layer.bias = None


def add_kernel_and_bias(layer: Layer, kernel_shape: Sequence[int], bias_size: int) -> None:
    """Create `<scope>/kernel` of `kernel_shape` and, with use_bias, `<scope>/bias` [bias_size], in TF1's order."""
    layer.kernel = add_configured_weight(layer, "kernel", "kernel", kernel_shape)
    if layer.use_bias:
        layer.bias = add_configured_weight(layer, "bias", "bias", [bias_size])


class Dense(Layer):
    """`tf.layers.Dense(units, …)`: y = activation(x·kernel + bias), contracted on the last axis.

    Variables: `<scope>/kernel` [in, units] and, with `use_bias`, `<scope>/bias` [units].
    """

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = None,
        bias_initializer: Any = tf.compat.v1.zeros_initializer(),
        kernel_regularizer: Callable | None = None,
        bias_regularizer: Callable | None = None,
        activity_regularizer: Callable | None = None,
        kernel_constraint: Callable | None = None,
        bias_constraint: Callable | None = None,
        trainable: bool = True,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.units = positive_int(units, "units")
        configure_kernel_and_bias(
            self, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
            activity_regularizer, kernel_constraint, bias_constraint)

    def build(self, input_shape: tf.TensorShape) -> None:
        if input_shape.rank is None or input_shape.rank < 2 or input_shape[-1] is None:
            raise ValueError(f"`inputs` of Dense must have rank >= 2 and a known last dimension; received shape {input_shape}")
        self._input_size = int(input_shape[-1])
        add_kernel_and_bias(self, [self._input_size, self.units], self.units)

    def _check_input(self, inputs: tf.Tensor) -> None:
        if inputs.shape.rank is None or inputs.shape.rank < 2 or inputs.shape[-1] not in (None, self._input_size):
            raise ValueError(f"`inputs` of layer {self.name!r} must end in {self._input_size} features, as on its first call; "
                             f"received shape {inputs.shape}")

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        inputs = tf.cast(inputs, self.kernel.dtype.base_dtype)
        rank = inputs.shape.rank
        if rank > 2:
            outputs = tf.tensordot(inputs, self.kernel, [[rank - 1], [0]])  # (batch, ..., units)
            outputs.set_shape(inputs.shape[:-1].concatenate([self.units]))
        else:
            outputs = tf.matmul(inputs, self.kernel)  # (batch, units)
        if self.use_bias:
            outputs = tf.nn.bias_add(outputs, self.bias)
        if self.activation is not None:
            outputs = self.activation(outputs)
        add_activity_loss(self, self.activity_regularizer, outputs)
        return outputs


dense = functional_form(Dense, "dense", (
    "Functional `tf.layers.dense(inputs, units)`: one new Dense layer applied once (scope `dense`, `dense_1`, …)."
    " `name` fixes the variable scope; `reuse=True` reuses its variables."))


class Dropout(Layer):
    """`tf.layers.Dropout(rate=0.5, noise_shape=None, seed=None)`; call it with `training=is_training`.

    **`training` defaults to False (TF1): `layer(x)` alone returns x unchanged.** When training, each
    unit is zeroed with probability `rate` and the kept ones are scaled by 1/(1 − rate), so the
    expected output equals the input. A `noise_shape` entry of None takes the input's size there.
    """

    def __init__(self, rate: float = 0.5, noise_shape: Sequence[int | None] | None = None, seed: int | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        if isinstance(rate, (tf.Tensor, tf.Variable)):
            self.rate = rate
        elif isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0.0 <= rate < 1.0:
            raise ValueError(f"`rate` must be a number in [0, 1); received {rate!r}")
        else:
            self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else list(noise_shape)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"`seed` must be an int or None; received {seed!r}")
        self.seed = seed

    def _noise_shape(self, inputs: tf.Tensor) -> Any:
        if self.noise_shape is None:
            return None
        if len(self.noise_shape) != inputs.shape.rank:
            raise ValueError(f"`noise_shape` must have one entry per input dimension ({inputs.shape.rank}); "
                             f"received {self.noise_shape}")
        dynamic = tf.shape(inputs)
        return tf.stack([dynamic[i] if n is None else n for i, n in enumerate(self.noise_shape)])

    def call(self, inputs: tf.Tensor, training: Any = False) -> tf.Tensor:
        if static_bool(training) is False:  # no random op at all, as TF1's smart_cond did
            return tf.identity(inputs)
        return smart_cond(
            training,
            lambda: tf.nn.dropout(inputs, rate=self.rate, noise_shape=self._noise_shape(inputs), seed=self.seed),
            lambda: tf.identity(inputs),
        )


def dropout(inputs: Any, rate: float = 0.5, noise_shape: Sequence[int | None] | None = None, seed: int | None = None,
            training: Any = False, name: str | None = None) -> tf.Tensor:
    """Functional `tf.layers.dropout(inputs, rate=0.5, training=False)`.

    **`training` defaults to False, as in TF1: pass your `is_training` placeholder or nothing is dropped.**
    Note `rate` is the fraction DROPPED (tf.nn.dropout's old `keep_prob` is 1 − rate).
    """
    return Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)(inputs, training=training)


class Flatten(Layer):
    """`tf.layers.Flatten(data_format='channels_last')`: [N, …] → [N, product of the rest].

    With 'channels_first' the channel axis is moved last before flattening, so a channels_first model
    and its channels_last twin produce the same feature order. A rank-1 input becomes [N, 1].
    """

    def __init__(self, data_format: str = "channels_last", name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.data_format = channels_format(data_format)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        rank = inputs.shape.rank
        if rank is None:
            raise ValueError(f"`inputs` of Flatten must have a known rank; received shape {inputs.shape}")
        if rank == 1:
            return tf.expand_dims(inputs, 1)
        if self.data_format == "channels_first" and rank > 2:
            inputs = tf.transpose(inputs, [0, *range(2, rank), 1])  # (batch, ..., channels)
        rest = inputs.shape[1:]
        if rest.is_fully_defined():
            return tf.reshape(inputs, [-1, int(np.prod(rest.as_list()))])
        batch = inputs.shape[0] if inputs.shape[0] is not None else tf.shape(inputs)[0]
        return tf.reshape(inputs, tf.stack([batch, -1]) if isinstance(batch, tf.Tensor) else [batch, -1])


def flatten(inputs: Any, name: str | None = None, data_format: str = "channels_last") -> tf.Tensor:
    """Functional `tf.layers.flatten(inputs)`: [N, …] → [N, product of the rest]."""
    return Flatten(data_format=data_format, name=name)(inputs)


def channels_format(data_format: Any) -> str:
    """TF1's `data_format`: 'channels_last' or 'channels_first' (case-insensitive)."""
    value = data_format.lower() if isinstance(data_format, str) else data_format
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"`data_format` must be 'channels_last' or 'channels_first'; received {data_format!r}")
    return value
