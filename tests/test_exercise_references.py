"""The table of run-based reference answers (bpnotes.exercises.references) is what the numeric
code computes today: each entry is recomputed by its run and compared.

A failure means the code changed what an exercise's run gives: regenerate the table with
``python -m bpnotes.exercises.reference_runs`` and check that the exercise's text and
solution still hold.
"""

from __future__ import annotations

import pytest

from bpnotes.exercises import check, exercises
from bpnotes.exercises.reference_runs import RUNS
from bpnotes.exercises.references import REFERENCES


def test_the_table_has_one_entry_per_run_and_each_names_an_exercise():
    assert list(REFERENCES) == list(RUNS)
    assert set(REFERENCES) <= set(exercises())


@pytest.mark.parametrize("name", list(RUNS))
def test_entry_is_what_its_run_computes(name):
    computed = RUNS[name]()
    stored = REFERENCES[name]
    if isinstance(stored, str):
        assert computed == stored
    else:
        assert computed == pytest.approx(stored, rel=1e-7, abs=1e-12)
    # and the checker accepts the freshly computed answer
    assert check(name, computed).correct
