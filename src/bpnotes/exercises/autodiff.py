"""Checkers of the autodiff chapter's exercises (book/autodiff.md).

Formula, number and choice exercises need sympy and the standard library only; the two
function exercises (an engine operation, the matrix backward rule) import numpy and the
engine when they run. Every reference is computed here from its definition, never typed:
the path sum by sympy, the counts from the layer sizes of the exercise.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

from .checkers import check_choice, check_formula, check_number
from .registry import exercise
from .verdict import Reason, Verdict, relative_band, right, wrong

__all__ = [
    "CAPSTONE_SIZES",
    "JACOBIAN_SHAPE",
    "check_dense_backward",
    "check_division_rule",
    "check_fd_count",
    "check_modes",
    "check_reuse",
    "check_sin_operation",
    "check_symmetry",
    "finite_difference_evaluations",
    "reuse_gradient",
]

#: The capstone's network in the exercise: 64 inputs, 64 hidden units, 10 outputs.
CAPSTONE_SIZES = (64, 64, 10)
#: The function of the forward/reverse exercise: (inputs, outputs).
JACOBIAN_SHAPE = (1000, 10)
SYMMETRY_OPTIONS = ("equal", "different")


# ---------------------------------------------------------------- a backward rule
@exercise("ex-ad-div-rule", "formula", prompt="∂q/∂b for q = a/b, a formula in q and b",
          symbols=("q", "b"))
def check_division_rule(answer: Any) -> Verdict:
    """∂q/∂b of q = a/b, written with the output q and b: −a/b² = −q/b, eq. (ad-local)."""
    a, b, q = sp.symbols("a b q", real=True)
    by_definition = sp.diff(a / b, b)                     # −a/b²
    reference = sp.simplify(by_definition.subs(a, q * b))  # a = q b
    # b of both signs: −q/|b| and −q/√(b²) agree with −q/b for b > 0 only
    return check_formula(answer, reference, symbols={"q": q, "b": b},
                         domains={"q": (-2.0, 2.0), "b": (-2.0, 2.0)})


# ---------------------------------------------------------------- a node used twice
def reuse_gradient() -> float:
    """x.grad after f.backward() for u = x y, f = u x + u at x = 2, y = 3, eq. (ad-path-sum)."""
    x, y = sp.symbols("x y", real=True)
    u = x * y
    f = u * x + u
    return float(sp.diff(f, x).subs({x: 2, y: 3}))


@exercise("ex-ad-reuse", "number", prompt="the value of x.grad after f.backward()")
def check_reuse(answer: Any) -> Verdict:
    """The gradient of x, which reaches f along three paths."""
    return check_number(answer, reuse_gradient(), rtol=1e-9)


# ---------------------------------------------------------------- counting
#: A whole number written with thousands separators: "9,620", "9 620", "1,000,000".
_GROUPED = re.compile(r"\s*[+-]?\d{1,3}(?:[,\u00a0\u202f ]\d{3})+\s*")


def _without_separators(answer: Any) -> Any:
    """A count written with thousands separators as plain digits ("9,620" -> "9620");
    anything else unchanged (a list such as "9, 620" is still read as a list)."""
    if isinstance(answer, str) and _GROUPED.fullmatch(answer):
        return "".join(c for c in answer if c in "+-0123456789")
    return answer


def finite_difference_evaluations(sizes: Sequence[int]) -> int:
    """2P, the cost evaluations of one centred-difference gradient, eq. (ad-fd-cost)."""
    parameters = sum(n_out * n_in + n_out for n_in, n_out in zip(sizes, sizes[1:]))
    return 2 * parameters


@exercise("ex-ad-fd-count", "number",
          prompt="evaluations of the cost for one gradient by centred differences")
def check_fd_count(answer: Any) -> Verdict:
    """2P for the capstone's network 64-64-10 with biases."""
    return check_number(_without_separators(answer),
                        finite_difference_evaluations(CAPSTONE_SIZES), rtol=0.0, integer=True)


@exercise("ex-ad-modes", "number", prompt="backward sweeps for the whole Jacobian")
def check_modes(answer: Any) -> Verdict:
    """Reverse mode: one sweep per output, eq. (ad-adjoint)."""
    _, outputs = JACOBIAN_SHAPE
    return check_number(_without_separators(answer), outputs, rtol=0.0, integer=True)


# ---------------------------------------------------------------- symmetry
@exercise("ex-ad-symmetry", "choice", prompt="are the rows of W¹ still equal after training?",
          options=SYMMETRY_OPTIONS)
def check_symmetry(answer: Any) -> Verdict:
    """Equal rows of W¹ but different outgoing weights: the rows drift apart, eq. (ad-symmetry).

    The hidden deltas are f'(z_j) W²_1j δ², different for each j from the first step on
    (``tests/test_autodiff_exercises.py`` runs the experiment).
    """
    return check_choice(answer, "different", SYMMETRY_OPTIONS)


# ---------------------------------------------------------------- a new operation
#: The expressions the reader's sin is tested in: (description, builder, float function).
def _sin_cases() -> list[tuple[str, Callable[..., Any], Callable[..., float], tuple[float, ...]]]:
    return [
        ("sin(x) at x = 0.3", lambda s, x: s(x), lambda x: math.sin(x), (0.3,)),
        ("sin(x) at x = 2.5", lambda s, x: s(x), lambda x: math.sin(x), (2.5,)),
        ("sin(x y) x + sin(x), x used three times", lambda s, x, y: s(x * y) * x + s(x),
         lambda x, y: math.sin(x * y) * x + math.sin(x), (0.7, -1.4)),
        ("sin(sin(x)) + x", lambda s, x: s(s(x)) + x, lambda x: math.sin(math.sin(x)) + x,
         (-1.1,)),
    ]


