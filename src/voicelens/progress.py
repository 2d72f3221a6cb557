"""Progress bars that default to the log level, like ``SentenceTransformer.encode``."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger("voicelens")


def wants_progress(show_progress_bar: bool | None) -> bool:
    """``None`` means: show a bar when the voicelens logger is at INFO or finer."""
    if show_progress_bar is None:
        return logger.getEffectiveLevel() <= logging.INFO
    return bool(show_progress_bar)


def progress_bar(show_progress_bar: bool | None, **kwargs: Any):
    """A ``tqdm`` bar, disabled unless :func:`wants_progress` says otherwise."""
    from tqdm.auto import tqdm

    return tqdm(disable=not wants_progress(show_progress_bar), **kwargs)
