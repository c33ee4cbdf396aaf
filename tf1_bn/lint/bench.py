"""How fast `tf1-bn lint` is next to bare parsing: files/s, and the ratio to `ast.parse` of the same files.

    python -m tf1_bn.lint.bench                   # the installed tensorflow (else numpy) sources
    python -m tf1_bn.lint.bench DIR [DIR ...]     # any trees
    python -m tf1_bn.lint.bench --generate 2000   # a generated tree of TF1 scripts (in a temporary folder)

Both sides read every file from disk; the bare side is ``ast.parse(bytes)``, the lint side is what
`tf1-bn lint` does per file (decode, parse, checks, `# noqa`, per-file codes; no output). Repeats alternate
the two (the page cache is warm for both after an untimed first pass) and the best of each is kept; the
times are the process's CPU time, so that other processes on the machine disturb them less (wall-clock times
are printed too). The goal (issue 15): the lint takes at most 1.5 times bare parsing.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import pathlib
import sys
import tempfile
import time
from typing import Callable, Sequence

from tf1_bn.lint.config import ConfigFinder
from tf1_bn.lint.files import folder_files, lint_file
from tf1_bn.lint.findings import LintError

_TEMPLATE = '''import tensorflow as tf

is_training = tf.placeholder(tf.bool, name="is_training")
x = tf.placeholder(tf.float32, [None, 784])


def layer_{i}(h, units):
    h = tf.layers.dense(h, units, use_bias=False)
    h = tf.layers.batch_normalization(h, training=is_training)
    return tf.nn.relu(h)


h = layer_{i}(x, 100)
logits = tf.layers.dense(h, 10)
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
{train}
saver = tf.train.Saver({var_list})
for step in range(1000):
    sess.run(train_op, feed_dict={{x: batch_x, y: batch_y, is_training: True}})
accuracy = sess.run(acc, feed_dict={{x: test_x, y: test_y, is_training: {mode}}})
'''


def generate(folder: pathlib.Path, count: int) -> pathlib.Path:
    """Write `count` small TF1 training scripts (a quarter with a bug) plus plain modules to `folder`."""
    for i in range(count):
        sub = folder / f"pkg{i // 100}"
        sub.mkdir(parents=True, exist_ok=True)
        if i % 2:
            (sub / f"util_{i}.py").write_text(f"def helper_{i}(values):\n    return sorted(v * 2 for v in values)\n")
            continue
        buggy = i % 8 == 0
        train = ("train_op = tf.train.AdamOptimizer().minimize(loss)" if buggy else
                 "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n"
                 "    train_op = tf.train.AdamOptimizer().minimize(loss)")
        (sub / f"train_{i}.py").write_text(_TEMPLATE.format(
            i=i, train=train, var_list="tf.trainable_variables()" if buggy else "", mode="True" if buggy else "False"))
    return folder


def default_trees() -> list[pathlib.Path]:
    for package in ("tensorflow", "numpy"):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            return [pathlib.Path(next(iter(spec.submodule_search_locations)))]
    raise ValueError("neither tensorflow nor numpy is installed: give a folder, or --generate N")


def _bare(files: list[pathlib.Path]) -> int:
    for path in files:
        with open(path, "rb") as handle:
            try:
                ast.parse(handle.read())
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass
    return 0


def _lint(files: list[pathlib.Path]) -> int:
    configs, found = ConfigFinder(), 0
    for path in files:
        try:
            codes = configs.for_file(path).codes_for(path)
            found += sum(f.code in codes for f in lint_file(path))
        except (LintError, FileNotFoundError):
            pass
    return found


def _timed(function: Callable[[list[pathlib.Path]], int], files: list[pathlib.Path]) -> tuple[float, float, int]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = function(files)
    return time.process_time() - cpu, time.perf_counter() - wall, result


def measure(files: list[pathlib.Path], repeats: int = 3) -> dict:
    """Best CPU (and wall) seconds of bare parsing and of the lint, alternated `repeats` times."""
    _bare(files)
    _lint(files)  # warm-up: page cache, imports
    bare, lint, findings = [], [], 0
    for _ in range(repeats):
        bare.append(_timed(_bare, files)[:2])
        cpu, wall, findings = _timed(_lint, files)
        lint.append((cpu, wall))
    bare_cpu, lint_cpu = min(c for c, _ in bare), min(c for c, _ in lint)
    return {"files": len(files), "bytes": sum(os.path.getsize(f) for f in files), "findings": findings,
            "bare_cpu_s": round(bare_cpu, 3), "lint_cpu_s": round(lint_cpu, 3),
            "bare_wall_s": round(min(w for _, w in bare), 3), "lint_wall_s": round(min(w for _, w in lint), 3),
            "lint_files_per_s": round(len(files) / lint_cpu), "bare_files_per_s": round(len(files) / bare_cpu),
            "ratio": round(lint_cpu / bare_cpu, 2)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tf1_bn.lint.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", metavar="DIR", help="trees to lint (default: installed tensorflow)")
    parser.add_argument("--generate", type=int, metavar="N", help="lint a generated tree of N files instead")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats of each side; the best is kept")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folders = ([generate(pathlib.Path(scratch), args.generate)] if args.generate
                   else [pathlib.Path(f) for f in args.folders] or default_trees())
        files = [f for folder in folders for f in folder_files(folder)]
        if not files:
            print(f"no Python files or notebooks in {', '.join(map(str, folders))}", file=sys.stderr)
            return 2
        result = measure(files, max(1, args.repeats))
    result["trees"] = "generated" if args.generate else [str(f) for f in folders]
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['files']} files ({result['bytes'] / 1e6:.1f} MB) in {', '.join(map(str, folders))}\n"
              f"bare ast.parse: {result['bare_cpu_s']:.2f} s CPU ({result['bare_files_per_s']} files/s)\n"
              f"tf1-bn lint:    {result['lint_cpu_s']:.2f} s CPU ({result['lint_files_per_s']} files/s), "
              f"{result['findings']} findings\n"
              f"ratio lint / parse: {result['ratio']:.2f} (goal <= 1.5); wall clock {result['lint_wall_s']:.2f} s "
              f"vs {result['bare_wall_s']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
