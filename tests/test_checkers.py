"""The generic answer checkers and the linear chapter's exercise checkers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from bpnotes.exercises import linear as exercises
from bpnotes.exercises.checkers import (
    Verdict,
    check_array,
    check_choice,
    check_expression,
    check_function,
    check_number,
)

x, t, w = sp.symbols("x t w", real=True)


# ----------------------------------------------------------------- check_expression
@pytest.mark.parametrize(
    "answer",
    [
        "2*x*(x - t)",            # factored
        "2*x**2 - 2*x*t",          # expanded
        "2*x^2 - 2*t*x",           # ^ as a power, terms reordered
        2 * x * (x - t),           # a sympy expression
        sp.Symbol("x") * 2 * (sp.Symbol("x") - sp.Symbol("t")),  # symbols without assumptions
    ],
)
def test_expression_accepts_equivalent_forms(answer):
    verdict = check_expression(answer, 2 * x**2 - 2 * x * t)
    assert verdict.correct, verdict.message
    assert bool(verdict) is True


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=3, max_size=3))
def test_expression_accepts_any_factored_quadratic_in_expanded_form(coefficients):
    a, b, c = coefficients
    factored = (a * x + b) * (x - c)
    expanded = sp.expand(factored)
    assert check_expression(str(expanded), factored, symbols=[x]).correct


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("x*(x - t)", "simple constant factor"),          # a lost factor 2
        ("-2*x*(x - t)", "simple constant factor: check the constant factors and the signs"),
        ("2*x*(x + t)", "these terms of yours have no match in the reference: 2*t*x"),
        ("2*x*(x - q)", "symbols that do not appear here: q"),
        ("2*x*(x - t", "could not be read as a formula"),
        ("y = 2*x", "could not be read as a formula"),
        ([1, 2], "must be a sympy expression or a string"),
        (sp.Eq(x, 2), "equation or a condition"),
    ],
)
def test_expression_rejects_wrong_answers_with_the_reason(answer, reason):
    reference = 2 * x * (x - t)
    verdict = check_expression(answer, reference)
    assert not verdict.correct
    assert reason in verdict.message
    assert "Not yet" in str(verdict)


def test_expression_never_prints_the_reference_but_reveals_it_on_request():
    reference = 3 * x**2 * t - sp.Rational(1, 7) * t
    verdict = check_expression("3*x**2*t", reference)
    assert not verdict.correct
    for form in (str(reference), str(sp.expand(reference)), "1/7", "t/7"):
        assert form not in verdict.message
    assert "At t=" in verdict.message and "differ by between" in verdict.message
    assert verdict.reveal() == reference


def test_expression_message_gives_a_coarse_size_of_the_difference_at_the_point():
    # At x = 0.901 (the first random point for seed 0), x + 1 differs from x by 1/0.901.
    verdict = check_expression("x + 1", x, symbols=[x])
    assert "At x=0.901" in verdict.message
    assert "by more than the reference's own size" in verdict.message
    close = check_expression("x + 1/100", 2 + x, symbols=[x])  # off by 1.99 of 2.9: 69%
    assert "by between 50% and 100%" in close.message


# ----------------------------------------------------------------- check_number
def test_number_within_and_outside_tolerance():
    assert check_number(0.5 + 1e-8, 0.5).correct
    assert check_number(sp.Rational(3, 7), 3 / 7).correct
    too_big = check_number(0.6, 0.5)
    assert not too_big.correct and "too large by between 10% and 50%" in too_big.message
    assert "0.5" not in too_big.message  # neither the value nor a tolerance scaled to it
    too_small = check_number(0.4, 0.5, rtol=0.1)
    assert not too_small.correct and "too small" in too_small.message
    assert check_number(0.52, 0.5, rtol=0.05).correct


def test_number_names_a_factor_slip_without_printing_the_value():
    verdict = check_number(3 / 7 * 2, 3 / 7)
    assert "simple constant factor" in verdict.message
    assert "0.428" not in verdict.message and "3/7" not in verdict.message
    assert "2 times" not in verdict.message  # with the reader's answer, k gives it away
    assert "simple constant factor" in check_number(-1.25, 1.25).message
    assert "factor" not in check_number(1.3, 1.0).message  # 13/10: not a simple slip


@pytest.mark.parametrize(
    ("answer", "reason"),
    [(True, "True/False"), ("abc", "must be a number"), (float("inf"), "must be finite"),
     (None, "must be a number"), (1 + 2j, "must be a number")],
)
def test_number_rejects_non_numbers(answer, reason):
    verdict = check_number(answer, 1.0)
    assert not verdict.correct and reason in verdict.message


def test_number_reference_must_be_finite():
    with pytest.raises(ValueError, match="expected must be a finite number"):
        check_number(1.0, float("nan"))


# ----------------------------------------------------------------- check_array
def test_array_checks_shape_then_entries():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert check_array(expected + 1e-9, expected).correct
    shape = check_array(np.ones(4), expected)
    assert not shape.correct and "shape (4,)" in shape.message and "(2, 2)" in shape.message
    entry = check_array([[1.0, 2.0], [3.3, 4.0]], expected)
    assert not entry.correct
    assert "1 of 4 entries" in entry.message and "(1, 0)" in entry.message
    assert "too large by between 1% and 10%" in entry.message and "3.3" not in entry.message


def test_array_reports_missing_return_and_nan():
    assert "forget to return" in check_array(None, [1.0]).message
    nan = check_array([np.nan, 1.0], [0.0, 1.0])
    assert not nan.correct and "is nan" in nan.message
    assert "array of numbers" in check_array([["a"]], [[1.0]]).message


# ----------------------------------------------------------------- check_function
def square_sum(v):
    return np.sum(v**2)


INPUTS = [(np.array([1.0, 2.0]),), (np.array([-3.0, 0.5, 1.0]),)]


def test_function_accepts_an_equivalent_implementation():
    assert check_function(lambda v: float(v @ v), square_sum, INPUTS).correct


def test_function_reports_which_input_fails():
    def wrong(v):
        return np.sum(v**2) if len(v) == 2 else np.sum(np.abs(v))

    verdict = check_function(wrong, square_sum, INPUTS, labels=["two entries", "three entries"])
    assert not verdict.correct
    assert "test input 2 of 2 (three entries)" in verdict.message


def test_function_reports_exceptions_and_non_functions():
    def broken(v):
        raise KeyError("oops")

    verdict = check_function(broken, square_sum, INPUTS)
    assert not verdict.correct and "raised KeyError" in verdict.message
    assert "must be a function" in check_function(3, square_sum, INPUTS).message


def test_function_gives_each_side_its_own_copy_of_the_inputs():
    def sneaky(v):  # right answer, but it destroys its input afterwards
        result = np.sum(v**2)
        v[:] = 0.0
        return result

    args = [(np.array([1.0, 2.0]),)]
    assert check_function(sneaky, square_sum, args).correct
    assert args[0][0].tolist() == [1.0, 2.0]


def test_function_labels_must_match_inputs():
    with pytest.raises(ValueError, match="labels must have one entry per input"):
        check_function(square_sum, square_sum, INPUTS, labels=["only one"])


# ----------------------------------------------------------------- check_choice
def test_choice():
    options = ["converges", "diverges"]
    assert check_choice(" Diverges ", "diverges", options).correct
    wrong = check_choice("converges", "diverges", options)
    assert not wrong.correct and "not what happens" in wrong.message
    invalid = check_choice("explodes", "diverges", options)
    assert not invalid.correct and "'converges', 'diverges'" in invalid.message
    with pytest.raises(ValueError, match="is not one of the options"):
        check_choice("converges", "oscillates", options)


def test_verdict_display():
    verdict = Verdict(True, "fine", solution=42)
    assert str(verdict).startswith("✔ Right.")
    assert "<strong>✔ Right.</strong>" in verdict._repr_html_()
    assert "42" not in repr(verdict) and verdict.reveal() == 42


def test_verdict_html_escapes_formulas_and_starts_with_a_capital():
    verdict = Verdict(False, "on input 1 your 4*w**2 < x differs")
    assert verdict._repr_html_() == (
        "<p><strong>✘ Not yet.</strong> On input 1 your 4*w**2 &lt; x differs</p>"
    )
    assert str(verdict) == "✘ Not yet. On input 1 your 4*w**2 < x differs"


# ----------------------------------------------------------------- the chapter's checkers
def test_example_derivative_checker():
    # d/dw_2 of ½(w_1 x_1 + w_2 x_2 + b − t)² = (w_1 x_1 + w_2 x_2 + b − t) x_2, by hand.
    assert exercises.check_example_derivative("(w_1*x_1 + w_2*x_2 + b - t)*x_2").correct
    assert exercises.check_example_derivative("(y - t)*x_2").correct
    assert exercises.check_example_derivative("x_2*w_1*x_1 + w_2*x_2**2 + b*x_2 - t*x_2").correct
    doubled = exercises.check_example_derivative("2*(y - t)*x_2")
    assert not doubled.correct and "simple constant factor" in doubled.message
    assert "2 times" not in doubled.message  # the factor, with the guess, gives the answer away
    assert not exercises.check_example_derivative("(y - t)*x_1").correct
    assert "could not be read" in exercises.check_example_derivative("(y - t*x_2").message


def test_rate_checkers():
    assert exercises.check_absorbed_rate("2*eta").correct
    half = exercises.check_absorbed_rate("eta/2")
    assert not half.correct and "simple constant factor" in half.message
    assert "1/4" not in half.message  # (η/2) / (2η): the factor would give the answer away
    assert exercises.check_sum_rate("eta/m").correct
    assert not exercises.check_sum_rate("eta").correct
    # y = w x on x = 1, 2, 3: J'' = (1 + 4 + 9)/3 = 14/3, so η_c = 2/(14/3) = 3/7.
    assert exercises.check_critical_rate_1d(3 / 7).correct
    assert exercises.check_critical_rate_1d(sp.Rational(3, 7)).correct
    assert not exercises.check_critical_rate_1d(6 / 7).correct
    # With the bias: H = [[14/3, 2], [2, 1]], λ_max = (17 + √265)/6.
    assert exercises.check_hessian([[14 / 3, 2], [2, 1]]).correct
    assert exercises.check_hessian(sp.Matrix([[sp.Rational(14, 3), 2], [2, 1]])).correct
    assert not exercises.check_hessian([[14 / 3, 2], [2, 0]]).correct
    assert exercises.check_critical_rate_with_bias(12 / (17 + math.sqrt(265))).correct
    assert not exercises.check_critical_rate_with_bias(3 / 7).correct


def test_fastest_rate_checker():
    X = np.array([[1.0], [2.0], [3.0]])
    # λ_min + λ_max = trace(H) = 14/3 + 1 = 17/3, so the balanced rate is 6/17.
    assert exercises.check_fastest_rate(6 / 17, X).correct
    assert not exercises.check_fastest_rate(0.5, X).correct


def test_gradient_function_checker():
    def right(X, t_, w_, b_):
        r = X @ w_ + b_ - t_
        return X.T @ r / len(t_), float(np.mean(r))

    def summed(X, t_, w_, b_):  # forgets the 1/m
        r = X @ w_ + b_ - t_
        return X.T @ r, float(np.sum(r))

    assert exercises.check_gradient_function(right).correct
    verdict = exercises.check_gradient_function(summed)
    assert not verdict.correct and "m = 5 examples" in verdict.message
    single = exercises.check_gradient_function(lambda X, t_, w_, b_: X.T @ (X @ w_ - t_))
    assert not single.correct and "must return a pair" in single.message


def my_fit(X, t_, lr, epochs, batch_size):
    """A reader's loop written independently of bpnotes: in order, mean gradient per batch."""
    m, n = X.shape
    size = m if batch_size is None else batch_size
    w_, b_ = np.zeros(n), 0.0
    for _ in range(epochs):
        for start in range(0, m, size):
            xb, tb = X[start:start + size], t_[start:start + size]
            r = xb @ w_ + b_ - tb
            w_, b_ = w_ - lr * xb.T @ r / len(tb), b_ - lr * float(np.mean(r))
    return w_, b_


