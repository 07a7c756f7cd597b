"""The vanishing-deltas chapter's exercise checkers: inputs that overflow, initialisers that
overflow or underflow, numbers a float cannot hold, miscounted powers of the bound, and the
outcome of the learning-rate exercise, through ``check``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from bpnotes import vanishing
from bpnotes.exercises import Reason, Verdict, check, describe, exercises
from bpnotes.exercises.references import REFERENCES

#: Formulas whose values overflow any float (and mpmath's exp) at the test points.
OVERFLOWING = ["w**w**w**w", "exp(exp(exp(exp(L))))", "(w/4)**(L-l)*w**w**w**w"]


@pytest.mark.parametrize("label", [lab for lab in exercises()
                                   if describe(lab)["kind"] != "function"])
def test_overflowing_formulas_get_a_verdict_in_every_checker(label):
    # the unrolled bound's diagnosis once evaluated them with Python floats and raised
    for answer in OVERFLOWING:
        verdict = check(label, answer)
        assert isinstance(verdict, Verdict) and not verdict.correct, (label, answer)
        assert verdict.message


def test_unrolled_bound_diagnoses_still_work():
    assert check("ex-vd-unrolled", "(w/4)**(L - l)").correct
    assert "too few" in check("ex-vd-unrolled", "(w/4)**(L - l - 1)").message
    assert "largest slope" in check("ex-vd-unrolled", "(w/2)**(L - l)").message


def _normal_init(std):
    return lambda n_in, n_out, rng: rng.normal(0.0, std, size=(n_out, n_in))


@pytest.mark.parametrize(("std", "reason", "word"), [
    (1e200, Reason.TOO_LARGE, "explode"),          # the forward pass overflows
    (1e20, Reason.TOO_LARGE, "explode"),
    (1e-200, Reason.TOO_SMALL, "vanish"),          # every hidden delta underflows to 0
    (1e-3, Reason.TOO_SMALL, "vanish"),
])
def test_initialiser_checker_says_what_happened_without_warnings(std, reason, word):
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # no RuntimeWarning reaches the reader
        verdict = check("ex-vd-init", _normal_init(std))
    assert not verdict.correct and verdict.reason == reason
    assert word in verdict.message and "nan" not in verdict.message


def test_initialiser_checker_names_the_extreme_layer():
    # variance 1/n_in: g = 1/√2 per layer, so layer 1 is the smallest relative to layer 19
    verdict = check("ex-vd-init", lambda n_in, n_out, rng: rng.normal(
        0.0, np.sqrt(1.0 / n_in), size=(n_out, n_in)))
    assert verdict.reason == Reason.TOO_SMALL and "layer 1's mean norm" in verdict.message


@pytest.mark.parametrize("result", ["abc", [[1.0, 2.0], [3.0]], None, {"W": 1}])
def test_initialiser_returning_no_numbers_is_told_so(result):
    verdict = check("ex-vd-init", lambda n_in, n_out, rng: result)
    assert verdict.reason == Reason.TYPE and "not an array of real numbers" in verdict.message


def test_a_ratio_too_small_for_a_float_is_not_called_zero_by_mistake():
    for answer in ("1e-400", "0", 0.0):
        verdict = check("ex-vd-ratio", answer)
        assert verdict.reason == Reason.TOO_SMALL and "too small for a float" in verdict.message
    assert check("ex-vd-ratio", -1.0).reason == Reason.SIGN
    assert check("ex-vd-rate:factor", "1e-400").reason == Reason.TOO_SMALL


def test_a_power_of_the_bound_must_count_six_steps():
    measured = float(REFERENCES["ex-vd-ratio"])
    assert 1 / 3 < 0.25**7 / measured < 3           # inside the window, yet one step too many
    for answer in ("0.25**7", 0.25**7, "(1/4)^7"):
        verdict = check("ex-vd-ratio", answer)
        assert not verdict.correct and "Count the steps" in verdict.message, answer
    assert check("ex-vd-ratio", "0.25**5").reason == Reason.TOO_LARGE   # outside the window
    assert check("ex-vd-ratio", "0.25**6").correct and check("ex-vd-ratio", "(1/4)^6").correct
    assert check("ex-vd-ratio", 1.1 * measured).correct   # not a power of ¼: the window


def test_the_rate_outcome_is_blows_up_as_the_exercise_defines_it():
    assert describe("ex-vd-rate:effect")["options"] == ["converges faster", "blows up"]
    assert check("ex-vd-rate:effect", "blows up").correct
    assert check("ex-vd-rate:effect", "diverges").reason == Reason.OPTION
    # the run: more than ten times its starting cost, though not divergent by descent's rule
    factor = float(REFERENCES["ex-vd-rate:factor"])
    run = vanishing.train_deep(10, activation="sigmoid", init="xavier", lr=0.1 * factor,
                               epochs=20)
    assert run.losses[-1] > 10 * run.losses[0] and not run.diverged


@pytest.mark.parametrize("answer", ["L**L**L**L", "(w/4)**(L**L**L)"])
def test_power_towers_get_a_verdict_at_once_through_the_diagnosis(answer):
    """The unrolled bound's own diagnosis evaluates the reader's formula too (guarded)."""
    import time

    started = time.monotonic()
    verdict = check("ex-vd-unrolled", answer)
    assert not verdict.correct
    assert time.monotonic() - started < 3
