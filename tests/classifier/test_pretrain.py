"""In-corpus pretraining: a bidirectional language model on the classifier's own embedding and BiLSTM."""

import threading
from dataclasses import replace

import pytest
import torch

from core.classifier.model import BiLSTMWithAttention
from core.classifier.pipeline import Prepared, RunEvent, prepare, train_classifier, train_run, train_runs
from core.classifier.pretrain import BidirectionalLM, LanguageModelTask, PretrainEvent, pretrain_encoder
from core.config import DataConfig, ModelConfig, TokenizerConfig, TrainConfig
from core.corpus.data import Corpus, build_dataset, dialogue_texts, human_turns
from core.training.batching import pad_batch
from tests.conftest import old_frame, tiny_rows

TINY = ModelConfig(emb_dim=8, hidden_dim=8, attention_dim=4, fc_dim=8, dropout=0.0)
TOKENS = TokenizerConfig(vocab_size=150)
PRE = TrainConfig(epochs=1, batch_size=32, report_every=1, seed=3, pretrain_epochs=2, pretrain_lr=1e-2,
                  pretrain_min_dialogues=0)


@pytest.fixture(scope="module")
def corpus_and_dataset():
    corpus = Corpus(old_frame(tiny_rows(10)), "old", "tiny.xlsx", "Sheet1", 60)
    return corpus, build_dataset(corpus, DataConfig())


def test_dialogue_texts_hold_every_turn_and_reply_by_dialogue(corpus_and_dataset):
    corpus, dataset = corpus_and_dataset
    texts = dialogue_texts(corpus)
    assert len(texts) == 4 * len(corpus.frame)  # two human turns and two replies a row in tiny_rows
    assert (0, "그랬군요.") in texts and all(text for _, text in texts)
    prepared = prepare(dataset, PRE, tokenizer_config=TOKENS, unlabelled=texts)
    val_groups = {dataset.groups[i] for i in prepared.val_index}
    val_texts = {corpus.frame["사람문장1"][g] for g in val_groups}
    assert val_texts and not val_texts & set(prepared.pretrain_texts())  # validation text never pretrains
    assert len(prepared.pretrain_texts()) == 4 * len(prepared.train_index)


def test_the_dataset_carries_the_files_turns_and_replies_so_every_caller_pretrains_on_them(corpus_and_dataset):
    corpus, dataset = corpus_and_dataset
    assert dataset.dialogues == dialogue_texts(corpus)  # build_dataset: one owner, the page and the CLI agree
    default, given = prepare(dataset, PRE, tokenizer_config=TOKENS), prepare(dataset, PRE, tokenizer_config=TOKENS,
                                                                             unlabelled=dialogue_texts(corpus))
    assert default.pretrain_texts() == given.pretrain_texts() and len(default.pretrain_texts()) > len(default.train_index)


def test_a_prepared_split_built_directly_as_the_learning_curve_does_pretrains_on_the_dialogues(corpus_and_dataset):
    corpus, dataset = corpus_and_dataset
    made = prepare(dataset, PRE, tokenizer_config=TOKENS)
    direct = Prepared(dataset, made.train_index, made.val_index, made.tokenizer)  # core/classifier/curve.py
    assert direct.pretrain_texts() == made.pretrain_texts() and "그랬군요." in direct.pretrain_texts()


def test_every_human_turn_is_also_a_training_example_with_its_dialogues_label(corpus_and_dataset):
    corpus, dataset = corpus_and_dataset
    assert dataset.turns == human_turns(corpus, DataConfig().max_chars) and len(dataset.turns) == 2 * len(corpus.frame)
    prepared = prepare(dataset, PRE, tokenizer_config=TOKENS)
    train, val = prepared.train_index, prepared.val_index
    plain = prepared.split(train, 128, training=True)
    with_turns = prepared.split(train, 128, training=True, aux=True, turns=True)
    assert len(plain) == len(train) and len(prepared.split(val, 128)) == len(val)
    # each dialogue's 사람문장1 alone, and "응 맞아" (every dialogue's second turn) once: a text is an example once
    assert len(with_turns) == 2 * len(train) + 1
    first_turns = {corpus.frame["사람문장1"][dataset.groups[i]]: i for i in train}
    added = with_turns.sequences[len(train):]
    for sequence, label, sublabel in zip(added, with_turns.labels[len(train):], with_turns.aux_labels[len(train):]):
        text = prepared.tokenizer.decode(sequence)
        if text in first_turns:
            assert (label, sublabel) == (dataset.labels[first_turns[text]], dataset.sublabels[first_turns[text]])
    val_first = {corpus.frame["사람문장1"][dataset.groups[i]] for i in val}
    assert not val_first & {prepared.tokenizer.decode(s) for s in added}  # validation turns never train
    assert sum(prepared.tokenizer.decode(s) in first_turns for s in added) == len(train)
    sampling = prepare(dataset, PRE, tokenizer_config=replace(TOKENS, sampling=0.1))
    resampled = sampling.split(train, 128, training=True, turns=True)
    assert len(resampled.resample()) == len(resampled.labels) == 2 * len(train) + 1  # BPE-dropout keeps the turns


