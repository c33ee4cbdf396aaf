"""Checkpoints written by `NeuralNetwork.train(save_model=...)` (seed 002's `tf.train.Saver().save`).

A Saver saves every variable of the graph under its TF1 name, so a checkpoint from the article's
`train_and_test` holds two networks, built in this order:

    without BN:  Variable (784x128), Variable_1 (bias), …, Variable_6 (128x10), Variable_7 (bias)
    with BN:     Variable_8 (784x128, no bias), batch_normalization/{gamma,beta,moving_mean,moving_variance},
                 Variable_9, batch_normalization_1/…, Variable_10, batch_normalization_2/…,
                 Variable_11 (128x10), Variable_12 (bias)

(the "moments_ema" backend writes batch_norm_layer_k/ with EMA shadows, "assign" assign_batch_norm_k/).
`describe_checkpoint` reads that layout back from the names and shapes alone: the weight matrices in
creation order, a network ending where the shapes stop chaining or after a BN network's biased
output layer. `restore` rebuilds the same NeuralNetworks in the same order in a fresh graph — so
every variable gets its original name — and restores them. The activation and the momentum are not
in a checkpoint: pass them.
"""

from __future__ import annotations

import dataclasses
import os
import re
from typing import Any, Callable

import numpy as np
import tensorflow as tf

from tf1_bn.article import backends as bn_backends
from tf1_bn.migrate import snapshot
from tf1_bn._graph import tf2_shapes

_SCOPES = {"batch_normalization": "layers", "batch_norm_layer": "moments_ema", "assign_batch_norm": "assign"}
_SCOPE = re.compile(r"^(batch_normalization|batch_norm_layer|assign_batch_norm)(?:_(\d+))?/")
_WEIGHT = re.compile(r"^Variable(?:_(\d+))?$")
_ACTIVATIONS: dict[str, Callable] = {
    "relu": tf.nn.relu, "sigmoid": tf.nn.sigmoid, "tanh": tf.nn.tanh, "elu": tf.nn.elu, "selu": tf.nn.selu,
    "softplus": tf.nn.softplus, "relu6": tf.nn.relu6, "silu": tf.nn.silu,
}


@dataclasses.dataclass(frozen=True)
class CheckpointNetwork:
    """One NeuralNetwork found in a checkpoint: its position, sizes, BN backend and weight names."""

    index: int
    layer_sizes: tuple[int, ...]  # e.g. (784, 128, 128, 128, 10)
    bn: str                        # "layers", "moments_ema", "assign" or "none"
    weights: tuple[str, ...]       # "Variable_8", … (kernels and biases, in creation order)

    def __str__(self) -> str:
        return f"network {self.index}: {'-'.join(map(str, self.layer_sizes))}, bn={self.bn!r} ({self.weights[0]}…{self.weights[-1]})"


def describe_checkpoint(path: str) -> list[CheckpointNetwork]:
    """The NeuralNetworks a checkpoint holds, in the order they were built."""
    try:
        listed = tf.train.list_variables(path)
    except (tf.errors.NotFoundError, tf.errors.DataLossError, ValueError) as error:
        raise ValueError(f"`path` must name a TF checkpoint (the prefix given to save_model); received {path!r}: {error}") from None
    shapes = dict(listed)
    weights = sorted((int(m.group(1) or 0), name) for name in shapes if (m := _WEIGHT.match(name)))
    backends = {_SCOPES[m.group(1)] for name in shapes if (m := _SCOPE.match(name))}
    if len(backends) > 1:
        raise ValueError(f"checkpoint {path!r} must hold BN variables of one backend; received {sorted(backends)}")
    networks: list[list[tuple[str, list[int], str | None]]] = []  # per network: (weights, shape, bias)
    for _, name in weights:
        shape = shapes[name]
        if len(shape) == 1:
            layers = networks[-1] if networks else []
            if not layers or layers[-1][2] is not None or layers[-1][1][1] != shape[0]:
                raise ValueError(f"checkpoint {path!r} is not a NeuralNetwork's: bias {name} {shape} follows no matching weights")
            layers[-1] = (*layers[-1][:2], name)
            continue
        if len(shape) != 2:
            raise ValueError(f"checkpoint {path!r} is not a NeuralNetwork's: {name} has shape {shape}")
        last = networks[-1][-1] if networks else None
        chains = last is not None and last[1][1] == shape[0]
        ended = last is not None and last[2] is not None and any(layer[2] is None for layer in networks[-1])
        if chains and not ended:
            networks[-1].append((name, shape, None))
        else:
            networks.append([(name, shape, None)])
    if not networks:
        raise ValueError(f"checkpoint {path!r} holds no NeuralNetwork weights (Variable, Variable_1, …)")
    backend = next(iter(backends), None)
    normalized = sum(bias is None for layers in networks for _, _, bias in layers)
    scopes = {m.group(0) for name in shapes if (m := _SCOPE.match(name))}
    if normalized != len(scopes):
        raise ValueError(f"checkpoint {path!r} is not a NeuralNetwork's: {normalized} layers without bias "
                         f"but {len(scopes)} batch-norm scopes")
    found = []
    for index, layers in enumerate(networks):
        with_bn = any(bias is None for _, _, bias in layers)
        sizes = (layers[0][1][0], *(shape[1] for _, shape, _ in layers))
        names = tuple(n for name, _, bias in layers for n in (name, bias) if n is not None)
        found.append(CheckpointNetwork(index, sizes, backend if with_bn else "none", names))
    return found


