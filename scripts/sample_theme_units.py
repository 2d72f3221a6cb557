"""Draw the units to label for the team-written themes (train parts only).

    python scripts/sample_theme_units.py --work cache/theme_annotation

Per theme, 24 units from the train parts: the 12 most similar to the theme's definition
(description and examples), 8 drawn from ranks 13-300 (near misses and less obvious
mentions) and 4 drawn at random, so the labels hold clear mentions, hard negatives and
ordinary text. Writes ``units.csv`` (keys only: theme, file, row, field, sentence_index,
pool) into ``models/labels/`` as ``theme_units.csv`` and the annotation slices (with
text, for the annotators only) into ``--work``, which is git-ignored.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sample_units import answer_units, candidate_units  # same folder

from voicelens.backends.minilm import MiniLMEncoder
from voicelens.train.corpora import SEED, load_nhs_fft
from voicelens.train.embedding_cache import EmbeddingCache
from voicelens.train.theme_pairs import LABELS_DIR, theme_files

ROOT = Path(__file__).resolve().parents[1]
PLAN = {"similar": (0, 12, 12), "near": (12, 300, 8), "random": (300, None, 4)}


def pool() -> pd.DataFrame:
    rng = np.random.default_rng(SEED + 7)
    nhft = load_nhs_fft()
    nhft = nhft[nhft["split"] == "train"]
    both = [candidate_units("train"), answer_units("nhs_fft/nhft_comments.csv", nhft.index, nhft["text"],
                                                   "FFT answer", rng)]
    return pd.concat(both, ignore_index=True).drop_duplicates("text").reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default=str(ROOT / "cache" / "theme_annotation"))
    parser.add_argument("--slices", type=int, default=2)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(SEED + 8)
    units = pool()
    cache = EmbeddingCache(ROOT / "cache" / "embeddings", MiniLMEncoder())
    emb = cache.embed(units["text"].tolist())
    themes = theme_files("team")
    picks = []
    for t in themes:
        texts = [t.description, *t.positive_examples, *t.negative_examples]
        centre = cache.embed(texts, show_progress_bar=False).mean(axis=0)
        order = np.argsort(-(emb @ centre))
        for name, (start, stop, n) in PLAN.items():
            ranked = order[start:stop]
            chosen = ranked[:n] if name == "similar" else rng.choice(ranked, size=n, replace=False)
            picks.append(units.iloc[chosen].assign(theme=t.name, pool=name))
    pairs = pd.concat(picks, ignore_index=True).drop_duplicates(["theme", "text"])
    pairs = pairs.sample(frac=1.0, random_state=SEED).reset_index(drop=True)
    pairs.insert(0, "pair", [f"P{i:05d}" for i in range(len(pairs))])
    pairs["split"] = "train"
    keys = ["pair", "theme", "split", "file", "row", "field", "sentence_index", "pool"]
    pairs[keys].to_csv(LABELS_DIR / "theme_units.csv", index=False)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    names = themes.names
    for s in range(args.slices):
        mine = set(names[s::args.slices])
        part = pairs[pairs["theme"].isin(mine)].sort_values(["theme", "pair"])
        part[["pair", "theme", "text"]].to_csv(work / f"slice{s}.tsv", sep="\t", index=False)
        with open(work / f"slice{s}_themes.yaml", "w", encoding="utf-8") as f:
            import yaml
            yaml.safe_dump({"themes": [t.to_dict() for t in themes if t.name in mine]}, f, sort_keys=False,
                           allow_unicode=True, width=120)
        print(f"slice {s}: {len(mine)} themes, {len(part)} pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
