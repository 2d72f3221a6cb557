"""``voicelens analyze``: score a file in chunks, resumably, and write responses and summary."""

from __future__ import annotations

import argparse
import os
import sys

from ..backends.registry import available_backends

#: Library parameter names as the command line spells them, for error messages.
_FLAGS = {"text_column": "--text-column", "question_column": "--question-column", "by": "--by"}


def add_parser(sub) -> None:
    a = sub.add_parser("analyze", help="score a CSV/Excel/Parquet/JSONL file and summarise it")
    a.add_argument("file", help="input file (.csv, .tsv, .xlsx, .parquet, .jsonl)")
    a.add_argument("--text-column", default=None,
                   help="column holding the free text; leave out for a Qualtrics, SurveyMonkey, "
                        "Google Forms or REDCap export, whose free-text questions are found for you")
    a.add_argument("--by", nargs="+", default=[], help="columns to group the summary by")
    a.add_argument("--out", default="voicelens_out", help="output folder (default: voicelens_out)")
    a.add_argument("--backend", default="embedded", choices=available_backends(),
                   help="embedded (default), transformers (needs --sentiment-model and --theme-model) or lexicon")
    a.add_argument("--sentiment-model", default=None, metavar="PATH_OR_ID",
                   help="transformers backend: a sentiment classifier, as a local model folder (or a "
                        "Hugging Face id with --allow-download)")
    a.add_argument("--theme-model", default=None, metavar="PATH_OR_ID",
                   help="transformers backend: an NLI model for the themes, as a local model folder (or "
                        "a Hugging Face id with --allow-download)")
    a.add_argument("--allow-download", action="store_true",
                   help="transformers backend: let model ids that are not local folders be downloaded "
                        "from the Hugging Face hub (off by default: nothing leaves the machine)")
    a.add_argument("--themes", default=None, help="theme YAML file or shipped pack name")
    a.add_argument("--question-column", default=None, help="column with the survey question answered")
    a.add_argument("--question", default=None, help="one survey question answered by every row")
    a.add_argument("--languages", default="auto",
                   help="comma-separated ISO 639-1 codes the models read (default: the backend's, "
                        "'en' for embedded); rows in other languages get status non_english. "
                        "'any' scores every row")
    a.add_argument("--encoding", default=None, help="CSV text encoding (default utf-8), e.g. cp1252")
    a.add_argument("--sheet", default=None, help="Excel sheet name or 0-based number (default: the first)")
    a.add_argument("--batch-size", type=int, default=64, help="sentences per encoder batch (default 64)")
    a.add_argument("--chunksize", type=int, default=10_000,
                   help="rows read, scored and checkpointed at a time (default 10000)")
    a.add_argument("--no-resume", action="store_true",
                   help="discard an unfinished run in --out instead of continuing it")
    a.add_argument("--threads", type=int, default=None,
                   help="CPU threads for the encoder (default: torch's, i.e. the physical cores; "
                        "or $VOICELENS_NUM_THREADS)")
    a.add_argument("--precision", choices=["auto", "fp32", "bf16"], default="auto",
                   help="encoder arithmetic (embedded backend). auto (default): bf16 where the CPU computes "
                        "it natively (AMX or AVX512-BF16: ~2.3x faster, same labels on 99.8%% of texts), "
                        "fp32 elsewhere; fp32 or bf16 force one")
    a.add_argument("--output-format", choices=["csv", "parquet"], default="csv")
    a.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    a.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..analyzer import Analyzer
    from ..batch import analyze_file
    from ..errors import ColumnNotFoundError

    if args.threads is not None and args.threads < 1:
        return _usage_error(f"--threads must be at least 1; got {args.threads}")
    if args.threads is not None:
        os.environ["VOICELENS_NUM_THREADS"] = str(args.threads)
    sheet = int(args.sheet) if args.sheet is not None and args.sheet.isdigit() else args.sheet
    languages = {"auto": "auto", "any": None}.get(
        args.languages, tuple(code.strip() for code in args.languages.split(",") if code.strip()))
    if languages == ():
        return _usage_error("--languages needs language codes such as en,fr, or 'auto' or 'any'")
    if args.precision != "auto" and args.backend != "embedded":
        return _usage_error("--precision applies to the embedded backend only")
    problem = _transformers_problem(args)
    if problem:
        return _usage_error(problem)
    if args.backend == "transformers":
        backend_kwargs = {"sentiment_model": args.sentiment_model, "theme_model": args.theme_model,
                          "allow_download": args.allow_download}
    else:
        backend_kwargs = {"precision": args.precision} if args.precision != "auto" else None
    analyzer = Analyzer(backend=args.backend, themes=args.themes, batch_size=args.batch_size,
                        languages=languages, backend_kwargs=backend_kwargs)
    path, text_column, question_column = args.file, args.text_column, args.question_column
    if text_column is None:
        path = survey_as_table(args.file, args.out, encoding=args.encoding)
        text_column, question_column = "answer", question_column or "question"
    try:
        summary = analyze_file(path, args.out, analyzer=analyzer, text_column=text_column,
                               by=args.by or None, question_column=question_column,
                               question=args.question, chunksize=args.chunksize, encoding=args.encoding,
                               sheet=sheet, output_format=args.output_format, resume=not args.no_resume,
                               show_progress_bar=not args.quiet)
    except ColumnNotFoundError as exc:
        raise ColumnNotFoundError(_FLAGS.get(exc.parameter, exc.parameter), exc.column,
                                  exc.available) from None
    with pd.option_context("display.max_columns", 12, "display.width", 120, "display.precision", 2):
        print(summary.T.to_string() if len(summary) <= 4 else summary.to_string())
    reused = summary.attrs["chunks_reused"]
    resumed = f"; resumed: {reused} chunk(s) were already done" if reused else ""
    print(f"\nwrote {summary.attrs['responses_path']} ({summary.attrs['n_rows']} rows) and "
          f"{summary.attrs['summary_path']}{resumed}", file=sys.stderr)
    return 0


