"""The capstone's figures: digit images, learning curves, the confusion matrix, mistakes.

Every function takes numbers already computed by ``bpnotes.capstone`` and returns a
:class:`~bpnotes.plots.style.BookFigure`; nothing here trains or differentiates.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from ..capstone import IMAGE_SHAPE, DigitsRun
from .style import COLORS, LINESTYLES, MARKERS, MIN_FONT, TEXT_WIDTH, finish_axes, new_figure

__all__ = ["plot_confusion", "plot_curves", "plot_digit_grid", "plot_misclassified"]


def _show_digit(ax, pixels: np.ndarray, title: str, color: str = "black") -> None:
    ax.imshow(pixels.reshape(IMAGE_SHAPE), cmap="gray_r", vmin=0.0, vmax=1.0,
              interpolation="nearest")
    ax.set_title(title, fontsize=MIN_FONT, color=color)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_digit_grid(X: np.ndarray, y: np.ndarray, per_class: int = 3) -> Figure:
    """The first ``per_class`` images of each class 0..9, one column per class.

    The figure is as tall as its square images need (a tenth of the text column each,
    titles on the first row only), so no empty band separates the rows.
    """
    fig = new_figure(TEXT_WIDTH, 0.66 * per_class + 0.3)
    axes = fig.subplots(per_class, 10, squeeze=False)
    for digit in range(10):
        examples = np.flatnonzero(y == digit)[:per_class]
        for row, index in enumerate(examples):
            _show_digit(axes[row, digit], X[index], str(digit) if row == 0 else "")
    return fig


def plot_curves(runs: Mapping[str, DigitsRun]) -> Figure:
    """Left: training (solid) and test (dashed) cross-entropy per epoch, log scale.
    Right: test accuracy per epoch. One colour and marker per run.

    The left legend explains the two line styles, the right one names the runs (with
    their final test accuracy), so that neither legend needs six entries.
    """
    fig = new_figure(TEXT_WIDTH, 3.4)
    left, right = fig.subplots(1, 2)
    for i, (name, run) in enumerate(runs.items()):
        color, marker = COLORS[i % len(COLORS)], MARKERS[i % len(MARKERS)]
        every = max(1, run.epochs.size // 8)
        left.semilogy(run.epochs, run.train_loss, color=color, linestyle=LINESTYLES[0],
                      marker=marker, markevery=every, markersize=4)
        left.semilogy(run.epochs, run.test_loss, color=color, linestyle=LINESTYLES[1],
                      marker=marker, markevery=every, markersize=4, fillstyle="none")
        right.plot(run.epochs, 100 * run.test_accuracy, color=color,
                   linestyle=LINESTYLES[i % len(LINESTYLES)], marker=marker, markevery=every,
                   markersize=4, label=f"{name} ({100 * run.test_accuracy[-1]:.1f} %)")
    # Line-style key for the left panel (colours are keyed in the right panel).
    left.plot([], [], color="0.3", linestyle=LINESTYLES[0], label="training set")
    left.plot([], [], color="0.3", linestyle=LINESTYLES[1], label="test set")
    finish_axes(left, title="cross-entropy", xlabel="epoch", ylabel="mean loss (log scale)")
    # Under the panels, where they cover no curve.
    fig.legend(handles=left.get_lines()[-2:], loc="outside lower left", fontsize=MIN_FONT,
               frameon=False)
    finish_axes(right, title="test accuracy", xlabel="epoch", ylabel="accuracy (%)")
    low = min(float(np.min(r.test_accuracy[r.epochs >= 1])) for r in runs.values()) * 100
    right.set_ylim(max(0.0, min(low, 90.0) - 2.0), 100.0)
    fig.legend(handles=right.get_lines(), loc="outside lower right", fontsize=MIN_FONT,
               frameon=False)
    return fig


def plot_confusion(counts: np.ndarray) -> Figure:
    """The confusion matrix as a shaded grid (log scale of the counts), every count printed."""
    counts = np.asarray(counts)
    k = counts.shape[0]
    fig = new_figure(4.6, 4.2)
    ax = fig.subplots()
    ax.imshow(np.log1p(counts), cmap="Blues", interpolation="nearest")
    threshold = np.log1p(counts).max() / 2
    for i in range(k):
        for j in range(k):
            if counts[i, j]:
                ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=MIN_FONT,
                        color="white" if np.log1p(counts[i, j]) > threshold else "black")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title("test-set confusion matrix")
    return fig


def plot_misclassified(
    X: np.ndarray,
    labels: np.ndarray,
    predictions: np.ndarray,
    probabilities: np.ndarray | None = None,
    limit: int = 16,
    columns: int = 8,
) -> Figure:
    """The first ``limit`` misclassified images, titled "true → predicted" (and confidence)."""
    wrong: np.ndarray = np.flatnonzero(labels != predictions)[:limit]
    rows = max(1, -(-len(wrong) // columns))
    fig = new_figure(TEXT_WIDTH, 1.15 * rows + 0.2)
    axes = fig.subplots(rows, columns, squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, index in zip(axes.flat, wrong, strict=False):
        ax.axis("on")
        title = f"{labels[index]} → {predictions[index]}"
        if probabilities is not None:
            title += f" ({100 * probabilities[index, predictions[index]]:.0f}%)"
        _show_digit(ax, X[index], title, color=COLORS[1])
    if len(wrong) == 0:
        axes[0, 0].set_title("no mistakes")
    return fig
