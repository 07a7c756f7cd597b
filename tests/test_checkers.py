"""The generic answer checkers: the safe parser, formulas, numbers, choices, arrays, functions,
verdicts and the time limit.

Oracles: hand derivations, sympy's own arithmetic on expressions built by the test (not by
the parser), and properties that must hold whatever the answer (a verdict, never an
exception; nothing executed).
"""

from __future__ import annotations

import math
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from bpnotes.exercises import (
    Reason,
    Verdict,
    check_array,
    check_choice,
    check_formula,
    check_function,
    check_number,
    check_smallest_count,
)
from bpnotes.exercises.parsing import (
    MAX_EXPONENT,
    AnswerError,
    parse_formula,
    read_array,
    read_expression,
    read_number,
)
from bpnotes.exercises.timeout import CheckTimeout, can_limit_time, time_limit
from bpnotes.exercises.verdict import sentence_start

x, t, w = sp.symbols("x t w", real=True)
SYMBOLS = {"x": x, "t": t}


# ----------------------------------------------------------------- the parser
@pytest.mark.parametrize(
    ("text", "built"),
    [
        ("2*x*(x - t)", 2 * x * (x - t)),
        ("2*x^2 - 2*t*x", 2 * x**2 - 2 * t * x),                 # ^ is a power
        ("x**-1", 1 / x),
        ("0.25*x", x / 4),                                      # decimals read exactly
        ("1e-3", sp.Rational(1, 1000)),
        ("-(x)", -x),
        ("+x", x),
        ("exp(x) + log(t) + sqrt(x) + tanh(t) + abs(x)", sp.exp(x) + sp.log(t) + sp.sqrt(x)
         + sp.tanh(t) + sp.Abs(x)),
        ("sigma(x)", 1 / (1 + sp.exp(-x))),
        ("2 × x − t", 2 * x - t),                                # pasted from the page
        ("pi*e", sp.pi * sp.E),
    ],
)
def test_parser_builds_the_formula_it_reads(text, built):
    assert sp.simplify(parse_formula(text, SYMBOLS) - built) == 0


@pytest.mark.parametrize("text", ["1/lambda", "1 / lambda", "lambda**-1", "(lambda)^(-1)"])
def test_the_word_lambda_is_read_as_lam_where_lam_is_a_symbol(text):
    lam = sp.Symbol("lam", positive=True)
    assert sp.simplify(parse_formula(text, {"lam": lam}) - 1 / lam) == 0


@pytest.mark.parametrize(
    ("text", "reason", "words"),
    [
        ("", Reason.PARSE, "empty"),
        ("x+", Reason.PARSE, "ends with an operator"),
        ("(x + 1", Reason.PARSE, "unbalanced"),
        ("2x", Reason.PARSE, "2*x"),
        ("f(x)", Reason.PARSE, "not one of those allowed"),
        ("x(1 - x)", Reason.PARSE, "to multiply, write x*(...)"),
        ("p.foo", Reason.PARSE, "attribute access"),
        ("x.foo", Reason.PARSE, "attribute access"),
        ("x % 0", Reason.PARSE, "operator %"),
        ("x // 2", Reason.PARSE, "operator //"),
        ("x[0]", Reason.PARSE, "indexing"),
        ("lambda: 1", Reason.PARSE, "lambda"),
        ("1/lambda", Reason.SYMBOL, "name lambda is not part of this exercise"),
        ("[v for v in x]", Reason.PARSE, "comprehensions"),
        ("x if t else 1", Reason.PARSE, "if/else"),
        ("x < t", Reason.PARSE, "comparisons"),
        ("w = w - eta*g", Reason.PARSE, "assignment or an equation"),
        ("w -= eta*g", Reason.PARSE, "assignment or an equation"),
        ("x == 2", Reason.PARSE, "assignment or an equation"),
        ("1j*x", Reason.TYPE, "complex"),
        ("True", Reason.TYPE, "not a number"),
        ("None", Reason.TYPE, "not a number"),
        ("'x'", Reason.TYPE, "string"),
        ("q*x", Reason.SYMBOL, "available are: t, x"),
        ("exp", Reason.PARSE, "is a function"),
        ("exp(x, t)", Reason.PARSE, "one argument"),
        ("9**9**9**9", Reason.LIMIT, "digits"),
        ("(x+1)**2000", Reason.LIMIT, f"larger than {MAX_EXPONENT}"),
        ("x" + "+x" * 600, Reason.LIMIT, "longer than"),
        ("(" * 250 + "x" + ")" * 250, Reason.LIMIT, "nested"),
        ("-" * 100 + "x", Reason.LIMIT, "nested"),
        ("1e999", Reason.NOT_FINITE, "infinite"),
        ("[x, t]", Reason.TYPE, "single formula"),
    ],
)
def test_parser_refuses_with_a_reason(text, reason, words):
    with pytest.raises(AnswerError) as caught:
        parse_formula(text, SYMBOLS)
    assert caught.value.reason == reason
    assert words in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('touch {path}')",
        "open('{path}', 'w')",
        "exec(\"open('{path}', 'w')\")",
        "eval(\"open('{path}', 'w')\")",
        "(lambda: open('{path}', 'w'))()",
        "[open('{path}', 'w') for _ in (1,)]",
        "x.__class__.__base__.__subclasses__()",
        "sigma(open('{path}', 'w'))",
    ],
)
def test_no_reader_text_is_executed(tmp_path: Path, text: str):
    planted = tmp_path / "planted"
    answer = text.format(path=planted)
    with pytest.raises(AnswerError):
        parse_formula(answer, SYMBOLS)
    verdict = check_formula(answer, x, symbols=SYMBOLS)
    assert not verdict and verdict.reason in (Reason.PARSE, Reason.SYMBOL, Reason.TYPE)
    assert not check_number(answer, 1.0)
    assert not planted.exists()


