"""Which TensorFlow function a name in the linted file means, through its imports and aliases.

Every dotted name is rewritten to one canonical spelling, so the checks compare against a handful of
strings: `import tensorflow.compat.v1 as tf; tf.layers.batch_normalization`, `from tensorflow.layers import
batch_normalization` and `tf1_bn.layers.batch_normalization` all become ``tf.layers.batch_normalization``;
`tf.contrib.layers.batch_norm`, `tf.contrib.slim.batch_norm` and `tf_slim.batch_norm` (the same function)
all become ``slim.batch_norm``.
"""

from __future__ import annotations

import ast
import functools
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


@functools.lru_cache(maxsize=8192)
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


# Fields that never hold a child node worth visiting: context and operator singletons (Load(), Add(), Eq())
# and plain strings/numbers (names, attributes, constants' values).
_NO_CHILDREN = frozenset({"ctx", "op", "ops", "id", "attr", "arg", "name", "asname", "module", "level", "kind",
                          "type_comment", "conversion", "is_async", "rest", "kwd_attrs"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        skip = _NO_CHILDREN | ({"value"} if kind is ast.Constant else set()) | (
            {"names"} if kind in (ast.Global, ast.Nonlocal) else set())
        fields = _CHILD_FIELDS[kind] = tuple(f for f in kind._fields if f not in skip)
    return fields


def children(node: ast.AST) -> list[ast.AST]:
    """`list(ast.iter_child_nodes(node))` without the context and operator nodes, faster."""
    found = []
    for name in _child_fields(node.__class__):
        value = getattr(node, name, None)
        if isinstance(value, list):
            found.extend(item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST):
            found.append(value)
    return found


def subtree(node: ast.AST) -> list[ast.AST]:
    """`list(ast.walk(node))` (breadth first, `node` first) without context and operator nodes, faster."""
    found = [node]
    append, node_type, cache = found.append, ast.AST, _CHILD_FIELDS
    index = 0
    while index < len(found):
        current = found[index]
        index += 1
        fields = cache.get(current.__class__)
        if fields is None:
            fields = _child_fields(current.__class__)
        for name in fields:
            value = getattr(current, name, None)
            if value.__class__ is list:
                for item in value:
                    if isinstance(item, node_type):
                        append(item)
            elif isinstance(value, node_type):
                append(value)
    return found


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class Names:
    """Resolves names of one file to canonical dotted names; flow-insensitive (the last binding wins).
    `nodes` is every node of the file, walked once and shared by the checks."""

    def __init__(self, tree: ast.Module) -> None:
        self.nodes: list[ast.AST] = subtree(tree)
        self._aliases: dict[str, str] = {}
        self._qualnames: dict[ast.AST, str | None] = {}
        bound: set[str] = set()  # every name the file binds itself (assignments, parameters, definitions, imports)
        assignments = []
        for node in self.nodes:  # one pass, dispatching on the exact class (the parser makes no subclasses)
            kind = node.__class__
            if kind is ast.Name:
                if node.ctx.__class__ is not ast.Load:
                    bound.add(node.id)
            elif kind is ast.arg:
                bound.add(node.arg)
            elif kind is ast.Assign:
                if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and _chain(node.value):
                    assignments.append(node)
            elif kind in _DEFINITIONS:
                bound.add(node.name)
            elif kind is ast.Import:
                for alias in node.names:
                    top = alias.name.split(".")[0]
                    self._aliases[alias.asname or top] = alias.name if alias.asname else top  # `import a.b` binds a
                    bound.add(alias.asname or top)
            elif kind is ast.ImportFrom:
                bound.update((a.asname or a.name).split(".")[0] for a in node.names)
                if node.module and not node.level:
                    for alias in node.names:
                        if alias.name != "*":
                            self._aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        for name, module in _DEFAULT_MODULES.items():
            if name not in bound:
                self._aliases[name] = module
        # `slim = tf.contrib.slim`, `bn = tf.layers.batch_normalization`: aliases by assignment (two rounds
        # so that an alias of an alias resolves whatever the order of the lines).
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
        if node in self._qualnames:
            return self._qualnames[node]
        full = self._full(node)
        found = self._qualnames[node] = None if full is None else canonical(full)
        return found

    def is_imported_module(self, node: ast.AST) -> bool:
        """True when `node` is rooted at an imported non-TensorFlow name (`scipy.optimize`)."""
        qualname = self.qualname(node)
        return qualname is not None and qualname.split(".")[0] not in {"tf", "slim"}


def key(node: ast.AST) -> str | None:
    """The text a value is tracked by: `loss`, `self.train_op`; None for other targets."""
    if isinstance(node, ast.Starred):
        node = node.value
    parts = _chain(node)
    return ".".join(parts) if parts is not None else None


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
        todo.extend(children(current))


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


def references_inside_and_outside(node: ast.AST, stop: frozenset[str]) -> tuple[set[str], set[str]]:
    """`(references(node), references(node, stop))` in one walk."""
    everywhere: set[str] = set()
    outside: set[str] = set()
    todo = [(node, False)]
    while todo:
        current, inside = todo.pop()
        if not inside and isinstance(current, ast.Call) and last_name(current.func) in stop:
            inside = True
        if isinstance(current, (ast.Name, ast.Attribute)) and isinstance(current.ctx, ast.Load):
            name = key(current)
            if name is not None:
                everywhere.add(name)
                if not inside:
                    outside.add(name)
        todo.extend((child, inside) for child in children(current))
    return everywhere, outside


def last_name(node: ast.AST) -> str | None:
    """`opt.minimize` -> "minimize", `minimize` -> "minimize"; None for other callees."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None
