"""Every exercise that gets an answer box on the site is checkable without numpy.

The boxes run ``bpnotes.exercises.check`` in the reader's browser (Pyodide), where numpy,
matplotlib and the rest of the scientific stack do not exist. Here a CPython subprocess
refuses to import them, lists the boxed labels exactly as the book build does
(``book/_ext/answer_boxes.py``), and checks typical answers to every one of them; the
verdicts must be those of an ordinary process with numpy, and no refused module may have
been asked for.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXT = ROOT / "book" / "_ext"
sys.path.insert(0, str(EXT))

import answer_boxes  # noqa: E402

#: What the browser has not: importing any of these must fail.
ABSENT = ("numpy", "matplotlib", "scipy", "PIL", "sklearn", "torch", "ipywidgets", "IPython")

#: Answers a reader might type into any box: plausible, wrong, slips and garbage.
TYPED = ["", "1/3", "-0.5", "2.5e-3", "2*eta", "exp(-x)*sigma(z)", "x +", "((",
         "__import__('os').system('true')", "9**9**9**9", "1/0"]

SCRIPT = r"""
import importlib.abc, json, sys

ABSENT = set(json.loads(sys.argv[1]))
asked = []


class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ABSENT:
            asked.append(name)
            raise ImportError(f"{name} is not available in the browser")
        return None


sys.meta_path.insert(0, Refuse())
sys.path.insert(0, sys.argv[2])
import answer_boxes
from bpnotes.exercises import check, describe

typed = json.loads(sys.argv[3])
verdicts = {}
for label in answer_boxes.boxed_labels():
    verdicts[label] = []
    for text in typed + list(describe(label)["options"]):
        try:
            shown = str(check(label, text))
        except Exception as exc:  # reported by the test, not hidden behind the first one
            shown = f"raised {type(exc).__name__}: {exc}"
        verdicts[label].append([text, shown])
print(json.dumps({"verdicts": verdicts, "asked": asked,
                  "loaded": sorted(m for m in sys.modules if m.split(".")[0] in ABSENT)}))
"""


@pytest.fixture(scope="module")
def without_numpy() -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(ABSENT), str(EXT), json.dumps(TYPED)],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_no_module_the_browser_lacks_is_imported(without_numpy):
    assert without_numpy["asked"] == []
    assert without_numpy["loaded"] == []


def test_the_boxes_cover_every_formula_number_and_choice(without_numpy):
    from bpnotes.exercises import describe, exercises

    boxed = {label for label in exercises() if describe(label)["kind"] in answer_boxes.BOXED_KINDS}
    assert set(without_numpy["verdicts"]) == boxed
    assert len(boxed) >= 10


def test_every_typed_answer_gets_a_verdict(without_numpy):
    failures = [(label, text, shown) for label, pairs in without_numpy["verdicts"].items()
                for text, shown in pairs if not (shown[:1] in "✔✘" and len(shown) > 2)]
    assert not failures


def test_the_verdicts_are_those_of_a_process_with_numpy(without_numpy):
    from bpnotes.exercises import check

    def verdict(label: str, text: str) -> str:
        try:
            return str(check(label, text))
        except Exception as exc:
            return f"raised {type(exc).__name__}: {exc}"

    compared = [(label, text, shown, verdict(label, text))
                for label, pairs in without_numpy["verdicts"].items() for text, shown in pairs]
    assert not [row for row in compared if row[2] != row[3]]


def test_every_choice_box_offers_the_right_option(without_numpy):
    from bpnotes.exercises import describe

    for label, pairs in without_numpy["verdicts"].items():
        options = describe(label)["options"]
        if describe(label)["kind"] == "choice":
            right = [text for text, shown in pairs if text in options and shown.startswith("✔")]
            assert len(right) == 1, (label, right)
