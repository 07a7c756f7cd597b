"""The capstone's numerics: data, split, metrics and training on a small subset of the digits."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import sklearn.datasets
import sklearn.metrics
from hypothesis import given
from hypothesis import strategies as st

from bpnotes import MLP
from bpnotes.capstone import (
    DigitsSplit,
    EpochRecord,
    accuracy,
    confusion_matrix,
    cross_entropy,
    load_digits,
    setbacks,
    sklearn_digits_run,
    split_digits,
    stratified_split,
    train_digits,
)


@pytest.fixture(scope="module")
def split() -> DigitsSplit:
    return split_digits(test_fraction=0.25, seed=0)


@pytest.fixture(scope="module")
def small(split: DigitsSplit) -> DigitsSplit:
    return split.subset(300, 200)


def digits_net(seed: int = 0) -> MLP:
    return MLP([64, 32, 10], hidden="relu", output="softmax", loss="cross_entropy",
               seed=seed, init="he")


# ---------------------------------------------------------------- data
def test_load_digits_is_sklearns_data_scaled_to_unit_interval():
    X, y = load_digits()
    raw = sklearn.datasets.load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    np.testing.assert_array_equal(X * 16, raw.data)
    np.testing.assert_array_equal(y, raw.target)
    assert X.min() == 0.0 and X.max() == 1.0
    # the flattened row k*8..k*8+7 is row k of the 8x8 image
    np.testing.assert_array_equal(X[5].reshape(8, 8) * 16, raw.images[5])


def test_training_targets_are_one_hot_rows(split):
    Y = split.subset(20, 5).Y_train
    assert Y.shape == (20, 10)
    np.testing.assert_array_equal(np.argmax(Y, axis=1), split.y_train[:20])
    np.testing.assert_array_equal(Y.sum(axis=1), 1.0)


# ---------------------------------------------------------------- split
def test_split_is_a_stratified_partition():
    y = np.repeat(np.arange(4), [40, 20, 8, 12])
    train, test = stratified_split(y, test_fraction=0.25, seed=3)
    assert set(train).isdisjoint(test)
    assert sorted(np.concatenate([train, test])) == list(range(y.size))
    for c, n in enumerate([40, 20, 8, 12]):
        assert np.sum(y[test] == c) == round(0.25 * n)


def test_split_is_seeded(split):
    again = split_digits(test_fraction=0.25, seed=0)
    np.testing.assert_array_equal(again.X_test, split.X_test)
    other = split_digits(test_fraction=0.25, seed=1)
    assert not np.array_equal(other.y_test, split.y_test)
    assert split.y_train.size + split.y_test.size == 1797


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.2, 1.5])
def test_split_rejects_bad_fraction(fraction):
    with pytest.raises(ValueError, match="test_fraction"):
        stratified_split([0, 1, 0, 1], test_fraction=fraction)


@pytest.mark.parametrize(("seed", "error"), [(None, TypeError), (True, TypeError),
                                             (-1, ValueError), (1.5, TypeError),
                                             ("0", TypeError)])
def test_split_rejects_bad_seeds(seed, error):
    with pytest.raises(error, match="seed must be a non-negative integer"):
        stratified_split([0, 1, 0, 1], seed=seed)


def test_split_rejects_empty_side_and_bad_labels():
    with pytest.raises(ValueError, match="empty"):
        stratified_split([0, 1], test_fraction=0.1)
    with pytest.raises(ValueError):
        stratified_split([0, 1.5])


def test_subset_bounds(split):
    assert split.subset(10, 5).X_train.shape == (10, 64)
    with pytest.raises(ValueError):
        split.subset(0, 5)
    with pytest.raises(ValueError):
        split.subset(10, 10_000)


# ---------------------------------------------------------------- metrics
def test_accuracy_by_hand():
    assert accuracy([0, 1, 2, 3], [0, 1, 0, 0]) == 0.5
    assert accuracy([4], [4]) == 1.0


def test_accuracy_rejects_bad_input():
    with pytest.raises(ValueError, match="one entry per label"):
        accuracy([0, 1], [0])
    with pytest.raises(TypeError):
        accuracy("01", [0, 1])


labels_and_predictions = st.integers(1, 40).flatmap(
    lambda m: st.tuples(st.lists(st.integers(0, 4), min_size=m, max_size=m),
                        st.lists(st.integers(0, 4), min_size=m, max_size=m))
)


@given(labels_and_predictions)
def test_confusion_matrix_counts_pairs(pair):
    labels, predictions = pair
    counts = Counter(zip(labels, predictions, strict=True))
    C = confusion_matrix(labels, predictions, classes=5)
    for i in range(5):
        for j in range(5):
            assert C[i, j] == counts[(i, j)]
    np.testing.assert_array_equal(
        C, sklearn.metrics.confusion_matrix(labels, predictions, labels=range(5))
    )
    assert np.trace(C) / len(labels) == pytest.approx(accuracy(labels, predictions))


def test_confusion_matrix_rejects_bad_input():
    with pytest.raises(ValueError, match="one entry per label"):
        confusion_matrix([0, 1], [1])
    with pytest.raises(ValueError):
        confusion_matrix([0, 5], [0, 1], classes=5)
    with pytest.raises(ValueError, match="classes"):
        confusion_matrix([0], [0], classes=1)


def test_cross_entropy_matches_sklearn_log_loss():
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(4), size=25)
    y = rng.integers(0, 4, size=25)
    expected = sklearn.metrics.log_loss(y, P, labels=range(4))
    assert cross_entropy(P, y) == pytest.approx(expected, rel=1e-12)
    # a confident mistake is large but finite
    assert np.isfinite(cross_entropy([[1.0, 0.0]], [1]))


def test_cross_entropy_rejects_bad_input():
    with pytest.raises(ValueError, match="sum to 1"):
        cross_entropy([[0.5, 0.6]], [0])
    with pytest.raises(ValueError):
        cross_entropy([[0.5, 0.5]], [2])
    with pytest.raises(ValueError):
        cross_entropy([[0.5, 0.5], [0.5, 0.5]], [0])


# ---------------------------------------------------------------- training
def test_training_decreases_loss_and_beats_chance(small):
    records: list[EpochRecord] = []
    net = digits_net()
    run = train_digits(net, small, lr=0.1, epochs=8, batch_size=20, momentum=0.5, seed=0,
                       progress=records.append)
    assert not run.diverged
    np.testing.assert_array_equal(run.epochs, np.arange(9))
    assert run.train_loss[-1] < 0.5 * run.train_loss[0]
    assert run.train_loss[0] > 1.5  # about log 10 = 2.3 for an untrained net
    # chance is 10 %; a working network is far above it on unseen images
    assert run.test_accuracy[-1] > 0.75
    # the curves are measured independently of the training loop
    assert run.test_accuracy[-1] == accuracy(small.y_test, net.predict(small.X_test))
    assert run.test_loss[-1] == pytest.approx(cross_entropy(net.forward(small.X_test),
                                                            small.y_test))
    assert [r.epoch for r in records] == list(range(1, 9))
    assert records[-1].test_accuracy == run.test_accuracy[-1]


def test_training_is_seeded(small):
    a = train_digits(digits_net(), small, lr=0.1, epochs=2, seed=4)
    b = train_digits(digits_net(), small, lr=0.1, epochs=2, seed=4)
    np.testing.assert_array_equal(a.train_loss, b.train_loss)


def test_huge_learning_rate_is_reported_as_divergence(small):
    # a linear hidden layer lets the logits (and the cost) grow without bound
    net = MLP([64, 32, 10], hidden="identity", output="softmax", loss="cross_entropy")
    run = train_digits(net, small, lr=10.0, epochs=5, batch_size=50, momentum=0.9)
    assert run.diverged
    assert run.epochs.size < 6
    assert np.all(np.isfinite(run.train_loss)) and np.all(np.isfinite(run.test_accuracy))


def test_a_run_that_blows_up_and_gets_stuck_is_reported_as_divergence(small):
    # lr = 1e6 (issue 10): the cost jumps from log 10 to about 31 and stays there (the
    # ReLUs it blew up are dead or saturated), never passing the 1e8 stopping bound.
    run = train_digits(digits_net(), small, lr=1e6, epochs=4, batch_size=32)
    assert run.diverged and run.epochs.size == 5
    assert np.all(run.train_loss[1:] > 5 * run.train_loss[0])


def test_training_rejects_bad_input(small):
    with pytest.raises(ValueError, match="64 inputs"):
        train_digits(MLP([10, 10], output="softmax", loss="cross_entropy"), small,
                     lr=0.1, epochs=1)
    with pytest.raises(ValueError, match="softmax"):
        train_digits(MLP([64, 10]), small, lr=0.1, epochs=1)
    with pytest.raises(TypeError, match="net"):
        train_digits("net", small, lr=0.1, epochs=1)
    with pytest.raises(TypeError, match="split"):
        train_digits(digits_net(), (small.X_train, small.y_train), lr=0.1, epochs=1)
    with pytest.raises(ValueError, match="lr"):
        train_digits(digits_net(), small, lr=-1.0, epochs=1)
    with pytest.raises(TypeError, match="epochs"):
        train_digits(digits_net(), small, lr=0.1, epochs=1.5)
    with pytest.raises(ValueError, match="momentum"):
        train_digits(digits_net(), small, lr=0.1, epochs=1, momentum=1.0)
    with pytest.raises(TypeError, match="progress"):
        train_digits(digits_net(), small, lr=0.1, epochs=1, progress="bar")
    with pytest.raises(TypeError, match="seed must be a non-negative integer"):
        train_digits(digits_net(), small, lr=0.1, epochs=1, seed=None)


def test_sklearn_reference_curves_are_measured_from_its_predictions(small):
    clf, run = sklearn_digits_run(small, hidden=(32,), lr=0.1, epochs=3, momentum=0.5)
    np.testing.assert_array_equal(run.epochs, [1, 2, 3])
    assert run.test_accuracy[-1] == np.mean(clf.predict(small.X_test) == small.y_test)
    assert run.train_loss[-1] == pytest.approx(
        sklearn.metrics.log_loss(small.y_train, clf.predict_proba(small.X_train),
                                 labels=range(10)))


def test_sklearn_reference_rejects_bad_input(small):
    with pytest.raises(ValueError, match="hidden"):
        sklearn_digits_run(small, hidden=[32], lr=0.1, epochs=1)
    with pytest.raises(ValueError, match="momentum"):
        sklearn_digits_run(small, lr=0.1, epochs=1, momentum=1.2)
    with pytest.raises(TypeError, match="split"):
        sklearn_digits_run(None, lr=0.1, epochs=1)
    with pytest.raises(TypeError, match="seed must be a non-negative integer"):
        sklearn_digits_run(small, lr=0.1, epochs=1, seed=None)
    with pytest.raises(ValueError, match="activation must be one of"):
        sklearn_digits_run(small, lr=0.1, epochs=1, activation="sigmoid")


def test_sklearn_from_bpnotes_start_takes_the_same_steps(small):
    # Given bpnotes' start and batch order, scikit-learn (an independent implementation of
    # mini-batch SGD with momentum and the batch penalty of eq. (cap-batch-cost)) must
    # reproduce train_digits' curves to rounding error; the batch size leaves a short last
    # batch (300 = 10 * 28 + 20), which both must cut the same way.
    for momentum, l2 in ((0.9, 1e-2), (0.0, 0.0)):
        start = MLP([64, 32, 10], hidden="relu", output="softmax", loss="cross_entropy",
                    l2=l2, init="he", seed=3)
        before = [p.copy() for p in start.weights + start.biases]
        trained = MLP([64, 32, 10], hidden="relu", output="softmax", loss="cross_entropy",
                      l2=l2, init="he", seed=3)
        ours = train_digits(trained, small, lr=0.05, epochs=3, batch_size=28,
                            momentum=momentum, seed=5)
        clf, theirs = sklearn_digits_run(small, hidden=(32,), lr=0.05, epochs=3,
                                          batch_size=28, momentum=momentum, l2=l2, seed=5,
                                          start=start)
        np.testing.assert_allclose(theirs.test_loss, ours.test_loss[1:], rtol=1e-12)
        np.testing.assert_allclose(theirs.train_loss, ours.train_loss[1:], rtol=1e-12)
        np.testing.assert_array_equal(theirs.test_accuracy, ours.test_accuracy[1:])
        np.testing.assert_allclose(clf.coefs_[0], trained.weights[0].T, rtol=1e-10,
                                   atol=1e-13)
        # the start is copied, never trained in place
        for p, p0 in zip(start.weights + start.biases, before, strict=True):
            np.testing.assert_array_equal(p, p0)
    # another shuffling seed gives other batches, so other curves
    _, other = sklearn_digits_run(small, hidden=(32,), lr=0.05, epochs=3, batch_size=28,
                                  momentum=0.0, seed=6, start=start)
    assert not np.allclose(other.test_loss, theirs.test_loss, rtol=1e-6)


def test_sklearn_start_must_be_the_network_sklearn_builds(small):
    net = MLP([64, 32, 10], hidden="relu", output="softmax", loss="cross_entropy")
    with pytest.raises(TypeError, match="start must be a bpnotes.MLP"):
        sklearn_digits_run(small, hidden=(32,), lr=0.1, epochs=1, start="weights")
    with pytest.raises(ValueError, match="start must have sizes"):
        sklearn_digits_run(small, hidden=(16,), lr=0.1, epochs=1, start=net)
    with pytest.raises(ValueError, match="hidden activation"):
        sklearn_digits_run(small, hidden=(32,), activation="tanh", lr=0.1, epochs=1,
                           start=net)
    sigmoid = MLP([64, 32, 10], hidden="sigmoid", output="softmax", loss="cross_entropy")
    clf, _ = sklearn_digits_run(small, hidden=(32,), activation="logistic", lr=1e-9,
                                epochs=1, start=sigmoid)
    np.testing.assert_allclose(clf.intercepts_[1], sigmoid.biases[1], atol=1e-8)


# ---------------------------------------------------------------- setbacks
def test_setbacks_by_hand():
    # lowest before index 3 is 1.0: 2.5 > 2 * 1.0; index 4: 1.9 is not above 2 * 1.0
    np.testing.assert_array_equal(setbacks([4.0, 1.0, 1.5, 2.5, 1.9, 0.5, 1.01]), [3, 6])
    np.testing.assert_array_equal(setbacks([3.0, 2.0, 1.0]), [])
    np.testing.assert_array_equal(setbacks([1.0]), [])
    np.testing.assert_array_equal(setbacks([1.0, 1.2, 1.3], factor=1.1), [1, 2])
    assert setbacks([1.0, 2.0]).size == 0  # "above", not "at"


@given(st.lists(st.floats(0.001, 100.0), min_size=1, max_size=30),
       st.floats(1.0, 5.0))
def test_setbacks_agree_with_a_loop(losses, factor):
    expected = [i for i in range(1, len(losses)) if losses[i] > factor * min(losses[:i])]
    np.testing.assert_array_equal(setbacks(losses, factor), expected)


def test_setbacks_reject_bad_input():
    with pytest.raises(ValueError, match="factor must be at least 1"):
        setbacks([1.0, 2.0], factor=0.5)
    with pytest.raises(ValueError, match="losses"):
        setbacks([1.0, np.nan])
    with pytest.raises(ValueError, match="losses must be 1-D"):
        setbacks([[1.0, 2.0]])
    with pytest.raises(ValueError, match="losses must not be empty"):
        setbacks([])
    losses = np.array([1.0, 3.0])
    setbacks(losses)
    np.testing.assert_array_equal(losses, [1.0, 3.0])  # not changed


# ---------------------------------------------------------------- figures
@pytest.mark.parametrize("per_class", [1, 3, 5])
def test_digit_grid_rows_have_no_empty_bands(split, per_class):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from bpnotes.plots.capstone import plot_digit_grid

    fig = plot_digit_grid(split.X_train, split.y_train, per_class=per_class)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [ax.get_window_extent(renderer) for ax in fig.axes[::10]]  # column 0, row by row
    height = boxes[0].height
    for upper, lower in zip(boxes, boxes[1:]):
        assert upper.y0 - lower.y1 < 0.15 * height  # the gap between two rows of images
    # and the figure is not much taller than its images and the titles of the first row
    assert fig.bbox.height < per_class * height * 1.2 + 40
