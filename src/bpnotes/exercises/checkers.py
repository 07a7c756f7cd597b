"""The generic answer checkers the chapter checkers are built on: right or wrong, and why.

* :func:`check_formula` — a formula (text or sympy), compared with the reference at random
  points of the exercise's domain, with a diagnosis of the slip (a constant factor, a
  missing term, ...);
* :func:`check_number` — a number within a stated tolerance (relative, or a number of
  significant digits);
* :func:`check_smallest_count` — "the fewest k such that ...", answered with what the
  reader's own k gives;
* :func:`check_choice` — one of a few named options;
* :func:`check_array` — a small array, entry by entry, with the entries named.

Every checker answers *every* input with a :class:`~bpnotes.exercises.verdict.Verdict`:
answers that cannot be read (None, ``"x+"``, ``"p.foo"``, a complex number, a Matrix
where a formula is asked, ...) get a verdict with reason ``parse``, ``type``, ``symbol``,
``limit`` or ``not-finite``. Text is read by :mod:`bpnotes.exercises.parsing` and never
executed. A problem with the *reference* (the exercise's own code) raises, because it is a
bug in the book.

This module imports only sympy, mpmath and the standard library, so the same checks run
where numpy does not (in the reader's browser). The reader's *functions* are checked by
:mod:`bpnotes.exercises.functions`, which needs numpy.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any, cast

import mpmath
import sympy as sp

from .evaluation import guarded_function
from .parsing import AnswerError, read_array, read_expression, read_number
from .verdict import FACTOR_HINT, Reason, Verdict, relative_band, right, size_of_error, wrong

__all__ = [
    "check_array",
    "check_choice",
    "check_formula",
    "check_number",
    "check_smallest_count",
]

Diagnosis = Callable[[sp.Expr], Verdict | None]

#: Points at which a formula is compared with the reference.
POINTS = 20
#: Relative agreement at a point that counts as equal.
AGREEMENT = 1e-9
#: Default interval of the random values of a real symbol, and of an integer one.
REAL_DOMAIN = (0.2, 1.3)
INTEGER_DOMAIN = (1, 6)


# ----------------------------------------------------------------- formulas
def _symbol_map(symbols: Mapping[str, sp.Symbol] | Iterable[sp.Symbol]) -> dict[str, sp.Symbol]:
    if isinstance(symbols, Mapping):
        return dict(symbols)
    return {s.name: s for s in cast(Iterable[sp.Symbol], symbols)}


def _sample(symbol: sp.Symbol, domains: Mapping[str, tuple[float, float]],
            rng: random.Random) -> Any:
    low, high = domains.get(symbol.name, INTEGER_DOMAIN if symbol.is_integer else REAL_DOMAIN)
    if symbol.is_integer:
        return rng.randint(int(low), int(high))
    return rng.uniform(low, high)


def _value(function: Callable[..., Any], point: Sequence[Any]) -> Any:
    """The mpmath value of a lambdified formula at a point, or None where it is undefined."""
    try:
        value = mpmath.mpmathify(function(*point))
    except (ZeroDivisionError, ValueError, TypeError, OverflowError, ArithmeticError):
        return None
    if not mpmath.isfinite(value):
        return None
    return value


def _is_real(value: Any) -> bool:
    return abs(mpmath.im(value)) <= AGREEMENT * max(1, abs(value))


class _Comparison:
    """The reader's formula and the reference, evaluated at the same random points."""

    def __init__(self, given: sp.Expr, reference: sp.Expr, domains: Mapping[str, Any],
                 points: int, seed: int) -> None:
        self.free = sorted(reference.free_symbols | given.free_symbols, key=lambda s: s.name)
        rng = random.Random(seed)
        given_f = guarded_function(tuple(self.free), given)  # too large: OverflowError
        reference_f = guarded_function(tuple(self.free), reference)
        self.rows: list[tuple[list[Any], Any, Any]] = []  # (point, given, reference)
        with mpmath.workdps(30):
            for _ in range(points if self.free else 1):
                point = [_sample(s, domains, rng) for s in self.free]
                ref = _value(reference_f, point)
                if ref is None or not _is_real(ref):
                    continue  # the reference is undefined here: not a test point
                self.rows.append((point, _value(given_f, point), ref))

    @staticmethod
    def agree(given: Any, ref: Any) -> bool:
        return given is not None and abs(given - ref) <= AGREEMENT * max(1, abs(ref))

    @property
    def first_difference(self) -> tuple[list[Any], Any, Any] | None:
        return next((row for row in self.rows if not self.agree(row[1], row[2])), None)

    def where(self, point: Sequence[Any]) -> str:
        parts = []
        for symbol, value in zip(self.free, point, strict=True):
            parts.append(f"{symbol.name}={value}" if isinstance(value, int)
                         else f"{symbol.name}={value:.3g}")
        return ", ".join(parts)

    def constant_ratio(self) -> Any:
        """given/reference if it is the same number of ordinary size at every point (else
        None): a ratio between 1e-3 and 1e3 in size, equal at every point to 1e-7 relative
        (a tiny answer such as 1e-300 has tiny ratios that differ, not a constant factor)."""
        ratios = [g / r for _, g, r in self.rows if g is not None and r != 0]
        if len(ratios) < min(3, len(self.rows)) or not ratios:
            return None
        first = ratios[0]
        if not 1e-3 <= abs(first) <= 1e3:
            return None
        if all(abs(q - first) <= 1e-7 * abs(first) for q in ratios):
            return first
        return None


