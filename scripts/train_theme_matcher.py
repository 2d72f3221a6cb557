"""Train the theme matcher across all labelled themes; measure it on themes it never saw.

    python scripts/train_theme_matcher.py                 # validation: k-fold over themes, leave-one-trust-out
    python scripts/train_theme_matcher.py --ship          # + fit on every train part, write models/heads/
    python scripts/train_theme_matcher.py --ship --test   # + score the test parts once (held-out themes)

Validation uses train parts only. A theme is scored by the model of the fold that held it
out (its definition, examples and labels never in training; near-duplicate themes share a
fold); leave-one-trust-out also holds out every answer of the trust scored. The baseline is
plain description similarity with its threshold tuned on the training themes, in the same
folds. Results go to ``models/heads/theme_matcher_report.json`` and, as tables,
``models/heads/theme_matcher_evaluation.md``. ``--few-shot`` measures ``Analyzer.fit``'s
adapters instead (8 / 32 / 128 answers per theme, 5 draws; with ``--test`` on the test parts).
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
from voicelens.backends.theme_matcher import matcher_inputs
from voicelens.evaluation import markdown_table
from voicelens.train.adapt import MATCHER_PRIOR_STRENGTH, fit_mention_adapter
from voicelens.train.embedding_cache import EmbeddingCache
from voicelens.train.theme_matcher import (
    DRAWN_BY_SIMILARITY,
    CorpusArrays,
    MatcherConfig,
    answer_scores,
    best_threshold,
    corpus_arrays,
    f1,
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
            rows = rows & (a.answers["group"] != without_group).to_numpy()
        if only_group is not None:
            rows = rows & (a.answers["group"] == only_group).to_numpy()
        cols = np.array([n not in without_themes and (only_themes is None or n in only_themes) for n in a.themes])
        out.append(rows[:, None] & cols[None, :])
    return out


def fit_and_score(arrays, protos, train_masks, config):
    """Fit, tune both thresholds on the training themes; return scores of matcher and baseline."""
    matcher = fit_matcher(arrays, protos, train_masks, config)
    labels = [a.labels for a in arrays]
    scored = [answer_scores(matcher, a, protos) for a in arrays]
    base = [answer_scores(None, a, protos) for a in arrays]
    natural = [a.name not in DRAWN_BY_SIMILARITY for a in arrays]
    pick = lambda values: [v for v, keep in zip(values, natural) if keep]  # noqa: E731
    matcher.meta["threshold"] = best_threshold(pick(scored), pick(labels), pick(train_masks))
    base_threshold = best_threshold(pick(base), pick(labels), pick(train_masks))
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


def few_shot_rows(arrays, protos, config, folds, shots=(8, 32, 128), draws: int = 5,
                  strengths=(MATCHER_PRIOR_STRENGTH,), min_left: int = 20, split: str = "train") -> list[dict]:
    """Per held-out theme, shot count, draw and prior strength: mention F1 of ``Analyzer.fit``'s
    adapter on the ``split`` rows not drawn (train: validation; test: once, at the end), beside
    the matcher alone on the same rows.

    ``shots`` answers mentioning the theme and as many not mentioning it are drawn from the
    train part; themes with fewer than ``shots + min_left`` mentioning answers are skipped."""
    rows = []
    for f in range(K):
        held = {n for n, fold in folds.items() if fold == f}
        matcher, *_ = fit_and_score(arrays, protos, masks(arrays, "train", without_themes=held), config)
        for a in arrays:
            if a.name not in ("nhft", "phase1"):
                continue
            train = (a.answers["split"] == "train").to_numpy()
            sentences = [a.sentences[m[m >= 0]] for m in a.members]
            for j, name in enumerate(a.themes):
                if name not in held:
                    continue
                truth = a.labels[:, j] > 0
                zero = matcher.probability(a.sentences, protos[name])
                zero_answer = np.array([zero[m[m >= 0]].max() for m in a.members])
                for k in shots:
                    pos, neg = np.flatnonzero(train & truth), np.flatnonzero(train & ~truth)
                    if len(pos) < k + min_left:
                        continue
                    for seed in range(draws):
                        rng = np.random.default_rng(seed)
                        drawn = np.r_[rng.choice(pos, k, replace=False), rng.choice(neg, k, replace=False)]
                        rest = (a.answers["split"] == split).to_numpy().copy()
                        rest[drawn] = False
                        y = np.where(truth[drawn], "yes", "no")
                        row = {"corpus": a.name, "theme": name, "shots": k, "draw": seed,
                               "zero_shot": f1(zero_answer[rest] >= matcher.threshold, truth[rest])}
                        for strength in strengths:
                            head = fit_mention_adapter(matcher, protos[name], [sentences[i] for i in drawn], y,
                                                       strength)
                            p = head.predict_proba(matcher_inputs(matcher, a.sentences, protos[name]))[:, 1]
                            answer = np.array([p[m[m >= 0]].max() for m in a.members])
                            for t in sorted({head.meta["threshold"], 0.5, 0.7, 0.85}):
                                row[f"adapter_l2={strength:g}_t={t:.3g}"] = f1(answer[rest] >= t, truth[rest])
                        rows.append(row)
    return rows


def summarise(rows: list[dict], min_positives: int = 10) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame = frame[frame["positives"] >= min_positives]
    out = frame.groupby(["group", "corpus"]).agg(themes=("theme", "size"), matcher=("matcher", "mean"),
                                                 baseline=("baseline", "mean"))
    wins = frame.assign(win=frame["matcher"] > frame["baseline"]).groupby(["group", "corpus"])["win"].mean()
    return out.assign(matcher_wins=wins).round(3)


def write_markdown(report: dict, path: Path) -> None:
    """The report as tables: validation, leave-one-trust-out, test; then every theme."""
    rows = pd.DataFrame(report["validation"])
    parts = [f"# Theme matcher: themes it never saw\n\nWritten by `scripts/train_theme_matcher.py`; "
             f"{report['themes']} themes, {K} folds over themes (near-duplicate themes share a fold). "
             "Mention F1 per theme, mean over themes with at least 10 mentioning answers in the part "
             "scored (5 on the test parts); *baseline*: description similarity, threshold tuned on the "
             "training themes; *wins*: share of themes where the matcher's F1 is higher.\n",
             "## Validation (train parts): k-fold over themes, and also leaving the trust out\n",
             markdown_table(summarise(report["validation"]))]
    if "test" in report:
        parts += ["\n## Test parts, scored once (themes held out as above; text never trained on)\n",
                  markdown_table(summarise(report["test"], min_positives=5))]
    per_theme = rows[rows["group"] == "all"].set_index("theme")[["corpus", "positives", "matcher", "baseline"]]
    parts += ["\n## Every theme (validation, k-fold over themes)\n", markdown_table(per_theme)]
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ship", action="store_true", help="fit on every train part and write models/heads/")
    parser.add_argument("--test", action="store_true", help="score the test parts once (needs --ship)")
    parser.add_argument("--few-shot", action="store_true", help="measure Analyzer.fit's adapters only")
    parser.add_argument("--strengths", type=float, nargs="*", default=[MATCHER_PRIOR_STRENGTH])
    parser.add_argument("--shots", type=int, nargs="*", default=[8, 32, 128])
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--no-loto", action="store_true", help="skip leave-one-trust-out (faster)")
    parser.add_argument("--no-team", action="store_true", help="leave the team-written themes' labels out")
    parser.add_argument("--cache", default=str(ROOT / "cache" / "embeddings"))
    parser.add_argument("--steps", type=int, default=MatcherConfig.steps)
    parser.add_argument("--rank", type=int, default=MatcherConfig.rank)
    parser.add_argument("--l2", type=float, default=MatcherConfig.l2)
    parser.add_argument("--drawn-weight", type=float, default=MatcherConfig.drawn_weight)
    parser.add_argument("--learning-rate", type=float, default=MatcherConfig.learning_rate)
    args = parser.parse_args(argv)
    config = MatcherConfig(rank=args.rank, l2=args.l2, steps=args.steps, learning_rate=args.learning_rate,
                           drawn_weight=args.drawn_weight)
    started = time.time()
    cache = EmbeddingCache(args.cache, MiniLMEncoder())
    embed = lambda texts: cache.embed(list(texts), show_progress_bar=False)  # noqa: E731
    themes = all_themes()
    protos = theme_prototypes(themes, embed)
    arrays = [corpus_arrays(c, protos, embed) for c in load_corpora(include_team=not args.no_team)]
    folds = theme_folds(themes, protos, K)
    print(f"{len(themes)} themes, {sum(len(a.answers) for a in arrays)} answers; "
          f"{time.time() - started:.0f}s", flush=True)
    report = {"config": asdict(config), "folds": folds, "themes": len(themes)}
    if args.few_shot:
        rows = pd.DataFrame(few_shot_rows(arrays, protos, config, folds, shots=args.shots, draws=args.draws,
                                          strengths=args.strengths, split="test" if args.test else "train"))
        by_draw = rows.drop(columns=["theme"]).groupby(["corpus", "shots", "draw"]).mean()
        curve = by_draw.groupby(["corpus", "shots"]).agg(["mean", "std", "min", "max"]).round(3)
        print(curve.to_string(), flush=True)
        themes_per = rows.groupby(["corpus", "shots"])["theme"].nunique()
        name = "few_shot_test.json" if args.test else "few_shot_validation.json"
        (OUT / name).write_text(json.dumps({"strengths": args.strengths, "themes": {f"{c} {k}": int(n) for (c, k), n in themes_per.items()},
                                            "curve": json.loads(curve.to_json(orient="split"))}, indent=1) + "\n")
        return 0
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
    write_markdown(report, OUT / "theme_matcher_evaluation.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
