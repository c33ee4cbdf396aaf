"""`convert(sess, inputs, outputs, training)`: any TF1 batch-norm graph as a Keras 3 functional model.

The engine, apart from its table (`tf1_bn.migrate.op_table`):
1. plan (graph mode): from each output back to the inputs, each tensor is looked through pass-through
   ops (`graph_reading.source`) and handed to the handlers of its op type until one recognises the
   pattern and returns a Step (a Keras layer, the TF1 tensors it reads, its weights); the inputs of
   a Step are planned before it, iteratively (deep ResNets do not hit Python's recursion limit);
2. read every weight with one Session.run (the graph gains no op);
3. build (eager, `keras_model.eager()`): keras.Input per input, each Step's layer called on its
   inputs' Keras tensors, then given its weights.
`training` (the graph's is_training placeholder) becomes Keras's `training` call argument: every
tf.cond on it that the handlers meet must switch on exactly that tensor, or the conversion stops.
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import Any, Sequence

import keras
import numpy as np
import tensorflow as tf

from tf1_bn._graph import tf2_shapes
from tf1_bn.migrate import graph_reading as gr
from tf1_bn.migrate import snapshot
from tf1_bn.migrate.keras_model import eager
from tf1_bn.migrate.op_table import OP_HANDLERS, SUPPORTED
from tf1_bn.migrate.steps import Step


@dataclasses.dataclass(frozen=True)
class Conversion:
    """What a converted model stands for: the TF1 tensors, the training placeholder, the Steps (for parity)."""

    inputs: tuple
    outputs: tuple
    training: Any
    steps: tuple


def resolve(graph: tf.Graph, names: Any, argument: str) -> list[tf.Tensor]:
    """Tensors from tensors or names ("x", "x:0", an op name → its output 0); ValueError suggesting near names."""
    items = names if isinstance(names, (list, tuple)) else [names]
    if not items:
        raise ValueError(f"`{argument}` must name at least one tensor; received {names!r}")
    found = []
    for item in items:
        if isinstance(item, tf.Tensor):
            found.append(item)
            continue
        if not isinstance(item, str) or not item:
            raise TypeError(f"`{argument}` must hold tensors or tensor/op names; received {item!r}")
        try:
            found.append(graph.get_tensor_by_name(item) if ":" in item else graph.get_operation_by_name(item).outputs[0])
        except (KeyError, ValueError, IndexError):
            near = difflib.get_close_matches(item.split(":")[0], [op.name for op in graph.get_operations()], n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise ValueError(f"`{argument}`: the graph has no tensor {item!r}{hint}") from None
    return found


class Converter:
    """One conversion: the handlers call back `variable`, `evaluate` and `check_training`."""

    def __init__(self, sess: tf.compat.v1.Session, inputs: list[tf.Tensor], training: tf.Tensor | None,
                 fused_variance: str = "keras") -> None:
        self.sess, self.graph = sess, sess.graph
        self.fused_variance = fused_variance
        self.inputs = [gr.source(t) for t in inputs]
        self.training = training
        self.known = gr.variables_by_op(self.graph)
        self.initializers = frozenset(v.initializer for v in self.known.values())
        self.steps: list[tuple[str, Step]] = []
        self._writers: dict | None = None

    def writers(self, variable: tf.Operation) -> list[tf.Operation]:
        """The ops assigning to `variable` (one scan of the graph per conversion, not one per BN layer)."""
        if self._writers is None:
            self._writers = gr.writers_by_variable(self.graph, self.initializers)
        return self._writers.get(variable, [])

    def variable(self, op: tf.Operation) -> Any:
        if op not in self.known:
            raise ValueError(f"variable {op.name!r} is in no graph collection, so its value cannot be read")
        return self.known[op]

    def evaluate(self, tensor: tf.Tensor) -> np.ndarray | None:
        """`tensor`'s value with training fed True (for decays behind a tf.cond), or None if it cannot run."""
        feed = {self.training: True} if self.training is not None else {}
        try:
            return np.asarray(self.sess.run(tensor, feed))
        except (tf.errors.OpError, ValueError, TypeError):
            return None

    def check_training(self, tensor: tf.Tensor, where: str) -> None:
        """The TF1 tf.cond that `tensor` belongs to must switch on `training`."""
        switch = next((t.op for t in _upward(tensor) if t.op.type in ("Switch", "RefSwitch")), None)
        if switch is not None:
            self.check_pred(switch.inputs[1], where)

    def check_pred(self, pred: tf.Tensor, where: str) -> None:
        """A cond's predicate (TF1 Switch or TF2 If) must be `training`."""
        pred = gr.source(pred)
        if self.training is None:
            raise ValueError(f"{where} switches between training and inference on {pred.name!r}; pass that "
                             "placeholder as `training`")
        if pred is not gr.source(self.training):
            raise ValueError(f"{where} switches on {pred.name!r}, not on `training` ({self.training.name!r})")

    def match(self, tensor: tf.Tensor) -> Step:
        for handler in OP_HANDLERS.get(tensor.op.type, ()):
            step = handler(self, tensor)
            if step is not None:
                return step
        blocker = None if tensor.op.type not in OP_HANDLERS else next(
            (gr.source(t).op for t in tensor.op.inputs
             if gr.source(t).op.type not in OP_HANDLERS and gr.source(t).op.type not in _LEAVES), None)
        if blocker is not None:  # name the op that really stops it (e.g. conv2d_transpose under its BiasAdd)
            raise ValueError(f"cannot convert op {blocker.name!r} of type {blocker.type} (feeding {tensor.op.name!r}); "
                             f"the converter supports: {SUPPORTED}")
        raise ValueError(f"cannot convert op {tensor.op.name!r} of type {tensor.op.type} (tensor {tensor.name}); "
                         f"the converter supports: {SUPPORTED}")

    def plan(self, outputs: list[tf.Tensor]) -> list[tuple[str, Step]]:
        """Steps in an order where every Step comes after the Steps (or inputs) it reads."""
        done = {t.name for t in self.inputs}
        planned: dict[str, Step] = {}
        stack = [(gr.source(t), False) for t in reversed(outputs)]
        while stack:
            tensor, ready = stack.pop()
            if tensor.name in done:
                continue
            if ready:
                done.add(tensor.name)
                self.steps.append((tensor.name, planned[tensor.name]))
                continue
            if tensor.name in planned:
                raise ValueError(f"the graph loops through {tensor.op.name!r} (a while loop?); the converter "
                                 "needs a feed-forward graph")
            if tensor.op.type == "Placeholder":
                raise ValueError(f"output depends on placeholder {tensor.op.name!r}, which is not in `inputs`")
            planned[tensor.name] = step = self.match(tensor)
            stack.append((tensor, True))
            stack.extend((gr.source(t), False) for t in reversed(step.inputs))
        return self.steps


