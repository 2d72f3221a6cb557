"""Command line: ``voicelens analyze | evaluate | ...`` (one module per command)."""

from __future__ import annotations

import argparse
import logging
import sys

from .commands import analyze, evaluate, report
from .errors import VoicelensError

COMMANDS = [analyze, evaluate, report]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voicelens", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="voicelens: %(message)s")
    try:
        return args.func(args)
    except (VoicelensError, OSError) as exc:  # OSError: also a full disk (ENOSPC), not only missing files
        print(f"voicelens: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