def _expansion_size(expr: sp.Expr) -> int:
    """An upper bound on the number of terms of ``expand(expr)``, computed without expanding."""
    if isinstance(expr, sp.Add):
        return sum(_expansion_size(a) for a in expr.args)
    if isinstance(expr, sp.Mul):
        return math.prod(_expansion_size(a) for a in expr.args)
    if isinstance(expr, sp.Pow) and expr.exp.is_Integer and expr.exp > 0:
        terms = _expansion_size(expr.base)
        return math.comb(int(expr.exp) + terms - 1, terms - 1)
    return 1


def _is_readable_term(term: sp.Expr) -> bool:
    """A term worth quoting back: short, and with no power of a symbolic exponent."""
    symbolic_power = any(not p.exp.is_number for p in term.atoms(sp.Pow))
    return len(str(term)) <= 30 and not symbolic_power


def _is_small_polynomial(expr: sp.Expr) -> bool:
    """Cheap to expand: no functions (exp, log, ...), few operations, few expanded terms."""
    return (not expr.atoms(sp.Function) and sp.count_ops(expr) <= 40
            and _expansion_size(expr) <= 60)


def _term_hint(given: sp.Expr, reference: sp.Expr) -> tuple[str, Reason]:
    """Which additive terms differ, without quoting the reference."""
    if not (_is_small_polynomial(given) and _is_small_polynomial(reference)):
        return "", Reason.WRONG
    # Expanded, each side is a sum of coefficient * monomial: {monomial: coefficient}.
    given_terms = dict(sp.expand(given).as_coefficients_dict())
    reference_terms = dict(sp.expand(reference).as_coefficients_dict())
    if not all(_is_readable_term(monomial) for monomial in given_terms | reference_terms):
        return "", Reason.WRONG  # e.g. expanded sigmoids: a term list would confuse
    if len(given_terms) == 1 and len(reference_terms) == 1:
        return "", Reason.WRONG  # one term against one: a term list says nothing new
    extra = [m for m in given_terms if m not in reference_terms]
    missing = [m for m in reference_terms if m not in given_terms]
    changed = [m for m in given_terms
               if m in reference_terms and sp.simplify(given_terms[m] - reference_terms[m]) != 0]
    parts = []
    if extra:
        listed = ", ".join(sorted(str(given_terms[m] * m) for m in extra)[:6])
        parts.append(f"these terms of yours are not in the right answer: {listed}")
    if changed:
        listed = ", ".join(sorted("the constant term" if m == 1 else f"the coefficient of {m}"
                                  for m in changed)[:6])
        parts.append(f"{listed} {'is' if len(changed) == 1 else 'are'} not the right one")
    if missing:
        parts.append(f"{len(missing)} term(s) of the right answer are missing")
    reason = (Reason.MISSING_TERM if missing and not extra and not changed else
              Reason.EXTRA_TERM if extra and not missing and not changed else Reason.WRONG)
    return (" Expanded, " + "; ".join(parts) + ".") if parts else "", reason