def survey_as_table(path: str, out_dir: str, *, encoding: str | None = None) -> str:
    """Read a survey-platform export into ``out_dir/survey_answers.parquet`` (one row per answer).

    The file is rewritten byte-for-byte the same on a rerun, so a resumed run
    recognises its input. An unrecognised layout raises InputFormatError that
    says to pass ``--text-column`` for a plain table.
    """
    from pathlib import Path

    from ..errors import InputFormatError
    from ..io.surveys import detect_survey_platform, read_survey

    if detect_survey_platform(path, encoding=encoding) is None:
        raise InputFormatError(f"{path} is not a recognised survey export, and no --text-column was given: "
                               "pass --text-column COL for a plain table, or export the survey as "
                               "Qualtrics, SurveyMonkey, Google Forms or REDCap CSV")
    tidy = read_survey(path, encoding=encoding)
    survey = tidy.attrs.pop("voicelens_survey", {})
    print(f"read a {survey.get('platform', 'survey')} export: {len(tidy)} answers to "
          f"{len(survey.get('questions', [])) or tidy['question'].nunique()} free-text question(s)",
          file=sys.stderr)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "survey_answers.parquet"
    tidy.to_parquet(target, index=False)
    return str(target)


def _transformers_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the transformers backend's options, in one line (None: nothing)."""
    from pathlib import Path

    models = {"--sentiment-model": args.sentiment_model, "--theme-model": args.theme_model}
    if args.backend != "transformers":
        given = [flag for flag, value in models.items() if value is not None]
        given += ["--allow-download"] if args.allow_download else []
        return f"{', '.join(given)} applies to --backend transformers only" if given else None
    missing = [flag for flag, value in models.items() if value is None]
    if missing:
        return ("--backend transformers needs --sentiment-model PATH_OR_ID and --theme-model PATH_OR_ID "
                f"(local model folders, or Hugging Face ids with --allow-download); missing: {' and '.join(missing)}")
    for flag, value in models.items():
        if not args.allow_download and not Path(value).expanduser().exists():
            return (f"{flag} {value!r} is not a local folder and downloads are off; pass a model folder, "
                    "or add --allow-download to fetch it from the Hugging Face hub")
    return None


def _usage_error(message: str) -> int:
    print(f"voicelens: error: {message}", file=sys.stderr)
    return 2
