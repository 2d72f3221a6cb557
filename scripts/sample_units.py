"""Sample the units to label (train and test parts) and write the annotators' slices.

Keys go to ``models/labels/units.csv`` (no text); the slices with text go to
``cache/annotation/`` (git-ignored) for the annotators. Deterministic (fixed seed).

    python scripts/sample_units.py --slices 4              # round 1: keyword pools + random
    python scripts/sample_units.py --extend --slices 4     # round 2: rare stances, enriched

Round 2 adds units where round 1 found few (hope, positive daily function): a logistic
head on frozen all-MiniLM-L6-v2 embeddings, fitted on round-1 train labels, ranks the
unlabelled units of each part and the top ones per rare class are labelled like the rest
(the labels are the annotators', the model only chooses what to read).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from voicelens.train.corpora import SEED, data_dir, load_nhs_fft, load_phase1, load_psytar
from voicelens.train.units import DRUGLIB_FIELDS, WHOLE, field_sentences, read_source

ROOT = Path(__file__).resolve().parents[1]
POOLS = {
    "pain": r"\b(pain\w*|ache[sd]?|aching|headaches?|migraines?|sore\w*|cramp\w*|hurt\w*|arthritis|neuropath\w*|fibro\w*)\b",
    "function": r"\b(work\w*|job|sleep\w*|slept|insomnia|walk\w*|driv\w*|function\w*|daily|bed|tired|fatigue|energy|"
                r"exercis\w*|housework|chores|concentrat\w*|able to|can'?t|cannot|normal life|school|kids|children)\b",
    "hope": r"\b(hope\w*|future|optimis\w*|look(?:ing)? forward|life back|myself again|give up|gave up|suicid\w*|despair|"
            r"point|light at the end|new person|worth living|motivat\w*|outlook|positive|better place)\b",
}
NHS_OUTCOME = r"\b(life|hope\w*|future|pain|sleep\w*|work|confiden\w*|recover\w*|cop(?:e|ing)|back to|better|improv\w*|well)\b"
NHS_OUTCOME_CODES = {"Made A Difference To My Life", "Emotional care", "Physical care", "Activities", "Therapies"}
MAX_ANSWER_CHARS = 400
SEED_LABELS = "labels/druglib_pain_sentences.jsonl"


def druglib_units(file: str) -> pd.DataFrame:
    raw = read_source(file)
    rows = []
    for r, record in raw.iterrows():
        for field in DRUGLIB_FIELDS:
            for s, sentence in enumerate(field_sentences(record[field])):
                if len(sentence.split()) >= 3:
                    rows.append((file, r, field, s, sentence))
    return pd.DataFrame(rows, columns=["file", "row", "field", "sentence_index", "text"])


def answer_units(file: str, rows: pd.Index, texts: pd.Series, field: str, rng) -> pd.DataFrame:
    """Whole answers; a random sentence of an answer longer than MAX_ANSWER_CHARS."""
    out = []
    for r, text in zip(rows, texts):
        if not isinstance(text, str) or not text.strip():
            continue
        text = " ".join(text.split())
        if len(text) <= MAX_ANSWER_CHARS:
            out.append((file, int(r), field, WHOLE, text))
        else:
            sentences = field_sentences(text)
            s = int(rng.integers(len(sentences)))
            out.append((file, int(r), field, s, sentences[s]))
    return pd.DataFrame(out, columns=["file", "row", "field", "sentence_index", "text"])


def take(frame: pd.DataFrame, plan: dict[str, int], pattern_of: dict[str, str], rng, taken: set) -> list[pd.DataFrame]:
    """Draw ``plan[pool]`` units matching each pool's pattern (``random``: any), without repeats."""
    picks = []
    for pool, n in plan.items():
        free = frame[~frame["text"].str.lower().isin(taken)]
        if pool != "random":
            free = free[free["text"].str.contains(pattern_of[pool], case=False, regex=True)]
        free = free.drop_duplicates("text")
        chosen = free.sample(n=min(n, len(free)), random_state=int(rng.integers(1 << 31)))
        taken.update(chosen["text"].str.lower())
        picks.append(chosen.assign(pool=pool))
    return picks


EXTEND_PLAN = {"train": {("hope", "negative"): 400, ("hope", "positive"): 300, ("daily_function", "positive"): 300,
                         ("pain_reduction", "positive"): 100, ("daily_function", "negative"): 100},
               "test": {("hope", "negative"): 100, ("hope", "positive"): 80, ("daily_function", "positive"): 60,
                        ("pain_reduction", "positive"): 30, ("pain_reduction", "negative"): 30}}


