"""The capstone's data and bookkeeping: 8×8 handwritten digits, trained with :class:`MLP`.

The images are scikit-learn's bundled copy of the UCI optical digits test set
(``sklearn.datasets.load_digits``): 1797 images of 8×8 pixels, each pixel a grey level
0..16. They ship inside the scikit-learn package, so nothing is downloaded.

Everything here is numerics: loading and scaling, a seeded stratified train/test split,
a training loop that records loss and accuracy curves (built on
:func:`bpnotes.descent.gradient_descent`, with optional momentum, eq. (cap-momentum)),
accuracy, the cross-entropy of predicted probabilities, the confusion matrix and the
setbacks of a loss curve. The reference run with scikit-learn's ``MLPClassifier`` lives
here too, so that the chapter's comparison is one function call. Plots are in
``bpnotes.plots.capstone``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
from numpy.typing import ArrayLike

from .descent import batches
from .losses import one_hot
from .mlp import MLP
from .validation import (
    as_float_matrix,
    as_float_vector,
    check_callable,
    check_choice,
    check_class_labels,
    check_nonnegative_int,
    check_nonnegative_number,
    check_positive_int,
    check_positive_number,
    check_same_rows,
    check_seed,
)

__all__ = [
    "CLASSES",
    "IMAGE_SHAPE",
    "RECIPE",
    "DigitsRun",
    "DigitsSplit",
    "EpochRecord",
    "accuracy",
    "confusion_matrix",
    "cross_entropy",
    "load_digits",
    "setbacks",
    "sklearn_digits_run",
    "split_digits",
    "stratified_split",
    "train_digits",
]

#: The ten classes 0..9.
CLASSES = 10
#: Each example is an 8×8 image flattened row by row into 64 inputs.
IMAGE_SHAPE = (8, 8)
#: The largest grey level in the data; dividing by it scales pixels into [0, 1].
MAX_GREY = 16.0


class _Recipe(TypedDict):
    lr: float
    epochs: int
    batch_size: int
    momentum: float
    seed: int


#: The training settings of the chapter's main run (the exercises re-run it with them).
RECIPE: _Recipe = {"lr": 0.05, "epochs": 30, "batch_size": 32, "momentum": 0.9, "seed": 0}


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """All 1797 digits: pixels scaled to [0, 1] with shape (1797, 64), and labels 0..9.

    Row i of the image is inputs ``8 i .. 8 i + 7``; ``X[k].reshape(8, 8)`` is the picture.
    """
    from sklearn.datasets import load_digits as _sklearn_load_digits  # bundled data

    bunch = _sklearn_load_digits()
    X = np.asarray(bunch.data, dtype=np.float64) / MAX_GREY
    return X, np.asarray(bunch.target, dtype=np.int64)


def stratified_split(
    labels: ArrayLike, test_fraction: float = 0.25, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded train and test index arrays, each class split in the same proportion.

    For every class c with n_c examples, ``round(test_fraction · n_c)`` of them (chosen by a
    seeded permutation) go to the test set and the rest to the training set, so both sets
    keep the class balance of the whole. Both index arrays are sorted.
    """
    y = check_class_labels("labels", labels)
    fraction = check_positive_number("test_fraction", test_fraction)
    if fraction >= 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {fraction}")
    rng = np.random.default_rng(check_seed(seed))
    test: list[np.ndarray] = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        test.append(rng.permutation(members)[: round(fraction * members.size)])
    test_index = np.sort(np.concatenate(test))
    train_index = np.setdiff1d(np.arange(y.size), test_index)
    if train_index.size == 0 or test_index.size == 0:
        raise ValueError(
            f"test_fraction={fraction} leaves an empty training or test set for {y.size} examples"
        )
    return train_index, test_index


@dataclass(frozen=True)
class DigitsSplit:
    """A fixed train/test split: inputs in [0, 1] (rows are images) and labels 0..9."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def Y_train(self) -> np.ndarray:
        """One-hot training targets, shape (m, 10) (:func:`bpnotes.losses.one_hot`)."""
        return one_hot(self.y_train, CLASSES)

    def subset(self, train: int, test: int) -> DigitsSplit:
        """The first ``train`` training and ``test`` test examples (for quick experiments)."""
        train = check_nonnegative_int("train", train)
        test = check_nonnegative_int("test", test)
        if not (1 <= train <= self.y_train.size and 1 <= test <= self.y_test.size):
            raise ValueError(
                f"train must be in 1..{self.y_train.size} and test in 1..{self.y_test.size}"
            )
        return DigitsSplit(
            self.X_train[:train], self.y_train[:train], self.X_test[:test], self.y_test[:test]
        )


def split_digits(test_fraction: float = 0.25, seed: int = 0) -> DigitsSplit:
    """The chapter's split: :func:`load_digits` divided by :func:`stratified_split`."""
    X, y = load_digits()
    train, test = stratified_split(y, test_fraction, seed)
    return DigitsSplit(X[train], y[train], X[test], y[test])


