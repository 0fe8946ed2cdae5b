"""`python -m core bench`, in its quick form on a tiny corpus: every figure the report prints, and a real ratio."""

import functools

from core.cli import bench
from core.config import ModelConfig
from core.seq2seq.model import Seq2SeqConfig
from tests.conftest import old_frame, tiny_rows


def test_quick_bench_reports_every_printed_figure(tmp_path, monkeypatch):
    path = tmp_path / "tiny.xlsx"
    old_frame(tiny_rows(3)).to_excel(path, index=False, engine="openpyxl")
    # A smaller model keeps this a check of the report, not a benchmark (the sentences/s are not asserted).
    monkeypatch.setattr(bench, "ModelConfig", functools.partial(ModelConfig, emb_dim=32, hidden_dim=32))
    monkeypatch.setattr(bench, "Seq2SeqConfig", functools.partial(Seq2SeqConfig, emb_dim=16, hidden_dim=16, decoder_dim=32))
    lines = []
    report = bench.run_bench(path, quick=True, log=lines.append)
    text = bench.format_report(report)  # raises KeyError if a printed figure is missing
    assert report["sentences"] == 18 and report["train_ratio"] > 0 and report["load_ratio"] > 0
    assert report["train_ratio"] == report["train_sentences_per_s"] / report["reference_sentences_per_s"]
    assert 0 < report["predict_median_ms"] <= report["predict_p95_ms"]
    assert report["evaluate_sentences"] == 200 and "evaluation of 200 sentences" in text
    assert report["evaluate_ratio"] == report["evaluate_one_by_one_s"] / report["evaluate_s"] > 0
    assert "tokenizer_train_50k_s" not in report and "50,000" not in text  # quick skips the 50k tokenizer
    assert len(text.splitlines()) == len(bench.format_report({**report, "tokenizer_train_50k_s": 1.0}).splitlines()) - 1
    assert any("round 2" in line for line in lines)
    assert report["seq2seq_ratio"] == report["seq2seq_sentences_per_s"] / report["seq2seq_reference_sentences_per_s"]
    assert report["seq2seq_pairs"] == 19 and "tutorial-style" in text  # 18 first turns + one (repeated) second turn
    assert any("seq2seq round 2" in line for line in lines)
