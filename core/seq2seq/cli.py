"""`python -m core seq2seq train|generate`: the reply generator from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..cli import ProgressBar
from ..config import TokenizerConfig
from ..errors import AttentionLabError
from .data import TURNS, PairConfig
from .decode import DecodeConfig
from .model import RNNS, Seq2SeqConfig
from .train import Seq2SeqTrainConfig


def add_parser(subparsers) -> None:
    """Register `seq2seq` with its sub-commands `train` and `generate` on the main CLI."""
    parser = subparsers.add_parser("seq2seq", help="reply generation: encoder-decoder with Bahdanau attention")
    commands = parser.add_subparsers(metavar="SUBCOMMAND")
    parser.set_defaults(func=lambda _: _help(parser))
    _add_train(commands)
    _add_generate(commands)


def _add_train(commands) -> None:
    p = commands.add_parser("train", help="train a reply generator on 사람문장k → 시스템응답k and save a bundle")
    p.add_argument("--data", help="AIHUB .xlsx/.csv with replies (default: the bundled sample corpus)")
    p.add_argument("--turns", choices=TURNS, default="first", help="turn 1 only, or every non-empty turn")
    p.add_argument("--epochs", type=int, default=Seq2SeqTrainConfig.epochs)
    p.add_argument("--batch-size", type=int, default=Seq2SeqTrainConfig.batch_size)
    p.add_argument("--lr", type=float, default=Seq2SeqTrainConfig.lr)
    p.add_argument("--teacher-forcing", type=float, default=Seq2SeqTrainConfig.teacher_forcing)
    p.add_argument("--vocab-size", type=int, default=4000)
    p.add_argument("--emb-dim", type=int, default=Seq2SeqConfig.emb_dim)
    p.add_argument("--hidden-dim", type=int, default=Seq2SeqConfig.hidden_dim)
    p.add_argument("--rnn", choices=RNNS, default="lstm")
    p.add_argument("--val-share", type=float, default=Seq2SeqTrainConfig.val_share)
    p.add_argument("--seed", type=int, default=Seq2SeqTrainConfig.seed)
    p.add_argument("--beam", type=int, default=1, help="beam size for the examples printed at the end")
    p.add_argument("--out", required=True, help="where to write S2S.zip")
    p.set_defaults(func=_train)


def _add_generate(commands) -> None:
    p = commands.add_parser("generate", help="generate replies and their attention matrices")
    p.add_argument("--model", required=True, help="a bundle written by `seq2seq train`")
    p.add_argument("--beam", type=int, default=1, help="beam size (1 = greedy)")
    p.add_argument("--max-len", type=int, default=None, help="most tokens per reply")
    p.add_argument("--length-penalty", type=float, default=DecodeConfig.length_penalty, help="GNMT alpha")
    p.add_argument("--json", action="store_true", help="print a JSON list: reply, source_tokens, target_tokens, attention")
    p.add_argument("sentences", nargs="+")
    p.set_defaults(func=_generate)


def _train(args) -> int:
    from .pipeline import load_pairs, train_seq2seq

    _check_train_args(args)
    pairs = load_pairs(args.data, PairConfig(turns=args.turns))
    report = pairs.report
    print(f"{len(pairs)} pairs from {report.rows_read} dialogues (turns={args.turns}; dropped "
          f"{report.dropped_incomplete} incomplete, {report.duplicates_removed} duplicates)", file=sys.stderr)
    model_config = Seq2SeqConfig(emb_dim=args.emb_dim, hidden_dim=args.hidden_dim, rnn=args.rnn)
    train_config = Seq2SeqTrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, seed=args.seed,
                                      teacher_forcing=args.teacher_forcing, val_share=args.val_share)
    outcome = train_seq2seq(pairs, model_config, train_config, TokenizerConfig(vocab_size=args.vocab_size),
                            callback=Progress())
    outcome.generator.save(args.out)
    m = outcome.generator.metrics
    print(f"saved {args.out}: best epoch {m['best_epoch']}, val loss {m['val_loss']:.3f}, perplexity "
          f"{m['val_perplexity']:.2f}, chrF {m['val_chrf']:.1f}, {m['sentences_per_s']:.0f} sentences/s", file=sys.stderr)
    decode = outcome.generator.decode_config(args.beam)
    for example in outcome.report.examples[:3]:
        reply = outcome.generator.reply_texts([example.source], decode)[0]
        print(f"  {example.source}\n    reference: {example.reference}\n    generated: {reply}", file=sys.stderr)
    return 0


def _generate(args) -> int:
    from .bundle import load_generator

    if args.beam < 1 or (args.max_len is not None and args.max_len < 1):
        raise AttentionLabError("--beam and --max-len must be at least 1.")
    generator = load_generator(Path(args.model), name=Path(args.model).name)
    decode = DecodeConfig(beam_size=args.beam, length_penalty=args.length_penalty,
                          max_len=args.max_len or generator.decode_config().max_len)
    replies = generator.generate(args.sentences, decode)
    if args.json:
        print(json.dumps([r.to_json() for r in replies], ensure_ascii=False))
        return 0
    for r in replies:
        print(f"{r.source}\n  → {r.reply}   (log P {r.log_prob:.2f})")
    return 0


def _check_train_args(args) -> None:
    if args.epochs < 1 or args.batch_size < 1 or args.beam < 1:
        raise AttentionLabError("--epochs, --batch-size and --beam must be at least 1.")
    if not 0.0 <= args.teacher_forcing <= 1.0:
        raise AttentionLabError("--teacher-forcing is a ratio between 0 and 1.")
    if not 0.0 <= args.val_share < 1.0:
        raise AttentionLabError("--val-share must be in [0, 1).")
    parent = Path(args.out).resolve().parent
    if not parent.is_dir():
        raise AttentionLabError(f"Cannot write {args.out}: folder {parent} does not exist.")


def _help(parser) -> int:
    parser.print_help(sys.stderr)
    return 2


class Progress(ProgressBar):
    """The progress bar with perplexity instead of accuracy."""

    def train_metrics(self, event) -> str:
        return f"loss {event.train_loss:.3f} ppl {event.train_perplexity:.1f}"

    def val_metrics(self, event) -> str:
        return f"| val loss {event.val_loss:.3f} ppl {event.val_perplexity:.1f}"
