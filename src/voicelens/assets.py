"""Locate the model assets (``models/``) shipped with voicelens."""

from __future__ import annotations

from pathlib import Path

from .errors import ModelNotFoundError

_PACKAGE_DIR = Path(__file__).resolve().parent


def models_dir() -> Path:
    """Folder holding the shipped model assets and theme files.

    In an installed wheel it is ``voicelens/models``; in a source checkout
    (editable install) it is ``models/`` at the repository root.
    """
    for candidate in (_PACKAGE_DIR / "models", _PACKAGE_DIR.parents[1] / "models"):
        if (candidate / "themes").is_dir():
            return candidate
    raise ModelNotFoundError(
        "voicelens model assets not found (looked in "
        f"{_PACKAGE_DIR / 'models'} and {_PACKAGE_DIR.parents[1] / 'models'}); "
        "reinstall voicelens: pip install --force-reinstall voicelens"
    )


def asset_path(*parts: str) -> Path:
    """Path of one shipped asset, e.g. ``asset_path("themes", "outcomes.yaml")``."""
    path = models_dir().joinpath(*parts)
    if not path.exists():
        raise ModelNotFoundError(
            f"voicelens asset {path} is missing; reinstall voicelens or retrain it "
            "with `python scripts/train_heads.py`"
        )
    return path
