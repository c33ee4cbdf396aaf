"""What tf1_bn's two Keras layers share: arguments, weights, inference, and TF1's moving-average update.

Ioffe & Szegedy 2015, "Batch Normalization", Sec. 3.1 (the TF1 equations, `tf1_bn.bn_math`):

    inference:  y = γ · (x − μ) / √(σ² + ε) + β            (μ, σ² = moving_mean, moving_variance)
    update:     moving ← moving − (moving − batch) · (1 − momentum)

The training-mode equations are each subclass's own (`renorm.py`, `ghost.py`).

- The math is `tf1_bn.bn_math`'s (tf.nn.moments, tf.nn.batch_normalization, the delta of the update), the
  ops tf1_bn's TF1 layer runs, so both agree to rounding; the backend is TensorFlow.
- The update is written as TF1 writes it, `moving − delta`, not Keras's `momentum·moving + (1 −
  momentum)·batch`: equal in exact arithmetic, and this form reproduces TF1's moving statistics bit for bit.
- Weight shapes: (C,) for one normalized axis, else the input's rank with 1 on the reduced axes (TF1's
  shape; TF1's ghost-batch layer adds one more 1, see `ghost.py`).
- `training` is Keras's: True normalizes with batch statistics and assigns the updates at once; False or
  None (the default, as in every Keras layer) uses the moving statistics. As in
  keras.layers.BatchNormalization, a layer with `trainable = False` is frozen: it runs in inference mode
  even when called with training=True (a TF1 layer with trainable=False still trained its statistics).
"""

from __future__ import annotations

from typing import Any, Sequence

import keras
import numpy as np
import tensorflow as tf

from tf1_bn import bn_math
from tf1_bn.layers import bn_arguments

_SIXTEEN_BIT = (tf.float16, tf.bfloat16)


def check_number(value: Any, argument: str, low: float = 0.0, high: float = float("inf")) -> float:
    """`value` as a float in [low, high]; a TypeError/ValueError naming `argument` otherwise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"`{argument}` must be a number; received {value!r}")
    if not low <= float(value) <= high:
        raise ValueError(f"`{argument}` must be in [{low}, {high}]; received {argument}={value!r}")
    return float(value)


def check_axis(axis: Any) -> int | list[int]:
    """An int or a non-empty list of ints (TF1 accepted both); kept as given, for get_config."""
    if isinstance(axis, (bool, np.bool_)) or not (
        isinstance(axis, int) or (isinstance(axis, (list, tuple)) and axis
                                  and all(isinstance(a, int) and not isinstance(a, bool) for a in axis))
    ):
        raise TypeError(f"`axis` must be an int or a non-empty list of ints; received axis={axis!r}")
    return axis if isinstance(axis, int) else list(axis)


def assign_moving_average(variable: keras.Variable, value: tf.Tensor, momentum: float) -> tf.Tensor:
    """variable ← variable − (variable − value)·(1 − momentum), TF1's rule; returns the new value."""
    current = tf.convert_to_tensor(variable.value)
    updated = current - bn_math.moving_average_delta(current, value, momentum)
    variable.assign(updated)
    return updated


