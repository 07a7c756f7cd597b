"""Answer checkers for the exercises: right or wrong, and why, never the solution.

Each checker compares the reader's answer with a reference and returns a
:class:`Verdict`, which prints as a short message in a notebook. A wrong answer is
explained (which term differs, by roughly how much, at which input) without printing
the reference itself; ``verdict.reveal()`` returns it for a reader who asks.

* :func:`check_expression` — sympy expressions or strings, by symbolic equivalence
  (``simplify(answer − expected) == 0``), with a numeric fallback at random points;
* :func:`check_number` and :func:`check_array` — numbers and arrays within a stated tolerance;
* :func:`check_function` — a function, run against the reference on many inputs;
* :func:`check_choice` — one of a few named options (a prediction).

A problem with the *reader's* answer (a formula that does not parse, a function that
raises) is reported in the verdict; a problem with the *reference* (the exercise's own
code) raises, because it is a bug in the book.
"""

from __future__ import annotations

import copy
import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, cast

import numpy as np
import sympy as sp

__all__ = [
    "Verdict",
    "check_array",
    "check_choice",
    "check_expression",
    "check_function",
    "check_number",
    "check_smallest_count",
]


#: Said when an answer is the reference times a simple constant. Naming the constant
#: would give the answer away, given the reader's own (wrong) answer.
FACTOR_HINT = (" It differs from the right answer by a simple constant factor: check the "
               "constant factors and the signs.")


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: ``correct`` and a ``message`` explaining it."""

    correct: bool
    message: str
    solution: Any = field(default=None, repr=False, compare=False)

    def __bool__(self) -> bool:
        return self.correct

    @property
    def verdict(self) -> str:
        """"✔ Right." or "✘ Not yet."."""
        return "✔ Right." if self.correct else "✘ Not yet."

    def _sentence(self) -> str:
        return self.message[:1].upper() + self.message[1:]

    def __str__(self) -> str:
        return f"{self.verdict} {self._sentence()}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        # HTML, not Markdown: messages contain formulas such as 4*w**2, whose asterisks
        # Markdown would turn into emphasis.
        return f"<p><strong>{self.verdict}</strong> {html.escape(self._sentence())}</p>"

    def reveal(self) -> Any:
        """Return the reference answer (only when the reader asks for it)."""
        return self.solution


# ----------------------------------------------------------------- formulas
def _named_symbols(
    symbols: Mapping[str, sp.Symbol] | Iterable[sp.Symbol] | None, expected: Any
) -> dict[str, sp.Symbol]:
    if symbols is None:
        return {s.name: s for s in sp.sympify(expected).free_symbols}
    if isinstance(symbols, Mapping):
        return dict(symbols)
    return {s.name: s for s in cast(Iterable[sp.Symbol], symbols)}


def _parse(value: Any, named: Mapping[str, sp.Symbol]) -> sp.Expr:
    """A formula as a sympy expression; raises ValueError/TypeError saying why not."""
    if isinstance(value, str):
        try:
            expr = sp.sympify(value, locals=dict(named))
        except (sp.SympifyError, SyntaxError, TypeError, AttributeError) as exc:
            raise ValueError(
                f"{value!r} could not be read as a formula (check the brackets, write "
                "products with * and powers with ** or ^, and give an expression, not an "
                "equation)"
            ) from exc
    else:
        try:
            expr = sp.sympify(value, strict=True)
        except sp.SympifyError as exc:
            raise TypeError(
                f"it must be a sympy expression or a string, got {type(value).__name__}"
            ) from exc
    # (a Symbol is also a sympy Boolean, so test for "Boolean and not an expression")
    if isinstance(expr, sp.logic.boolalg.Boolean) and not isinstance(expr, sp.Expr):
        raise ValueError("it is an equation or a condition; give only the expression")
    if not isinstance(expr, sp.Expr):
        raise TypeError(f"it must be a single expression, got {type(expr).__name__}")
    # A symbol the reader created with other assumptions (sp.Symbol("w") versus the
    # reference's real w) is the same variable to a human: identify them by name.
    rename = {s: named[s.name] for s in expr.free_symbols if s.name in named and named[s.name] != s}
    return expr.xreplace(rename) if rename else expr


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
        The reader's formula: a sympy expression or a string such as ``"2*x*(x - t)"``
        (``^`` is read as a power).
    expected
        The reference formula.
    symbols
        The symbols a string may use, by name (defaults to the free symbols of
        ``expected``), so that ``"w"`` in the answer is the same symbol as in the reference.
    seed
        Seed for the random points of the numeric fallback and of the diagnosis.

    Returns
    -------
    Verdict
        Right when sympy proves ``answer − expected`` is 0 (or, if it cannot, when they
        agree at 20 random points); otherwise the point where they differ, by how much,
        and which expanded terms have no match, without printing the reference.
    """
    named = _named_symbols(symbols, expected)
    reference = _parse(expected, named)
    try:
        given = _parse(answer, named)
    except (TypeError, ValueError) as exc:
        return Verdict(False, f"Your answer is not a usable formula: {exc}.", reference)
    unknown = given.free_symbols - reference.free_symbols - set(named.values())
    if unknown:
        names = ", ".join(sorted(s.name for s in unknown))
        allowed = ", ".join(sorted(named)) or "none"
        return Verdict(
            False,
            f"your formula uses symbols that do not appear here: {names} "
            f"(the symbols available are: {allowed}).",
            reference,
        )
    difference = sp.simplify(given - reference)
    if difference == 0:
        return Verdict(True, "Your formula is equivalent to the reference.", reference)
    free = sorted(reference.free_symbols | given.free_symbols, key=lambda s: s.name)
    rng = np.random.default_rng(seed)
    numeric_diff = sp.lambdify(free, given - reference, "numpy")
    numeric_ref = sp.lambdify(free, reference, "numpy")
    worst, evaluated = None, 0
    for _ in range(20):
        point = rng.uniform(0.2, 1.3, size=len(free))
        with np.errstate(all="ignore"):
            diff = complex(numeric_diff(*point))
            ref = complex(numeric_ref(*point))
        if not (np.isfinite(diff) and np.isfinite(ref)):
            continue
        evaluated += 1
        if abs(diff) > 1e-9 * max(1.0, abs(ref)):
            worst = (point, diff, ref)
            break
    if worst is None and evaluated >= 10:
        # simplify() could not prove it, but it agrees numerically everywhere we looked.
        return Verdict(True, f"Your formula agrees with the reference at {evaluated} random "
                       "points (sympy could not simplify the difference to 0 symbolically).",
                       reference)
    if worst is None:
        return Verdict(False, "sympy could not show that your formula equals the reference, "
                       "and it could not be evaluated at enough points to compare them "
                       "numerically; try writing it more simply.", reference)
    point, diff, ref = worst
    where = ", ".join(f"{s.name}={v:.3g}" for s, v in zip(free, point, strict=True))
    hint = _term_hint(given, reference)
    size = _relative_band(abs(diff) / abs(ref)) if abs(ref) > 0 else "by a nonzero amount"
    return Verdict(False, f"At {where} your formula and the reference differ {size}.{hint}",
                   reference)


