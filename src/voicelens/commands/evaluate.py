"""``voicelens evaluate``: compare backends with human labels."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    e = sub.add_parser("evaluate", help="macro-F1 and confusion matrices against a labelled file")
    e.add_argument("file", help="labelled JSONL/CSV: text, sentiment and one column per theme "
                               "(positive/negative/absent/mentioned, or one-hot 0/1)")
    e.add_argument("--split", default=None, help="only rows whose 'split' column has this value")
    e.add_argument("--text-column", default="text")
    e.add_argument("--question-column", default="question")
    e.add_argument("--themes", default=None, help="theme YAML file or shipped pack name")
    e.add_argument("--backends", nargs="+", default=["embedded", "definitions-only", "similarity", "lexicon"],
                   help="compared side by side: backends by name, or 'definitions-only' (embedded "
                        "without the shipped per-theme adapters: what a brand-new theme gets)")
    e.add_argument("--fit-file", default=None,
                   help="labelled file to sample few-shot training answers from (learning curve; "
                        "starts from the definitions only, as a new theme would)")
    e.add_argument("--shots", nargs="+", type=int, default=[8, 32, 128],
                   help="answers per theme for the few-shot learning curve (with --fit-file)")
    e.add_argument("--no-confusion", action="store_true", help="print only the F1 tables")
    e.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..analyzer import Analyzer
    from ..evaluation import evaluate_result, few_shot_sample, load_labeled, theme_report

    labels = load_labeled(args.file, args.split)
    question_column = args.question_column if args.question_column in labels.columns else None
    runs: dict[str, Analyzer] = {}
    for name in args.backends:
        backend, kwargs = ("embedded", {"adapters": False}) if name == "definitions-only" else (name, None)
        runs[name] = Analyzer(backend=backend, themes=args.themes, backend_kwargs=kwargs, show_progress_bar=False)
    if args.fit_file:
        train = load_labeled(args.fit_file)
        themes = runs[args.backends[0]].theme_set_.names
        for k in args.shots:
            sample = few_shot_sample(train, themes, k)
            an = Analyzer(themes=args.themes, backend_kwargs={"adapters": False}, show_progress_bar=False)
            an.fit(sample, text_column=args.text_column,
                   question_column=question_column if question_column in sample.columns else None)
            runs[f"few-shot {k}"] = an
    table, confusions, theme_tables = {}, {}, {}
    for name, analyzer in runs.items():
        result = analyzer.analyze(labels, text_column=args.text_column, question_column=question_column)
        report = evaluate_result(result.responses, labels, result.themes)
        table[name] = {field: r["f1"]["macro"] for field, r in report.items()}
        confusions[name] = report
        theme_tables[name] = theme_report(result.responses, labels, result.themes)
    where = f"{args.file}" + (f" (split={args.split})" if args.split else "")
    print(f"macro-F1 on {where}, n={len(labels)} (theme rows: stance over positive/negative/absent)")
    print(pd.DataFrame(table).round(3).to_string())
    combined = pd.concat(theme_tables, axis=1)
    if not combined.empty:
        for metric in ["mention_f1", "mention_precision", "mention_recall", "stance_macro_f1"]:
            part = combined.xs(metric, axis=1, level=1) if metric in combined.columns.get_level_values(1) else None
            if part is not None:
                support = next(iter(theme_tables.values()))["mention_support"]
                print(f"\n{metric} per theme (support = answers mentioning it)")
                frame = part.assign(support=support)
                frame.loc["mean (support>=20)"] = frame[frame["support"] >= 20].mean()
                print(frame.round(3).to_string())
    if not args.no_confusion:
        for name, report in confusions.items():
            for field, r in report.items():
                print(f"\n[{name}] {field} (rows: true, columns: predicted)")
                print(r["confusion"].to_string())
    return 0
