"""``voicelens evaluate``: compare backends with human labels."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    e = sub.add_parser("evaluate", help="macro-F1 and confusion matrices against a labelled file")
    e.add_argument("file", help="labelled JSONL/CSV: text, sentiment and one column per theme")
    e.add_argument("--split", default=None, help="only rows whose 'split' column has this value")
    e.add_argument("--text-column", default="text")
    e.add_argument("--question-column", default="question")
    e.add_argument("--themes", default=None, help="theme YAML file or shipped pack name")
    e.add_argument("--backends", nargs="+", default=["embedded", "similarity", "lexicon"],
                   help="backends compared side by side (default: embedded similarity lexicon)")
    e.add_argument("--no-confusion", action="store_true", help="print only the F1 table")
    e.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..analyzer import Analyzer
    from ..evaluation import evaluate_result, load_labeled

    labels = load_labeled(args.file, args.split)
    question_column = args.question_column if args.question_column in labels.columns else None
    table, confusions = {}, {}
    for backend in args.backends:
        analyzer = Analyzer(backend=backend, themes=args.themes, show_progress_bar=False)
        result = analyzer.analyze(labels, text_column=args.text_column, question_column=question_column)
        report = evaluate_result(result.responses, labels, result.themes)
        table[backend] = {field: r["f1"]["macro"] for field, r in report.items()}
        confusions[backend] = report
    print(f"macro-F1 on {args.file}" + (f" (split={args.split})" if args.split else "") + f", n={len(labels)}")
    print(pd.DataFrame(table).round(3).to_string())
    if not args.no_confusion:
        for backend, report in confusions.items():
            for field, r in report.items():
                print(f"\n[{backend}] {field} (rows: true, columns: predicted)")
                print(r["confusion"].to_string())
    return 0
