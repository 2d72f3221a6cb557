"""Are the int8 and bf16 encoders worth it? Accuracy, label agreement and speed against fp32.

    python benchmarks/quantization.py            # about 4 minutes on 2 cores
    python benchmarks/quantization.py --texts 300 --no-bf16

Accuracy: macro-F1 of sentiment and of each theme's stance on the held-out part of
``tests/data/dev_testimonials.jsonl`` (what ``voicelens evaluate --split heldout`` reports),
fp32 vs ``quantize=True`` and vs ``precision="bf16"``. Agreement: how often each labels the
same real texts (NHS FFT answers and Druglib reviews from ``../shared/data``) as fp32 does.
Speed: texts/s on those texts. voicelens keeps ``quantize`` opt-in only if the mean drop is
<= 1 point; ``precision="auto"`` (the default) picks bf16 where the CPU computes it natively.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput import load_texts  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=1000, help="real texts for agreement and speed")
    parser.add_argument("--labeled", default=str(ROOT / "tests" / "data" / "dev_testimonials.jsonl"))
    parser.add_argument("--split", default="heldout")
    parser.add_argument("--bf16", action=argparse.BooleanOptionalAction, default=True,
                        help="also precision='bf16' (fast only on CPUs with AMX/AVX512-BF16; default on)")
    args = parser.parse_args(argv)

    import voicelens as vl
    from voicelens.evaluation import evaluate_result, load_labeled

    labels = load_labeled(args.labeled, args.split)
    question_column = "question" if "question" in labels.columns else None
    texts, source = load_texts(args.texts, seed=1)
    f1, outputs, speed = {}, {}, {}
    variants = [("fp32", False, False), ("int8", True, False)]
    if args.bf16:
        variants.append(("bf16", False, True))
    for name, quantize, bf16 in variants:
        an = vl.Analyzer(backend_kwargs={"quantize": quantize, "precision": "bf16" if bf16 else "fp32"},
                         show_progress_bar=False)
        result = an.analyze(labels, text_column="text", question_column=question_column)
        an.analyze(texts[:20])  # warm-up outside the timing
        runs = []
        for _ in range(2):  # best of two: the machine may be shared
            start = time.perf_counter()
            outputs[name] = an.analyze(texts).responses
            runs.append(time.perf_counter() - start)
        report = evaluate_result(result.responses, labels, result.themes)
        f1[name] = {field: r["f1"]["macro"] for field, r in report.items()}
        speed[name] = len(texts) / min(runs)
        themes = result.themes

    table = pd.DataFrame(f1)
    table.loc["mean"] = table.mean()
    table["int8 drop (points)"] = (table["fp32"] - table["int8"]) * 100
    if args.bf16:
        table["bf16 drop (points)"] = (table["fp32"] - table["bf16"]) * 100
    print(f"macro-F1 on {Path(args.labeled).name} (split={args.split}, n={len(labels)}):")
    print(table.round(3).to_string())
    identical = {}
    for other in [name for name, _, _ in variants[1:]]:
        print(f"\nagreement of {other} with fp32 on {len(texts)} texts ({source}):")
        every = np.ones(len(texts), dtype=bool)
        for field in ["sentiment", *themes]:
            same = outputs["fp32"][field].astype(object).fillna("-") == outputs[other][field].astype(object).fillna("-")
            every &= same.to_numpy()
            print(f"    {field:<16} {same.mean():.1%}")
        identical[other] = every.mean()
        print(f"    {'every label':<16} {identical[other]:.1%}")
        diff = np.abs(outputs["fp32"]["sentiment_score"] - outputs[other]["sentiment_score"]).dropna()
        print(f"    sentiment_score |fp32 - {other}|: mean {diff.mean():.3f}, max {diff.max():.3f}")
    print("\nspeed (best of 2): " + ", ".join(f"{k} {v:.1f} texts/s ({v / speed['fp32']:.2f}x)"
                                             for k, v in speed.items()))
    drop = table.loc["mean", "int8 drop (points)"]
    worst = table.drop(index="mean")["int8 drop (points)"].max()
    verdict = "keep as opt-in (--quantize)" if drop <= 1 else "do not recommend"
    print(f"\nint8: mean macro-F1 drop {drop:.2f} points (worst field {worst:.2f}): {verdict}")
    if args.bf16:
        from voicelens.backends.minilm import cpu_has_bf16

        print(f"bf16: {speed['bf16'] / speed['fp32']:.2f}x the speed of fp32, every label identical on "
              f"{identical['bf16']:.1%} of texts, mean macro-F1 drop "
              f"{table.loc['mean', 'bf16 drop (points)']:.2f} points; precision='auto' picks "
              f"{'bf16' if cpu_has_bf16() else 'fp32'} on this CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