def test_sympify_is_never_called_on_reader_text(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("sympify was called")

    monkeypatch.setattr(sp, "sympify", forbidden)
    monkeypatch.setattr(sp, "parse_expr", forbidden)
    assert parse_formula("2*x*(x - t)", SYMBOLS) == 2 * x * (x - t)
    assert read_number("1/4") == 0.25


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=40))
def test_any_text_gets_a_verdict(text):
    verdict = check_formula(text, 2 * x * (x - t), symbols=SYMBOLS)
    assert isinstance(verdict, Verdict)
    assert isinstance(check_number(text, 0.5), Verdict)
    assert isinstance(check_choice(text, "a", ["a", "b"]), Verdict)


# ----------------------------------------------------------------- formulas
@pytest.mark.parametrize(
    "answer",
    [
        "2*x*(x - t)",
        "2*x**2 - 2*x*t",
        "2*x^2 - 2*t*x",
        2 * x * (x - t),
        sp.Symbol("x") * 2 * (sp.Symbol("x") - sp.Symbol("t")),           # no assumptions
        sp.Symbol("x", positive=True) * 2 * (sp.Symbol("x", positive=True) - sp.Symbol("t")),
    ],
)
def test_formula_accepts_equivalent_forms(answer):
    verdict = check_formula(answer, 2 * x**2 - 2 * x * t, symbols=SYMBOLS)
    assert verdict.correct, verdict.message
    assert verdict.reason == Reason.CORRECT
    assert str(verdict).startswith("✔")


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=3, max_size=3))
def test_formula_accepts_any_factored_quadratic_in_expanded_form(coefficients):
    a, b, c = coefficients
    factored = (a * x + b) * (x - c)
    assert check_formula(str(sp.expand(factored)), factored, symbols={"x": x}).correct


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("x*(x - t)", Reason.FACTOR),             # a lost factor 2
        ("6*x*(x - t)", Reason.FACTOR),
        ("-2*x*(x - t)", Reason.SIGN),
        ("2*x**2", Reason.MISSING_TERM),
        ("2*x**2 - 2*x*t + t", Reason.EXTRA_TERM),
        ("2*x*(x + t)", Reason.WRONG),            # a term with the wrong coefficient
        ("2*x*(x - q)", Reason.SYMBOL),
        ("2*x*(x - t", Reason.PARSE),
        ([1, 2], Reason.TYPE),
        (None, Reason.TYPE),
        (True, Reason.TYPE),
        (1 + 5j, Reason.TYPE),
        (sp.Eq(x, 2), Reason.TYPE),
        (sp.Matrix([[x]]), Reason.TYPE),
        (sp.Integral(x, x), Reason.TYPE),
        (sp.Derivative(x**2, x), Reason.TYPE),
        (sp.Function("f")(x), Reason.TYPE),
        (sp.I * x, Reason.TYPE),
        ("x/0", Reason.NOT_FINITE),
        ("log(0)", Reason.NOT_FINITE),
    ],
)
def test_formula_rejects_wrong_answers_with_the_reason(answer, reason):
    verdict = check_formula(answer, 2 * x * (x - t), symbols=SYMBOLS)
    assert not verdict.correct
    assert verdict.reason == reason, verdict.message
    assert str(verdict).startswith("✘ Not yet.")


