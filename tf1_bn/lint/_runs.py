"""What the file runs in a session, what it exports, and which functions train.

* a **run** is `sess.run(fetches, feed_dict)`, `tensor.eval(feed_dict)` or `op.run(feed_dict=...)`;
* a fetch is **train-like** when it reads a train op of the file (a `minimize`/`apply_gradients`/
  `create_train_op`/`optimize_loss` result, under any name it is passed on to), the update ops, builds one
  inline, or is named like one (a word "train", "optim"/"optimizer", "update(s)", "step", "minimize", "opt";
  preferring silence, `train_accuracy` counts);
* an **export** is a call of `simple_save`, `add_meta_graph_and_variables`/`add_meta_graph`, `freeze_graph`,
  `convert_variables_to_constants`, `write_graph`, `export_meta_graph` or `TFLiteConverter.from_session`;
* a function (or the module's top level) **trains** when it builds a train op, runs a train-like fetch, or
  calls a function of the file that does.
"""

from __future__ import annotations

import ast
from typing import Iterator

from tf1_bn.lint._flags import run_parts, words
from tf1_bn.lint._flow import FileModel, FUNCTION_NODES
from tf1_bn.lint._names import last_name, references, subtree

EXPORTS = {"simple_save", "add_meta_graph_and_variables", "add_meta_graph", "freeze_graph",
           "freeze_graph_with_def_protos", "convert_variables_to_constants", "write_graph", "export_meta_graph",
           "from_session"}
TRAIN_BUILDERS = {"minimize", "apply_gradients", "create_train_op", "optimize_loss"}
_TRAIN_WORDS = {"train", "optim", "optimizer", "update", "updates", "step", "minimize", "opt"}


class Runs:
    """The runs and exports of one file (see the module docstring)."""

    def __init__(self, model: FileModel, train_handles: set[str]) -> None:
        self.model = model
        self.runs: list[tuple[ast.Call, ast.AST | None, ast.AST | None]] = []
        for call in model.calls:
            parts = run_parts(call)
            if parts is not None:
                self.runs.append((call, *parts))
        self.exports = [c for c in model.calls if last_name(c.func) in EXPORTS and not (
            isinstance(c.func, ast.Attribute) and model.names.is_imported_module(c.func.value))]
        seeds = set(train_handles)
        for keys, value, _, _ in model.assignments:
            if any(isinstance(n, ast.Call) and last_name(n.func) in TRAIN_BUILDERS for n in subtree(value)):
                seeds.update(keys)
        self.train_keys = model.propagate(seeds) | model.update_values
        self._training_scopes: set[ast.AST | None] | None = None

    def train_like(self, fetches: ast.AST | None) -> bool:
        if fetches is None:
            return True  # unreadable: prefer silence
        refs = references(fetches)
        if refs & self.train_keys or self.model.reads_updates(fetches, strict=False):
            return True
        if any(w in _TRAIN_WORDS for r in refs for w in words(r.split(".")[-1])):
            return True
        return any(isinstance(n, ast.Call) and last_name(n.func) in TRAIN_BUILDERS | {"group"}
                   for n in subtree(fetches))

    # -- scopes -----------------------------------------------------------------------------------------
    def training_scopes(self) -> set[ast.AST | None]:
        """Functions (None: the module's top level) that train, directly or through functions they call."""
        if self._training_scopes is None:
            model = self.model
            direct = {model.scope(c) for c in model.calls if last_name(c.func) in TRAIN_BUILDERS}
            direct |= {model.scope(call) for call, fetches, _ in self.runs if self.train_like(fetches)}
            found = model.functions_calling(lambda c: False, direct - {None})
            found |= direct
            if any(model.scope(c) is None and any(f in found for f in model.callees(c)) for c in model.calls):
                found.add(None)
            self._training_scopes = found
        return self._training_scopes

    def export_only_scopes(self) -> dict[ast.AST | None, ast.Call]:
        """Scopes that export and never train -> their first export call."""
        found: dict[ast.AST | None, ast.Call] = {}
        for call in self.exports:
            scope = self.model.scope(call)
            if scope not in self.training_scopes():
                found.setdefault(scope, call)
        return found

    def scope_name(self, scope: ast.AST | None) -> str:
        if scope is None:
            return "the module's top level"
        return f"{getattr(scope, 'name', 'lambda')}()"

    def enclosing_names(self, node: ast.AST) -> Iterator[str]:
        """Names of the functions around `node`, innermost first."""
        for parent, _ in self.model.ancestors(node):
            if isinstance(parent, FUNCTION_NODES) and not isinstance(parent, ast.Lambda):
                yield parent.name

