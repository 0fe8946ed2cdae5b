"""Measure classifier settings on a real AIHUB file: held-out dialogues, several seeds, mean ± sd.

    python scripts/measure_defaults.py --data ../shared/data/aihub_old_release_validation.xlsx \
        --seeds 0 1 2 --config default --config 'text=turns,vocab=auto' --out /tmp/measure.jsonl

Each seed holds out 20% of the dialogues (stratified by label) as a test set that training never sees; the
pipeline then splits the rest by dialogue for validation and early stopping, exactly as `python -m core train`
does. The test set is scored three ways: the first sentence (사람문장1), every human turn joined, and per
dialogue from its single turns (mean log-probability over the turns). The linear baseline is scored the same.
`--test OTHER_FILE` also scores both on every dialogue of another file (turns joined): transfer to a new source.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.classifier.baseline import train_baseline  # noqa: E402
from core.classifier.pipeline import train_classifier  # noqa: E402
from core.config import DataConfig, ModelConfig, TokenizerConfig, TrainConfig  # noqa: E402
from core.corpus.data import Corpus, build_dataset, dialogue_texts, load_corpora, load_corpus  # noqa: E402
from core.corpus.split import stratified_split  # noqa: E402

KEYS = {  # short name → (config, field, type)
    "text": ("data", "text", str), "vocab": ("tok", "vocab_size", None), "sampling": ("tok", "sampling", float),
    "epochs": ("train", "epochs", int), "lr": ("train", "lr", float), "batch": ("train", "batch_size", int),
    "schedule": ("train", "schedule", str), "patience": ("train", "patience", int), "wd": ("train", "weight_decay", float),
    "val": ("train", "val_share", float), "dropout": ("model", "dropout", float), "emb": ("model", "emb_dim", int),
    "hidden": ("model", "hidden_dim", int), "pooling": ("model", "pooling", str), "layers": ("model", "num_layers", int),
    "att": ("model", "attention_dim", int), "edrop": ("model", "embedding_dropout", float),
    "pretrain": ("train", "pretrain_epochs", int), "plr": ("train", "pretrain_lr", float),
    "aux": ("train", "aux_weight", float), "mixup": ("train", "mixup", float), "avg": ("train", "average_epochs", int),
    "turns": ("train", "turn_examples", int), "smooth": ("train", "label_smoothing", float),
}


def parse(spec: str) -> dict:
    configs = {"data": DataConfig(), "tok": TokenizerConfig(), "train": TrainConfig(num_threads=1), "model": ModelConfig()}
    if spec == "default":
        return configs
    for item in spec.split(","):
        key, value = item.split("=")
        which, field, kind = KEYS[key]
        value = (value if value == "auto" else int(value)) if kind is None else kind(value)
        configs[which] = replace(configs[which], **{field: value})
    return configs


def subset(corpus: Corpus, rows: list[int]) -> Corpus:
    return replace(corpus, frame=corpus.frame.iloc[rows].reset_index(drop=True), rows_read=len(rows))


def score(predicted: list[int], gold: list[int]) -> tuple[float, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return float(accuracy_score(gold, predicted)), float(f1_score(gold, predicted, average="macro"))


def dialogue_scores(log_probs: np.ndarray, groups: list[int], labels: list[int]) -> tuple[float, float]:
    """Per dialogue: argmax of the mean log-probability over its turns."""
    sums: dict[int, np.ndarray] = {}
    gold: dict[int, int] = {}
    for row, group, label in zip(log_probs, groups, labels):
        sums[group] = sums.get(group, 0) + row
        gold[group] = label
    keys = sorted(sums)
    return score([int(np.argmax(sums[k])) for k in keys], [gold[k] for k in keys])


def model_log_probs(classifier, texts: list[str]) -> np.ndarray:
    predictions = classifier.predict(texts)
    return np.log(np.array([[p.probabilities[n] for n in classifier.label_names] for p in predictions]) + 1e-9)


def run_one(corpus: Corpus, spec: str, seed: int, transfer: Corpus | None = None) -> dict:
    configs = parse(spec)
    labels = build_dataset(corpus, DataConfig(text="all")).labels  # one per dialogue row (no duplicates in "all")
    train_rows, test_rows = stratified_split(labels, 0.2, seed)
    train_corpus, test_corpus = subset(corpus, train_rows), subset(corpus, test_rows)
    dataset = build_dataset(train_corpus, configs["data"])
    train_config = replace(configs["train"], seed=seed)
    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = train_classifier(dataset, configs["model"], train_config, tokenizer_config=configs["tok"],
                               unlabelled=dialogue_texts(train_corpus))  # turns and replies, for pretraining
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    pretrained = outcome.prepared.pretrained
    classifier = outcome.classifier
    names = classifier.label_names
    row = {"config": spec, "seed": seed, "seconds": round(seconds, 1), "vocab": classifier.tokenizer.vocab_size,
           "best_epoch": outcome.fit.best_epoch, "epochs_run": len(outcome.fit.epochs),
           "averaged_epochs": outcome.fit.averaged_epochs,
           "val_acc": classifier.metrics.get("val_accuracy"), "cpu_seconds": round(cpu_seconds, 1),
           "pretrain_seconds": round(pretrained.fit.elapsed_s, 1) if pretrained else 0.0,
           "pretrain_loss": round(pretrained.fit.epochs[-1].train_loss, 3) if pretrained and pretrained.fit.epochs else None}
    baseline = train_baseline(dataset.texts, dataset.labels, dataset.label_names, seed)
    for unit in ("first", "all"):
        test = build_dataset(test_corpus, DataConfig(text=unit))
        gold = [names.index(test.label_names[i]) for i in test.labels]
        row[f"{unit}_acc"], row[f"{unit}_f1"] = score([int(np.argmax(r)) for r in model_log_probs(classifier, test.texts)], gold)
        row[f"svm_{unit}_acc"], _ = score([names.index(dataset.label_names[i]) for i in baseline.predict(test.texts)], gold)
    turns = build_dataset(test_corpus, DataConfig(text="turns"))
    gold = [names.index(turns.label_names[i]) for i in turns.labels]
    row["dialog_acc"], row["dialog_f1"] = dialogue_scores(model_log_probs(classifier, turns.texts), turns.groups, gold)
    if transfer is not None:
        row |= transfer_scores(classifier, baseline, dataset.label_names, transfer)
    return row


def transfer_scores(classifier, baseline, baseline_names: list[str], corpus: Corpus) -> dict:
    """Model and baseline on every dialogue of another file (`--test`): accuracy and macro-F1, all turns joined."""
    names = classifier.label_names
    test = build_dataset(corpus, DataConfig(text="all"))
    gold = [names.index(test.label_names[i]) for i in test.labels]
    model_acc, model_f1 = score([int(np.argmax(r)) for r in model_log_probs(classifier, test.texts)], gold)
    svm_acc, svm_f1 = score([names.index(baseline_names[i]) for i in baseline.predict(test.texts)], gold)
    return {"test_file": corpus.source_name, "test_rows": len(gold), "test_acc": model_acc, "test_f1": model_f1,
            "svm_test_acc": svm_acc, "svm_test_f1": svm_f1}


def summarise(rows: list[dict]) -> None:
    by_config: dict[str, list[dict]] = {}
    for row in rows:
        by_config.setdefault(row["config"], []).append(row)
    columns = ["first_acc", "first_f1", "all_acc", "all_f1", "dialog_acc", "svm_first_acc", "svm_all_acc",
               "test_acc", "test_f1", "svm_test_acc", "cpu_seconds", "seconds"]
    columns = [c for c in columns if all(c in r for r in rows)]
    print("| config | n | " + " | ".join(columns) + " |")
    for spec, group in by_config.items():
        cells = []
        for column in columns:
            values = [r[column] for r in group]
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            seconds = column.endswith("seconds")
            cells.append(f"{statistics.mean(values):.0f}" if seconds else f"{statistics.mean(values):.3f} ± {sd:.3f}")
        print(f"| {spec} | {len(group)} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, action="append", help="a real file; more than once: joined")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--config", action="append", default=[], help=f"'default' or key=value,... (keys: {', '.join(KEYS)})")
    parser.add_argument("--out", help="append one JSON line per run here (and summarise the file)")
    parser.add_argument("--summary", action="store_true", help="only summarise --out")
    parser.add_argument("--test", help="also score model and baseline on every dialogue of this other file (transfer)")
    args = parser.parse_args()
    try:  # lowest priority across sessions (autogroup scheduling ignores plain nice between sessions)
        open("/proc/self/autogroup", "w").write("19")
    except OSError:
        pass
    torch.set_num_threads(1)
    rows = []
    if args.out and Path(args.out).exists():
        rows = [json.loads(line) for line in Path(args.out).read_text().splitlines() if line.strip()]
    if not args.summary:
        corpus = load_corpus(args.data[0]) if len(args.data) == 1 else load_corpora(args.data)
        transfer = load_corpus(args.test) if args.test else None
        for spec in args.config or ["default"]:
            for seed in args.seeds:
                row = run_one(corpus, spec, seed, transfer)
                rows.append(row)
                print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
                if args.out:
                    with open(args.out, "a") as handle:
                        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    summarise(rows)


if __name__ == "__main__":
    main()
