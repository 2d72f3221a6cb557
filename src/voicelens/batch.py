"""Stream a file through an :class:`~voicelens.Analyzer` in chunks, resumably.

Memory stays flat in the number of rows: the file is read ``chunksize`` rows
at a time, each chunk is scored and written to its own part file, and the
final tables are assembled part by part.

>>> import voicelens as vl
>>> from voicelens.batch import analyze_file
>>> summary = analyze_file("answers.csv", "out", analyzer=vl.Analyzer(),
...                        text_column="comment", by="clinic")      # doctest: +SKIP

What ``out_dir`` holds while a run is going::

    manifest.json               fingerprint of the input and settings, chunks done
    parts/part-000000.parquet   one file per finished chunk, each written atomically
    .lock                       held while a process writes to the folder

A run killed at any point (even with SIGKILL) and started again with the same
arguments skips the chunks already done and writes exactly the same output as
an uninterrupted run. At the end come ``responses.csv|parquet`` and
``summary.csv|parquet``; the parts are removed and ``manifest.json`` says
``"state": "complete"``. ``by`` and ``output_format`` may differ between the
interrupted run and the resumed one: they only shape the final assembly.

Input columns are passed through as pandas reads each chunk, so a column's
type can differ between chunks: a number column with gaps prints ``4.0`` in a
chunk that has a gap and ``4`` in one that has none; a column that is numbers in
one chunk and text in another is written (and grouped) as text.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._version import __version__
from .analyzer import Analyzer
from .errors import ColumnNotFoundError, OutputInUseError, ResumeMismatchError
from .io import count_rows, iter_table_chunks, read_table, write_table
from .io.readers import resolve_format
from .io.writers import atomic_file, fsync_file, stringify_mixed
from .progress import progress_bar
from .responses import response_columns
from .result import AnalysisResult
from .rows import is_missing
from .themes import ThemeSet

MANIFEST = "manifest.json"
PARTS = "parts"
#: Bumped when the part files or the manifest change meaning.
LAYOUT_VERSION = 1


def analyze_file(
    path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    analyzer: Analyzer | None = None,
    text_column: str = "text",
    by: str | Sequence[str] | None = None,
    question_column: str | None = None,
    question: str | None = None,
    chunksize: int = 10_000,
    encoding: str | None = None,
    sheet: str | int | None = None,
    format: str | None = None,
    output_format: Literal["csv", "parquet"] = "csv",
    resume: bool = True,
    show_progress_bar: bool | None = None,
) -> pd.DataFrame:
    """Score ``path`` chunk by chunk into ``out_dir``; return the summary.

    Writes ``out_dir/responses.<fmt>`` (one row per input row, in file order)
    and ``out_dir/summary.<fmt>``. ``resume=True`` continues an unfinished run
    made with the same input and settings and refuses one made with others
    (:class:`~voicelens.errors.ResumeMismatchError`); ``resume=False`` discards
    it. The returned summary's ``attrs`` hold ``n_rows``, ``responses_path``,
    ``summary_path`` and ``chunks_reused``.

    >>> summary = analyze_file("big.csv", "out", text_column="answer",
    ...                        chunksize=20_000)                     # doctest: +SKIP
    """
    if not isinstance(chunksize, int) or chunksize < 1:
        raise ValueError(f"chunksize must be a positive integer; got {chunksize!r}")
    if output_format not in ("csv", "parquet"):
        raise ValueError(f"output_format must be 'csv' or 'parquet'; got {output_format!r}")
    path, out = Path(path), Path(out_dir)
    analyzer = analyzer if analyzer is not None else Analyzer()
    keys = [by] if isinstance(by, str) else list(by or [])
    fmt = resolve_format(path, format)

    chunks = iter_table_chunks(path, chunksize=chunksize, encoding=encoding, format=fmt, sheet=sheet)
    first = next(chunks, None)
    if first is None:  # no data rows (e.g. an empty Parquet file): one empty chunk keeps the columns
        first = read_table(path, encoding=encoding, sheet=sheet, format=fmt)
    _check_columns(first, text_column, question_column, keys)
    themes = analyzer.theme_set_
    fingerprint = _fingerprint(path, analyzer, themes, fmt=fmt, encoding=encoding, sheet=sheet,
                               chunksize=chunksize, text_column=text_column,
                               question_column=question_column, question=question)
    # The inner analyzer shares the (lazily loaded) backend; one progress bar is enough.
    inner = Analyzer(analyzer.backend_, themes, batch_size=analyzer.batch_size,
                     chunk_size=analyzer.chunk_size, show_progress_bar=False, languages=analyzer.languages,
                     no_answer=analyzer.no_answer)

    out.mkdir(parents=True, exist_ok=True)
    with _lock(out):
        done = _begin(out, fingerprint, path, resume)
        reused = len(done)
        with progress_bar(show_progress_bar, total=_row_estimate(path, fmt, sheet),
                          initial=sum(done.values()), desc="analysing", unit="row") as bar:
            n_chunks = 0
            for number, chunk in enumerate(itertools.chain([first], chunks)):
                n_chunks = number + 1
                part = _part_path(out, number)
                if number in done and part.is_file():
                    if done[number] != len(chunk):
                        raise ResumeMismatchError(out, [f"row count of chunk {number}"])
                    continue
                chunk = _fill_missing_columns(chunk, [text_column, question_column])
                result = inner.analyze(chunk, text_column, question_column=question_column,
                                       question=question)
                _write_part(result.responses, part)
                del result
                _release_arrow_memory()
                done[number] = len(chunk)
                _write_manifest(out, fingerprint, path, done, state="running")
                bar.update(len(chunk))
            if bar.total != bar.n:  # the CSV line count over-estimates multi-line answers
                bar.total = bar.n
                bar.refresh()

        parts = [_part_path(out, i) for i in range(n_chunks)]
        suffix = f".{output_format}"
        responses_path = _assemble(parts, out / f"responses{suffix}", themes)
        errors = analyzer.error_rates()
        summary = _summarise_parts(parts, themes, keys, errors)
        summary_path = write_table(summary, out / f"summary{suffix}")
        n_rows = sum(done[i] for i in range(n_chunks))
        _write_manifest(out, fingerprint, path, done, state="complete",
                        outputs={"responses": responses_path.name, "summary": summary_path.name,
                                 "rows": n_rows})
        _remove_parts(out)
    summary.attrs.update(n_rows=n_rows, responses_path=str(responses_path),
                         summary_path=str(summary_path), chunks_reused=reused)
    return summary


# -- input checks ----------------------------------------------------------------


def _check_columns(first: pd.DataFrame, text_column: str, question_column: str | None,
                   keys: list[str]) -> None:
    if text_column not in first.columns:
        raise ColumnNotFoundError("text_column", text_column, first.columns)
    if question_column is not None and question_column not in first.columns:
        raise ColumnNotFoundError("question_column", question_column, first.columns)
    for key in keys:
        if key not in first.columns:
            raise ColumnNotFoundError("by", key, first.columns)


def _fill_missing_columns(chunk: pd.DataFrame, columns: list[str | None]) -> pd.DataFrame:
    """JSON Lines chunks may lack a key every record of them omits: its rows are missing."""
    missing = [c for c in columns if c is not None and c not in chunk.columns]
    return chunk.assign(**{c: None for c in missing}) if missing else chunk


def _row_estimate(path: Path, fmt: str, sheet: str | int | None) -> int | None:
    try:
        return count_rows(path, format=fmt, sheet=sheet)
    except Exception:  # only for the progress bar
        return None


# -- fingerprint and manifest ---------------------------------------------------------


def _digest_file(path: Path, digest: Any | None = None) -> Any:
    digest = digest if digest is not None else hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest


def _digest_tree(folder: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(folder)).encode() + b"\0")
        _digest_file(file, digest)
    return digest.hexdigest()


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, Path))


def _backend_identity(analyzer: Analyzer) -> dict[str, Any]:
    """What decides the backend's scores: class, settings, and the shipped weights."""
    backend = analyzer.backend_
    settings = {k: str(v) if isinstance(v, Path) else v
                for k, v in sorted(vars(backend).items()) if not k.startswith("_") and _plain(v)}
    identity: dict[str, Any] = {
        "class": f"{type(backend).__module__}.{type(backend).__qualname__}",
        "settings": settings,
        "describe": backend.describe(),
    }
    if getattr(backend, "name", None) in ("embedded", "similarity"):
        from .assets import models_dir

        identity["models"] = _digest_tree(models_dir())
        heads = settings.get("heads_path")
        if heads and Path(heads).is_dir():
            identity["heads"] = _digest_tree(Path(heads))
    return identity