def test_update_loop_checker():
    assert exercises.check_update_loop(my_fit).correct

    def divides_by_batch_size(X, t_, lr, epochs, batch_size):  # wrong on the short batch
        m, n = X.shape
        size = m if batch_size is None else batch_size
        w_, b_ = np.zeros(n), 0.0
        for _ in range(epochs):
            for start in range(0, m, size):
                xb, tb = X[start:start + size], t_[start:start + size]
                r = xb @ w_ + b_ - tb
                w_, b_ = w_ - lr * xb.T @ r / size, b_ - lr * float(np.sum(r)) / size
        return w_, b_

    verdict = exercises.check_update_loop(divides_by_batch_size)
    assert not verdict.correct and "the last has 1 example" in verdict.message


def test_per_example_prediction_checker():
    from bpnotes import linear
    from bpnotes.linear import chapter_data

    X, t_ = chapter_data()
    outcome = linear.fit(X, t_, 0.9 * linear.critical_learning_rate(X), 30, batch_size=1)
    # The largest per-example curvature 1 + x_i² (up to 10 here) exceeds λ_max of the
    # mean Hessian, so per-example steps are unstable well below η_c.
    assert outcome.diverged
    assert exercises.check_per_example_prediction("diverges").correct
    assert not exercises.check_per_example_prediction("converges").correct


