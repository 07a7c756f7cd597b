"""Answer checkers for the exercises: right or wrong, and why, never the solution.

Each checker compares the reader's answer with a reference and returns a
:class:`Verdict`, which prints as a short message in a notebook. A wrong answer is
explained (which term differs, by how much, at which input) without printing the
reference itself; ``verdict.solution`` holds it for a reader who asks.

* :func:`check_expression` — sympy expressions or strings, by symbolic equivalence
  (``simplify(answer − expected) == 0``), with a numeric fallback at random points;
* :func:`check_number` and :func:`check_array` — numbers and arrays within a stated tolerance;
* :func:`check_function` — a function, run against the reference on many inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

__all__ = ["Verdict", "check_array", "check_expression", "check_function", "check_number"]


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: ``correct`` and a ``message`` explaining it."""

    correct: bool
    message: str
    solution: Any = field(default=None, repr=False, compare=False)

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        return ("✅ Right. " if self.correct else "❌ Not yet. ") + self.message

    def __repr__(self) -> str:
        return str(self)

    def _repr_markdown_(self) -> str:
        return ("**✅ Right.** " if self.correct else "**❌ Not yet.** ") + self.message

    def reveal(self) -> Any:
        """Return the reference answer (only when the reader asks for it)."""
        return self.solution


def _to_sympy(name: str, value: Any, symbols: Mapping[str, sp.Symbol]) -> sp.Expr:
    if isinstance(value, str):
        try:
            return sp.sympify(value, locals=dict(symbols))
        except (sp.SympifyError, SyntaxError, TypeError) as exc:
            raise ValueError(f"{name} could not be read as a formula: {exc}") from exc
    try:
        return sp.sympify(value)
    except sp.SympifyError as exc:
        raise TypeError(f"{name} must be a sympy expression or a string, got {value!r}") from exc


def check_expression(
    answer: Any,
    expected: Any,
    *,
    symbols: Mapping[str, sp.Symbol] | Iterable[sp.Symbol] | None = None,
    seed: int = 0,
) -> Verdict:
    """Check a formula by symbolic equivalence.

    Parameters
    ----------
    answer
        The reader's formula: a sympy expression or a string such as ``"2*x*(x - t)"``.
    expected
        The reference formula.
    symbols
        The symbols a string may use, by name (defaults to the free symbols of
        ``expected``), so that ``"w"`` in the answer is the same symbol as in the reference.
    seed
        Seed for the random points of the numeric fallback and of the diagnosis.
    """
    if symbols is None:
        named = {s.name: s for s in sp.sympify(expected).free_symbols}
    elif isinstance(symbols, Mapping):
        named = dict(symbols)
    else:
        named = {s.name: s for s in symbols}
    reference = _to_sympy("expected", expected, named)
    given = _to_sympy("answer", answer, named)
    unknown = given.free_symbols - reference.free_symbols - set(named.values())
    if unknown:
        names = ", ".join(sorted(s.name for s in unknown))
        return Verdict(False, f"your formula uses symbols that do not appear here: {names}.",
                       reference)
    difference = sp.simplify(given - reference)
    if difference == 0:
        return Verdict(True, "Your formula is equivalent to the reference.", reference)
    free = sorted(reference.free_symbols | given.free_symbols, key=lambda s: s.name)
    rng = np.random.default_rng(seed)
    numeric_diff = sp.lambdify(free, given - reference, "numpy")
    numeric_ref = sp.lambdify(free, reference, "numpy")
    worst = None
    for _ in range(20):
        point = rng.uniform(0.2, 1.3, size=len(free))
        with np.errstate(all="ignore"):
            diff = complex(numeric_diff(*point))
            ref = complex(numeric_ref(*point))
        if not (np.isfinite(diff) and np.isfinite(ref)):
            continue
        if abs(diff) > 1e-9 * max(1.0, abs(ref)):
            worst = (point, diff, ref)
            break
    if worst is None:
        # simplify() could not prove it, but it agrees numerically everywhere we looked.
        return Verdict(True, "Your formula agrees with the reference at 20 random points "
                       "(sympy could not simplify the difference to 0 symbolically).", reference)
    point, diff, ref = worst
    where = ", ".join(f"{s.name}={v:.3g}" for s, v in zip(free, point))
    hint = _term_hint(given, reference)
    return Verdict(
        False,
        f"At {where} your formula is off by {diff.real:.4g} "
        f"(relative {abs(diff) / max(abs(ref), 1e-300):.2g}).{hint}",
        reference,
    )


