"""BN006: a Saver or Checkpoint that is given only trainable variables, so no checkpoint holds the
batch-norm moving statistics.

The moving mean and variance are created with ``trainable=False`` (TF 1.x `tf.layers.batch_normalization` and
`tf.contrib.layers.batch_norm` alike): they are in GLOBAL_VARIABLES, never in TRAINABLE_VARIABLES. A
``tf.train.Saver(var_list=tf.trainable_variables())`` therefore writes checkpoints without them; a restored
model normalises with their initial values 0/1, or fails on "uninitialized value .../moving_mean"
(tinghuiz/SfMLearner#17, zhengyang-wang/Unet_3D#5, tensorflow/skflow#117).

What "only trainable" means here (an expression's *leaves* are classified; it is reported when at least one
leaf is trainable and none is unknown):

* trainable leaves: `tf.trainable_variables()` (any alias, `tf.compat.v1`), `slim.get_trainable_variables()`,
  `get_collection(TRAINABLE_VARIABLES)` (or "trainable_variables"), `<model>.trainable_variables` /
  `.trainable_weights`, and names the file only ever binds to such expressions (`tvars = ...`,
  ``for v in tf.trainable_variables(): keep.append(v)``);
* neutral leaves, which hold no statistics: constants, the global step (`tf.train.get_global_step()`, names
  containing "step" or "epoch"), comprehension and lambda variables;
* list/dict/set literals and comprehensions, `+`, slicing, `list()`/`sorted()`/`filter()`/`dict()`/`zip()`
  and the `if` filters of comprehensions are looked through;
* anything else (another collection, `tf.global_variables()`, a function parameter, a call of your own, a
  name also bound to something else) is unknown: no report.

Not reported either for a Saver only ever used to ``restore`` (loading pretrained weights into a model whose
statistics are then re-estimated, as `tf1_bn.guard` also allows), when the file passes
``variables_collections=`` to a batch norm (facenet's way of putting the moving averages into
TRAINABLE_VARIABLES on purpose), nor without a batch-norm layer in the file.
"""

from __future__ import annotations

import ast
from typing import Iterator

from tf1_bn.lint._names import Names, key, last_name, target_keys
from tf1_bn.lint._sites import Site

Raw = tuple[ast.AST, str, str]

SAVERS = {"tf.train.Saver"}
CHECKPOINTS = {"tf.train.Checkpoint"}
_TRAINABLE_CALLS = {"tf.trainable_variables", "slim.get_trainable_variables"}
_TRAINABLE_ATTRIBUTES = {"trainable_variables", "trainable_weights"}
_STEP_CALLS = {"get_global_step", "get_or_create_global_step", "create_global_step"}
_WRAPPERS = {"list", "tuple", "set", "sorted", "reversed", "filter", "dict", "zip"}
_FIX = "omit var_list (every saveable variable) or pass var_list=tf.global_variables()"

TRAINABLE, NEUTRAL, UNKNOWN = "trainable", "neutral", "unknown"


def _is_step_name(text: str) -> bool:
    last = text.split(".")[-1].lower()
    return "step" in last or "epoch" in last


