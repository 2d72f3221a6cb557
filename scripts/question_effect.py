"""What a question does to an answer's sentiment, measured on trusts and wordings never trained on.

    python scripts/question_effect.py             # leave-one-trust-out on the train parts
    python scripts/question_effect.py --test      # + Trust A (test part) with the shipped analyzer, once

For each survey trust of the train parts (NHFT, phase-1 Trust B and Trust C), a sentiment
head is fitted on everything else (the other trusts, Druglib reviews, the labelled units of
other sources) and scored on that trust's answers, read with:
- the question the trust asked (as the corpora give it);
- a wording of the same question type that no training row used (``questions.HELD_OUT``);
- an open question ("Why did you give this answer?"), which says nothing about polarity.
Scores: positive/negative macro-F1 as the answers come and with balanced classes, and
the mixed/neutral class's F1 apart (only NHFT codes it).
Three ways of training are compared: the two wordings of the corpora ("two wordings"), and
each question replaced by random wordings of its type, with some reviews given an open
question ("many wordings": ``questions.vary_questions``), and the latter without any
survey trust's answers (reviews and labelled units only: what the other trusts add). Writes
``models/heads/question_effect.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from voicelens.backends.embedded import sentiment_features
from voicelens.backends.minilm import MiniLMEncoder
from voicelens.evaluation import f1_scores
from voicelens.heads import fit_linear_head
from voicelens.labels import SENTIMENT_LABELS
from voicelens.train.corpora import SEED, load_druglib, load_nhs_fft, load_phase1
from voicelens.train.embedding_cache import EmbeddingCache
from voicelens.train.features import embed_responses
from voicelens.train.questions import HELD_OUT, question_type, vary_questions
from voicelens.train.theme_pairs import NHFT_GROUP, OUTCOME_LABELS, _keys, _unit_answers
from voicelens.train.train_heads import CONFIG, _question_embeddings, _source_weights

ROOT = Path(__file__).resolve().parents[1]
TRUSTS = (NHFT_GROUP, "Trust B", "Trust C")
COPIES = 2  # wordings drawn per answer in "many wordings"


def sentiment_rows() -> pd.DataFrame:
    """Every sentiment-labelled train answer: text, question, sentiment, group, source."""
    nhft = load_nhs_fft().query("split == 'train'")
    phase1 = load_phase1().query("split == 'train'")
    drug = load_druglib().query("split == 'train'")
    units = _keys(pd.read_csv(OUTCOME_LABELS, dtype="string")).query("split == 'train'")
    answers = _unit_answers(units, "unit")
    frames = [
        nhft.assign(group=NHFT_GROUP, source="survey"),
        phase1.assign(group=phase1["trust"], source="survey"),
        drug.assign(group="druglib", source="druglib"),
        answers.assign(sentiment=units["sentiment"].to_numpy(), source="units"),
    ]
    cols = ["text", "question", "sentiment", "group", "source"]
    out = pd.concat([f[cols] for f in frames], ignore_index=True)
    out = out[out["sentiment"].isin(SENTIMENT_LABELS) & out["text"].notna()]
    return out[out["text"].astype(str).str.strip() != ""].reset_index(drop=True)


def polar_macro_f1(truth: np.ndarray, pred: np.ndarray, balanced: bool = False) -> float:
    """Macro-F1 over positive and negative on the answers coded either (a "neutral"
    prediction counts as a miss). ``balanced``: both classes given the same total weight,
    so a trust whose question draws 95% praise is comparable with one that draws 50%."""
    classes = ["negative", "positive"]
    weight = np.zeros(len(truth))
    for c in classes:
        weight[truth == c] = 1.0 / max(int((truth == c).sum()), 1) if balanced else 1.0
    scores = []
    for c in classes:
        tp = weight[(truth == c) & (pred == c)].sum()
        fp = weight[(truth != c) & (pred == c)].sum()
        fn = weight[(truth == c) & (pred != c)].sum()
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return float(np.mean(scores))


def macro(truth, pred) -> dict[str, float]:
    """Macro-F1 on the answers as they come and with balanced classes, over positive and
    negative; the mixed/neutral class's own F1 apart (phase-1 criticality has no such class)."""
    truth, pred = np.asarray(truth, object), np.asarray(pred, object)
    out = {"macro_f1": round(polar_macro_f1(truth, pred), 4),
           "balanced_macro_f1": round(polar_macro_f1(truth, pred, balanced=True), 4)}
    if (truth == "neutral").any():
        out["neutral_f1"] = round(f1_scores(list(truth), list(pred), list(SENTIMENT_LABELS))["neutral"], 4)
    return out


