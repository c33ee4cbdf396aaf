"""The article's experiment (seed 002, 实战板块 2): one configuration, trained with and without BN.

Eight configurations cross three choices — initial weights N(0, 0.05²) or N(0, 10²), learning rate
0.01 or 2, ReLU or sigmoid — on a 784-128-128-128-10 network, 50,000 batches of 60, validating every
500. The article's numbers ship with the package (`data/article_table.csv`, from
../shared/reference/article_table.csv).

Differences from the article's `train_and_test`, on purpose: both networks of a pair start from the
SAME weight matrices (the article drew them once too) and see the SAME batches in the same order
(the article's two networks drew consecutive batches from one shared `mnist`); the seed makes a run
reproducible.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib.resources
import time
from typing import Any, Callable, Sequence

import numpy as np
import tensorflow as tf
import tqdm

from tf1_bn.article.network import NeuralNetwork

LAYER_SIZES = (784, 128, 128, 128, 10)
ACTIVATIONS: dict[str, Callable[[tf.Tensor], tf.Tensor]] = {"relu": tf.nn.relu, "sigmoid": tf.nn.sigmoid}
SMALL_WEIGHTS, LARGE_WEIGHTS = 0.05, 10.0


@dataclasses.dataclass(frozen=True)
class Configuration:
    """One row of the article's table."""

    model: int
    weight_scale: float
    learning_rate: float
    activation: str

    def __str__(self) -> str:
        return f"#{self.model}: weights N(0,{self.weight_scale:g}²), lr {self.learning_rate:g}, {self.activation}"


@dataclasses.dataclass(frozen=True)
class ArticleRow:
    configuration: Configuration
    val_acc_without_bn: float
    test_acc_without_bn: float
    val_acc_with_bn: float
    test_acc_with_bn: float


def article_table() -> list[ArticleRow]:
    """The article's 8 rows (accuracies as fractions)."""
    text = importlib.resources.files("tf1_bn.article").joinpath("data/article_table.csv").read_text()
    rows = []
    for record in csv.DictReader(text.splitlines()):
        configuration = Configuration(
            int(record["model"]), float(record["weight_scale"]), float(record["learning_rate"]), record["activation"]
        )
        rows.append(ArticleRow(configuration, *(float(record[k]) for k in list(record)[4:])))
    return rows


