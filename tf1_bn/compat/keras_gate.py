"""TF 2.21's `tf.compat.v1` still lists the Keras-backed TF1 names (`tf.nn.rnn_cell`, `tf.compat.v1.keras`…)
as lazy loaders whose every attribute raises "… is not available with Keras 3". Behind the facade they
raise `tf1_bn.errors.MissingAPIError` instead, so `tf1-bn run` reports them in one line (exit 3).
"""

from __future__ import annotations

from typing import Any

from tf1_bn.errors import MissingAPIError


class KerasGate:
    """Forwards attribute reads to a Keras lazy loader; "not available with Keras 3" becomes MissingAPIError."""

    def __init__(self, loader: Any, api: str) -> None:
        self._loader, self._api = loader, api

    def __getattr__(self, name: str) -> Any:
        try:
            return gated(getattr(self._loader, name), f"{self._api}.{name}")
        except AttributeError as error:
            if "Keras 3" in str(error) and not isinstance(error, MissingAPIError):
                raise MissingAPIError(f"{self._api}.{name}") from None
            raise

    def __repr__(self) -> str:
        return f"<{self._api} (Keras-backed in TensorFlow 2; names Keras 3 removed raise MissingAPIError)>"


def gated(value: Any, api: str) -> Any:
    """`value` itself, or a KerasGate when it is one of TensorFlow's Keras lazy loaders."""
    return KerasGate(value, api) if type(value).__name__ == "KerasLazyLoader" else value
