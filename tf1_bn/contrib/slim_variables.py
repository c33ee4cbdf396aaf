"""slim's variable functions: `slim.variable`/`model_variable`, the `get_variables*` queries, the global step.

    variable(name, shape, dtype, initializer, …)   get_variable with slim's collections, arg_scope-able
    model_variable(name, …)                        the same, also in MODEL_VARIABLES

    get_variables(scope=None, suffix=None, collection=GLOBAL_VARIABLES)
        the variables of `collection` whose name matches the regular expression `scope` (from the
        start), followed by `.*<suffix>` when a suffix is given (":" appended unless it has one)
    get_variables_by_name("moving_mean")      variables named exactly that, in any scope
    get_variables_by_suffix("moving_mean")    variables whose name ends so (also "my_moving_mean")
    get_variables_to_restore(include=[scopes], exclude=[scopes])
    get_unique_variable("BatchNorm/beta")     the one variable of that op name, else ValueError

`scope` may be a string (a regular expression, as `tf.get_collection` takes it) or a VariableScope.
Reference: TF 1.15 tensorflow/contrib/framework/python/ops/variables.py, read for behaviour.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any, Callable, Sequence

import tensorflow as tf

from tf1_bn.contrib.arg_scope import add_arg_scope
from tf1_bn.contrib.variables import add_once

GraphKeys = tf.compat.v1.GraphKeys


@add_arg_scope
def variable(name: str, shape: Any = None, dtype: Any = None, initializer: Any = None, regularizer: Callable | None = None,
             trainable: bool = True, collections: Sequence[str] | None = None, caching_device: Any = None,
             device: Any = None, partitioner: Any = None, custom_getter: Callable | None = None,
             use_resource: bool | None = None, synchronization: Any = tf.VariableSynchronization.AUTO,
             aggregation: Any = tf.VariableAggregation.NONE) -> tf.Variable:
    """`tf.get_variable` in the current scope, in `collections` (default GLOBAL_VARIABLES), on `device`."""
    collections = list(dict.fromkeys(collections if collections is not None else [GraphKeys.GLOBAL_VARIABLES]))
    getter: Callable[..., Any] = tf.compat.v1.get_variable
    if custom_getter is not None:
        getter = functools.partial(custom_getter, reuse=tf.compat.v1.get_variable_scope().reuse)
    with contextlib.ExitStack() as stack:
        if device is not None:
            stack.enter_context(tf.device(device))
        return getter(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                      trainable=trainable, collections=collections, caching_device=caching_device,
                      partitioner=partitioner, use_resource=use_resource, synchronization=synchronization,
                      aggregation=aggregation)


@add_arg_scope
def model_variable(name: str, shape: Any = None, dtype: Any = tf.float32, initializer: Any = None,
                   regularizer: Callable | None = None, trainable: bool = True, collections: Sequence[str] | None = None,
                   caching_device: Any = None, device: Any = None, partitioner: Any = None,
                   custom_getter: Callable | None = None, use_resource: bool | None = None,
                   synchronization: Any = tf.VariableSynchronization.AUTO,
                   aggregation: Any = tf.VariableAggregation.NONE) -> tf.Variable:
    """`variable(...)` also added to MODEL_VARIABLES (what `get_model_variables` and slim checkpoints use)."""
    collections = [*(collections or []), GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
    return variable(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                    trainable=trainable, collections=collections, caching_device=caching_device, device=device,
                    partitioner=partitioner, custom_getter=custom_getter, use_resource=use_resource,
                    synchronization=synchronization, aggregation=aggregation)


def add_model_variable(var: tf.Variable) -> None:
    """Add `var` to MODEL_VARIABLES unless it is there."""
    add_once(GraphKeys.MODEL_VARIABLES, var)


def local_variable(initial_value: Any, validate_shape: bool = True, name: str | None = None,
                   use_resource: bool | None = None) -> tf.Variable:
    """A variable in LOCAL_VARIABLES only (not saved, not trained), initialized to `initial_value`."""
    return tf.compat.v1.Variable(initial_value, trainable=False, collections=[GraphKeys.LOCAL_VARIABLES],
                                 validate_shape=validate_shape, name=name, use_resource=use_resource)


def global_variable(initial_value: Any, validate_shape: bool = True, name: str | None = None,
                    use_resource: bool | None = None) -> tf.Variable:
    """A non-trainable variable in GLOBAL_VARIABLES, initialized to `initial_value`."""
    return tf.compat.v1.Variable(initial_value, trainable=False, collections=[GraphKeys.GLOBAL_VARIABLES],
                                 validate_shape=validate_shape, name=name, use_resource=use_resource)


def get_variables(scope: Any = None, suffix: str | None = None,
                  collection: str = GraphKeys.GLOBAL_VARIABLES) -> list[tf.Variable]:
    """The variables of `collection` filtered by `scope` and `suffix` (see the module docstring)."""
    if isinstance(scope, tf.compat.v1.VariableScope):
        scope = scope.name
    if suffix is not None:
        if ":" not in suffix:
            suffix += ":"
        scope = (scope or "") + ".*" + suffix
    return tf.compat.v1.get_collection(collection, scope)


def get_model_variables(scope: Any = None, suffix: str | None = None) -> list[tf.Variable]:
    """The model variables (every variable a contrib layer made), filtered as `get_variables`."""
    return get_variables(scope, suffix, GraphKeys.MODEL_VARIABLES)


def get_local_variables(scope: Any = None, suffix: str | None = None) -> list[tf.Variable]:
    return get_variables(scope, suffix, GraphKeys.LOCAL_VARIABLES)


def get_trainable_variables(scope: Any = None, suffix: str | None = None) -> list[tf.Variable]:
    return get_variables(scope, suffix, GraphKeys.TRAINABLE_VARIABLES)


def get_variables_by_suffix(suffix: str, scope: Any = None) -> list[tf.Variable]:
    """The global variables whose name ends in `suffix`."""
    return get_variables(scope=scope, suffix=suffix)


def get_variables_by_name(given_name: str, scope: Any = None) -> list[tf.Variable]:
    """The global variables whose last name component is exactly `given_name`."""
    return get_variables(scope=scope, suffix=f"/{given_name}:|^{given_name}:")


def _scopes(value: Any, argument: str) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{argument} is provided but is not a list or a tuple; received {value!r}")
    return list(value)


def get_variables_to_restore(include: Sequence[Any] | None = None,
                             exclude: Sequence[Any] | None = None) -> list[tf.Variable]:
    """The global variables under the `include` scopes (all when None) and not under any `exclude` scope."""
    if include is None:
        chosen = get_variables()
    else:
        chosen = [v for scope in _scopes(include, "include") for v in get_variables(scope)]
    excluded: set[Any] = set()
    if exclude is not None:
        for scope in _scopes(exclude, "exclude"):
            excluded.update(id(v) for v in get_variables(scope))
    return [v for v in chosen if id(v) not in excluded]


def get_unique_variable(var_op_name: str) -> tf.Variable:
    """The variable whose op name is `var_op_name`; ValueError when none or several are."""
    candidates = get_variables(scope=var_op_name)
    if not candidates:
        raise ValueError(f"Couldn't find variable {var_op_name}")
    for candidate in candidates:
        if candidate.op.name == var_op_name:
            return candidate
    raise ValueError(f"Variable {var_op_name} does not uniquely identify a variable")


def get_global_step(graph: tf.Graph | None = None) -> Any:
    return tf.compat.v1.train.get_global_step(graph)


def create_global_step(graph: tf.Graph | None = None) -> Any:
    return tf.compat.v1.train.create_global_step(graph)


def get_or_create_global_step(graph: tf.Graph | None = None) -> Any:
    return tf.compat.v1.train.get_or_create_global_step(graph)