def _fingerprint(path: Path, analyzer: Analyzer, themes: ThemeSet, *, fmt: str, encoding: str | None,
                 sheet: str | int | None, chunksize: int, text_column: str,
                 question_column: str | None, question: str | None) -> dict[str, Any]:
    """Everything that decides the part files; two runs with equal fingerprints write equal parts."""
    fingerprint = {
        "layout": LAYOUT_VERSION,
        "voicelens": __version__,
        "input file": {"bytes": path.stat().st_size, "sha256": _digest_file(path).hexdigest()},
        "reading": {"format": fmt, "encoding": encoding, "sheet": sheet},
        "chunksize": chunksize,
        "columns": {"text_column": text_column, "question_column": question_column, "question": question},
        "batch sizes": {"batch_size": analyzer.batch_size, "chunk_size": analyzer.chunk_size},
        "languages": analyzer.languages,
        "no_answer": analyzer.no_answer,
        "themes": [t.to_dict() for t in themes],
        "backend": _backend_identity(analyzer),
    }
    return json.loads(json.dumps(fingerprint, default=str))  # as it reads back from JSON


def _read_manifest(out: Path) -> dict[str, Any] | None:
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"state": "unreadable"}


def _write_manifest(out: Path, fingerprint: dict[str, Any], path: Path, done: dict[int, int], *,
                    state: str, outputs: dict[str, Any] | None = None) -> None:
    manifest = {"state": state, "input": str(path.resolve()), "fingerprint": fingerprint,
                "chunks_done": {str(k): v for k, v in sorted(done.items())}}
    if outputs:
        manifest["outputs"] = outputs
    _atomic_write_text(out / MANIFEST, json.dumps(manifest, indent=1) + "\n")


