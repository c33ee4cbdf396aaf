"""BN006 to BN009 for one file: where the moving statistics and the training flag end up — in the
checkpoint (BN006), in the layer (BN007), in an export (BN008), at evaluation (BN009).

Each check lives in its own module; this one only decides which can fire, from cheap facts (a Saver call,
an export call, a run feeding a training flag True), before the file's data flow is built for them.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterator

from tf1_bn.lint._checks_export import export_path_feeds, exported_training_branch
from tf1_bn.lint._checks_modes import evaluation_feeds, omitted_training
from tf1_bn.lint._checks_saving import unsaved_statistics
from tf1_bn.lint._flags import Flags, run_parts
from tf1_bn.lint._names import last_name
from tf1_bn.lint._runs import EXPORTS, Runs

if TYPE_CHECKING:
    from tf1_bn.lint._checks import Checker

Raw = tuple[ast.AST, str, str]


def state_checks(checker: Checker) -> Iterator[Raw]:
    """BN006 (Saver without the statistics), BN007 (flag not passed to a layer), BN008 (export in training
    mode), BN009 (flag fed True at evaluation)."""
    calls, sites = checker.calls, checker.sites
    if sites:
        yield from unsaved_statistics(checker.names, sites, calls)
    flags = Flags(checker.names, sites)
    if any(s.family == "layers" and s.mode is None for s in sites) and flags.placeholders:
        yield from omitted_training(sites, flags, checker.model)
    exports = any(last_name(c.func) in EXPORTS for c in calls)
    fed_runs = any(flags.fed_true(parts[1]) for parts in map(run_parts, calls) if parts is not None)
    if not (exports or fed_runs):
        return
    runs = Runs(checker.model, checker.train_handles())
    yield from exported_training_branch(sites, flags, runs)
    if fed_runs:
        reported = {call for call, _, _ in export_path_feeds(flags, runs)} if runs.exports else set()
        yield from evaluation_feeds(runs, flags, reported)
