"""Run the reader fine-tunings that one release needs, side by side (GPU or CPU).

Three candidate settings for the shipped reader (chosen afterwards on the validation
units, never on test) and the leave-one-source-out runs that measure transfer:

    python scripts/train_reader_runs.py --items cache/reader_items.jsonl --out cache/runs --device cuda --parallel 6
    python scripts/train_reader_runs.py --only final_a --device cpu          # the default alone (~1 h on 2 cores)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

RUNS = {
    "final_a": [],
    "final_b": ["--epochs", "5"],
    "final_c": ["--distill", "0.3"],
    "loso_druglib": ["--exclude-source", "druglib"],
    "loso_psytar": ["--exclude-source", "psytar"],
    "loso_nhs_fft": ["--exclude-source", "nhs_fft"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=Path, default=Path("cache/reader_items.jsonl"))
    parser.add_argument("--out", type=Path, default=Path("cache/runs"))
    parser.add_argument("--encoder", default=None)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--only", nargs="*", default=list(RUNS), choices=list(RUNS))
    args = parser.parse_args()
    pending = list(args.only)
    running: dict[str, subprocess.Popen] = {}
    started = time.time()
    failed = []
    while pending or running:
        while pending and len(running) < args.parallel:
            name = pending.pop(0)
            out = args.out / name
            out.mkdir(parents=True, exist_ok=True)
            cmd = [sys.executable, "-m", "voicelens.train.reader", "fit", "--items", str(args.items), "--out", str(out),
                   "--device", args.device, *(["--encoder", args.encoder] if args.encoder else []), *RUNS[name]]
            running[name] = subprocess.Popen(cmd, stdout=open(out / "log.txt", "w"), stderr=subprocess.STDOUT)
        time.sleep(2)
        for name, proc in list(running.items()):
            if proc.poll() is not None:
                del running[name]
                print(f"{name}: exit {proc.returncode} after {time.time() - started:.0f}s", flush=True)
                if proc.returncode:
                    failed.append(name)
                    print((args.out / name / "log.txt").read_text()[-3000:], flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
