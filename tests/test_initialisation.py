"""Weight initialisation, eq. (vd-init): the standard deviations by hand, seeding, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bpnotes.initialisation import init_std, initial_weights


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [("normal", 1.0), ("lecun", math.sqrt(1 / 4)), ("xavier", math.sqrt(2 / (4 + 6))),
     ("he", math.sqrt(2 / 4))],
)
def test_standard_deviations_by_hand(scheme, expected):
    assert init_std(scheme, 4, 6) == pytest.approx(expected, rel=1e-15)
    assert init_std(scheme, 4, 6, scale=3.0) == pytest.approx(3 * expected, rel=1e-15)


def test_weights_have_the_shapes_of_the_book_and_the_scheme_variance():
    weights = initial_weights([500, 400, 3], "he", seed=1)
    assert [w.shape for w in weights] == [(400, 500), (3, 400)]
    assert np.std(weights[0]) == pytest.approx(math.sqrt(2 / 500), rel=0.01)
    again = initial_weights([500, 400, 3], "he", seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(weights, again, strict=True))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: init_std("he", 0, 3), ValueError, "n_in must be an integer >= 1"),
        (lambda: init_std("he", -1, 3), ValueError, "n_in must be"),
        (lambda: init_std("xavier", 3, 0), ValueError, "n_out must be an integer >= 1"),
        (lambda: init_std("he", 2.0, 3), TypeError, "n_in must be an integer"),
        (lambda: init_std("he", 2, 3, scale=-1), ValueError, "scale must be > 0"),
        (lambda: init_std("he", 2, 3, scale=np.nan), ValueError, "scale must be finite"),
        (lambda: init_std("glorot", 2, 3), ValueError, "init must be one of"),
        (lambda: initial_weights([2, 0, 1]), ValueError, r"sizes\[1\] must be a positive"),
        (lambda: initial_weights("21"), TypeError, "sizes must be a sequence"),
        (lambda: initial_weights([2, 1], scale=0), ValueError, "init_scale must be > 0"),
        (lambda: initial_weights([2, 1], seed=-1), ValueError, "seed must be a non-negative"),
        (lambda: initial_weights([2, 1], seed=1.5), TypeError, "seed must be a non-negative"),
        (lambda: initial_weights([2, 1], seed="0"), TypeError, "seed must be a non-negative"),
        (lambda: initial_weights([2, 1], seed=None), TypeError, "seed must be a non-negative"),
        (lambda: initial_weights([2, 1], seed=True), TypeError, "seed must be a non-negative"),
    ],
)
def test_bad_arguments_name_themselves(call, error, match):
    with pytest.raises(error, match=match):
        call()
