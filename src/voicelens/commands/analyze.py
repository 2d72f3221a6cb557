"""``voicelens analyze``: score a file and write responses and summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub) -> None:
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
    a.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..analyzer import Analyzer
    from ..io import read_table, require_columns, write_table

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
