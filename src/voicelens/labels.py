"""The label sets voicelens reads and writes, defined once.

>>> SENTIMENT_LABELS
('negative', 'neutral', 'positive')
>>> STANCE_LABELS
('absent', 'negative', 'positive')
"""

from __future__ import annotations

#: Sentiment classes, in the column order of every sentiment probability array.
SENTIMENT_LABELS = ("negative", "neutral", "positive")
#: Stance of a response on a theme: not raised, raised without the outcome, outcome reported.
STANCE_LABELS = ("absent", "negative", "positive")
