"""The layer walk-through: real shapes at every stage, and the same numbers the classifier predicts."""

from __future__ import annotations

import numpy as np
import pytest

from core.classifier.model import BiLSTMWithAttention
from core.classifier.task import Classifier
from core.classifier.walkthrough import walk_through
from core.config import DataConfig, ModelConfig, TokenizerConfig, TrainConfig
from core.corpus.tokenizer import train_tokenizer
from tests.conftest import tiny_rows

LABELS = ["기쁨", "당황", "분노", "불안", "상처", "슬픔"]
SENTENCE = "오늘 회사에서 팀장님이 그래서 너무 화가 나"


@pytest.fixture(scope="module")
def tokenizer():
    return train_tokenizer([row["사람문장1"] for row in tiny_rows(10)], TokenizerConfig(vocab_size=120))


def make_classifier(tokenizer, **overrides) -> Classifier:
    config = ModelConfig(vocab_size=tokenizer.vocab_size, num_classes=len(LABELS), emb_dim=12, hidden_dim=10,
                         attention_dim=7, fc_dim=9, **overrides)
    model = BiLSTMWithAttention(config).eval()
    return Classifier(tokenizer, model, LABELS, DataConfig(), TrainConfig())


def test_every_stage_has_its_real_shape(tokenizer):
    walk = walk_through(make_classifier(tokenizer), SENTENCE)
    T = len(walk.pieces)
    assert T == len(tokenizer.encode(SENTENCE)) and T > 1
    assert walk.shape("embedding") == (1, T, 12)
    assert walk.shape("states") == (1, T, 20)  # 2H
    assert walk.shape("u") == (1, T, 7)
    assert walk.shape("scores") == (1, T)
    assert walk.shape("weights") == (1, T)
    assert walk.shape("context") == (1, 20)
    assert walk.shape("hidden") == (1, 9)
    assert walk.shape("logits") == (1, 6)
    assert walk.shape("probabilities") == (1, 6)
    assert walk.stages == ["embedding", "states", "u", "scores", "weights", "context", "hidden", "logits",
                           "probabilities"]


def test_numbers_match_the_classifier_prediction(tokenizer):
    classifier = make_classifier(tokenizer)
    walk = walk_through(classifier, SENTENCE)
    prediction = classifier.predict([SENTENCE])[0]
    assert walk.pieces == prediction.tokens
    np.testing.assert_allclose(walk.tensors["weights"][0], prediction.attention, atol=1e-5)
    np.testing.assert_allclose(walk.tensors["probabilities"][0], list(prediction.probabilities.values()), atol=1e-5)
    assert walk.label == prediction.label
    assert walk.tensors["weights"].sum() == pytest.approx(1.0, abs=1e-5)


def test_context_is_the_weighted_sum_of_states(tokenizer):
    walk = walk_through(make_classifier(tokenizer), SENTENCE)
    expected = walk.tensors["weights"][0] @ walk.tensors["states"][0]  # (T,) @ (T, 2H) → (2H,)
    np.testing.assert_allclose(walk.tensors["context"][0], expected, atol=1e-5)


@pytest.mark.parametrize("pooling", ["mean", "last"])
def test_other_poolings_show_their_fixed_weights(tokenizer, pooling):
    classifier = make_classifier(tokenizer, pooling=pooling)
    walk = walk_through(classifier, SENTENCE)
    assert "u" not in walk.tensors and "scores" not in walk.tensors
    np.testing.assert_allclose(walk.tensors["weights"][0], classifier.predict([SENTENCE])[0].attention, atol=1e-5)
    if pooling == "mean":
        T = len(walk.pieces)
        np.testing.assert_allclose(walk.tensors["weights"][0], np.full(T, 1 / T), atol=1e-6)


def test_empty_sentence_and_deeper_model_do_not_break(tokenizer):
    walk = walk_through(make_classifier(tokenizer, num_layers=2), "")
    assert walk.shape("states") == (1, 1, 20)  # an empty sentence becomes one <unk>
    assert walk.tensors["probabilities"].sum() == pytest.approx(1.0, abs=1e-5)