def test_formula_factor_hint_only_when_the_whole_answer_is_a_multiple():
    reference = 2 * x * (x - t) + 3
    assert check_formula("4*x*(x - t) + 6", reference, symbols=SYMBOLS).reason == Reason.FACTOR
    partly = check_formula("4*x*(x - t) + 3", reference, symbols=SYMBOLS)
    assert partly.reason != Reason.FACTOR and "constant factor" not in partly.message


@pytest.mark.parametrize("answer", ["1e-300", "x**30*1e-30", "1e-6*x*(x - t)", "1e6*x*(x - t)"])
def test_formula_factor_hint_only_for_a_ratio_of_ordinary_size(answer):
    # Tiny answers have tiny ratios to the reference that differ from point to point, and
    # a factor of a million is not a slip in a constant: neither is called a factor.
    verdict = check_formula(answer, 2 * x * (x - t), symbols=SYMBOLS)
    assert not verdict.correct
    assert verdict.reason not in (Reason.FACTOR, Reason.SIGN), verdict.message
    assert "constant factor" not in verdict.message


def test_formula_never_prints_the_reference_but_reveals_it_on_request():
    reference = 3 * x**2 * t - sp.Rational(1, 7) * t
    verdict = check_formula("3*x**2*t", reference, symbols=SYMBOLS)
    assert not verdict.correct
    for form in (str(reference), str(sp.expand(reference)), "1/7", "t/7"):
        assert form not in verdict.message
    assert "At " in verdict.message and "differ by" in verdict.message
    assert verdict.reveal() == reference


def test_formula_points_respect_domains_and_integer_symbols():
    L, l_ = sp.symbols("L l", integer=True, positive=True)
    # (−1)^(L − l) equals 1 exactly when L − l is even: a real-valued test at integer points.
    reference = (-1) ** (2 * (L - l_))
    assert check_formula("1", reference, symbols={"L": L, "l": l_})
    p = sp.Symbol("p", positive=True)
    logit = sp.log(p / (1 - p))
    assert check_formula("log(p) - log(1 - p)", logit, symbols={"p": p},
                         domains={"p": (0.05, 0.95)})


@pytest.mark.parametrize("tower", ["L**L**L**L", "L**L**L**L**L",
                                   "exp(exp(exp(exp(exp(exp(L))))))", "sin(exp(exp(L + 35)))",
                                   "cos(10**(10**12*L))", "tanh(exp(exp(L + 21)))"])
def test_power_towers_get_a_verdict_at_once_and_in_little_memory(tower):
    """At L = 6, L**L**L**L has about 10^36305 digits: evaluating it would exhaust memory
    (mpmath computes it), so such a value counts as too large to compute."""
    import resource

    L = sp.Symbol("L", integer=True, positive=True)
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    verdict = check_formula(tower, L**2, symbols={"L": L}, domains={"L": (6, 6)})
    assert not verdict.correct
    assert "too large" in verdict.message or "differ" in verdict.message  # tanh(huge) = 1
    assert time.monotonic() - started < 2
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB


@pytest.mark.parametrize("answer", ["exp(exp(exp(exp(5))))", "sin(exp(exp(10)))",
                                    "tanh(exp(exp(25)))", "exp(-exp(exp(exp(5))))"])
def test_numbers_too_large_to_compute_get_a_verdict_at_once(answer):
    started = time.monotonic()
    verdict = check_number(answer, 0.5)
    assert not verdict.correct and verdict.reason == Reason.NOT_FINITE
    assert time.monotonic() - started < 2


