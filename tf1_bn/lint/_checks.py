"""The checks: each yields (node, code, message) for one parsed file.

The contract they guard is the one in the TF 1.x docs of `tf.layers.batch_normalization`: during training
the moving mean and variance change only when the layer's update ops run; the layer puts them in
`tf.GraphKeys.UPDATE_OPS`, so the train op must depend on that collection — and since the collection is a
snapshot taken when it is read, it must be read after the layers are built (the docs' ordering warning).
BN001/BN002 catch a train op that does not depend on the updates, BN003 a read that comes too early,
BN004/BN005 a layer that never switches to its moving statistics (`_checks_modes`, with BN007/BN009; BN006 and
BN008 are `_checks_saving` and `_checks_export`, run by `_checks_state`).
"""

from __future__ import annotations

import ast
import functools
from typing import Iterator

from tf1_bn.lint._checks_modes import mode_arguments
from tf1_bn.lint._checks_state import state_checks
from tf1_bn.lint._flow import FileModel, is_update_read
from tf1_bn.lint._names import Names, key, last_name, references, subtree, target_keys
from tf1_bn.lint._sites import SiteFinder

Raw = tuple[ast.AST, str, str]

TRAIN_METHODS = {"minimize", "apply_gradients"}
GRADIENT_CALLS = {"compute_gradients", "gradients", "gradient"}
# Anything in a control_dependencies(<update ops>) block that means "this block builds or finishes a train op".
_TRAIN_BUILDERS = TRAIN_METHODS | GRADIENT_CALLS | {"create_train_op", "optimize_loss", "group", "no_op", "tuple"}
_RECIPE = "`with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):`"


