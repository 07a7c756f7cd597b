"""The boundary validators: each bad input gets a clear error naming the argument."""

from __future__ import annotations

import numpy as np
import pytest

from bpnotes import validation as v


def test_matrix_conversion_and_checks():
    out = v.as_float_matrix("X", [[1, 2], [3, 4]], columns=2)
    assert out.dtype == np.float64 and out.shape == (2, 2)
    with pytest.raises(ValueError, match="X must be 2-D"):
        v.as_float_matrix("X", [1, 2])
    with pytest.raises(ValueError, match="X must have 3 columns"):
        v.as_float_matrix("X", [[1, 2]], columns=3)
    with pytest.raises(ValueError, match="X must be finite, but 1 entries"):
        v.as_float_matrix("X", [[1, np.nan]])
    with pytest.raises(TypeError, match="X must contain real numbers"):
        v.as_float_matrix("X", [[1 + 2j]])
    with pytest.raises(TypeError, match="X must be an array of numbers"):
        v.as_float_matrix("X", None)


def test_vector_checks():
    assert v.as_float_vector("t", [1, 2], length=2).tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="t must have length 3"):
        v.as_float_vector("t", [1, 2], length=3)
    with pytest.raises(ValueError, match="t must be 1-D"):
        v.as_float_vector("t", [[1, 2]])
    with pytest.raises(ValueError, match="t must not be empty"):
        v.as_float_vector("t", [])


@pytest.mark.parametrize(
    ("labels", "classes", "match"),
    [
        ([0, 1, 2], (0, 1), r"only contain the labels \[0, 1\]"),
        ([0, 0.5], (0, 1), "whole-number"),
        ([0, 3], 3, r"class labels in 0..2"),
        ([-1, 0], None, "negative"),
        ([[0, 1]], None, "must be 1-D"),
        ([0, np.nan], None, "finite"),
    ],
)
def test_class_labels(labels, classes, match):
    with pytest.raises(ValueError, match=match):
        v.check_class_labels("y", labels, classes=classes)


def test_class_labels_accept_whole_floats():
    assert v.check_class_labels("y", [0.0, 2.0, 1.0], classes=3).tolist() == [0, 2, 1]


def test_numbers_and_choices():
    assert v.check_positive_number("lr", 0.5) == 0.5
    for bad, error in [
        (0, ValueError),
        (-1, ValueError),
        (float("inf"), ValueError),
        (True, TypeError),
        ("1", TypeError),
    ]:
        with pytest.raises(error, match="lr"):
            v.check_positive_number("lr", bad)
    with pytest.raises(ValueError, match="must be one of 'a', 'b'; got 'c'"):
        v.check_choice("mode", "c", ["a", "b"])
    with pytest.raises(ValueError, match="batch_size must be between 1 and the number"):
        v.check_batch_size(0, 5)
    assert v.check_batch_size(None, 5) == 5


def test_probability_rows():
    v.check_probability_rows("Y", np.array([[0.2, 0.8], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="each row of Y must be a probability vector"):
        v.check_probability_rows("Y", np.array([[0.5, 0.6]]))


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        ([[1.0, 2.0], [3.0]], ValueError, "X must be a rectangular array"),
        ([[1, "a"]], TypeError, "X must contain real numbers"),
        ([[1 + 0j]], TypeError, "X must contain real numbers, got complex"),
        ([[object()]], TypeError, "X must contain real numbers"),
        (b"12", TypeError, "X must be an array of numbers"),
    ],
)
def test_arrays_that_are_not_arrays_of_reals(value, error, match):
    with pytest.raises(error, match=match):
        v.as_float_matrix("X", value)


def test_real_arrays_keep_float32_and_are_not_copied_needlessly():
    x32 = np.ones(3, dtype=np.float32)
    assert v.as_real_array("z", x32) is x32
    assert v.as_real_array("z", [1, 2]).dtype == np.float64
    assert v.as_real_array("z", np.float64(3.0)).shape == ()


def test_a_single_class_is_accepted_when_classes_are_not_given():
    # the docstring's promise: without ``classes`` the number of classes is not checked
    assert v.check_class_labels("y", [0, 0, 0]).tolist() == [0, 0, 0]


@pytest.mark.parametrize(("seed", "error"), [(None, TypeError), (True, TypeError),
                                             (np.True_, TypeError), (-1, ValueError),
                                             (1.5, TypeError), ("0", TypeError)])
def test_seeds(seed, error):
    with pytest.raises(error, match="seed must be a non-negative integer"):
        v.check_seed(seed)
    assert v.check_seed(np.int64(3)) == 3


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: v.check_layer_sizes("sizes", [2]), ValueError, "at least 2 entries"),
        (lambda: v.check_layer_sizes("sizes", "21"), TypeError, "sizes must be a sequence"),
        (lambda: v.check_layer_sizes("sizes", [2, 0]), ValueError, r"sizes\[1\] must be"),
        (lambda: v.check_choices("acts", "sigmoid", ["sigmoid"]), ValueError,
         "acts must be a non-empty list"),
        (lambda: v.check_choices("acts", [], ["sigmoid"]), ValueError, "non-empty list"),
        (lambda: v.check_choices("acts", ["tan"], ["sigmoid"]), ValueError, "each entry of acts"),
        (lambda: v.check_callable("f", 5), TypeError, "f must be a function"),
        (lambda: v.check_real("b", "1"), TypeError, "b must be a real number"),
        (lambda: v.check_real("b", np.nan), ValueError, "b must be finite"),
        (lambda: v.check_positive_int("m", 0), ValueError, "m must be an integer >= 1"),
    ],
)
def test_small_validators(call, error, match):
    with pytest.raises(error, match=match):
        call()
