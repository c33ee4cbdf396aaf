"""The article's network, many at a time: K networks as one set of variables with a leading network axis.

Seed 002's `NeuralNetwork` (`tf1_bn.article.network`), BN as Ioffe & Szegedy 2015, Alg. 1. Network k has
its own initial weights, activation, learning rate and batch-norm choice; its variables are slice k of
stacked ones, and every op computes all the networks of a group at once:

    x·W          (k, batch, out) = (batch, in) or (k, batch, in)  @  (k, in, out)     batched matmul
    BN           μ_B, σ²_B (biased) per network and unit, over the batch axis only — never across
                 networks — with `bn_math.training_batch_norm` (hand-written gradient)
    no BN        x·W + b,  b (k, out)
    loss         one mean cross-entropy per network, (k,)

Decisions, each measured on the table's 16 networks, 2 cores (ms per batched step, same run):
- Networks with and without BN are separate groups (their layers differ: γ, β and moving statistics vs
  a bias). The two groups' ops are independent and run side by side on the two cores: 4.8 ms, against
  5.7 for one group where BN is computed for all and selected away for the networks without it.
- Activations may differ inside a group: members are ordered by activation, and each hidden layer splits
  the stack, applies relu or sigmoid to its part and concatenates (5.9 ms; computing both everywhere
  and selecting: 7.1).
- Per-network learning rates: the gradient root is Σ_k lr_k·loss_k and the optimizer's rate is 1, so
  network k moves by lr_k·∂loss_k/∂θ_k, the product taken at the root of the backward pass instead of
  on every gradient (equal up to float32 rounding; 5.9 ms against 6.7). A network whose loss is NaN gets
  NaN gradients in its own slice only: ∂(Σ)/∂ loss_k = 1 whatever the other terms are.
- BN and the activation of a hidden layer run as one XLA-compiled call forward and one backward
  (`jit=True`; about 25 element-wise ops of (k, 60, 128) become two calls, the backward recomputing the
  forward): 4.5–5.3 ms against 5.7–6.0 with `jit=False`, the same math as plain TF ops. Groups without
  BN keep the plain ops (bias, activation: two ops that use both cores, where an XLA loop uses one; 16
  networks without BN alone: 4,060 network-steps/s against 3,840 compiled).
- Inference (validation, test) is the fast loop's `forward(training=False)`, `replay`ed over the
  group's `layers` (its variables viewed as (k, 1, units)): `bn_math.normalize` with the moving statistics.
- Moving statistics follow the "layers" rule, moving ← moving − (moving − batch)·(1 − momentum), one
  `bn_updates.assign_moving_average` per statistic, layer and group, registered in
  `tf.GraphKeys.UPDATE_OPS`; `train_step` builds the SGD step under `tf.control_dependencies(update_ops)`.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from typing import Any, Callable, Sequence

import numpy as np
import tensorflow as tf

from tf1_bn import bn_math, bn_updates
from tf1_bn._graph import require_graph_mode
from tf1_bn.article import backends as bn_backends
from tf1_bn.article import fast_loop
from tf1_bn.article.network import LayerRecord, _check_weights

UPDATE_OPS = tf.compat.v1.GraphKeys.UPDATE_OPS


@dataclasses.dataclass(frozen=True, eq=False)
class NetworkSpec:
    """One network of a stack: what `NeuralNetwork(initial_weights, activation_fn, use_batch_norm,
    momentum=momentum)` takes, plus the learning rate it is trained with."""

    initial_weights: Sequence[np.ndarray]
    activation_fn: Callable[[tf.Tensor], tf.Tensor]
    use_batch_norm: bool
    learning_rate: float
    momentum: float = 0.99
    name: str = ""

    def __post_init__(self) -> None:
        if not callable(self.activation_fn):
            raise TypeError(f"`activation_fn` must be callable (e.g. tf.nn.relu); received {self.activation_fn!r}")
        if not isinstance(self.use_batch_norm, bool):
            raise TypeError(f"`use_batch_norm` must be a bool; received {self.use_batch_norm!r}")
        if not self.learning_rate > 0:
            raise ValueError(f"`learning_rate` must be positive; received {self.learning_rate!r}")
        if not 0 <= self.momentum < 1:
            raise ValueError(f"`momentum` must be in [0, 1); received {self.momentum!r}")
        object.__setattr__(self, "initial_weights", tuple(_check_weights(self.initial_weights)))
        if not self.name:
            object.__setattr__(self, "name", "With Batch Norm" if self.use_batch_norm else "Without Batch Norm")


def _activate(y: tf.Tensor, runs: Sequence[tuple[Callable, int]]) -> tf.Tensor:
    """f_k applied to slice k of `y`; `runs` lists (f, number of consecutive networks)."""
    if len(runs) == 1:
        return runs[0][0](y)
    parts = tf.split(y, [n for _, n in runs], axis=0)
    return tf.concat([fn(part) for (fn, _), part in zip(runs, parts)], axis=0)


def _hidden_math(z: tf.Tensor, params: Sequence[tf.Tensor], runs: Sequence[tuple[Callable, int]],
                 use_batch_norm: bool) -> tuple[tf.Tensor, ...]:
    """(f(BN(z)), μ_B, σ²_B) or (f(z + b),) for z = x·W of shape (k, batch, units)."""
    if not use_batch_norm:
        return (_activate(z + params[0][:, None, :], runs),)
    # bn_math's kernel takes moments over axis 0: hand it (batch, k, units), so μ_B and σ²_B are (k, units).
    y, mean, variance = bn_math.training_batch_norm(tf.transpose(z, [1, 0, 2]), params[0], params[1], bn_backends.EPSILON)
    return _activate(tf.transpose(y, [1, 0, 2]), runs), mean, variance


class _HiddenKernel:
    """A hidden layer after its matmul, for one group: BN (or the bias) and the activation. With `jit`,
    the forward and the backward are each one XLA-compiled call; the backward recomputes the forward and
    differentiates it with bn_math's hand-written gradient."""

    def __init__(self, runs: Sequence[tuple[Callable, int]], use_batch_norm: bool, jit: bool) -> None:
        runs = tuple(runs)
        self.jit = jit
        self._math = lambda z, *params: _hidden_math(z, params, runs, use_batch_norm)
        if jit:
            def backward(z: tf.Tensor, dh: tf.Tensor, *params: tf.Tensor) -> list[tf.Tensor]:
                return tf.gradients(self._math(z, *params)[0], [z, *params], grad_ys=dh)

            self._forward = tf.function(self._math, jit_compile=True, autograph=False)
            self._backward = tf.function(backward, jit_compile=True, autograph=False)

    def __call__(self, z: tf.Tensor, params: Sequence[tf.Tensor]) -> tuple[tf.Tensor, list[tf.Tensor]]:
        """(activations, [μ_B, σ²_B] or []); the statistics carry no gradient."""
        if not self.jit:
            outputs = self._math(z, *params)
            return outputs[0], list(outputs[1:])

        @tf.custom_gradient
        def kernel(z: tf.Tensor, *params: tf.Tensor) -> Any:
            outputs = self._forward(z, *params)
            return tuple(outputs), lambda dh, *_: self._backward(z, dh, *params)

        outputs = kernel(z, *params)
        return outputs[0], [tf.stop_gradient(s) for s in outputs[1:]]


