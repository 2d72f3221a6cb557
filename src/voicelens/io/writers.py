"""Write tables atomically: a half-written file never replaces a good one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
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
    try:
        with atomic_file(path, suffix=f".tmp{suffix}") as tmp:
            if kind in ("csv", "tsv"):
                df.to_csv(tmp, sep="\t" if kind == "tsv" else ",", index=False, encoding="utf-8")
            elif kind == "parquet":
                df.to_parquet(tmp, index=False)
            elif kind == "jsonl":
                df.to_json(tmp, orient="records", lines=True, force_ascii=False, date_format="iso")
            else:
                df.to_excel(tmp, index=False, engine="openpyxl")
    except OSError as exc:
        if exc.errno is None:
            raise OSError(f"could not write {path}: {exc}") from exc
        raise type(exc)(exc.errno, f"{exc.strerror} (could not write output file)", str(path)) from exc
    return path


def fsync_file(path: str | os.PathLike[str]) -> None:
    """Flush ``path`` to disk (so a crash right after cannot leave it half written)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_file(target: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary file beside ``target`` that replaces it, synced, only when the block
    succeeds; on any error ``target`` is left as it was. The one atomic writer of voicelens.

    >>> with atomic_file(tmp_path / "summary.csv") as tmp:
    ...     _ = tmp.write_text("n,3")
    >>> (tmp_path / "summary.csv").read_text()
    'n,3'
    """
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        fsync_file(tmp)
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def stringify_mixed(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns Parquet cannot hold (numbers mixed with "n/a", say) become text;
    missing values stay missing, and a CSV writes the same characters.

    >>> stringify_mixed(pd.DataFrame({"a": [1, "n/a", None]}))["a"].isna().tolist()
    [False, False, True]
    """
    import pyarrow as pa

    from ..rows import is_missing

    frame = frame.copy()
    for column in frame.columns[frame.dtypes == object]:
        try:
            pa.array(frame[column], from_pandas=True)
        except pa.ArrowException:
            frame[column] = [None if is_missing(v) else str(v) for v in frame[column]]
    return frame
