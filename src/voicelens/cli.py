"""Command line: ``voicelens analyze FILE --text-column COL [--by COL ...] --out DIR``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .errors import VoicelensError


def _analyze(args: argparse.Namespace) -> int:
    import pandas as pd

    from .analyzer import Analyzer
    from .io import read_table, require_columns, write_table

    frame = read_table(args.file, encoding=args.encoding)
    require_columns(frame, "--text-column", [args.text_column])
    if args.by:
        require_columns(frame, "--by", args.by)
    if args.question_column:
        require_columns(frame, "--question-column", [args.question_column])
    analyzer = Analyzer(backend=args.backend, themes=args.themes, batch_size=args.batch_size,
                        show_progress_bar=not args.quiet)
    result = analyzer.analyze(frame, text_column=args.text_column,
                              question_column=args.question_column, question=args.question)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    suffix = ".parquet" if args.output_format == "parquet" else ".csv"
    write_table(result.responses, out / f"responses{suffix}")
    summary = result.summary(by=args.by or None)
    write_table(summary, out / f"summary{suffix}")
    with pd.option_context("display.max_columns", 12, "display.width", 120, "display.precision", 2):
        print(summary.T.to_string() if len(summary) <= 4 else summary.to_string())
    print(f"\nwrote {out / ('responses' + suffix)} ({len(result.responses)} rows) and "
          f"{out / ('summary' + suffix)}", file=sys.stderr)
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    import pandas as pd

    from .analyzer import Analyzer
    from .evaluation import evaluate_result, load_labeled

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voicelens", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)

    a = sub.add_parser("analyze", help="score a CSV/Excel/Parquet/JSONL file and summarise it")
    a.add_argument("file", help="input file (.csv, .tsv, .xlsx, .parquet, .jsonl)")
    a.add_argument("--text-column", required=True, help="column holding the free text")
    a.add_argument("--by", nargs="+", default=[], help="columns to group the summary by")
    a.add_argument("--out", default="voicelens_out", help="output folder (default: voicelens_out)")
    a.add_argument("--backend", default="embedded", help="embedded (default), transformers or lexicon")
    a.add_argument("--themes", default=None, help="theme YAML file or shipped pack name")
    a.add_argument("--question-column", default=None, help="column with the survey question answered")
    a.add_argument("--question", default=None, help="one survey question answered by every row")
    a.add_argument("--encoding", default=None, help="CSV text encoding (default utf-8)")
    a.add_argument("--batch-size", type=int, default=64)
    a.add_argument("--output-format", choices=["csv", "parquet"], default="csv")
    a.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    a.set_defaults(func=_analyze)

    e = sub.add_parser("evaluate", help="macro-F1 and confusion matrices against a labelled file")
    e.add_argument("file", help="labelled JSONL/CSV: text, sentiment and one column per theme")
    e.add_argument("--split", default=None, help="only rows whose 'split' column has this value")
    e.add_argument("--text-column", default="text")
    e.add_argument("--question-column", default="question")
    e.add_argument("--themes", default=None, help="theme YAML file or shipped pack name")
    e.add_argument("--backends", nargs="+", default=["embedded", "similarity", "lexicon"],
                   help="backends compared side by side (default: embedded similarity lexicon)")
    e.add_argument("--no-confusion", action="store_true", help="print only the F1 table")
    e.set_defaults(func=_evaluate)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="voicelens: %(message)s")
    try:
        return args.func(args)
    except (VoicelensError, FileNotFoundError, PermissionError) as exc:
        print(f"voicelens: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
