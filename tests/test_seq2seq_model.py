"""The seq2seq model: shapes, and attention that is exactly zero at padded source positions."""

from __future__ import annotations

import pytest
import torch

from core.seq2seq.model import Seq2Seq, Seq2SeqConfig


@pytest.mark.parametrize("rnn", ["lstm", "gru"])
@pytest.mark.parametrize("teacher_forcing", [1.0, 0.5])
def test_forward_shapes_and_attention_masking(rnn, teacher_forcing):
    torch.manual_seed(0)
    model = Seq2Seq(Seq2SeqConfig(vocab_size=50, emb_dim=16, hidden_dim=8, decoder_dim=16, attention_dim=8, rnn=rnn))
    src = torch.tensor([[5, 6, 7, 8, 9], [5, 6, 0, 0, 0], [0, 0, 0, 0, 0]])  # (B=3, S=5); last row empty
    lengths = torch.tensor([5, 2, 0])
    tgt_in = torch.tensor([[2, 10, 11, 12], [2, 13, 0, 0], [2, 0, 0, 0]])  # (B, T=4)
    for training in (True, False):
        model.train(training)
        logits, attention = model(src, lengths, tgt_in, teacher_forcing)
        assert logits.shape == (3, 4, 50) and attention.shape == (3, 4, 5)
        assert torch.all(attention[1, :, 2:] == 0) and torch.all(attention[2, :, 1:] == 0)  # exactly zero at pads
        assert torch.allclose(attention.sum(-1), torch.ones(3, 4), atol=1e-6)  # each row sums to 1
        assert torch.all(attention[2, :, 0] == 1)  # an empty source still attends to one position
        assert torch.isfinite(logits).all()
