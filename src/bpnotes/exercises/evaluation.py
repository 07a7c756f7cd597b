"""Formulas evaluated as numbers (mpmath), with guards so that no answer can hang a check.

A reader can write values far too large to compute: ``n**n**n**n`` at n = 6 has about
10^36305 digits, and mpmath, asked for it, tries to compute it until memory runs out;
``sin(exp(exp(35)))`` makes mpmath work at the argument's full size; ``tanh`` of a huge
argument allocates memory in proportion to it. Python's own time limit does not help in
the reader's browser, which has none. So every power, exponential and trigonometric or
hyperbolic function is evaluated through a guard: a value beyond :data:`LIMIT_DIGITS`
digits raises OverflowError (the checkers call it "too large to compute"), a value that
small rounds to 0, and tanh of a huge argument is ±1 (exact to any precision used here).

No answer in this book comes near these limits. Only sympy and mpmath are imported.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import mpmath
import sympy as sp

__all__ = ["LIMIT_DIGITS", "guarded_function", "guarded_value"]

#: Decimal digits above which a value is too large to compute (10^10000 and beyond).
LIMIT_DIGITS = 10_000
_LOG_LIMIT = LIMIT_DIGITS * math.log(10)
#: Arguments of sin, cos and tanh are at most 2^MAX_ARGUMENT_BITS in size.
MAX_ARGUMENT_BITS = 1000


def _power(base: Any, exponent: Any) -> Any:
    base, exponent = mpmath.mpmathify(base), mpmath.mpmathify(exponent)
    if base != 0 and mpmath.isfinite(exponent):
        size = exponent * mpmath.log(abs(base))  # log |base**exponent|
        if size > _LOG_LIMIT:
            raise OverflowError("power too large to compute")
        if size < -_LOG_LIMIT and (mpmath.isint(exponent) or base > 0):
            return mpmath.mpf(0)
    return base**exponent


def _exp(argument: Any) -> Any:
    argument = mpmath.mpmathify(argument)
    if mpmath.re(argument) > _LOG_LIMIT:
        raise OverflowError("exponential too large to compute")
    if mpmath.re(argument) < -_LOG_LIMIT:
        return mpmath.mpf(0)
    return mpmath.exp(argument)


def _bounded(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def guarded(argument: Any) -> Any:
        argument = mpmath.mpmathify(argument)
        if argument != 0 and mpmath.mag(argument) > MAX_ARGUMENT_BITS:
            raise OverflowError("argument too large to compute")
        return function(argument)
    return guarded


def _tanh(argument: Any) -> Any:
    argument = mpmath.mpmathify(argument)
    if argument != 0 and mpmath.mag(argument) > 64 and mpmath.im(argument) == 0:
        return mpmath.sign(argument)  # tanh(±2^64) is ±1 to far more than 30 digits
    return _bounded(mpmath.tanh)(argument)


_GUARDS: dict[type, tuple[str, Callable[..., Any]]] = {
    sp.Pow: ("guarded_power", _power),
    sp.exp: ("guarded_exp", _exp),
    sp.sin: ("guarded_sin", _bounded(mpmath.sin)),
    sp.cos: ("guarded_cos", _bounded(mpmath.cos)),
    sp.tanh: ("guarded_tanh", _tanh),
}


@functools.lru_cache(maxsize=256)
def guarded_function(free: tuple[sp.Symbol, ...], expr: sp.Expr) -> Callable[..., Any]:
    """``expr`` as a Python function of ``free``, evaluated with mpmath through the guards.

    Cached (references are evaluated again at every check). The code lambdify writes comes
    from a whitelisted sympy tree, never from the reader's text.
    """
    guarded = expr
    namespace = {}
    for kind, (name, function) in _GUARDS.items():
        guarded = guarded.replace(kind, sp.Function(name))
        namespace[name] = function
    return sp.lambdify(free, guarded, modules=[namespace, "mpmath"])


def guarded_value(expr: sp.Expr, digits: int = 30) -> Any:
    """The mpmath value of a formula without symbols, at ``digits`` digits, through the
    guards (OverflowError when it is too large to compute)."""
    with mpmath.workdps(digits):
        return mpmath.mpmathify(guarded_function((), expr)())
