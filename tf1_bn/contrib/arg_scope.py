"""`tf.contrib.framework.arg_scope` (slim's `arg_scope`): default keyword arguments for layer functions.

    with slim.arg_scope([slim.conv2d, slim.fully_connected], normalizer_fn=slim.batch_norm,
                        normalizer_params={"is_training": is_training}):
        net = slim.conv2d(images, 32, [3, 3])     # gets normalizer_fn and normalizer_params

TF1's rules, kept here: only functions decorated with `add_arg_scope` accept a scope (anything else
is a ValueError naming it); nested scopes merge, inner values winning; an explicit keyword argument
at the call beats every scope; `arg_scope(saved_scope)` re-enters a dict yielded by an earlier
`with arg_scope(...) as saved_scope:`. Reference: TF 1.15
tensorflow/contrib/framework/python/ops/arg_scope.py (read for behaviour).
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any, Callable, Iterator, Sequence

_stack: list[dict[tuple[str, str], dict[str, Any]]] = [{}]


def _key(func: Callable) -> tuple[str, str]:
    return getattr(func, "_arg_scope_key", (func.__module__, func.__name__))


def current_arg_scope() -> dict[tuple[str, str], dict[str, Any]]:
    """The active scope: {function key: default kwargs}."""
    return _stack[-1]


def add_arg_scope(func: Callable) -> Callable:
    """Decorate `func` so that `arg_scope([func], **defaults)` supplies its keyword defaults."""
    key = _key(func)

    @functools.wraps(func)
    def scoped(*args: Any, **kwargs: Any) -> Any:
        defaults = current_arg_scope().get(key)
        if defaults:
            kwargs = {**defaults, **kwargs}
        return func(*args, **kwargs)

    scoped._arg_scope_key = key  # type: ignore[attr-defined]
    return scoped


def has_arg_scope(func: Callable) -> bool:
    return hasattr(func, "_arg_scope_key")


def arg_scoped_arguments(func: Callable) -> list[str]:
    """The keyword arguments the active scope gives `func`."""
    return list(current_arg_scope().get(_key(func), {}))


@contextlib.contextmanager
def arg_scope(list_ops_or_scope: Sequence[Callable] | dict, **kwargs: Any) -> Iterator[dict]:
    """Give the listed add_arg_scope functions these keyword defaults inside the `with` block."""
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise ValueError("arg_scope(saved_scope) re-enters a saved scope and takes no keyword arguments; "
                             f"received {sorted(kwargs)}")
        scope = list_ops_or_scope
    else:
        if not isinstance(list_ops_or_scope, (list, tuple)):
            raise TypeError("`list_ops_or_scope` must be a list/tuple of functions or a saved scope dict; "
                            f"received {list_ops_or_scope!r}")
        scope = dict(current_arg_scope())
        for op in list_ops_or_scope:
            if not has_arg_scope(op):
                raise ValueError(f"{getattr(op, '__name__', op)!r} is not decorated with @add_arg_scope, so arg_scope "
                                 "cannot give it defaults")
            scope[_key(op)] = {**scope.get(_key(op), {}), **kwargs}
    _stack.append(scope)
    try:
        yield scope
    finally:
        _stack.pop()
