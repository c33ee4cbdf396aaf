"""The linted file's structure and a little data flow: scopes, call sites, UPDATE_OPS reads and the values
derived from them, `control_dependencies` blocks, and which function calls happen inside them.

All tracking is by name (`update_ops`, `self.train_op`) over the whole file, ignoring the order of
statements (except where a check says otherwise): cheap, and it errs towards "this is probably fine".
"""

from __future__ import annotations

import ast
from typing import Callable, Iterable, Iterator

from tf1_bn.lint._names import (Names, children, key, last_name, references, references_inside_and_outside,
                                target_keys, walk_outside)

FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPOUND = tuple(getattr(ast, name) for name in (
    "If", "For", "AsyncFor", "While", "With", "AsyncWith", "Try", "TryStar", "Match", "FunctionDef",
    "AsyncFunctionDef", "ClassDef") if hasattr(ast, name))
_APPENDERS = {"append", "extend", "insert", "add", "update"}
# Calls that differentiate their inputs instead of evaluating them: a value built with control dependencies
# on the update ops does not pass them on through these (the gradient of an identity skips the identity).
BARRIERS = frozenset({"minimize", "compute_gradients", "gradients", "gradient"})


def is_update_ops_key(node: ast.AST, names: Names) -> bool:
    """`tf.GraphKeys.UPDATE_OPS` (any alias), a bare `UPDATE_OPS`, or the string "update_ops"."""
    if isinstance(node, ast.Constant):
        return node.value == "update_ops"
    return (names.qualname(node) or key(node) or "").split(".")[-1] == "UPDATE_OPS"


def is_update_read(node: ast.AST, names: Names) -> bool:
    """A `get_collection(UPDATE_OPS)` / `get_collection_ref(...)` call (module function or graph method)."""
    if not isinstance(node, ast.Call) or last_name(node.func) not in {"get_collection", "get_collection_ref"}:
        return False
    collection = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg in {"key", "name"}), None)
    return collection is not None and is_update_ops_key(collection, names)


