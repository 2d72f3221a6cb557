"""Loaders for the training corpora in ``shared/data`` (never shipped, never copied).

Each loader returns one tidy frame: ``text``, ``question``, ``sentiment``
(``negative``/``neutral``/``positive`` or NA), ``outcome`` (``improved``/``not_improved``
or NA: did the treatment work), ``split`` (``train``/``test``) and ``source``.
Splits follow ``shared/data/README.md``: Druglib's own train/test files; PsyTAR
split by ``comment_id``; NHS FFT split by row with a fixed seed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..labels import SENTIMENT_LABELS

SEED = 20261125
TEST_FRACTION = 0.3
#: Share of each train part held out of encoder fine-tuning and head fitting, to calibrate on.
CALIBRATION_PERCENT = 15


def held_for_calibration(text: object) -> bool:
    """True for the fixed ~15% of train texts that only calibration sees (by a hash of the text).

    The encoder fine-tuning skips them and the heads choose their temperatures and
    thresholds on them, so the reported calibration is measured on unseen text.
    """
    digest = hashlib.sha256(str(text).encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:4], "big") % 100 < CALIBRATION_PERCENT


def data_dir() -> Path:
    """``$VOICELENS_DATA`` or ``../shared/data`` next to the repository."""
    env = os.environ.get("VOICELENS_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[4] / "shared" / "data"


def _rating_to_sentiment(rating: pd.Series) -> pd.Series:
    return pd.cut(rating, [0, 4, 6, 10], labels=list(SENTIMENT_LABELS)).astype("string")


_EFFECTIVE = {"Highly Effective": "improved", "Considerably Effective": "improved",
              "Ineffective": "not_improved", "Marginally Effective": "not_improved"}


def load_druglib(root: Path | None = None) -> pd.DataFrame:
    """Druglib reviews: the three patient fields joined, labelled by rating (<=4 / 5-6 / >=7)."""
    root = root or data_dir()
    frames = []
    for split, name in (("train", "drugLibTrain_raw.tsv"), ("test", "drugLibTest_raw.tsv")):
        raw = pd.read_csv(root / "druglib" / name, sep="\t")
        fields = raw[["benefitsReview", "sideEffectsReview", "commentsReview"]].fillna("").astype(str)
        text = fields.apply(lambda r: "\n".join(v.strip() for v in r if v.strip()), axis=1)
        frames.append(pd.DataFrame({
            "text": text,
            "benefits": fields["benefitsReview"],
            "question": pd.NA,
            "sentiment": _rating_to_sentiment(raw["rating"]),
            "outcome": raw["effectiveness"].map(_EFFECTIVE).astype("string"),
            "rating": raw["rating"],
            "split": split,
            "source": "druglib",
        }))
    return pd.concat(frames, ignore_index=True)


#: PsyTAR's sentence categories that are themes (adverse reaction, withdrawal, symptom, indication).
PSYTAR_CATEGORIES = ("ADR", "WD", "SSI", "DI")
#: The PsyTAR drug held out whole: all its reviews are test.
PSYTAR_TEST_DRUG = "effexor"


def load_psytar(root: Path | None = None) -> pd.DataFrame:
    """PsyTAR sentences: ``EF`` (it worked) vs ``INF`` (it did not), split by review;
    every review of Effexor XR is test too (a drug held out whole)."""
    root = root or data_dir()
    raw = pd.read_csv(root / "psytar" / "psytar_sentences.csv")
    raw = raw[raw["sentence"].notna() & (raw["sentence"].astype(str).str.strip() != "")].reset_index(drop=True)
    comments = np.array(sorted(raw["comment_id"].unique()))
    rng = np.random.default_rng(SEED)
    test_ids = set(rng.choice(comments, size=int(len(comments) * TEST_FRACTION), replace=False))
    outcome = np.where(raw["EF"] == 1, "improved", np.where(raw["INF"] == 1, "not_improved", None))
    both = (raw["EF"] == 1) & (raw["INF"] == 1)
    outcome[both.to_numpy()] = None
    return pd.DataFrame({
        "text": raw["sentence"].astype(str),
        "question": pd.NA,
        "sentiment": pd.Series(pd.NA, index=raw.index, dtype="string"),
        "outcome": pd.Series(outcome, dtype="string"),
        "adr": raw["ADR"],
        **{flag: raw[flag].fillna(0).astype(int) for flag in PSYTAR_CATEGORIES},
        "comment_id": raw["comment_id"],
        "split": np.where(raw["comment_id"].isin(test_ids) | raw["drug_id"].str.startswith(PSYTAR_TEST_DRUG),
                          "test", "train"),
        "source": "psytar",
    })


NHS_SENTIMENT = {1: "positive", 2: "positive", 3: "neutral", 4: "negative", 5: "negative"}


def normalised(texts: pd.Series) -> pd.Series:
    """Lower-cased, single-spaced text: the key for de-duplicating across splits."""
    return texts.astype("string").fillna("").str.split().str.join(" ").str.lower()


def load_nhs_fft(root: Path | None = None) -> pd.DataFrame:
    """NHS Friends and Family Test answers, with question, sentiment and theme columns.

    Split by row with a fixed seed; a train row whose text also occurs in the test part
    is dropped (de-duplicated across splits), so the test part is text training never saw.
    """
    root = root or data_dir()
    raw = pd.read_csv(root / "nhs_fft" / "nhft_comments.csv")
    rng = np.random.default_rng(SEED)
    is_test = rng.random(len(raw)) < TEST_FRACTION
    text = normalised(raw["FFT answer"])
    leaked = ~is_test & text.isin(set(text[is_test])).to_numpy()
    raw, is_test = raw[~leaked], is_test[~leaked]
    out = pd.DataFrame({
        "text": raw["FFT answer"].astype("string"),
        "question": raw["FFT question"].astype("string"),
        "sentiment": raw["Comment sentiment"].map(NHS_SENTIMENT).astype("string"),
        "outcome": pd.Series(pd.NA, index=raw.index, dtype="string"),
        "sentiment_code": raw["Comment sentiment"],
        "split": np.where(is_test, "test", "train"),
        "source": "nhs_fft",
    })
    theme_columns = list(raw.columns[raw.columns.get_loc("Not assigned"):])
    return pd.concat([out, raw[theme_columns].fillna(0).astype(int)], axis=1)


#: Phase 1 gives no question text; ``shared/data/README.md`` says what each question reads like.
PHASE1_QUESTIONS = {"Trust A - Q1": "What could be improved?", "Trust B - Q1": "What could be improved?",
                    "Trust C - Q2": "What could be improved?", "Trust A - Q2": "What was good?",
                    "Trust C - Q1": "What was good?"}
#: The phase-1 trust held out whole: never trained on, scored once for the test set.
PHASE1_TEST_TRUST = "Trust A"


def load_phase1(root: Path | None = None) -> pd.DataFrame:
    """Phase-1 answers of three more trusts; Trust A is the test part, B and C train.

    ``sentiment`` from ``criticality`` (below 0 negative, above 0 positive; 0 means not
    scored and stray codes are dropped: NA). Answers that also occur in ``nhft_comments.csv``
    are dropped, so the NHFT test part stays unseen.
    """
    root = root or data_dir()
    raw = pd.read_csv(root / "nhs_fft" / "phase1_text_data.csv")
    nhft = pd.read_csv(root / "nhs_fft" / "nhft_comments.csv")
    raw = raw[~normalised(raw["feedback"]).isin(set(normalised(nhft["FFT answer"])))]
    score = pd.to_numeric(raw["criticality"], errors="coerce")
    sentiment = np.where(score < 0, "negative", np.where(score > 0, "positive", None))
    return pd.DataFrame({
        "text": raw["feedback"].astype("string"),
        "question": raw["question"].map(PHASE1_QUESTIONS).astype("string"),
        "sentiment": pd.Series(sentiment, index=raw.index, dtype="string"),
        "outcome": pd.Series(pd.NA, index=raw.index, dtype="string"),
        "trust": raw["organization"],
        "subcategory": raw["subcategory"],
        "split": np.where(raw["organization"] == PHASE1_TEST_TRUST, "test", "train"),
        "source": "nhs_fft",
    })