def test_a_split_with_too_few_dialogues_skips_pretraining(corpus_and_dataset):
    _, dataset = corpus_and_dataset
    events = []
    prepared = prepare(dataset, PRE, tokenizer_config=TOKENS)
    few = replace(PRE, pretrain_min_dialogues=prepared.training_dialogues() + 1)
    assert prepared.pretrain_skipped(few) and prepared.pretrain(TINY, few, events.append) is None and not events
    assert not prepared.pretrain_skipped(PRE) and prepared.pretrain(TINY, PRE, events.append) is not None and events
    assert not prepared.pretrain_skipped(replace(few, pretrain_epochs=0))  # nothing asked, nothing skipped
    assert TrainConfig().pretrain_min_dialogues == 2000


def test_the_defaults_pretrain_one_epoch_and_add_the_sub_emotion_head():
    config = TrainConfig()
    assert (config.pretrain_epochs, config.pretrain_lr, config.aux_weight) == (1, 5e-3, 0.3)


def test_pretraining_lowers_the_language_model_loss_and_reports_its_own_events(corpus_and_dataset):
    corpus, dataset = corpus_and_dataset
    prepared = prepare(dataset, PRE, tokenizer_config=TOKENS, unlabelled=dialogue_texts(corpus))
    events = []
    pretrained = pretrain_encoder(prepared.tokenizer, prepared.pretrain_texts(), TINY, replace(PRE, pretrain_epochs=4),
                                  events.append)
    losses = [e.train_loss for e in pretrained.fit.epochs]
    assert len(losses) == 4 and losses[-1] < losses[0]
    assert all(isinstance(e, PretrainEvent) and e.epochs == 4 for e in events)
    assert [e.event.kind for e in events][-1] == "end" and 0 < pretrained.fit.epochs[-1].train_acc <= 1
    assert set(pretrained.state) and all(k.startswith(("embedding.", "lstm.")) for k in pretrained.state)


def test_pads_get_no_loss():
    torch.manual_seed(0)
    model = BidirectionalLM(BiLSTMWithAttention(replace(TINY, vocab_size=30))).eval()
    task, short, long = LanguageModelTask(), [5, 6, 7], [8, 9, 10, 11, 12, 13]
    logits, targets = model.logits_and_targets(*pad_batch([short, long]))
    assert targets.tolist() == [6, 7, 9, 10, 11, 12, 13] + [5, 6, 8, 9, 10, 11, 12]  # next pieces, then previous
    assert logits.shape == (14, 30)
    with torch.no_grad():
        together = task.step(model, pad_batch([short, long]), training=False)
        alone = [task.step(model, pad_batch([s]), training=False) for s in (short, long)]
    assert together.count == 2 * (2 + 5) == sum(a.count for a in alone)
    assert together.loss_sum == pytest.approx(sum(a.loss_sum for a in alone), rel=1e-5)


def test_the_classifier_starts_from_the_pretrained_weights(corpus_and_dataset):
    corpus, dataset = corpus_and_dataset
    prepared = prepare(dataset, PRE, tokenizer_config=TOKENS, unlabelled=dialogue_texts(corpus))
    pretrained = prepared.pretrain(TINY, PRE)
    stop = threading.Event()
    stop.set()  # no fine-tuning step: the model is as it started
    model = train_run(prepared, TINY, PRE, stop=stop).classifier.model
    for name, tensor in pretrained.state.items():
        assert torch.equal(model.state_dict()[name], tensor), name
    fresh = train_run(prepared, TINY, replace(PRE, pretrain_epochs=0), stop=stop).classifier.model
    assert not torch.equal(fresh.embedding.weight, model.embedding.weight)


def test_stop_ends_pretraining_and_the_run(corpus_and_dataset):
    corpus, dataset = corpus_and_dataset
    stop, events = threading.Event(), []

    def callback(event):
        events.append(event)
        if isinstance(event, PretrainEvent) and event.event.kind == "step":
            stop.set()

    outcomes = train_runs(dataset, TINY, PRE, ["attention", "mean"], tokenizer_config=TOKENS, callback=callback,
                          stop=stop, unlabelled=dialogue_texts(corpus))
    assert outcomes == [] and not [e for e in events if isinstance(e, RunEvent)]  # no run after a Stop
    assert sum(isinstance(e, PretrainEvent) for e in events) == 1


def test_no_pretraining_trains_exactly_as_before_pretraining_existed(corpus_and_dataset):
    corpus, dataset = corpus_and_dataset
    config = TrainConfig(epochs=2, batch_size=32, seed=5, pretrain_epochs=0)
    today = train_classifier(dataset, TINY, config, tokenizer_config=TOKENS, unlabelled=[])
    off = train_classifier(dataset, TINY, replace(config, pretrain_epochs=0), tokenizer_config=TOKENS,
                           unlabelled=dialogue_texts(corpus))
    assert off.prepared.pretrained is None
    for name, tensor in today.classifier.model.state_dict().items():
        assert torch.equal(off.classifier.model.state_dict()[name], tensor), name
    texts = dataset.texts[:20]
    assert [p.probabilities for p in today.classifier.predict(texts)] == \
           [p.probabilities for p in off.classifier.predict(texts)]
