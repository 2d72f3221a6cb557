"""Exceptions raised by voicelens.

Each subclasses a built-in exception so that existing ``except`` clauses keep
working, and carries the data needed to fix the problem.
"""

from __future__ import annotations

from collections.abc import Iterable


class VoicelensError(Exception):
    """Base class of every voicelens error."""


class ColumnNotFoundError(VoicelensError, KeyError):
    """A named column is not in the data.

    >>> err = ColumnNotFoundError("text_column", "coment", ["id", "comment"])
    >>> str(err)
    "text_column 'coment' not found; available columns: ['id', 'comment']"
    """

    def __init__(self, parameter: str, column: object, available: Iterable[object]):
        self.parameter = parameter
        self.column = column
        self.available = list(available)
        super().__init__(f"{parameter} {column!r} not found; available columns: {self.available}")

    def __str__(self) -> str:  # KeyError would otherwise quote the whole message
        return str(self.args[0])


class BackendNotFoundError(VoicelensError, ValueError):
    """An unknown backend name was asked for."""

    def __init__(self, name: object, available: Iterable[str]):
        self.name = name
        self.available = sorted(available)
        super().__init__(f"backend {name!r} is not known; choose one of {self.available}")


class ModelNotFoundError(VoicelensError, FileNotFoundError):
    """A model could not be found locally (and downloading was not allowed)."""


class UnsafeModelError(VoicelensError, ValueError):
    """A model file is in a format that can execute code (pickle) and was refused."""


class ModelLoadError(VoicelensError, RuntimeError):
    """A model file exists but is corrupt or incompatible."""


class ThemeError(VoicelensError, ValueError):
    """A theme definition is invalid."""


class InputFormatError(VoicelensError, ValueError):
    """An input file cannot be read as the format it claims to be."""


class ResumeMismatchError(VoicelensError, ValueError):
    """An output folder holds an unfinished run of another input or other settings.

    >>> print(ResumeMismatchError("out", ["input file", "chunksize"]))  # doctest: +ELLIPSIS
    out holds an unfinished run with a different input file and chunksize; run again ...
    """

    def __init__(self, out_dir: object, differences: Iterable[str]):
        self.out_dir = out_dir
        self.differences = list(differences)
        what = " and ".join(self.differences) if len(self.differences) < 3 else \
            ", ".join(self.differences[:-1]) + f" and {self.differences[-1]}"
        super().__init__(
            f"{out_dir} holds an unfinished run with a different {what}; run again with the same "
            "arguments to resume it, pass resume=False (command line: --no-resume) to discard it, "
            "or choose another output folder"
        )


class OutputInUseError(VoicelensError, RuntimeError):
    """Another process is writing to the same output folder."""

    def __init__(self, out_dir: object):
        self.out_dir = out_dir
        super().__init__(f"another voicelens run is writing to {out_dir}; wait for it to finish "
                         "or choose another output folder")