def test_tiny_values_round_to_zero_and_huge_tanh_is_one():
    """Guards that must not call a fair value 'too large': sigma of a huge argument is 1."""
    z = sp.Symbol("z", positive=True)
    assert check_formula("sigma(exp(11 + z))", sp.Integer(1), symbols={"z": z})
    assert check_formula("tanh(exp(50 + z))", sp.Integer(1), symbols={"z": z})
    assert check_number("exp(-exp(11))", 0, atol=1e-12)


def test_formula_names_the_point_only_in_the_readers_symbols():
    hidden = sp.Symbol("hidden", real=True)
    verdict = check_formula("2*y", hidden + 1, symbols={"y": sp.Symbol("y", real=True)},
                            substitutions={sp.Symbol("y", real=True): hidden})
    assert not verdict and "hidden" not in verdict.message


@pytest.mark.parametrize(("answer", "named"), [
    ("2*x*(x + t)", "the coefficient of t*x"),      # 2x² + 2tx against 2x² − 2tx
    ("2*x**2 - 2*x*t + 5", None),                    # an extra constant: not a coefficient
    ("2*x**2 - 2*x*t - 4", None),
])
def test_term_hint_names_a_changed_coefficient_not_an_extra_term(answer, named):
    verdict = check_formula(answer, 2 * x * (x - t), symbols=SYMBOLS)
    assert not verdict.correct
    if named is not None:
        assert named in verdict.message and "not in the right answer" not in verdict.message
        assert "-2" not in verdict.message             # the right coefficient is not shown
    else:
        assert "coefficient" not in verdict.message and "not in the right answer" in verdict.message


def test_term_hint_names_the_constant_term_when_only_its_value_differs():
    verdict = check_formula("2*x**2 - 2*x*t + 5", 2 * x * (x - t) + 3, symbols=SYMBOLS)
    assert "the constant term is not the right one" in verdict.message, verdict.message
    assert "3" not in verdict.message.split("Expanded")[1]


def test_term_hint_is_left_out_when_the_expansion_would_be_unreadable():
    L, l_ = sp.symbols("L l", integer=True, positive=True)
    verdict = check_formula("(w/4)**(L - l - 1)", (w / 4) ** (L - l_),
                            symbols={"w": w, "L": L, "l": l_})
    assert not verdict.correct and "Expanded" not in verdict.message
    assert "4**" not in verdict.message


def test_formula_diagnosis_hook_replaces_the_generic_message():
    def swapped(given):
        return Verdict(False, "swapped", Reason.WRONG) if given == t else None

    assert check_formula("t", x, symbols=SYMBOLS, diagnose=swapped).message == "swapped"
    assert check_formula("2*t", x, symbols=SYMBOLS, diagnose=swapped).message != "swapped"


# ----------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    "answer",
    [0.25, "0.25", "1/4", " 1/4 ", "2.5e-1", "25e-2", Fraction(1, 4), sp.Rational(1, 4),
     np.float64(0.25), np.float32(0.25), np.array(0.25), "sqrt(1/16)", "exp(log(1/4))"],
)
def test_number_accepts_a_number_in_any_form(answer):
    assert check_number(answer, 0.25).correct


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (None, Reason.TYPE), (True, Reason.TYPE), (np.bool_(True), Reason.TYPE),
        ("True", Reason.TYPE), (1 + 5j, Reason.TYPE), (np.complex128(0.25), Reason.TYPE),
        ("0.25j", Reason.TYPE), ("sqrt(-1)", Reason.TYPE), ("abc", Reason.SYMBOL),
        ("", Reason.PARSE), ("0.2.5", Reason.PARSE), ([0.25], Reason.TYPE),
        (np.array([0.25]), Reason.TYPE), (sp.Matrix([0.25]), Reason.TYPE),
        (float("nan"), Reason.NOT_FINITE), (float("inf"), Reason.NOT_FINITE),
        ("1/0", Reason.NOT_FINITE), ("10**500", Reason.LIMIT), (object(), Reason.TYPE),
        (sp.Symbol("k"), Reason.SYMBOL),
    ],
)
def test_number_refuses_what_is_not_a_real_number(answer, reason):
    verdict = check_number(answer, 0.25)
    assert not verdict.correct
    assert verdict.reason == reason, verdict.message


