"""``voicelens report``: an offline HTML report (plus JSON, tidy table, PNGs) from saved results."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub) -> None:
    r = sub.add_parser("report", help="self-contained HTML report from the results of 'voicelens analyze'")
    r.add_argument("results", help="responses file written by 'voicelens analyze' (csv/parquet) or its output folder")
    r.add_argument("-o", "--output", default="report.html", help="HTML file to write (default: report.html)")
    r.add_argument("--by", nargs="+", default=[], help="columns to compare groups by (e.g. clinic)")
    r.add_argument("--time", default=None, help="date column for trends (e.g. month)")
    r.add_argument("--freq", default="M", help="trend period: D, W, M (default), Q or Y")
    r.add_argument("--min-group-size", type=int, default=5,
                   help="suppress groups with fewer responses with text (default 5; 0 turns it off)")
    r.add_argument("--quotes", type=int, default=3, help="quotes per theme and stance (default 3)")
    r.add_argument("--title", default=None, help="report title")
    r.add_argument("--charts", choices=["both", "interactive", "static"], default="both",
                   help="interactive Plotly charts, static PNGs, or both (default)")
    r.add_argument("--json", default=None, metavar="PATH", help="also write the versioned JSON export")
    r.add_argument("--tidy", default=None, metavar="PATH", help="also write the tidy long table (csv/parquet/...)")
    r.add_argument("--png-dir", default=None, metavar="DIR", help="also write the charts as PNG files")
    r.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..report.load import read_results

    result = read_results(args.results)
    options = dict(by=args.by or None, time=args.time, freq=args.freq, min_size=args.min_group_size)
    try:
        path = result.report(args.output, n_quotes=args.quotes, title=args.title, charts=args.charts, **options)
        written = [f"{path} ({path.stat().st_size / 1e6:.1f} MB)"]
        if args.png_dir:
            from ..report.charts import save_pngs

            written += [str(p) for p in save_pngs(result, args.png_dir, **options)]
    except ImportError as exc:
        print(f"voicelens: error: {exc} (the report needs: pip install 'voicelens[report]')", file=sys.stderr)
        return 2
    except ValueError as exc:  # bad --freq, --min-group-size or --time values
        print(f"voicelens: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        result.to_json(args.json, n_quotes=args.quotes, **options)
        written.append(args.json)
    if args.tidy:
        from ..io import write_table

        write_table(result.tidy(args.by or None, time=args.time, freq=args.freq, min_size=args.min_group_size,
                                overall=True), args.tidy)
        written.append(args.tidy)
    print("wrote " + ", ".join(written), file=sys.stderr)
    return 0
