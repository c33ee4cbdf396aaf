"""The error a TF1 namespace raises for an API the facade does not provide, and the module hook raising it.

`MissingAPIError` is both a NotImplementedError (what it means) and an AttributeError (so `hasattr`,
`getattr(…, default)` and `from … import name` behave as for any missing attribute). `tf1-bn run`
catches it and prints one line naming the script's line and the API instead of a traceback.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable


class MissingAPIError(NotImplementedError, AttributeError):
    """`api` (e.g. "tf.contrib.rnn") is not provided by tf1_bn's TF1 facade; `supported` lists the siblings that are."""

    def __init__(self, api: str, supported: Iterable[str] = ()) -> None:
        self.api = api
        self.supported = sorted(supported)
        message = f"{api} is not provided by tf1_bn's TF1 facade"
        if self.supported:
            message += f" (supported here: {', '.join(self.supported)})"
        super().__init__(message)


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