class BatchStatisticsLayer(keras.layers.Layer):
    """The base of tf1_bn's Keras normalization layers; subclasses implement `_training_call`.

    Weights, created in TF1's order: gamma (if scale), beta (if center), moving_mean, moving_variance,
    then the subclass's (`_add_extra_weights`). Only gamma and beta are trainable.
    """

    def __init__(
        self,
        axis: int | Sequence[int] = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.axis = check_axis(axis)
        self.momentum = check_number(momentum, "momentum", 0.0, 1.0)
        self.epsilon = check_number(epsilon, "epsilon")
        for flag, value in (("center", center), ("scale", scale)):
            if not isinstance(value, bool):
                raise TypeError(f"`{flag}` must be a bool; received {flag}={value!r}")
        self.center, self.scale = center, scale
        self.beta_initializer = keras.initializers.get(beta_initializer)
        self.gamma_initializer = keras.initializers.get(gamma_initializer)
        self.moving_mean_initializer = keras.initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = keras.initializers.get(moving_variance_initializer)
        self.beta_regularizer = keras.regularizers.get(beta_regularizer)
        self.gamma_regularizer = keras.regularizers.get(gamma_regularizer)
        self.beta_constraint = keras.constraints.get(beta_constraint)
        self.gamma_constraint = keras.constraints.get(gamma_constraint)
        self.gamma = self.beta = None

    # -------------------------------------------------------------------------------- build
    def build(self, input_shape: Sequence[int | None]) -> None:
        rank = len(input_shape)
        self._axes = bn_arguments.validate_axis(self.axis, rank)  # positive, in the order given
        sizes = {a: input_shape[a] for a in self._axes}
        if any(size is None for size in sizes.values()):
            raise ValueError(f"`inputs` must have a known size on the normalized axes {self._axes}; "
                             f"received input shape {tuple(input_shape)}")
        self._rank = rank
        self._reduction = [i for i in range(rank) if i not in self._axes]
        self._broadcast_shape = [sizes.get(i, 1) for i in range(rank)]
        self._param_shape = (sizes[self._axes[0]],) if len(self._axes) == 1 else tuple(self._broadcast_shape)
        self.input_spec = keras.layers.InputSpec(ndim=rank, axes=sizes)
        shape = self._param_shape
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
                                         trainable=True, autocast=False)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint,
                                        trainable=True, autocast=False)
        self.moving_mean = self.statistic("moving_mean", self.moving_mean_initializer)
        self.moving_variance = self.statistic("moving_variance", self.moving_variance_initializer)
        self._add_extra_weights()

    def statistic(self, name: str, initializer: Any) -> keras.Variable:
        """A non-trainable weight of the parameter shape."""
        return self.add_weight(shape=self._param_shape, name=name, initializer=initializer,
                               trainable=False, autocast=False)

    def _add_extra_weights(self) -> None:
        """Subclasses add their own statistics here, after moving_variance."""

    def compute_output_shape(self, input_shape: Sequence[int | None]) -> Sequence[int | None]:
        return input_shape

    # --------------------------------------------------------------------------------- call
    def broadcast(self, value: Any) -> Any:
        """A (C,) weight or statistic reshaped to broadcast against the input (None stays None)."""
        if value is None or tuple(value.shape) == tuple(self._broadcast_shape) or self._axes == [self._rank - 1]:
            return value
        return tf.reshape(value, self._broadcast_shape)

    def call(self, inputs: Any, training: bool | None = None) -> tf.Tensor:
        if training is not None and not isinstance(training, (bool, np.bool_)):
            raise TypeError(f"`training` must be a Python bool or None; received {training!r}")
        inputs = tf.convert_to_tensor(inputs)
        if not inputs.dtype.is_floating:
            raise TypeError(f"`inputs` must be a floating-point tensor; received dtype {inputs.dtype.name}")
        dtype = tf.float32 if inputs.dtype in _SIXTEEN_BIT else inputs.dtype  # 16-bit variances overflow
        x = tf.cast(inputs, dtype)
        gamma = None if self.gamma is None else tf.cast(self.gamma.value, dtype)
        beta = None if self.beta is None else tf.cast(self.beta.value, dtype)
        if training and self.trainable:
            outputs = self._training_call(x, gamma, beta)
        else:
            mean = tf.cast(self.moving_mean.value, dtype)
            variance = tf.cast(self.moving_variance.value, dtype)
            outputs = bn_math.normalize(x, self.broadcast(mean), self.broadcast(variance),
                                        self.broadcast(beta), self.broadcast(gamma), self.epsilon)
        return tf.cast(outputs, self.compute_dtype)

    def _training_call(self, x: tf.Tensor, gamma: tf.Tensor | None, beta: tf.Tensor | None) -> tf.Tensor:
        raise NotImplementedError

    def batch_moments(self, x: tf.Tensor, axes: Sequence[int]) -> tuple[tf.Tensor, tf.Tensor]:
        """μ_B and the biased σ²_B over `axes`, kept as broadcastable dimensions (bn_math.moments)."""
        return bn_math.moments(x, axes, keepdims=True)

    def to_param_shape(self, value: tf.Tensor) -> tf.Tensor:
        """A broadcastable statistic reshaped to the weights' shape, for the updates."""
        return tf.reshape(value, self._param_shape)

    # ------------------------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": keras.initializers.serialize(self.beta_initializer),
            "gamma_initializer": keras.initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": keras.initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": keras.initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": keras.regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": keras.regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": keras.constraints.serialize(self.beta_constraint),
            "gamma_constraint": keras.constraints.serialize(self.gamma_constraint),
        }
