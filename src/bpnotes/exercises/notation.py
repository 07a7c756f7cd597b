"""Checkers of the notation page's exercises (book/notation.md).

The references follow from the page's conventions, written here as small rules: W^l has
shape (n_l, n_{l−1}) with row = receiving and column = sending neuron; Θ^{(l)} has the bias
column 0 and maps layer l to layer l + 1, counting the input as layer 1; a folded bias is
the weight of the constant input a_0 = 1; δ in some older texts is −∂E_p/∂net_j for one
example's error E_p. Sympy and the standard library only.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

import sympy as sp

from .checkers import check_choice, check_formula, check_number
from .parsing import AnswerError, parse_formula, read_number
from .registry import exercise
from .verdict import FACTOR_HINT, Reason, Verdict, size_of_error, wrong

__all__ = [
    "BATCH_GRADIENTS",
    "FOLD_DELTA",
    "FOLD_INPUT",
    "FOLD_WEIGHTS",
    "LETTERS",
    "SIZES",
    "THETA_SIZES",
    "batch_gradient_shapes",
    "folded_z",
    "folded_z_slips",
    "parameter_count",
    "theta_shape",
    "weight_shape",
]

#: ex-notation-shapes and ex-notation-count: the layer sizes n_0, ..., n_L of a network.
SIZES = (5, 3, 4, 2)

#: ex-notation-theta: units per layer in a Θ text (input = layer 1), bias units not counted.
THETA_SIZES = (3, 4, 2)

#: ex-notation-fold: a folded weight row (W_j0, W_j1, W_j2), an input x and the delta δ_j.
FOLD_WEIGHTS = (Fraction(1, 2), Fraction(1), Fraction(3))
FOLD_INPUT = (2, -1)
FOLD_DELTA = Fraction(1, 5)

#: ex-notation-letters: Bishop's letters for a unit, and what they are in this book.
LETTERS = {"a_j": "z", "z_j": "a"}

#: ex-notation-batch: candidate expressions for ∂C/∂W^l in code (rows are examples), with D
#: the (m, n_l) deltas and A the (m, n_{l−1}) activations of layer l − 1.
BATCH_GRADIENTS = ("D.T @ A / m", "A.T @ D / m", "D @ A.T / m")


def weight_shape(sizes: tuple[int, ...], layer: int) -> tuple[int, int]:
    """The shape (n_l, n_{l−1}) of W^l: one row per receiving, one column per sending neuron."""
    return sizes[layer], sizes[layer - 1]


def parameter_count(sizes: tuple[int, ...]) -> int:
    """Every weight and bias of a network with these layer sizes."""
    return sum(rows * columns + rows for rows, columns in
               (weight_shape(sizes, layer) for layer in range(1, len(sizes))))


def theta_shape(theta_sizes: tuple[int, ...], layer: int) -> tuple[int, int]:
    """The shape of Θ^{(l)}: from layer l (plus its bias unit) to layer l + 1, numbered from 1."""
    return theta_sizes[layer], theta_sizes[layer - 1] + 1


def folded_z() -> Fraction:
    """z_j = Σ_{k=0} W_jk a_k with the constant input a_0 = 1, eq. (notation-bias-fold)."""
    inputs = (1, *FOLD_INPUT)
    return sum((w * a for w, a in zip(FOLD_WEIGHTS, inputs, strict=True)), Fraction(0))


def folded_z_slips() -> dict[str, Fraction]:
    """The z_j of two slips of the fold: the inputs' weighted sum without the folded bias, and
    the constant input a_0 = 1 put last instead of first (under W_j2)."""
    inputs = FOLD_INPUT
    without_bias = sum((w * a for w, a in zip(FOLD_WEIGHTS[1:], inputs, strict=True)),
                       Fraction(0))
    constant_last = sum((w * a for w, a in zip(FOLD_WEIGHTS, (*inputs, 1), strict=True)),
                        Fraction(0))
    return {"without the bias": without_bias, "constant input last": constant_last}


def batch_gradient_shapes(m: int = 7, n_out: int = 3, n_in: int = 5) -> dict[str, tuple[int, ...]]:
    """The shape of each of :data:`BATCH_GRADIENTS`, by the rules of matrix products."""
    D, A = (m, n_out), (m, n_in)

    def product(left: tuple[int, int], right: tuple[int, int]) -> tuple[int, ...]:
        return (left[0], right[1]) if left[1] == right[0] else ()

    def transpose(shape: tuple[int, int]) -> tuple[int, int]:
        return shape[1], shape[0]

    return {"D.T @ A / m": product(transpose(D), A), "A.T @ D / m": product(transpose(A), D),
            "D @ A.T / m": product(D, transpose(A))}


def _count(expected: int, slips: dict[int, str] | None = None) -> Any:
    """A checker of a whole number, with a message for each known slip (by its value) and
    no constant-factor hint: a count half or twice the right one is simply too small or too
    large."""

    def check_count(answer: Any) -> Verdict:
        verdict = check_number(answer, expected, rtol=0, atol=0, integer=True)
        if verdict.correct:
            return verdict
        try:
            value = read_number(answer)
        except AnswerError:
            return verdict
        if slips and value in slips:
            return wrong(slips[int(value)], verdict.reason, expected)
        if verdict.reason in (Reason.FACTOR, Reason.SIGN):
            reason = size_of_error(value, expected)[1]
            return wrong(verdict.message.replace(FACTOR_HINT, ""), reason, expected)
        return verdict

    return check_count


def _shape_slips(rows: int, columns: int) -> tuple[dict[int, str], dict[int, str]]:
    """Messages for rows and columns swapped (the shape of the transpose)."""
    swapped = ("that is the size of the other layer: a row of W^l belongs to one neuron of "
               "the layer it feeds (the receiving one), a column to one neuron of the layer "
               "before (the sending one).")
    return ({columns: swapped} if columns != rows else {},
            {rows: swapped} if columns != rows else {})


_ROW_SLIPS, _COLUMN_SLIPS = _shape_slips(*weight_shape(SIZES, 2))
check_w2_rows = exercise("ex-notation-shapes:rows", "number", prompt="the number of rows of W²")(
    _count(weight_shape(SIZES, 2)[0], _ROW_SLIPS))
check_w2_columns = exercise("ex-notation-shapes:columns", "number",
                            prompt="the number of columns of W²")(
    _count(weight_shape(SIZES, 2)[1], _COLUMN_SLIPS))
_WEIGHTS_ONLY = sum(rows * columns for rows, columns in
                    (weight_shape(SIZES, layer) for layer in range(1, len(SIZES))))
check_parameter_count = exercise("ex-notation-count", "number", prompt="the number of weights "
                                 "and biases")(_count(parameter_count(SIZES), {
                                     _WEIGHTS_ONLY: "that counts the weights only: every "
                                     "neuron after the input has a bias too."}))


_ENTRIES = ("W^l_23", "W^l_32")
#: W^l_32 as a reader may type it: W^l_{32}, W^{l}_{3,2}, W_32, w32, 32, (3, 2) ...
_ENTRY_FORM = re.compile(r"(?:w(?:\^\{?l\}?)?_?)?[{(\[]?(\d),?(\d)[})\]]?")


def _entry(answer: Any) -> Any:
    """The option an entry typed in any of the usual forms names (else ``answer`` itself)."""
    if not isinstance(answer, str):
        return answer
    found = _ENTRY_FORM.fullmatch("".join(answer.split()).lower())
    if found is None:
        return answer
    name = f"W^l_{found[1]}{found[2]}"
    return name if name in _ENTRIES else answer


@exercise("ex-notation-wij", "choice", prompt="their w_23 is this book's …", options=_ENTRIES)
def check_reversed_index(answer: Any) -> Verdict:
    """A text's w_23 (from neuron 2 of the previous layer to neuron 3): which entry of W^l?"""
    sending, receiving = 2, 3
    expected = f"W^l_{receiving}{sending}"  # row = receiving neuron, column = sending one
    return check_choice(_entry(answer), expected, _ENTRIES,
                        wrong_message="is not right: which index is the receiving neuron here?")


