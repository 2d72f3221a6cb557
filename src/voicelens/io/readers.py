"""Read response tables from CSV/TSV, Excel, Parquet and JSON Lines files.

Text is kept as written: only truly empty cells become missing, so an answer
of ``"n/a"`` or ``"None"`` stays a string.
"""

from __future__ import annotations

import codecs
import errno
import gzip
import importlib.util
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pandas as pd

from voicelens.errors import ColumnNotFoundError, InputFormatError

#: Format names accepted by ``format=``.
FORMATS = ("csv", "tsv", "excel", "parquet", "jsonl")

_SUFFIXES = {
    ".csv": "csv",
    ".txt": "csv",  # separator sniffed from the first line
    ".tsv": "tsv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_GZIP_OK = {"csv", "tsv", "jsonl"}
_DEFAULT_ENCODING = "utf-8-sig"  # plain UTF-8, with a leading BOM removed
_CSV_OPTIONS: dict[str, Any] = {"keep_default_na": False, "na_values": [""]}


# -- format and file helpers -------------------------------------------------


def resolve_format(path: str | os.PathLike[str], format: str | None = None) -> str:
    """The format name of ``path``, from ``format=`` or the file suffix.

    >>> resolve_format("answers.csv.gz")
    'csv'
    """
    if format is not None:
        if format not in FORMATS:
            raise InputFormatError(f"format {format!r} is not supported; choose one of {list(FORMATS)}")
        return format
    name = Path(path).name.lower()
    gzipped = name.endswith(".gz")
    suffix = Path(name[:-3] if gzipped else name).suffix
    fmt = _SUFFIXES.get(suffix)
    if fmt is None or (gzipped and fmt not in _GZIP_OK):
        supported = sorted(_SUFFIXES) + [".csv.gz", ".tsv.gz", ".jsonl.gz"]
        raise InputFormatError(
            f"cannot tell the format of {str(path)!r} from its suffix; supported: {supported} "
            f"(or pass format= one of {list(FORMATS)})"
        )
    return fmt


def _check_exists(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(errno.ENOENT, "input file not found", str(path))
    return path


def _open_binary(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def _separator(path: Path, fmt: str, encoding: str) -> str:
    if fmt == "tsv":
        return "\t"
    if path.suffix.lower() == ".txt" or path.name.lower().endswith(".txt.gz"):
        with _open_binary(path) as f:
            first = f.readline().decode(encoding, errors="replace")
        return "\t" if "\t" in first else ","
    return ","


def _decode_error(path: Path, encoding: str) -> InputFormatError:
    """An error naming the first line of ``path`` that ``encoding`` cannot decode."""
    decoder = codecs.getincrementaldecoder(encoding)()
    where = "the file"
    with _open_binary(path) as f:
        lineno = 0
        try:
            for lineno, raw in enumerate(f, 1):
                decoder.decode(raw)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            where = f"line {lineno} (bytes {exc.object[exc.start:exc.end]!r})"
    shown = "UTF-8" if encoding == _DEFAULT_ENCODING else encoding
    return InputFormatError(
        f"{path}: {where} cannot be decoded as {shown}; the file was probably saved in "
        "another encoding. Try encoding='cp1252' or encoding='latin-1' "
        "(command line: --encoding cp1252 or --encoding latin-1)."
    )


def _require_module(module: str, what: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise ImportError(f"reading {what} needs {module}: pip install {module}")


def _excel_sheet(sheet: str | int | None) -> str | int:
    return 0 if sheet is None else sheet


# -- whole-file reading ------------------------------------------------------


def read_table(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
    format: str | None = None,
) -> pd.DataFrame:
    """Read a table of responses; only empty cells become missing.

    >>> df = read_table("responses.csv")                    # doctest: +SKIP
    >>> df = read_table("export.xlsx", sheet="Responses")   # doctest: +SKIP
    """
    path = _check_exists(path)
    fmt = resolve_format(path, format)
    if fmt in ("csv", "tsv"):
        return _read_csv(path, fmt, encoding)
    if fmt == "excel":
        return _read_excel(path, sheet)
    if fmt == "parquet":
        return _read_parquet(path)
    records = list(_iter_jsonl(path, encoding or _DEFAULT_ENCODING))
    return pd.DataFrame.from_records(records) if records else pd.DataFrame()


def _read_csv(path: Path, fmt: str, encoding: str | None, **kwargs: Any) -> Any:
    enc = encoding or _DEFAULT_ENCODING
    try:
        return pd.read_csv(path, sep=_separator(path, fmt, enc), encoding=enc, **_CSV_OPTIONS, **kwargs)
    except UnicodeDecodeError:
        raise _decode_error(path, enc) from None
    except pd.errors.EmptyDataError as exc:
        raise InputFormatError(f"{path}: the file is empty") from exc
    except pd.errors.ParserError as exc:
        raise InputFormatError(f"{path}: not a valid {fmt.upper()} file: {exc}") from exc


def _read_excel(path: Path, sheet: str | int | None, **kwargs: Any) -> pd.DataFrame:
    _require_module("openpyxl", "Excel files")
    try:
        sheet_name = _excel_sheet(sheet)
        return pd.read_excel(path, sheet_name=sheet_name, engine="openpyxl", **_CSV_OPTIONS, **kwargs)
    except ImportError:
        raise
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise InputFormatError(f"cannot read {path} as an Excel workbook: {exc}") from exc


def _read_parquet(path: Path) -> pd.DataFrame:
    _require_module("pyarrow", "Parquet files")
    import pyarrow as pa

    try:
        return pd.read_parquet(path, engine="pyarrow")
    except (pa.ArrowException, OSError) as exc:
        raise InputFormatError(f"cannot read {path} as a Parquet file: {exc}") from exc


def _iter_jsonl(path: Path, encoding: str) -> Iterator[dict[str, Any]]:
    decoder = codecs.getincrementaldecoder(encoding)()
    with _open_binary(path) as f:
        for lineno, raw in enumerate(f, 1):
            try:
                line = decoder.decode(raw)
            except UnicodeDecodeError:
                raise _decode_error(path, encoding) from None
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputFormatError(f"{path}: line {lineno} is not valid JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise InputFormatError(f"{path}: line {lineno} is not a JSON object")
            yield record


def read_grid(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
    nrows: int | None = None,
) -> pd.DataFrame:
    """Every cell as a string (empty cells missing), with no header row.

    For exports with several header rows, such as survey platforms'.

    >>> read_grid("qualtrics.csv").iloc[:3]   # doctest: +SKIP
    """
    path = _check_exists(path)
    fmt = resolve_format(path)
    if fmt in ("csv", "tsv"):
        return _read_csv(path, fmt, encoding, header=None, dtype=str, nrows=nrows)
    if fmt == "excel":
        return _read_excel(path, sheet, header=None, dtype=str, nrows=nrows)
    raise InputFormatError(f"{path}: survey exports are read from CSV, TSV or Excel files, not {fmt}")


# -- streaming ---------------------------------------------------------------


def iter_table_chunks(
    path: str | os.PathLike[str],
    *,
    chunksize: int = 10_000,
    encoding: str | None = None,
    format: str | None = None,
    sheet: str | int | None = None,
) -> Iterator[pd.DataFrame]:
    """Read a table in chunks of at most ``chunksize`` rows, in file order.

    Each chunk's index continues the previous one (0, 1, ... across the whole
    file), so row positions are the same as with :func:`read_table`.

    >>> for chunk in iter_table_chunks("big.parquet", chunksize=50_000):  # doctest: +SKIP
    ...     print(chunk.index[0], len(chunk))
    """
    if chunksize < 1:
        raise ValueError(f"chunksize must be a positive integer; got {chunksize!r}")
    path = _check_exists(path)
    fmt = resolve_format(path, format)
    if fmt in ("csv", "tsv"):
        chunks = _csv_chunks(path, fmt, encoding, chunksize)
    elif fmt == "excel":
        chunks = _excel_chunks(path, sheet, chunksize)
    elif fmt == "parquet":
        chunks = _parquet_chunks(path, chunksize)
    else:
        chunks = _jsonl_chunks(path, encoding or _DEFAULT_ENCODING, chunksize)
    start = 0
    for chunk in chunks:
        chunk.index = pd.RangeIndex(start, start + len(chunk))
        start += len(chunk)
        yield chunk


def _csv_chunks(path: Path, fmt: str, encoding: str | None, chunksize: int) -> Iterator[pd.DataFrame]:
    enc = encoding or _DEFAULT_ENCODING
    with _read_csv(path, fmt, enc, chunksize=chunksize) as reader:
        try:
            yield from reader
        except UnicodeDecodeError:
            raise _decode_error(path, enc) from None
        except pd.errors.ParserError as exc:
            raise InputFormatError(f"{path}: not a valid {fmt.upper()} file: {exc}") from exc


def _excel_chunks(path: Path, sheet: str | int | None, chunksize: int) -> Iterator[pd.DataFrame]:
    _require_module("openpyxl", "Excel files")
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheet = _excel_sheet(sheet)
        ws = book.worksheets[sheet] if isinstance(sheet, int) else book[sheet]
    except Exception as exc:
        raise InputFormatError(f"cannot read {path} as an Excel workbook: {exc}") from exc
    try:
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        columns = [f"Unnamed: {i}" if c is None else c for i, c in enumerate(header)]
        width = len(columns)
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            if all(v is None or v == "" for v in row):
                continue  # blank rows are skipped, as pandas.read_excel does
            batch.append((tuple(row) + (None,) * width)[:width])
            if len(batch) == chunksize:
                yield pd.DataFrame(batch, columns=columns)
                batch = []
        if batch:
            yield pd.DataFrame(batch, columns=columns)
    finally:
        book.close()


def _parquet_chunks(path: Path, chunksize: int) -> Iterator[pd.DataFrame]:
    _require_module("pyarrow", "Parquet files")
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputFormatError(f"cannot read {path} as a Parquet file: {exc}") from exc
    with parquet:
        for batch in parquet.iter_batches(batch_size=chunksize):
            yield batch.to_pandas()


def _jsonl_chunks(path: Path, encoding: str, chunksize: int) -> Iterator[pd.DataFrame]:
    batch: list[dict[str, Any]] = []
    for record in _iter_jsonl(path, encoding):
        batch.append(record)
        if len(batch) == chunksize:
            yield pd.DataFrame.from_records(batch)
            batch = []
    if batch:
        yield pd.DataFrame.from_records(batch)


# -- small helpers -------------------------------------------------------------

_COUNT_LINES_UP_TO = 1 << 30  # bytes; counting newlines in 1 GiB takes about a second


def count_rows(
    path: str | os.PathLike[str], *, format: str | None = None, sheet: str | int | None = None
) -> int | None:
    """A cheap row count for a progress bar's ETA, or ``None`` when not cheap.

    Exact for Parquet (file metadata); for CSV/TSV it counts lines, so answers
    with line breaks make it an overestimate; compressed files give ``None``.

    >>> count_rows("responses.parquet")   # doctest: +SKIP
    12000
    """
    path = _check_exists(path)
    fmt = resolve_format(path, format)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            return pq.ParquetFile(path).metadata.num_rows
        except Exception:
            return None
    if fmt == "excel":
        return None  # openpyxl's max_row is unreliable without reading the sheet
    if path.name.lower().endswith(".gz") or path.stat().st_size > _COUNT_LINES_UP_TO:
        return None
    lines, last = 0, b"\n"
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            lines += block.count(b"\n")
            last = block[-1:]
    lines += last != b"\n"  # a last line without a newline
    return max(lines - (fmt != "jsonl"), 0)


def require_columns(df: pd.DataFrame, parameter: str, columns: str | Iterable[str]) -> None:
    """Raise :class:`ColumnNotFoundError` for the first of ``columns`` missing from ``df``.

    >>> require_columns(pd.DataFrame({"comment": []}), "text_column", "coment")
    Traceback (most recent call last):
    ...
    voicelens.errors.ColumnNotFoundError: text_column 'coment' not found; available columns: ['comment']
    """
    for column in [columns] if isinstance(columns, str) else columns:
        if column not in df.columns:
            raise ColumnNotFoundError(parameter, column, df.columns)
