"""Which of TF 1.x's global behaviours legacy scripts get, as a table, and the small engine switching them.

`tf.compat.v1.disable_v2_behavior()` flips six switches. What each means for TF1 batch-norm code, and
what tf1_bn does, measured by running the whole test suite (demos, guard, contrib, migration) with
each switch flipped (`TF1_BN_V1_BEHAVIOUR`-style plugin, see the closing note of the legacy-coverage
issue): TF1 shapes broke only tf1_bn's own shape reads (now TF2-style inside tf1_bn), TF1 control
flow one 1-tuple cond (fixed: strict conds), ref variables only the dtype that model_analyzer prints.

| switch | TF1 code that needs it | tf1_bn |
|---|---|---|
| eager execution off | every script: placeholders, Sessions | ON (graph mode) |
| TF1 tensor shapes (`Dimension`) | `x.get_shape()[1].value`, `shape[i].value` in TF1 tutorials | ON |
| TF1 control flow (Switch/Merge) | `minimize` after a Session already ran a graph with `tf.cond` (TF 2's cond then cannot be differentiated); `tf.while_loop` bodies reading outer tensors | ON |
| ref variables | nothing found: reads, assigns, savers, BN updates behave alike | off: resource variables stay (ordered reads; TF1 code relying on unordered ref reads was racy) |
| tensor equality | `tensor == tensor` as identity, tensors as dict keys | off: graph-mode tensors hash anyway |
| tf.data V1 | `make_one_shot_iterator` | off: `tf.compat.v1.data` has it |

tf1_bn's own code reads shapes the TF2 way either way (`tf1_bn._graph.tf2_shapes`).
`install()` records what it switched and `uninstall()` switches exactly that back; importing the facade
(`tf1_bn.v1`) switches for good, as TF1 itself was.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import tensorflow as tf

from tf1_bn._graph import tf1_shapes_active


def _eager_by_default() -> bool:
    from tensorflow.python.eager import context

    return context.default_execution_mode == context.EAGER_MODE


def _restore_eager_execution() -> None:
    """Undo `tf.compat.v1.disable_eager_execution()`.

    TensorFlow's public API cannot (`enable_eager_execution` raises "must be called at program startup"
    once a graph was used), so this undoes the two assignments `disable_eager_execution` makes (the
    default execution mode and this thread's eager flag) through `tensorflow.python.eager.context`.
    Graphs built meanwhile stay valid; they are just not the default.
    """
    from tensorflow.python.eager import context

    context.default_execution_mode = context.EAGER_MODE
    current = context.context_safe()
    if current is not None:
        current._thread_local_data.is_eager = True  # the flag disable_eager_execution cleared


@dataclasses.dataclass(frozen=True)
class Switch:
    """A TF 2 behaviour: `is_tf2()` tells whether it is on, `to_tf1()` turns it off, `to_tf2()` back on."""

    name: str
    is_tf2: Callable[[], bool]
    to_tf1: Callable[[], None]
    to_tf2: Callable[[], None]


SWITCHES: tuple[Switch, ...] = (
    Switch("graph mode", _eager_by_default, tf.compat.v1.disable_eager_execution, _restore_eager_execution),
    Switch("TF1 tensor shapes", lambda: not tf1_shapes_active(), tf.compat.v1.disable_v2_tensorshape,
           tf.compat.v1.enable_v2_tensorshape),
    Switch("TF1 control flow", tf.compat.v1.control_flow_v2_enabled, tf.compat.v1.disable_control_flow_v2,
           tf.compat.v1.enable_control_flow_v2),
)


def switch_to_tf1() -> list[Switch]:
    """Turn every TF 2 behaviour of SWITCHES off that is on; returns those switched, in order."""
    switched = []
    try:
        for switch in SWITCHES:
            if switch.is_tf2():
                switch.to_tf1()
                switched.append(switch)
    except BaseException:
        switch_back(switched)
        raise
    return switched


def switch_back(switched: list[Switch]) -> None:
    """Undo `switch_to_tf1`'s result, in reverse order."""
    for switch in reversed(switched):
        switch.to_tf2()