def _term_hint(given: sp.Expr, reference: sp.Expr) -> str:
    """Say which additive terms differ, without printing the reference."""
    ratio = sp.simplify(given / reference) if reference != 0 and given != 0 else None
    if ratio is not None and ratio.is_number:
        return FACTOR_HINT
    given_terms = set(sp.Add.make_args(sp.expand(given)))
    reference_terms = set(sp.Add.make_args(sp.expand(reference)))
    if not all(_is_readable_term(term) for term in given_terms | reference_terms):
        return ""  # e.g. expanded powers with symbolic exponents: a term list would confuse
    extra = given_terms - reference_terms
    missing = reference_terms - given_terms
    parts = []
    if extra:
        listed = ", ".join(sorted(map(str, extra))[:6])
        parts.append(f"these terms of yours have no match in the reference: {listed}")
    if missing:
        parts.append(f"{len(missing)} term(s) of the reference are missing or have a "
                     "different coefficient")
    return " Expanded, " + "; ".join(parts) + "." if parts else ""


def _is_readable_term(term: sp.Expr) -> bool:
    """A term worth quoting back: short, and with no power of a symbolic exponent."""
    symbolic_power = any(not p.exp.is_number for p in term.atoms(sp.Pow))
    return len(str(term)) <= 30 and not symbolic_power