class FileModel:
    """Parents, scopes and call graph of one parsed file, plus the UPDATE_OPS-derived values."""

    def __init__(self, tree: ast.Module, names: Names) -> None:
        self.tree, self.names, self.nodes = tree, names, names.nodes
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in self.nodes:
            for child in children(node):
                self.parents[child] = node
        self.calls = [n for n in self.nodes if isinstance(n, ast.Call)]
        self.functions: dict[str, list[ast.AST]] = {}
        for node in self.nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions.setdefault(node.name, []).append(node)
        self._callees = {call: self._resolve(call) for call in self.calls}
        self.call_sites: dict[ast.AST, list[ast.Call]] = {}
        for call in self.calls:
            for function in self.callees(call):
                self.call_sites.setdefault(function, []).append(call)
        self.assignments = [(keys, value, *references_inside_and_outside(value, BARRIERS))
                            for keys, value in self._assignments()]
        self.simple_statements = [n for n in self.nodes if isinstance(n, ast.stmt) and not isinstance(n, _COMPOUND)]
        self.update_values = self._update_values()
        self.blocks = self._dependency_blocks()

    # -- structure --------------------------------------------------------------------------------------
    def ancestors(self, node: ast.AST) -> Iterator[tuple[ast.AST, ast.AST]]:
        """(parent, child) pairs from `node` up to the module."""
        while node in self.parents:
            parent = self.parents[node]
            yield parent, node
            node = parent

    def scope(self, node: ast.AST) -> ast.AST | None:
        """The innermost function (or lambda) around `node`; None at module level."""
        return next((p for p, _ in self.ancestors(node) if isinstance(p, FUNCTION_NODES)), None)

    def statement(self, node: ast.AST) -> ast.stmt | None:
        if isinstance(node, ast.stmt):
            return node
        return next((p for p, _ in self.ancestors(node) if isinstance(p, ast.stmt)), None)

    def branches(self, node: ast.AST) -> dict[ast.AST, str]:
        """For each `if` around `node`: which branch ("body"/"orelse") it sits in."""
        found = {}
        for parent, child in self.ancestors(node):
            if isinstance(parent, ast.If) and child is not parent.test:
                found[parent] = "body" if any(child is s for s in parent.body) else "orelse"
        return found

    def exclusive(self, a: ast.AST, b: ast.AST) -> bool:
        """True when `a` and `b` sit in different branches of one `if`, so never both run."""
        branches_a = self.branches(a)
        return any(branches_a.get(node, field) != field for node, field in self.branches(b).items())

    def callees(self, call: ast.Call) -> list[ast.AST]:
        """Functions of this file `call` may run: `f(...)` for functions visible from the call (module level
        or nested in an enclosing function), `self.f(...)`/`cls.f(...)` for methods of any class."""
        return self._callees[call] if call in self._callees else self._resolve(call)

    def _resolve(self, call: ast.Call) -> list[ast.AST]:
        func = call.func
        if isinstance(func, ast.Name):
            visible = {None} | {p for p, _ in self.ancestors(call) if isinstance(p, FUNCTION_NODES)}
            return [f for f in self.functions.get(func.id, []) if not self._is_method(f) and self.scope(f) in visible]
        if isinstance(func, ast.Attribute) and key(func.value) in {"self", "cls"}:
            return [f for f in self.functions.get(func.attr, []) if self._is_method(f)]
        return []

    def _is_method(self, function: ast.AST) -> bool:
        return isinstance(self.parents.get(function), ast.ClassDef)

    def functions_calling(self, predicate: Callable[[ast.Call], bool],
                          seeds: Iterable[ast.AST | None] = ()) -> set[ast.AST]:
        """Functions whose body makes a call satisfying `predicate` (or `seeds`), directly or through other
        functions of the file."""
        found: set[ast.AST] = {f for f in seeds if f is not None}
        changed = True
        while changed:
            changed = False
            for call in self.calls:
                scope = self.scope(call)
                if scope is not None and scope not in found and (
                        predicate(call) or any(f in found for f in self.callees(call))):
                    found.add(scope)
                    changed = True
        return found

    # -- data flow --------------------------------------------------------------------------------------
    def _assignments(self) -> Iterator[tuple[list[str], ast.AST]]:
        """(keys bound, value) for assignments, `for` targets and `x.append(value)`-style mutations."""
        for node in self.nodes:
            if isinstance(node, ast.Assign):
                yield [k for t in node.targets for k in target_keys(t)], node.value
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                yield target_keys(node.target), node.value
            elif isinstance(node, ast.NamedExpr):
                yield target_keys(node.target), node.value
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                yield target_keys(node.target), node.iter
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _APPENDERS:
                if key(node.func.value) is not None:
                    yield [key(node.func.value)], node

    def propagate(self, seeds: set[str], seeds_in: Callable[[ast.AST, set[str]], bool] | None = None,
                  through_barriers: bool = True) -> set[str]:
        """Keys holding a value derived from `seeds`: assigned from an expression that references a derived
        key (or satisfies `seeds_in(value, derived)`), until nothing changes."""
        derived = set(seeds)
        changed = True
        while changed:
            changed = False
            for keys, value, refs, outer_refs in self.assignments:
                if set(keys) <= derived:
                    continue
                if (refs if through_barriers else outer_refs) & derived or (
                        seeds_in is not None and seeds_in(value, derived)):
                    derived.update(keys)
                    changed = True
        return derived

    def returned_to(self, node: ast.AST) -> set[str]:
        """When `node` is inside `return ...` of a function: the keys its callers assign the result to."""
        statement = self.statement(node)
        if not isinstance(statement, ast.Return):
            return set()
        found: set[str] = set()
        for call in self.call_sites.get(self.scope(node), []):
            caller = self.statement(call)
            if isinstance(caller, ast.Assign):
                found.update(k for t in caller.targets for k in target_keys(t))
        return found

    def _update_values(self) -> set[str]:
        """Keys derived from an UPDATE_OPS read (`update_ops = tf.get_collection(...) + extra`, `layer.updates`)."""
        returns_updates: set[ast.AST] = set()
        facts: dict[ast.AST, tuple[bool, list[ast.AST]]] = {}  # value -> (reads them itself, functions it calls)

        def direct(value: ast.AST, derived: set[str]) -> bool:
            if value not in facts:
                reads, called = False, []
                for node in walk_outside(value, BARRIERS):
                    if is_update_read(node, self.names) or (isinstance(node, ast.Attribute) and node.attr == "updates") \
                            or (isinstance(node, ast.Call) and last_name(node.func) == "get_updates_for"):
                        reads = True
                        break
                    if isinstance(node, ast.Call):
                        called.extend(self.callees(node))
                facts[value] = reads, called
            reads, called = facts[value]
            return reads or any(f in returns_updates for f in called)

        derived: set[str] = set()
        for _ in range(3):  # functions returning update ops, then their callers, then theirs
            derived = self.propagate(set(), direct, through_barriers=False)
            for node in self.nodes:
                if isinstance(node, ast.Return) and node.value is not None and self.scope(node) is not None:
                    if references(node.value, BARRIERS) & derived or direct(node.value, derived):
                        returns_updates.add(self.scope(node))
        self._direct = direct
        return derived

    def reads_updates(self, node: ast.AST, strict: bool = True) -> bool:
        """Whether `node` reads the update ops. Not strict: also any name containing "update"
        (`update_ops` passed in as a parameter), to prefer silence over a false alarm."""
        refs = references(node, BARRIERS)
        if self._direct(node, self.update_values) or refs & self.update_values:
            return True
        return not strict and any("update" in k.split(".")[-1].lower() for k in refs)

    # -- control_dependencies ---------------------------------------------------------------------------
    def _dependency_blocks(self) -> dict[ast.AST, bool]:
        """`with control_dependencies(<update ops>):` statements -> whether the read is certain (strict)."""
        blocks = {}
        for node in self.nodes:
            if isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    context = item.context_expr
                    if isinstance(context, ast.Call) and last_name(context.func) == "control_dependencies":
                        inputs = context.args[0] if context.args else next(
                            (k.value for k in context.keywords if k.arg == "control_inputs"), None)
                        if inputs is not None and self.reads_updates(inputs, strict=False):
                            blocks[node] = blocks.get(node, False) or self.reads_updates(inputs)
        return blocks

    def inside_block(self, node: ast.AST) -> bool:
        """Whether `node` is built inside a `control_dependencies(<update ops>)` body of its own function."""
        for parent, child in self.ancestors(node):
            if isinstance(parent, FUNCTION_NODES):
                return False
            if parent in self.blocks and any(child is s for s in parent.body):
                return True
        return False

    def protected_functions(self) -> set[ast.AST]:
        """Functions called only from inside such blocks (directly or through other such functions)."""
        found: set[ast.AST] = set()
        changed = True
        while changed:
            changed = False
            for function, sites in self.call_sites.items():
                if function not in found and sites and all(
                        self.inside_block(c) or self.scope(c) in found for c in sites):
                    found.add(function)
                    changed = True
        return found
