"""Fuzz the text-handling path: rows.classify → text.split_sentences → dedupe_sentences → Analyzer.

CI runs a short version of this (``tests/test_fuzz.py``, a few seconds). The longer
run, before a release or after touching ``rows.py``, ``text.py``, ``language.py`` or
``analyzer.py``::

    python scripts/fuzz_text.py                          # hypothesis, 20,000 inputs (~6 min)
    python scripts/fuzz_text.py --examples 200000        # longer
    pip install atheris                                   # coverage-guided, libFuzzer
    python scripts/fuzz_text.py --engine atheris -- -max_total_time=600 -rss_limit_mb=4096

Each input must keep these invariants (:func:`check_one`); a failure prints the input
that broke one (hypothesis shrinks it first; atheris writes a ``crash-*`` file):

- ``classify`` gives a known status; usable text comes back stripped, non-empty and
  free of control characters other than line breaks and tabs;
- ``split_sentences`` returns stripped, non-empty sentences of at most
  ``MAX_SENTENCE_WORDS`` words, loses no character except whitespace and bullet
  marks, and gives the same answer twice;
- ``dedupe_sentences`` gives one non-empty response per text, indexes into unique sentences;
- ``detect_language`` answers a code, the same one twice;
- ``Analyzer(backend="fake")`` returns every row, in order, with the same status for
  the same value wherever it stands, and the same result in chunks of one row.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from typing import Any

import pandas as pd

from voicelens import Analyzer
from voicelens.text import dedupe_sentences
from voicelens.language import detect_language
from voicelens.rows import STATUS_MEANINGS, classify
from voicelens.text import MAX_SENTENCE_WORDS, split_sentences

_ALLOWED_UNPRINTABLE = set("\n\t\r\u2028\u2029")
_BULLETS = re.compile(r"[-*\u2022]")
_SPACE = re.compile(r"\s")
_WHOLE = Analyzer(backend="fake", show_progress_bar=False)
_ONE_BY_ONE = Analyzer(backend="fake", show_progress_bar=False, chunk_size=1, batch_size=1)


def check_one(value: Any) -> None:
    """Raise AssertionError if ``value`` breaks an invariant of the text path.

    >>> check_one("Dr. Lee was kind.\\n- My pain is gone!")
    >>> check_one(None)
    """
    status, text = classify(value)
    assert status in STATUS_MEANINGS, status
    if status == "ok":
        assert isinstance(text, str) and text and text == text.strip(), repr(text)
        assert all(ch.isprintable() or ch in _ALLOWED_UNPRINTABLE for ch in text), repr(text)
        _check_sentences(text)
        batch = dedupe_sentences([text, text, "x"], [None, None, None])
        assert len(batch.responses) == 3 and all(batch.responses), batch.responses
        assert batch.responses[0] == batch.responses[1]
        assert len(set(batch.sentences)) == len(batch.sentences)
        assert all(0 <= i < len(batch.sentences) for r in batch.responses for i in r)
        language = detect_language(text)
        assert isinstance(language, str) and language == detect_language(text)
    else:
        assert text is None
    _check_analyzer(value)


def _check_sentences(text: str) -> None:
    sentences = split_sentences(text)
    assert sentences == split_sentences(text)
    for sentence in sentences:
        assert sentence and sentence == sentence.strip(), repr(sentence)
        assert len(sentence.split(" ")) <= MAX_SENTENCE_WORDS
    kept = _SPACE.sub("", "".join(sentences))
    source = _SPACE.sub("", text)
    it = iter(source)
    assert all(ch in it for ch in kept), "sentences hold characters the text does not"
    assert len(source) - len(kept) <= len(_BULLETS.findall(source)), "characters were lost"


def _check_analyzer(value: Any) -> None:
    rows = [value, None, "My pain is gone.", value]
    r = _WHOLE.analyze(rows).responses
    assert r.index.equals(pd.RangeIndex(4))
    assert r["status"].iloc[1] == "missing" and r["status"].iloc[0] == r["status"].iloc[3]
    if _safe_to_compare(value):
        pd.testing.assert_frame_equal(r, _ONE_BY_ONE.analyze(rows).responses)


def _safe_to_compare(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bytes))


# -- engines -----------------------------------------------------------------------------


def run_hypothesis(examples: int, seed: int | None) -> None:
    from hypothesis import HealthCheck, given, seed as fix_seed, settings

    test = settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))(given(hostile_values())(check_one))
    if seed is not None:
        test = fix_seed(seed)(test)
    start = time.time()
    test()
    print(f"hypothesis: {examples} inputs passed every invariant in {time.time() - start:.0f} s")


def hostile_values():
    """Any string (surrogates too), strings built from tricky pieces, and non-strings."""
    from hypothesis import strategies as st

    pieces = st.sampled_from([
        "Dr. ", "e.g. ", "no. 5", "U.K.", "pain", "gone", ".", "!", "?", "...", "\n", "\r\n", "\r", "\u2028",
        "- ", "* ", "\u2022 ", " ", "\t", "\x00", "\u200b", "\ufeff", "\u202e", "\u0301", "\ufe0f", "\U0001f600",
        "\u6211", "\u0634", "\u05e9", "<p>", "</b>", "**", "#", "mg.", '"', "(", ")", "'", "a" * 130, "a. " * 50,
    ])
    text = st.one_of(
        st.text(st.characters(codec=None)),
        st.lists(st.one_of(pieces, st.text(st.characters(codec=None), max_size=4)), max_size=60).map("".join),
    )
    other = st.one_of(st.none(), st.floats(), st.integers(), st.binary(max_size=8), st.just(pd.NA),
                      st.lists(st.text(max_size=3), max_size=2))
    return st.one_of(text, text, text, other)


def run_atheris(argv: list[str]) -> None:
    try:
        import atheris
    except ImportError:
        sys.exit("atheris is not installed: pip install atheris (or run with --engine hypothesis)")

    def one_input(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        choice = fdp.ConsumeIntInRange(0, 9)
        if choice == 0:
            check_one(fdp.ConsumeBytes(fdp.remaining_bytes()))
        elif choice == 1:
            check_one(fdp.ConsumeRegularFloat())
        else:
            check_one(fdp.ConsumeUnicode(fdp.remaining_bytes()))

    _instrument_voicelens(atheris)  # only our code: instrument_all() makes pandas 10x slower
    atheris.Setup([sys.argv[0], *argv], one_input)
    atheris.Fuzz()


def _instrument_voicelens(atheris) -> None:
    """Give libFuzzer coverage of every function and method defined in voicelens."""
    import inspect

    seen: set[int] = set()
    for name, module in list(sys.modules.items()):
        if name != "voicelens" and not name.startswith("voicelens."):
            continue
        for obj in list(vars(module).values()) + [check_one, _check_sentences, _check_analyzer]:
            members = vars(obj).values() if inspect.isclass(obj) else [obj]
            for member in members:
                func = getattr(member, "__func__", member)
                ours = inspect.isfunction(func) and func.__module__.startswith(("voicelens", "__main__"))
                if ours and id(func) not in seen:
                    seen.add(id(func))
                    atheris.instrument_func(func)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["hypothesis", "atheris"], default="hypothesis")
    parser.add_argument("--examples", type=int, default=20_000, help="hypothesis: inputs to try")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis: a fixed seed")
    parser.add_argument("libfuzzer_args", nargs="*", help="atheris: libFuzzer options after --")
    args = parser.parse_args(argv)
    if args.engine == "atheris":
        run_atheris(args.libfuzzer_args)
    else:
        run_hypothesis(args.examples, args.seed)


if __name__ == "__main__":
    main()
