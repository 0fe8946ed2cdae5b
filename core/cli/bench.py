"""`python -m core bench`: this training loop against a notebook-style reference (and the reply generator's against a
tutorial-style one), plus load/tokenize/predict timings.

The reference pads every batch to one fixed maximum length, draws random (unbucketed) batches and
uses no mask, as the tutorial notebook does. Both loops train the same model size on the same data in
the same run, so the ratio is meaningful on a shared, noisy machine.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import torch
import torch.nn.functional as F

from core.classifier.model import BiLSTMWithAttention
from core.classifier.task import Classifier
from core.cli.bench_seq2seq import seq2seq_speeds
from core.config import DataConfig, ModelConfig, TokenizerConfig, TrainConfig
from core.corpus.data import build_dataset, load_corpus, write_xlsx
from core.corpus.tokenizer import train_tokenizer
from core.seq2seq.data import PairConfig, build_pairs
from core.seq2seq.model import Seq2SeqConfig
from core.seq2seq.pipeline import DEFAULT_VOCAB
from core.seq2seq.train import Seq2SeqTrainConfig, encode_pairs
from core.training.batching import bucketed_batches, pad_batch

# The loop is timed on fixed data settings (사람문장1, 4,000 pieces), so figures compare across releases even
# when the training defaults change.
BENCH_DATA, BENCH_TOKENIZER = DataConfig(text="first"), TokenizerConfig(vocab_size=4000)


def run_bench(data_path: Path, quick: bool = False, log: Callable[[str], None] = lambda _: None) -> dict:
    corpus = load_corpus(data_path)
    dataset = build_dataset(corpus, BENCH_DATA)
    config = TrainConfig()
    log(f"bench on {corpus.source_name}: {len(dataset.texts)} sentences, torch threads {torch.get_num_threads()}")
    start = time.perf_counter()
    tokenizer = train_tokenizer(dataset.texts, BENCH_TOKENIZER)
    tokenizer_s = time.perf_counter() - start
    sequences = tokenizer.encode_batch(dataset.texts, config.max_len)
    model_config = ModelConfig(vocab_size=tokenizer.vocab_size, num_classes=len(dataset.label_names))
    n_sentences = 640 if quick else 3200
    report = {"sentences": len(sequences), "timed_sentences": n_sentences, "max_len": config.max_len,
              "mean_tokens": statistics.fmean(len(s) for s in sequences), "max_tokens": max(len(s) for s in sequences),
              "torch_threads": torch.get_num_threads(), "tokenizer_train_s": tokenizer_s}
    report.update(_train_speeds(sequences, dataset.labels, model_config, config, n_sentences, log))
    report.update(_seq2seq_speed(corpus, quick, log))
    report.update(_load_times(data_path, quick, log))
    report.update(_tokenizer_50k(dataset.texts, quick))
    report.update(_predict_latency(tokenizer, model_config, config, dataset.texts, dataset.label_names, quick))
    report.update(_evaluate_speed(tokenizer, model_config, config, dataset, quick))
    report.update(_explain_latency(tokenizer, model_config, config, dataset.texts, dataset.label_names, quick))
    report.update(_workspace_times(tokenizer, model_config, config, dataset.texts, dataset.label_names, quick))
    return report


def _train_speeds(sequences, labels, model_config, config, n_sentences, log) -> dict:
    """Best of two alternating rounds for each loop, to damp machine noise."""
    ours, reference = [], []
    for round_ in range(2):
        reference.append(_time_loop(sequences, labels, model_config, config, n_sentences // 2, bucketed=False))
        ours.append(_time_loop(sequences, labels, model_config, config, n_sentences, bucketed=True))
        log(f"round {round_ + 1}: ours {ours[-1]:.0f} sent/s, reference {reference[-1]:.0f} sent/s")
    fixed_len = max(len(s) for s in sequences)
    corpus_max = _time_loop(sequences, labels, model_config, config, n_sentences, bucketed=False, pad_to=fixed_len)
    return {"train_sentences_per_s": max(ours), "reference_sentences_per_s": max(reference),
            "train_ratio": max(ours) / max(reference),
            "reference_corpus_max_sentences_per_s": corpus_max, "train_ratio_vs_corpus_max": max(ours) / corpus_max}


def _time_loop(sequences, labels, model_config, config, n_sentences, bucketed: bool, pad_to: int | None = None) -> float:
    torch.manual_seed(0)
    model = BiLSTMWithAttention(model_config)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr)
    batches = _batches(sequences, config.batch_size, bucketed)
    done, start = 0, time.perf_counter()
    for batch in batches:
        if done >= n_sentences:
            break
        seqs = [sequences[i] for i in batch]
        if bucketed:
            ids, lengths = pad_batch(seqs)
        else:  # notebook style: fixed width, every position counts as a token (no mask)
            ids, _ = pad_batch(seqs, pad_to=pad_to or config.max_len)
            lengths = torch.full((len(seqs),), ids.size(1), dtype=torch.long)
        logits, _ = model(ids, lengths)
        loss = F.cross_entropy(logits, torch.as_tensor([labels[i] for i in batch]))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        optimizer.step()
        done += len(batch)
    return done / (time.perf_counter() - start)


def _batches(sequences, batch_size: int, bucketed: bool) -> list[list[int]]:
    rng = random.Random(0)
    if bucketed:
        return bucketed_batches([len(s) for s in sequences], batch_size, rng) * 4
    order = list(range(len(sequences)))
    rng.shuffle(order)
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)] * 4


def _seq2seq_speed(corpus, quick: bool, log) -> dict:
    """Teacher-forced reply training on every turn pair of the corpus: ours against the tutorial-style loop."""
    pairs = build_pairs(corpus, PairConfig(turns="all"))
    train_config = Seq2SeqTrainConfig()
    tokenizer = train_tokenizer(pairs.sources + pairs.targets, TokenizerConfig(vocab_size=DEFAULT_VOCAB))
    split = encode_pairs(tokenizer, pairs.sources, pairs.targets, train_config)
    model_config = Seq2SeqConfig(vocab_size=tokenizer.vocab_size)
    return {"seq2seq_pairs": len(split), **seq2seq_speeds(split, model_config, train_config, 160 if quick else 1600, log)}


def _load_times(data_path: Path, quick: bool, log) -> dict:
    """calamine vs openpyxl on the same workbook (the sample, tiled to 50k rows unless quick)."""
    frame = pd.read_excel(data_path, engine="calamine")
    rows = len(frame) if quick else 50_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.xlsx"
        tiled = pd.concat([frame] * (rows // len(frame) + 1), ignore_index=True).iloc[:rows]
        write_xlsx(tiled, path)
        timings = {}
        for engine in ("calamine", "openpyxl"):
            start = time.perf_counter()
            pd.read_excel(path, engine=engine, dtype=object)
            timings[engine] = time.perf_counter() - start
            log(f"read {rows} rows with {engine}: {timings[engine]:.2f} s")
    return {"load_rows": rows, "load_calamine_s": timings["calamine"], "load_openpyxl_s": timings["openpyxl"],
            "load_ratio": timings["openpyxl"] / timings["calamine"]}


def _tokenizer_50k(texts: list[str], quick: bool) -> dict:
    if quick:
        return {}
    rng = random.Random(0)
    many = [f"{rng.choice(texts)} {rng.choice(texts)}" for _ in range(50_000)]  # varied, longer than the sample
    start = time.perf_counter()
    train_tokenizer(many, TokenizerConfig(vocab_size=8000))
    return {"tokenizer_train_50k_s": time.perf_counter() - start}


def _predict_latency(tokenizer, model_config, config, texts, label_names, quick: bool) -> dict:
    model = BiLSTMWithAttention(model_config).eval()
    classifier = Classifier(tokenizer, model, list(label_names), DataConfig(), config)
    runs = 50 if quick else 300
    timings = []
    for i in range(runs):
        start = time.perf_counter()
        classifier.predict([texts[i % len(texts)]])
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {"predict_median_ms": statistics.median(timings), "predict_p95_ms": timings[int(0.95 * (len(timings) - 1))]}


def _evaluate_speed(tokenizer, model_config, config, dataset, quick: bool) -> dict:
    """The Evaluate page's work on 1,328 sentences (as many as the real old-release file's validation split): the
    model and the baseline scored in batches, against the reference of predicting one sentence at a time."""
    from core.classifier.baseline import train_baseline
    from core.classifier.evaluate import evaluate

    n = 200 if quick else 1328
    texts = [dataset.texts[i % len(dataset.texts)] for i in range(n)]
    labels = [dataset.label_names[dataset.labels[i % len(dataset.labels)]] for i in range(n)]
    baseline = train_baseline(dataset.texts[:2000], dataset.labels[:2000], dataset.label_names)
    classifier = Classifier(tokenizer, BiLSTMWithAttention(model_config).eval(), list(dataset.label_names), DataConfig(),
                            config, baseline=baseline)
    start = time.perf_counter()
    evaluate(classifier, texts, labels)
    batched = time.perf_counter() - start
    start = time.perf_counter()
    for text in texts:
        classifier.predict([text])
    one_by_one = time.perf_counter() - start
    return {"evaluate_sentences": n, "evaluate_s": batched, "evaluate_one_by_one_s": one_by_one,
            "evaluate_ratio": one_by_one / batched}


def _explain_latency(tokenizer, model_config, config, texts, label_names, quick: bool) -> dict:
    """One sentence's full explanation panel (attributions, leave-one-out, deletion curves, counterfactuals) for a
    30-piece sentence with the default model size, on one CPU thread."""
    from core.explain.attribution import explain

    model = BiLSTMWithAttention(model_config).eval()
    classifier = Classifier(tokenizer, model, list(label_names), DataConfig(), config)
    ids = tokenizer.encode(" ".join(texts[:6]))[:30]
    sentence = tokenizer.decode(ids)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        explain(classifier, sentence)  # warm-up: Captum's first call builds its hooks
        timings = []
        for _ in range(5 if quick else 20):
            start = time.perf_counter()
            explain(classifier, sentence)
            timings.append((time.perf_counter() - start) * 1000)
    finally:
        torch.set_num_threads(threads)
    return {"explain_pieces": len(tokenizer.encode(sentence)), "explain_median_ms": statistics.median(timings)}


def _workspace_times(tokenizer, model_config, config, texts, label_names, quick: bool) -> dict:
    """Saving a run (bundle bytes, atomic file, index row) and reopening a workspace of 50 runs as the app does
    (index, every run's settings and curves, the active model's bundle loaded), in a temporary data folder."""
    from core.classifier.task import load_classifier
    from core.storage.store import Store
    from core.storage.workspace import Run, create_workspace, open_workspace

    classifier = Classifier(tokenizer, BiLSTMWithAttention(model_config).eval(), list(label_names), DataConfig(), config)
    epochs = [{"epoch": e, "train_loss": 1.0, "train_acc": 0.5, "val_loss": 1.0, "val_acc": 0.5} for e in range(1, 9)]
    steps = [{"step": s, "loss": 1.0, "acc": 0.5} for s in range(0, 350, 5)]  # 8 epochs of the sample, a point every 5
    val_texts = texts[: len(texts) // 5]
    saves, n_runs = [], 50
    with tempfile.TemporaryDirectory() as folder:
        workspace = create_workspace(Store(Path(folder)))
        for number in range(1, n_runs + 1):
            run = Run(number, "attention", {"model": {}, "train": {}, "data": {}}, epochs, steps, 44.0,
                          {"val_accuracy": 0.5}, False, 10.0)
            start = time.perf_counter()
            workspace.save_run(run, classifier.to_bytes(), val_texts, [label_names[0]] * len(val_texts))
            saves.append((time.perf_counter() - start) * 1000)
        workspace.set_active_run(n_runs)
        reopens = []
        for _ in range(3 if quick else 10):
            start = time.perf_counter()
            again = open_workspace(workspace.token, workspace.store)
            again.runs()
            active = again.active_model()
            load_classifier(active.bundle)
            reopens.append((time.perf_counter() - start) * 1000)
    return {"workspace_runs": n_runs, "workspace_bundle_bytes": len(classifier.to_bytes()),
            "workspace_save_median_ms": statistics.median(saves), "workspace_save_max_ms": max(saves),
            "workspace_reopen_median_ms": statistics.median(reopens), "workspace_reopen_max_ms": max(reopens)}


def format_report(report: dict) -> str:
    lines = [
        f"training, this loop (bucketed, masked):   {report['train_sentences_per_s']:8.0f} sentences/s",
        f"training, notebook-style (pad to {report['max_len']}):  {report['reference_sentences_per_s']:8.0f} sentences/s",
        f"  ratio:                                  {report['train_ratio']:8.2f}x",
        f"training, reference padded to corpus max ({report['max_tokens']}): "
        f"{report['reference_corpus_max_sentences_per_s']:.0f} sentences/s "
        f"(ratio {report['train_ratio_vs_corpus_max']:.2f}x)",
        f"tokens per sentence: mean {report['mean_tokens']:.1f}, max {report['max_tokens']}",
        f"seq2seq training, this loop (bucketed, masked, {report['seq2seq_pairs']} pairs): "
        f"{report['seq2seq_sentences_per_s']:.0f} sentences/s",
        f"seq2seq training, tutorial-style (pad to {report['seq2seq_pad_to'][0]}/{report['seq2seq_pad_to'][1]}): "
        f"{report['seq2seq_reference_sentences_per_s']:.0f} sentences/s",
        f"  ratio:                                  {report['seq2seq_ratio']:8.2f}x",
        f"seq2seq training, this loop with the copy gate (the default model): "
        f"{report['seq2seq_copy_sentences_per_s']:.0f} sentences/s",
        f"spreadsheet load ({report['load_rows']} rows): calamine {report['load_calamine_s']:.2f} s, "
        f"openpyxl {report['load_openpyxl_s']:.2f} s ({report['load_ratio']:.1f}x)",
        f"tokenizer training ({report['sentences']} sentences): {report['tokenizer_train_s']:.2f} s",
    ]
    if "tokenizer_train_50k_s" in report:
        lines.append(f"tokenizer training (50,000 sentences, vocab 8000): {report['tokenizer_train_50k_s']:.2f} s")
    lines.append(f"single-sentence prediction: median {report['predict_median_ms']:.1f} ms, "
                 f"p95 {report['predict_p95_ms']:.1f} ms")
    lines.append(f"evaluation of {report['evaluate_sentences']:,} sentences with the baseline (batched): "
                 f"{report['evaluate_s']:.2f} s; one sentence at a time, model only: "
                 f"{report['evaluate_one_by_one_s']:.2f} s ({report['evaluate_ratio']:.1f}x)")
    lines.append(f"explanation panel ({report['explain_pieces']} pieces, 1 thread): median {report['explain_median_ms']:.0f} ms")
    lines.append(f"workspace: save a run ({report['workspace_bundle_bytes'] / 1e6:.1f} MB bundle) median "
                 f"{report['workspace_save_median_ms']:.0f} ms (max {report['workspace_save_max_ms']:.0f}); reopen with "
                 f"{report['workspace_runs']} runs median {report['workspace_reopen_median_ms']:.0f} ms "
                 f"(max {report['workspace_reopen_max_ms']:.0f})")
    return "\n".join(lines)
