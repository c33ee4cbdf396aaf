"""The training flag of a TF1 file: the bool placeholders that switch batch norm between batch and moving
statistics, and what the session feeds them.

* a **bool placeholder** is `tf.placeholder(tf.bool, ...)` (any alias, `dtype=` or the string "bool") or
  `tf.placeholder_with_default(<bool>, ...)` (a literal or `tf.constant(<bool>)`); it is a **training
  placeholder** when its key or `name=` says so (see `is_training_name`) or it is passed as a batch-norm
  layer's `training=`/`is_training=`;
* a **training flag**, as a key of a `feed_dict`/`input_map`, is a key passed as some layer's mode (compared
  by its last component, so `model.is_training` matches `self.is_training`), any name saying so, or a
  tensor-name string saying so (`"is_training:0"`);
* a value is **True** when it is the literal, `tf.constant(True)`, or a name the file only ever binds to the
  literal True.

Words are compared after splitting names at `_`, `.`, digits and camelCase: `phase_train`, `isTraining`.
"""

from __future__ import annotations

import ast
import functools
import re
from typing import Iterator

from tf1_bn.lint._names import Names, key, last_name, target_keys
from tf1_bn.lint._sites import UNKNOWN, Site

_WORD = re.compile(r"[a-z]+|[A-Z][a-z]*")
_TRAINING_WORDS = {"train", "training", "phase", "istraining"}


def words(text: str) -> list[str]:
    """`self.is_training` -> ["self", "is", "training"]; `isTrain` -> ["is", "train"]."""
    return [w.lower() for w in _WORD.findall(text)]


def is_training_name(text: str) -> bool:
    """`is_training`, `phase_train`, `self.training`, `train_mode`, "is_training:0" (not `train_op`,
    `x_train`: a word of a train op or of training data follows or precedes "train")."""
    found = words(text)
    if not any(w in _TRAINING_WORDS for w in found):
        return False
    return not any(w in {"op", "ops", "step", "data", "images", "labels", "x", "y", "set", "loss", "dir"}
                   for w in found)


def constant_bools(nodes: list[ast.AST]) -> dict[str, bool]:
    """Keys the file binds only to one literal bool (`is_training = True`), whatever the statement order."""
    seen: dict[str, set[object]] = {}
    for node in nodes:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for name in target_keys(target):
                    value = node.value.value if isinstance(node.value, ast.Constant) and len(
                        node.targets) == 1 and not isinstance(target, (ast.Tuple, ast.List)) else UNKNOWN
                    seen.setdefault(name, set()).add(value)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr)) or (
                isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension))):
            for name in target_keys(node.target):
                seen.setdefault(name, set()).add(UNKNOWN)
        elif isinstance(node, ast.arg):
            seen.setdefault(node.arg, set()).add(UNKNOWN)
    return {name: next(iter(values)) for name, values in seen.items()
            if len(values) == 1 and isinstance(next(iter(values)), bool)}