def test_number_to_significant_digits():
    # dℓ/dw = −0.10575... (the calculus exercise): three digits, rounded or not, are right.
    for right in (-0.10575, "-0.106", "-0.1058", "-0.105"):
        assert check_number(right, -0.10575, sig_digits=3).correct, right
    for wrong in ("-0.11", "-0.1", "0.106", "-0.108"):
        assert not check_number(wrong, -0.10575, sig_digits=3).correct, wrong
    # 1/3 and 1/12 typed to four digits by hand
    assert check_number("0.3333", 1 / 3, sig_digits=3) and check_number(0.08333, 1 / 12,
                                                                         sig_digits=3)


def test_number_messages_give_direction_and_a_coarse_size_never_the_value():
    verdict = check_number(0.4, 0.5)
    assert verdict.reason == Reason.TOO_SMALL and "too small by between 10% and 50%" in \
        verdict.message
    assert "0.5" not in verdict.message
    assert check_number(-0.02, -0.0109).reason == Reason.TOO_LARGE
    assert "too large in magnitude" in check_number(-0.02, -0.0109).message
    assert "too small in magnitude" in check_number(-0.01, -0.0109).message
    assert check_number(0.3, -0.0109).reason == Reason.SIGN


@pytest.mark.parametrize(("answer", "reason"), [(1.0, Reason.FACTOR), (0.25, Reason.FACTOR),
                                                (-1.0, Reason.FACTOR), (-0.25, Reason.FACTOR),
                                                (-0.5, Reason.SIGN), (0.6, Reason.TOO_LARGE)])
def test_number_names_a_factor_slip_by_reason_not_by_value(answer, reason):
    verdict = check_number(answer, 0.5)
    assert verdict.reason == reason
    assert "times" not in verdict.message and "2" not in verdict.message


@pytest.mark.parametrize(("answer", "expected"), [
    (1.5, -0.5), (5.5, -0.5), (440, 44), (2.0, 0.5), (0.125, 0.5), (1.5, 0.5),
    (1e308, 0.5), (-1e308, 0.5), (1e-300, 0.5), (3, 1),
])
def test_number_factor_hint_only_for_a_factor_two_or_a_half(answer, expected):
    # 3×, 4×, 10×, −3×, −11×, 1/4×, huge and tiny ratios are not "a constant factor" slip
    verdict = check_number(answer, expected)
    assert verdict.reason != Reason.FACTOR and "constant factor" not in verdict.message


def test_whole_numbers():
    assert check_number(18, 18, rtol=0, atol=0, integer=True)
    assert check_number(np.int64(18), 18, rtol=0, atol=0, integer=True)
    assert check_number(sp.Integer(18), 18, rtol=0, atol=0, integer=True)
    assert check_number("18", 18, rtol=0, atol=0, integer=True)
    verdict = check_number(18.4, 18, rtol=0, atol=0, integer=True)
    assert not verdict and verdict.reason == Reason.NOT_WHOLE
    assert not check_number(17, 18, rtol=0, atol=0, integer=True)


def test_number_reference_must_be_finite():
    with pytest.raises(ValueError, match="finite"):
        check_number(1.0, math.nan)


def test_smallest_count_says_too_few_or_too_many_without_the_distance():
    def after(k):  # 2^-k falls below 0.01 first at k = 7 (1/128); 1/64 at k = 6 is above
        return f"the value is {2.0**-k:.4f}"

    for right in (7, 7.0, "7", np.int64(7), sp.Integer(7)):
        assert check_smallest_count(right, 7, unit="halvings", after=after), right
    few, many = (check_smallest_count(k, 7, unit="halvings", after=after) for k in (5, 9))
    assert few.reason == Reason.TOO_SMALL and "not there yet" in few.message
    assert "0.0312" in few.message
    assert many.reason == Reason.TOO_LARGE and "fewer halvings already" in many.message
    for verdict in (few, many):
        assert "7" not in verdict.message.replace("0.0078", "")
    assert check_smallest_count(6.5, 7, unit="halvings", after=after).reason == Reason.NOT_WHOLE
    assert check_smallest_count(True, 7, unit="halvings", after=after).reason == Reason.TYPE
    huge = check_smallest_count(10**30, 7, unit="halvings", after=after)
    assert not huge and huge.reason == Reason.TOO_LARGE


