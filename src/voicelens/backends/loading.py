"""Load Hugging Face models safely: local path first, safetensors only, no remote code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ModelLoadError, ModelNotFoundError, UnsafeModelError

_PICKLE_FILES = ("pytorch_model.bin", "tf_model.h5", "model.ckpt.index", "flax_model.msgpack")


def _check_local_folder(path: Path) -> None:
    if not path.is_dir():
        raise ModelNotFoundError(f"model folder {path} does not exist")
    if not (path / "config.json").is_file():
        raise ModelNotFoundError(f"model folder {path} has no config.json; is it a Hugging Face model folder?")
    has_safetensors = any(path.glob("*.safetensors"))
    if not has_safetensors:
        pickles = [name for name in _PICKLE_FILES if (path / name).exists()]
        if pickles:
            raise UnsafeModelError(
                f"model folder {path} holds only {pickles}, a pickle format that can run code "
                "when loaded; voicelens loads safetensors only. Convert it once, in a trusted "
                "environment: `AutoModel.from_pretrained(path).save_pretrained(path, safe_serialization=True)`"
            )
        raise ModelNotFoundError(f"model folder {path} has no *.safetensors weights file")


def load_local_model(
    name_or_path: str | Path,
    model_class: Any,
    *,
    allow_download: bool = False,
    **model_kwargs: Any,
):
    """Return ``(tokenizer, model)`` for a local folder or (if allowed) a hub id.

    ``trust_remote_code`` is always off and only safetensors weights are read.
    """
    from transformers import AutoTokenizer

    if "trust_remote_code" in model_kwargs or "use_safetensors" in model_kwargs:
        raise UnsafeModelError("voicelens never runs code shipped with a model and reads safetensors "
                               "only; trust_remote_code and use_safetensors cannot be passed")
    path = Path(name_or_path).expanduser()
    if path.exists():
        _check_local_folder(path)
        source, local_only = str(path), True
    elif not allow_download:
        raise ModelNotFoundError(
            f"model {str(name_or_path)!r} is not a local folder and downloads are off; "
            "pass a local path, or allow_download=True to fetch it from the Hugging Face hub"
        )
    else:
        source, local_only = str(name_or_path), False
    common = {"local_files_only": local_only, "trust_remote_code": False}
    from transformers.utils import logging as hf_logging

    bar_was_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # no "Loading weights" bar for each analysis
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, **common)
        model = model_class.from_pretrained(source, use_safetensors=True, **common, **model_kwargs)
    except OSError as exc:
        raise ModelLoadError(f"could not load model from {source}: {exc}") from exc
    except Exception as exc:  # safetensors raises its own error types on corrupt files
        if type(exc).__name__ in {"SafetensorError", "HeaderTooLarge", "HeaderTooSmall"}:
            raise ModelLoadError(
                f"model weights in {source} are corrupt ({exc}); re-install or re-export the model"
            ) from exc
        raise
    finally:
        if bar_was_on:
            hf_logging.enable_progress_bar()
    return tokenizer, model
