"""`python -m core ...`: the app's headless twin (train, evaluate, predict, bench, seq2seq, explain, curve)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.cli.common import (
    ProgressBar,
    add_classifier_args,
    add_data_arg,
    add_training_args,
    check_output_dir,
    data_path,
    read_dataset,
    train_configs,
)
from core.cli.curve import add_parser as add_curve
from core.cli.explain import add_parser as add_explain
from core.cli.seq2seq import add_parser as add_seq2seq
from core.cli.workspaces import add_parser as add_workspaces
from core.config import POOLINGS, TASKS, TEXT_MODES, DataConfig, ModelConfig, TokenizerConfig, TrainConfig
from core.errors import AttentionLabError


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    _set_threads(args.threads)
    try:
        return args.func(args)
    except AttentionLabError as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)  # one line, whatever the message holds
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core",
                                     description="Attention Lab: Korean emotion classifier with attention.")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (default 1: on a busy 2-core machine 2 threads ran many times slower)")
    commands = parser.add_subparsers(metavar="COMMAND")
    _add_train(commands)
    _add_evaluate(commands)
    _add_predict(commands)
    _add_bench(commands)
    add_seq2seq(commands)
    add_explain(commands)
    add_curve(commands)
    add_workspaces(commands)
    return parser


def _add_train(commands) -> None:
    p = commands.add_parser("train", help="train a classifier and save a bundle (.zip)")
    add_data_arg(p, "AIHUB .xlsx/.csv/.json (default: the bundled sample corpus)")
    p.add_argument("--task", choices=TASKS, default=DataConfig.task)
    p.add_argument("--text", choices=TEXT_MODES, default=DataConfig.text)
    p.add_argument("--pooling", choices=POOLINGS, default=ModelConfig.pooling)
    add_training_args(p, TrainConfig(), ModelConfig.emb_dim, ModelConfig.hidden_dim, TokenizerConfig.vocab_size)
    add_classifier_args(p)
    p.add_argument("--out", required=True, help="where to write MODEL.zip")
    p.set_defaults(func=_train)


def _add_evaluate(commands) -> None:
    p = commands.add_parser("evaluate", help="score a bundle on a labelled file")
    p.add_argument("--model", required=True)
    add_data_arg(p, "a labelled AIHUB file", required=True)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_evaluate)


def _add_predict(commands) -> None:
    p = commands.add_parser("predict", help="label sentences and show their attention")
    p.add_argument("--model", required=True)
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.add_argument("sentences", nargs="+")
    p.set_defaults(func=_predict)


def _add_bench(commands) -> None:
    p = commands.add_parser("bench", help="time this training loop against the notebook-style reference")
    p.add_argument("--json", action="store_true")
    p.add_argument("--data", help="corpus to time on (default: the bundled sample); one file: its load is timed too")
    p.add_argument("--quick", action="store_true", help="fewer batches (for tests)")
    p.set_defaults(func=_bench)


def _train(args) -> int:
    from core.classifier.pipeline import train_classifier

    check_output_dir(args.out)
    data_config, model_config, train_config, tokenizer_config = train_configs(args)
    name, dataset = read_dataset(args.data, data_config)
    report = dataset.report
    print(f"{name}: {report.rows_used} sentences, {len(dataset.label_names)} classes "
          f"(dropped {report.dropped_empty_text} empty, {report.dropped_missing_label} unlabelled, "
          f"{report.duplicates_removed} duplicates)", file=sys.stderr)
    pretraining = ProgressBar(label="pretraining ")
    outcome = train_classifier(dataset, model_config, train_config, tokenizer_config=tokenizer_config,
                               callback=ProgressBar(), pretrain_callback=lambda event: pretraining(event.event))
    if outcome.prepared.pretrain_skipped(train_config):
        print(f"pretraining skipped: {outcome.prepared.training_dialogues():,} training dialogues, fewer than "
              f"{train_config.pretrain_min_dialogues:,}", file=sys.stderr)
    outcome.classifier.save(args.out)
    metrics = outcome.classifier.metrics
    nan = float("nan")
    kept = (f"mean of the last {metrics['averaged_epochs']} epochs" if metrics.get("averaged_epochs")
            else f"best epoch {metrics.get('best_epoch')}")
    print(f"saved {args.out}: {kept}, val accuracy {metrics.get('val_accuracy', nan):.4f}, "
          f"macro-F1 {metrics.get('val_macro_f1', nan):.4f}", file=sys.stderr)
    if "baseline_accuracy" in metrics:
        print(f"baseline (char n-grams + linear SVM, same split): val accuracy {metrics['baseline_accuracy']:.4f}, "
              f"macro-F1 {metrics['baseline_macro_f1']:.4f}", file=sys.stderr)
    return 0


def _evaluate(args) -> int:
    from core.classifier.evaluate import evaluate_dataset
    from core.classifier.task import load_classifier

    classifier = load_classifier(Path(args.model), name=Path(args.model).name)
    _, dataset = read_dataset(args.data, classifier.data_config)
    report = evaluate_dataset(classifier, dataset)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
        return 0
    print(f"n={report.n}  accuracy={report.accuracy:.4f}  macro-F1={report.macro_f1:.4f}")
    if report.baseline:
        print(f"baseline (char n-grams + linear SVM, same rows): accuracy={report.baseline['accuracy']:.4f}  "
              f"macro-F1={report.baseline['macro_f1']:.4f}")
    for row in report.per_class:
        print(f"  {row['label']:<12} P={row['precision']:.3f} R={row['recall']:.3f} F1={row['f1']:.3f} n={row['support']}")
    if report.skipped_unknown_labels:
        print(f"skipped rows with labels the model does not know: {report.skipped_unknown_labels}")
    return 0


def _predict(args) -> int:
    from core.classifier.task import load_classifier
    from core.corpus.tokenizer import display_piece

    classifier = load_classifier(Path(args.model), name=Path(args.model).name)
    predictions = classifier.predict(args.sentences)
    if args.json:
        print(json.dumps([p.to_json() for p in predictions], ensure_ascii=False))
        return 0
    for p in predictions:
        confidence = p.probabilities[p.label]
        weighted = " ".join(f"{display_piece(t)}({w:.2f})" for t, w in zip(p.tokens, p.attention))
        print(f"{p.label} {confidence:.2f}  {p.text}\n    {weighted}")
    return 0


def _bench(args) -> int:
    from core.cli.bench import format_report, run_bench

    report = run_bench(data_path(args.data), quick=args.quick, log=lambda line: print(line, file=sys.stderr))
    print(json.dumps(report, ensure_ascii=False) if args.json else format_report(report))
    return 0


def _set_threads(threads: int) -> None:
    if threads < 1:
        raise SystemExit("error: --threads must be at least 1")
    import torch

    torch.set_num_threads(threads)