def readings(questions: pd.Series) -> dict[str, pd.Series]:
    """The same answers read with their own question, an unseen wording of it, an open one."""
    kinds = [question_type(q) for q in questions]
    unseen = [HELD_OUT[k][i % 2] if k else None for i, k in enumerate(kinds)]
    return {"own question": questions,
            "unseen wording": pd.Series(unseen, index=questions.index, dtype=object),
            "open question": pd.Series(HELD_OUT["open"][0], index=questions.index, dtype=object)}


def test_trust() -> dict:
    """Phase-1 Trust A, which no training step read, with the shipped analyzer: once, at the end."""
    import voicelens as vl

    frame = load_phase1().query("split == 'test'")
    frame = frame[frame["sentiment"].notna()].reset_index(drop=True)
    analyzer = vl.Analyzer(show_progress_bar=False)
    out: dict = {"answers": len(frame)}
    for reading, questions in readings(frame["question"]).items():
        res = analyzer.analyze(frame.assign(asked=questions), text_column="text", question_column="asked")
        out[f"shipped | {reading}"] = macro(frame["sentiment"].to_numpy(object),
                                            res.responses["sentiment"].astype(object).fillna("none").to_numpy())
    return out


def main() -> int:
    if "--test" in sys.argv:
        path = ROOT / "models" / "heads" / "question_effect.json"
        report = json.loads(path.read_text())
        report["Trust A (test, shipped analyzer)"] = test_trust()
        path.write_text(json.dumps(report, indent=1) + "\n")
        print(json.dumps(report["Trust A (test, shipped analyzer)"], indent=1))
        return 0
    rng = np.random.default_rng(SEED)
    cache = EmbeddingCache(ROOT / "cache" / "embeddings", MiniLMEncoder())
    embed = lambda texts: cache.embed(list(texts), show_progress_bar=False)  # noqa: E731
    rows = sentiment_rows()
    _, resp = embed_responses(rows["text"].astype(str).tolist(), embed)
    y = rows["sentiment"].to_numpy(object)
    dim = resp.shape[1]

    def features(questions: pd.Series, keep: np.ndarray) -> np.ndarray:
        return sentiment_features(resp[keep], _question_embeddings(list(questions[keep]), embed, dim))

    report: dict[str, dict] = {}
    for trust in TRUSTS:
        train = (rows["group"] != trust).to_numpy()
        held = ~train & (rows["source"] == "survey").to_numpy()  # the trust's own answers
        reading_questions = readings(rows["question"])
        x_two = features(rows["question"], train)
        weights = _source_weights(rows["source"].to_numpy()[train])
        x_many = np.concatenate([features(vary_questions(rows["question"], rng), train) for _ in range(COPIES)])
        reviews = train & (rows["source"] != "survey").to_numpy()  # no trust-coded answers
        x_reviews = np.concatenate([features(vary_questions(rows["question"], rng), reviews) for _ in range(COPIES)])
        heads = {
            "two wordings": fit_linear_head(x_two, y[train], list(SENTIMENT_LABELS), l2=CONFIG.sentiment_l2,
                                            sample_weight=weights),
            "many wordings": fit_linear_head(x_many, np.tile(y[train], COPIES), list(SENTIMENT_LABELS),
                                             l2=CONFIG.sentiment_l2, sample_weight=np.tile(weights, COPIES)),
            "many wordings, reviews and units only": fit_linear_head(
                x_reviews, np.tile(y[reviews], COPIES), list(SENTIMENT_LABELS), l2=CONFIG.sentiment_l2,
                sample_weight=np.tile(_source_weights(rows["source"].to_numpy()[reviews]), COPIES)),
        }
        report[trust] = {"answers": int(held.sum())}
        for name, head in heads.items():
            for reading, questions in reading_questions.items():
                pred = head.predict(features(questions, held))
                report[trust][f"{name} | {reading}"] = macro(y[held], pred)
        print(trust, json.dumps(report[trust], indent=1), flush=True)
    (ROOT / "models" / "heads" / "question_effect.json").write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
