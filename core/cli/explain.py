"""`python -m core explain`: does attention explain the prediction? Per sentence, or over a labelled file."""

from __future__ import annotations

import json
import math
import sys
import unicodedata
from pathlib import Path

from core.cli.common import add_data_arg, read_dataset
from core.corpus.tokenizer import display_piece
from core.explain.attribution import METHODS, PAIRS, PUBLISHED_TAU, Explanation, pair_key
from core.explain.summary import SUMMARY_LIMIT, ModelSummary

SHORT = {"attention": "attention", "grad_x_input": "grad×input", "integrated_gradients": "integ.grad",
         "leave_one_out": "leave-1-out", "random": "random"}
AGREEMENT = {"weak": "weakly", "moderate": "moderately", "strong": "strongly", "undefined": "in no measurable way"}
ADVICE = {"hint": "read the heatmap as a hint", "care": "read the heatmap with care",
          "guide": "the heatmap is a fair guide here"}


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("explain", help="attention against gradient, integrated gradients and leave-one-out")
    p.add_argument("--model", required=True, help="a classifier bundle (.zip)")
    add_data_arg(p, "a labelled AIHUB file: print the model-level summary instead")
    p.add_argument("--limit", type=int, default=SUMMARY_LIMIT, help="sentences in the model-level summary")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("sentences", nargs="*")
    p.set_defaults(func=run)


def run(args) -> int:
    from core.classifier.task import load_classifier
    from core.errors import AttentionLabError

    if bool(args.data) == bool(args.sentences):
        raise AttentionLabError("Give sentences to explain, or --data FILE for the model-level summary (not both).")
    classifier = load_classifier(Path(args.model), name=Path(args.model).name)
    if args.data:
        return _summary(classifier, args)
    from core.explain.attribution import explain_batch

    explanations = explain_batch(classifier, args.sentences)
    if args.json:
        print(json.dumps([e.to_json() for e in explanations], ensure_ascii=False))
        return 0
    print("\n\n".join(format_explanation(e) for e in explanations))
    return 0


def _summary(classifier, args) -> int:
    from core.explain.summary import summarize
    from core.runtime import configure_compute_process

    configure_compute_process()  # large integrated-gradients batches: reuse the heap, as a job's worker does

    _, dataset = read_dataset(args.data, classifier.data_config)
    labels = [dataset.label_names[y] for y in dataset.labels]
    summary = summarize(classifier, dataset.texts, labels, limit=args.limit, progress=_progress)
    sys.stderr.write("\n")
    print(json.dumps(summary.to_json(), ensure_ascii=False) if args.json else format_summary(summary))
    return 0


def _progress(fraction: float) -> None:
    sys.stderr.write(f"\rexplaining… {fraction:4.0%}")
    sys.stderr.flush()


def verdict_line(e: Explanation) -> str:
    v = e.verdict
    tau = "—" if math.isnan(v.tau) else f"{v.tau:.2f}"
    moves = "changes the output" if v.sensitive else "barely changes the output"
    return (f"Attention agrees {AGREEMENT[v.agreement]} with leave-one-out (τ = {tau}) and permuting it {moves} "
            f"(median |Δp| = {v.delta:.3f}): {ADVICE[v.advice]}.")


def format_explanation(e: Explanation) -> str:
    pieces = [display_piece(t) for t in e.tokens]
    width = max(7, *(_cells(p) + 1 for p in pieces))
    header = "".join(" " * (width - _cells(p)) + p for p in pieces)
    lines = [f"{e.label} {e.probability:.2f}  {e.text}", " " * 12 + header]
    for method in METHODS:
        lines.append(f"{SHORT[method]:<12}" + "".join(f"{v:>{width}.3f}" for v in e.scores[method]))
    lines.append(f"Kendall τ (top-{e.top_k} overlap) [published BiLSTM range]:")
    for a, b in PAIRS:
        low_high = PUBLISHED_TAU.get((a, b))
        published = f"  [{low_high[0]:.2f}–{low_high[1]:.2f}]" if low_high else ""
        key = pair_key(a, b)
        lines.append(f"  {SHORT[a]:>11} ~ {SHORT[b]:<11} {e.kendall_tau[key]:6.2f} ({e.top_k_overlap[key]:.2f}){published}")
    lines.append("AOPC  " + "  ".join(f"{SHORT[m]}: comp {e.comprehensiveness[m]:.3f} suff {e.sufficiency[m]:.3f}"
                                      for m in e.comprehensiveness))
    lines.append(f"permuted α: median |Δp| {e.permutation_median_delta:.3f}; uniform α: Δp {e.uniform_delta:+.3f}; "
                 f"top weight zeroed: Δp {e.top_zeroed_delta:+.3f}, label {'flips' if e.top_zeroed_flips else 'stays'}")
    lines.append(verdict_line(e))
    return "\n".join(lines)


def _cells(text: str) -> int:
    """Terminal columns: Hangul syllables are two wide."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_summary(s: ModelSummary) -> str:
    lines = [f"{s.n} sentences ({s.pooling} pooling), {s.seconds:.1f} s"]
    lines += [f"mean τ(attention, {SHORT[m]}) = {tau:.3f}" for m, tau in s.mean_tau.items()]
    lines += [f"AOPC {SHORT[m]:<11} comprehensiveness {s.comprehensiveness[m]:.3f}  sufficiency {s.sufficiency[m]:.3f}"
              for m in s.comprehensiveness]
    lines.append(f"permuted α: mean median |Δp| {s.permutation_median_delta:.3f}; "
                 f"top weight zeroed flips {s.top_zeroed_flip_rate:.1%} of labels")
    if s.accuracy is not None:
        lines.append(f"accuracy {s.accuracy:.3f}; with uniform attention injected {s.uniform_accuracy:.3f}")
    return "\n".join(lines)
