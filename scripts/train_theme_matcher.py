"""Train the theme matcher across all labelled themes; measure it on themes it never saw.

    python scripts/train_theme_matcher.py                 # validation: k-fold over themes, leave-one-trust-out
    python scripts/train_theme_matcher.py --ship          # + fit on every train part, write models/heads/
    python scripts/train_theme_matcher.py --ship --test   # + score the test parts once (held-out themes)

Validation uses train parts only. A theme is scored by the model of the fold that held it
out (its definition, examples and labels never in training; near-duplicate themes share a
fold); leave-one-trust-out also holds out every answer of the trust scored. The baseline is
plain description similarity with its threshold tuned on the training themes, in the same
folds. Results go to ``models/heads/theme_matcher_report.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from voicelens.backends.minilm import MiniLMEncoder
from voicelens.train.embedding_cache import EmbeddingCache
from voicelens.train.theme_matcher import (
    CorpusArrays,
    MatcherConfig,
    answer_scores,
    best_threshold,
    corpus_arrays,
    fit_matcher,
    per_theme_f1,
    theme_folds,
    theme_prototypes,
)
from voicelens.train.theme_pairs import all_themes, load_corpora

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "models" / "heads"
TRUSTS = ("NHFT", "Trust B", "Trust C")
K = 5


def masks(arrays: list[CorpusArrays], split: str, without_themes=frozenset(), without_group=None,
          only_themes=None, only_group=None) -> list[np.ndarray]:
    out = []
    for a in arrays:
        rows = (a.answers["split"] == split).to_numpy()
        if without_group is not None:
            rows &= (a.answers["group"] != without_group).to_numpy()
        if only_group is not None:
            rows &= (a.answers["group"] == only_group).to_numpy()
        cols = np.array([n not in without_themes and (only_themes is None or n in only_themes) for n in a.themes])
        out.append(rows[:, None] & cols[None, :])
    return out


def fit_and_score(arrays, protos, train_masks, config):
    """Fit, tune both thresholds on the training themes; return scores of matcher and baseline."""
    matcher = fit_matcher(arrays, protos, train_masks, config)
    labels = [a.labels for a in arrays]
    scored = [answer_scores(matcher, a, protos) for a in arrays]
    base = [answer_scores(None, a, protos) for a in arrays]
    matcher.meta["threshold"] = best_threshold(scored, labels, train_masks)
    base_threshold = best_threshold(base, labels, train_masks)
    return matcher, scored, base, base_threshold


def held_out_rows(arrays, protos, config, split: str, group: str | None, folds: dict[str, int]) -> list[dict]:
    """Per theme: F1 of the matcher and of the baseline on themes (and a trust) never trained on."""
    rows = []
    for f in range(K):
        held = {n for n, fold in folds.items() if fold == f}
        train = masks(arrays, "train", without_themes=held, without_group=group)
        matcher, scored, base, base_t = fit_and_score(arrays, protos, train, config)
        evaluate = masks(arrays, split, only_themes=held, only_group=group)
        for a, s, b, m in zip(arrays, scored, base, evaluate):
            ours = per_theme_f1(s, a.labels, m, matcher.threshold)
            theirs = per_theme_f1(b, a.labels, m, base_t)
            for j, name in enumerate(a.themes):
                n_pos = int(np.nansum(a.labels[m[:, j], j]))
                if np.isfinite(ours[j]):
                    rows.append({"corpus": a.name, "theme": name, "fold": f, "group": group or "all",
                                 "positives": n_pos, "matcher": round(float(ours[j]), 4),
                                 "baseline": round(float(theirs[j]), 4)})
    return rows


def summarise(rows: list[dict], min_positives: int = 10) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame = frame[frame["positives"] >= min_positives]
    out = frame.groupby(["group", "corpus"]).agg(themes=("theme", "size"), matcher=("matcher", "mean"),
                                                 baseline=("baseline", "mean"))
    wins = frame.assign(win=frame["matcher"] > frame["baseline"]).groupby(["group", "corpus"])["win"].mean()
    return out.assign(matcher_wins=wins).round(3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ship", action="store_true", help="fit on every train part and write models/heads/")
    parser.add_argument("--test", action="store_true", help="score the test parts once (needs --ship)")
    parser.add_argument("--no-loto", action="store_true", help="skip leave-one-trust-out (faster)")
    parser.add_argument("--cache", default=str(ROOT / "cache" / "embeddings"))
    parser.add_argument("--steps", type=int, default=MatcherConfig.steps)
    parser.add_argument("--rank", type=int, default=MatcherConfig.rank)
    parser.add_argument("--l2", type=float, default=MatcherConfig.l2)
    args = parser.parse_args(argv)
    config = MatcherConfig(rank=args.rank, l2=args.l2, steps=args.steps)
    started = time.time()
    cache = EmbeddingCache(args.cache, MiniLMEncoder())
    embed = lambda texts: cache.embed(list(texts), show_progress_bar=False)  # noqa: E731
    themes = all_themes()
    protos = theme_prototypes(themes, embed)
    arrays = [corpus_arrays(c, protos, embed) for c in load_corpora()]
    folds = theme_folds(themes, protos, K)
    print(f"{len(themes)} themes, {sum(len(a.answers) for a in arrays)} answers; "
          f"{time.time() - started:.0f}s", flush=True)
    report = {"config": asdict(config), "folds": folds, "themes": len(themes)}
    rows = held_out_rows(arrays, protos, config, "train", None, folds)
    if not args.no_loto:
        for trust in TRUSTS:
            rows += held_out_rows(arrays, protos, config, "train", trust, folds)
    report["validation"] = rows
    print(summarise(rows).to_string(), f"\n{time.time() - started:.0f}s", flush=True)
    if args.ship:
        matcher, *_ = fit_and_score(arrays, protos, masks(arrays, "train"), config)
        matcher.meta.update({"themes": len(themes), "trained_on": sorted({a.name for a in arrays})})
        matcher.save(OUT / "theme_matcher.safetensors")
        report["shipped_threshold"] = matcher.threshold
        if args.test:
            report["test"] = held_out_rows(arrays, protos, config, "test", None, folds)
            print(summarise(report["test"], min_positives=5).to_string(), flush=True)
    (OUT / "theme_matcher_report.json").write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
