"""`slim.losses` (`tf.contrib.losses`): the loss functions slim scripts call, over `tf.compat.v1.losses`.

    loss = slim.losses.softmax_cross_entropy(logits, onehot_labels)     # logits FIRST, as in slim
    total_loss = slim.losses.get_total_loss()                            # LOSSES + REGULARIZATION_LOSSES

Every loss is added to `tf.GraphKeys.LOSSES` and is the weighted mean over the elements with a non-zero
weight, `Σ wᵢ·lossᵢ / #{i : wᵢ ≠ 0}` (tf.losses' SUM_BY_NONZERO_WEIGHTS, computed in float32, 0 when no
weight is non-zero). What differs from `tf.compat.v1.losses` and is kept here:

- **argument order**: slim takes the network output first: `softmax_cross_entropy(logits, onehot_labels)`,
  `sigmoid_cross_entropy(logits, multi_class_labels)`, `sparse_softmax_cross_entropy(logits, labels)`,
  `mean_squared_error(predictions, labels)`, `absolute_difference(predictions, labels)`; tf.losses takes
  the labels first. Keyword calls (`labels=`, `logits=`) mean the same in both.
- **weights line up from the left**: a `[batch_size]` weight scales every element of that sample's loss
  (mean_squared_error on `[batch, d]` predictions included), where tf.losses broadcasts from the right; a
  trailing dimension of 1 (`[batch_size, 1]`) is dropped first.
- label smoothing: `y·(1 − s) + s/num_classes` (softmax), `y·(1 − s) + s/2` (sigmoid).
- `sparse_softmax_cross_entropy` reshapes `labels` to `[batch_size]` (so `[batch_size, 1]` works).
- No `loss_collection`/`reduction` arguments: slim's losses always go to LOSSES.

Regularizers are `slim.l1_regularizer` / `slim.l2_regularizer` (tf1_bn.contrib.initializers); their
losses land in REGULARIZATION_LOSSES, which `get_total_loss()` adds. Reference: TF 1.15
tensorflow/contrib/losses/python/losses/loss_ops.py, kept as tf-slim's tf_slim/losses/loss_ops.py (read for
behaviour). Any other name (cosine_distance, hinge_loss, log_loss, …) raises MissingAPIError listing these.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from tf1_bn.compat.namespace import namespace_getattr
from tf1_bn.contrib.arg_scope import add_arg_scope

GraphKeys = tf.compat.v1.GraphKeys
_v1_losses = tf.compat.v1.losses

__all__ = [
    "absolute_difference", "add_loss", "get_losses", "get_regularization_losses", "get_total_loss",
    "mean_squared_error", "sigmoid_cross_entropy", "softmax_cross_entropy", "sparse_softmax_cross_entropy",
]
__getattr__ = namespace_getattr("tf.contrib.slim.losses", lambda: __all__)

# The collection readers are tf.losses' own: same signatures, same collections.
get_losses = _v1_losses.get_losses  # (scope=None, loss_collection=LOSSES)
get_regularization_losses = _v1_losses.get_regularization_losses  # (scope=None)


@add_arg_scope
def add_loss(loss: tf.Tensor, loss_collection: str | None = GraphKeys.LOSSES) -> None:
    """Add an externally computed `loss` to `loss_collection` (nothing when it is None or empty)."""
    _v1_losses.add_loss(loss, loss_collection=loss_collection)


def get_total_loss(add_regularization_losses: bool = True, name: str = "total_loss") -> tf.Tensor:
    """add_n of LOSSES (and of REGULARIZATION_LOSSES unless `add_regularization_losses` is False)."""
    return _v1_losses.get_total_loss(add_regularization_losses=add_regularization_losses, name=name)


def _slim_weights(weights: Any, loss_rank: int | None) -> Any:
    """`weights` reshaped so that tf.losses' right-aligned broadcasting gives slim's left-aligned weighting.

    A Python number passes unchanged (tf.losses counts its elements without extra ops).
    """
    if isinstance(weights, (int, float)) and not isinstance(weights, bool):
        return weights
    if weights is None:
        raise ValueError("`weights` must be a number or a tensor; received None")
    weights = tf.cast(tf.convert_to_tensor(weights), tf.float32)
    rank = weights.shape.rank
    if rank is None:
        raise ValueError(f"`weights` must have a known rank; received shape {weights.shape}")
    if rank > 1 and tf.compat.v1.dimension_value(weights.shape[-1]) in (None, 1):
        weights, rank = tf.squeeze(weights, [-1]), rank - 1  # slim: [batch, 1] means [batch]
    if rank > 0:
        if loss_rank is None:
            raise ValueError("the predictions/logits must have a known rank when `weights` is not a scalar")
        for _ in range(loss_rank - rank):  # [batch] → [batch, 1, …]: one weight per sample
            weights = tf.expand_dims(weights, -1)
    return weights


def softmax_cross_entropy(logits: Any, onehot_labels: Any, weights: Any = 1.0, label_smoothing: float = 0,
                          scope: str | None = None) -> tf.Tensor:
    """Mean softmax cross-entropy of `logits` [batch, classes] against `onehot_labels` of the same shape."""
    with tf.compat.v1.name_scope(scope, "softmax_cross_entropy_loss", [logits, onehot_labels, weights]) as scope:
        logits = tf.convert_to_tensor(logits)
        rank = logits.shape.rank
        weights = _slim_weights(weights, None if rank is None else rank - 1)
        return _v1_losses.softmax_cross_entropy(onehot_labels, logits, weights=weights,
                                                label_smoothing=label_smoothing, scope=scope)


def sparse_softmax_cross_entropy(logits: Any, labels: Any, weights: Any = 1.0, scope: str | None = None) -> tf.Tensor:
    """Mean softmax cross-entropy of `logits` [batch, classes] against class ids `labels` [batch] or [batch, 1]."""
    with tf.compat.v1.name_scope(scope, "sparse_softmax_cross_entropy_loss", [logits, labels, weights]) as scope:
        labels = tf.convert_to_tensor(labels)
        labels = tf.reshape(labels, [tf.shape(labels)[0]])
        return _v1_losses.sparse_softmax_cross_entropy(labels, logits, weights=_slim_weights(weights, 1), scope=scope)


def sigmoid_cross_entropy(logits: Any, multi_class_labels: Any, weights: Any = 1.0, label_smoothing: float = 0,
                          scope: str | None = None) -> tf.Tensor:
    """Mean sigmoid cross-entropy of `logits` against `multi_class_labels` in [0, 1] of the same shape."""
    with tf.compat.v1.name_scope(scope, "sigmoid_cross_entropy_loss", [logits, multi_class_labels, weights]) as scope:
        logits = tf.convert_to_tensor(logits)
        return _v1_losses.sigmoid_cross_entropy(multi_class_labels, logits,
                                                weights=_slim_weights(weights, logits.shape.rank),
                                                label_smoothing=label_smoothing, scope=scope)


def _regression(loss: Any, default_scope: str, predictions: Any, labels: Any, weights: Any,
                scope: str | None) -> tf.Tensor:
    if labels is None:
        raise ValueError(f"`labels` of {default_scope} must not be None")
    with tf.compat.v1.name_scope(scope, default_scope, [predictions, labels, weights]) as scope:
        predictions = tf.convert_to_tensor(predictions)
        return loss(labels, predictions, weights=_slim_weights(weights, predictions.shape.rank), scope=scope)


def mean_squared_error(predictions: Any, labels: Any = None, weights: Any = 1.0, scope: str | None = None) -> tf.Tensor:
    """Weighted mean of (predictions − labels)² (slim's order: predictions first)."""
    return _regression(_v1_losses.mean_squared_error, "mean_squared_error", predictions, labels, weights, scope)


def absolute_difference(predictions: Any, labels: Any = None, weights: Any = 1.0,
                        scope: str | None = None) -> tf.Tensor:
    """Weighted mean of |predictions − labels| (slim's order: predictions first)."""
    return _regression(_v1_losses.absolute_difference, "absolute_difference", predictions, labels, weights, scope)
