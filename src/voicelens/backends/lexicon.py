"""The torch-free baseline: nltk's VADER, with the lexicon shipped by ``vadersentiment``.

Themes are found by content words of their description and examples; stance is the
VADER polarity of the matching sentence. Fast, transparent, and blind to outcome
language ("I no longer have pain" reads as negative) — which is why it is the baseline.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import ModelNotFoundError
from ..themes import Theme, ThemeSet
from .base import BatchScores, SentenceBatch

_WORD = re.compile(r"[a-z']+")
_STOP = {
    "the", "and", "for", "with", "about", "after", "such", "from", "that", "this", "have", "has",
    "was", "were", "are", "not", "but", "all", "any", "can", "could", "again", "still", "now",
    "feel", "feeling", "being", "getting", "going", "than", "more", "what", "when", "every", "day",
    "able", "things", "really", "time", "away", "before", "anymore", "at", "my", "me", "on",
}


@lru_cache(maxsize=1)
def _vader():
    from nltk.sentiment.vader import SentimentIntensityAnalyzer, VaderConstants

    try:
        import vaderSentiment
    except ImportError as exc:
        raise ModelNotFoundError("the lexicon backend needs `pip install vadersentiment`") from exc
    # nltk.data.load refuses paths outside nltk_data, so fill the analyzer's
    # three attributes (see its __init__) from the vaderSentiment lexicon directly.
    analyzer = SentimentIntensityAnalyzer.__new__(SentimentIntensityAnalyzer)
    analyzer.lexicon_file = Path(vaderSentiment.__file__).with_name("vader_lexicon.txt").read_text(
        encoding="utf-8").strip()
    analyzer.lexicon = analyzer.make_lex_dict()
    analyzer.constants = VaderConstants()
    return analyzer


def theme_keywords(theme: Theme) -> set[str]:
    """Content words (4+ letters, not stop words) of a theme's description and examples."""
    text = " ".join((theme.description, *theme.positive_examples, *theme.negative_examples)).lower()
    return {w for w in _WORD.findall(text) if len(w) >= 4 and w not in _STOP}


def compound_to_proba(compound: np.ndarray, neutral_band: float = 0.05) -> np.ndarray:
    """Map VADER compound scores to (negative, neutral, positive) pseudo-probabilities."""
    pos = np.clip(compound, 0, 1)
    neg = np.clip(-compound, 0, 1)
    neu = np.where(np.abs(compound) < neutral_band, 1.0, 1 - np.abs(compound)) * 0.5
    proba = np.stack([neg, neu, pos], axis=1) + 1e-6
    return proba / proba.sum(axis=1, keepdims=True)


class LexiconBackend:
    """VADER sentiment plus keyword themes; needs neither torch nor transformers."""

    name = "lexicon"

    def score(self, batch: SentenceBatch, themes: ThemeSet, *, batch_size: int = 64,
              show_progress_bar: bool | None = None) -> BatchScores:
        vader = _vader()
        compound = np.array([vader.polarity_scores(s)["compound"] for s in batch.sentences])
        whole = np.array([vader.polarity_scores(" ".join(batch.sentences[i] for i in idx))["compound"]
                          for idx in batch.responses])
        keywords = [theme_keywords(t) for t in themes]
        words = [set(_WORD.findall(s.lower())) for s in batch.sentences]
        mention = np.array([[float(bool(w & k)) for k in keywords] for w in words]).reshape(
            len(batch.sentences), len(themes))
        positive = np.repeat(((compound + 1) / 2)[:, None], len(themes), axis=1)
        return BatchScores(compound_to_proba(whole).reshape(-1, 3), compound_to_proba(compound),
                           mention, positive)

    def describe(self) -> dict[str, str]:
        return {"backend": "lexicon", "models": "nltk VADER (lexicon from vaderSentiment 3.3)"}
