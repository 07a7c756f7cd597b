"""Exercise support: generic answer checkers, plus one module of checks per chapter."""

from .checkers import (
    Verdict,
    check_array,
    check_choice,
    check_expression,
    check_function,
    check_number,
)

__all__ = [
    "Verdict",
    "check_array",
    "check_choice",
    "check_expression",
    "check_function",
    "check_number",
]
