"""Where the linted file builds batch-normalization layers, and whether each one adds UPDATE_OPS.

Two families, told apart by their mode argument:

* ``layers`` — `tf.layers.batch_normalization(x, training=...)`, `tf.layers.BatchNormalization(...)(x,
  training=...)` (and `tf.compat.v1.layers`, `tf1_bn.layers`). `training` defaults to False; with a literal
  False the layer builds no update ops at all.
* ``contrib`` — `tf.contrib.layers.batch_norm` / `slim.batch_norm(x, is_training=..., updates_collections=...)`,
  also passed as ``normalizer_fn=`` to `fully_connected`/`conv2d`/`arg_scope` with its arguments in
  ``normalizer_params=``. `is_training` defaults to **True**; ``updates_collections=None`` updates the moving
  statistics in place, so nothing goes to UPDATE_OPS.
"""

from __future__ import annotations

import ast
import dataclasses

from tf1_bn.lint._names import Names, key

LAYERS_FUNCTIONS = {"tf.layers.batch_normalization", "tf.layers.batch_norm"}
LAYERS_CLASSES = {"tf.layers.BatchNormalization", "tf.layers.BatchNorm"}
CONTRIB_FUNCTIONS = {"slim.batch_norm"}

_MODE = {"layers": "training", "contrib": "is_training"}
# Positional indices in TF 1.15's signatures: batch_normalization(inputs, axis, ..., training=) and
# batch_norm(inputs, decay, center, scale, epsilon, activation_fn, param_initializers, param_regularizers,
# updates_collections, is_training, ...); a layer object's call is layer(inputs, training).
_POSITION = {("function", "training"): 14, ("object", "training"): 1,
             ("contrib", "updates_collections"): 8, ("contrib", "is_training"): 9}

UNKNOWN = object()  # an argument that may be set but cannot be read (`**kwargs`, params built elsewhere)


@dataclasses.dataclass(frozen=True)
class Site:
    """One batch-norm layer built by the file. `mode` and `updates` hold the argument's expression, None
    when omitted, or UNKNOWN."""

    node: ast.AST
    label: str
    family: str  # "layers" | "contrib"
    mode: object
    updates: object = None

    @property
    def line(self) -> int:
        return self.node.lineno

    @property
    def mode_name(self) -> str:
        return _MODE[self.family]

    def literal_mode(self) -> bool | None:
        """The mode argument when it is written as a literal True/False, else None."""
        if isinstance(self.mode, ast.Constant) and isinstance(self.mode.value, bool):
            return self.mode.value
        return None


def _argument(call: ast.Call, name: str, position: int | None) -> object:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if position is not None and len(call.args) > position and not any(
            isinstance(a, ast.Starred) for a in call.args[:position + 1]):
        return call.args[position]
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        return UNKNOWN
    return None