# ----------------------------------------------------------------- numbers and arrays

def _simple_ratio(value: float, expected: float) -> str:
    """'exactly k times' when value/expected is a small simple fraction (a factor slip)."""
    if expected == 0 or value == 0:
        return ""
    ratio = value / expected
    simple = Fraction(ratio).limit_denominator(4)
    close = abs(float(simple) - ratio) <= 1e-6 * abs(ratio)
    if close and simple not in (0, 1) and 1 in (abs(simple.numerator), simple.denominator):
        return FACTOR_HINT
    return ""


def _relative_band(relative: float) -> str:
    """A coarse size of a relative error: enough to steer the reader, not to solve for it."""
    if relative < 0.01:
        return "by less than 1% (close, but outside the tolerance)"
    if relative < 0.1:
        return "by between 1% and 10%"
    if relative < 0.5:
        return "by between 10% and 50%"
    if relative < 1:
        return "by between 50% and 100%"
    return "by more than the reference's own size"


def _size_of_error(value: float, expected: float) -> str:
    """'too large by between 10% and 50%': the direction and a coarse size, never the value."""
    if expected == 0:
        direction = "too large" if value > 0 else "too small"
        return f"{direction} (the expected value is much closer to 0)"
    if value == 0:
        return "0, and the expected value is not"
    if (value > 0) != (expected > 0):
        return "of the wrong sign"
    if expected > 0:
        direction = "too large" if value > expected else "too small"
    else:  # both negative: "too small" would be ambiguous
        direction = "too large in magnitude" if value < expected else "too small in magnitude"
    return f"{direction} {_relative_band(abs(value - expected) / abs(expected))}"


def check_number(
    answer: Any, expected: float, *, rtol: float = 1e-6, atol: float = 1e-9
) -> Verdict:
    """Check a number within |answer − expected| <= atol + rtol·|expected|.

    A wrong number is described by direction and rough relative size (one significant
    figure) and, for a factor slip such as 2× or −1×, by that factor.
    """
    expected = float(expected)
    if not np.isfinite(expected):
        raise ValueError(f"expected must be a finite number, got {expected}")
    if isinstance(answer, bool | np.bool_):
        return Verdict(False, "the answer must be a number, got a True/False value.", expected)
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return Verdict(False, f"the answer must be a number, got {answer!r}.", expected)
    if not np.isfinite(value):
        return Verdict(False, f"the answer must be finite, got {value}.", expected)
    error = abs(value - expected)
    allowed = atol + rtol * abs(expected)
    if error <= allowed:
        return Verdict(True, f"Within the tolerance (error {error:.2g} <= {allowed:.2g}).",
                       expected)
    return Verdict(
        False,
        f"Your number is {_size_of_error(value, expected)} (tolerance: relative {rtol:g}, "
        f"absolute {atol:g})."
        + _simple_ratio(value, expected),
        expected,
    )


def check_array(
    answer: Any,
    expected: np.ndarray,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    name: str = "array",
) -> Verdict:
    """Check an array: same shape, then every entry within atol + rtol·|expected|.

    A mismatch names how many entries differ and the first one, by direction and rough
    relative size, without printing the expected entries.
    """
    expected = np.asarray(expected, dtype=np.float64)
    if answer is None:
        return Verdict(False, f"the {name} is None: did you forget to return it?", expected)
    try:
        value = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return Verdict(False, f"the {name} must be an array of numbers.", expected)
    if value.shape != expected.shape:
        return Verdict(False, f"the {name} has shape {value.shape}; expected shape "
                       f"{expected.shape}.", expected)
    with np.errstate(invalid="ignore"):
        bad = ~np.isclose(value, expected, rtol=rtol, atol=atol)
    if not bad.any():
        return Verdict(True, f"Every entry of the {name} is within the tolerance "
                       f"(rtol {rtol:g}, atol {atol:g}).", expected)
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    got, want = float(value[index]), float(expected[index])
    detail = (f"is {got}" if not np.isfinite(got) else f"is {_size_of_error(got, want)}")
    ratio = _simple_ratio(got, want) if np.isfinite(got) else ""
    where = f" (at index {index})" if index else ""
    return Verdict(
        False,
        f"{int(bad.sum())} of {bad.size} entries of the {name} differ; the first{where} "
        f"{detail}.{ratio}",
        expected,
    )