# ----------------------------------------------------------------- choices
def test_choice():
    options = ["converges", "diverges"]
    assert check_choice("diverges", "diverges", options).correct
    assert check_choice("  Diverges ", "diverges", options).correct
    assert check_choice('"diverges"', "diverges", options).correct
    wrong = check_choice("converges", "diverges", options)
    assert wrong.reason == Reason.WRONG and "is not what happens" in wrong.message
    other = check_choice("explodes", "diverges", options)
    assert other.reason == Reason.OPTION and "'converges', 'diverges'" in other.message
    for bad in (None, True, 3.5, ["diverges"]):
        assert check_choice(bad, "diverges", options).reason == Reason.TYPE
    assert check_choice("h5", "5", ["4", "5"], aliases={"h5": "5"}).correct
    assert check_choice(5, "5", ["4", "5"]).correct
    assert check_choice("5.7", "5", ["4", "5"]).reason == Reason.OPTION
    with pytest.raises(ValueError, match="not one of the options"):
        check_choice("a", "c", ["a", "b"])


# ----------------------------------------------------------------- arrays
def test_array_reads_lists_arrays_matrices_and_text():
    expected = [[14 / 3, 2.0], [2.0, 1.0]]
    for answer in (expected, np.array(expected), sp.Matrix([[sp.Rational(14, 3), 2], [2, 1]]),
                   "[[14/3, 2], [2, 1]]", ((14 / 3, 2), (2, 1))):
        assert check_array(answer, expected, rtol=1e-9).correct, answer
    assert read_array("1, -3") == ((2,), [sp.Integer(1), sp.Integer(-3)])


def test_array_checks_shape_then_names_the_entry():
    names = ["H_ww", "H_wb", "H_bw", "H_bb"]
    expected = [[14 / 3, 2.0], [2.0, 1.0]]
    wrong = check_array([[14 / 3, 2], [2, 0]], expected, entry_names=names, name="Hessian")
    assert wrong.reason == Reason.WRONG or wrong.reason == Reason.TOO_SMALL
    assert "1 of 4 entries of the Hessian differ" in wrong.message and "H_bb" in wrong.message
    shape = check_array([1.0, 2.0, 3.0], [1.0, 2.0])
    assert shape.reason == Reason.SHAPE and "(3,)" in shape.message
    ragged = check_array([[1.0], [1.0, 2.0]], [[1.0, 2.0], [3.0, 4.0]])
    assert ragged.reason == Reason.SHAPE


@pytest.mark.parametrize(
    ("answer", "reason"),
    [([1 + 5j], Reason.TYPE), (np.array([1 + 5j]), Reason.TYPE), ([True], Reason.TYPE),
     ([np.nan], Reason.NOT_FINITE), (None, Reason.TYPE), (["a"], Reason.SYMBOL),
     ("[1, ", Reason.PARSE)],
)
def test_array_refuses_entries_that_are_not_real_numbers(answer, reason):
    verdict = check_array(answer, [1.0])
    assert not verdict.correct and verdict.reason == reason, verdict.message


def test_array_factor_hint_only_for_a_whole_multiple():
    assert check_array([2.0, 4.0], [1.0, 2.0]).reason == Reason.FACTOR
    assert check_array([2.0, 2.0], [1.0, 2.0]).reason != Reason.FACTOR


# ----------------------------------------------------------------- functions
def _double(v):
    return 2 * np.asarray(v)


def test_function_accepts_an_equivalent_implementation():
    inputs = [(np.arange(3.0),), (np.ones(2),)]
    assert check_function(lambda v: v + v, _double, inputs)


def _loops(v):
    while True:
        pass


def _swallows(v):
    while True:
        try:
            time.sleep(0.01)
        except Exception:  # a reader's loop that swallows ordinary exceptions
            pass


def _exits(v):
    sys.exit(3)


