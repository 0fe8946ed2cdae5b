"""The BiLSTM + additive attention model: shapes, masking, pooling baselines, batch independence."""

import pytest
import torch

from core.classifier.model import BiLSTMWithAttention
from core.config import ModelConfig
from core.training.batching import pad_batch
from core.training.layers import lengths_to_mask


def make_model(pooling="attention", **kw):
    torch.manual_seed(0)
    return BiLSTMWithAttention(ModelConfig(vocab_size=50, num_classes=4, emb_dim=8, hidden_dim=6, attention_dim=5,
                                           fc_dim=7, pooling=pooling, **kw))


def batch():
    return pad_batch([[5, 6, 7, 8, 9], [10, 11], [12]])


@pytest.mark.parametrize("pooling", ["attention", "mean", "last"])
@pytest.mark.parametrize("training", [True, False])
def test_shapes_and_padded_positions_get_exactly_zero(pooling, training):
    model = make_model(pooling)
    model.train(training)
    ids, lengths = batch()
    logits, weights = model(ids, lengths)
    assert logits.shape == (3, 4) and weights.shape == (3, 5)
    mask = lengths_to_mask(lengths, 5)
    assert torch.all(weights[~mask] == 0)
    assert torch.allclose(weights.sum(-1), torch.ones(3))


def test_mask_keeps_one_token_for_empty_rows():
    mask = lengths_to_mask(torch.tensor([0, 2]), 3)
    assert mask.tolist() == [[True, False, False], [True, True, False]]


def test_prediction_does_not_depend_on_batch_companions():
    model = make_model().eval()
    alone_ids, alone_len = pad_batch([[10, 11]])
    ids, lengths = batch()
    with torch.no_grad():
        alone_logits, alone_weights = model(alone_ids, alone_len)
        logits, weights = model(ids, lengths)
    assert torch.allclose(alone_logits[0], logits[1], atol=1e-6)
    assert torch.allclose(alone_weights[0], weights[1, :2], atol=1e-6)


def test_attention_follows_the_formula():
    model = make_model().eval()
    ids, lengths = pad_batch([[5, 6, 7]])
    with torch.no_grad():
        states, mask = model.encode(ids, lengths)
        u = torch.tanh(model.attention.W_att(states))
        expected = torch.softmax(model.attention.W_c(u).squeeze(-1), dim=-1)
        _, weights = model(ids, lengths)
    assert torch.allclose(weights, expected, atol=1e-6)


def test_padding_id_embedding_is_zero():
    model = make_model()
    assert torch.all(model.embedding.weight[0] == 0)