class _Group:
    """Networks sharing one structure (all with BN and one momentum, or all without), stacked on axis 0."""

    def __init__(self, members: list[int], specs: Sequence[NetworkSpec], jit: bool, name: str) -> None:
        self.members = members  # indices into the stack's specs, ordered by activation
        first = specs[members[0]]
        self.use_batch_norm, self.momentum = first.use_batch_norm, first.momentum
        self.runs = [(fn, len(list(run))) for fn, run in itertools.groupby(specs[m].activation_fn for m in members)]
        count, sizes = len(members), [w.shape for w in first.initial_weights]
        with tf.compat.v1.variable_scope(None, default_name=name):
            def stacked(name: str, value: np.ndarray, trainable: bool = True) -> tf.Variable:
                return tf.compat.v1.Variable(value.astype(np.float32), name=name, trainable=trainable)

            self.weights = [stacked(f"weights_{i}", np.stack([specs[m].initial_weights[i] for m in members]))
                            for i in range(len(sizes))]  # (k, in, out)
            hidden = [(count, shape[1]) for shape in sizes[:-1]]
            if self.use_batch_norm:  # γ 1, β 0, moving mean 0, moving variance 1: the layer's initializers
                self.hidden_params = [[stacked(f"gamma_{i}", np.ones(s)), stacked(f"beta_{i}", np.zeros(s))]
                                      for i, s in enumerate(hidden)]
                self.moving = [(stacked(f"moving_mean_{i}", np.zeros(s), False),
                                stacked(f"moving_variance_{i}", np.ones(s), False)) for i, s in enumerate(hidden)]
            else:
                self.hidden_params = [[stacked(f"bias_{i}", np.zeros(s))] for i, s in enumerate(hidden)]
                self.moving = []
            self.output_bias = stacked("output_bias", np.zeros((count, sizes[-1][1])))
            self.learning_rates = tf.constant([specs[m].learning_rate for m in members], tf.float32, name="learning_rates")
        # XLA for BN only: a bias and an activation are two TF ops, which use both cores; an XLA loop uses one.
        # One kernel for every hidden layer: its two functions are traced and compiled once, not once per layer.
        kernel = _HiddenKernel(self.runs, self.use_batch_norm, jit and self.use_batch_norm)
        self.kernels = [kernel] * len(hidden)

    @property
    def trainable(self) -> list[tf.Variable]:
        return [*self.weights, *(v for params in self.hidden_params for v in params), self.output_bias]

    def training_logits(self, x: tf.Tensor) -> tf.Tensor:
        """Logits (k, batch, 10) with batch statistics; registers the moving-average updates in UPDATE_OPS."""
        for layer, weights in enumerate(self.weights[:-1]):
            x, statistics = self.kernels[layer](tf.matmul(x, weights), self.hidden_params[layer])  # (k, batch, 128)
            for variable, value in zip(self.moving[layer] if self.moving else (), statistics):
                tf.compat.v1.add_to_collection(UPDATE_OPS, bn_updates.assign_moving_average(variable, value, self.momentum))
        return tf.matmul(x, self.weights[-1]) + self.output_bias[:, None, :]

    @property
    def layers(self) -> list[LayerRecord]:
        """The group as `NeuralNetwork.layers` records, each variable viewed with a batch axis to broadcast
        over ((k, 1, units)), so `replay` and the fast loop's inference forward run it unchanged."""
        def view(variable: tf.Variable) -> tf.Tensor:
            return variable[:, None, :]

        activate = functools.partial(_activate, runs=self.runs)
        records = []
        for layer, weights in enumerate(self.weights[:-1]):
            params = self.hidden_params[layer]
            if self.use_batch_norm:
                mean, variance = self.moving[layer]
                statistics = bn_backends.BatchNormVariables(view(params[0]), view(params[1]), view(mean), view(variance),
                                                            self.momentum)
                records.append(LayerRecord(weights, None, statistics, activate))
            else:
                records.append(LayerRecord(weights, view(params[0]), None, activate))
        return records + [LayerRecord(self.weights[-1], view(self.output_bias), None, None)]

    def inference_logits(self, x: tf.Tensor) -> tf.Tensor:
        """Logits with the moving statistics (is_training=False), y = γ·(x − μ)/√(σ² + ε) + β: the fast
        loop's inference forward, replayed over the stacked layers."""
        return fast_loop.forward(self, x, training=False)

    def network_variables(self, position: int) -> list[Any]:
        """Slice `position`'s variables in `NeuralNetwork.variables` order: per hidden layer W then b, or
        W, γ, β, moving mean, moving variance; then the output layer's W and b."""
        order: list[Any] = []
        for layer, weights in enumerate(self.weights[:-1]):
            order += [weights, *self.hidden_params[layer], *(self.moving[layer] if self.moving else ())]
        return [v[position] for v in order + [self.weights[-1], self.output_bias]]


