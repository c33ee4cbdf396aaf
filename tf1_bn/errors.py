"""The errors tf1_bn raises on purpose, in one public module (importing it does not import TensorFlow).

    from tf1_bn.errors import GraphModeRequiredError, MissingAPIError, MissingStatisticsError, MissingUpdateOpsError

- `MissingAPIError`: a TF1 name the facade (`tf1_bn.v1`, `install()`, `tf1-bn run`) does not provide;
  `tf1-bn run` reports it in one line with exit code 3.
- `GraphModeRequiredError`: a TF1 graph builder was called while TensorFlow executes eagerly.
- `MissingUpdateOpsError`: a train op does not run the ops that keep batch-norm statistics moving
  (`tf1_bn.guard`, the pytest plugin).
- `MissingStatisticsError`: a Saver (or var_list) does not write the batch-norm/moving-average statistics
  the training graph updates (`tf1_bn.guard.assert_statistics_saved`, guard_sessions, the pytest plugin).
"""

from __future__ import annotations

from typing import Iterable

__all__ = ["GraphModeRequiredError", "MissingAPIError", "MissingStatisticsError", "MissingUpdateOpsError"]


class MissingAPIError(NotImplementedError, AttributeError):
    """`api` (e.g. "tf.contrib.rnn") is not provided by tf1_bn's TF1 facade; `supported` lists the siblings that are.

    Both a NotImplementedError (what it means) and an AttributeError (so `hasattr`, `getattr(…, default)`
    and `from … import name` behave as for any missing attribute).
    """

    def __init__(self, api: str, supported: Iterable[str] = ()) -> None:
        self.api = api
        self.supported = sorted(supported)
        message = f"{api} is not provided by tf1_bn's TF1 facade"
        if self.supported:
            message += f" (supported here: {', '.join(self.supported)})"
        super().__init__(message)


class GraphModeRequiredError(RuntimeError):
    """Raised when a TF1 graph builder is called while TensorFlow executes eagerly."""


class MissingUpdateOpsError(AssertionError):
    """A train op does not run the ops that keep batch-norm/moving-average statistics up to date."""


class MissingStatisticsError(AssertionError):
    """A Saver or var_list leaves out batch-norm/moving-average statistics that the training graph updates."""