check_theta_rows = exercise("ex-notation-theta:rows", "number", prompt="the number of rows of "
                            "Θ^(2)")(_count(theta_shape(THETA_SIZES, 2)[0]))
check_theta_columns = exercise("ex-notation-theta:columns", "number", prompt="the number of "
                               "columns of Θ^(2)")(_count(theta_shape(THETA_SIZES, 2)[1]))


@exercise("ex-notation-sign", "formula", prompt="the change of W^l_jk in one step, a formula in "
          "eta, delta and a", symbols=("eta", "delta", "a"))
def check_sign_translation(answer: Any) -> Verdict:
    """Their Δw_ji = η δ_j o_i with δ_j = −∂E_p/∂net_j (one example's error E_p), in this
    book's symbols η, δ^l_j and a^{l−1}_k (their sending unit i is this book's k)."""
    eta, delta, a = sp.symbols("eta delta a", real=True)
    their_delta = -delta        # their δ is minus this book's ∂C/∂z
    reference = eta * their_delta * a
    return check_formula(answer, reference, symbols={"eta": eta, "delta": delta, "a": a},
                         domains={"eta": (0.01, 1), "delta": (-2, 2), "a": (0.05, 1)})


_FOLD_SLIPS = {
    "without the bias": "that is the weighted sum of x alone: the folded row has one weight "
    "more than x has entries, for the constant input a_0 = 1, eq. (notation-bias-fold).",
    "constant input last": "the constant input a_0 = 1 goes with W_j0, the first weight of the "
    "row, eq. (notation-bias-fold), not the last.",
}