@pytest.mark.parametrize(
    ("candidate", "reason", "words"),
    [
        (lambda v: 1 / 0, Reason.RAISED, "ZeroDivisionError"),
        (_exits, Reason.EXITED, "sys.exit()"),
        (lambda v: None, Reason.TYPE, "None"),
        (lambda v: np.zeros(5), Reason.SHAPE, "shape (5,)"),
        (lambda v: 2 * v + 0j, Reason.TYPE, "complex"),
        (lambda v: np.full(v.shape, np.nan), Reason.NOT_FINITE, "nan"),
        (lambda v: 4 * v, Reason.FACTOR, "constant factor"),
        (lambda v: "2v", Reason.TYPE, "text"),
        ("not a function", Reason.TYPE, "a function is asked"),
    ],
)
def test_function_answers_every_candidate_with_a_verdict(candidate, reason, words):
    verdict = check_function(candidate, _double, [(np.arange(1.0, 4.0),)], labels=["three"])
    assert not verdict.correct
    assert verdict.reason == reason, verdict.message
    assert words in verdict.message


@pytest.mark.skipif(not can_limit_time(), reason="no SIGALRM here")
@pytest.mark.parametrize("candidate", [_loops, _swallows])
def test_function_that_never_returns_gets_a_timeout_verdict(candidate):
    started = time.monotonic()
    verdict = check_function(candidate, _double, [(np.ones(2),)], seconds=0.3)
    assert verdict.reason == Reason.TIMEOUT and "did not finish" in verdict.message
    assert time.monotonic() - started < 5


def test_function_gives_each_side_its_own_copy_of_the_inputs():
    def destructive(v):
        v[:] = 100.0
        return 2 * v

    data = np.arange(3.0)
    assert not check_function(destructive, _double, [(data,)])
    np.testing.assert_array_equal(data, np.arange(3.0))


def test_function_labels_must_match_inputs():
    with pytest.raises(ValueError, match="labels"):
        check_function(_double, _double, [(np.ones(1),)], labels=["a", "b"])


# ----------------------------------------------------------------- the time limit
@pytest.mark.skipif(not can_limit_time(), reason="no SIGALRM here")
def test_time_limit_interrupts_and_nests():
    with pytest.raises(CheckTimeout), time_limit(0.2):
        _loops(None)
    started = time.monotonic()
    with time_limit(5.0):
        with pytest.raises(CheckTimeout), time_limit(0.1):
            _loops(None)
        time.sleep(0.2)  # the outer limit is restored, not fired early
    assert time.monotonic() - started < 2
    import signal

    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_time_limit_is_a_no_op_off_the_main_thread():
    import threading

    results = []

    def work():
        results.append(can_limit_time())
        with time_limit(0.01):
            time.sleep(0.05)
        results.append("finished")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert results == [False, "finished"]


# ----------------------------------------------------------------- verdicts
def test_verdict_display():
    right = Verdict(True, "fine")
    assert str(right) == "✔ Right. Fine" and bool(right) and right.reason == Reason.CORRECT
    wrong = Verdict(False, "no", Reason.SIGN)
    assert str(wrong) == "✘ Not yet. No" and not wrong and repr(wrong) == str(wrong)


def test_verdict_html_escapes_formulas_and_starts_with_a_capital():
    html = Verdict(False, "your 4*w**2 < 5").__getattribute__("_repr_html_")()
    assert html == "<p><strong>✘ Not yet.</strong> Your 4*w**2 &lt; 5</p>"


def test_read_expression_matches_reader_symbols_by_name():
    mine = sp.Symbol("x") + sp.Symbol("t", positive=True)
    assert read_expression(mine, SYMBOLS) == x + t


@pytest.mark.parametrize(("text", "shown"), [
    ("the number of rows", "The number of rows"), ("a count is whole.", "A count is whole."),
    ("per-example updates", "Per-example updates"), ("z_j, a number", "z_j, a number"),
    ("b after one step", "b after one step"), ("x.grad after f.backward()", "x.grad after "
                                                "f.backward()"),
    ("grad(w) returning", "grad(w) returning"), ("h5 is in layer 1", "h5 is in layer 1"),
    ("ex-notation-shapes has 2 parts", "ex-notation-shapes has 2 parts"),
    ("∂ℓ/∂W_j0, a number", "∂ℓ/∂W_j0, a number"), ("", ""),
])
def test_a_message_is_capitalised_only_when_it_begins_with_a_plain_word(text, shown):
    assert sentence_start(text) == shown
    assert str(Verdict(False, text)) == f"✘ Not yet. {shown}"
