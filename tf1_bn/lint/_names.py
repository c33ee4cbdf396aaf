"""Which TensorFlow function a name in the linted file means, through its imports and aliases.

Every dotted name is rewritten to one canonical spelling, so the checks compare against a handful of
strings: `import tensorflow.compat.v1 as tf; tf.layers.batch_normalization`, `from tensorflow.layers import
batch_normalization` and `tf1_bn.layers.batch_normalization` all become ``tf.layers.batch_normalization``;
`tf.contrib.layers.batch_norm`, `tf.contrib.slim.batch_norm` and `tf_slim.batch_norm` (the same function)
all become ``slim.batch_norm``.
"""

from __future__ import annotations

import ast
from typing import Iterator

# Full dotted prefix -> canonical prefix, applied repeatedly (first match wins) until nothing changes.
_REWRITES: tuple[tuple[str, str], ...] = (
    ("tensorflow", "tf"),
    ("tf.compat.v1", "tf"),
    ("tf1_bn.v1", "tf"),
    ("tf1_bn.layers", "tf.layers"),  # our restored layer: same signature as tf.layers
    ("tf.python.layers.normalization", "tf.layers"),  # where tf.layers' batch norm was defined
    ("tf.python.layers.layers", "tf.layers"),
    ("tf_slim", "slim"),
    ("tf.contrib.slim", "slim"),
    ("tf.contrib.layers", "slim"),  # contrib.layers.batch_norm is slim.batch_norm
    ("tf.contrib.framework", "slim"),  # where arg_scope lives
    ("slim.python.layers.layers", "slim"),  # contrib.layers' old import path (2016-era code)
    ("slim.python.layers", "slim"),
    ("slim.layers", "slim"),
)

# Names a pasted snippet may use without importing them (only when the file never binds them itself).
_DEFAULT_MODULES = {"tf": "tensorflow", "slim": "tensorflow.contrib.slim"}


def canonical(dotted: str) -> str:
    """The canonical spelling of a fully qualified dotted name (see the module docstring)."""
    for _ in range(len(_REWRITES) + 1):
        for prefix, replacement in _REWRITES:
            if dotted == prefix or dotted.startswith(prefix + "."):
                dotted = replacement + dotted[len(prefix):]
                break
        else:
            return dotted
    return dotted


def _chain(node: ast.AST) -> list[str] | None:
    """`a.b.c` as ["a", "b", "c"]; None for anything that is not a plain attribute chain."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def _bound_names(nodes: list[ast.AST]) -> set[str]:
    """Every name the file binds itself (assignments, parameters, definitions, imports)."""
    bound: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return bound


class Names:
    """Resolves names of one file to canonical dotted names; flow-insensitive (the last binding wins).
    `nodes` is every node of the file, walked once and shared by the checks."""

    def __init__(self, tree: ast.Module) -> None:
        self.nodes: list[ast.AST] = list(ast.walk(tree))
        self._aliases: dict[str, str] = {}
        for node in self.nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self._aliases[alias.asname] = alias.name
                    else:  # `import a.b.c` binds `a`
                        top = alias.name.split(".")[0]
                        self._aliases[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name != "*":
                        self._aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        bound = _bound_names(self.nodes)
        for name, module in _DEFAULT_MODULES.items():
            if name not in bound:
                self._aliases[name] = module
        # `slim = tf.contrib.slim`, `bn = tf.layers.batch_normalization`: aliases by assignment (two rounds
        # so that an alias of an alias resolves whatever the order of the lines).
        assignments = [n for n in self.nodes if isinstance(n, ast.Assign) and len(n.targets) == 1
                       and isinstance(n.targets[0], ast.Name) and _chain(n.value) is not None]
        for _ in range(2):
            for node in assignments:
                full = self._full(node.value)
                if full is not None and full.split(".")[0] in {"tensorflow", "tf1_bn", "tf_slim", "functools"}:
                    self._aliases[node.targets[0].id] = full

    def _full(self, node: ast.AST) -> str | None:
        parts = _chain(node)
        if parts is None or parts[0] not in self._aliases:
            return None
        return ".".join([self._aliases[parts[0]], *parts[1:]])

    def qualname(self, node: ast.AST) -> str | None:
        """The canonical dotted name `node` refers to, or None for local values (`optimizer`, `self.bn`)."""
        full = self._full(node)
        return None if full is None else canonical(full)

    def is_imported_module(self, node: ast.AST) -> bool:
        """True when `node` is rooted at an imported non-TensorFlow name (`scipy.optimize`)."""
        qualname = self.qualname(node)
        return qualname is not None and qualname.split(".")[0] not in {"tf", "slim"}


def key(node: ast.AST) -> str | None:
    """The text a value is tracked by: `loss`, `self.train_op`; None for other targets."""
    if isinstance(node, ast.Starred):
        node = node.value
    return ".".join(_chain(node)) if _chain(node) is not None else None


def target_keys(target: ast.AST) -> list[str]:
    """The keys an assignment target binds (tuples unpacked)."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return [k for element in target.elts for k in target_keys(element)]
    found = key(target)
    return [found] if found is not None else []


def walk_outside(node: ast.AST, stop: frozenset[str] = frozenset()) -> Iterator[ast.AST]:
    """`ast.walk`, except that calls named in `stop` (and their arguments) are skipped."""
    todo = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, ast.Call) and last_name(current.func) in stop:
            continue
        yield current
        todo.extend(ast.iter_child_nodes(current))


def references(node: ast.AST, stop: frozenset[str] = frozenset()) -> set[str]:
    """Keys read inside `node` (for `self.loss.op`: `self.loss.op`, `self.loss`, `self`), not looking into
    calls named in `stop`."""
    found: set[str] = set()
    for child in walk_outside(node, stop):
        if isinstance(child, (ast.Name, ast.Attribute)) and isinstance(child.ctx, ast.Load):
            name = key(child)
            if name is not None:
                found.add(name)
    return found


def last_name(node: ast.AST) -> str | None:
    """`opt.minimize` -> "minimize", `minimize` -> "minimize"; None for other callees."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None
