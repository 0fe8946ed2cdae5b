"""Training-only extras of the classifier: the auxiliary 감정_소분류 head (TrainConfig.aux_weight) and mixup of the
sentence vectors (TrainConfig.mixup). Both change the objective only; predictions and reported losses stay the
main head's."""

import random

import pytest
import torch
import torch.nn.functional as F

from core.classifier.model import BiLSTMWithAttention
from core.classifier.pipeline import train_classifier
from core.classifier.task import ClassifierTask, Split, load_classifier
from core.config import DataConfig, ModelConfig, TokenizerConfig, TrainConfig
from core.corpus.data import SUBLABEL_MISSING, Corpus, build_dataset
from tests.conftest import old_frame, tiny_rows

TINY = ModelConfig(emb_dim=8, hidden_dim=8, attention_dim=4, fc_dim=8, dropout=0.0, embedding_dropout=0.0)
TOKENS = TokenizerConfig(vocab_size=150)


def sub_rows() -> list[dict]:
    """tiny_rows with two sub-emotions per emotion (12 in all) and one blank."""
    rows = tiny_rows(10)
    for k, row in enumerate(rows):
        row["감정_소분류"] = f"{row['감정_대분류']}-{k % 2}"
    rows[0]["감정_소분류"] = None
    return rows


@pytest.fixture(scope="module")
def dataset():
    return build_dataset(Corpus(old_frame(sub_rows()), "old", "tiny.xlsx", "Sheet1", 60), DataConfig())


def batch_of(dataset, rows: int = 12):
    model = BiLSTMWithAttention(ModelConfig(**{**TINY.__dict__, "vocab_size": 50, "aux_classes": 12}))
    rng = random.Random(0)
    sequences = [[rng.randrange(4, 50) for _ in range(rng.randrange(2, 9))] for _ in range(rows)]
    split = Split(sequences, dataset.labels[:rows], aux_labels=dataset.sublabels[:rows])
    return model, next(iter(ClassifierTask().batches(split, rows, None)))


def test_the_dataset_carries_each_rows_sub_emotion(dataset):
    assert len(dataset.sublabel_names) == 12 and len(dataset.sublabels) == len(dataset.labels)
    frame = old_frame(sub_rows())
    for text, sub in zip(dataset.texts[:20], dataset.sublabels[:20]):
        row = frame[frame["사람문장1"].eq(text.split(" 응 맞아")[0])].iloc[0]
        blank = not isinstance(row["감정_소분류"], str)
        expected = SUBLABEL_MISSING if blank else dataset.sublabel_names.index(row["감정_소분류"])
        assert sub == expected
    assert SUBLABEL_MISSING in dataset.sublabels
    as58 = build_dataset(Corpus(old_frame(sub_rows()), "old", "t.xlsx", "Sheet1", 60), DataConfig(task="emotion58"))
    assert as58.sublabels == [] and as58.sublabel_names == []  # the labels already are the sub-emotions


def test_the_aux_loss_is_added_to_the_objective_but_not_to_the_reported_loss(dataset):
    model, batch = batch_of(dataset)
    ids, lengths, labels, aux = batch
    torch.manual_seed(0)
    out = ClassifierTask(aux_weight=0.4).step(model, batch, training=True)
    states, mask = model.encode(ids, lengths)
    context, _ = model.pool(states, mask)
    main = F.cross_entropy(model.classify(context), labels)
    aux_loss = F.cross_entropy(model.classify_aux(context), aux, ignore_index=SUBLABEL_MISSING)
    assert model.classify_aux(context).shape == (len(labels), 12)
    assert out.objective.item() == pytest.approx((main + 0.4 * aux_loss).item(), rel=1e-5)
    assert out.loss_sum == pytest.approx(main.item() * len(labels), rel=1e-5)
    out.objective.backward()
    assert model.aux_head.weight.grad.abs().sum() > 0
    model.zero_grad(set_to_none=True)
    ClassifierTask(aux_weight=0.0).step(model, batch, training=True).objective.backward()
    assert model.aux_head.weight.grad is None  # weight 0: the head takes no part


def test_label_smoothing_softens_both_heads_in_the_objective_but_not_the_reported_loss(dataset):
    model, batch = batch_of(dataset)
    ids, lengths, labels, aux = batch
    out = ClassifierTask(aux_weight=0.4, label_smoothing=0.1).step(model, batch, training=True)
    states, mask = model.encode(ids, lengths)
    context, _ = model.pool(states, mask)
    logits, aux_logits = model.classify(context), model.classify_aux(context)
    smoothed = (F.cross_entropy(logits, labels, label_smoothing=0.1)
                + 0.4 * F.cross_entropy(aux_logits, aux, ignore_index=SUBLABEL_MISSING, label_smoothing=0.1))
    assert out.objective.item() == pytest.approx(smoothed.item(), rel=1e-5)
    assert out.loss_sum == pytest.approx(F.cross_entropy(logits, labels).item() * len(labels), rel=1e-5)
    assert out.objective.item() != pytest.approx(
        ClassifierTask(aux_weight=0.4).step(model, batch, training=True).objective.item(), rel=1e-5)


def test_mixup_mixes_sentence_vectors_and_targets_in_training_only(dataset, monkeypatch):
    model, batch = batch_of(dataset)
    ids, lengths, labels, _ = batch
    partner = torch.arange(len(labels)).flip(0)
    task = ClassifierTask(mixup=0.4)
    monkeypatch.setattr(task, "_mixing", lambda rows, device: (0.3, partner))
    states, mask = model.encode(ids, lengths)
    context, _ = model.pool(states, mask)
    logits = model.classify(0.3 * context + 0.7 * context[partner])
    expected = 0.3 * F.cross_entropy(logits, labels) + 0.7 * F.cross_entropy(logits, labels[partner])
    assert task.step(model, batch, training=True).objective.item() == pytest.approx(expected.item(), rel=1e-5)
    evaluated = task.step(model, batch, training=False)
    plain = F.cross_entropy(model(ids, lengths)[0], labels)
    assert evaluated.objective.item() == pytest.approx(plain.item(), rel=1e-5)


def test_a_classifier_trained_with_the_aux_head_predicts_six_classes_and_reloads(dataset, tmp_path):
    config = TrainConfig(epochs=2, batch_size=16, seed=3, aux_weight=0.5, mixup=0.2, average_epochs=2)
    classifier = train_classifier(dataset, TINY, config, tokenizer_config=TOKENS).classifier
    assert classifier.model.config.aux_classes == 12 and classifier.model.aux_head.out_features == 12
    logits, _ = classifier.model(*_encoded(classifier, ["오늘 학교에서 친구가 그래서 화가 나"]))
    assert logits.shape == (1, 6)
    classifier.save(tmp_path / "m.zip")
    loaded = load_classifier(tmp_path / "m.zip")
    texts = dataset.texts[:5]
    assert [p.probabilities for p in loaded.predict(texts)] == [p.probabilities for p in classifier.predict(texts)]
    assert loaded.train_config.aux_weight == 0.5 and loaded.model.config.aux_classes == 12


def test_without_the_options_the_model_has_no_aux_head(dataset):
    config = TrainConfig(epochs=1, seed=3, aux_weight=0.0)
    classifier = train_classifier(dataset, TINY, config, tokenizer_config=TOKENS).classifier
    assert classifier.model.config.aux_classes == 0 and classifier.model.aux_head is None
    assert not any(k.startswith("aux_head") for k in classifier.model.state_dict())


def _encoded(classifier, texts):
    from core.training.batching import pad_batch

    return pad_batch(classifier.tokenizer.encode_batch(texts, 128))