class SiteFinder:
    """Finds the sites of one file; `arg_scope` defaults for `slim.batch_norm` are read file-wide."""

    def __init__(self, names: Names, calls: list[ast.Call] | None = None) -> None:
        self.names = names
        self._dicts = self._dict_assignments(names.nodes)
        calls = [n for n in names.nodes if isinstance(n, ast.Call)] if calls is None else calls
        self.has_arg_scope = False
        self.scope_defaults: dict[str, ast.expr] = {}
        for call in calls:
            if (self.names.qualname(call.func) or "").endswith("arg_scope"):
                self.has_arg_scope = True
                listed = call.args[0] if call.args else None
                if isinstance(listed, (ast.List, ast.Tuple)) and any(
                        self._family(e) == "contrib" for e in listed.elts):
                    self.scope_defaults.update({k.arg: k.value for k in call.keywords if k.arg})
        self.sites = self._find(calls)

    @staticmethod
    def _dict_assignments(nodes: list[ast.AST]) -> dict[str, ast.expr]:
        found = {}
        for node in nodes:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and key(node.targets[0]):
                found[key(node.targets[0])] = node.value
        return found

    def _family(self, func: ast.AST) -> str | None:
        qualname = self.names.qualname(func)
        if qualname in LAYERS_FUNCTIONS:
            return "layers"
        if qualname in CONTRIB_FUNCTIONS:
            return "contrib"
        return None

    def _params(self, value: ast.AST | None) -> dict[str, ast.expr] | None:
        """`normalizer_params=` as a dict of expressions; None when it cannot be read here."""
        if value is None:
            return {}
        if isinstance(value, (ast.Name, ast.Attribute)) and key(value) in self._dicts:
            value = self._dicts[key(value)]
        if isinstance(value, ast.Dict) and all(isinstance(k, ast.Constant) for k in value.keys):
            return {k.value: v for k, v in zip(value.keys, value.values)}
        if isinstance(value, ast.Call) and key(value.func) == "dict" and not value.args:
            if all(k.arg for k in value.keywords):
                return {k.arg: k.value for k in value.keywords}
        return None

    def _find(self, calls: list[ast.Call]) -> list[Site]:
        sites: list[Site] = []
        objects: dict[str, ast.Call] = {}  # `bn = tf.layers.BatchNormalization()`: key -> constructor
        for node in self.names.nodes:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and len(node.targets) == 1:
                if self.names.qualname(node.value.func) in LAYERS_CLASSES and key(node.targets[0]):
                    objects[key(node.targets[0])] = node.value
        used: set[str] = set()
        for call in calls:
            func, label = call.func, self.names.qualname(call.func)
            family = self._family(func)
            if family == "layers":
                sites.append(Site(call, label, family, _argument(call, "training", _POSITION["function", "training"])))
            elif family == "contrib":
                sites.append(self._contrib(call, label))
            elif isinstance(func, ast.Call) and self.names.qualname(func.func) in LAYERS_CLASSES:
                sites.append(Site(call, self.names.qualname(func.func), "layers",
                                  _argument(call, "training", _POSITION["object", "training"])))
            elif self._object_call(func, objects) is not None:
                name = self._object_call(func, objects)
                used.add(name)
                label = self.names.qualname(objects[name].func)
                sites.append(Site(call, label, "layers", _argument(call, "training", _POSITION["object", "training"])))
            elif (label or "").endswith("partial") and call.args and self._family(call.args[0]):
                family = self._family(call.args[0])
                mode = _argument(call, _MODE[family], None) or UNKNOWN  # else given when the partial is called
                updates = _argument(call, "updates_collections", None) if family == "contrib" else None
                sites.append(Site(call, self.names.qualname(call.args[0]), family, mode, updates))
            for keyword in call.keywords:
                if keyword.arg == "normalizer_fn" and self._family(keyword.value):
                    sites.append(self._normalizer(call, keyword.value))
        for name, constructor in objects.items():
            if name not in used:  # built here, called elsewhere: where and how is unknown
                sites.append(Site(constructor, self.names.qualname(constructor.func), "layers", UNKNOWN))
        return sites

    def _object_call(self, func: ast.AST, objects: dict[str, ast.Call]) -> str | None:
        if isinstance(func, ast.Attribute) and func.attr in {"apply", "__call__"}:
            func = func.value
        name = key(func)
        return name if name in objects else None

    def _contrib(self, call: ast.Call, label: str) -> Site:
        return Site(call, label, "contrib", _argument(call, "is_training", _POSITION["contrib", "is_training"]),
                    _argument(call, "updates_collections", _POSITION["contrib", "updates_collections"]))

    def _normalizer(self, call: ast.Call, fn: ast.expr) -> Site:
        family, label = self._family(fn), self.names.qualname(fn)
        value = next((k.value for k in call.keywords if k.arg == "normalizer_params"), None)
        params = self._params(value)
        if params is None:
            return Site(fn, label, family, UNKNOWN, UNKNOWN)
        return Site(fn, label, family, params.get(_MODE[family]), params.get("updates_collections"))

    def adds_update_ops(self, site: Site) -> bool:
        """Whether the site puts update ops in UPDATE_OPS. Unsure answers are False (no warning)."""
        if site.literal_mode() is False:
            return False  # a literal False builds no update ops in either family
        if site.family == "layers":
            return True
        updates = site.updates
        if updates is None:
            updates = self.scope_defaults.get("updates_collections")
        if updates is UNKNOWN:
            return False
        return not (isinstance(updates, ast.Constant) and updates.value is None)

    def mode_is_set_elsewhere(self, site: Site) -> bool:
        """True when the mode may come from outside the call (an arg_scope in the file, `**kwargs`)."""
        return site.mode is UNKNOWN or (site.family == "contrib" and self.has_arg_scope)
