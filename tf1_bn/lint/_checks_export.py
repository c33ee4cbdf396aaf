"""BN008: a graph exported or frozen with the batch-norm training branch (tensorflow/models#6313).

An exported SavedModel or frozen GraphDef serves whatever mode its graph was built or defaulted with. What
is reported, each only in a file that exports (see `_runs.EXPORTS`):

1. at the export call — every batch norm of the file whose mode can be read is built in training mode (a
   literal ``training=True``/``is_training=True``, or a name the file only ever binds to True) and none with
   False (a file building separate training and inference graphs may export the inference one);
2. at the placeholder — the training flag is ``tf.placeholder_with_default(True, ...)``: a served model that
   is not fed the flag runs the training branch;
3. at the value — True mapped to the training flag in an ``input_map=`` (`tf.import_graph_def`), which bakes
   the training branch into the imported graph;
4. at the value — True fed to the training flag by a run in a function (or top level) that exports and never
   trains (see `_runs.Runs.training_scopes`): the export path evaluates the training branch, so whatever it
   checks or records there is not what the exported model computes.

Knowingly missed: a mode set through a function default (``def net(x, is_training=True)``) or an `arg_scope`
value, an export in another file than the network, estimators (their mode comes from `ModeKeys`).
"""

from __future__ import annotations

import ast
from typing import Iterator

from tf1_bn.lint._flags import Flags
from tf1_bn.lint._names import key, last_name
from tf1_bn.lint._runs import Runs
from tf1_bn.lint._sites import Site

Raw = tuple[ast.AST, str, str]

_FIX = "build the exported graph with training=False (or a flag defaulting to False)"


def _what(call: ast.Call) -> str:
    return f"{last_name(call.func)}() at line {call.lineno}"


def _flag_name(flag: ast.AST) -> str:
    if isinstance(flag, ast.Constant):
        return repr(flag.value)
    return key(flag) or "the training flag"


def export_path_feeds(flags: Flags, runs: Runs) -> list[tuple[ast.Call, ast.AST, ast.AST]]:
    """Rule 4's runs: (run, flag key, True value) in scopes that export and never train."""
    found = []
    for scope in runs.export_only_scopes():
        for call, _, feed in runs.runs:
            fed = flags.fed_true(feed) if runs.model.scope(call) is scope else []
            if fed:
                flag, value = fed[0]
                found.append((call, flag, value if isinstance(feed, ast.Dict) else call))
    return found


def exported_training_branch(sites: list[Site], flags: Flags, runs: Runs) -> Iterator[Raw]:
    """BN008 (see the module docstring)."""
    if not runs.exports:
        return
    export = runs.exports[0]
    modes = [flags.bool_value(s.mode) if isinstance(s.mode, ast.AST) else None for s in sites]
    if True in modes and False not in modes:
        site = sites[modes.index(True)]
        for call in runs.exports:
            yield call, "BN008", (
                f"{last_name(call.func)}() exports a graph whose batch norm ({site.label} at line {site.line}) is "
                f"built with {site.mode_name}=True: the exported model normalises every input with its own "
                f"batch's statistics; {_FIX}")
    for placeholder, label, default in flags.placeholders:
        if default is True:
            yield placeholder, "BN008", (
                f"{label or 'the training flag'} defaults to True and the file exports the graph "
                f"({_what(export)}): a served model not fed the flag runs the training branch; use "
                f"tf.placeholder_with_default(False, shape=())")
    for call in runs.model.calls:
        if last_name(call.func) == "import_graph_def":
            mapping = next((k.value for k in call.keywords if k.arg == "input_map"), None)
            for flag, value in flags.fed_true(mapping):
                yield value, "BN008", (
                    f"input_map maps {_flag_name(flag)} to True and the file exports the graph ({_what(export)}): "
                    f"the imported graph is fixed to the training branch; map it to False")
    scopes = runs.export_only_scopes()
    for call, flag, where in export_path_feeds(flags, runs):
        scope = runs.model.scope(call)
        yield where, "BN008", (
            f"{_flag_name(flag)} fed True in {runs.scope_name(scope)}, which exports the graph "
            f"({_what(scopes[scope])}) and never trains: the export path runs the training branch (batch "
            f"statistics), not what the exported model computes; feed {_flag_name(flag)}: False there")
