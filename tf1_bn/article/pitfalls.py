"""The pitfall lab: the classic ways TF1 batch normalization goes wrong, each measured.

Every row trains the article's network on the article's model-8 setting (weights N(0, 10²), sigmoid,
learning rate 2 — BN's inputs are far from the initial 0/1 statistics, so mistakes show) and reports the
inference accuracy (is_training=False, moving statistics) beside the training-mode accuracy (batch
statistics), what the graph guard says about the row's real train op, and what the lint says about the
row's TF1 code pattern (`Pitfall.snippet`). Each experiment takes a few seconds on 2 cores.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import numpy as np
import tensorflow as tf

from tf1_bn import guard
from tf1_bn.article.experiment import article_weights
from tf1_bn.article.network import NeuralNetwork

STEPS, FEW_STEPS, LEARNING_RATE = 1000, 60, 2.0


@dataclasses.dataclass(frozen=True)
class Pitfall:
    key: str
    title: str
    wrong: str  # what went wrong
    fix: str  # the one-line fix
    snippet: str  # the TF1 pattern, as the lint sees it


@dataclasses.dataclass
class Measurement:
    pitfall: Pitfall
    inference: float
    training_mode: float
    effect: str
    guard: str
    lint: str


_HEAD = "import tensorflow as tf\nh = tf.layers.batch_normalization(x, training=is_training)\n"
PITFALLS = [
    Pitfall("correct", "correct wiring (seed 000)", "nothing: the reference row",
            "-", _HEAD + "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n"
            "    train_op = tf.train.GradientDescentOptimizer(2.0).minimize(loss)\n"),
    Pitfall("omitted", "update ops omitted", "moving mean/variance never leave 0/1",
            "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)): train_op = ...minimize(loss)",
            _HEAD + "train_op = tf.train.GradientDescentOptimizer(2.0).minimize(loss)\n"),
    Pitfall("through_loss", "attached only through the loss",
            "updates hang on tf.identity(loss), which the gradients never read",
            "put minimize() itself inside the control_dependencies block",
            _HEAD + "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n"
            "    loss = tf.identity(loss)\ntrain_op = tf.train.GradientDescentOptimizer(2.0).minimize(loss)\n"),
    Pitfall("collected_early", "UPDATE_OPS collected before the layers exist", "the collection was still empty",
            "read tf.get_collection(UPDATE_OPS) after building the network",
            "import tensorflow as tf\nupdate_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n"
            "h = tf.layers.batch_normalization(x, training=is_training)\nwith tf.control_dependencies(update_ops):\n"
            "    train_op = tf.train.GradientDescentOptimizer(2.0).minimize(loss)\n"),
    Pitfall("batch_of_one", "is_training=True at inference, batch size 1",
            "a batch of one has x − μ_B = 0: every input gives the same output",
            "feed is_training=False at inference",
            "import tensorflow as tf\nh = tf.layers.batch_normalization(x, training=True)\n"
            "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n"
            "    train_op = tf.train.GradientDescentOptimizer(2.0).minimize(loss)\n"),
    Pitfall("few_steps", f"momentum 0.99, only {FEW_STEPS} steps",
            f"the moving statistics still carry 0.99^{FEW_STEPS} ≈ {0.99 ** FEW_STEPS:.0%} of their start values 0 and 1",
            "train longer, lower the momentum, or recompute population statistics (tf1_bn.article.population)",
            _HEAD + "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n"
            "    train_op = tf.train.GradientDescentOptimizer(2.0).minimize(loss)\n"),
    Pitfall("population", f"{FEW_STEPS} steps, then population statistics",
            "nothing: the fix for the row above, the paper's Algorithm 2 (μ = E[μ_B], σ² = m/(m−1)·E[σ²_B])",
            "tf1_bn.article.population.recompute(sess, network, train_images) before inference",
            _HEAD + "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n"
            "    train_op = tf.train.GradientDescentOptimizer(2.0).minimize(loss)\n"),
    Pitfall("ema_decay_half", "EMA decay 0.5 (seed 003)",
            "inference statistics follow the last two or three batches only",
            "ExponentialMovingAverage(decay=0.99) or higher",
            "import tensorflow as tf\nmean, var = tf.nn.moments(x, [0])\nema = tf.train.ExponentialMovingAverage(decay=0.5)\n"
            "train_op = tf.train.GradientDescentOptimizer(2.0).minimize(loss)\n"),
]


def _lint_verdict(snippet: str) -> str:
    from tf1_bn import lint

    findings = lint.lint_source(snippet, "<pitfall>")
    return ", ".join(sorted({f.code for f in findings})) or "clean"


def _guard_verdict(train_op: Any) -> str:
    missing = guard.find_unattached_update_ops(train_op)
    return f"{len(missing)} update ops not run" if missing else "attached"


def _feed(network: NeuralNetwork, labels: tf.Tensor, images: np.ndarray, one_hot: np.ndarray, training: bool) -> dict:
    return {network.input_layer: images, labels: one_hot, network.is_training: training}


def _run(pitfall: Pitfall, data_factory: Callable[[], Any], seed: int) -> Measurement:
    data = data_factory()
    momentum = 0.5 if pitfall.key == "ema_decay_half" else 0.99
    bn = "moments_ema" if pitfall.key == "ema_decay_half" else "layers"
    steps = FEW_STEPS if pitfall.key in ("few_steps", "population") else STEPS
    with tf.Graph().as_default():
        early = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)  # empty: nothing built yet
        network = NeuralNetwork(article_weights(10.0, seed), tf.nn.sigmoid, True, bn=bn, momentum=momentum)
        labels, loss, accuracy = network.evaluation_ops()
        optimizer = tf.compat.v1.train.GradientDescentOptimizer(LEARNING_RATE)
        if pitfall.key == "omitted":
            train_op = optimizer.minimize(loss)
        elif pitfall.key == "through_loss":
            with tf.control_dependencies(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):
                loss = tf.identity(loss)
            train_op = optimizer.minimize(loss)
        elif pitfall.key == "collected_early":
            with tf.control_dependencies(early):
                train_op = optimizer.minimize(loss)
        else:
            train_op = network.train_step(LEARNING_RATE)
        test = (data.test.images, data.test.labels)
        inference_history = []
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for step in range(steps):
                images, one_hot = data.train.next_batch(60)
                sess.run(train_op, _feed(network, labels, images, one_hot, True))
                if pitfall.key == "ema_decay_half" and step >= steps - 20:
                    inference_history.append(sess.run(accuracy, _feed(network, labels, *test, False)))
            if pitfall.key == "population":
                from tf1_bn.article.population import recompute

                recompute(sess, network, data.train.images)
            inference = float(sess.run(accuracy, _feed(network, labels, *test, False)))
            training_mode = float(sess.run(accuracy, _feed(network, labels, *test, True)))
            effect = f"inference {inference:.1%} vs training mode {training_mode:.1%}"
            if pitfall.key == "batch_of_one":
                logits = [sess.run(network.output_layer, {network.input_layer: image[None], network.is_training: True})
                          for image in data.test.images[:300]]
                predictions = np.argmax(np.concatenate(logits), axis=1)
                inference = float(np.mean(predictions == np.argmax(data.test.labels[:300], axis=1)))
                effect = (f"one image at a time: {inference:.1%}, {len(set(predictions))} distinct class(es) "
                          f"predicted for 300 images")
            if inference_history:
                effect = (f"inference {min(inference_history):.1%}-{max(inference_history):.1%} over the last 20 "
                          f"steps; training mode {training_mode:.1%}")
        guard_verdict = _guard_verdict(train_op)
    return Measurement(pitfall, inference, training_mode, effect, guard_verdict, _lint_verdict(pitfall.snippet))


def check_only(only: list[str] | None) -> None:
    """`only`: None (every pitfall) or a non-empty list of pitfall keys."""
    known = [p.key for p in PITFALLS]
    if only is not None and (not only or set(only) - set(known)):
        raise ValueError(f"`only` takes pitfall keys from {', '.join(known)}; received {','.join(only) or '(none)'}")


def run_pitfalls(data_factory: Callable[[], Any], seed: int = 0, only: list[str] | None = None,
                 echo: Callable[[str], None] = print) -> list[Measurement]:
    """Run each pitfall (or those in `only`) and return the measurements."""
    check_only(only)
    results = []
    for pitfall in PITFALLS:
        if only is None or pitfall.key in only:
            echo(f"{pitfall.title} ...")
            results.append(_run(pitfall, data_factory, seed))
    return results


def format_results(results: list[Measurement]) -> str:
    lines = [f"{'pitfall':<46}{'inference':>10}{'train mode':>11}  {'guard':<24}{'lint':<14}"]
    lines.append("-" * len(lines[0]))
    for r in results:
        lines.append(f"{r.pitfall.title:<46}{r.inference:>10.1%}{r.training_mode:>11.1%}  {r.guard:<24}{r.lint:<14}")
    lines.append("")
    for r in results:
        lines.append(f"* {r.pitfall.title}: {r.pitfall.wrong}.\n    measured: {r.effect}\n    fix: {r.pitfall.fix}")
    return "\n".join(lines)


def plot_results(results: list[Measurement], path: str) -> None:
    from matplotlib.figure import Figure

    from tf1_bn.article.plots import save_png

    figure = Figure(figsize=(9, 0.55 * len(results) + 1.7))
    ax = figure.add_subplot()
    rows = np.arange(len(results))[::-1]
    ax.barh(rows + 0.18, [r.inference for r in results], height=0.36, label="inference (is_training=False)")
    ax.barh(rows - 0.18, [r.training_mode for r in results], height=0.36, label="training mode (batch statistics)")
    ax.set_yticks(rows)
    ax.set_yticklabels([r.pitfall.title for r in results], fontsize="small")
    ax.set_xlim(0, 1)
    ax.set_xlabel("test accuracy")
    # Below the plot, not over the bars (the last rows' bars reach the right edge).
    figure.legend(loc="lower center", ncol=2, fontsize="small", frameon=False)
    ax.set_title("Batch-normalization pitfalls (weights N(0,10²), sigmoid, lr 2)", fontsize="medium")
    figure.tight_layout(rect=(0, 0.45 / figure.get_figheight(), 1, 1))
    save_png(figure, path)