class Flags:
    """The training placeholders of one file and the keys batch-norm layers take their mode from."""

    def __init__(self, names: Names, sites: list[Site]) -> None:
        self.names = names
        self.mode_keys = {key(s.mode) for s in sites if isinstance(s.mode, ast.AST) and key(s.mode)}
        self._mode_lasts = {k.split(".")[-1] for k in self.mode_keys}

    # Each walks the whole file: built on first use only.
    @functools.cached_property
    def constants(self) -> dict[str, bool]:
        return constant_bools(self.names.nodes)

    @functools.cached_property
    def placeholders(self) -> list[tuple[ast.Call, str | None, bool | None]]:
        return list(self._placeholders())

    @functools.cached_property
    def dicts(self) -> dict[str, list[tuple[ast.AST | None, ast.AST]]]:
        return _dict_entries(self.names.nodes)

    # -- declarations -----------------------------------------------------------------------------------
    def _placeholders(self) -> Iterator[tuple[ast.Call, str | None, bool | None]]:
        """(call, key it is assigned to, its default) for each bool training placeholder."""
        for node in self.names.nodes:
            if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Call):
                continue
            call = node.value
            qualname = self.names.qualname(call.func)
            if qualname == "tf.placeholder":
                dtype = _argument(call, "dtype", 0)
                if dtype is None or not self._is_bool_dtype(dtype):
                    continue
                default = None
            elif qualname == "tf.placeholder_with_default":
                default = self.bool_value(_argument(call, "input", 0))
                if default is None:
                    continue
            else:
                continue
            keys = [k for t in node.targets for k in target_keys(t)] if len(node.targets) == 1 else []
            name = _argument(call, "name", 2)  # tf.placeholder(dtype, shape, name), placeholder_with_default(input, shape, name)
            label = keys[0] if len(keys) == 1 else None
            spoken = [label] if label else []
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                spoken.append(name.value)
            if any(is_training_name(s) for s in spoken) or (label is not None and self.is_flag_key(label)):
                yield call, label, default

    def _is_bool_dtype(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Constant):
            return node.value == "bool"
        qualname = self.names.qualname(node) or ""
        return qualname.startswith("tf.") and qualname.split(".")[-1] == "bool"

    def bool_value(self, node: ast.AST | None) -> bool | None:
        """The bool a value surely holds: a literal, `tf.constant(<literal>)`, a name bound only to one."""
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.Call) and self.names.qualname(node.func) in {"tf.constant", "tf.convert_to_tensor"}:
            return self.bool_value(_argument(node, "value", 0))
        if isinstance(node, (ast.Name, ast.Attribute)) and key(node) in self.constants:
            return self.constants[key(node)]
        return None

    # -- feeds ------------------------------------------------------------------------------------------
    def is_flag_key(self, text: str) -> bool:
        return text.split(".")[-1] in self._mode_lasts or is_training_name(text)

    def is_flag(self, node: ast.AST | None) -> bool:
        """Whether a feed_dict/input_map key is the training flag."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return is_training_name(node.value.split(":")[0].split("/")[-1])
        found = key(node) if node is not None else None
        return found is not None and self.is_flag_key(found)

    def entries(self, mapping: ast.AST | None) -> list[tuple[ast.AST | None, ast.AST]]:
        """The (key, value) pairs of a dict written inline or bound to a name (plus `d[k] = v` lines)."""
        if isinstance(mapping, ast.Dict):
            entries = list(zip(mapping.keys, mapping.values))
        else:
            found = key(mapping) if mapping is not None else None
            entries = self.dicts.get(found, []) if found else []
        expanded = []
        for name, value in entries:  # `{**feed, flag: True}`: feed's own entries, one level deep
            if name is None and key(value) in self.dicts:
                expanded.extend(e for e in self.dicts[key(value)] if e[0] is not None)
            expanded.append((name, value))
        return expanded

    def fed_true(self, mapping: ast.AST | None) -> list[tuple[ast.AST, ast.AST]]:
        """(flag key, value) entries of `mapping` that feed the training flag True."""
        return [(k, v) for k, v in self.entries(mapping) if self.is_flag(k) and self.bool_value(v) is True]


def _argument(call: ast.Call, name: str, position: int | None) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if position is not None and len(call.args) > position and not any(
            isinstance(a, ast.Starred) for a in call.args[:position + 1]):
        return call.args[position]
    return None


def _dict_entries(nodes: list[ast.AST]) -> dict[str, list[tuple[ast.AST | None, ast.AST]]]:
    """key -> entries of the dict literals bound to it, `key[k] = v` assignments and `key.update({...})`."""
    found: dict[str, list[tuple[ast.AST | None, ast.AST]]] = {}
    for node in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(node.value, ast.Dict) and key(target):
                found.setdefault(key(target), []).extend(zip(node.value.keys, node.value.values))
            elif isinstance(target, ast.Subscript) and key(target.value):
                found.setdefault(key(target.value), []).append((target.slice, node.value))
        elif isinstance(node, ast.Call) and last_name(node.func) == "update" and isinstance(node.func, ast.Attribute):
            if key(node.func.value) and node.args and isinstance(node.args[0], ast.Dict):
                found.setdefault(key(node.func.value), []).extend(zip(node.args[0].keys, node.args[0].values))
    return found


def run_parts(call: ast.Call) -> tuple[ast.AST | None, ast.AST | None] | None:
    """(fetches, feed_dict) of `sess.run(fetches, feed_dict)`, `tensor.eval(feed_dict)` or
    `op.run(feed_dict=...)` (the receiver is then the fetch); None for other calls."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in {"run", "eval"}:
        return None
    feed = next((k.value for k in call.keywords if k.arg == "feed_dict"), None)
    session_like = func.attr == "run" and (call.args or "sess" in (key(func.value) or "").lower())
    if session_like:
        fetches = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "fetches"), None)
        if feed is None and len(call.args) > 1:
            feed = call.args[1]
        return fetches, feed
    if feed is None and call.args:
        feed = call.args[0]
    return func.value, feed
