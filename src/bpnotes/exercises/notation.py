"""Checkers of the notation page's exercises (book/notation.md).

The references follow from the page's conventions, written here as small rules: W^l has
shape (n_l, n_{l−1}) with row = receiving and column = sending neuron; Θ^{(l)} has the bias
column 0 and maps layer l to layer l + 1, counting the input as layer 1; a folded bias is
the weight of the constant input a_0 = 1; δ in some older texts is −∂E/∂net. Sympy and the
standard library only.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from .checkers import check_choice, check_formula, check_number
from .registry import exercise
from .verdict import Verdict

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


def batch_gradient_shapes(m: int = 7, n_out: int = 3, n_in: int = 5) -> dict[str, tuple[int, ...]]:
    """The shape of each of :data:`BATCH_GRADIENTS`, by the rules of matrix products."""
    D, A = (m, n_out), (m, n_in)

    def product(left: tuple[int, int], right: tuple[int, int]) -> tuple[int, ...]:
        return (left[0], right[1]) if left[1] == right[0] else ()

    def transpose(shape: tuple[int, int]) -> tuple[int, int]:
        return shape[1], shape[0]

    return {"D.T @ A / m": product(transpose(D), A), "A.T @ D / m": product(transpose(A), D),
            "D @ A.T / m": product(D, transpose(A))}


def _count(expected: int) -> Any:
    def check_count(answer: Any) -> Verdict:
        return check_number(answer, expected, rtol=0, atol=0, integer=True)

    return check_count


check_w2_rows = exercise("ex-notation-shapes:rows", "number", prompt="the number of rows of W²")(
    _count(weight_shape(SIZES, 2)[0]))
check_w2_columns = exercise("ex-notation-shapes:columns", "number",
                            prompt="the number of columns of W²")(_count(weight_shape(SIZES, 2)[1]))
check_parameter_count = exercise("ex-notation-count", "number", prompt="the number of weights "
                                 "and biases")(_count(parameter_count(SIZES)))


_ENTRIES = ("W^l_23", "W^l_32")


@exercise("ex-notation-wij", "choice", prompt="their w_23 is this book's …", options=_ENTRIES)
def check_reversed_index(answer: Any) -> Verdict:
    """A text's w_23 (from neuron 2 of the previous layer to neuron 3): which entry of W^l?"""
    sending, receiving = 2, 3
    expected = f"W^l_{receiving}{sending}"  # row = receiving neuron, column = sending one
    aliases = {form.format(e[-2:]): e for e in _ENTRIES
               for form in ("W_{}", "W{}", "W^l_{{{}}}", "{}")}
    return check_choice(answer, expected, _ENTRIES, aliases=aliases,
                        wrong_message="is not right: which index is the receiving neuron here?")


check_theta_rows = exercise("ex-notation-theta:rows", "number", prompt="the number of rows of "
                            "Θ^(2)")(_count(theta_shape(THETA_SIZES, 2)[0]))
check_theta_columns = exercise("ex-notation-theta:columns", "number", prompt="the number of "
                               "columns of Θ^(2)")(_count(theta_shape(THETA_SIZES, 2)[1]))


@exercise("ex-notation-sign", "formula", prompt="the change of W^l_ji in one step, a formula in "
          "eta, delta and a", symbols=("eta", "delta", "a"))
def check_sign_translation(answer: Any) -> Verdict:
    """Their Δw_ji = η δ_j o_i with δ_j = −∂E/∂net_j, in this book's symbols η, δ^l_j and
    a^{l−1}_i."""
    eta, delta, a = sp.symbols("eta delta a", real=True)
    their_delta = -delta        # their δ is minus this book's ∂C/∂z
    reference = eta * their_delta * a
    return check_formula(answer, reference, symbols={"eta": eta, "delta": delta, "a": a},
                         domains={"eta": (0.01, 1), "delta": (-2, 2), "a": (0.05, 1)})


@exercise("ex-notation-fold:z", "number", prompt="z_j, a number")
def check_folded_z(answer: Any) -> Verdict:
    """z_j of the folded neuron (:data:`FOLD_WEIGHTS`, :data:`FOLD_INPUT`)."""
    return check_number(answer, float(folded_z()), rtol=1e-9, atol=1e-12)


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
    aliases = {e.replace(" ", ""): e for e in BATCH_GRADIENTS}
    return check_choice(answer, expected, BATCH_GRADIENTS, aliases=aliases,
                        wrong_message="does not have the shape (n_l, n_{l−1}) of W^l: work out "
                        "the shape of each product.")