def candidate_units(split: str) -> pd.DataFrame:
    """Every unit of a split's parts (the same parts round 1 drew from)."""
    rng = np.random.default_rng(SEED + 1)
    if split == "train":
        parts = [druglib_units("druglib/drugLibTrain_raw.tsv")]
    else:
        parts = [druglib_units("druglib/drugLibTest_raw.tsv")]
    psy = read_source("psytar/psytar_sentences.csv")
    test_comments = set(load_psytar().query("split == 'test'")["comment_id"])
    effexor = psy["drug_id"].str.startswith("effexor")
    usable = psy["sentence"].notna() & (psy["sentence"].astype(str).str.split().str.len() >= 3)
    rows = psy.index[usable & (effexor if split == "test" else ~effexor & ~psy["comment_id"].isin(test_comments))]
    parts.append(answer_units("psytar/psytar_sentences.csv", rows, psy.loc[rows, "sentence"], "sentence", rng))
    ph = load_phase1()
    ph = ph[ph["split"] == split]
    parts.append(answer_units("nhs_fft/phase1_text_data.csv", ph.index, ph["text"], "feedback", rng))
    return pd.concat(parts, ignore_index=True).drop_duplicates("text")


def extend(args) -> None:
    from voicelens.backends.minilm import MiniLMEncoder
    from voicelens.heads import fit_linear_head
    from voicelens.train.units import attach_text

    units = pd.read_csv(args.out)
    labels = pd.read_csv(ROOT / "models" / "labels" / "outcome_labels.csv")
    train = attach_text(labels[labels["split"] == "train"])
    encoder = MiniLMEncoder(top_layers=None)
    x = encoder.encode(train["text"].tolist())
    taken = set(attach_text(units)["text"].str.lower())
    seed = [json.loads(line) for line in (data_dir() / SEED_LABELS).read_text(encoding="utf-8").splitlines()]
    taken |= {s["sentence"].lower() for s in seed}
    picks = []
    for split, plan in EXTEND_PLAN.items():
        cands = candidate_units(split)
        cands = cands[~cands["text"].str.lower().isin(taken)].reset_index(drop=True)
        cx = encoder.encode(cands["text"].tolist())
        chosen = np.zeros(len(cands), bool)
        for (theme, stance), n in plan.items():
            y = np.where(train[theme].to_numpy(object) == stance, "yes", "no")
            head = fit_linear_head(x, y, ["no", "yes"], l2=1e-3)
            p = head.predict_proba(cx)[:, 1]
            p[chosen] = -1
            top = np.argsort(-p)[:n]
            chosen[top] = True
            picks.append(cands.iloc[top].assign(pool=f"r2_{theme}_{stance}", split=split))
    new = pd.concat(picks, ignore_index=True)
    new = new.sample(frac=1.0, random_state=SEED + 2).reset_index(drop=True)
    start = len(units)
    new["unit"] = [f"U{start + i:05d}" for i in range(len(new))]
    new["slice"] = np.arange(len(new)) % args.slices
    new[["unit", "split", "file", "row", "field", "sentence_index", "pool", "slice"]].to_csv(
        args.out, mode="a", header=False, index=False)
    write_slices(new, args.work, args.slices, prefix="r2_slice")
    print(new.groupby(["split", "pool"]).size())


