"""Any Hugging Face sentiment classifier plus any NLI model for zero-shot themes.

Models are read from a local folder, or from the hub only with
``allow_download=True``; ``trust_remote_code`` is never enabled and only
safetensors weights are loaded.

>>> backend = TransformersBackend(sentiment_model="path/to/sentiment",   # doctest: +SKIP
...                               theme_model="path/to/nli")
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..errors import ModelLoadError
from ..heads import softmax
from ..progress import progress_bar
from ..themes import Theme, ThemeSet
from .base import BatchScores, SentenceBatch
from .loading import load_local_model

_STARS = re.compile(r"^(\d)\s*stars?$")


def sentiment_label_map(id2label: dict[int, str]) -> np.ndarray:
    """``(n_labels, 3)`` matrix mapping a model's labels onto (negative, neutral, positive).

    >>> sentiment_label_map({0: "NEGATIVE", 1: "POSITIVE"}).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    labels = [str(id2label[i]).lower() for i in range(len(id2label))]
    out = np.zeros((len(labels), 3))
    for i, label in enumerate(labels):
        stars = _STARS.match(label)
        if stars:
            n = int(stars.group(1))
            out[i, 0 if n <= 2 else 1 if n == 3 else 2] = 1
        elif label.startswith("neg"):
            out[i, 0] = 1
        elif label.startswith("neu"):
            out[i, 1] = 1
        elif label.startswith("pos"):
            out[i, 2] = 1
        elif label.startswith("label_") and len(labels) in (2, 3):
            out[i, [0, 2][i] if len(labels) == 2 else i] = 1
        else:
            raise ModelLoadError(f"sentiment model label {label!r} is not negative/neutral/positive or N stars")
    return out


def entailment_index(label2id: dict[str, int]) -> tuple[int, int]:
    """Indices of the entailment and contradiction logits of an NLI model."""
    lowered = {k.lower(): v for k, v in label2id.items()}
    try:
        return lowered["entailment"], lowered["contradiction"]
    except KeyError as exc:
        raise ModelLoadError(
            f"theme_model must be an NLI model with 'entailment' and 'contradiction' labels; got {list(label2id)}"
        ) from exc


class TransformersBackend:
    """Sentence-level sentiment from a classifier; themes by NLI entailment.

    Mention: entailment of ``hypothesis_template.format(description)``; stance:
    entailment of the theme's first positive versus first negative example (or
    ``positive_hypothesis`` / ``negative_hypothesis`` keys in the theme file).
    """

    name = "transformers"

    def __init__(self, sentiment_model: str | Path | None = None, theme_model: str | Path | None = None,
                 device: str = "cpu", allow_download: bool = False,
                 hypothesis_template: str = "This text is about {}."):
        self.sentiment_model = sentiment_model
        self.theme_model = theme_model
        self.device = device
        self.allow_download = allow_download
        self.hypothesis_template = hypothesis_template
        self._loaded: dict[str, tuple] = {}

    def _model(self, which: str):
        if which not in self._loaded:
            from transformers import AutoModelForSequenceClassification

            source = getattr(self, which)
            if source is None:
                raise ValueError(f"the transformers backend needs {which}= (a local folder or, with "
                                 "allow_download=True, a Hugging Face model id)")
            tok, model = load_local_model(source, AutoModelForSequenceClassification,
                                          allow_download=self.allow_download)
            self._loaded[which] = (tok, model.eval().to(self.device))
        return self._loaded[which]

    def _logits(self, which: str, first: list[str], second: list[str] | None, batch_size: int,
                show_progress_bar: bool | None) -> np.ndarray:
        import torch

        tok, model = self._model(which)
        order = np.argsort([-len(t) for t in first], kind="stable")
        out = np.zeros((len(first), model.config.num_labels), dtype=np.float32)
        with progress_bar(show_progress_bar, total=len(first), desc=which.replace("_", " "), unit="pair") as bar:
            for start in range(0, len(first), batch_size):
                idx = order[start : start + batch_size]
                enc = tok([first[i] for i in idx], [second[i] for i in idx] if second else None,
                          padding=True, truncation=True, max_length=512, return_tensors="pt").to(self.device)
                with torch.inference_mode():
                    out[idx] = model(**enc).logits.float().cpu().numpy()
                bar.update(len(idx))
        return out

    def _hypotheses(self, theme: Theme) -> tuple[str, str, str]:
        mention = self.hypothesis_template.format(theme.description[0].lower() + theme.description[1:])
        pos = theme.extra.get("positive_hypothesis") or (theme.positive_examples or (theme.description,))[0]
        neg = theme.extra.get("negative_hypothesis") or (theme.negative_examples or ("not " + theme.description,))[0]
        return mention, pos, neg

    def score(self, batch: SentenceBatch, themes: ThemeSet, *, batch_size: int = 32,
              show_progress_bar: bool | None = None) -> BatchScores:
        sents = batch.sentences
        _, model = self._model("sentiment_model")
        mapping = sentiment_label_map(model.config.id2label)
        probs = softmax(self._logits("sentiment_model", sents, None, batch_size, show_progress_bar)) @ mapping
        response = np.stack([probs[idx].mean(0) for idx in batch.responses]) if batch.responses \
            else np.zeros((0, 3))
        _, nli = self._model("theme_model")
        ent, con = entailment_index(nli.config.label2id)
        premises, hyps = [], []
        for theme in themes:
            for h in self._hypotheses(theme):
                premises += sents
                hyps += [h] * len(sents)
        logits = self._logits("theme_model", premises, hyps, batch_size, show_progress_bar)
        logits = logits.reshape(len(themes), 3, len(sents), -1)
        mention = softmax(logits[:, 0][..., [con, ent]])[..., 1].T
        positive = softmax(np.stack([logits[:, 2, :, ent], logits[:, 1, :, ent]], axis=-1))[..., 1].T
        return BatchScores(response, probs, mention, positive)

    def describe(self) -> dict[str, str]:
        return {"backend": "transformers", "models": f"sentiment={self.sentiment_model}, themes={self.theme_model}"}