def test_number_messages_for_negative_and_sign_errors():
    assert "too large in magnitude" in check_number(-0.02, -0.0109).message
    assert "too small in magnitude" in check_number(-0.01, -0.0109).message
    assert "of the wrong sign" in check_number(0.3, -0.0109).message
    assert "too small by" in check_number(0.4, 0.5).message


def test_term_hint_is_left_out_when_the_expansion_would_be_unreadable():
    w, L, l_ = sp.symbols("w L l")
    verdict = check_expression("(w/4)**(L - l - 1)", (w / 4) ** (L - l_), symbols=[w, L, l_])
    assert not verdict.correct and "Expanded" not in verdict.message
    assert "4**" not in verdict.message


def test_smallest_count_says_too_few_or_too_many_without_the_distance():
    from bpnotes.exercises.checkers import check_smallest_count

    def after(k):  # 2^-k falls below 0.01 first at k = 7 (1/128); 1/64 at k = 6 is above
        return f"the value is {2.0**-k:.4f}"

    assert check_smallest_count(7, 7, unit="halvings", after=after)
    assert check_smallest_count(7.0, 7, unit="halvings", after=after)
    few, many = (check_smallest_count(k, 7, unit="halvings", after=after) for k in (5, 9))
    assert not few and "not there yet" in few.message and "0.0312" in few.message
    assert not many and "fewer halvings already" in many.message
    for verdict in (few, many):
        assert "7" not in verdict.message.replace("0.0078", "")
    assert "whole number" in check_smallest_count(6.5, 7, unit="halvings", after=after).message
    assert "whole number" in check_smallest_count(True, 7, unit="halvings", after=after).message
