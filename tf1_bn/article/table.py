"""The article's 8-experiment table, rerun and printed beside the article's numbers, with verdicts.

Verdict of a row, from the two TEST accuracies (without BN a, with BN b):

- "both fail"  both below FAIL_BELOW (50 %: fewer than half the digits right);
- "BN rescues" a fails, b does not;       "BN breaks" the reverse;
- "tie"        |b − a| ≤ TIE_WITHIN (one percentage point);
- "BN better" / "BN worse" otherwise.

Why one point: the article reports one run per network, and the runs it calls close (models 1 and 4)
differ by 0.2-0.6 points, within what a different seed changes; a fixed margin also judges the article
(10,000 test images) and a rerun on the embedded subset (1,000) by the same yardstick. The same rule
applied to the article's numbers gives the "article" verdict column.
"""

from __future__ import annotations

import csv
import os
import pathlib
import time
from typing import Any, Callable, Iterable, Sequence

from tf1_bn._files import atomic_write
from tf1_bn.article.experiment import ArticleRow, Configuration, PairResult, article_table, check_mode, run_pairs
from tf1_bn.article.plots import plot_grid, plot_training_accuracies

FAIL_BELOW = 0.5
TIE_WITHIN = 0.01
CSV_HEADER = ["model", "weight_scale", "learning_rate", "activation",
              "val_acc_without_bn", "test_acc_without_bn", "val_acc_with_bn", "test_acc_with_bn"]


def verdict(without_bn: float, with_bn: float) -> str:
    """The row's verdict (see the module docstring)."""
    if without_bn < FAIL_BELOW and with_bn < FAIL_BELOW:
        return "both fail"
    if without_bn < FAIL_BELOW:
        return "BN rescues"
    if with_bn < FAIL_BELOW:
        return "BN breaks"
    if abs(with_bn - without_bn) <= TIE_WITHIN + 1e-9:
        return "tie"
    return "BN better" if with_bn > without_bn else "BN worse"


def parse_only(text: str | None) -> list[int]:
    """The model numbers in `only` ("1,3,8" → [1, 3, 8]; None → all 8), as the CLI's --only gives them."""
    if text is None:
        return list(range(1, 9))
    try:
        rows = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise ValueError(f"`only` takes model numbers 1-8 separated by commas; received {text!r}") from None
    if not rows or any(not 1 <= r <= 8 for r in rows):
        raise ValueError(f"`only` takes model numbers 1-8 separated by commas; received {text!r}")
    return rows


def _percent(value: float) -> str:
    return f"{100 * value:6.2f}%"


def format_table(results: Sequence[PairResult], article: dict[int, ArticleRow]) -> str:
    """Our test accuracies beside the article's, a verdict each, and whether the verdicts agree."""
    header = (f"{'model':<6}{'weights':>8}{'lr':>6} {'act.':<8}| {'article: no BN':>14}{'BN':>9} {'verdict':<11}"
              f"| {'ours: no BN':>11}{'BN':>9} {'verdict':<11}| match")
    lines = [header, "-" * len(header)]
    for pair in results:
        c, row = pair.configuration, article.get(pair.configuration.model)
        ours = verdict(pair.without_bn.test_acc, pair.with_bn.test_acc)
        theirs = verdict(row.test_acc_without_bn, row.test_acc_with_bn) if row else "-"
        notes = [label for label, run in (("no-BN run diverged", pair.without_bn), ("BN run diverged", pair.with_bn)) if run.diverged]
        article_cells = f"{_percent(row.test_acc_without_bn):>14}{_percent(row.test_acc_with_bn):>9}" if row else f"{'-':>14}{'-':>9}"
        lines.append(
            f"{c.model:<6}{c.weight_scale:>8g}{c.learning_rate:>6g} {c.activation:<8}| {article_cells} {theirs:<11}"
            f"| {_percent(pair.without_bn.test_acc):>11}{_percent(pair.with_bn.test_acc):>9} {ours:<11}"
            f"| {'yes' if ours == theirs else 'NO'}" + (f"  ({', '.join(notes)})" if notes else "")
        )
    return "\n".join(lines)


def write_csv(results: Iterable[PairResult], path: str | os.PathLike) -> None:
    """results.csv with exactly the article table's header (accuracies as fractions, 4 decimals)."""
    with atomic_write(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        for pair in results:
            c = pair.configuration
            writer.writerow([c.model, f"{c.weight_scale:g}", f"{c.learning_rate:g}", c.activation,
                             *(f"{v:.4f}" for v in (pair.without_bn.val_acc, pair.without_bn.test_acc,
                                                    pair.with_bn.val_acc, pair.with_bn.test_acc))])


def _title(c: Configuration) -> str:
    return f"Model {c.model}: w~N(0,{c.weight_scale:g}²), lr {c.learning_rate:g}, {c.activation}"


def run_table(
    *, steps: int, validate_every: int, seed: int, data_factory: Callable[[], Any], bn: str = "layers",
    only: Sequence[int] = tuple(range(1, 9)), out_dir: str | os.PathLike = "tf1_bn_results", mode: str = "batched",
    inference_stats: str = "ema", progress: bool = True, echo: Callable[[str], None] = print,
) -> list[PairResult]:
    """Train every selected configuration without and with BN, write CSV and PNGs, print the table.

    `mode`: "batched" (default: all networks together, `tf1_bn.article.batched_loop`), "solo" (one at a
    time, the fast in-graph loop) or "faithful" (one at a time, the article's feed_dict loop); the batched
    mode trains solo with a BN backend other than "layers" (`experiment.check_mode`), with a note (`run_pairs`).
    """
    if steps <= 0 or validate_every <= 0:
        raise ValueError(f"`steps` and `validate_every` must be positive; received {steps} and {validate_every}")
    runs = check_mode(mode, bn)  # what trains; run_pairs notes a change
    out = pathlib.Path(out_dir)
    article = {row.configuration.model: row for row in article_table()}
    configurations = [article[model].configuration for model in only]
    for configuration in configurations:
        echo(f"{configuration}")
    start = time.perf_counter()
    trained = run_pairs(configurations, steps, validate_every, data_factory=data_factory, seed=seed, bn=bn, mode=mode,
                        inference_stats=inference_stats, progress=progress, echo=echo)
    training_seconds = time.perf_counter() - start
    results, panels = [], []
    for without_bn, with_bn, pair in trained:
        configuration = pair.configuration
        results.append(pair)
        plot_training_accuracies(without_bn, with_bn, batches_per_validate_data=validate_every,
                                 path=out / f"model_{configuration.model}.png", title=_title(configuration))
        panels.append((_title(configuration), [(n.name, n.training_accuracies) for n in (without_bn, with_bn)]))
    test_size = data_factory().test.num_examples
    write_csv(results, out / "results.csv")
    plot_grid(panels, validate_every, out / "all_models.png")
    echo("")
    echo(format_table(results, article))
    configurations = f"{len(results)} configuration{'s' * (len(results) != 1)}"
    echo(f"\n{configurations} x 2 networks, {steps} steps each, trained {runs} in {training_seconds:.0f} s "
         f"({time.perf_counter() - start:.0f} s with plots); "
         f"BN inference statistics: {'population (Algorithm 2)' if inference_stats == 'population' else 'moving averages'}; "
         f"verdicts on {test_size} test images. Wrote {out / 'results.csv'}, {out / 'all_models.png'} and model_N.png.")
    return results