def check_formula(
    answer: Any,
    expected: Any,
    *,
    symbols: Mapping[str, sp.Symbol] | Iterable[sp.Symbol],
    domains: Mapping[str, tuple[float, float]] | None = None,
    substitutions: Mapping[sp.Symbol, sp.Expr] | None = None,
    diagnose: Diagnosis | None = None,
    points: int = POINTS,
    seed: int = 0,
) -> Verdict:
    """Check a formula: equal to the reference at random points of its domain.

    Parameters
    ----------
    answer
        The reader's formula: text such as ``"2*x*(x - t)"`` (``^`` is read as a power;
        read by :func:`~bpnotes.exercises.parsing.read_expression`, never executed), a
        sympy expression (its symbols are matched by name) or a number.
    expected
        The reference formula.
    symbols
        The symbols the answer may use, by name.
    domains
        ``{name: (low, high)}``: where a symbol's random values are drawn (default
        (0.2, 1.3), and 1..6 for a symbol declared ``integer=True``).
    substitutions
        Shorthands replaced in the answer before comparing, e.g. ``{y: w*x + b}``.
    diagnose
        Called with the reader's (substituted) expression when it is wrong; a verdict it
        returns replaces the generic diagnosis (e.g. "two contributions swapped").
    points, seed
        How many random points, and their seed.

    Returns
    -------
    Verdict
        Right when the answer equals the reference (relative difference at most 1e-9) at
        every point where the reference is defined. Otherwise it names a point where they
        differ and by roughly how much, whether the whole answer is off by a constant factor
        (reason ``factor`` or ``sign``) or which expanded terms differ (``missing-term``,
        ``extra-term``), never the reference itself.
    """
    named = _symbol_map(symbols)
    reference = sp.sympify(expected)
    try:
        given = read_expression(answer, named)
    except AnswerError as exc:
        return wrong(f"{exc.message}.", exc.reason, reference)
    if substitutions:
        given = given.xreplace(dict(substitutions))
    comparison = _Comparison(given, reference, domains or {}, points, seed)
    needed = min(10, points) if comparison.free else 1
    if len(comparison.rows) < needed:  # a reference undefined almost everywhere: a book bug
        raise ValueError(f"the reference {reference} could be evaluated at only "
                         f"{len(comparison.rows)} of {points} points; widen the domains")
    difference = comparison.first_difference
    if difference is None:
        count = len(comparison.rows)
        where = f"all {count} test points" if comparison.free else "the right value"
        return right(f"Your formula is right: it equals the right answer at {where}.", reference)
    if diagnose is not None:
        special = diagnose(given)
        if special is not None:
            return special
    point, got, ref = difference
    if got is None or not _is_real(got):
        return wrong(f"At {comparison.where(point)} your formula is undefined, too large "
                     "to compute, or not a real number, and the right answer is.",
                     Reason.NOT_FINITE, reference)
    if all(g == 0 for _, g, _ in comparison.rows):
        return wrong("Your formula is 0 at every test point, and the right answer is not.",
                     Reason.WRONG, reference)
    ratio = comparison.constant_ratio()
    size = relative_band(float(abs(got - ref) / abs(ref))) if ref != 0 else "by a nonzero amount"
    # Name the point only in the reader's own symbols (not in hidden ones a shorthand stands for).
    visible = comparison.free and set(comparison.free) <= set(named.values())
    at = f"At {comparison.where(point)} y" if visible else "Y"
    message = f"{at}our formula and the right answer differ {size}."
    if ratio is not None and _is_real(ratio):
        reason = Reason.SIGN if abs(ratio + 1) < 1e-7 else Reason.FACTOR
        return wrong(message + FACTOR_HINT, reason, reference)
    hint, reason = _term_hint(given, reference) if visible else ("", Reason.WRONG)
    return wrong(message + hint, reason, reference)


# ----------------------------------------------------------------- numbers
#: The ratios answer/expected that a number checker calls a slip of a constant factor: a
#: lost or doubled factor 2 (such as the ½ of ½(y − t)²), with or without a flipped sign.
#: Other ratios (3, 10, 1/4, ...) are far more often an unrelated slip, for which "a
#: constant factor" would be a misleading hint.
FACTOR_SLIPS = (Fraction(2), Fraction(1, 2), Fraction(-2), Fraction(-1, 2))


def _factor_slip(value: float, expected: float) -> Reason | None:
    """SIGN when value/expected is −1, FACTOR when it is ±2 or ±½ (:data:`FACTOR_SLIPS`)."""
    if expected == 0 or value == 0:
        return None
    ratio = value / expected
    if not math.isfinite(ratio):
        return None
    if abs(ratio + 1) <= 1e-6:
        return Reason.SIGN
    if any(abs(ratio - float(slip)) <= 1e-6 * abs(ratio) for slip in FACTOR_SLIPS):
        return Reason.FACTOR
    return None