def _begin(out: Path, fingerprint: dict[str, Any], path: Path, resume: bool) -> dict[int, int]:
    """Chunks already done by an unfinished run to resume, or ``{}`` for a fresh start."""
    _remove_temporary_files(out)
    manifest = _read_manifest(out)
    if resume and manifest is not None and manifest.get("state") == "running":
        old = manifest.get("fingerprint", {})
        differences = [key for key in fingerprint if old.get(key) != fingerprint[key]]
        if differences:
            raise ResumeMismatchError(out, differences)
        return {int(k): int(v) for k, v in manifest.get("chunks_done", {}).items()}
    _remove_parts(out)  # a finished run, a discarded one, or stray parts: start afresh
    _write_manifest(out, fingerprint, path, {}, state="running")
    return {}


# -- files -------------------------------------------------------------------------


def _part_path(out: Path, number: int) -> Path:
    return out / PARTS / f"part-{number:06d}.parquet"


def _atomic_write_text(path: Path, text: str) -> None:
    with atomic_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _write_part(responses: pd.DataFrame, part: Path) -> None:
    import pyarrow as pa

    part.parent.mkdir(exist_ok=True)
    try:
        write_table(responses, part)
    except pa.ArrowException:  # an object column mixing types, e.g. numbers and "n/a" from Excel
        write_table(stringify_mixed(responses), part)
    fsync_file(part)


