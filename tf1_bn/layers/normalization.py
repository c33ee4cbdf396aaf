"""`tf.layers.batch_normalization` and `tf.layers.BatchNormalization`, TF 1.15's API on tf.compat.v1.

Ioffe & Szegedy 2015, "Batch Normalization", Sec. 3.1 and Algorithm 1-2:

    training:   y = γ · (x − μ_B) / √(σ²_B + ε) + β     (μ_B, biased σ²_B of this batch)
    inference:  y = γ · (x − μ) / √(σ² + ε) + β         (μ, σ² = moving_mean, moving_variance)
    update:     moving ← moving − (moving − batch) · (1 − momentum),   momentum = 0.99 by default

The update ops go to `tf.GraphKeys.UPDATE_OPS`; they run only if the train op depends on them (seed
000's recipe):

    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = optimizer.minimize(loss)

Build the layers BEFORE reading the collection, or it is empty.

**`training` defaults to False**, as in TF1: a layer called without it normalizes with the moving
statistics and never updates them. Pass a Python bool or a bool placeholder (`is_training`).

Paths (chosen as TF1 chose them, in `build`):
  - plain: tf.nn.moments + tf.nn.batch_normalization; the moving variance tracks the biased σ²_B.
  - fused (`fused=None` or True, rank 4 with axis 1/3 or rank 5 with axis 1/4, float16/32, no renorm,
    virtual batches or adjustment; otherwise it silently falls back): one kernel; the moving variance
    tracks the Bessel-corrected σ²_B·m/(m−1), as TF1's fused path did.
  - renorm: Batch Renormalization (`tf1_bn.layers.renorm`).
  - virtual_batch_size: "ghost" batches, each normalized alone; the moving statistics take their
    average. Used whenever training is true, also when fed through a placeholder (TF1's behaviour).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import tensorflow as tf

from tf1_bn import bn_math, bn_updates
from tf1_bn._graph import Training
from tf1_bn.layers import bn_arguments
from tf1_bn.layers import renorm as _renorm
from tf1_bn.layers.base import Layer
from tf1_bn.layers.core import initializer, optional_callable

_FUSED_FORMATS = {(4, 1): "NCHW", (4, 3): "NHWC", (5, 1): "NCDHW", (5, 4): "NDHWC"}
_FUSED_DTYPES = (tf.float16, tf.bfloat16, tf.float32)


class BatchNormalization(Layer):
    """TF1's batch-normalization layer; see the module docstring for the equations and paths.

    Arguments and defaults are TF 1.15's: axis=-1, momentum=0.99, epsilon=1e-3, center, scale, the four
    initializers, beta/gamma regularizers and constraints, renorm, renorm_clipping, renorm_momentum,
    fused, trainable, virtual_batch_size, adjustment, name. Variables: `<scope>/gamma`, `beta`,
    `moving_mean`, `moving_variance` (+ `moving_stddev`, `renorm_mean`, `renorm_stddev` with renorm).

    `layer(x)` alone runs in inference mode (TF1's `training=False` default).
    """

    # TF1's test hook, kept because its upstream tests set it: False makes the fused path's moving
    # variance track the biased σ²_B (removing the kernel's m/(m−1)); TF1's default, True, keeps it.
    _bessels_correction_test_only = True

    def __init__(
        self,
        axis: int | Sequence[int] = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = tf.compat.v1.zeros_initializer(),
        gamma_initializer: Any = tf.compat.v1.ones_initializer(),
        moving_mean_initializer: Any = tf.compat.v1.zeros_initializer(),
        moving_variance_initializer: Any = tf.compat.v1.ones_initializer(),
        beta_regularizer: Callable | None = None,
        gamma_regularizer: Callable | None = None,
        beta_constraint: Callable | None = None,
        gamma_constraint: Callable | None = None,
        renorm: bool = False,
        renorm_clipping: Mapping[str, Any] | None = None,
        renorm_momentum: float = 0.99,
        fused: bool | None = None,
        trainable: bool = True,
        virtual_batch_size: int | None = None,
        adjustment: Callable | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(trainable=trainable, name=name, **kwargs)
        bn_arguments.check_layer_arguments(axis, center, scale, renorm, fused, epsilon, virtual_batch_size, adjustment)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.momentum = bn_arguments.fraction(momentum, "momentum")
        self.epsilon = float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializer(beta_initializer, "beta_initializer")
        self.gamma_initializer = initializer(gamma_initializer, "gamma_initializer")
        self.moving_mean_initializer = initializer(moving_mean_initializer, "moving_mean_initializer")
        self.moving_variance_initializer = initializer(moving_variance_initializer, "moving_variance_initializer")
        self.beta_regularizer = optional_callable(beta_regularizer, "beta_regularizer")
        self.gamma_regularizer = optional_callable(gamma_regularizer, "gamma_regularizer")
        self.beta_constraint = optional_callable(beta_constraint, "beta_constraint")
        self.gamma_constraint = optional_callable(gamma_constraint, "gamma_constraint")
        self.renorm = renorm
        self.renorm_clipping = _renorm.validate_clipping(renorm_clipping) if renorm else None
        self.renorm_momentum = bn_arguments.fraction(renorm_momentum, "renorm_momentum")
        self.virtual_batch_size = virtual_batch_size
        self.adjustment = optional_callable(adjustment, "adjustment")
        # TF1 (V1 layers): None means "fused if possible"; decided in build() from the input.
        self.fused = True if fused is None else fused
        self.gamma = self.beta = None

    # -------------------------------------------------------------------------------- build
    def _param_dtype(self) -> tf.DType:
        return tf.float32 if self.dtype in (tf.float16, tf.bfloat16) else self.dtype

    def _fused_format(self, rank: int) -> str | None:
        """TF1's rule: the fused kernel only for one channel axis of a 4-D/5-D float input, no extras."""
        if self.renorm or self.virtual_batch_size is not None or self.adjustment is not None:
            return None
        if len(self.axis) != 1 or self.dtype not in _FUSED_DTYPES:
            return None
        return _FUSED_FORMATS.get((rank, self.axis[0]))

    def build(self, input_shape: tf.TensorShape) -> None:
        rank = input_shape.rank
        if rank is None or rank < 1:
            raise ValueError(f"`inputs` must have a known rank of at least 1; received shape {input_shape}")
        self.axis = bn_arguments.validate_axis(self.axis, rank)
        bn_arguments.check_virtual_batches(self.virtual_batch_size, self.axis, input_shape)
        if self.fused:
            self._data_format = self._fused_format(rank)
            self.fused = self._data_format is not None
        self._input_rank = rank
        self._axis_sizes = {a: input_shape[a] for a in self.axis}
        for a, size in self._axis_sizes.items():
            if size is None:
                raise ValueError(f"`inputs` must have a known size on the normalized axis {a}; received shape {input_shape}")
        if len(self.axis) == 1 and self.virtual_batch_size is None:
            param_shape = [self._axis_sizes[self.axis[0]]]
        else:
            param_shape = [self._axis_sizes.get(i, 1) for i in range(rank)]
            if self.virtual_batch_size is not None:
                param_shape.insert(1, 1)  # the virtual-batch dimension
                self.axis = [a + 1 for a in self.axis]
        self._param_shape = param_shape
        dtype = self._param_dtype()
        if self.scale:
            self.gamma = self.add_weight("gamma", param_shape, dtype, self.gamma_initializer, self.gamma_regularizer, True, self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", param_shape, dtype, self.beta_initializer, self.beta_regularizer, True, self.beta_constraint)
        statistic = dict(
            trainable=False,
            synchronization=tf.VariableSynchronization.ON_READ,
            aggregation=tf.VariableAggregation.MEAN,
        )
        scope = tf.compat.v1.get_variable_scope()
        partitioner = scope.partitioner
        scope.set_partitioner(None)  # statistics are never partitioned
        try:
            self.moving_mean = self.add_weight("moving_mean", param_shape, dtype, self.moving_mean_initializer, **statistic)
            self.moving_variance = self.add_weight("moving_variance", param_shape, dtype, self.moving_variance_initializer, **statistic)
            if self.renorm:
                _renorm.add_variables(self, param_shape, dtype, statistic)
        finally:
            scope.set_partitioner(partitioner)

    def _check_input(self, inputs: tf.Tensor) -> None:
        shape = inputs.shape
        if shape.rank != self._input_rank or any(shape[a] not in (None, n) for a, n in self._axis_sizes.items()):
            raise ValueError(
                f"`inputs` of layer {self.name!r} must have rank {self._input_rank} and sizes "
                f"{self._axis_sizes} on the normalized axes, as on its first call; received shape {shape}"
            )

    # --------------------------------------------------------------------------------- call
    def call(self, inputs: tf.Tensor, training: Any = False) -> tf.Tensor:
        mode = Training.of(training)  # validated and decided once, with a message naming `training`
        if not inputs.dtype.is_floating:
            raise TypeError(f"`inputs` must be a floating-point tensor; received dtype {inputs.dtype.name}")
        inputs = tf.cast(inputs, self.dtype)
        original_shape = None
        if self.virtual_batch_size is not None:
            # (N, ...) → (vbs, N/vbs, ...): sample i belongs to ghost batch i mod (N/vbs).
            original_shape = tf.concat([[-1], tf.shape(inputs)[1:]], axis=0)
            if inputs.shape[0] is None:  # checked in build when static; here when fed
                check = tf.debugging.assert_equal(
                    tf.math.floormod(tf.shape(inputs)[0], self.virtual_batch_size), 0,
                    message=f"`virtual_batch_size`={self.virtual_batch_size} must divide the batch size of layer "
                            f"{self.name!r}; the batch size fed is not a multiple of it")
                with tf.control_dependencies([check]):
                    inputs = tf.identity(inputs)
            inputs = tf.reshape(inputs, tf.concat([[self.virtual_batch_size, -1], tf.shape(inputs)[1:]], axis=0))
        outputs = self._fused_call(inputs, mode) if self.fused else self._plain_call(inputs, mode)
        return outputs if original_shape is None else tf.reshape(outputs, original_shape)

    def _fused_call(self, inputs: tf.Tensor, training: Training) -> tf.Tensor:
        dtype = self._param_dtype()
        gamma = self.gamma if self.scale else tf.constant(1.0, dtype, self._param_shape)
        beta = self.beta if self.center else tf.constant(0.0, dtype, self._param_shape)
        outputs, mean, variance = bn_updates.fused_batch_norm(
            training, inputs, gamma, beta, self.moving_mean, self.moving_variance, self.epsilon, self._data_format)
        if training.may_train:
            if not self._bessels_correction_test_only:  # track the biased σ²_B, as the plain path does
                m = tf.cast(tf.size(inputs) / tf.size(variance), variance.dtype)
                variance = variance * ((m - 1.0) / m)
            momentum = tf.convert_to_tensor(self.momentum)  # 1 − momentum in float32, as TF1's fused path

            def updates() -> tuple[tf.Tensor, tf.Tensor]:
                return (bn_updates.assign_moving_average(self.moving_mean, mean, momentum),
                        bn_updates.assign_moving_average(self.moving_variance, variance, momentum))

            for update in bn_updates.gated_updates(training, updates, lambda: (self.moving_mean, self.moving_variance)):
                self.add_update(update)
        return outputs

    def _plain_call(self, inputs: tf.Tensor, training: Training) -> tf.Tensor:
        input_dtype = inputs.dtype
        if input_dtype in (tf.float16, tf.bfloat16):
            inputs = tf.cast(inputs, tf.float32)  # 16-bit variances overflow easily
        rank = inputs.shape.rank
        reduction_axes = [i for i in range(rank) if i not in self.axis]
        if self.virtual_batch_size is not None:
            del reduction_axes[1]  # statistics per ghost batch
        broadcast_shape = [1] * rank
        broadcast_shape[self.axis[0]] = inputs.shape[self.axis[0]]

        def broadcast(v: Any) -> Any:
            # Only a 1-D parameter of an axis that is not last needs reshaping to broadcast.
            if v is not None and v.shape.rank != rank and reduction_axes != list(range(rank - 1)):
                return tf.reshape(v, broadcast_shape)
            return v

        scale, offset = broadcast(self.gamma), broadcast(self.beta)
        if training.may_train:
            mean, variance, scale, offset = self._training_statistics(inputs, reduction_axes, broadcast, scale, offset, training)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        cast = lambda v: None if v is None else tf.cast(v, inputs.dtype)  # noqa: E731
        outputs = bn_math.normalize(
            inputs, broadcast(cast(mean)), broadcast(cast(variance)), cast(offset), cast(scale), self.epsilon
        )
        if input_dtype in (tf.float16, tf.bfloat16):
            outputs = tf.cast(outputs, input_dtype)
        outputs.set_shape(inputs.shape)
        return outputs

    def _training_statistics(self, inputs: tf.Tensor, reduction_axes: list[int], broadcast: Callable, scale: Any,
                             offset: Any, training: Training) -> tuple[Any, Any, Any, Any]:
        """(mean, variance, scale, offset) to normalize with when training may be on, and the updates.

        Batch moments when training (moving ones when a run-time `training` is False); adjustment and
        renorm folded into scale/offset; the two update ops gated by `training` and added to the layer.
        """
        if self.adjustment is not None:
            adj_scale, adj_bias = self.adjustment(tf.shape(inputs))
            adj_scale = training.cond(lambda: adj_scale, lambda: tf.ones_like(adj_scale))
            adj_bias = training.cond(lambda: adj_bias, lambda: tf.zeros_like(adj_bias))
            scale, offset = bn_arguments.compose(adj_scale, adj_bias, scale, offset)
        keepdims = self.virtual_batch_size is not None or len(self.axis) > 1
        batch_mean, batch_variance = bn_math.moments(tf.cast(inputs, self._param_dtype()), reduction_axes, keepdims=keepdims)
        mean = training.cond(lambda: batch_mean, lambda: tf.convert_to_tensor(self.moving_mean))
        variance = training.cond(lambda: batch_variance, lambda: tf.convert_to_tensor(self.moving_variance))
        if self.virtual_batch_size is not None:
            # One update from the average over the ghost batches (TF1's simplification).
            new_mean = tf.reduce_mean(mean, axis=1, keepdims=True)
            new_variance = tf.reduce_mean(variance, axis=1, keepdims=True)
        else:
            new_mean, new_variance = mean, variance
        if self.renorm:
            r, d, new_mean, new_variance = _renorm.correction_and_moments(self, new_mean, new_variance, training)
            r = broadcast(tf.stop_gradient(r, name="renorm_r"))
            d = broadcast(tf.stop_gradient(d, name="renorm_d"))
            scale, offset = bn_arguments.compose(r, d, scale, offset)

        def updates() -> tuple[tf.Tensor, tf.Tensor]:
            update_mean = bn_updates.assign_moving_average(self.moving_mean, new_mean, self.momentum)
            if self.renorm:
                return update_mean, _renorm.moving_variance_update(self, new_variance)
            return update_mean, bn_updates.assign_moving_average(self.moving_variance, new_variance, self.momentum)

        for update in bn_updates.gated_updates(training, updates, lambda: (self.moving_mean, self.moving_variance)):
            self.add_update(update)
        return mean, variance, scale, offset


def batch_normalization(
    inputs: Any,
    axis: int | Sequence[int] = -1,
    momentum: float = 0.99,
    epsilon: float = 1e-3,
    center: bool = True,
    scale: bool = True,
    beta_initializer: Any = tf.compat.v1.zeros_initializer(),
    gamma_initializer: Any = tf.compat.v1.ones_initializer(),
    moving_mean_initializer: Any = tf.compat.v1.zeros_initializer(),
    moving_variance_initializer: Any = tf.compat.v1.ones_initializer(),
    beta_regularizer: Callable | None = None,
    gamma_regularizer: Callable | None = None,
    beta_constraint: Callable | None = None,
    gamma_constraint: Callable | None = None,
    training: Any = False,
    trainable: bool = True,
    name: str | None = None,
    reuse: Any = None,
    renorm: bool = False,
    renorm_clipping: Mapping[str, Any] | None = None,
    renorm_momentum: float = 0.99,
    fused: bool | None = None,
    virtual_batch_size: int | None = None,
    adjustment: Callable | None = None,
) -> tf.Tensor:
    """Functional `tf.layers.batch_normalization(inputs, training=is_training)`: one new layer, applied once.

    **`training` defaults to False** (inference mode, no updates), as in TF1: pass your `is_training`
    placeholder. The two update ops join `tf.GraphKeys.UPDATE_OPS`; make the train op depend on them
    (seed 000). `name` fixes the variable scope; `reuse=True` reuses its variables.
    """
    layer = BatchNormalization(
        axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
        beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
        moving_mean_initializer=moving_mean_initializer, moving_variance_initializer=moving_variance_initializer,
        beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
        beta_constraint=beta_constraint, gamma_constraint=gamma_constraint,
        renorm=renorm, renorm_clipping=renorm_clipping, renorm_momentum=renorm_momentum, fused=fused,
        trainable=trainable, virtual_batch_size=virtual_batch_size, adjustment=adjustment,
        name=name, _scope=name, _reuse=reuse,
    )
    return layer(inputs, training=training)


# TF1's module aliases.
BatchNorm = BatchNormalization
batch_norm = batch_normalization
