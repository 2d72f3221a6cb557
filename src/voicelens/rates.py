"""Outcome rates corrected for the classifier's measured errors (adjusted classify-and-count).

A classifier that calls a response "positive" with true-positive rate ``tpr`` and
false-positive rate ``fpr`` (both measured on labelled text it never trained on) reports
``q = p * tpr + (1 - p) * fpr`` when the true rate is ``p``; so ``p = (q - fpr) / (tpr - fpr)``.
The 95% interval adds the classifier's own uncertainty (``tpr`` and ``fpr`` come from a
finite labelled sample) to the sampling error of ``q``, by the delta method.

quapy implements the same estimator, but around a classifier it trains itself; here the
classifier is fixed and its error rates ship with the model, so the formula is used directly.

>>> rate, low, high = adjusted_rate(30, 100, ErrorRates(tpr=0.8, fpr=0.1, n_positive=200, n_negative=800))
>>> round(float(rate), 3), round(float(low), 3), round(float(high), 3)
(0.286, 0.154, 0.418)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .stats import Z95


#: Below this separation the correction would divide by (almost) zero: summaries keep the raw rate.
MIN_SEPARATION = 0.2


@dataclass(frozen=True)
class ErrorRates:
    """How often the classifier says "positive" for truly positive / not positive responses."""

    tpr: float
    fpr: float
    n_positive: int
    n_negative: int

    @property
    def separation(self) -> float:
        """``tpr - fpr``: how far "positive" calls separate the two kinds of response."""
        return self.tpr - self.fpr

    @property
    def correctable(self) -> bool:
        """Whether the separation is large enough to correct for (else rates stay raw)."""
        return self.separation >= MIN_SEPARATION

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ErrorRates:
        return cls(float(data["tpr"]), float(data["fpr"]), int(data["n_positive"]), int(data["n_negative"]))

    @classmethod
    def measure(cls, predicted_positive: np.ndarray, truly_positive: np.ndarray) -> ErrorRates:
        """Error rates from labelled responses (boolean arrays).

        >>> ErrorRates.measure(np.array([True, True, False, False]), np.array([True, False, False, False]))
        ErrorRates(tpr=1.0, fpr=0.3333333333333333, n_positive=1, n_negative=3)
        """
        pred, truth = np.asarray(predicted_positive, bool), np.asarray(truly_positive, bool)
        n_pos, n_neg = int(truth.sum()), int((~truth).sum())
        return cls(float(pred[truth].mean()) if n_pos else 1.0, float(pred[~truth].mean()) if n_neg else 0.0,
                   n_pos, n_neg)


def adjusted_rate(positives, n, errors: ErrorRates, z: float = Z95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Corrected rate and its 95% interval for ``positives`` of ``n`` responses called positive.

    NaN where ``n == 0``. Rates are clipped to [0, 1].
    """
    k, n = np.asarray(positives, float), np.asarray(n, float)
    separation = errors.separation
    if not errors.correctable:
        raise ValueError(f"tpr - fpr = {separation:.2f} is too small to correct for (needs >= {MIN_SEPARATION})")
    with np.errstate(invalid="ignore", divide="ignore"):
        q = k / n
        p = np.clip((q - errors.fpr) / separation, 0.0, 1.0)
        var_q = q * (1 - q) / n
        var_tpr = errors.tpr * (1 - errors.tpr) / max(errors.n_positive, 1)
        var_fpr = errors.fpr * (1 - errors.fpr) / max(errors.n_negative, 1)
        # a small floor keeps the interval from collapsing when q is 0 or 1
        var_q = np.maximum(var_q, 0.25 / np.maximum(n, 1) ** 2)
        se = np.sqrt(var_q + p**2 * var_tpr + (1 - p) ** 2 * var_fpr) / separation
    ok = n > 0
    low = np.where(ok, np.clip(p - z * se, 0, 1), np.nan)
    high = np.where(ok, np.clip(p + z * se, 0, 1), np.nan)
    return np.where(ok, p, np.nan), low, high
