"""How long ``Analyzer.fit`` takes on 32 labelled answers for each of 10 themes (target ≤ 60 s).

    python benchmarks/fit_speed.py

Real survey answers (phase-1 Trust B and C, read from ``../shared/data`` at run time),
10 of the phase-1 sub-themes, 32 answers coded with each plus as many coded with none of
them. Times, in one process and on the same labels, ``fit`` on top of the theme matcher
(the default) and on top of the older similarity combiner (``--no-matcher`` equivalent),
each from a cold analyzer (the encoder load is timed apart). Not a test: numbers depend on
the machine.
"""

from __future__ import annotations

import platform
import sys
import time

import pandas as pd

import voicelens as vl
from voicelens.evaluation import few_shot_sample
from voicelens.train.corpora import load_phase1
from voicelens.train.theme_pairs import theme_files

THEMES = 10
SHOTS = 32


def labelled_answers() -> tuple[pd.DataFrame, vl.ThemeSet]:
    frame = load_phase1().query("split == 'train'").reset_index(drop=True)
    by_code = {str(t.extra["source"]["code"]): t for t in theme_files("phase1")}
    common = frame["subcategory"].value_counts()
    codes = [c for c in common.index if c in by_code and common[c] >= 2 * SHOTS][:THEMES]
    themes = vl.ThemeSet([by_code[c] for c in codes])
    for c in codes:
        frame[by_code[c].name] = (frame["subcategory"] == c).astype(int)
    sample = few_shot_sample(frame, themes.names, SHOTS, seed=0)
    for name in themes.names:
        sample[name] = sample[name].map({1: "mentioned", 0: "absent"})
    return sample.reset_index(drop=True), themes


def timed_fit(sample: pd.DataFrame, themes: vl.ThemeSet, matcher: bool) -> tuple[float, float]:
    an = vl.Analyzer(themes=themes, show_progress_bar=False)
    started = time.perf_counter()
    an.backend_.encoder.encode(["warm up"], show_progress_bar=False)
    if not matcher:
        an.backend_.heads.matcher = None
    loaded = time.perf_counter()
    an.fit(sample, "text", question_column="question")
    return loaded - started, time.perf_counter() - loaded


def main() -> int:
    sample, themes = labelled_answers()
    print(f"{platform.processor() or platform.machine()}; {len(sample)} answers, {len(themes)} themes, "
          f"{SHOTS} per theme")
    runs = {name: timed_fit(sample, themes, matcher) for name, matcher in
            (("theme matcher (default)", True), ("similarity combiner", False))}
    for name, (load, fit) in runs.items():
        print(f"{name:26s} load {load:5.1f} s   fit {fit:5.1f} s")
    ours, other = runs["theme matcher (default)"][1], runs["similarity combiner"][1]
    print(f"fit time ratio (matcher / combiner): {ours / other:.2f}; target fit ≤ 60 s: "
          f"{'met' if ours <= 60 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
