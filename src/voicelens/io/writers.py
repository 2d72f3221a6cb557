"""Write tables atomically: a half-written file never replaces a good one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pandas as pd

_WRITERS = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xlsx": "excel",
}


def _output_suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in sorted(_WRITERS, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    raise ValueError(f"cannot write {str(path)!r}: the suffix must be one of {sorted(_WRITERS)}")


def write_table(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` (without its index) to CSV, TSV, Parquet, JSON Lines or Excel by suffix.

    The table goes to a temporary file in the same folder, which then replaces
    ``path`` in one step; on any error ``path`` is left as it was.

    >>> write_table(pd.DataFrame({"answer": ["n/a"]}), "out.parquet")   # doctest: +SKIP
    PosixPath('out.parquet')
    """
    path = Path(path)
    suffix = _output_suffix(path)
    kind = _WRITERS[suffix]
    if kind == "excel":
        import importlib.util

        if importlib.util.find_spec("openpyxl") is None:
            raise ImportError("writing Excel files needs openpyxl: pip install openpyxl")
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".tmp{suffix}")
        os.close(fd)
        if kind in ("csv", "tsv"):
            df.to_csv(tmp, sep="\t" if kind == "tsv" else ",", index=False, encoding="utf-8")
        elif kind == "parquet":
            df.to_parquet(tmp, index=False)
        elif kind == "jsonl":
            df.to_json(tmp, orient="records", lines=True, force_ascii=False, date_format="iso")
        else:
            df.to_excel(tmp, index=False, engine="openpyxl")
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        if exc.errno is None:
            raise OSError(f"could not write {path}: {exc}") from exc
        raise type(exc)(exc.errno, f"{exc.strerror} (could not write output file)", str(path)) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.remove(tmp)
    return path
