"""The capstone's exercise checkers, through ``check``: answers as a reader types them
(units, percentages, too few decimals) get a verdict, at once, and never the answer."""

from __future__ import annotations

import math

import pytest

from bpnotes.exercises import check
from bpnotes.exercises.capstone import (
    ACCURACY_DECIMALS,
    CHANCE_TOLERANCE,
    SOFTMAX_TOLERANCE,
    steps_to_fraction,
)
from bpnotes.exercises.references import REFERENCES
from bpnotes.exercises.verdict import Reason

CHANCE = float(REFERENCES["ex-cap-chance"])
SOFTMAX = float(REFERENCES["ex-cap-softmax"])


def test_ninety_percent_by_hand():
    # 1 - 0.9^k >= 0.9  <=>  k >= ln 0.1 / ln 0.9 = 21.85...
    assert steps_to_fraction() == math.ceil(math.log(0.1) / math.log(0.9)) == 22


@pytest.mark.parametrize("answer", ["22 steps", "22 Steps", " 22 step ", "22 updates"])
def test_a_count_with_its_unit_is_read_as_the_count(answer):
    assert check("ex-cap-ninety", answer).correct


@pytest.mark.parametrize("answer", ["twenty-two", "22 apples", "k = 22"])
def test_a_count_in_words_is_asked_for_as_a_number(answer):
    verdict = check("ex-cap-ninety", answer)
    assert not verdict.correct and verdict.reason == Reason.PARSE
    assert "number of steps" in verdict.message and "22" not in verdict.message


@pytest.mark.parametrize(("label", "value"), [("ex-cap-chance", CHANCE),
                                              ("ex-cap-softmax", SOFTMAX)])
def test_an_accuracy_may_be_typed_as_a_percentage(label, value):
    assert check(label, f"{100 * value:.1f}%").correct
    assert check(label, f"{100 * value:.2f} %").correct
    assert check(label, f"{value:.{ACCURACY_DECIMALS}f}").correct
    assert not check(label, f"{100 * value + 5:.1f}%").correct


def test_too_few_decimals_are_asked_for_not_called_wrong():
    # the chance level rounded to two decimals is right as far as it goes
    rounded = f"{CHANCE:.2f}"
    assert abs(float(rounded) - CHANCE) > CHANCE_TOLERANCE
    verdict = check("ex-cap-chance", rounded)
    assert not verdict.correct and "decimals" in verdict.message
    assert "too small" not in verdict.message and "too large" not in verdict.message
    # a two-decimal number that is no rounding of it is too small or too large
    assert "too" in check("ex-cap-chance", f"{CHANCE + 0.02:.2f}").message


def test_stated_tolerances():
    assert check("ex-cap-softmax", SOFTMAX + 0.99 * SOFTMAX_TOLERANCE).correct
    assert not check("ex-cap-softmax", SOFTMAX - 1.01 * SOFTMAX_TOLERANCE).correct
    assert check("ex-cap-chance", round(CHANCE, 3)).correct
    assert not check("ex-cap-chance", CHANCE + 1.01 * CHANCE_TOLERANCE).correct


@pytest.mark.parametrize("answer", ["H**H**H", "2**2**H", "H^(H^H)", "(H + 1)**H**2"])
def test_a_power_tower_in_h_is_answered_at_once(answer):
    # refused before it is evaluated (at H = 200 it is an integer too large to compute),
    # so the check never runs into its time limit
    verdict = check("ex-cap-params", answer)
    assert not verdict.correct and verdict.reason != Reason.TIMEOUT
    assert "exponent" in verdict.message and "75" not in verdict.message


def test_parameter_count_still_accepts_every_form():
    for answer in ("75*H + 10", "(64 + 1)*H + (H + 1)*10", "H*(64 + 1 + 10) + 10"):
        assert check("ex-cap-params", answer).correct, answer
