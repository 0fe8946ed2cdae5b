"""What every task's command line shares: the training flags, input and output checks, the progress bar."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.config import DataConfig, LoopConfig, ModelConfig, TokenizerConfig, TrainConfig
from core.errors import AttentionLabError
from core.training.loop import perplexity


def add_training_args(parser: argparse.ArgumentParser, loop: LoopConfig, emb_dim: int, hidden_dim: int,
                      vocab_size: int | str) -> None:
    """The flags both `train` commands take, with the task's own defaults."""
    parser.add_argument("--epochs", type=int, default=loop.epochs)
    parser.add_argument("--batch-size", type=int, default=loop.batch_size)
    parser.add_argument("--lr", type=float, default=loop.lr)
    parser.add_argument("--schedule", choices=("constant", "cosine"), default=loop.schedule)
    parser.add_argument("--vocab-size", default=str(vocab_size),
                        help="pieces in the BPE vocabulary, or 'auto' (chosen from the corpus)")
    parser.add_argument("--emb-dim", type=int, default=emb_dim)
    parser.add_argument("--hidden-dim", type=int, default=hidden_dim)
    parser.add_argument("--seed", type=int, default=loop.seed)
    parser.add_argument("--val-share", type=float, default=loop.val_share)
    parser.add_argument("--patience", type=int, default=loop.patience,
                        help="epochs without improvement before stopping (0: never)")


def add_classifier_args(parser: argparse.ArgumentParser) -> None:
    """The classifier's own training flags (train, curve), with core's defaults."""
    parser.add_argument("--pretrain-epochs", type=int, default=TrainConfig.pretrain_epochs,
                        help="epochs of in-corpus language-model pretraining on every turn and reply (0: off)")
    parser.add_argument("--aux-weight", type=float, default=TrainConfig.aux_weight,
                        help="weight of the 감정_소분류 (58 sub-emotions) head's loss (0: no second head)")
    parser.add_argument("--no-turn-examples", dest="turn_examples", action="store_false",
                        help="train on the joined dialogues only, not also on each human turn alone")
    parser.add_argument("--average-epochs", type=int, default=TrainConfig.average_epochs,
                        help="keep the mean of the last this-many epochs' weights when every epoch ran (0: the best epoch)")


def loop_settings(args: argparse.Namespace) -> dict:
    """The LoopConfig fields the shared flags set, checked."""
    if args.epochs < 1 or args.batch_size < 1:
        raise AttentionLabError("--epochs and --batch-size must be at least 1.")
    if not 0.0 <= args.val_share < 1.0:
        raise AttentionLabError("--val-share must be in [0, 1).")
    if args.patience < 0:
        raise AttentionLabError("--patience must be 0 or more.")
    return {"epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr, "schedule": args.schedule,
            "seed": args.seed, "val_share": args.val_share, "patience": args.patience}


def classifier_settings(args: argparse.Namespace) -> dict:
    """The TrainConfig fields the classifier's own flags set, checked."""
    if args.pretrain_epochs < 0 or args.aux_weight < 0 or args.average_epochs < 0:
        raise AttentionLabError("--pretrain-epochs, --aux-weight and --average-epochs must be 0 or more.")
    return {"pretrain_epochs": args.pretrain_epochs, "aux_weight": args.aux_weight, "turn_examples": args.turn_examples,
            "average_epochs": args.average_epochs}


def vocab_setting(value: str) -> int | str:
    """--vocab-size: a whole number, or 'auto'."""
    if value == "auto":
        return value
    try:
        return int(value)
    except ValueError:
        raise AttentionLabError(f"--vocab-size takes a whole number or 'auto', not {value!r}.") from None


def data_path(data: str | None) -> Path:
    """The file given, or the bundled sample corpus."""
    if data:
        return Path(data)
    from core.corpus.sample import SAMPLE_PATH

    return SAMPLE_PATH


def add_data_arg(parser: argparse.ArgumentParser, help: str, required: bool = False) -> None:
    """--data FILE, given once or more: several files are read with their own layouts and joined."""
    parser.add_argument("--data", action="append", required=required, metavar="FILE",
                        help=help + "; give it again to join several files (duplicate dialogues across them dropped)")


def read_corpus(data: list[str] | None, max_chars: int = 1000):
    """The files of --data joined (or the bundled sample), with one line per file on stderr when there are several."""
    from core.corpus.data import load_corpora

    corpus = load_corpora([data_path(d) for d in data or [None]], max_chars)
    for part in corpus.parts:
        print(part_line(part), file=sys.stderr)
    return corpus


def read_dataset(data: list[str] | None, config):
    """(the corpus's name, the dataset for `config`) from the files of --data (a DataConfig)."""
    from core.corpus.data import build_dataset

    corpus = read_corpus(data, config.max_chars)
    return corpus.source_name, build_dataset(corpus, config)


def part_line(part) -> str:
    """One file of a joined corpus (core.corpus.data.PartReport) in one line."""
    return (f"{part.name} ({part.release} release, {part.sheet}): {part.rows_read:,} rows read, {part.rows_kept:,} kept, "
            f"{part.duplicates_dropped:,} already in an earlier file")


def check_output_dir(out: str) -> None:
    parent = Path(out).resolve().parent
    if not parent.is_dir():
        raise AttentionLabError(f"Cannot write {out}: folder {parent} does not exist.")


class ProgressBar:
    """A one-line progress bar on stderr, fed by training events: accuracy, or perplexity for generation."""

    def __init__(self, second: str = "accuracy", width: int = 30, label: str = ""):
        self.second = second
        self.width = width
        self.label = label  # e.g. "pretraining ", before the bar
        self.last_epoch = ""

    def _metrics(self, loss: float, acc: float, prefix: str = "") -> str:
        if self.second == "perplexity":
            return f"{prefix}loss {loss:.3f} {prefix}ppl {perplexity(loss):.1f}"
        return f"{prefix}loss {loss:.3f} {prefix}acc {acc:.3f}"

    def __call__(self, event) -> None:
        if event.kind == "end":
            sys.stderr.write("\n")
            return
        if event.kind == "epoch":
            self.last_epoch = "| " + self._metrics(event.val_loss, event.val_acc, "val ")
        filled = int(self.width * event.progress)
        sys.stderr.write(f"\r{self.label}[{'#' * filled}{'.' * (self.width - filled)}] {event.progress:4.0%} epoch {event.epoch} "
                         f"{self._metrics(event.train_loss, event.train_acc)} {event.sentences_per_s:.0f} sent/s "
                         f"{self.last_epoch}  ")
        sys.stderr.flush()


def train_configs(args) -> tuple[DataConfig, ModelConfig, TrainConfig, TokenizerConfig]:
    """The configs `train` uses: core's defaults with the flags given (the Train page starts from the same)."""
    return (DataConfig(task=args.task, text=args.text),
            ModelConfig(emb_dim=args.emb_dim, hidden_dim=args.hidden_dim, pooling=args.pooling),
            TrainConfig(**loop_settings(args), **classifier_settings(args)),
            TokenizerConfig(vocab_size=vocab_setting(args.vocab_size)))
