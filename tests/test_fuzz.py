"""A short fuzz run of the text path in CI; the long run is ``scripts/fuzz_text.py``.

The invariants live in that script (:func:`check_one`) so that both runs check the
same things; see its docstring for the list and for how to run atheris.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "fuzz_text.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("fuzz_text", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fuzz = _load_script()


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(fuzz.hostile_values())
def test_text_path_invariants_hold_for_fuzzed_input(value):
    fuzz.check_one(value)


@pytest.mark.parametrize("value", [
    "", " ", "\x00", "\ud800", "a" * 130, "a. " * 50, "Dr.\n- e.g. \u2022 U.K.", "\u202e\u0301\ufe0f", "🙂" * 3,
    "- - - -", "* \n* \n*", "\r\r\r", ". . .", "word\u2028word\u2029word", 0, 1.5, b"\xff", None,
])
def test_known_tricky_inputs(value):
    fuzz.check_one(value)


def test_invariants_catch_a_broken_splitter(monkeypatch):
    """The checks are not vacuous: a splitter that drops text is caught."""
    monkeypatch.setattr(fuzz, "split_sentences", lambda text, *a, **k: [text[: len(text) // 2].strip() or "x"])
    with pytest.raises(AssertionError):
        fuzz.check_one("My pain is gone. I can walk again and I sleep well.")
