"""voicelens: sentiment and outcome themes in patient testimonials and survey answers.

>>> import voicelens as vl
>>> an = vl.Analyzer()                  # embedded offline default, default themes
>>> res = an.analyze(["I no longer have pain"])     # doctest: +SKIP
>>> res.summary()                                   # doctest: +SKIP

Importing voicelens is light: torch, transformers and nltk load only when a
backend first needs them.
"""

from __future__ import annotations

from ._version import __version__
from .analyzer import Analyzer
from .errors import (
    BackendNotFoundError,
    ColumnNotFoundError,
    InputFormatError,
    ModelLoadError,
    ModelNotFoundError,
    OutputInUseError,
    ResumeMismatchError,
    ThemeError,
    UnsafeModelError,
    VoicelensError,
)
from .result import AnalysisResult
from .themes import Theme, ThemeSet

__all__ = [
    "Analyzer",
    "AnalysisResult",
    "Theme",
    "ThemeSet",
    "read_table",
    "read_survey",
    "VoicelensError",
    "ColumnNotFoundError",
    "BackendNotFoundError",
    "ModelNotFoundError",
    "ModelLoadError",
    "UnsafeModelError",
    "ThemeError",
    "InputFormatError",
    "ResumeMismatchError",
    "OutputInUseError",
    "__version__",
]


def __getattr__(name: str):
    if name in {"read_table", "read_survey"}:
        from . import io

        return getattr(io, name)
    raise AttributeError(f"module 'voicelens' has no attribute {name!r}")
