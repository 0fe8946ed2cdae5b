"""The seq2seq model: shapes, and attention that is exactly zero at padded source positions."""

from __future__ import annotations

import pytest
import torch

from core.seq2seq.model import Seq2Seq, Seq2SeqConfig


@pytest.mark.parametrize("rnn", ["lstm", "gru"])
@pytest.mark.parametrize("teacher_forcing", [1.0, 0.5])
@pytest.mark.parametrize("coverage", [False, True])
def test_forward_shapes_and_attention_masking(rnn, teacher_forcing, coverage):
    torch.manual_seed(0)
    model = Seq2Seq(Seq2SeqConfig(vocab_size=50, emb_dim=16, hidden_dim=8, decoder_dim=16, attention_dim=8, rnn=rnn,
                                  coverage=coverage))
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


def small_model(copy: bool) -> Seq2Seq:
    torch.manual_seed(0)
    return Seq2Seq(Seq2SeqConfig(vocab_size=50, emb_dim=16, hidden_dim=8, decoder_dim=16, attention_dim=8,
                                 copy=copy, dropout=0.0)).eval()


SRC, LENGTHS = torch.tensor([[5, 6, 7, 6], [8, 9, 0, 0]]), torch.tensor([4, 2])  # (B=2, S=4)
TGT_IN = torch.tensor([[2, 10, 11], [2, 12, 0]])  # (B, T=3)


def test_with_copy_the_scores_are_log_probabilities():
    scores, _ = small_model(copy=True)(SRC, LENGTHS, TGT_IN)
    assert torch.allclose(scores.exp().sum(-1), torch.ones(2, 3), atol=1e-5)


def test_a_closed_generator_gate_copies_exactly_the_attention_weights():
    model = small_model(copy=True)
    with torch.no_grad():
        model.copy_gate.weight.zero_()
        model.copy_gate.bias.fill_(-100.0)  # p_gen = 0: every word comes from the source
    scores, attention = model(SRC, LENGTHS, TGT_IN)
    probs = scores.exp()  # (B, T, V)
    assert torch.allclose(probs[0, :, 6], attention[0, :, 1] + attention[0, :, 3], atol=1e-6)  # piece 6 twice
    assert torch.allclose(probs[1, :, 8], attention[1, :, 0], atol=1e-6)
    assert torch.all(probs[1, :, 0] < 1e-6)  # padded positions copy nothing (their attention is exactly 0)
    assert torch.all(probs[0, :, 20] < 1e-6)  # a piece absent from the source cannot be copied


def test_without_copy_the_scores_are_the_vocabulary_logits():
    model = small_model(copy=False)
    assert not hasattr(model, "copy_gate")
    scores, _ = model(SRC, LENGTHS, TGT_IN)
    assert not torch.allclose(scores.exp().sum(-1), torch.ones(2, 3), atol=1e-3)  # logits, not log P


@pytest.mark.parametrize("rnn", ["lstm", "gru"])
def test_coverage_steps_match_the_teacher_forced_pass_and_sum_the_attention(rnn):
    """Step by step (decoding) gives the same scores as the whole-sequence pass, and the state's coverage is the
    sum of the attention rows so far."""
    torch.manual_seed(0)
    model = Seq2Seq(Seq2SeqConfig(vocab_size=50, emb_dim=16, hidden_dim=8, decoder_dim=16, attention_dim=8,
                                  rnn=rnn, coverage=True, dropout=0.0)).eval()
    with torch.no_grad():
        model.attention.W_c.weight.normal_()  # make coverage matter
        scores, attention = model(SRC, LENGTHS, TGT_IN)  # (B, T, V), (B, T, S)
        memory, state = model.encode(SRC, LENGTHS)
        for t in range(TGT_IN.size(1)):
            step_scores, state, weights = model.step(TGT_IN[:, t], state, memory)
            assert torch.allclose(step_scores, scores[:, t], atol=1e-5)
            assert torch.allclose(weights, attention[:, t], atol=1e-6)
        assert torch.allclose(state[-1], attention.sum(1), atol=1e-6)  # coverage = Σ_t α_t


def test_the_attention_sees_the_piece_just_emitted():
    """After copying a source piece, the next step's attention must know it was written: with the same decoder
    state, a different previous piece moves the weights (without W_y it could not)."""
    torch.manual_seed(0)
    model = Seq2Seq(Seq2SeqConfig(vocab_size=20, emb_dim=8, hidden_dim=8, decoder_dim=8, attention_dim=8)).eval()
    memory, state = model.encode(torch.tensor([[5, 6, 7, 8]]), torch.tensor([4]))
    _, _, first = model.step(torch.tensor([5]), state, memory)
    _, _, second = model.step(torch.tensor([6]), state, memory)
    assert not torch.allclose(first, second)
    with torch.no_grad():
        model.attention.W_y.weight.zero_()
    assert torch.allclose(model.step(torch.tensor([5]), state, memory)[2], model.step(torch.tensor([6]), state, memory)[2])
