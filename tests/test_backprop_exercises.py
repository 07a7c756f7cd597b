"""The backpropagation chapter's exercises: the backprop grader (ex-bp-implement), the
"find the bug" helpers and checkers, and the derivation checkers, through ``check``."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from bpnotes.backprop import worked_example_network
from bpnotes.exercises import backprop as ex
from bpnotes.exercises import check
from bpnotes.gradcheck import check_mlp_gradients


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def reference_backprop(weights, biases, X, Y, *, skip_slope_at=None, scale_layer=None,
                       sum_instead_of_mean=False):
    """A textbook implementation written for the tests, with switchable mistakes.

    ``skip_slope_at=l`` forgets f'(z) when computing δ^l (book layer l);
    ``scale_layer=l`` multiplies the W^l gradient by 1.5; ``sum_instead_of_mean`` forgets
    to divide by m.
    """
    acts = [X]
    for W, b in zip(weights, biases, strict=True):
        acts.append(_sigmoid(acts[-1] @ W.T + b))
    m = 1 if sum_instead_of_mean else X.shape[0]
    delta = acts[-1] - Y
    L = len(weights)
    gw, gb = [None] * L, [None] * L
    for layer in range(L, 0, -1):
        gw[layer - 1] = delta.T @ acts[layer - 1] / m
        gb[layer - 1] = delta.sum(axis=0) / m
        if layer == scale_layer:
            gw[layer - 1] = 1.5 * gw[layer - 1]
        if layer > 1:
            a = acts[layer - 1]
            back = delta @ weights[layer - 1]
            delta = back if skip_slope_at == layer - 1 else back * a * (1 - a)
    return gw, gb


def test_correct_implementation_passes():
    verdict = check("ex-bp-implement", reference_backprop)
    assert verdict.correct, verdict.message


def _depth_of_first_network():
    net, _, _ = ex.random_network(1)
    return net.n_layers


@pytest.mark.parametrize("broken", [1, 2])
def test_broken_delta_rule_is_caught_and_its_layer_named(broken):
    assert _depth_of_first_network() >= 3
    verdict = check("ex-bp-implement", lambda *a: reference_backprop(*a, skip_slope_at=broken))
    assert not verdict.correct
    assert f"(layer {broken}) is wrong" in verdict.message
    assert f"W^{broken}" in verdict.message


def test_scaled_gradient_is_named_with_its_factor():
    verdict = check("ex-bp-implement", lambda *a: reference_backprop(*a, scale_layer=2))
    assert not verdict.correct
    assert "W^2 (layer 2)" in verdict.message and "1.5 times" in verdict.message


def test_missing_average_is_diagnosed():
    verdict = check("ex-bp-implement", lambda *a: reference_backprop(*a, sum_instead_of_mean=True))
    assert not verdict.correct and "average over the m examples" in verdict.message


def test_a_sum_instead_of_a_mean_is_one_factor_in_every_layer_not_a_wrong_delta():
    verdict = check("ex-bp-implement", lambda *a: reference_backprop(*a, sum_instead_of_mean=True))
    _, X, _ = ex.random_network(1)
    assert f"every layer's gradient is {X.shape[0]} times the right one" in verdict.message
    assert "wrong too" not in verdict.message and "delta" not in verdict.message


def test_all_zero_gradients_are_called_zeros_not_a_factor():
    def zeros(weights, biases, X, Y):
        return [np.zeros_like(W) for W in weights], [np.zeros_like(b) for b in biases]

    message = check("ex-bp-implement", zeros).message
    assert "all zeros" in message and "times the right one" not in message


def test_layer_lists_are_written_out():
    assert _depth_of_first_network() == 3
    above = check("ex-bp-implement", lambda *a: reference_backprop(*a, skip_slope_at=2)).message
    assert "Layer 3 is right" in above and "Layer 1 is wrong too" in above
    bottom = check("ex-bp-implement", lambda *a: reference_backprop(*a, skip_slope_at=1)).message
    assert "Layers 2 and 3 are right" in bottom and ".." not in bottom


def test_no_factor_hint_for_a_single_number():
    def scaled_output_bias(weights, biases, X, Y):
        gw, gb = reference_backprop(weights, biases, X, Y)
        gb[-1] = 3.0 * gb[-1]          # b^L of the first network has one entry
        return gw, gb

    net, _, _ = ex.random_network(1)
    assert net.biases[-1].size == 1
    verdict = check("ex-bp-implement", scaled_output_bias)
    assert not verdict.correct and "b^3 (layer 3)" in verdict.message
    assert "times the right one" not in verdict.message


def test_grader_reports_exceptions_shapes_and_types():
    assert "raised ZeroDivisionError" in check("ex-bp-implement", lambda *a: 1 / 0).message
    assert "must return a pair" in check("ex-bp-implement", lambda *a: None).message
    transposed = check("ex-bp-implement", lambda w, b, X, Y: ([x.T for x in w], b))
    assert not transposed.correct and "has shape" in transposed.message
    short = check("ex-bp-implement", lambda w, b, X, Y: (w[:1], b))
    assert not short.correct and "list of" in short.message
    assert not check("ex-bp-implement", "not a function").correct


def test_grader_does_not_let_the_reader_modify_its_network():
    def vandal(weights, biases, X, Y):
        for W in weights:
            W[:] = 0.0
        return reference_backprop(weights, biases, X, Y)

    verdict = check("ex-bp-implement", vandal)
    # The reader's own copies were zeroed, so their gradients are wrong, but the grader's
    # network was not: a correct implementation still passes afterwards.
    assert not verdict.correct
    assert check("ex-bp-implement", reference_backprop).correct


# ---------------------------------------------------------------- find the bug
def _hand_circulated_output():
    """The circulated computation done by hand: h5 slope a5(1 − a4); w ← w − w·g."""
    s = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    h1, h2, h3 = s(0.8), s(0.5), s(-0.1)
    h4, h5 = s(-0.5 * h1 + 0.4 * h2), s(0.3 * h1 + 0.6 * h2 + 0.4 * h3)
    o = s(0.5 * h4 + 0.7 * h5)
    d_o = o - 1
    d4 = h4 * (1 - h4) * 0.5 * d_o
    d5 = h5 * (1 - h4) * 0.7 * d_o
    d1 = h1 * (1 - h1) * (-0.5 * d4 + 0.3 * d5)
    d2 = h2 * (1 - h2) * (0.4 * d4 + 0.6 * d5)
    d3 = h3 * (1 - h3) * (0.4 * d5)
    step = lambda w, g: w - w * g  # noqa: E731
    w11, w21 = step(0.5, d1), step(-0.2, d2)
    b1, b2, b3 = step(0.3, d1), step(0.7, d2), step(-0.1, d3)
    n1, n2, n3 = s(w11 + b1), s(w21 + b2), s(b3)
    n4 = s(step(-0.5, d4 * h1) * n1 + step(0.4, d4 * h2) * n2)
    n5 = s(step(0.3, d5 * h1) * n1 + step(0.6, d5 * h2) * n2 + step(0.4, d5 * h3) * n3)
    return s(step(0.5, d_o * h4) * n4 + step(0.7, d_o * h5) * n5)


def test_circulated_step_reproduces_0_7043():
    _, _, output = ex.circulated_step()
    assert output == pytest.approx(_hand_circulated_output(), rel=1e-12)
    assert round(output, 4) == 0.7043


def test_gradient_check_exposes_the_derivative_slip():
    net = worked_example_network()
    checks = check_mlp_gradients(net, np.array([[1.0, 0.0]]), np.array([[1.0]]),
                                 ex.circulated_gradients())
    failed = {c.name for c in checks if not c.passed}
    assert failed == {"W^2", "W^1", "b^1"}
    gw, _ = ex.circulated_gradients()
    correct = net.gradients(np.array([[1.0, 0.0]]), np.array([[1.0]]))
    np.testing.assert_allclose(gw[1][0], correct.weights[1][0], rtol=1e-12)   # h4 row ok
    assert not np.allclose(gw[1][1], correct.weights[1][1])                    # h5 row not


def test_find_the_bug_checkers():
    for right in (5, "h5"):
        assert check("ex-bp-find-bug:unit", right).correct
    for wrong_unit in (4, 2, "seven", 9):
        assert not check("ex-bp-find-bug:unit", wrong_unit).correct
    assert check("ex-bp-find-bug:derivative", "a5 - a5**2").correct
    wrong = check("ex-bp-find-bug:derivative", "a5*(1 - a4)")
    assert not wrong.correct and "a4" in wrong.message
    assert check("ex-bp-find-bug:update", "w - g*eta").correct
    circulated = check("ex-bp-find-bug:update", "w - w*g")
    assert not circulated.correct and "slipped version" in circulated.message
    assert not check("ex-bp-find-bug:update", "w + eta*g").correct


def test_worked_delta_checker_uses_the_true_delta():
    s = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    h1, h2, h3 = s(0.8), s(0.5), s(-0.1)
    h4, h5 = s(-0.5 * h1 + 0.4 * h2), s(0.3 * h1 + 0.6 * h2 + 0.4 * h3)
    d_o = s(0.5 * h4 + 0.7 * h5) - 1
    d2 = h2 * (1 - h2) * (0.4 * h4 * (1 - h4) * 0.5 * d_o + 0.6 * h5 * (1 - h5) * 0.7 * d_o)
    assert check("ex-bp-hand-delta", d2).correct
    assert check("ex-bp-hand-delta", round(d2, 4)).correct        # four digits are enough
    assert not check("ex-bp-hand-delta", -d2).correct
    assert check("ex-bp-hand-delta", "-0.01085").correct      # typed as a string


def test_derivation_checkers_accept_derived_answers_and_reject_others():
    o, y, z = sp.symbols("o y z")
    tanh_delta = sp.diff((sp.tanh(z) - y) ** 2 / 2, z)
    as_o = sp.expand(tanh_delta).subs(sp.tanh(z), o)
    assert check("ex-bp-tanh-delta", as_o).correct
    assert not check("ex-bp-tanh-delta", "o - y").correct
    assert check("ex-bp-l2", "lam*w/m").correct
    assert not check("ex-bp-l2", "lam*w/(2*m)").correct
    assert check("ex-bp-count", 18).correct and not check("ex-bp-count", 20).correct
    right = "delta3*(W3_11*a2_1*(1-a2_1)*W2_11 + W3_12*a2_2*(1-a2_2)*W2_21)*a1_1*(1-a1_1)*x1"
    assert check("ex-bp-path-sum", right).correct
    one_path = "delta3*W3_11*a2_1*(1-a2_1)*W2_11*a1_1*(1-a1_1)*x1"
    assert not check("ex-bp-path-sum", one_path).correct


def test_random_networks_are_seeded_and_varied():
    a = ex.random_network(3)
    b = ex.random_network(3)
    np.testing.assert_array_equal(a[1], b[1])
    depths = {ex.random_network(s)[0].n_layers for s in range(1, 30)}
    assert depths == {2, 3, 4}


# ---------------------------------------------------------------- answers in other spellings
@pytest.mark.parametrize("unit", [5, "5", "h5", 5.0, np.float64(5.0), "5.0", " H5 "])
def test_the_wrong_unit_may_be_written_in_several_ways(unit):
    verdict = check("ex-bp-find-bug", unit, "a5*(1 - a5)", "w - eta*g")
    assert verdict.correct, verdict.message


@pytest.mark.parametrize("unit", [4.0, 5.5, "4.0"])
def test_other_units_stay_wrong(unit):
    assert not check("ex-bp-find-bug", unit, "a5*(1 - a5)", "w - eta*g").correct


def test_the_slipped_update_is_told_to_answer_with_the_right_one():
    message = check("ex-bp-find-bug", 5, "a5*(1 - a5)", "w - w*g").message
    assert "slipped version's update" in message and "right one" in message


@pytest.mark.parametrize(("answer", "correct"), [
    ("minibatch", False), ("mini batch", False), ("SGD", True), ("sgd", True),
    ("online", True), ("stochastic", True), ("Per-Example", True), ("fullbatch", False)])
def test_minibatch_prediction_reads_common_names(answer, correct):
    verdict = check("ex-bp-minibatch", answer)
    assert verdict.correct == correct and "answer with one of" not in verdict.message


@pytest.mark.parametrize(("answer", "correct"), [
    ("50%", True), (" 50 % ", True), ("½", True), ("1/2", True), (0.5, True),
    ("25%", False), ("¼", False), ("0.5%", False)])
def test_kink_fraction_reads_percentages_and_fraction_characters(answer, correct):
    assert check("ex-bp-kink", answer).correct == correct


@pytest.mark.parametrize(("answer", "shown"), [
    ("(o - y)(1 - o^2)", "(o - y)"), ("2(o - y)", "2"), ("tanh(o)(1 - o)", "tanh(o)")])
def test_a_product_without_a_star_gets_the_multiplication_hint(answer, shown):
    verdict = check("ex-bp-tanh-delta", answer)
    assert not verdict.correct
    assert f"to multiply, write {shown}*(...)" in verdict.message
