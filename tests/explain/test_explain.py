"""Attributions, agreement, deletion curves, counterfactual attention, the model summary and `python -m core explain`."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from core.classifier.model import BiLSTMWithAttention
from core.classifier.pipeline import train_classifier
from core.cli.main import main
from core.config import DataConfig, ModelConfig, TokenizerConfig, TrainConfig
from core.corpus.data import build_dataset, load_corpus
from core.explain.attribution import (
    METHODS,
    PAIRS,
    agreement,
    attributions,
    deletion_ks,
    explain,
    explain_batch,
    pair_key,
    probabilities_of,
    to_words,
)
from core.explain.summary import summarize, summarize_models
from core.training.batching import pad_batch
from core.training.layers import lengths_to_mask, uniform_weights

SENTENCE = "오늘 회사에서 팀장님이 그래서 너무 화가 나"


@pytest.fixture(scope="module")
def corpus_path(tmp_path_factory):
    from tests.conftest import old_frame, tiny_rows

    path = tmp_path_factory.mktemp("explain") / "tiny.xlsx"
    old_frame(tiny_rows(20)).to_excel(path, index=False, engine="openpyxl")
    return path


@pytest.fixture(scope="module")
def classifier(corpus_path):
    dataset = build_dataset(load_corpus(corpus_path), DataConfig())
    outcome = train_classifier(dataset, ModelConfig(emb_dim=16, hidden_dim=16, fc_dim=16),
                               TrainConfig(epochs=4, batch_size=16), tokenizer_config=TokenizerConfig(vocab_size=150))
    return outcome.classifier


@pytest.fixture(scope="module")
def explanation(classifier):
    return explain(classifier, SENTENCE)


def probability(classifier, ids: list[int], target: int) -> float:
    tensor, lengths = pad_batch([ids])
    with torch.no_grad():
        return float(torch.softmax(classifier.model(tensor, lengths)[0], dim=-1)[0, target])


def test_integrated_gradients_sum_to_the_change_in_probability(classifier):
    ids, lengths = pad_batch([classifier.tokenizer.encode(SENTENCE)])
    target = torch.tensor([2])
    _, ig, delta = attributions(classifier.model, ids, lengths, target, ig_steps=64)
    f_x = probability(classifier, ids[0].tolist(), 2)
    f_baseline = probability(classifier, [0] * ids.size(1), 2)  # every position the <pad> embedding (zeros)
    assert abs(f_x - f_baseline) > 1e-3, "a test of completeness needs a change to explain"
    assert float(ig.sum()) == pytest.approx(f_x - f_baseline, abs=2e-3)
    assert abs(float(delta[0])) < 2e-3


def test_leave_one_out_equals_removing_the_piece_by_hand(classifier, explanation):
    ids = classifier.tokenizer.encode(SENTENCE)
    target = classifier.label_names.index(explanation.label)
    assert len(explanation.scores["leave_one_out"]) == len(ids)
    for t in range(len(ids)):
        by_hand = explanation.probability - probability(classifier, ids[:t] + ids[t + 1:], target)
        assert explanation.scores["leave_one_out"][t] == pytest.approx(by_hand, abs=1e-5)


def test_kendall_tau_of_a_ranking_with_itself_is_one_and_reversed_is_minus_one():
    x = np.array([0.5, 0.1, 0.3, 0.05, 0.05])
    taus, overlap, k = agreement({"a": x, "b": x.copy(), "c": -1 / (x + 1)})
    assert taus["a/b"] == pytest.approx(1.0) and overlap["a/b"] == 1.0 and k == 1
    assert taus["a/c"] == pytest.approx(-1.0)  # |−1/(x+1)| ranks the pieces in the opposite order


def test_injected_uniform_attention_reproduces_mean_pooling():
    torch.manual_seed(0)
    config = ModelConfig(vocab_size=50, num_classes=3, emb_dim=8, hidden_dim=8, attention_dim=4, fc_dim=8)
    attention_model = BiLSTMWithAttention(config).eval()
    mean_model = BiLSTMWithAttention(ModelConfig(**{**vars(config), "pooling": "mean"})).eval()
    mean_model.load_state_dict(attention_model.state_dict())
    ids, lengths = pad_batch([[5, 6, 7, 8, 9], [10, 11]])  # (2, 5): the second row is padded
    states, mask = attention_model.encode(ids, lengths)
    uniform = uniform_weights(lengths_to_mask(lengths, ids.size(1)))
    with torch.no_grad():
        injected, weights = attention_model(ids, lengths, attention_weights=uniform)
        pooled, mean_weights = mean_model(ids, lengths)
        own, _ = attention_model(ids, lengths)
    assert torch.allclose(weights, mean_weights) and torch.allclose(injected, pooled, atol=1e-6)
    mean_vector, _ = mean_model.pool(states, mask)
    assert torch.allclose(mean_vector, (states * uniform[..., None]).sum(1), atol=1e-6)
    assert not torch.allclose(own, pooled), "the model's own attention is not uniform"


def test_uniform_counterfactual_is_the_mean_pooled_prediction(classifier, explanation):
    mean_model = BiLSTMWithAttention(ModelConfig(**{**vars(classifier.model_config), "pooling": "mean"})).eval()
    mean_model.load_state_dict(classifier.model.state_dict())
    ids, lengths = pad_batch([classifier.tokenizer.encode(SENTENCE)])
    target = classifier.label_names.index(explanation.label)
    with torch.no_grad():
        p_mean = float(torch.softmax(mean_model(ids, lengths)[0], dim=-1)[0, target])
    assert explanation.uniform_delta == pytest.approx(p_mean - explanation.probability, abs=1e-5)


def test_deletion_curves_start_at_p_of_x_and_have_one_point_per_piece(explanation):
    n = len(explanation.tokens)
    assert set(explanation.deletion) == {*METHODS, "random"}
    for curve in explanation.deletion.values():
        assert len(curve) == n
        assert curve[0] == pytest.approx(explanation.probability, abs=1e-5)
    removed_first = explanation.deletion["leave_one_out"][1]
    assert removed_first == pytest.approx(explanation.probability - max(explanation.scores["leave_one_out"]), abs=1e-5)


def test_sampled_deletion_curves_are_the_full_curves_at_evenly_spaced_steps(classifier, explanation):
    assert deletion_ks(5) == [1, 2, 3, 4] and deletion_ks(5, 10) == [1, 2, 3, 4]
    ks = deletion_ks(42, 10)
    assert len(ks) == 10 and ks[0] == 1 and ks[-1] == 41 and ks == sorted(set(ks))
    n = len(explanation.tokens)
    steps = max(2, (n - 1) // 2)  # fewer steps than pieces, so some k are skipped
    sampled = explain_batch(classifier, [SENTENCE], deletion_steps=steps)[0]
    ks = deletion_ks(n, steps)
    assert len(ks) < n - 1
    for method, curve in sampled.deletion.items():
        full = explanation.deletion[method]
        assert curve == pytest.approx([full[0], *(full[k] for k in ks)], abs=1e-5)
        drops = [explanation.probability - full[k] for k in ks]
        assert sampled.comprehensiveness[method] == pytest.approx(float(np.mean(drops)), abs=1e-5)


def test_panel_is_complete_and_a_batch_explains_each_sentence_as_alone(classifier, explanation):
    assert explanation.tokens == [classifier.tokenizer.id_to_piece(i) for i in classifier.tokenizer.encode(SENTENCE)]
    assert sum(explanation.scores["attention"]) == pytest.approx(1.0, abs=1e-5)
    assert set(explanation.kendall_tau) == {pair_key(a, b) for a, b in PAIRS}
    assert 0.0 <= explanation.permutation_median_delta <= 1.0
    assert explanation.verdict.advice in ("hint", "care", "guide")
    batch = explain_batch(classifier, ["너무 행복해", SENTENCE, "화"])
    alone = batch[1]
    for method in METHODS:
        assert np.allclose(alone.scores[method], explanation.scores[method], atol=1e-5), method
    assert alone.permutation_median_delta == pytest.approx(explanation.permutation_median_delta, abs=1e-5)
    one_piece = explain(classifier, "화")
    assert len(one_piece.tokens) <= 2 and json.dumps(one_piece.to_json())  # NaN becomes null, not invalid JSON


def test_words_sum_their_pieces():
    words, scores = to_words(["▁오늘", "▁화", "가", "▁나"], {"attention": [0.1, 0.2, 0.3, 0.4]})
    assert words == ["오늘", "화가", "나"]
    assert np.allclose(scores["attention"], [0.1, 0.5, 0.4])
    assert to_words(["▁", "鬱", "▁", "▁나"], {"attention": [0.1, 0.2, 0.3, 0.4]})[0] == ["鬱", "␣", "나"]


def test_model_summary_reports_means_and_uniform_accuracy(classifier, corpus_path):
    dataset = build_dataset(load_corpus(corpus_path), DataConfig())
    labels = [dataset.label_names[y] for y in dataset.labels]
    seen = []
    summary = summarize(classifier, dataset.texts, labels, limit=30, progress=seen.append)
    assert summary.n == 30 and seen[-1] == 1.0
    assert set(summary.mean_tau) == set(METHODS[1:]) and set(summary.comprehensiveness) == {*METHODS, "random"}
    assert 0.0 <= summary.uniform_accuracy <= 1.0 and 0.0 <= summary.accuracy <= 1.0
    unlabelled = summarize(classifier, dataset.texts[:5])
    assert unlabelled.accuracy is None and unlabelled.n == 5


def test_cli_explain_json_for_sentences_and_for_a_file(classifier, corpus_path, tmp_path, capsys):
    bundle = tmp_path / "m.zip"
    classifier.save(bundle)
    assert main(["explain", "--model", str(bundle), "--json", SENTENCE, "너무 행복해"]) == 0
    rows = json.loads(capsys.readouterr().out)
    keys = {"tokens", "attention", "grad_x_input", "integrated_gradients", "leave_one_out", "kendall_tau",
            "comprehensiveness", "sufficiency", "permutation_median_delta", "uniform_delta", "top_zeroed_flips"}
    assert len(rows) == 2 and keys <= set(rows[0])
    assert len(rows[0]["integrated_gradients"]) == len(rows[0]["tokens"])
    assert main(["explain", "--model", str(bundle), "--data", str(corpus_path), "--limit", "12", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["n"] == 12 and "uniform_accuracy" in summary
    assert main(["explain", "--model", str(bundle)]) == 2, "neither sentences nor --data"


def test_many_variants_scored_shortest_first_come_back_in_their_own_order(classifier):
    seqs = classifier.tokenizer.encode_batch([SENTENCE, "너무 행복해", "화가 나", SENTENCE + " 정말로"])
    variants = [seqs[3], seqs[1][:1], seqs[0], seqs[2], seqs[1], seqs[0]]  # lengths out of order, one repeat
    targets = [0, 1, 2, 3, 4, 2]
    expected = [probability(classifier, ids, target) for ids, target in zip(variants, targets)]
    assert probabilities_of(classifier.model.eval(), variants, targets) == pytest.approx(expected, abs=1e-6)


def test_the_summary_job_reports_progress_keeps_names_and_stops_between_batches(classifier, corpus_path):
    import threading

    dataset = build_dataset(load_corpus(corpus_path), DataConfig())
    labels = [dataset.label_names[y] for y in dataset.labels]
    seen = []
    summaries = summarize_models([("a", classifier), ("b", classifier)], dataset.texts, labels, 20, seen.append)
    assert [name for name, _ in summaries] == ["a", "b"] and summaries[0][1].n == 20
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 4  # per batch, over both models
    stop = threading.Event()
    stop.set()
    assert summarize_models([("a", classifier)], dataset.texts, labels, 20, None, stop) is None