def _term_hint(given: sp.Expr, reference: sp.Expr) -> str:
    """Say which additive terms differ, without printing the reference."""
    given_terms = set(sp.Add.make_args(sp.expand(given)))
    reference_terms = set(sp.Add.make_args(sp.expand(reference)))
    extra = given_terms - reference_terms
    missing = reference_terms - given_terms
    if not extra and not missing:
        return ""
    parts = []
    if extra:
        parts.append("these terms of yours have no match: " + ", ".join(map(str, extra)))
    if missing:
        parts.append(f"{len(missing)} term(s) of the reference are missing or have a different "
                     "coefficient")
    ratio = sp.simplify(given / reference) if reference != 0 else None
    if ratio is not None and ratio.is_number:
        parts.append(f"your formula is {ratio} times the reference: check a constant factor")
    return " Expanded, " + "; ".join(parts) + "."


def check_number(
    answer: Any, expected: float, *, rtol: float = 1e-6, atol: float = 1e-9
) -> Verdict:
    """Check a number within |answer − expected| <= atol + rtol·|expected|."""
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return Verdict(False, f"the answer must be a number, got {answer!r}.", expected)
    if not np.isfinite(value):
        return Verdict(False, f"the answer must be finite, got {value}.", expected)
    error = abs(value - expected)
    allowed = atol + rtol * abs(expected)
    if error <= allowed:
        return Verdict(True, f"Within the tolerance (error {error:.2g} <= {allowed:.2g}).", expected)
    direction = "too large" if value > expected else "too small"
    return Verdict(
        False,
        f"Your number is {direction} by {error:.4g} (relative {error / max(abs(expected), 1e-300):.2g}; "
        f"tolerance {allowed:.2g}).",
        expected,
    )


def check_array(
    answer: Any, expected: np.ndarray, *, rtol: float = 1e-6, atol: float = 1e-9, name: str = "array"
) -> Verdict:
    """Check an array: same shape, then every entry within atol + rtol·|expected|."""
    expected = np.asarray(expected, dtype=np.float64)
    try:
        value = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return Verdict(False, f"the {name} must be an array of numbers.", expected)
    if value.shape != expected.shape:
        return Verdict(False, f"the {name} has shape {value.shape}; expected shape {expected.shape}.",
                       expected)
    with np.errstate(invalid="ignore"):
        bad = ~np.isclose(value, expected, rtol=rtol, atol=atol)
    if not bad.any():
        return Verdict(True, f"Every entry of the {name} is within the tolerance.", expected)
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    return Verdict(
        False,
        f"{int(bad.sum())} of {bad.size} entries differ; the first at index {index}: yours is "
        f"{value[index]:.6g}, off by {value[index] - expected[index]:.3g}.",
        expected,
    )


def check_function(
    candidate: Callable[..., Any],
    reference: Callable[..., Any],
    inputs: Sequence[tuple[Any, ...]],
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> Verdict:
    """Run ``candidate`` and ``reference`` on every argument tuple in ``inputs`` and compare.

    The first mismatch is reported with its input number and where the outputs differ;
    an exception raised by the candidate is reported, not propagated.
    """
    if not callable(candidate):
        return Verdict(False, f"the answer must be a function, got {type(candidate).__name__}.")
    for number, args in enumerate(inputs, start=1):
        expected = reference(*args)
        try:
            got = candidate(*args)
        except Exception as exc:  # noqa: BLE001 - the reader's code may raise anything
            return Verdict(False, f"on test input {number} your function raised "
                           f"{type(exc).__name__}: {exc}")
        verdict = check_array(got, expected, rtol=rtol, atol=atol, name="result")
        if not verdict:
            return Verdict(False, f"on test input {number} of {len(inputs)}: {verdict.message}")
    return Verdict(True, f"Your function matches the reference on all {len(inputs)} test inputs.")