def accuracy(labels: ArrayLike, predictions: ArrayLike) -> float:
    """The fraction of examples whose predicted class equals the true class."""
    y = check_class_labels("labels", labels)
    p = check_class_labels("predictions", predictions)
    if y.shape != p.shape:
        raise ValueError(
            f"predictions must have one entry per label: {y.size} labels, {p.size} predictions"
        )
    return float(np.mean(y == p))


def confusion_matrix(
    labels: ArrayLike, predictions: ArrayLike, classes: int = CLASSES
) -> np.ndarray:
    """Counts C with ``C[i, j]`` = number of examples of true class i predicted as class j.

    The diagonal holds the correct predictions, so ``trace(C) / C.sum()`` is the accuracy.
    """
    classes = check_positive_int("classes", classes, minimum=2)
    y = check_class_labels("labels", labels, classes=classes)
    p = check_class_labels("predictions", predictions, classes=classes)
    if y.shape != p.shape:
        raise ValueError(
            f"predictions must have one entry per label: {y.size} labels, {p.size} predictions"
        )
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (y, p), 1)
    return counts


def cross_entropy(probabilities: ArrayLike, labels: ArrayLike) -> float:
    """The mean categorical cross-entropy −(1/m) Σ_i log P_i[y_i] of predicted probabilities.

    Probabilities are clipped below at 1e-15 so that a confident mistake costs a large but
    finite amount (the convention of ``sklearn.metrics.log_loss``).
    """
    P = as_float_matrix("probabilities", probabilities)
    y = check_class_labels("labels", labels, classes=P.shape[1])
    check_same_rows("probabilities", P, "labels", y[:, None])
    if np.any(P < 0) or not np.allclose(P.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("each row of probabilities must be non-negative and sum to 1")
    picked = np.clip(P[np.arange(y.size), y], 1e-15, 1.0)
    return float(-np.mean(np.log(picked)))


def setbacks(losses: ArrayLike, factor: float = 2.0) -> np.ndarray:
    """The indices i ≥ 1 at which a loss curve rises above ``factor`` times the lowest
    loss before it, ``losses[i] > factor · min(losses[:i])``: the epochs in which training
    lost much of what it had gained.

    Parameters
    ----------
    losses
        A loss curve, one value per epoch (finite).
    factor
        How far above the lowest earlier value counts as a setback, at least 1.

    Returns
    -------
    numpy.ndarray
        The indices, in increasing order (empty for a curve that never climbs that far).
    """
    curve = as_float_vector("losses", losses)
    factor = check_positive_number("factor", factor)
    if factor < 1:
        raise ValueError(f"factor must be at least 1, got {factor}")
    if curve.size < 2:
        return np.zeros(0, dtype=np.int64)
    lowest_before = np.minimum.accumulate(curve)[:-1]
    return np.flatnonzero(curve[1:] > factor * lowest_before) + 1


@dataclass(frozen=True)
class EpochRecord:
    """What the progress callback of :func:`train_digits` receives after every epoch."""

    epoch: int
    epochs: int
    train_loss: float
    test_accuracy: float


@dataclass(frozen=True)
class DigitsRun:
    """Learning curves: entry i is measured after ``epochs[i]`` epochs of training.

    ``epochs`` starts at 0 (before training) for :func:`train_digits`; scikit-learn builds
    its network on the first call, so its curves start after epoch 1. ``train_loss`` and
    ``test_loss`` are the mean cross-entropy of the predicted probabilities (without any L2
    term), so runs of different implementations compare.
    ``diverged`` is True if training stopped early because the cost blew up.
    """

    epochs: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray
    train_accuracy: np.ndarray
    test_accuracy: np.ndarray
    diverged: bool


class _Curves:
    """Collects the four curves from a model's class probabilities, epoch by epoch."""

    def __init__(self, split: DigitsSplit, probabilities: Callable[[np.ndarray], np.ndarray]):
        self.split, self.probabilities = split, probabilities
        self.epochs: list[int] = []
        self.values: dict[str, list[float]] = {
            "train_loss": [], "test_loss": [], "train_accuracy": [], "test_accuracy": []
        }

    def record(self, epoch: int) -> None:
        self.epochs.append(epoch)
        s = self.split
        for part, X, y in (("train", s.X_train, s.y_train), ("test", s.X_test, s.y_test)):
            P = self.probabilities(X)
            self.values[f"{part}_loss"].append(cross_entropy(P, y))
            self.values[f"{part}_accuracy"].append(accuracy(y, np.argmax(P, axis=1)))

    def run(self, diverged: bool) -> DigitsRun:
        values = {k: np.asarray(v) for k, v in self.values.items()}
        return DigitsRun(epochs=np.asarray(self.epochs), **values, diverged=diverged)


def _check_progress(progress: object) -> Callable[[EpochRecord], None] | None:
    return check_callable("progress", progress, optional=True)


def train_digits(
    net: MLP,
    split: DigitsSplit,
    *,
    lr: float,
    epochs: int,
    batch_size: int = 32,
    momentum: float = 0.0,
    seed: int = 0,
    progress: Callable[[EpochRecord], None] | None = None,
) -> DigitsRun:
    """Train ``net`` in place by mini-batch gradient descent on the split's training set.

    The update is W ← W + v with v ← μ v − η ∂C_B/∂W on each mini-batch B, eq.
    (cap-momentum) (μ = 0 is plain gradient descent); the batching, shuffling and
    divergence check are those of :func:`bpnotes.descent.gradient_descent`.

    Parameters
    ----------
    net
        An MLP with 64 inputs and 10 softmax outputs trained with the cross-entropy loss.
    split
        The data, e.g. from :func:`split_digits`.
    lr, epochs, batch_size, momentum, seed
        Learning rate η, number of passes, mini-batch size, momentum μ in [0, 1), and the
        seed of the shuffling.
    progress
        Called with an :class:`EpochRecord` after every epoch (e.g. to advance a progress bar).

    Returns
    -------
    DigitsRun
        Loss and accuracy on both sets before training and after every epoch.
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a bpnotes.MLP, got {type(net).__name__}")
    if net.sizes[0] != IMAGE_SHAPE[0] * IMAGE_SHAPE[1] or net.sizes[-1] != CLASSES:
        raise ValueError(f"net must have 64 inputs and 10 outputs, got sizes {net.sizes}")
    if net.output.name != "softmax" or net.loss.name != "cross_entropy":
        raise ValueError("net must have output='softmax' and loss='cross_entropy'")
    if not isinstance(split, DigitsSplit):
        raise TypeError(f"split must be a DigitsSplit, got {type(split).__name__}")
    epochs = check_nonnegative_int("epochs", epochs)
    report = _check_progress(progress)
    X = split.X_train.astype(net.dtype)
    Y = split.Y_train.astype(net.dtype)
    curves = _Curves(split, net.forward)

    def after_epoch(epoch: int) -> None:
        curves.record(epoch)
        if report is not None and epoch > 0:
            report(EpochRecord(epoch, epochs, curves.values["train_loss"][-1],
                               curves.values["test_accuracy"][-1]))

    history = net.train(X, Y, lr, epochs, batch_size=batch_size, shuffle=True, seed=seed,
                        momentum=momentum, after_epoch=after_epoch, epoch_cost="full")
    return curves.run(history.diverged)


def sklearn_digits_run(
    split: DigitsSplit,
    *,
    hidden: tuple[int, ...] = (64,),
    activation: str = "relu",
    lr: float,
    epochs: int,
    batch_size: int = 32,
    momentum: float = 0.0,
    l2: float = 0.0,
    seed: int = 0,
    start: MLP | None = None,
    progress: Callable[[EpochRecord], None] | None = None,
) -> tuple[Any, DigitsRun]:  # (sklearn.neural_network.MLPClassifier, DigitsRun)
    """The same experiment with scikit-learn's ``MLPClassifier`` (the reference).

    Plain mini-batch SGD with classical (not Nesterov) momentum, constant learning rate,
    softmax outputs, cross-entropy and the L2 term (λ/2|B|)‖W‖² of each batch B, eq.
    (cap-batch-cost) (scikit-learn's ``alpha`` is λ), one ``partial_fit`` per epoch so the
    same curves can be recorded.

    Parameters
    ----------
    split
        The data, e.g. from :func:`split_digits`.
    hidden, activation
        The hidden layer sizes and scikit-learn's name of their activation.
    lr, epochs, batch_size, momentum, l2, seed
        As for :func:`train_digits` (``l2`` is λ); ``seed`` is scikit-learn's
        ``random_state`` or, with ``start``, the seed of bpnotes' shuffling.
    start
        ``None``: scikit-learn draws its own start (Glorot uniform weights and biases) and
        shuffles with its own generator. An :class:`MLP` of the same sizes and hidden
        activation: scikit-learn starts from a copy of its weights and biases (left
        unchanged) and takes the training images in the batches that
        :func:`train_digits` takes with the same ``seed`` and ``batch_size``, so the two
        run the same algorithm step by step.
    progress
        Called with an :class:`EpochRecord` after every epoch.

    Returns
    -------
    (classifier, DigitsRun)
        The trained ``MLPClassifier`` and its curves, measured exactly as in
        :func:`train_digits` (after every epoch, from epoch 1).
    """
    from sklearn.neural_network import MLPClassifier

    if not isinstance(split, DigitsSplit):
        raise TypeError(f"split must be a DigitsSplit, got {type(split).__name__}")
    if not isinstance(hidden, tuple) or not all(
        isinstance(h, int) and not isinstance(h, bool) and h > 0 for h in hidden
    ):
        raise ValueError(f"hidden must be a tuple of positive integers, got {hidden!r}")
    lr = check_positive_number("lr", lr)
    epochs = check_nonnegative_int("epochs", epochs)
    momentum = check_nonnegative_number("momentum", momentum)
    if momentum >= 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum}")
    seed = check_seed(seed)
    check_choice("activation", activation, ("identity", "logistic", "tanh", "relu"))
    batch_size = check_positive_int("batch_size", batch_size)
    report = _check_progress(progress)
    settings = dict(
        hidden_layer_sizes=hidden,
        activation=activation,
        solver="sgd",
        learning_rate="constant",
        learning_rate_init=lr,
        momentum=momentum,
        nesterovs_momentum=False,
        batch_size=batch_size,
        alpha=check_nonnegative_number("l2", l2),
        shuffle=start is None,
        random_state=seed,
    )
    if start is None:
        clf = MLPClassifier(**settings)
    else:
        clf = _started_classifier(MLPClassifier, settings, _start_of(start, hidden, activation))
    curves = _Curves(split, clf.predict_proba)
    classes = np.arange(CLASSES)
    m = split.y_train.size
    rng = np.random.default_rng(seed)  # the generator of train_digits' shuffling
    for epoch in range(1, epochs + 1):
        if start is None:
            clf.partial_fit(split.X_train, split.y_train, classes=classes)
        else:  # the epoch's batches of train_digits, one after the other
            order = np.concatenate(list(batches(m, batch_size, True, rng)))
            clf.partial_fit(split.X_train[order], split.y_train[order], classes=classes)
        curves.record(epoch)
        if report is not None:
            report(EpochRecord(epoch, epochs, curves.values["train_loss"][-1],
                               curves.values["test_accuracy"][-1]))
    return clf, curves.run(diverged=False)


#: scikit-learn's names of bpnotes' hidden activations.
_SKLEARN_ACTIVATIONS = {"identity": "identity", "sigmoid": "logistic", "tanh": "tanh",
                        "relu": "relu"}


def _start_of(
    net: object, hidden: tuple[int, ...], activation: str
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Copies of ``net``'s (weights, biases) per layer in scikit-learn's layout (a weight
    matrix is (n_in, n_out), the transpose of bpnotes'), after checking that ``net`` is the
    network scikit-learn will build."""
    if not isinstance(net, MLP):
        raise TypeError(f"start must be a bpnotes.MLP or None, got {type(net).__name__}")
    wanted = [IMAGE_SHAPE[0] * IMAGE_SHAPE[1], *hidden, CLASSES]
    if net.sizes != wanted:
        raise ValueError(f"start must have sizes {wanted} (64 inputs, hidden={hidden}, 10 "
                         f"outputs), got {net.sizes}")
    if _SKLEARN_ACTIVATIONS.get(net.hidden.name) != activation:
        raise ValueError(f"start's hidden activation {net.hidden.name!r} is not "
                         f"activation={activation!r}")
    if net.output.name != "softmax" or net.loss.name != "cross_entropy":
        raise ValueError("start must have output='softmax' and loss='cross_entropy'")
    return [(np.array(W.T, dtype=np.float64), np.array(b, dtype=np.float64))
            for W, b in zip(net.weights, net.biases, strict=True)]


def _started_classifier(
    base: type, settings: dict[str, Any], layers: list[tuple[np.ndarray, np.ndarray]]
) -> Any:
    """An ``MLPClassifier`` whose first ``partial_fit`` starts from ``layers`` instead of
    drawing a random start. scikit-learn draws each layer's start in ``_init_coef``, one
    call per layer in order (scikit-learn 1.3 to 1.9); this subclass hands out the given
    arrays there and draws nothing."""

    class StartedMLPClassifier(base):  # type: ignore[misc, valid-type]
        def _init_coef(self, fan_in: int, fan_out: int, dtype: Any) -> tuple[Any, Any]:
            W, b = layers[self._layers_started]
            if W.shape != (fan_in, fan_out):
                raise ValueError(f"start has a layer of shape {W.shape}, scikit-learn "
                                 f"builds one of shape {(fan_in, fan_out)}")
            self._layers_started += 1
            return W.astype(dtype, copy=True), b.astype(dtype, copy=True)

    clf = StartedMLPClassifier(**settings)
    clf._layers_started = 0
    return clf
