"""The autodiff chapter's exercise checkers: solutions pass, plausible slips fail, bad input
gets a verdict; and the facts the solutions state, checked by running them."""

from __future__ import annotations

import math
import re
import sys

import numpy as np
import pytest

from bpnotes import MLP, autodiff
from bpnotes.autodiff import Value
from bpnotes.exercises import check, describe, exercises

LABELS = ["ex-ad-div-rule", "ex-ad-reuse", "ex-ad-sin", "ex-ad-dense", "ex-ad-fd-count",
          "ex-ad-modes", "ex-ad-symmetry"]


def test_every_exercise_of_the_chapter_has_a_checker():
    assert set(LABELS) <= set(exercises())
    kinds = {label: describe(label)["kind"] for label in LABELS}
    assert kinds["ex-ad-sin"] == kinds["ex-ad-dense"] == "function"
    assert describe("ex-ad-symmetry")["options"] == ["equal", "different"]


def test_prompts_begin_with_a_word_not_with_code():
    # the answer box capitalises a prompt's first letter: "x.grad" would become "X.grad"
    for label in LABELS:
        prompt = describe(label)["prompt"]
        assert not re.match(r"[A-Za-z_]\w*[.(]", prompt), (label, prompt)


def sin_solution(v):
    return Value(math.sin(v.data), inputs=(v,), local_grads=(math.cos(v.data),), op="sin")


def dense_solution(A, W, delta):
    return delta.T @ A, delta @ W, delta.sum(axis=0)


@pytest.mark.parametrize(
    "label, answer",
    [
        ("ex-ad-div-rule", "-q/b"),
        ("ex-ad-div-rule", "-(q/b)"),
        ("ex-ad-reuse", 15),
        ("ex-ad-reuse", "15.0"),
        ("ex-ad-fd-count", 9620),
        ("ex-ad-fd-count", "9,620"),                     # thousands separators
        ("ex-ad-fd-count", "9 620"),
        ("ex-ad-modes", 10),
        ("ex-ad-symmetry", "different"),
        ("ex-ad-symmetry", " Different "),
        ("ex-ad-sin", sin_solution),
        ("ex-ad-dense", dense_solution),
    ],
)
def test_solutions_are_right(label, answer):
    verdict = check(label, answer)
    assert verdict.correct, str(verdict)


def sin_without_inputs(v):
    return Value(math.sin(v.data))


def sin_with_wrong_slope(v):
    return Value(math.sin(v.data), inputs=(v,), local_grads=(-math.cos(v.data),))


def sin_wrong_value(v):
    return Value(math.cos(v.data), inputs=(v,), local_grads=(math.cos(v.data),))


def sin_returning_float(v):
    return math.sin(v.data)


def sin_that_raises(v):
    raise RuntimeError("not yet")


def sin_that_exits(v):
    sys.exit("done")


def sin_that_loops(v):
    while True:
        pass


def dense_transposed(A, W, delta):
    return A.T @ delta, delta @ W, delta.sum(axis=0)


def dense_mean(A, W, delta):
    return delta.T @ A, delta @ W, delta.mean(axis=0)


def dense_two_results(A, W, delta):
    return delta.T @ A, delta @ W


@pytest.mark.parametrize(
    "label, answer, says",
    [
        ("ex-ad-div-rule", "1/b", "differ"),
        ("ex-ad-div-rule", "q/b", "factor"),
        ("ex-ad-div-rule", "-a/b**2", "not part of this exercise"),
        ("ex-ad-div-rule", "-q/abs(b)", "b=-"),          # right for b > 0 only
        ("ex-ad-div-rule", "-q/sqrt(b**2)", "b=-"),
        ("ex-ad-div-rule", "__import__('os')", ""),
        ("ex-ad-div-rule", None, ""),
        ("ex-ad-reuse", 9, "too small"),
        ("ex-ad-reuse", "fifteen", ""),
        ("ex-ad-fd-count", 4810, "factor"),
        ("ex-ad-fd-count", 9620.5, ""),
        ("ex-ad-fd-count", "9, 620", "list"),           # a list, not a grouped number
        ("ex-ad-fd-count", "1,000", "too small"),
        ("ex-ad-modes", 1000, "too large"),
        ("ex-ad-symmetry", "equal", "not what happens"),
        ("ex-ad-symmetry", "maybe", "one of"),
        ("ex-ad-sin", sin_without_inputs, "inputs=(v,)"),
        ("ex-ad-sin", sin_with_wrong_slope, "local derivative"),
        ("ex-ad-sin", sin_wrong_value, "not sin"),
        ("ex-ad-sin", sin_returning_float, "must return a Value"),
        ("ex-ad-sin", sin_that_raises, "RuntimeError"),
        ("ex-ad-sin", sin_that_exits, "sys.exit()"),
        ("ex-ad-sin", "math.sin", "function"),
        ("ex-ad-dense", dense_transposed, "shape"),
        ("ex-ad-dense", dense_mean, "db"),
        ("ex-ad-dense", dense_two_results, "three arrays"),
        ("ex-ad-dense", None, "function"),
    ],
)
def test_slips_and_bad_answers_get_a_wrong_verdict_that_says_why(label, answer, says):
    verdict = check(label, answer)
    assert not verdict.correct
    assert says in str(verdict)


def test_a_sin_that_never_returns_is_stopped():
    verdict = check("ex-ad-sin", sin_that_loops)
    assert not verdict.correct and "5 s" in str(verdict)


def test_the_reuse_answer_is_what_the_engine_computes():
    x, y = Value(2.0), Value(3.0)
    u = x * y
    f = u * x + u
    f.backward()
    assert check("ex-ad-reuse", x.grad).correct


def test_the_symmetry_solution_is_what_training_does():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(30, 2)), rng.normal(size=(30, 1))
    net = autodiff.equal_weights_network([2, 4, 1], 0.5, hidden="tanh", output="identity",
                                         loss="squared")
    net.weights[1][...] = rng.normal(size=net.weights[1].shape)
    assert np.ptp(net.weights[0], axis=0).max() == 0.0   # equal rows at the start
    net.train(X, Y, lr=0.1, epochs=30, shuffle=False)
    spread = np.ptp(net.weights[0], axis=0).max()
    assert spread > 1e-3
    assert check("ex-ad-symmetry", "different" if spread > 1e-9 else "equal").correct


def test_the_count_is_twice_the_parameters_of_that_network():
    net = MLP([64, 64, 10])
    P = sum(p.size for p in net.weights + net.biases)
    assert check("ex-ad-fd-count", 2 * P).correct
