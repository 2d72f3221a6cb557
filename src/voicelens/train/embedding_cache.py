"""Embed sentences once and keep them on disk, keyed by sentence text."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from ..backends.minilm import MiniLMEncoder


def encoder_fingerprint(encoder: MiniLMEncoder) -> str:
    """``base``, or a short hash of the fine-tuned top layers the encoder applies."""
    from ..backends.minilm import shipped_top_layers

    delta = shipped_top_layers() if encoder.top_layers == "shipped" else encoder.top_layers
    if delta is None:
        return "base"
    return "tuned-" + hashlib.sha1(Path(delta).read_bytes()).hexdigest()[:12]


class EmbeddingCache:
    """A sentence -> embedding store, one folder per encoder version under ``root``."""

    def __init__(self, root: str | Path, encoder: MiniLMEncoder | None = None):
        self.encoder = encoder or MiniLMEncoder()
        self.folder = Path(root) / encoder_fingerprint(self.encoder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._table: dict[str, np.ndarray] = {}
        for file in sorted(self.folder.glob("*.npz")):
            data = np.load(file, allow_pickle=False)
            for sentence, vector in zip(data["sentences"], data["vectors"]):
                self._table[str(sentence)] = vector

    def embed(self, sentences: list[str], show_progress_bar: bool = True) -> np.ndarray:
        missing = sorted({s for s in sentences if s not in self._table})
        if missing:
            vectors = self.encoder.encode(missing, show_progress_bar=show_progress_bar)
            key = hashlib.sha1("\n".join(missing).encode()).hexdigest()[:16]
            np.savez(self.folder / f"{key}.npz", sentences=np.array(missing), vectors=vectors)
            self._table.update(zip(missing, vectors))
        if not sentences:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        return np.stack([self._table[s] for s in sentences])
