"""The TF1 `tf.layers.Layer` contract, rebuilt on tf.compat.v1 variable scopes and collections.

What a TF1 layer guarantees, and this base class reproduces:

- Variables come from `tf.compat.v1.get_variable` inside the layer's variable scope, so they are named
  `<scope>/<weight>` (e.g. `batch_normalization/gamma`) and TF1 checkpoints restore by name. An
  unnamed layer takes the scope `<snake_case_class>`, uniquified per enclosing scope
  (`batch_normalization`, `batch_normalization_1`, ...). With `_reuse=True` the scope is NOT
  uniquified, so a second functional call with `reuse=True` finds the first call's variables.
- Trainable weights go to TRAINABLE_VARIABLES unless the layer has `trainable=False`; statistics are
  created non-trainable. Regularization losses go to REGULARIZATION_LOSSES and `layer.losses`.
- After every call in graph mode the layer's updates are added to `tf.GraphKeys.UPDATE_OPS`
  (without duplicates): nothing runs them unless the train op depends on them.
- Ops live under the name scope the variable scope opened on first use, on every call.

Reference: TF 1.15 `tf.layers.Layer` as kept in the tf-keras package (legacy_tf_layers/base.py) (read for
behaviour; this is an independent implementation).
"""

from __future__ import annotations

import inspect
import re
import weakref
from collections import Counter
from typing import Any, Callable

import tensorflow as tf

from tf1_bn._graph import require_graph_mode, tf2_shapes

_layer_name_counts: "weakref.WeakKeyDictionary[tf.Graph, Counter]" = weakref.WeakKeyDictionary()


def snake_case(name: str) -> str:
    """`BatchNormalization` → `batch_normalization`, `Conv2D` → `conv2d`, as TF1 named layers."""
    words = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", words).lower()


def _unique_layer_name(base: str) -> str:
    """`base`, `base_1`, `base_2`, ... per graph: the layer's `.name` (not its variable scope)."""
    counts = _layer_name_counts.setdefault(tf.compat.v1.get_default_graph(), Counter())
    index = counts[base]
    counts[base] += 1
    return base if index == 0 else f"{base}_{index}"


