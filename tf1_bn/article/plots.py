"""The article's validation-accuracy plots, saved as PNG.

Figures are drawn on matplotlib's Agg canvas directly (no pyplot), so nothing here needs a display or
changes matplotlib's global backend; files are written to a temporary name and renamed.
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from tf1_bn._files import atomic_write

COLORS = {"Without Batch Norm": "tab:blue", "With Batch Norm": "tab:orange"}


def _draw_curves(ax: Any, curves: Sequence[tuple[str, Sequence[float]]], batches_per_validate_data: int, title: str) -> None:
    for label, accuracies in curves:
        steps = np.arange(len(accuracies)) * batches_per_validate_data
        ax.plot(steps, accuracies, label=label, color=COLORS.get(label))
    ax.set_xlabel("Training steps")
    ax.set_ylabel("Accuracy")
    ax.set_title(title, fontsize="medium")
    ax.set_ylim(0, 1)
    ax.set_yticks(np.arange(0, 1.1, 0.1))
    ax.grid(True)
    ax.legend(loc="lower right", fontsize="small")


def save_png(figure: Figure, path: str | os.PathLike) -> None:
    FigureCanvasAgg(figure)
    with atomic_write(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=100)


def plot_training_accuracies(
    *networks: Any, batches_per_validate_data: int = 500, path: str | os.PathLike | None = None,
    title: str = "Validation Accuracy During Training",
) -> Figure:
    """The article's plot: validation accuracy against training steps, one line per network
    (anything with `.name` and `.training_accuracies`). Saved as PNG when `path` is given."""
    figure = Figure(figsize=(7, 4.5))
    _draw_curves(figure.add_subplot(), [(n.name, n.training_accuracies) for n in networks], batches_per_validate_data, title)
    figure.tight_layout()
    if path is not None:
        save_png(figure, path)
    return figure


def plot_grid(
    panels: Sequence[tuple[str, Sequence[tuple[str, Sequence[float]]]]], batches_per_validate_data: int,
    path: str | os.PathLike, columns: int = 4,
) -> Figure:
    """All configurations in one figure: `panels` holds (title, [(label, accuracies), ...]) per cell."""
    rows = max(1, -(-len(panels) // columns))
    figure = Figure(figsize=(4.2 * columns, 3.4 * rows))
    for index, (title, curves) in enumerate(panels):
        _draw_curves(figure.add_subplot(rows, columns, index + 1), curves, batches_per_validate_data, title)
    figure.tight_layout()
    save_png(figure, path)
    return figure