def _release_arrow_memory() -> None:
    """Hand memory Arrow freed back to the system, so peak memory stays flat across chunks."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _remove_parts(out: Path) -> None:
    folder = out / PARTS
    if not folder.is_dir():
        return
    for file in folder.iterdir():
        if file.name.startswith(("part-", ".part-")) and file.suffix in (".parquet", ".tmp"):
            file.unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()


def _remove_temporary_files(out: Path) -> None:
    """Half-written files left by a killed run (never a finished file)."""
    for folder, prefixes in ((out, (".responses.", ".summary.", f".{MANIFEST}.")), (out / PARTS, (".part-",))):
        if folder.is_dir():
            for file in folder.iterdir():
                if file.name.startswith(prefixes) and ".tmp" in file.name:
                    file.unlink()


@contextlib.contextmanager
def _lock(out: Path) -> Iterator[None]:
    """One writer per output folder; the lock dies with its process, even on SIGKILL."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        yield
        return
    with open(out / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise OutputInUseError(out) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- assembly ----------------------------------------------------------------------


def _columns(parts: list[Path], themes: ThemeSet) -> list[str]:
    """Input columns in order of first appearance, then the result columns."""
    import pyarrow.parquet as pq

    results = response_columns(themes)
    inputs: dict[str, None] = {}
    for part in parts:
        inputs.update((name, None) for name in pq.read_schema(part).names if name not in results)
    return [*inputs, *results]


def _assemble(parts: list[Path], target: Path, themes: ThemeSet) -> Path:
    """Concatenate the parts into ``target`` one part at a time, atomically."""
    columns = _columns(parts, themes)
    with atomic_file(target) as tmp:
        if target.suffix == ".parquet":
            _assemble_parquet(parts, tmp, columns)
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as f:
                for i, part in enumerate(parts):
                    frame = pd.read_parquet(part)
                    if list(frame.columns) != columns:
                        frame = frame.reindex(columns=columns)
                    frame.to_csv(f, index=False, header=i == 0)
                    del frame
                    _release_arrow_memory()
    return target


def _assemble_parquet(parts: list[Path], tmp: Path, columns: list[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schemas = [pq.read_schema(part) for part in parts]
    schema = pa.schema([pa.field(name, _common_type(name, schemas)) for name in columns])
    if all(s.equals(schemas[0], check_metadata=False) for s in schemas) and schemas[0].names == columns:
        schema = schemas[0]  # the usual case: keep pandas' dtype metadata
    with pq.ParquetWriter(tmp, schema) as writer:
        for part in parts:
            table = pq.read_table(part)
            arrays = [table.column(f.name).cast(f.type) if f.name in table.column_names
                      else pa.nulls(table.num_rows, f.type) for f in schema]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            del table, arrays
            _release_arrow_memory()


def _common_type(name: str, schemas: list[Any]) -> Any:
    """One Arrow type for a column whose type differs between chunks (e.g. int, then float)."""
    import pyarrow as pa

    common = None
    for schema in schemas:
        if name not in schema.names:
            continue
        kind = schema.field(name).type
        if common is None or common == kind:
            common = kind
            continue
        try:
            common = pa.unify_schemas([pa.schema([(name, common)]), pa.schema([(name, kind)])],
                                      promote_options="permissive").field(name).type
        except (pa.ArrowException, TypeError):
            common = pa.large_string()
    return common if common is not None else pa.null()


def _summarise_parts(parts: list[Path], themes: ThemeSet, keys: list[str],
                     error_rates: dict | None = None) -> pd.DataFrame:
    """The summary from the few columns it needs; labels and text keys held as categorical
    codes (a few bytes a row), so a million rows add tens of MB, not hundreds."""
    import pyarrow.parquet as pq

    labels = ["status", "sentiment", *themes.names]
    wanted = list(dict.fromkeys([*labels, "sentiment_score", *keys]))
    schemas = [pq.read_schema(part) for part in parts]
    coded = labels + [k for k in keys if k not in labels and not _numeric_everywhere(k, schemas)]
    as_text = {k for k in coded if len({str(s.field(k).type) for s in schemas if k in s.names}) > 1}
    codes: dict[str, list[np.ndarray]] = {c: [] for c in coded}
    categories: dict[str, dict[Any, int]] = {c: {} for c in coded}
    others: dict[str, list[pd.Series]] = {c: [] for c in wanted if c not in coded}
    for part, schema in zip(parts, schemas):
        table = pq.read_table(part, columns=[c for c in wanted if c in schema.names])
        for column in wanted:
            present = column in table.column_names
            if column in coded:
                values = table.column(column) if present else _text_nulls(table.num_rows)
                codes[column].append(_codes(values, categories[column], column in as_text))
            elif present:
                others[column].append(table.select([column]).to_pandas()[column])
            else:  # a grouping key some JSON Lines records lack
                others[column].append(pd.Series([None] * table.num_rows, dtype=object))
        del table
        _release_arrow_memory()
    frame = {}
    for column in wanted:
        if column in coded:
            values, order = _sorted_categories(categories[column], sort=column in keys)
            frame[column] = pd.Categorical.from_codes(order[np.concatenate(codes[column])], categories=values)
            codes[column] = []
        else:
            frame[column] = _concat(others.pop(column))
    summary = AnalysisResult(pd.DataFrame(frame, copy=False), themes.names,
                             {"error_rates": error_rates or {}}).summary(by=keys or None)
    for key in keys:  # text keys come back as plain values, not categoricals
        if isinstance(summary[key].dtype, pd.CategoricalDtype):
            summary[key] = summary[key].astype(summary[key].cat.categories.dtype)
    return summary


def _numeric_everywhere(column: str, schemas: list[Any]) -> bool:
    import pyarrow.types as t

    kinds = [s.field(column).type for s in schemas if column in s.names]
    return bool(kinds) and all(t.is_integer(k) or t.is_floating(k) or t.is_boolean(k) or t.is_null(k)
                               for k in kinds)


def _text_nulls(n: int) -> Any:
    import pyarrow as pa

    return pa.chunked_array([pa.nulls(n, pa.large_string())])


def _codes(column: Any, categories: dict[Any, int], as_text: bool) -> np.ndarray:
    """Codes of a column's values into ``categories`` (grown as new values appear); -1 is NA."""
    import pyarrow as pa

    if as_text or pa.types.is_null(column.type) or pa.types.is_string(column.type):
        column = column.cast(pa.large_string())
    encoded = column.combine_chunks().dictionary_encode()
    lookup = np.array([categories.setdefault(v, len(categories)) for v in encoded.dictionary.to_pylist()]
                      + [-1], dtype=np.int32)
    if len(categories) < np.iinfo(np.int16).max:
        lookup = lookup.astype(np.int16)
    return lookup[encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)]


def _sorted_categories(categories: dict[Any, int], sort: bool) -> tuple[list[Any], np.ndarray]:
    """Category values (sorted for grouping keys, as ``groupby(sort=True)`` orders them) and the
    map from first-seen codes to their positions (``-1`` stays ``-1``)."""
    values = list(categories)
    if sort:
        values = sorted(values)
    position = {v: i for i, v in enumerate(values)}
    order = np.empty(len(values) + 1, dtype=np.int32)
    for value, code in categories.items():
        order[code] = position[value]
    order[-1] = -1
    return values, order


def _concat(pieces: list[pd.Series]) -> pd.Series:
    kinds = {p.dtype for p in pieces if len(p)}
    if len(kinds) > 1 and not all(pd.api.types.is_numeric_dtype(k) for k in kinds):
        # a key read as numbers in one chunk and as text in another: compare it as text
        pieces = [p.astype(object).map(lambda v: None if is_missing(v) else str(v)) for p in pieces]
    return pd.concat(pieces, ignore_index=True) if pieces else pd.Series([], dtype=object)