def _activation(activation_fn: Callable | str | None) -> Callable | None:
    if isinstance(activation_fn, str):
        if activation_fn not in _ACTIVATIONS:
            raise ValueError(f"`activation_fn` must be a callable or one of {sorted(_ACTIVATIONS)}; received {activation_fn!r}")
        return _ACTIVATIONS[activation_fn]
    if activation_fn is not None and not callable(activation_fn):
        raise TypeError(f"`activation_fn` must be callable (e.g. tf.nn.relu) or a name such as 'relu'; received {activation_fn!r}")
    return activation_fn


def select_network(networks: list[CheckpointNetwork], bn: str | None = None, index: int | None = None) -> CheckpointNetwork:
    """The network `index` (build order), else the only one matching `bn` (None: the one with BN)."""
    listing = "; ".join(map(str, networks))
    if bn is not None:
        bn_backends.check_backend(bn)
    if index is not None:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(networks):
            raise ValueError(f"`index` must be an int from 0 to {len(networks) - 1}; received {index!r} ({listing})")
        chosen = networks[index]
        if bn is not None and chosen.bn != bn:
            raise ValueError(f"`bn`={bn!r} and `index`={index} disagree: network {index} has bn={chosen.bn!r} ({listing})")
        return chosen
    candidates = [n for n in networks if (n.bn != "none" if bn is None else n.bn == bn)]
    if bn is None and not candidates:
        candidates = networks
    if len(candidates) != 1:
        raise ValueError(f"`bn`={bn!r} must select exactly one network of the checkpoint, or pass `index`; "
                         f"received {len(candidates)} matches ({listing})")
    return candidates[0]


@tf2_shapes()  # Keras 3 and this code read shapes as TF2, also under a TF1 script
def restore(sess: tf.compat.v1.Session, path: str, activation_fn: Callable | str | None, *, bn: str | None = None,
            index: int | None = None, momentum: float = 0.99) -> Any:
    """Rebuild the checkpoint's networks in `sess.graph` (which must not hold them yet), restore them,
    and return the selected NeuralNetwork (see `select_network`); the earlier ones are built too, as
    their variables come first in the TF1 naming."""
    from tf1_bn.article.network import NeuralNetwork

    if not isinstance(sess, tf.compat.v1.Session):
        raise TypeError(f"`sess` must be a tf.compat.v1.Session; received {type(sess).__name__}")
    activation_fn = _activation(activation_fn)
    networks = describe_checkpoint(path)
    chosen = select_network(networks, bn, index)
    shapes = dict(tf.train.list_variables(path))
    fresh = not sess.graph.get_collection(tf.compat.v1.GraphKeys.GLOBAL_VARIABLES)
    built = []
    with sess.graph.as_default():
        for found in networks[: chosen.index + 1]:
            zeros = [np.zeros(pair, np.float32) for pair in zip(found.layer_sizes, found.layer_sizes[1:])]
            built.append(NeuralNetwork(zeros, activation_fn, found.bn != "none",
                                       bn=found.bn if found.bn != "none" else "layers", momentum=momentum))
        variables = {v.op.name: v for network in built for v in network.variables}
        for name, variable in variables.items():
            if shapes.get(name) != variable.shape.as_list():
                held = "lacks it" if name not in shapes else f"holds it as {shapes[name]}"
                if fresh:  # the graph held no variable before: the checkpoint is not the article's layout
                    raise ValueError(f"checkpoint {path!r} is not a NeuralNetwork checkpoint of the article's layout: "
                                     f"rebuilding it made {name} {variable.shape.as_list()} and the checkpoint {held}")
                raise ValueError(f"`sess` must run a fresh graph: rebuilding {path!r} made {name} "
                                 f"{variable.shape.as_list()}, and the checkpoint {held}")
        with snapshot.preserved_collections(sess.graph):
            tf.compat.v1.train.Saver(var_list=variables).restore(sess, path)
    return built[-1]


@tf2_shapes()  # Keras 3 and this code read shapes as TF2, also under a TF1 script
def from_checkpoint(path: str, activation_fn: Callable | str | None, *, bn: str | None = None, index: int | None = None,
                    momentum: float = 0.99, name: str | None = None) -> Any:
    """A Keras 3 model of one network of a `NeuralNetwork.train(save_model=path)` checkpoint.

    `bn=None` picks the network with BN (the article's checkpoint has one with and one without),
    `bn="none"` the one without, `index` any by build order (`describe_checkpoint` lists them).
    The TF1 side is rebuilt in a private graph and session, closed before returning.
    """
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise TypeError(f"`path` must be a checkpoint prefix (a non-empty str or path); received {path!r}")
    from tf1_bn.migrate.keras_model import to_keras

    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
        network = restore(sess, path, activation_fn, bn=bn, index=index, momentum=momentum)
        return to_keras(network, sess, name=name)
