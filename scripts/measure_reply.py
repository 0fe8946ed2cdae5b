"""Measure reply-generator settings on a real AIHUB file: held-out dialogues, several seeds, mean ± sd.

    python scripts/measure_reply.py --data ../shared/data/aihub_old_release_validation.xlsx \
        --seeds 0 1 2 --config default --config 'turns=first' --out /tmp/reply.jsonl [--keep /tmp/bundles]

Each run trains through `train_seq2seq` (pairs split by dialogue; the validation dialogues are never trained on)
and reports greedy chrF, the retrieval reference's chrF on the same pairs, the share of distinct replies over
the first 200 validation sentences, the share of replies that stutter (metrics.stutters; the pipeline's, over the
same pairs as chrF), and seconds. --decode re-scores kept bundles with decoding settings.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.config import TokenizerConfig  # noqa: E402
from core.seq2seq.data import PairConfig, split_by_dialogue  # noqa: E402
from core.seq2seq.decode import DecodeConfig  # noqa: E402
from core.seq2seq.metrics import corpus_chrf, stutter_rate  # noqa: E402
from core.seq2seq.model import Seq2SeqConfig  # noqa: E402
from core.seq2seq.pipeline import DEFAULT_VOCAB, load_pairs, train_seq2seq  # noqa: E402
from core.seq2seq.train import Seq2SeqTrainConfig  # noqa: E402

KEYS = {  # short name → (config, field, type)
    "turns": ("pairs", "turns", str), "vocab": ("tok", "vocab_size", int), "epochs": ("train", "epochs", int),
    "lr": ("train", "lr", float), "batch": ("train", "batch_size", int), "tf": ("train", "teacher_forcing", float),
    "ls": ("train", "label_smoothing", float), "covloss": ("train", "coverage_loss", float),
    "schedule": ("train", "schedule", str),
    "hidden": ("model", "hidden_dim", int), "decoder": ("model", "decoder_dim", int), "emb": ("model", "emb_dim", int),
    "dropout": ("model", "dropout", float), "rnn": ("model", "rnn", str),
    "copy": ("model", "copy", lambda v: v == "1"), "coverage": ("model", "coverage", lambda v: v == "1"),
}
DISTINCT_OVER = 200


def parse(spec: str) -> dict:
    configs = {"pairs": PairConfig(), "tok": TokenizerConfig(vocab_size=DEFAULT_VOCAB),
               "train": Seq2SeqTrainConfig(num_threads=1, report_every=10_000), "model": Seq2SeqConfig()}
    for item in ([] if spec == "default" else spec.split(",")):
        key, value = item.split("=")
        which, name, kind = KEYS[key]
        configs[which] = replace(configs[which], **{name: kind(value)})
    return configs


def run_one(data: str, spec: str, seed: int, keep: Path | None) -> dict:
    configs = parse(spec)
    pairs = load_pairs(data, configs["pairs"])
    started = time.perf_counter()
    outcome = train_seq2seq(pairs, configs["model"], replace(configs["train"], seed=seed), configs["tok"])
    seconds = time.perf_counter() - started
    generator, metrics = outcome.generator, outcome.generator.metrics
    if keep:
        generator.save(keep / f"{spec.replace('=', '-').replace(',', '_')}_{seed}.zip")
    _, val = split_by_dialogue(pairs, configs["train"].val_share, seed)
    sources = [pairs.sources[i] for i in val[:DISTINCT_OVER]]
    return {"config": spec, "seed": seed, "seconds": round(seconds, 1), "best_epoch": metrics["best_epoch"],
            "chrf": metrics["val_chrf"], "retrieval_chrf": metrics["retrieval_chrf"],
            "stutter": metrics["val_stutter"], "retrieval_stutter": metrics["retrieval_stutter"],
            "distinct": _distinct(generator.reply_texts(sources)), "perplexity": metrics["val_perplexity"],
            "train_pairs": metrics["train_pairs"], "sentences_per_s": metrics["sentences_per_s"]}


def decode_one(data: str, bundle: Path, decode: str, seed: int, limit: int) -> dict:
    """Re-score a kept bundle on its own validation pairs with decoding settings 'beam=4,lp=1,norepeat=3,stutter=0'
    or 'mbr=16' (stutter=0: without the stutter guard)."""
    from core.seq2seq.bundle import load_generator

    generator = load_generator(bundle)
    settings = dict(item.split("=") for item in decode.split(",")) if decode != "greedy" else {}
    config = DecodeConfig(beam_size=int(settings.get("beam", 1)), length_penalty=float(settings.get("lp", 1.0)),
                          no_repeat_ngram=int(settings.get("norepeat", DecodeConfig.no_repeat_ngram)),
                          samples=int(settings.get("mbr", 0)), block_stutter=settings.get("stutter", "1") == "1",
                          max_len=generator.decode_config().max_len)
    pairs = load_pairs(data, generator.pair_config)
    _, val = split_by_dialogue(pairs, generator.train_config.val_share, seed)
    sources, references = [pairs.sources[i] for i in val[:limit]], [pairs.targets[i] for i in val[:limit]]
    started = time.perf_counter()
    replies = generator.reply_texts(sources, config)
    retrieved = generator.retrieval.reply(sources)
    return {"config": f"{bundle.stem} {decode}", "seed": seed, "seconds": round(time.perf_counter() - started, 1),
            "chrf": corpus_chrf(replies, references), "retrieval_chrf": corpus_chrf(retrieved, references),
            "stutter": stutter_rate(replies), "retrieval_stutter": stutter_rate(retrieved),
            "distinct": _distinct(replies[:DISTINCT_OVER]), "mean_chars": statistics.fmean(len(r) for r in replies)}


def _distinct(replies: list[str]) -> float:
    return len(set(replies)) / max(1, len(replies))


def summarise(rows: list[dict]) -> None:
    by_config: dict[str, list[dict]] = {}
    for row in rows:
        by_config.setdefault(row["config"], []).append(row)
    columns = ["chrf", "retrieval_chrf", "distinct", "stutter", "seconds"]
    print("| config | n | " + " | ".join(columns) + " |")
    for spec, group in by_config.items():
        cells = []
        for column in columns:
            values = [r.get(column, float("nan")) for r in group]
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            cells.append(f"{statistics.mean(values):.0f}" if column == "seconds" else f"{statistics.mean(values):.2f} ± {sd:.2f}")
        print(f"| {spec} | {len(group)} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--config", action="append", default=[],
                        help=f"'default' or key=value,... (keys: {', '.join(KEYS)})")
    parser.add_argument("--decode", action="append", default=[],
                        help="with --bundle: 'greedy' or beam=K,lp=A,norepeat=N,mbr=S,stutter=0|1")
    parser.add_argument("--bundle", type=Path, action="append", default=[], help="a bundle kept by --keep (its seed: --seeds)")
    parser.add_argument("--limit", type=int, default=500, help="validation pairs decoded per --decode setting")
    parser.add_argument("--keep", type=Path, help="save each run's bundle in this folder")
    parser.add_argument("--out", help="append one JSON line per run here (and summarise the file)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)  # before hours of training, not after
    rows = [json.loads(line) for line in Path(args.out).read_text().splitlines() if line.strip()] \
        if args.out and Path(args.out).exists() else []
    jobs = [(lambda b=b, d=d, s=s: decode_one(args.data, b, d, s, args.limit))
            for b, s in zip(args.bundle, args.seeds) for d in args.decode] or \
           [(lambda c=c, s=s: run_one(args.data, c, s, args.keep)) for c in args.config or ["default"] for s in args.seeds]
    for job in jobs:
        rows.append(job())
        print(json.dumps(rows[-1], ensure_ascii=False), file=sys.stderr)
        if args.out:
            with open(args.out, "a") as handle:
                handle.write(json.dumps(rows[-1], ensure_ascii=False) + "\n")
    summarise(rows)


if __name__ == "__main__":
    main()