@exercise("ex-notation-fold:z", "number", prompt="z_j, a number")
def check_folded_z(answer: Any) -> Verdict:
    """z_j of the folded neuron (:data:`FOLD_WEIGHTS`, :data:`FOLD_INPUT`), with a message for
    each slip of :func:`folded_z_slips`."""
    verdict = check_number(answer, float(folded_z()), rtol=1e-9, atol=1e-12)
    if verdict.correct or verdict.reason in (Reason.PARSE, Reason.TYPE, Reason.NOT_FINITE):
        return verdict
    for slip, value in folded_z_slips().items():
        if value != folded_z() and check_number(answer, float(value), rtol=1e-9, atol=1e-12):
            reason = size_of_error(float(value), float(folded_z()))[1]
            return wrong(_FOLD_SLIPS[slip], reason, verdict.solution)
    return verdict


@exercise("ex-notation-fold:gradient", "number", prompt="∂ℓ/∂W_j0, a number")
def check_folded_gradient(answer: Any) -> Verdict:
    """∂ℓ/∂W_j0 of the folded neuron when δ_j = :data:`FOLD_DELTA`: δ_j times its input a_0 = 1."""
    return check_number(answer, float(FOLD_DELTA * 1), rtol=1e-9, atol=1e-12)


@exercise("ex-notation-letters", "choice", prompt="Bishop's letter for this book's z^l_j",
          options=tuple(LETTERS))
def check_bishop_letter(answer: Any) -> Verdict:
    """Which of Bishop's letters, a_j or z_j, is this book's z^l_j (the weighted sum)?"""
    expected = next(letter for letter, ours in LETTERS.items() if ours == "z")
    return check_choice(answer, expected, tuple(LETTERS), aliases={"a": "a_j", "z": "z_j"},
                        wrong_message="is not right: which of the two goes into the activation "
                        "function?")


@exercise("ex-notation-batch", "choice", prompt="the expression for ∂C/∂W^l",
          options=BATCH_GRADIENTS)
def check_batch_gradient(answer: Any) -> Verdict:
    """Which expression gives ∂C/∂W^l of shape (n_l, n_{l−1}) from D and A (rows = examples)?"""
    m, n_out, n_in = 7, 3, 5
    right_shape = (n_out, n_in)
    (expected,) = [e for e, shape in batch_gradient_shapes(m, n_out, n_in).items()
                   if shape == right_shape]
    return check_choice(_batch_option(answer), expected, BATCH_GRADIENTS,
                        wrong_message="does not have the shape (n_l, n_{l−1}) of W^l: work out "
                        "the shape of each product.")


_D, _A, _DT, _AT = sp.symbols("D A D_T A_T", commutative=False)
_BATCH_SYMBOLS = {"D": _D, "A": _A, "D_T": _DT, "A_T": _AT, "m": sp.Symbol("m", positive=True)}


def _batch_product(text: str) -> sp.Expr | None:
    """A product of D, A, their transposes (.T) and 1/m as a sympy expression in symbols that
    do not commute (so D.T @ A and A.T @ D differ), or None if the text is not one.

    Read by the book's answer parser after ``X.T`` → ``X_T`` and ``@`` → ``*``: nothing is
    executed.
    """
    code = re.sub(r"\b([DA])\s*\.\s*T\b", r"\1_T", text).replace("@", "*")
    try:
        return sp.expand(parse_formula(code, _BATCH_SYMBOLS))
    except AnswerError:
        return None


def _batch_option(answer: Any) -> Any:
    """The option of :data:`BATCH_GRADIENTS` that ``answer`` writes in another form (spaces,
    brackets, ``1/m *`` in front), else ``answer`` itself."""
    if not isinstance(answer, str):
        return answer
    given = _batch_product(answer)
    if given is None:
        return answer
    for option in BATCH_GRADIENTS:
        if sp.expand(given - _batch_product(option)) == 0:
            return option
    return answer