_LEAVES = frozenset({"Placeholder", "Const", "VarHandleOp", "VariableV2", "Variable", "ReadVariableOp"})


def _upward(tensor: tf.Tensor, limit: int = 8):
    for _ in range(limit):
        yield tensor
        if not tensor.op.inputs:
            return
        tensor = tensor.op.inputs[0]


def _assign(layer: Any, step: Step, values: list[np.ndarray]) -> None:
    """Each TF1 value into the Keras weight of the same name (reshaped: TF1 ghost-batch parameters keep
    a broadcast shape such as (1, 1, C))."""
    weights = {w.name.split("/")[-1].split(":")[0]: w for w in layer.weights}
    for name, value in zip(step.weight_names, values):
        if name not in weights:
            raise ValueError(f"Keras layer {layer.name!r} ({step.layer}) has no weight {name!r}; it has {sorted(weights)}")
        target = weights[name]
        target.assign(np.reshape(value, target.shape).astype(target.dtype))


def _layer_name(step: Step, used: set[str]) -> str:
    origin = next((w.op.name for w in step.weights if not isinstance(w, np.ndarray)), step.tf1)
    base = (origin.rsplit("/", 1)[0] if "/" in origin else origin).replace("/", "_") or step.layer.lower()
    name, k = base, 1
    while name in used:
        name, k = f"{base}_{k}", k + 1
    used.add(name)
    return name


@tf2_shapes()
def convert(sess: tf.compat.v1.Session, inputs: Any, outputs: Any, training: Any = None, *,
            name: str | None = None, fused_variance: str = "keras", steps: list | None = None) -> keras.Model:
    """A Keras 3 model computing `outputs` from `inputs` of the live TF1 graph in `sess` (see the module
    docstring). `steps`, when a list, receives the converted (tensor name, Step) pairs for a report.

    `fused_variance`: TF1's fused kernel moved the moving variance towards σ²·m/(m−1). "keras" (default)
    maps it to keras.layers.BatchNormalization (same inference and training outputs, a model any Keras
    loads; its moving variance then tracks σ²); "tf1" to `tf1_bn.keras.FusedBatchNormalization`, which
    trains exactly as the TF1 graph did (load it after `import tf1_bn.keras`).
    """
    if fused_variance not in ("keras", "tf1"):
        raise ValueError(f"`fused_variance` must be 'keras' or 'tf1'; received {fused_variance!r}")
    if not isinstance(sess, tf.compat.v1.Session):
        raise TypeError(f"`sess` must be a tf.compat.v1.Session; received {type(sess).__name__}")
    graph = sess.graph
    input_tensors, output_tensors = resolve(graph, inputs, "inputs"), resolve(graph, outputs, "outputs")
    training_tensor = None if training is None else resolve(graph, training, "training")[0]
    if training_tensor is not None and training_tensor.dtype.base_dtype != tf.bool:
        raise ValueError(f"`training` must be a bool placeholder; received {training_tensor.name} of {training_tensor.dtype.name}")
    converter = Converter(sess, input_tensors, training_tensor, fused_variance)
    plan = converter.plan(output_tensors)
    variables = [w for _, step in plan for w in step.weights if not isinstance(w, np.ndarray)]
    values = iter(snapshot.read(sess, variables))
    weights = [[w if isinstance(w, np.ndarray) else next(values) for w in step.weights] for _, step in plan]
    used: set[str] = set()
    with eager():
        keras_inputs = [keras.Input(shape=t.shape.as_list()[1:], dtype=t.dtype.base_dtype.name,
                                    name=t.op.name.replace("/", "_")) for t in converter.inputs]
        built = {t.name: k for t, k in zip(converter.inputs, keras_inputs)}
        for (key, step), values_of_step in zip(plan, weights):
            step.keras_name = _layer_name(step, used)
            layer = step.make(step.keras_name)
            arguments = [built[gr.source(t).name] for t in step.inputs]
            built[key] = layer(arguments if step.as_list else arguments[0])
            if values_of_step:
                _assign(layer, step, values_of_step)
        results = [built[gr.source(t).name] for t in output_tensors]
        model = keras.Model(keras_inputs if len(keras_inputs) > 1 else keras_inputs[0],
                            results if len(results) > 1 else results[0], name=name)
    model._tf1_bn_conversion = Conversion(tuple(converter.inputs), tuple(output_tensors), training_tensor, tuple(plan))
    if steps is not None:
        steps.extend(plan)
    return model
