"""Load saved results: the responses file of ``voicelens analyze`` or its output folder.

>>> from voicelens.report.load import read_results      # doctest: +SKIP
>>> res = read_results("voicelens_out")                  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import InputFormatError
from ..result import AnalysisResult

#: Names looked for in an output folder, in this order.
RESPONSE_FILES = ("responses.parquet", "responses.csv", "responses.tsv", "responses.jsonl", "responses.xlsx")
METADATA_FILE = "metadata.json"
#: Written by ``voicelens analyze`` (resumable runs); its fingerprint names backend and themes.
MANIFEST_FILE = "manifest.json"


def find_responses(path: str | os.PathLike[str]) -> Path:
    """``path`` itself if it is a file, else the responses file inside the folder."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"results {str(path)!r} do not exist")
    if path.is_file():
        return path
    for name in RESPONSE_FILES:
        if (path / name).is_file():
            return path / name
    raise FileNotFoundError(f"no responses file in folder {str(path)!r}; expected one of {list(RESPONSE_FILES)} "
                            "(written by 'voicelens analyze')")


def read_results(path: str | os.PathLike[str]) -> AnalysisResult:
    """An :class:`AnalysisResult` rebuilt from saved responses; ``metadata.json`` (or the
    ``manifest.json`` of ``voicelens analyze``) beside the responses file, when present,
    supplies the model and theme descriptions."""
    from ..io import read_table

    file = find_responses(path)
    frame = read_table(file)
    metadata: dict = {}
    if (file.parent / METADATA_FILE).is_file():
        metadata = _read_json(file.parent / METADATA_FILE)
    elif (file.parent / MANIFEST_FILE).is_file():
        metadata = _from_manifest(_read_json(file.parent / MANIFEST_FILE))
    themes = [t["name"] for t in metadata.get("themes", []) if isinstance(t, dict) and "name" in t] or None
    result = AnalysisResult.from_responses(frame, themes=themes, metadata=metadata)
    result.metadata.setdefault("source", str(file))
    return result


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputFormatError(f"{path} is not valid JSON: {exc}") from exc
    return data if isinstance(data, dict) else {}


def _from_manifest(manifest: dict) -> dict:
    """Backend, themes and text column from an analyze manifest's fingerprint."""
    fp = manifest.get("fingerprint") or {}
    backend = fp.get("backend")
    if isinstance(backend, dict):
        backend = backend.get("describe") or {"backend": backend.get("class")}
    columns = fp.get("columns") or {}
    return {"backend": backend, "themes": fp.get("themes") or [], "text_column": columns.get("text_column")}