def _centred(function: Callable[..., float], point: Sequence[float], k: int,
             eps: float = 1e-6) -> float:
    plus, minus = list(point), list(point)
    plus[k] += eps
    minus[k] -= eps
    return (function(*plus) - function(*minus)) / (2 * eps)


@exercise("ex-ad-sin", "function", prompt="a function my_sin(v) returning a Value")
def check_sin_operation(candidate: Any) -> Verdict:
    """Grade ``my_sin(v)``: a Value for sin v, with v as its input and the local derivative.

    Each test expression is built with the reader's function, differentiated by
    ``backward()``, and its input gradients are compared with centred differences of the
    same expression computed with ``math.sin``, eq. (ad-adjoint). The reader's function
    gets the engine's Values themselves (not copies: its result must point at them).
    """
    from ..autodiff import Value
    from .functions import ReaderFailure, call_reader

    if not callable(candidate):
        return wrong(f"a function is asked, got {type(candidate).__name__}.", Reason.TYPE)
    for description, build, reference, point in _sin_cases():
        leaves = [Value(p) for p in point]
        made: list[Any] = []

        def reader_sin(v: Any, made: list[Any] = made) -> Any:
            result = candidate(v)
            if not isinstance(result, Value):
                raise _NotAValue(type(result).__name__)
            made.append((v, result))
            return result

        def run(build: Callable[..., Any] = build, leaves: list[Any] = leaves,
                reader_sin: Callable[[Any], Any] = reader_sin) -> None:
            build(reader_sin, *leaves).backward()

        try:  # a time limit, and a verdict for anything it raises, sys.exit() included
            call_reader(run, (), copy_args=False)
        except ReaderFailure as failure:
            if isinstance(failure.__cause__, _NotAValue):
                return wrong(f"On {description}: your function must return a Value, got "
                             f"{failure.__cause__}.", Reason.TYPE)
            return wrong(f"On {description}: {failure.message}.", failure.reason)
        for v, result in made:
            if abs(result.data - math.sin(v.data)) > 1e-12 * max(1.0, abs(math.sin(v.data))):
                return wrong(f"On {description}: your Value's data is not sin of its input "
                             f"(at {v.data:.3g} it holds {result.data:.6g}).", Reason.WRONG)
            if not any(i is v for i in result.inputs):
                return wrong(f"On {description}: the Value you return does not have v among "
                             "its inputs, so backward() never reaches v and its gradient "
                             "stays 0. Pass inputs=(v,).", Reason.WRONG)
        for k, leaf in enumerate(leaves):
            expected = _centred(reference, point, k)
            if abs(leaf.grad - expected) > 1e-6 * max(1.0, abs(expected)):
                size = relative_band(abs(leaf.grad - expected) / max(abs(expected), 1e-12))
                name = "xy"[k]
                return wrong(f"On {description}: ∂/∂{name} after backward() differs from "
                             f"finite differences {size}: check the local derivative you "
                             "pass in local_grads.", Reason.WRONG)
    return right(f"Your operation gives the right values and gradients in all "
                 f"{len(_sin_cases())} test expressions, including ones that use a node twice.")


class _NotAValue(Exception):
    """The reader's function returned something other than a Value."""


# ---------------------------------------------------------------- the matrix rule
DENSE_SHAPES = ((1, 1, 1), (3, 2, 4), (5, 3, 2), (2, 5, 5))


@exercise("ex-ad-dense", "function",
          prompt="a function my_dense_backward(A, W, delta) -> (dW, dA, db)")
def check_dense_backward(candidate: Any) -> Verdict:
    """Grade ``my_dense_backward(A, W, delta) -> (dW, dA, db)``, eq. (ad-dense-backward).

    On random layers of several shapes, with the cost C = Σ G ⊙ sin Z (so δ = G ⊙ cos Z),
    each of the three results is compared with centred differences of C, and a wrong one
    is named.
    """
    import numpy as np

    from ..gradcheck import numerical_gradient
    from .checkers import check_array
    from .functions import ReaderFailure, call_reader

    if not callable(candidate):
        return wrong(f"a function is asked, got {type(candidate).__name__}.", Reason.TYPE)
    rng = np.random.default_rng(15)
    for m, n_in, n_out in DENSE_SHAPES:
        A, W = rng.normal(size=(m, n_in)), rng.normal(size=(n_out, n_in))
        b, G = rng.normal(size=n_out), rng.normal(size=(m, n_out))

        def cost(A_: Any, W_: Any, b_: Any, G: Any = G) -> float:
            return float(np.sum(G * np.sin(A_ @ W_.T + b_)))

        delta = G * np.cos(A @ W.T + b)
        expected = {
            "dW": numerical_gradient(lambda w: cost(A, w, b), W),       # noqa: B023
            "dA": numerical_gradient(lambda a: cost(a, W, b), A),       # noqa: B023
            "db": numerical_gradient(lambda v: cost(A, W, v), b),       # noqa: B023
        }
        where = f"On a layer with m = {m}, n_in = {n_in}, n_out = {n_out}"
        try:
            result = call_reader(candidate, (A, W, delta))
            if not isinstance(result, list | tuple) or len(result) != 3:
                raise ReaderFailure(Reason.SHAPE, "your function must return three arrays "
                                    "(dW, dA, db)")
        except ReaderFailure as failure:
            return wrong(f"{where} {failure.message}.", failure.reason)
        for (name, want), got in zip(expected.items(), result, strict=True):
            verdict = check_array(got, want, rtol=1e-6, atol=1e-8, name=name)
            if not verdict:
                return wrong(f"{where}: {verdict.message}", verdict.reason)
    return right(f"All three results (dW, dA and db) match finite differences on all "
                 f"{len(DENSE_SHAPES)} layers.")