def tolerance_text(rtol: float, atol: float, sig_digits: int | None) -> str:
    """How a number is compared, in words, for the message and the exercise statement."""
    if sig_digits is not None:
        return f"to {sig_digits} significant digits"
    if rtol <= 1e-6 and atol <= 1e-6:
        return "exactly, up to rounding"
    if atol == 0:
        return f"within {rtol * 100:g}%"
    if rtol == 0:
        return f"within ±{atol:g}"
    return f"within ±({atol:g} + {rtol * 100:g}% of the value)"


def check_number(
    answer: Any,
    expected: float,
    *,
    rtol: float = 1e-6,
    atol: float = 0.0,
    sig_digits: int | None = None,
    integer: bool = False,
) -> Verdict:
    """Check a number.

    Parameters
    ----------
    answer
        The reader's number: an int or float (also numpy's or sympy's), a fraction, or
        text such as ``"0.25"``, ``"1/4"``, ``"-0.106"``, ``"2e-3"`` or ``"log(9)"``.
    expected
        The right value, finite.
    rtol, atol
        Right when ``|answer − expected| <= atol + rtol·|expected|``.
    sig_digits
        Instead of ``rtol``: right when the answer is within one unit of the last of
        ``sig_digits`` significant digits of ``expected`` (so ``-0.106`` and ``-0.1057``
        are right for ``-0.10575`` at 3 digits, and ``-0.11`` is not).
    integer
        The answer must be a whole number (a count): ``18.4`` is refused.

    Returns
    -------
    Verdict
        A wrong number is described by direction and a coarse relative size, with reason
        ``too-large``, ``too-small``, ``sign``, or ``factor`` for a slip such as 2× or ½×
        (the factor itself is not named: next to the reader's answer it is the answer).
    """
    expected = float(expected)
    if not math.isfinite(expected):
        raise ValueError(f"expected must be a finite number, got {expected}")
    try:
        value = read_number(answer)
    except AnswerError as exc:
        return wrong(f"{exc.message}.", exc.reason, expected)
    if integer and value != round(value):
        return wrong("a count is a whole number.", Reason.NOT_WHOLE, expected)
    if sig_digits is not None:
        unit = 10.0 ** (math.floor(math.log10(abs(expected))) - sig_digits + 1) if expected else 0
        allowed = atol + unit
    else:
        allowed = atol + rtol * abs(expected)
    how = tolerance_text(rtol, atol, sig_digits)
    if abs(value - expected) <= allowed:
        return right(f"Your number is right ({how}).", expected)
    # a wrong sign is told with the size too only when the size alone would be wrong
    size_tolerance = allowed / abs(expected) if expected else 0.0
    text, reason = size_of_error(value, expected, magnitude_tolerance=size_tolerance)
    slip = _factor_slip(value, expected)
    hint = FACTOR_HINT if slip else ""
    return wrong(f"Your number is {text} (compared {how}).{hint}", slip or reason, expected)