class Layer:
    """Base class of the restored `tf.layers` layers. Subclasses define `build(input_shape)` and `call`.

    Args:
      trainable: whether weights created with `trainable=True` join TRAINABLE_VARIABLES.
      name: layer name; also the variable scope (uniquified unless `_reuse`).
      dtype: weight dtype; None infers it from the first input, as TF1 did.
      _scope / _reuse: what the functional forms pass (`name=`, `reuse=`): a fixed variable scope and
        whether to reuse its variables.
    """

    def __init__(
        self,
        trainable: bool = True,
        name: str | None = None,
        dtype: Any = None,
        _scope: str | None = None,
        _reuse: Any = None,
    ) -> None:
        if not isinstance(trainable, bool):
            raise TypeError(f"`trainable` must be a bool; received {trainable!r}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"`name` must be a string or None; received {name!r}")
        self.trainable = trainable
        self._base_name = name or snake_case(type(self).__name__)
        self._name = name or _unique_layer_name(self._base_name)
        self._dtype = None if dtype is None else tf.as_dtype(dtype)
        self._reuse = _reuse
        self._scope: tf.compat.v1.VariableScope | None = None
        if _scope:
            with tf.compat.v1.variable_scope(_scope) as captured:
                self._scope = captured
        self._trainable_weights: list[tf.Variable] = []
        self._non_trainable_weights: list[tf.Variable] = []
        self._updates: list[Any] = []
        self._losses: list[tf.Tensor] = []
        self.built = False

    # ----------------------------------------------------------------- the TF1 read-only attributes
    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self) -> tf.DType | None:
        return self._dtype

    @property
    def scope_name(self) -> str:
        if self._scope is None:
            raise ValueError(f"layer {self._name!r} has no variable scope until it is called once")
        return self._scope.name

    @property
    def trainable_variables(self) -> list[tf.Variable]:
        return list(self._trainable_weights)

    @property
    def non_trainable_variables(self) -> list[tf.Variable]:
        return list(self._non_trainable_weights)

    @property
    def variables(self) -> list[tf.Variable]:
        """Trainable weights first, then the others, as TF1 listed them."""
        return self.trainable_variables + self.non_trainable_variables

    trainable_weights = trainable_variables
    non_trainable_weights = non_trainable_variables
    weights = variables

    @property
    def updates(self) -> list[Any]:
        """The moving-statistic updates of every call so far: what UPDATE_OPS received."""
        return list(self._updates)

    @property
    def losses(self) -> list[tf.Tensor]:
        return list(self._losses)

    def __repr__(self) -> str:
        scope = self._scope.name if self._scope is not None else "(not built)"
        return f"<{type(self).__name__} name={self._name!r} scope={scope!r}>"

    # ----------------------------------------------------------------------- for subclasses
    def build(self, input_shape: tf.TensorShape) -> None:
        """Create the weights; called once, on the first call."""

    def call(self, inputs: tf.Tensor, **kwargs: Any) -> tf.Tensor:
        raise NotImplementedError

    def add_update(self, update: Any) -> None:
        self._updates.append(update)

    def add_weight(
        self,
        name: str,
        shape: Any,
        dtype: tf.DType | None = None,
        initializer: Callable | None = None,
        regularizer: Callable | None = None,
        trainable: bool = True,
        constraint: Callable | None = None,
        **kwargs: Any,
    ) -> tf.Variable:
        """`tf.compat.v1.get_variable(name)` in this layer's scope, tracked by the layer.

        A trainable request becomes non-trainable when the layer has `trainable=False`. A regularizer
        adds its loss only when the variable is new (reusing a scope does not count it twice).
        Extra keyword arguments (synchronization, aggregation, partitioner) go to get_variable.
        """
        graph = tf.compat.v1.get_default_graph()
        existing = {id(v) for v in graph.get_collection(tf.compat.v1.GraphKeys.GLOBAL_VARIABLES)}
        trainable = bool(trainable and self.trainable)
        variable = tf.compat.v1.get_variable(
            name,
            shape=shape,
            dtype=dtype or self._dtype or tf.float32,
            initializer=initializer,
            trainable=trainable,
            constraint=constraint,
            **kwargs,
        )
        # A reused variable that was created non-trainable stays non-trainable here too.
        if trainable and not any(v is variable for v in graph.get_collection(tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES)):
            trainable = False
        (self._trainable_weights if trainable else self._non_trainable_weights).append(variable)
        if regularizer is not None and id(variable) not in existing:
            with tf.compat.v1.name_scope(f"{name}/Regularizer"):
                loss = regularizer(variable)
            if loss is not None:
                self._losses.append(loss)
                tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES, loss)
        return variable

    # ------------------------------------------------------------------------------- calling
    def _set_scope(self, scope: str | None = None) -> None:
        if self._scope is not None:
            return
        if self._reuse:
            with tf.compat.v1.variable_scope(scope or self._base_name) as captured:
                self._scope = captured
        else:
            with tf.compat.v1.variable_scope(scope, default_name=self._base_name) as captured:
                self._scope = captured

    def _check_input(self, inputs: tf.Tensor) -> None:
        """Subclasses validate later calls against the first one (rank, feature sizes)."""

    def __call__(self, inputs: Any, *args: Any, scope: str | None = None, **kwargs: Any) -> tf.Tensor:
        require_graph_mode(f"{type(self).__name__} ({self._name})")
        if inputs is None:
            raise TypeError(f"`inputs` of {type(self).__name__} must be a tensor or an array; received None")
        inputs = tf.convert_to_tensor(inputs)
        self._set_scope(scope)
        reuse = True if self.built else self._reuse
        with tf.compat.v1.variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False), tf2_shapes():
            with tf.compat.v1.name_scope(self._scope.original_name_scope):
                if not self.built:
                    if self._dtype is None:
                        self._dtype = inputs.dtype.base_dtype
                    self.build(inputs.shape)
                    self.built = True
                else:
                    self._check_input(inputs)
                outputs = self.call(inputs, *args, **kwargs)
        collection = tf.compat.v1.get_collection_ref(tf.compat.v1.GraphKeys.UPDATE_OPS)
        present = {id(u) for u in collection}
        collection.extend(u for u in self._updates if id(u) not in present)
        return outputs

    def apply(self, inputs: Any, *args: Any, **kwargs: Any) -> tf.Tensor:
        """TF1's alias of `__call__`."""
        return self(inputs, *args, **kwargs)


def functional_form(layer_class: type, name: str, doc: str) -> Callable[..., tf.Tensor]:
    """TF1's functional form of a layer class: `name(inputs, <the class's arguments in order>, reuse=None)`
    builds one new layer, applied once, and returns its output (as `tf.layers.dense` did for `Dense`).

    The signature is the class's, with `inputs` first and `reuse` last (`inspect.signature` shows it), so
    TF1's positional calls bind as they did; `name` is also the fixed variable scope, `reuse=True` reuses
    that scope's variables (`Layer`'s `_scope` / `_reuse`).
    """
    keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD
    arguments = [p for p in list(inspect.signature(layer_class.__init__).parameters.values())[1:]
                 if p.kind is not inspect.Parameter.VAR_KEYWORD]
    signature = inspect.Signature([inspect.Parameter("inputs", keyword), *arguments,
                                   inspect.Parameter("reuse", keyword, default=None)])

    def apply(*args: Any, **kwargs: Any) -> tf.Tensor:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{name}(): {error}") from None
        bound.apply_defaults()
        values = dict(bound.arguments)
        inputs, reuse = values.pop("inputs"), values.pop("reuse")
        return layer_class(**values, _scope=values["name"], _reuse=reuse)(inputs)

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = doc
    apply.__signature__ = signature  # type: ignore[attr-defined]
    apply.__module__ = layer_class.__module__
    return apply