def configuration(weights: str, learning_rate: float, activation: str) -> Configuration:
    """The configuration for `tf1-bn compare`: weights "small" (0.05) or "large" (10)."""
    scales = {"small": SMALL_WEIGHTS, "large": LARGE_WEIGHTS}
    if weights not in scales:
        raise ValueError(f"`weights` must be 'small' or 'large'; received {weights!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"`activation` must be one of {sorted(ACTIVATIONS)}; received {activation!r}")
    if not learning_rate > 0:
        raise ValueError(f"`learning_rate` must be positive; received {learning_rate!r}")
    for row in article_table():
        c = row.configuration
        if (c.weight_scale, c.learning_rate, c.activation) == (scales[weights], learning_rate, activation):
            return c
    return Configuration(0, scales[weights], learning_rate, activation)


def article_weights(weight_scale: float, seed: int | None = None) -> list[np.ndarray]:
    """784x128, 128x128, 128x128, 128x10 matrices drawn from N(0, weight_scale²), float32."""
    rng = np.random.default_rng(seed)
    return [
        rng.normal(scale=weight_scale, size=(n_in, n_out)).astype(np.float32)
        for n_in, n_out in zip(LAYER_SIZES, LAYER_SIZES[1:])
    ]


@dataclasses.dataclass
class RunResult:
    """One trained network: final accuracies, the validation curve, divergence, and its speed."""

    val_acc: float
    test_acc: float
    diverged: bool
    accuracies: list[float]
    steps_per_second: float


@dataclasses.dataclass
class PairResult:
    configuration: Configuration
    without_bn: RunResult
    with_bn: RunResult


def run_pair(
    configuration: Configuration,
    training_batches: int,
    batches_per_validate_data: int,
    *,
    data_factory: Callable[[], Any],
    seed: int | None = None,
    bn: str = "layers",
    fast: bool = False,
    inference_stats: str = "ema",
    progress: bool = True,
    verbose: bool = False,
    bar: Any = None,
) -> tuple[NeuralNetwork, NeuralNetwork, PairResult]:
    """Train and test a network without BN and one with BN from the same initial weights.

    Both live in one graph and session, as in the article; `data_factory()` gives each its own
    `Datasets` with the same shuffling seed, so both see the same batches. `fast` selects the
    in-graph training loop (`NeuralNetwork.train(fast=True)`), same math, fewer Python round trips.
    `inference_stats="population"` replaces the BN network's moving averages, after training, by the
    paper's population statistics over the training set (`tf1_bn.article.population.recompute`) before the
    final validation and test. A `bar` (tqdm) is advanced by both trainings instead of one bar each.
    """
    _check_inference_stats(inference_stats)
    weights = article_weights(configuration.weight_scale, seed)
    activation_fn = ACTIVATIONS[configuration.activation]
    results, networks = [], []
    with tf.Graph().as_default():
        for use_batch_norm in (False, True):
            networks.append(NeuralNetwork(weights, activation_fn, use_batch_norm, bn=bn))
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for network in networks:
                data = data_factory()
                start = time.perf_counter()
                val_acc = network.train(sess, configuration.learning_rate, training_batches, batches_per_validate_data,
                                        data=data, fast=fast, progress=progress, verbose=verbose, bar=bar)
                seconds = time.perf_counter() - start
                if inference_stats == "population" and network.use_batch_norm:
                    from tf1_bn.article.population import recompute

                    recompute(sess, network, data.train.images)
                    val_acc = network.evaluate(sess, data.validation.images, data.validation.labels)
                test_acc = network.test(sess, data=data, verbose=verbose)
                results.append(RunResult(val_acc, test_acc, network.diverged, list(network.training_accuracies),
                                         training_batches / seconds))
    return networks[0], networks[1], PairResult(configuration, *results)


MODES = ("batched", "solo", "faithful")  # all networks in one graph; one at a time in-graph; the article's loop


def _check_inference_stats(inference_stats: str) -> None:
    if inference_stats not in ("ema", "population"):
        raise ValueError(f"`inference_stats` must be 'ema' or 'population'; received {inference_stats!r}")


def check_mode(mode: str, bn: str) -> str:
    """The training path that runs: `mode`, except "batched" with a BN backend other than "layers",
    which trains "solo" (the batched path keeps the "layers" statistics only)."""
    if mode not in MODES:
        raise ValueError(f"`mode` must be one of {', '.join(MODES)}; received {mode!r}")
    return "solo" if mode == "batched" and bn != "layers" else mode


def run_pairs(
    configurations: Sequence[Configuration], training_batches: int, batches_per_validate_data: int, *,
    data_factory: Callable[[], Any], seed: int | None = None, bn: str = "layers", mode: str = "batched",
    inference_stats: str = "ema", progress: bool = True, echo: Callable[[str], None] = print,
) -> list[tuple[Any, Any, PairResult]]:
    """`run_pair` for every configuration, as (without BN, with BN, result) each, with ONE progress bar.

    mode "solo" and "faithful": one `run_pair` after another (the fast loop, or the article's feed_dict
    loop). "batched": all 2·len(configurations) networks trained together (`tf1_bn.article.batched_loop`)
    from the same weights and on the same batches as run_pair gives them; the networks returned are
    `TrainedNetwork`s (what the plots read: `name`, `training_accuracies`). `check_mode` says which runs.
    """
    _check_inference_stats(inference_stats)
    requested, mode = mode, check_mode(mode, bn)
    if mode != requested:
        echo(f"note: bn={bn!r} trains the networks one at a time (the batched path keeps the 'layers' statistics only)")
    networks = 2 * len(configurations)
    total = training_batches if mode == "batched" else networks * training_batches
    desc = f"{networks} networks ({mode})"
    with tqdm.tqdm(total=total, desc=desc, disable=not progress, mininterval=0.5) as bar:
        if mode != "batched":
            return [run_pair(c, training_batches, batches_per_validate_data, data_factory=data_factory, seed=seed, bn=bn,
                             fast=mode == "solo", inference_stats=inference_stats, progress=progress, bar=bar)
                    for c in configurations]
        return _run_pairs_batched(configurations, training_batches, batches_per_validate_data, data_factory, seed,
                                  inference_stats, bar)


def _run_pairs_batched(configurations: Sequence[Configuration], training_batches: int, batches_per_validate_data: int,
                       data_factory: Callable[[], Any], seed: int | None, inference_stats: str,
                       bar: Any) -> list[tuple[Any, Any, PairResult]]:
    from tf1_bn.article.batched_loop import train_batched
    from tf1_bn.article.stacked import NetworkSpec

    specs = []
    for c in configurations:
        weights = article_weights(c.weight_scale, seed)  # one draw per pair, as run_pair
        specs += [NetworkSpec(weights, ACTIVATIONS[c.activation], use_bn, c.learning_rate) for use_bn in (False, True)]
    data = data_factory()  # one stream: every data_factory() gives the same batch order (the CLI's contract)
    run = train_batched(specs, [data] * len(specs), training_batches, batches_per_validate_data, bar=bar)
    rate = training_batches / run.seconds
    results = []
    for i, c in enumerate(configurations):
        pair = []
        for trained in run.networks[2 * i: 2 * i + 2]:
            val_acc, test_acc = trained.val_acc, trained.test_acc
            if inference_stats == "population" and trained.spec.use_batch_norm:
                val_acc, test_acc = _population_accuracies(trained, data)
            pair.append(RunResult(val_acc, test_acc, trained.diverged, list(trained.training_accuracies), rate))
        results.append((run.networks[2 * i], run.networks[2 * i + 1], PairResult(c, *pair)))
    return results


def _population_accuracies(trained: Any, data: Any) -> tuple[float, float]:
    """(validation, test) accuracy of a batched network's trained variables in a NeuralNetwork of its
    own, with population statistics (Algorithm 2) over `data.train` — what run_pair does after training."""
    from tf1_bn.article.population import recompute
    from tf1_bn.article.stacked import load_values

    spec = trained.spec
    with tf.Graph().as_default():
        network = NeuralNetwork(spec.initial_weights, spec.activation_fn, spec.use_batch_norm, momentum=spec.momentum)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            load_values(network, sess, trained.values)
            recompute(sess, network, data.train.images)
            return (network.evaluate(sess, data.validation.images, data.validation.labels),
                    network.test(sess, data=data, verbose=False))


def train_and_test(
    use_bad_weights: bool,
    learning_rate: float,
    activation_fn: Callable[[tf.Tensor], tf.Tensor],
    training_batches: int = 50000,
    batches_per_validate_data: int = 500,
    *,
    data_factory: Callable[[], Any] | None = None,
    seed: int | None = None,
    bn: str = "layers",
    plot_path: str | None = None,
) -> PairResult:
    """The article's helper: weights N(0, 10²) if `use_bad_weights` else N(0, 0.05²); train and test
    both networks, printing as the article did, and plot their validation curves to `plot_path`."""
    activation = next((name for name, fn in ACTIVATIONS.items() if fn is activation_fn), None)
    if activation is None:
        raise ValueError(f"`activation_fn` must be tf.nn.relu or tf.nn.sigmoid; received {activation_fn!r}")
    if data_factory is None:
        from tf1_bn.article.network import default_mnist

        data_factory = default_mnist
    scale = LARGE_WEIGHTS if use_bad_weights else SMALL_WEIGHTS
    without_bn, with_bn, pair = run_pair(
        Configuration(0, scale, learning_rate, activation), training_batches, batches_per_validate_data,
        data_factory=data_factory, seed=seed, bn=bn, verbose=True,
    )
    if plot_path:
        from tf1_bn.article.plots import plot_training_accuracies

        plot_training_accuracies(without_bn, with_bn, batches_per_validate_data=batches_per_validate_data, path=plot_path)
    return pair