def write_slices(units: pd.DataFrame, work: Path, slices: int, prefix: str = "slice") -> None:
    from voicelens.train.units import attach_text

    work.mkdir(parents=True, exist_ok=True)
    text = attach_text(units)
    for k in range(slices):
        part = text[units["slice"].to_numpy() == k]
        with open(work / f"{prefix}{k}.tsv", "w", encoding="utf-8") as f:
            f.write("id\tquestion\ttext\n")
            for _, u in part.iterrows():
                q = u["question"] if isinstance(u["question"], str) else ""
                f.write(f"{u['unit']}\t{q}\t{u['text'].replace(chr(9), ' ')}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=4)
    parser.add_argument("--extend", action="store_true", help="round 2: enriched for rare stances")
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "labels" / "units.csv")
    parser.add_argument("--work", type=Path, default=ROOT / "cache" / "annotation")
    args = parser.parse_args()
    if args.extend:
        extend(args)
        return
    rng = np.random.default_rng(SEED)
    taken: set[str] = set()

    seed = [json.loads(line) for line in (data_dir() / SEED_LABELS).read_text(encoding="utf-8").splitlines()]
    seed_keys = {(s["row"], s["field"], s["sentence_index"]) for s in seed}

    # Druglib: the authors' train file / test file.
    dl_train = druglib_units("druglib/drugLibTrain_raw.tsv")
    dl_train = dl_train[[k not in seed_keys for k in zip(dl_train["row"], dl_train["field"], dl_train["sentence_index"])]]
    dl_test = druglib_units("druglib/drugLibTest_raw.tsv")

    # PsyTAR: Effexor XR held out whole for the test set; other drugs' train comments for training.
    psy_raw = read_source("psytar/psytar_sentences.csv")
    psy_split = load_psytar()
    test_comments = set(psy_split.loc[psy_split["split"] == "test", "comment_id"])
    effexor = psy_raw["drug_id"].str.startswith("effexor")
    usable = psy_raw["sentence"].notna() & (psy_raw["sentence"].astype(str).str.split().str.len() >= 3)
    psy_train_rows = psy_raw.index[usable & ~effexor & ~psy_raw["comment_id"].isin(test_comments)]
    psy_test_rows = psy_raw.index[usable & effexor]
    psy_train = answer_units("psytar/psytar_sentences.csv", psy_train_rows, psy_raw.loc[psy_train_rows, "sentence"], "sentence", rng)
    psy_test = answer_units("psytar/psytar_sentences.csv", psy_test_rows, psy_raw.loc[psy_test_rows, "sentence"], "sentence", rng)

    # NHFT: the fixed row split, test texts removed from train; phase 1: Trust A held out whole.
    nhft_raw = read_source("nhs_fft/nhft_comments.csv")
    nhft_split = load_nhs_fft()["split"].reindex(nhft_raw.index, fill_value="train")  # dropped rows: train copies of test text
    norm = nhft_raw["FFT answer"].astype(str).str.split().str.join(" ").str.lower()
    test_texts = set(norm[nhft_split == "test"])
    nhft_train_rows = nhft_raw.index[(nhft_split == "train") & ~norm.isin(test_texts)]
    nhft_test_rows = nhft_raw.index[nhft_split == "test"]
    nhft_train = answer_units("nhs_fft/nhft_comments.csv", nhft_train_rows, nhft_raw.loc[nhft_train_rows, "FFT answer"], "FFT answer", rng)
    nhft_test = answer_units("nhs_fft/nhft_comments.csv", nhft_test_rows, nhft_raw.loc[nhft_test_rows, "FFT answer"], "FFT answer", rng)
    ph = read_source("nhs_fft/phase1_text_data.csv")
    ph_norm = ph["feedback"].astype(str).str.split().str.join(" ").str.lower()
    in_nhft = ph_norm.isin(set(norm))
    ph_train_rows = ph.index[(ph["organization"] != "Trust A") & ~in_nhft]
    ph_test_rows = ph.index[(ph["organization"] == "Trust A") & ~in_nhft]
    ph_train = answer_units("nhs_fft/phase1_text_data.csv", ph_train_rows, ph.loc[ph_train_rows, "feedback"], "feedback", rng)
    ph_test = answer_units("nhs_fft/phase1_text_data.csv", ph_test_rows, ph.loc[ph_test_rows, "feedback"], "feedback", rng)
    for frame in (ph_train, ph_test):
        frame["code"] = ph.loc[frame["row"], "subcategory"].to_numpy()

    nhs_patterns = {"outcome": NHS_OUTCOME}
    picks = []
    # test parts first, so a text drawn for the test set is never drawn for training
    for split, frame, plan, patterns in [
        ("test", dl_test, {"pain": 80, "function": 80, "hope": 70, "random": 70}, POOLS),
        ("test", psy_test, {"pain": 40, "function": 50, "hope": 60, "random": 50}, POOLS),
        ("test", nhft_test, {"outcome": 50, "random": 100}, nhs_patterns),
        ("test", ph_test, {"outcome": 80, "random": 170}, nhs_patterns),
        ("train", dl_train, {"pain": 500, "function": 500, "hope": 450, "random": 450}, POOLS),
        ("train", psy_train, {"pain": 200, "function": 350, "hope": 450, "random": 200}, POOLS),
        ("train", nhft_train, {"outcome": 250, "random": 450}, nhs_patterns),
        ("train", ph_train, {"outcome": 500, "random": 1100}, nhs_patterns),
    ]:
        if "code" in frame:  # phase 1: the coded "outcome" sub-themes count as outcome pool too
            frame = frame.assign(text=frame["text"])
            coded = frame[frame["code"].isin(NHS_OUTCOME_CODES)]
            extra = coded[~coded["text"].str.lower().isin(taken)].drop_duplicates("text")
            extra = extra.sample(n=min(len(extra), plan["outcome"] // 3), random_state=int(rng.integers(1 << 31)))
            taken.update(extra["text"].str.lower())
            picks.append(extra.assign(pool="outcome_code", split=split))
            plan = {**plan, "outcome": plan["outcome"] - len(extra)}
        picks += [p.assign(split=split) for p in take(frame, plan, patterns, rng, taken)]
    units = pd.concat(picks, ignore_index=True)
    units = units.sample(frac=1.0, random_state=SEED).reset_index(drop=True)
    units["unit"] = [f"U{i:05d}" for i in range(len(units))]
    units["slice"] = np.arange(len(units)) % args.slices

    args.out.parent.mkdir(parents=True, exist_ok=True)
    units[["unit", "split", "file", "row", "field", "sentence_index", "pool", "slice"]].to_csv(args.out, index=False)
    write_slices(units, args.work, args.slices)
    print(units.groupby(["split", "file"]).size())
    print(units.groupby(["split", "pool"]).size())


if __name__ == "__main__":
    main()