def _cross_entropy(logits: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
    """Per-example softmax cross-entropy (k, batch); `labels` (batch, 10) or (k, batch, 10)."""
    return tf.nn.softmax_cross_entropy_with_logits(labels=tf.broadcast_to(labels, tf.shape(logits)), logits=logits)


class StackedNetworks:
    """K article networks in the default graph as stacked variables (see the module docstring).

    `train_step(x, y)` is one SGD step of every network; `evaluate(x, y)` their losses and accuracies
    with the moving statistics. Inputs are `x` (batch, 784) seen by all networks, or (K, batch, 784)
    with row k for network k (labels alike); outputs are in the order of `specs`.
    """

    def __init__(self, specs: Sequence[NetworkSpec], *, jit: bool = True) -> None:
        require_graph_mode("StackedNetworks")
        if not specs:
            raise ValueError("`specs` must be a non-empty sequence of NetworkSpec; received none")
        if not all(isinstance(s, NetworkSpec) for s in specs):
            raise TypeError(f"`specs` must be a sequence of NetworkSpec; received {[type(s).__name__ for s in specs]}")
        shapes = {tuple(w.shape for w in s.initial_weights) for s in specs}
        if len(shapes) != 1:
            raise ValueError(f"all networks of a stack must have the same layer sizes; received {sorted(shapes)}")
        self.specs = list(specs)
        self.graph = tf.compat.v1.get_default_graph()
        key = lambda s: (s.use_batch_norm, s.momentum if s.use_batch_norm else 0.0)  # noqa: E731
        activations = [s.activation_fn for s in specs]
        self.groups = []
        for use_batch_norm, momentum in sorted({key(s) for s in specs}):
            members = [i for i, s in enumerate(specs) if key(s) == (use_batch_norm, momentum)]
            by_activation = sorted(members, key=lambda i: activations.index(specs[i].activation_fn))
            self.groups.append(_Group(by_activation, specs, jit, "stacked_bn" if use_batch_norm else "stacked"))
        self._order = np.argsort([m for g in self.groups for m in g.members])  # group order → spec order

    def __repr__(self) -> str:
        return f"<StackedNetworks {len(self.specs)} networks in {len(self.groups)} groups>"

    @property
    def trainable_variables(self) -> list[tf.Variable]:
        return [v for group in self.groups for v in group.trainable]

    def _inputs(self, group: _Group, tensor: tf.Tensor) -> tf.Tensor:
        """The group's rows of a per-network input, or a shared input with a broadcast network axis."""
        return tf.gather(tensor, group.members) if tensor.shape.rank == 3 else tensor[None]

    def train_step(self, x: tf.Tensor, y: tf.Tensor) -> tf.Operation:
        """One SGD step of every network: θ_k ← θ_k − lr_k·∂loss_k/∂θ_k, after the UPDATE_OPS recipe."""
        before = len(tf.compat.v1.get_collection(UPDATE_OPS))
        scaled = []
        for group in self.groups:
            losses = tf.reduce_mean(_cross_entropy(group.training_logits(self._inputs(group, x)), self._inputs(group, y)), axis=1)
            scaled.append(tf.reduce_sum(losses * group.learning_rates))  # the gradient root Σ_k lr_k·loss_k
        update_ops = tf.compat.v1.get_collection(UPDATE_OPS)[before:]
        with tf.control_dependencies(update_ops):
            optimizer = tf.compat.v1.train.GradientDescentOptimizer(1.0)  # the rates are in the loss
            return optimizer.minimize(tf.add_n(scaled), var_list=self.trainable_variables)

    def evaluate(self, x: tf.Tensor, y: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """(loss, accuracy), each (K,) in spec order, with the moving statistics."""
        losses, accuracies = [], []
        for group in self.groups:
            logits, labels = group.inference_logits(self._inputs(group, x)), self._inputs(group, y)
            losses.append(tf.reduce_mean(_cross_entropy(logits, labels), axis=1))
            correct = tf.equal(tf.argmax(logits, -1), tf.argmax(tf.broadcast_to(labels, tf.shape(logits)), -1))
            accuracies.append(tf.reduce_mean(tf.cast(correct, tf.float32), axis=1))
        order = tf.constant(self._order, tf.int32)
        return tf.gather(tf.concat(losses, 0), order), tf.gather(tf.concat(accuracies, 0), order)

    def network_values(self, sess: tf.compat.v1.Session) -> list[list[np.ndarray]]:
        """Each network's variables as arrays, in `NeuralNetwork.variables` order (spec order)."""
        slices = {m: group.network_variables(p) for group in self.groups for p, m in enumerate(group.members)}
        values = sess.run([slices[i] for i in range(len(self.specs))])
        return [list(v) for v in values]


def load_values(network: Any, sess: tf.compat.v1.Session, values: Sequence[np.ndarray]) -> None:
    """Write `network_values` of one network into a `NeuralNetwork` built like it (same weights' shapes)."""
    variables = network.variables
    if [tuple(v.shape) for v in variables] != [np.shape(a) for a in values]:
        raise ValueError(f"`values` do not fit {network!r}: shapes {[np.shape(a) for a in values]}")
    for variable, value in zip(variables, values):
        variable.load(value, sess)
