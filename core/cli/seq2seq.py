"""`python -m core seq2seq train|generate|evaluate`: the reply generator from the command line."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

from core.cli.common import (
    ProgressBar,
    add_data_arg,
    add_training_args,
    check_output_dir,
    loop_settings,
    read_corpus,
    vocab_setting,
)
from core.config import TokenizerConfig
from core.errors import AttentionLabError
from core.seq2seq.data import TURNS, PairConfig
from core.seq2seq.decode import DecodeConfig
from core.seq2seq.model import RNNS, Seq2SeqConfig
from core.seq2seq.pipeline import DEFAULT_VOCAB
from core.seq2seq.train import Seq2SeqTrainConfig


def add_parser(subparsers) -> None:
    """Register `seq2seq` with its sub-commands `train` and `generate` on the main CLI."""
    parser = subparsers.add_parser("seq2seq", help="reply generation: encoder-decoder with Bahdanau attention")
    commands = parser.add_subparsers(metavar="SUBCOMMAND")
    parser.set_defaults(func=lambda _: _help(parser))
    _add_train(commands)
    _add_generate(commands)
    _add_evaluate(commands)


def _add_train(commands) -> None:
    p = commands.add_parser("train", help="train a reply generator on 사람문장k → 시스템응답k and save a bundle")
    add_data_arg(p, "AIHUB .xlsx/.csv with replies (default: the bundled sample corpus)")
    p.add_argument("--turns", choices=TURNS, default=PairConfig.turns, help="turn 1 only, or every non-empty turn")
    p.add_argument("--max-pairs", type=int, default=PairConfig.max_pairs, metavar="N",
                   help="at most N pairs, whole dialogues drawn at random (default 0: every pair)")
    add_training_args(p, Seq2SeqTrainConfig(), Seq2SeqConfig.emb_dim, Seq2SeqConfig.hidden_dim, DEFAULT_VOCAB)
    p.add_argument("--teacher-forcing", type=float, default=Seq2SeqTrainConfig.teacher_forcing)
    p.add_argument("--rnn", choices=RNNS, default="lstm")
    p.add_argument("--beam", type=int, default=1, help="beam size for the examples printed at the end")
    p.add_argument("--out", required=True, help="where to write S2S.zip")
    p.set_defaults(func=_train)


def _add_generate(commands) -> None:
    p = commands.add_parser("generate", help="generate replies and their attention matrices")
    p.add_argument("--model", required=True, help="a bundle written by `seq2seq train`")
    p.add_argument("--beam", type=int, default=1, help="beam size (1 = greedy)")
    p.add_argument("--max-len", type=int, default=None, help="most tokens per reply")
    p.add_argument("--length-penalty", type=float, default=DecodeConfig.length_penalty, help="GNMT alpha")
    p.add_argument("--mbr", type=int, default=0, metavar="N", help="choose among the greedy reply and N samples by "
                   "minimum Bayes risk (mean chrF against the others); 0 = off")
    p.add_argument("--no-stutter-guard", action="store_true",
                   help="let a piece repeat the pieces just before it back to back (barred by default)")
    p.add_argument("--json", action="store_true", help="print a JSON list: reply, source_tokens, target_tokens, attention")
    p.add_argument("sentences", nargs="+")
    p.set_defaults(func=_generate)


def _add_evaluate(commands) -> None:
    p = commands.add_parser("evaluate", help="score a reply generator on every pair of a file, beside its retrieval reference")
    p.add_argument("--model", required=True, help="a bundle written by `seq2seq train`")
    add_data_arg(p, "AIHUB .xlsx/.csv with replies: every pair in it is scored", required=True)
    p.add_argument("--turns", choices=TURNS, help="which pairs (default: the bundle's own setting)")
    p.add_argument("--limit", type=int, default=None, help="score only the first N pairs")
    p.add_argument("--beam", type=int, default=1, help="beam size (1 = greedy)")
    p.add_argument("--mbr", type=int, default=0, metavar="N", help="minimum-Bayes-risk choice among greedy + N samples")
    p.add_argument("--no-stutter-guard", action="store_true",
                   help="let a piece repeat the pieces just before it back to back (barred by default)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=_evaluate)


def _train(args) -> int:
    from core.seq2seq.data import build_pairs
    from core.seq2seq.pipeline import train_seq2seq

    settings = _check_train_args(args)
    pair_config = PairConfig(turns=args.turns, max_pairs=args.max_pairs)
    pairs = build_pairs(read_corpus(args.data, pair_config.max_chars), pair_config)
    report = pairs.report
    print(f"{len(pairs)} pairs from {report.rows_read} dialogues (turns={args.turns}; dropped "
          f"{report.dropped_incomplete} incomplete, {report.duplicates_removed} duplicates)", file=sys.stderr)
    model_config = Seq2SeqConfig(emb_dim=args.emb_dim, hidden_dim=args.hidden_dim, rnn=args.rnn)
    train_config = Seq2SeqTrainConfig(**settings, teacher_forcing=args.teacher_forcing)
    outcome = train_seq2seq(pairs, model_config, train_config, TokenizerConfig(vocab_size=vocab_setting(args.vocab_size)),
                            callback=ProgressBar("perplexity"))
    outcome.generator.save(args.out)
    m = outcome.generator.metrics
    print(f"saved {args.out}: best epoch {m['best_epoch']}, val loss {m['val_loss']:.3f}, perplexity "
          f"{m['val_perplexity']:.2f}, chrF {m['val_chrf']:.1f} (retrieval {m['retrieval_chrf']:.1f}), "
          f"distinct replies {m['val_distinct']:.0%}, stutter {m['val_stutter']:.1%} (retrieval "
          f"{m['retrieval_stutter']:.1%}), {m['sentences_per_s']:.0f} sentences/s", file=sys.stderr)
    decode = outcome.generator.decode_config(args.beam)
    for example in outcome.report.examples[:3]:
        reply = outcome.generator.reply_texts([example.source], decode)[0]
        print(f"  {example.source}\n    reference: {example.reference}\n    generated: {reply}\n"
              f"    retrieved: {example.retrieved}", file=sys.stderr)
    return 0


def _generate(args) -> int:
    from core.seq2seq.bundle import load_generator

    if args.beam < 1 or (args.max_len is not None and args.max_len < 1) or args.mbr < 0:
        raise AttentionLabError("--beam and --max-len must be at least 1, --mbr at least 0.")
    generator = load_generator(Path(args.model), name=Path(args.model).name)
    decode = DecodeConfig(beam_size=args.beam, length_penalty=args.length_penalty, samples=args.mbr,
                          block_stutter=not args.no_stutter_guard,
                          max_len=args.max_len or generator.decode_config().max_len)
    replies = generator.generate(args.sentences, decode)
    if args.json:
        print(json.dumps([r.to_json() for r in replies], ensure_ascii=False))
        return 0
    for r in replies:
        print(f"{r.source}\n  → {r.reply}   (log P {r.log_prob:.2f}{', stutters' if r.stutters else ''})")
    return 0


def _evaluate(args) -> int:
    from core.seq2seq.bundle import load_generator
    from core.seq2seq.data import build_pairs
    from core.seq2seq.pipeline import evaluate_generator

    if args.beam < 1 or (args.limit is not None and args.limit < 1) or args.mbr < 0:
        raise AttentionLabError("--beam and --limit must be at least 1, --mbr at least 0.")
    generator = load_generator(Path(args.model), name=Path(args.model).name)
    pair_config = replace(generator.pair_config, turns=args.turns or generator.pair_config.turns)
    pairs = build_pairs(read_corpus(args.data, pair_config.max_chars), pair_config)
    sources, references = pairs.sources[:args.limit], pairs.targets[:args.limit]
    decode = replace(generator.decode_config(args.beam, args.mbr), block_stutter=not args.no_stutter_guard)
    report = evaluate_generator(generator, sources, references, decode)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
        return 0
    print(f"{report.n} pairs: chrF {report.chrf:.2f} (retrieval {report.retrieval_chrf:.2f}), distinct replies "
          f"{report.distinct:.0%}, stutter {report.stutter:.1%} (retrieval {report.retrieval_stutter:.1%}), "
          f"loss {report.loss:.3f}, perplexity {report.perplexity:.1f}")
    return 0


def _check_train_args(args) -> dict:
    if args.beam < 1:
        raise AttentionLabError("--beam must be at least 1.")
    if not 0.0 <= args.teacher_forcing <= 1.0:
        raise AttentionLabError("--teacher-forcing is a ratio between 0 and 1.")
    if args.max_pairs < 0:
        raise AttentionLabError("--max-pairs must be 0 (every pair) or more.")
    check_output_dir(args.out)
    return loop_settings(args)


def _help(parser) -> int:
    parser.print_help(sys.stderr)
    return 2
