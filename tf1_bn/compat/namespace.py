"""The `__getattr__` every restored TF1 namespace module uses: unknown public names raise MissingAPIError.

The error (`tf1_bn.errors.MissingAPIError`) is both a NotImplementedError and an AttributeError, so
`hasattr`, `getattr(…, default)` and `from … import name` behave as for any missing attribute, and
`tf1-bn run` reports it in one line.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from tf1_bn.errors import MissingAPIError


def namespace_getattr(prefix: str, supported: Callable[[], Iterable[str]]) -> Callable[[str], Any]:
    """A module-level `__getattr__` raising MissingAPIError(f"{prefix}.{name}") for public names.

    Dunder and private names raise a plain AttributeError, so introspection (pickle, inspect, pytest)
    sees an ordinary module.
    """

    def __getattr__(name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(f"module {prefix!r} has no attribute {name!r}")
        raise MissingAPIError(f"{prefix}.{name}", supported())

    return __getattr__