class Checker:
    """Runs every check on one file (see the package docstring for what each code means).

    The file's structure and data flow (`model`) and what depends on it are built on first use: most files
    have no batch-norm layer and no UPDATE_OPS read, and then BN001 to BN005 need none of it. `source`, when
    given, lets the UPDATE_OPS test be a text search."""

    def __init__(self, tree: ast.Module, source: str | None = None) -> None:
        self.tree = tree
        self.names = Names(tree)
        self.calls = [n for n in self.names.nodes if isinstance(n, ast.Call)]
        self.finder = SiteFinder(self.names, self.calls)
        self.sites = sorted(self.finder.sites, key=lambda s: (s.node.lineno, s.node.col_offset))
        self.counting = [s for s in self.sites if self.finder.adds_update_ops(s)]
        self._source = source

    @functools.cached_property
    def model(self) -> FileModel:
        return FileModel(self.tree, self.names)

    @functools.cached_property
    def train_ops(self) -> list[ast.Call]:
        return [c for c in self.calls if isinstance(c.func, ast.Attribute) and c.func.attr in TRAIN_METHODS
                and not self.names.is_imported_module(c.func.value)]

    @functools.cached_property
    def _protected_functions(self) -> set[ast.AST]:
        return self.model.protected_functions()

    @functools.cached_property
    def _builders(self) -> set[ast.AST]:
        """Functions that build a layer adding update ops, directly or through other functions of the file."""
        return self.model.functions_calling(lambda c: False, {self.model.scope(s.node) for s in self.counting})

    @functools.cached_property
    def _pieces(self) -> list[tuple[ast.AST, set[str]]]:
        """Statements (and `with` headers) that may combine a train op with the update ops, with what they read."""
        return [(piece, references(piece)) for piece in [
            *self.model.simple_statements,
            *(i.context_expr for w in self.model.nodes if isinstance(w, (ast.With, ast.AsyncWith)) for i in w.items)]]

    @functools.cached_property
    def _session_runs_updates(self) -> bool:
        """`sess.run(update_ops)` somewhere: the session runs the updates itself, next to every train op."""
        return any(last_name(c.func) == "run" and any(self.model.reads_updates(a, strict=False) for a in c.args)
                   for c in self.calls)

    def train_handles(self) -> set[str]:
        """Every key a train op of the file is stored under (see `_handles`)."""
        return {h for op in self.train_ops for h in self._handles(op)}

    def _reads_updates(self) -> bool:
        """Whether the file reads the update ops at all (the seeds of `FileModel.update_values`)."""
        if self._source is not None and not any(w in self._source for w in ("UPDATE_OPS", "update_ops", "updates")):
            return False
        return any(is_update_read(c, self.names) or last_name(c.func) == "get_updates_for" for c in self.calls) or any(
            isinstance(n, ast.Attribute) and n.attr == "updates" for n in self.names.nodes)

    def run(self) -> list[Raw]:
        found: list[Raw] = []
        if self.counting or self._reads_updates():  # BN001 needs a layer adding update ops, BN002/BN003 a read
            found.extend([*self.missing_dependency(), *self.early_reads()])
        found.extend([*mode_arguments(self.sites, self.finder), *state_checks(self)])
        return found

    # -- BN001 and BN002 --------------------------------------------------------------------------------
    def _in_block(self, node: ast.AST) -> bool:
        return self.model.inside_block(node) or self.model.scope(node) in self._protected_functions

    def _protected(self) -> set[ast.Call]:
        """Train ops built inside a block, or applying gradients that were computed inside one (their ops
        carry the block's control inputs into apply_gradients)."""
        gradient_functions = self.model.functions_calling(lambda c: last_name(c.func) in GRADIENT_CALLS)
        seeds: set[str] = set()
        for keys, value, _, _ in self.model.assignments:
            if self._in_block(value) and any(
                    isinstance(n, ast.Call) and (last_name(n.func) in GRADIENT_CALLS or any(
                        f in gradient_functions for f in self.model.callees(n))) for n in subtree(value)):
                seeds.update(keys)
        gradients = self.model.propagate(seeds)
        return {op for op in self.train_ops if self._in_block(op) or (
            op.func.attr == "apply_gradients" and _argument_refs(op) & gradients)}

    def _handles(self, op: ast.Call) -> set[str]:
        """Keys the train op is stored under (`train_op`, `self.train_op`, a list it is appended to)."""
        found = set(self.model.returned_to(op))
        statement = self.model.statement(op)
        if isinstance(statement, ast.Assign):
            found.update(k for t in statement.targets for k in target_keys(t))
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
            found.update(target_keys(statement.target))
        for parent, _ in self.model.ancestors(op):
            if parent is statement:
                break
            if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute) and key(parent.func.value):
                if parent.func.attr in {"append", "extend", "insert"}:
                    found.add(key(parent.func.value))
        return self.model.propagate(found)

    def _combined(self, op: ast.Call, handles: set[str]) -> bool:
        """`tf.group(train_op, update_ops)`, `sess.run([train_op, update_ops])` and the like: the update
        ops run together with the train op."""
        if self._session_runs_updates:
            return True
        statement = self.model.statement(op)
        if statement is not None and any(
                self.model.reads_updates(n, strict=False) for n in self._beside(op, statement)):
            return True
        return any(refs & handles and (self.model.reads_updates(piece, strict=False) or (
            self._in_block(piece) and any(self._is_tf_call(n) for n in subtree(piece))))
            for piece, refs in self._pieces)

    def _beside(self, node: ast.AST, statement: ast.AST) -> Iterator[ast.AST]:
        """The parts of `statement` outside `node` (its siblings on the way up), assignment targets excluded."""
        for parent, child in self.model.ancestors(node):
            for sibling in ast.iter_child_nodes(parent):
                if sibling is not child and not isinstance(getattr(sibling, "ctx", None), ast.Store):
                    yield sibling
            if parent is statement:
                return

    def _is_tf_call(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and (self.names.qualname(node.func) or "").startswith("tf.")

    def _exempt(self, protected: set[ast.Call]) -> set[ast.Call]:
        """`if use_bn: <protected train op> else: <plain train op>` (seed 002's `train`): the plain branch
        is the network without batch norm."""
        exempt: set[ast.Call] = set()
        for node in self.model.nodes:
            if isinstance(node, ast.If):
                body, orelse = (_train_ops_in(branch, self.train_ops) for branch in (node.body, node.orelse))
                for mine, other in ((body, orelse), (orelse, body)):
                    if mine & protected:
                        exempt |= other - protected
        return exempt

    def missing_dependency(self) -> Iterator[Raw]:
        """BN001 (a train op that never runs the update ops) and BN002 (update ops attached to the loss or
        another tensor instead of the train op)."""
        protected = self._protected()
        exempt = self._exempt(protected)
        handles = {op: self._handles(op) for op in self.train_ops}
        all_handles = set().union(*handles.values())
        unhandled = [op for op in self.train_ops if op not in protected and op not in exempt
                     and not self._combined(op, handles[op])]
        explained: set[ast.Call] = set()
        for node, body, keys in self._attachments():
            calls = [n for b in body for n in subtree(b) if isinstance(n, ast.Call)]
            if (not calls and isinstance(node, ast.With)) or any(
                    not self._is_tf_call(c) or last_name(c.func) in _TRAIN_BUILDERS for c in calls):
                continue  # builds (or may build) the train op itself, or builds nothing
            if any(references(b) & all_handles for b in body):
                continue
            derived = self.model.propagate(keys)
            fed = [op for op in unhandled if _argument_refs(op) & derived]  # minimize(loss) of this block's loss
            later = sorted(set(fed) | {op for op in unhandled if op.lineno > node.lineno}, key=lambda op: op.lineno)
            if not later:
                continue
            explained.update(fed)
            yield node, "BN002", (
                f"update ops attached to this block's tensors, not to the train op ({_what(later[0])} at line "
                f"{later[0].lineno}): its gradients never evaluate those tensors, so the updates do not run; "
                f"build the train op inside the block")
        if not self.counting:
            return
        first = self.counting[0]
        more = f" and {len(self.counting) - 1} more" if len(self.counting) > 1 else ""
        unrelated = self._unrelated_units()
        for op in unhandled:
            if op not in explained and self._unit(op) not in unrelated:
                yield op, "BN001", (
                    f"{_what(op)} builds a train op that never runs the batch-norm update ops ({first.label} at "
                    f"line {first.line}{more}): the moving mean/variance stay at 0/1; build it under {_RECIPE}")

    def _unit(self, node: ast.AST) -> ast.AST | None:
        """The top-level function or class around `node`; None for module-level code."""
        for parent, child in self.model.ancestors(node):
            if isinstance(parent, ast.Module):
                return child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else None
        return None

    def _unrelated_units(self) -> set[ast.AST]:
        """Top-level functions/classes that neither build batch norm nor call a function that does — when
        some unit that does build it also builds its own train op. A file of independent examples (one
        with batch norm and its train op, others without) then raises no alarm about the others."""
        bn_units = {self._unit(s.node) for s in self.counting} | {
            self._unit(c) for c in self.model.calls if any(f in self._builders for f in self.model.callees(c))}
        if not bn_units & {self._unit(op) for op in self.train_ops}:
            return set()
        return {self._unit(op) for op in self.train_ops} - bn_units - {None}

    def _attachments(self) -> Iterator[tuple[ast.AST, list[ast.AST], set[str]]]:
        """Blocks that surely read UPDATE_OPS, and `with_dependencies(<update ops>, tensor)` calls: (where,
        what they wrap, the keys the results are stored under)."""
        for block, strict in self.model.blocks.items():
            if strict:
                keys = {k for s in block.body for n in subtree(s) if isinstance(n, ast.Assign)
                        for t in n.targets for k in target_keys(t)}
                keys |= {k for s in block.body for n in subtree(s) if isinstance(n, ast.Return)
                         for k in self.model.returned_to(n)}
                yield block, block.body, keys
        for call in self.model.calls:  # loss = control_flow_ops.with_dependencies(update_ops, loss)
            if last_name(call.func) == "with_dependencies" and len(call.args) > 1 and self.model.reads_updates(
                    call.args[0]):
                targets = getattr(self.model.statement(call), "targets", [])
                yield call, [call.args[1]], {k for t in targets for k in target_keys(t)} | self.model.returned_to(call)

    # -- BN003 ------------------------------------------------------------------------------------------
    def early_reads(self) -> Iterator[Raw]:
        """BN003: `get_collection(UPDATE_OPS)` before a batch-norm layer of the same scope is built.

        Later layers that reuse variables (`reuse=True`, in a reusing `variable_scope`) and later calls of a
        network-building function already called before the read are taken for an evaluation copy of the
        network, whose update ops nobody needs: not reported."""
        builders = self._builders
        built = [(s.node, s.label, frozenset()) for s in self.counting if not self._reused(s.node)]
        for call in self.model.calls:
            callees = frozenset(f for f in self.model.callees(call) if f in builders)
            if callees:
                built.append((call, f"{last_name(call.func)}(), which builds batch norm", callees))
        for read in self.model.calls:
            if not is_update_read(read, self.names):
                continue
            scope, where = self.model.scope(read), (read.lineno, read.col_offset)
            mine = [(n, label, callees) for n, label, callees in built
                    if self.model.scope(n) is scope and not self.model.exclusive(read, n)]
            done = set().union(*(callees for n, _, callees in mine if (n.lineno, n.col_offset) < where))
            after = sorted(((n.lineno, n.col_offset), label) for n, label, callees in mine
                           if (n.lineno, n.col_offset) > where and not callees & done)
            if after:
                (line, _), label = after[0]
                yield read, "BN003", (
                    f"UPDATE_OPS read before the batch norm at line {line} ({label}) exists: the list misses its "
                    f"update ops; read it after building the network (the TF1 docs' ordering warning)")

    def _reused(self, node: ast.AST) -> bool:
        """A layer applied again with existing variables: `reuse=True` on the call or its variable_scope."""
        calls = [node] if isinstance(node, ast.Call) else []
        calls += [item.context_expr for parent, _ in self.model.ancestors(node) if isinstance(parent, ast.With)
                  for item in parent.items if isinstance(item.context_expr, ast.Call)
                  and last_name(item.context_expr.func) == "variable_scope"]
        return any(k.arg == "reuse" and not (isinstance(k.value, ast.Constant) and k.value.value in (None, False))
                   for call in calls for k in call.keywords)


def _argument_refs(call: ast.Call) -> set[str]:
    return set().union(*(references(a) for a in [*call.args, *(k.value for k in call.keywords)]))


def _train_ops_in(statements: list[ast.stmt], train_ops: list[ast.Call]) -> set[ast.Call]:
    inside = {id(n) for s in statements for n in subtree(s)}
    return {op for op in train_ops if id(op) in inside}


def _what(op: ast.Call) -> str:
    """`opt.minimize()`, or `optimizer.minimize()` when the optimizer has no name."""
    return f"{key(op.func.value) or 'optimizer'}.{op.func.attr}()"

