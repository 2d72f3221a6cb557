"""Human-readable names of what an encoder applies, for ``describe()`` and reports."""

from __future__ import annotations

import hashlib
from pathlib import Path


def delta_note(top_layers: str | Path | None) -> str:
    """``"voicelens outcome reader (LoRA 1a2b3c4d)"``, a user delta's path, or no fine-tuning.

    >>> delta_note(None)
    'no fine-tuning'
    """
    from .minilm import shipped_top_layers

    if top_layers is None:
        return "no fine-tuning"
    path = shipped_top_layers() if top_layers == "shipped" else Path(top_layers)
    if path is None or not Path(path).is_file():
        return f"fine-tuning delta {top_layers} (missing)"
    digest = hashlib.sha1(Path(path).read_bytes()).hexdigest()[:8]
    if top_layers == "shipped":
        return f"voicelens outcome reader (LoRA delta, sha1 {digest})"
    return f"fine-tuning delta {path} (sha1 {digest})"
