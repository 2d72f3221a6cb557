"""Train the embedded backend's heads and write them to ``models/heads``.

Data (``shared/data``, train parts only, see its README): Druglib train reviews,
PsyTAR train sentences, NHS FFT train rows, plus the *tune* part of the dev set
``tests/data/dev_testimonials.jsonl``. Test parts are never read here.

    python -m voicelens.train.train_heads --out models/heads            # full (~3 min)
    python -m voicelens.train.train_heads --out /tmp/heads --limit 200  # quick check
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..backends.embedded import EmbeddedHeads, sentiment_features
from ..backends.theme_features import ThemePrototypes
from ..heads import LinearHead, fit_linear_head, fit_temperature
from ..themes import ThemeSet
from .corpora import SEED, held_for_calibration, load_druglib, load_nhs_fft, load_psytar
from .embedding_cache import EmbeddingCache
from .features import embed_responses, theme_pair_features
from .model_card import write_model_card

DEV_FILE = Path(__file__).resolve().parents[3] / "tests" / "data" / "dev_testimonials.jsonl"
DEFAULT_THEMES = ("pain_reduction", "daily_function", "hope")
LABELS_FILE = Path(__file__).resolve().parents[3] / "models" / "labels" / "outcome_labels.csv"
SOURCE_WEIGHT = {"druglib": 1.0, "nhs_fft": 1.0, "psytar": 0.5, "dev": 1.0, "units": 2.0}


@dataclass(frozen=True)
class HeadsConfig:
    """Every setting of a heads training run; written into ``training_report.json``."""

    seed: int = SEED
    sentiment_l2: float = 1e-3
    outcome_l2: float = 1e-3
    combiner_l2: float = 1e-4  # the zero-shot mention/stance combiners
    reader_l2: float = 1e-3  # the default themes' trained readers
    pack_adapter_strength: float = 1e-4  # chosen by cross-validation on train parts (scripts/tune_adapters.py)
    source_weight: tuple[tuple[str, float], ...] = tuple(SOURCE_WEIGHT.items())


CONFIG = HeadsConfig()


def load_dev(path: Path = DEV_FILE, split: str = "tune") -> pd.DataFrame:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    frame = pd.DataFrame(rows)
    return frame[frame["split"] == split].reset_index(drop=True)


def _source_weights(sources: np.ndarray) -> np.ndarray:
    """Each source gets the same total weight (times SOURCE_WEIGHT)."""
    weights = np.ones(len(sources))
    for src in np.unique(sources):
        mask = sources == src
        weights[mask] = dict(CONFIG.source_weight).get(src, 1.0) * len(sources) / mask.sum()
    return weights


def best_f1_threshold(proba: np.ndarray, truth: np.ndarray, groups: np.ndarray) -> float:
    """Decision threshold maximising the mean F1 over ``groups`` (sources)."""
    best, best_f1 = 0.5, -1.0
    for t in np.linspace(0.05, 0.7, 66):
        f1s = []
        for g in np.unique(groups):
            m = groups == g
            pred = proba[m] >= t
            tp = (pred & truth[m]).sum()
            f1s.append(2 * tp / max(pred.sum() + truth[m].sum(), 1))
        if np.mean(f1s) > best_f1:
            best, best_f1 = float(t), float(np.mean(f1s))
    return best


def calibration_mask(texts) -> np.ndarray:
    """Rows whose text is :func:`held_for_calibration` (unseen by the encoder fine-tuning)."""
    return np.array([held_for_calibration(t) for t in texts], dtype=bool)


def fit_calibrated(x, y, classes, weights, l2, calib: np.ndarray, rng,
                   balanced: bool = True) -> tuple[LinearHead, dict]:
    """Fit on the rows outside ``calib``, choose the temperature on ``calib``; report ECE there.

    A quick retrain on a few rows may hold too few for calibration; then a random
    15% is used instead.
    """
    y = np.asarray(y, dtype=object)
    if calib.sum() < 10 or (~calib).sum() < 10:
        calib = rng.random(len(y)) < 0.15
    head = fit_linear_head(x[~calib], y[~calib], classes, l2=l2, sample_weight=weights[~calib],
                           balanced=balanced)
    head.temperature = fit_temperature(head, x[calib], list(y[calib]))
    proba = head.predict_proba(x[calib])
    pred = np.array(classes)[proba.argmax(1)]
    return head, {"calibration_ece": expected_calibration_error(proba, list(y[calib]), classes),
                  "calibration_accuracy": float((pred == y[calib]).mean()),
                  "n_train": int((~calib).sum()), "n_calibration": int(calib.sum()),
                  "temperature": head.temperature}


def expected_calibration_error(proba: np.ndarray, y: list[str], classes: list[str], bins: int = 10) -> float:
    """ECE of the top-class probability (10 equal-width bins)."""
    conf = proba.max(1)
    correct = np.array(classes)[proba.argmax(1)] == np.asarray(y, dtype=object)
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        mask = (conf > lo) & (conf <= hi)
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - conf[mask].mean())
    return float(ece)


def train(out: Path, cache_dir: Path, limit: int | None = None, dev_file: Path = DEV_FILE,
          top_layers: str | Path | None = "shipped", labels_file: Path = LABELS_FILE) -> dict:
    from ..backends.embedded import EmbeddedBackend
    from ..backends.minilm import MiniLMEncoder
    from .theme_readers import fit_theme_readers, labelled_units, seed_pain_units

    rng = np.random.default_rng(SEED)
    encoder = MiniLMEncoder(top_layers=top_layers)
    cache = EmbeddingCache(cache_dir, encoder)
    embed = cache.embed

    def take(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[frame["split"] == "train"]
        return frame.sample(n=min(limit, len(frame)), random_state=SEED) if limit else frame

    drug = take(load_druglib())
    nhs = take(load_nhs_fft())
    nhs = nhs[nhs["text"].notna() & (nhs["text"].str.strip() != "")]
    psy = take(load_psytar())
    dev = load_dev(dev_file)
    units = labelled_units(labels_file)
    if limit:
        units = units.sample(n=min(4 * limit, len(units)), random_state=SEED).reset_index(drop=True)

    # --- sentiment -------------------------------------------------------------
    parts = []
    lab_units = units[units["sentiment"].notna()]
    _, u_emb = embed_responses(lab_units["text"].tolist(), embed)
    u_q = _question_embeddings(lab_units["question"].tolist(), embed, u_emb.shape[1])
    parts.append((u_emb, u_q, lab_units["sentiment"].to_numpy(object), "units"))
    d_sents, d_emb = embed_responses(drug["text"].tolist(), embed)
    parts.append((d_emb, np.zeros_like(d_emb), drug["sentiment"].to_numpy(object), "druglib"))
    lab = nhs[nhs["sentiment"].notna()]
    _, n_emb = embed_responses(lab["text"].tolist(), embed)
    q_emb = _question_embeddings(lab["question"].tolist(), embed, n_emb.shape[1])
    parts.append((n_emb, q_emb, lab["sentiment"].to_numpy(object), "nhs_fft"))
    psy_outcome = psy["outcome"].fillna("").to_numpy(object)
    psy_sent = np.where(psy_outcome == "improved", "positive",
                        np.where((psy_outcome == "not_improved") | (psy["adr"] == 1), "negative", "neutral"))
    p_emb = embed(psy["text"].tolist())
    parts.append((p_emb, np.zeros_like(p_emb), psy_sent.astype(object), "psytar"))
    dev_sents, dev_emb = embed_responses(dev["text"].tolist(), embed)
    dev_q = _question_embeddings(dev["question"].tolist(), embed, dev_emb.shape[1])
    parts.append((dev_emb, dev_q, dev["sentiment"].to_numpy(object), "dev"))
    x = np.concatenate([sentiment_features(e, q) for e, q, _, _ in parts])
    y = np.concatenate([lbl for _, _, lbl, _ in parts])
    src = np.concatenate([[s] * len(lbl) for _, _, lbl, s in parts])
    calib = np.concatenate([lab_units["held"].to_numpy(bool),
                            calibration_mask([*drug["text"], *lab["text"], *psy["text"], *dev["text"]])])
    sentiment, sent_report = fit_calibrated(x, y, ["negative", "neutral", "positive"],
                                            _source_weights(src), CONFIG.sentiment_l2, calib, rng)

    # --- outcome: did the treatment work? ---------------------------------------
    has = psy["outcome"].notna().to_numpy()
    drug_ben = drug[drug["outcome"].notna() & (drug["benefits"].str.strip() != "")]
    _, b_emb = embed_responses(drug_ben["benefits"].tolist(), embed)
    dev_out = dev.apply(_dev_outcome, axis=1)
    keep = dev_out.notna().to_numpy()
    x = np.concatenate([p_emb[has], b_emb, dev_emb[keep]])
    y = np.concatenate([psy["outcome"].to_numpy(object)[has], drug_ben["outcome"].to_numpy(object),
                        dev_out[keep].to_numpy(object)])
    src = np.array(["psytar"] * has.sum() + ["druglib"] * len(b_emb) + ["dev"] * keep.sum())
    calib = calibration_mask([*psy["text"][has], *drug_ben["text"], *dev["text"][keep]])
    outcome, out_report = fit_calibrated(x, y, ["improved", "not_improved"], _source_weights(src), CONFIG.outcome_l2,
                                         calib, rng)

    # --- theme combiners, trained across themes ----------------------------------
    heads = EmbeddedHeads(sentiment, outcome, mention=None, stance=None)  # type: ignore[arg-type]
    m_x, m_y, s_x, s_y, pair_src, m_cal, s_cal = [], [], [], [], [], [], []

    def add_theme(theme, sents, texts, mentioned, stance, source):
        emb = encoder.encode([theme.description, *theme.positive_examples, *theme.negative_examples],
                             show_progress_bar=False)
        n_pos = len(theme.positive_examples)
        proto = ThemePrototypes(emb[0], emb[1 : 1 + n_pos], emb[1 + n_pos :])
        mf, sf, _ = theme_pair_features(sents, proto, heads)
        m_x.append(mf)
        m_y.extend(np.where(mentioned, "yes", "no"))
        pair_src.extend([source] * len(mf))
        held = calibration_mask(texts)
        m_cal.append(held)
        ok = np.isin(stance, ["positive", "negative"])
        s_x.append(sf[ok])
        s_y.extend(stance[ok])
        s_cal.append(held[ok])

    for theme in ThemeSet.default():
        stance = dev[theme.name].to_numpy(object)
        add_theme(theme, dev_sents, dev["text"], stance != "absent", stance, "dev")
    nhs_sents, _ = embed_responses(nhs["text"].tolist(), embed)
    nhs_stance = nhs["sentiment"].map({"positive": "positive", "negative": "negative"}).to_numpy(object)
    for theme in ThemeSet.pack("patient_experience"):
        columns = theme.extra.get("nhs_fft_columns", [])
        mentioned = nhs[columns].sum(axis=1).to_numpy() > 0
        add_theme(theme, nhs_sents, nhs["text"], mentioned, np.where(mentioned, nhs_stance, None), "nhs_fft")
    m_x, s_x, m_cal, s_cal = (np.concatenate(a) for a in (m_x, s_x, m_cal, s_cal))
    pair_src = np.array(pair_src)
    mention, m_report = fit_calibrated(m_x, m_y, ["no", "yes"], _source_weights(pair_src), CONFIG.combiner_l2, m_cal, rng,
                                       balanced=False)
    on = m_cal if m_cal.sum() >= 10 else np.ones(len(m_y), bool)
    m_report["threshold"] = best_f1_threshold(mention.predict_proba(m_x[on])[:, 1], np.array(m_y)[on] == "yes",
                                              pair_src[on])
    stance_head, s_report = fit_calibrated(s_x, s_y, ["negative", "positive"], np.ones(len(s_y)), CONFIG.combiner_l2, s_cal,
                                           rng)

    heads = EmbeddedHeads(sentiment, outcome, mention, stance_head)
    heads, adapted = train_theme_adapters(heads, top_layers, limit)
    backend = EmbeddedBackend(top_layers=top_layers)
    backend.heads = heads
    seed = seed_pain_units()
    readers = fit_theme_readers(backend, heads, units, ThemeSet.default(), l2=CONFIG.reader_l2,
                                extra={"pain_reduction": seed.sample(n=min(len(seed), 4 * (limit or len(seed))),
                                                                     random_state=SEED)})
    report = {"sentiment": sent_report, "outcome": out_report, "mention": m_report, "stance": s_report,
              "theme_readers": readers, "adapters": adapted, "limit": limit, "config": asdict(CONFIG),
              "trained_at": time.strftime("%Y-%m-%d"), "encoder": cache.folder.name}
    for name in ("sentiment", "outcome", "mention", "stance"):
        getattr(heads, name).meta = {"report": report[name], "limit": limit}
    mention.meta["threshold"] = m_report["threshold"]
    heads.save(out)
    (out / "training_report.json").write_text(json.dumps(report, indent=2) + "\n")
    note = "" if report["encoder"] == "base" else \
        f", with voicelens' fine-tuned top layers ({report['encoder']}, see models/encoder/README.md)"
    write_model_card(out, note)
    return report


def train_theme_adapters(heads: EmbeddedHeads, top_layers, limit: int | None):
    """Supervised adapters for the patient-experience pack, on the NHS FFT train part (the
    default themes have trained readers instead: :mod:`voicelens.train.theme_readers`)."""
    from ..text import dedupe_sentences
    from ..backends.embedded import EmbeddedBackend
    from .adapt import adapt_heads
    from .export_labeled import nhs_labeled

    backend = EmbeddedBackend(top_layers=top_layers)
    nhs = nhs_labeled("train")
    if limit:
        nhs = nhs.sample(n=min(limit, len(nhs)), random_state=SEED)
    used = {}
    # Prior strengths chosen by cross-validation within each train part (scripts/tune_adapters.py).
    for frame, themes, strength in ((nhs, ThemeSet.pack("patient_experience"), CONFIG.pack_adapter_strength),):
        questions = [q if isinstance(q, str) and q else None for q in frame["question"]]
        batch = dedupe_sentences(frame["text"].astype(str).tolist(), questions)
        heads, got = adapt_heads(backend, batch, frame[themes.names].reset_index(drop=True), themes,
                                 base=heads, theme_strength=strength)
        used.update(got)
    return heads, used


def _question_embeddings(questions: list, embed, dim: int) -> np.ndarray:
    """Embedding per row of its question; zeros where there is none."""
    unique = sorted({q for q in questions if isinstance(q, str) and q})
    table = dict(zip(unique, embed(unique))) if unique else {}
    return np.stack([table.get(q, np.zeros(dim, np.float32)) if isinstance(q, str) else np.zeros(dim, np.float32)
                     for q in questions])


def _dev_outcome(row: pd.Series) -> str | None:
    stances = {row[t] for t in DEFAULT_THEMES} - {"absent"}
    if stances == {"positive"}:
        return "improved"
    if stances == {"negative"}:
        return "not_improved"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("models/heads"))
    parser.add_argument("--cache", type=Path, default=Path("cache/embeddings"))
    parser.add_argument("--limit", type=int, default=None, help="rows per corpus (quick retrain)")
    parser.add_argument("--dev-file", type=Path, default=DEV_FILE)
    parser.add_argument("--labels", type=Path, default=LABELS_FILE, help="adjudicated unit labels")
    parser.add_argument("--top-layers", default="shipped",
                        help="fine-tuned encoder layers the heads are for: 'shipped', 'none' or a path")
    args = parser.parse_args(argv)
    top = None if args.top_layers == "none" else args.top_layers
    report = train(args.out, args.cache, args.limit, args.dev_file, top, args.labels)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
