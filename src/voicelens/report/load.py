"""Load saved results: a folder written by ``AnalysisResult.save`` or ``voicelens analyze``.

The reading lives in :meth:`voicelens.AnalysisResult.read`; this module keeps its older names.

>>> from voicelens.report.load import read_results      # doctest: +SKIP
>>> res = read_results("voicelens_out")                  # doctest: +SKIP
"""

from __future__ import annotations

import os

from ..result import MANIFEST_FILE, METADATA_FILE, RESPONSE_FILES, AnalysisResult, find_responses

__all__ = ["MANIFEST_FILE", "METADATA_FILE", "RESPONSE_FILES", "find_responses", "read_results"]


def read_results(path: str | os.PathLike[str]) -> AnalysisResult:
    """Same as :meth:`AnalysisResult.read <voicelens.result.AnalysisResult.read>`."""
    return AnalysisResult.read(path)