class SavingCheck:
    """Classifies the variable lists of one file's Savers/Checkpoints (see the module docstring)."""

    def __init__(self, names: Names, bn_label: str, bn_line: int) -> None:
        self.names = names
        self.bn = f"{bn_label} at line {bn_line}"
        self._values = self._values_by_key(names.nodes)
        self._kinds: dict[str, frozenset[str]] = {}
        self._visiting: set[str] = set()

    @staticmethod
    def _values_by_key(nodes: list[ast.AST]) -> dict[str, list[ast.AST | None]]:
        """key -> every value bound to it (None: bound in a way that cannot be read, e.g. unpacking)."""
        values: dict[str, list[ast.AST | None]] = {}
        for node in nodes:
            if isinstance(node, ast.Assign):
                plain = len(node.targets) == 1 and not isinstance(node.targets[0], (ast.Tuple, ast.List))
                for name in (k for t in node.targets for k in target_keys(t)):
                    values.setdefault(name, []).append(node.value if plain else None)
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
                for name in target_keys(node.target):
                    values.setdefault(name, []).append(node.value)
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                plain = not isinstance(node.target, (ast.Tuple, ast.List))
                for name in target_keys(node.target):
                    values.setdefault(name, []).append(node.iter if plain else None)
            elif isinstance(node, ast.Call) and last_name(node.func) in {"append", "extend", "insert", "add"}:
                receiver = key(node.func.value) if isinstance(node.func, ast.Attribute) else None
                if receiver:
                    values.setdefault(receiver, []).extend(node.args[-1:] or [None])
            elif isinstance(node, ast.arg):
                values.setdefault(node.arg, []).append(None)
        return values

    def _key_kinds(self, name: str) -> frozenset[str]:
        """The kinds of every value bound to `name` (demand-driven; a cycle adds nothing)."""
        if name in self._kinds:
            return self._kinds[name]
        if name in self._visiting:
            return frozenset()
        values = self._values.get(name)
        if not values:
            return frozenset({UNKNOWN})
        self._visiting.add(name)
        try:
            kinds = frozenset().union(*({UNKNOWN} if v is None else self.leaves(v, frozenset()) for v in values))
        finally:
            self._visiting.discard(name)
        self._kinds[name] = kinds
        return kinds

    def leaves(self, node: ast.AST, local: frozenset[str]) -> set[str]:
        """The kinds of the variables `node` may hold (TRAINABLE, NEUTRAL, UNKNOWN)."""
        if isinstance(node, ast.Constant):
            return {NEUTRAL}
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return set().union(set(), *(self.leaves(e, local) for e in node.elts))
        if isinstance(node, ast.Dict):
            return set().union(set(), *(self.leaves(v, local) for v in node.values))
        if isinstance(node, ast.Starred):
            return self.leaves(node.value, local)
        if isinstance(node, ast.BinOp):
            return self.leaves(node.left, local) | self.leaves(node.right, local)
        if isinstance(node, ast.IfExp):
            return self.leaves(node.body, local) | self.leaves(node.orelse, local)
        if isinstance(node, ast.Subscript):
            return self.leaves(node.value, local)
        if isinstance(node, ast.Lambda):
            return {NEUTRAL}
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self._comprehension(node, local)
        if isinstance(node, ast.Call):
            return self._call(node, local)
        if isinstance(node, (ast.Name, ast.Attribute)):
            name = key(node)
            if name is None:
                return {UNKNOWN}
            if name.split(".")[0] in local or _is_step_name(name):
                return {NEUTRAL}
            if isinstance(node, ast.Attribute) and node.attr in _TRAINABLE_ATTRIBUTES:
                return {TRAINABLE}
            return set(self._key_kinds(name))
        return {UNKNOWN}

    def _comprehension(self, node: ast.AST, local: frozenset[str]) -> set[str]:
        kinds: set[str] = set()
        for generator in node.generators:
            kinds |= self.leaves(generator.iter, local)
            local = local | {k.split(".")[0] for k in target_keys(generator.target)}
        element = node.value if isinstance(node, ast.DictComp) else node.elt
        return kinds | self.leaves(element, local)

    def _call(self, node: ast.Call, local: frozenset[str]) -> set[str]:
        qualname = self.names.qualname(node.func) or ""
        if qualname in _TRAINABLE_CALLS:
            return {TRAINABLE}
        if last_name(node.func) in _STEP_CALLS:
            return {NEUTRAL}
        if last_name(node.func) in {"get_collection", "get_collection_ref"} and node.args:
            collection = node.args[0]
            text = collection.value if isinstance(collection, ast.Constant) else (
                self.names.qualname(collection) or key(collection) or "")
            return {TRAINABLE} if str(text).split(".")[-1].lower() == "trainable_variables" else {UNKNOWN}
        if isinstance(node.func, ast.Name) and node.func.id in _WRAPPERS:  # keywords: sorted(key=...), no variables
            return set().union(set(), *(self.leaves(a, local) for a in node.args))
        return {UNKNOWN}

    def _trainable_only(self, node: ast.AST | None) -> bool:
        if node is None:
            return False
        kinds = self.leaves(node, frozenset())
        return TRAINABLE in kinds and UNKNOWN not in kinds

    def _restore_only(self, saver: ast.Call, calls: list[ast.Call]) -> bool:
        """A Saver only ever used to `restore` (fine-tuning from pretrained weights), never to `save`."""
        handles = set()
        for node in self.names.nodes:
            if isinstance(node, ast.Assign):
                pairs = [(t, node.value) for t in node.targets]
                pairs += [pair for t in node.targets if isinstance(t, ast.Tuple) and isinstance(node.value, ast.Tuple)
                          and len(t.elts) == len(node.value.elts) for pair in zip(t.elts, node.value.elts)]
                handles.update(k for target, value in pairs if value is saver for k in target_keys(target))
        uses = {c.func.attr for c in calls if isinstance(c.func, ast.Attribute) and c.func.attr in {"save", "restore"}
                and (c.func.value is saver or key(c.func.value) in handles)}
        return uses == {"restore"}

    def run(self, savers: list[ast.Call], calls: list[ast.Call]) -> Iterator[Raw]:
        for call in savers:
            qualname = self.names.qualname(call.func)
            if qualname in SAVERS and self._restore_only(call, calls):
                continue
            if qualname in SAVERS:
                var_list = call.args[0] if call.args else next(
                    (k.value for k in call.keywords if k.arg == "var_list"), None)
                if self._trainable_only(var_list):
                    yield var_list, "BN006", (
                        f"{qualname}(var_list=...) is given only trainable variables: the batch-norm moving "
                        f"mean/variance ({self.bn}) are not trainable, so its checkpoints never hold them and a "
                        f"restored model normalises with 0/1; {_FIX}")
            elif qualname in CHECKPOINTS and call.keywords:
                values = [k for k in call.keywords if k.arg is None or not _is_step_name(k.arg)
                          and "optim" not in k.arg.lower()]
                if values and all(self._trainable_only(k.value) for k in values):
                    yield call, "BN006", (
                        f"{qualname}(...) tracks only trainable variables: the batch-norm moving mean/variance "
                        f"({self.bn}) are not trainable, so its checkpoints never hold them; track the model "
                        f"(or tf.global_variables()) instead")


def unsaved_statistics(names: Names, sites: list[Site], calls: list[ast.Call]) -> Iterator[Raw]:
    """BN006 for one file (see the module docstring)."""
    savers = [c for c in calls if names.qualname(c.func) in SAVERS | CHECKPOINTS]
    if not savers or not sites or any(
            (isinstance(n, ast.keyword) and n.arg == "variables_collections")
            or (isinstance(n, ast.Constant) and n.value == "variables_collections") for n in names.nodes):
        return
    first = min(sites, key=lambda s: (s.node.lineno, s.node.col_offset))
    yield from SavingCheck(names, first.label, first.line).run(savers, calls)
