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
