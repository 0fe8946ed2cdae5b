"""`python -m core curve`: how much data does the model need? The model and the n-gram baseline on growing shares of
the training dialogues, scored on the same validation rows."""

from __future__ import annotations

import json
import sys

from core.cli.common import (
    ProgressBar,
    add_classifier_args,
    add_data_arg,
    add_training_args,
    read_dataset,
    train_configs,
)
from core.config import POOLINGS, TASKS, TEXT_MODES, DataConfig, ModelConfig, TokenizerConfig, TrainConfig
from core.errors import AttentionLabError


def add_parser(subparsers) -> None:
    from core.classifier.curve import FRACTIONS

    p = subparsers.add_parser("curve", help="learning curve: model and baseline on 10/25/50/100%% of the training data")
    add_data_arg(p, "AIHUB .xlsx/.csv/.json (default: the bundled sample corpus)")
    p.add_argument("--fractions", type=float, nargs="+", default=list(FRACTIONS), metavar="F",
                   help="shares of the training dialogues, each in (0, 1]")
    p.add_argument("--task", choices=TASKS, default=DataConfig.task)
    p.add_argument("--text", choices=TEXT_MODES, default=DataConfig.text)
    p.add_argument("--pooling", choices=POOLINGS, default=ModelConfig.pooling)
    add_training_args(p, TrainConfig(), ModelConfig.emb_dim, ModelConfig.hidden_dim, TokenizerConfig.vocab_size)
    add_classifier_args(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args) -> int:
    from core.classifier.curve import learning_curve

    if not all(0 < f <= 1 for f in args.fractions):
        raise AttentionLabError("--fractions must each lie in (0, 1].")
    data_config, model_config, train_config, tokenizer_config = train_configs(args)
    name, dataset = read_dataset(args.data, data_config)
    print(f"{name}: {dataset.report.rows_used} sentences, {len(dataset.label_names)} classes", file=sys.stderr)
    result = learning_curve(dataset, model_config, train_config, tokenizer_config, args.fractions,
                            callback=_Progress())
    print(json.dumps(result.to_json(), ensure_ascii=False) if args.json else format_curve(result))
    return 0


def format_curve(result) -> str:
    lines = [f"{'share':>6} {'dialogues':>10} {'rows':>8} {'model acc':>10} {'baseline acc':>13}"]
    for p in result.points:
        baseline = "—" if p.baseline_accuracy is None else f"{p.baseline_accuracy:.4f}"
        lines.append(f"{p.fraction:>6.0%} {p.dialogues:>10,} {p.train_rows:>8,} {p.model_accuracy:>10.4f} {baseline:>13}")
    lines.append(f"validation rows: {len(result.val_index):,}" + (" (stopped early)" if result.stopped else ""))
    lines.append(result.reading().english())
    return "\n".join(lines)


class _Progress:
    """The training progress bar, with a line naming each point as it starts."""

    def __init__(self):
        self.bar, self.index = ProgressBar(), None

    def __call__(self, event) -> None:
        if event.index != self.index:
            self.index = event.index
            print(f"[{event.index + 1}/{event.count}] {event.fraction:.0%} of the training dialogues "
                  f"({event.train_rows:,} rows)", file=sys.stderr)
        self.bar(event.event)
