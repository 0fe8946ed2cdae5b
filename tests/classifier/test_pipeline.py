"""The classifier's recipe: one split, a tokenizer on the training rows, one run per pooling, tagged events."""

import threading
from dataclasses import replace

import pytest

from core.classifier.pipeline import BaselineEvent, RunEvent, prepare, train_classifier, train_runs
from core.classifier.pretrain import PretrainEvent
from core.config import ModelConfig, TokenizerConfig, TrainConfig
from core.corpus.tokenizer import train_tokenizer

TINY = ModelConfig(emb_dim=8, hidden_dim=8, attention_dim=4, fc_dim=8, dropout=0.0)
ONE_EPOCH = TrainConfig(epochs=1, batch_size=32, report_every=1, seed=3, pretrain_min_dialogues=0)
TOKENS = TokenizerConfig(vocab_size=150)


def test_prepare_splits_once_and_trains_the_tokenizer_on_training_rows_only(tiny_dataset):
    prepared = prepare(tiny_dataset, ONE_EPOCH, tokenizer_config=TOKENS)
    train, val = prepared.train_index, prepared.val_index
    assert sorted(train + val) == list(range(len(tiny_dataset.texts))) and not set(train) & set(val) and val
    only_train = train_tokenizer([tiny_dataset.texts[i] for i in train], TOKENS)
    assert prepared.tokenizer.model_proto == only_train.model_proto
    assert prepare(tiny_dataset, ONE_EPOCH, tokenizer=only_train).tokenizer is only_train
    assert prepare(tiny_dataset, ONE_EPOCH, tokenizer=only_train).val_index == val  # the seed fixes the split


def test_a_sweep_on_too_few_dialogues_says_pretraining_was_skipped_right_after_the_baseline(tiny_dataset):
    from core.classifier.pretrain import PretrainSkipped

    events = []
    few = replace(ONE_EPOCH, pretrain_min_dialogues=10_000)
    train_runs(tiny_dataset, TINY, few, ["attention"], tokenizer_config=TOKENS, callback=events.append)
    assert isinstance(events[1], PretrainSkipped) and events[1].minimum == 10_000 and 0 < events[1].dialogues < 10_000
    assert not any(isinstance(e, PretrainEvent) for e in events)


def test_a_sweep_trains_each_pooling_on_the_same_split_and_tags_its_events(tiny_dataset):
    events = []
    outcomes = train_runs(tiny_dataset, TINY, ONE_EPOCH, ["attention", "mean"], tokenizer_config=TOKENS,
                          callback=events.append)
    assert [o.classifier.model_config.pooling for o in outcomes] == ["attention", "mean"]
    assert outcomes[0].prepared is outcomes[1].prepared  # one split, one tokenizer: the scores compare
    assert isinstance(events[0], BaselineEvent) and 0 <= events[0].accuracy <= 1
    pretraining = [e for e in events if isinstance(e, PretrainEvent)]  # once, shared by the sweep, before the runs
    runs = [e for e in events if isinstance(e, RunEvent)]
    assert events[1:] == pretraining + runs and pretraining[-1].event.kind == "end"
    assert {(e.count, e.epochs) for e in runs} == {(2, 1)}
    assert [e.index for e in runs] == sorted(e.index for e in runs) and {e.index for e in runs} == {0, 1}
    assert all(e.pooling == ["attention", "mean"][e.index] for e in runs)
    assert [e.event.kind for e in runs if e.index == 0][-1] == "end"
    metrics = outcomes[1].classifier.metrics
    assert {"val_accuracy", "val_macro_f1", "best_epoch", "baseline_accuracy"} <= set(metrics)


def test_stop_ends_the_current_run_and_skips_the_rest(tiny_dataset):
    stop = threading.Event()
    assert train_runs(tiny_dataset, TINY, ONE_EPOCH, ["attention", "mean"], tokenizer_config=TOKENS, stop=stop) != []
    stop.set()
    assert train_runs(tiny_dataset, TINY, ONE_EPOCH, ["attention", "mean"], tokenizer_config=TOKENS, stop=stop) == []
    stop.clear()

    def callback(event):
        if isinstance(event, RunEvent) and event.event.step == 1:
            stop.set()

    outcomes = train_runs(tiny_dataset, TINY, ONE_EPOCH, ["attention", "mean"], tokenizer_config=TOKENS,
                          callback=callback, stop=stop)
    assert len(outcomes) == 1 and outcomes[0].fit.stopped and outcomes[0].classifier.metrics == {}


def test_outcome_lists_the_validation_rows_with_their_label_names(tiny_dataset):
    outcome = train_classifier(tiny_dataset, TINY, ONE_EPOCH, tokenizer_config=TOKENS)
    assert outcome.val_texts() == [tiny_dataset.texts[i] for i in outcome.val_index]
    assert outcome.val_label_names() == [tiny_dataset.label_names[tiny_dataset.labels[i]] for i in outcome.val_index]
    assert len(outcome.fit.epochs) == 1 and outcome.classifier.metrics["best_epoch"] == 1
    assert outcome.classifier.metrics["val_accuracy"] == pytest.approx(outcome.fit.epochs[0].val_acc)


def test_the_baseline_is_fitted_on_the_training_rows_only(tiny_dataset):
    prepared = prepare(tiny_dataset, TrainConfig(val_share=0.3, seed=1), tokenizer_config=TokenizerConfig(vocab_size=150))
    vectorizer = prepared.baseline.vectorizer
    analyze = vectorizer.build_analyzer()
    seen = {g for i in prepared.train_index for g in analyze(tiny_dataset.texts[i])}
    only_in_val = {g for i in prepared.val_index for g in analyze(tiny_dataset.texts[i])} - seen
    assert only_in_val, "the validation rows should have n-grams of their own for this test to mean anything"
    assert set(vectorizer.vocabulary_) <= seen and not only_in_val & set(vectorizer.vocabulary_)
    metrics = prepared.baseline_metrics
    assert 0 <= metrics["baseline_accuracy"] <= 1 and 0 <= metrics["baseline_macro_f1"] <= 1


def test_a_run_of_every_planned_epoch_keeps_the_mean_of_its_last_three_and_reports_its_validation(tiny_dataset):
    outcome = train_classifier(tiny_dataset, TINY, replace(ONE_EPOCH, epochs=4, patience=0), tokenizer_config=TOKENS)
    metrics, fit = outcome.classifier.metrics, outcome.fit
    assert fit.averaged_epochs == 3 and metrics["averaged_epochs"] == 3 and len(fit.epochs) == 4
    split = outcome.prepared.split(outcome.val_index, ONE_EPOCH.max_len)
    predicted = outcome.classifier.predict_ids(split.sequences)
    accuracy = sum(p == y for p, y in zip(predicted, split.labels)) / len(split.labels)
    assert metrics["val_accuracy"] == pytest.approx(accuracy), "the reported accuracy is the kept weights'"