# ----------------------------------------------------------------- functions and choices
def check_function(
    candidate: Callable[..., Any],
    reference: Callable[..., Any],
    inputs: Sequence[tuple[Any, ...]],
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    labels: Sequence[str] | None = None,
) -> Verdict:
    """Run ``candidate`` and ``reference`` on every argument tuple in ``inputs`` and compare.

    Each function gets its own deep copy of the arguments, so a candidate that modifies
    its inputs cannot corrupt the reference. The first mismatch is reported with its
    input number (and ``labels[k]``, a short description of the input, if given) and
    where the outputs differ; an exception raised by the candidate is reported, not
    propagated.
    """
    if not callable(candidate):
        return Verdict(False, f"the answer must be a function, got {type(candidate).__name__}.")
    if labels is not None and len(labels) != len(inputs):
        raise ValueError(f"labels must have one entry per input ({len(inputs)}), got {len(labels)}")
    for number, args in enumerate(inputs, start=1):
        where = f"test input {number} of {len(inputs)}"
        if labels is not None:
            where += f" ({labels[number - 1]})"
        expected = reference(*copy.deepcopy(args))
        try:
            with np.errstate(all="ignore"):
                got = candidate(*copy.deepcopy(args))
        except Exception as exc:  # the reader's code may raise anything
            return Verdict(False, f"on {where} your function raised {type(exc).__name__}: {exc}")
        verdict = check_array(got, expected, rtol=rtol, atol=atol, name="result")
        if not verdict:
            return Verdict(False, f"on {where}: {verdict.message}")
    return Verdict(True, f"Your function matches the reference on all {len(inputs)} test inputs.")


def check_smallest_count(
    answer: Any, expected: int, *, unit: str, after: Callable[[int], str]
) -> Verdict:
    """Check "the smallest whole number k (of steps, layers, ...) after which X holds".

    A wrong whole number is answered with what holds after the reader's own k (``after(k)``,
    e.g. ``"the bound is 3.1e-05"``) and whether it is too few or too many, never with the
    distance to the right k.

    Parameters
    ----------
    answer
        The reader's number.
    expected
        The right count, at least 1.
    unit
        The plural noun counted, e.g. ``"layers"``.
    after
        Describes the situation after k of them.
    """
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.integer | np.floating):
        return Verdict(False, f"the answer must be a whole number of {unit}, got {answer!r}.",
                       expected)
    value = float(answer)
    if not np.isfinite(value) or value != round(value) or value < 1:
        return Verdict(False, f"a number of {unit} is a whole number of at least 1: if you "
                       "solved an equation, round its solution in the right direction.",
                       expected)
    k = int(value)
    if k == expected:
        return Verdict(True, f"After {k} {unit} {after(k)}, and after {k - 1} {after(k - 1)}.",
                       expected)
    if k < expected:
        return Verdict(False, f"After {k} {unit} {after(k)}: not there yet.", expected)
    return Verdict(False, f"After {k} {unit} {after(k)}, but fewer {unit} already get there: "
                   "look for the smallest number.", expected)


def check_choice(answer: Any, expected: str, options: Sequence[str]) -> Verdict:
    """Check a choice among named ``options`` (case and surrounding spaces ignored).

    An answer that is not one of the options is told the valid options; a wrong option
    is told only that it is wrong (the explanation is in the exercise's solution).
    """
    normal = {str(o).strip().lower(): str(o) for o in options}
    if str(expected).strip().lower() not in normal:
        raise ValueError(f"expected {expected!r} is not one of the options {list(options)}")
    if not isinstance(answer, str) or answer.strip().lower() not in normal:
        return Verdict(False, f"answer with one of {', '.join(map(repr, options))}; "
                       f"got {answer!r}.", expected)
    if answer.strip().lower() == str(expected).strip().lower():
        return Verdict(True, f"{normal[answer.strip().lower()]!r} is what happens.", expected)
    return Verdict(False, f"{normal[answer.strip().lower()]!r} is not what happens: run the "
                   "experiment and look again.", expected)