def check_smallest_count(
    answer: Any, expected: int, *, unit: str, after: Callable[[int], str]
) -> Verdict:
    """Check "the smallest whole number k (of steps, layers, ...) after which X holds".

    A wrong whole number is answered with what holds after the reader's own k (``after(k)``,
    e.g. ``"the bound is 3.1e-05"``) and whether it is too few or too many, never with the
    distance to the right k. Text (``"20"``), numpy and sympy integers are accepted.

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
    try:
        value = read_number(answer)
    except AnswerError as exc:
        return wrong(f"{exc.message}.", exc.reason, expected)
    if value != round(value) or value < 1:
        return wrong(f"a number of {unit} is a whole number of at least 1: if you solved an "
                     "equation, round its solution in the right direction.", Reason.NOT_WHOLE,
                     expected)
    if value > 10 * expected + 1000:
        return wrong(f"that is far too many {unit}: look for the smallest number.",
                     Reason.TOO_LARGE, expected)
    k = int(value)
    if k == expected:
        return right(f"After {k} {unit} {after(k)}, and after {k - 1} {after(k - 1)}.", expected)
    if k < expected:
        return wrong(f"After {k} {unit} {after(k)}: not there yet.", Reason.TOO_SMALL, expected)
    return wrong(f"After {k} {unit} {after(k)}, but fewer {unit} already get there: look for "
                 "the smallest number.", Reason.TOO_LARGE, expected)


# ----------------------------------------------------------------- choices
def _normal(text: str) -> str:
    return " ".join(text.strip().strip("\"'").lower().split())


def check_choice(
    answer: Any,
    expected: str,
    options: Sequence[str],
    *,
    aliases: Mapping[str, str] | None = None,
    wrong_message: str = "is not what happens: run the experiment and look again.",
) -> Verdict:
    """Check a choice among named ``options`` (case, quotes and extra spaces ignored).

    ``aliases`` maps other spellings to options (e.g. ``{"h5": "5"}``). An answer that is not
    an option is told the valid options (reason ``option``); a wrong option is told only
    that it is wrong (the explanation is in the exercise's solution).
    """
    lookup = {_normal(o): str(o) for o in options}
    for alias, option in (aliases or {}).items():
        lookup[_normal(alias)] = lookup[_normal(option)]
    if _normal(expected) not in lookup:
        raise ValueError(f"expected {expected!r} is not one of the options {list(options)}")
    listed = ", ".join(repr(str(o)) for o in options)
    if isinstance(answer, bool) or answer is None or not isinstance(answer, str | int):
        shown = "None" if answer is None else type(answer).__name__
        return wrong(f"answer with one of {listed} (as text); got {shown}.", Reason.TYPE,
                     expected)
    key = _normal(str(answer))
    if key not in lookup:
        return wrong(f"answer with one of {listed}; got {str(answer)[:60]!r}.", Reason.OPTION,
                     expected)
    chosen = lookup[key]
    if chosen == lookup[_normal(expected)]:
        return right(f"{chosen!r} is right.", expected)
    return wrong(f"{chosen!r} {wrong_message}", Reason.WRONG, expected)


# ----------------------------------------------------------------- arrays
def _entry_label(index: int, shape: tuple[int, ...], names: Sequence[str] | None) -> str:
    if names is not None:
        return names[index]
    position = []
    for size in reversed(shape):
        position.append(index % size)
        index //= size
    return f"entry {tuple(reversed(position)) if len(shape) > 1 else position[0]}"


def check_array(
    answer: Any,
    expected: Any,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    name: str = "array",
    entry_names: Sequence[str] | None = None,
) -> Verdict:
    """Check an array: same shape, then every entry within ``atol + rtol·|expected|``.

    Parameters
    ----------
    answer
        Nested lists, a numpy array, a sympy Matrix, or text such as ``"[[1, 2], [3, 4]]"``.
    expected
        The right array (nested lists or anything with ``tolist()``).
    name
        What the array is, for the messages ("Hessian", "gradient").
    entry_names
        A name for every entry in row-major order (``"∂J/∂w"``, ``"H_wb"``), used instead
        of an index when an entry is wrong.

    Returns
    -------
    Verdict
        Reason ``shape`` for a wrong shape, ``type``/``not-finite`` for an entry that is not
        a finite real number (a complex entry is refused, not rounded), and for wrong
        entries how many differ and the first one by name, direction and coarse size,
        with the constant-factor hint only when the whole array is off by that factor.
    """
    want_shape, want_entries = read_array(expected, name=name)
    want = [float(v) for v in want_entries]
    try:
        shape, entries = read_array(answer, name=name)
    except AnswerError as exc:
        return wrong(f"{exc.message}.", exc.reason, expected)
    if shape != want_shape:
        return wrong(f"the {name} has shape {shape}; expected shape {want_shape}.", Reason.SHAPE,
                     expected)
    values = []
    for index, entry in enumerate(entries):
        try:
            values.append(read_number(entry))
        except AnswerError as exc:
            label = _entry_label(index, shape, entry_names)
            return wrong(f"{label} of the {name}: {exc.message}.", exc.reason, expected)
    bad = [i for i, (v, e) in enumerate(zip(values, want, strict=True))
           if abs(v - e) > atol + rtol * abs(e)]
    if not bad:
        return right(f"Every entry of the {name} is right (within {rtol:g} relative).", expected)
    first = bad[0]
    text, reason = size_of_error(values[first], want[first])
    label = _entry_label(first, shape, entry_names)
    ratios = {round(v / e, 9) for v, e in zip(values, want, strict=True) if e != 0}
    zeros_kept = all(abs(v) <= atol for v, e in zip(values, want, strict=True) if e == 0)
    slip = _factor_slip(values[first], want[first]) if len(ratios) == 1 and zeros_kept else None
    hint = FACTOR_HINT if slip else ""
    count = f"{len(bad)} of {len(values)} entries of the {name} differ; the first, {label},"
    return wrong(f"{count} is {text}.{hint}", slip or reason, expected)

