"""The tutorial-style reference of the seq2seq bench: what it computes, and the speed report's figures."""

from __future__ import annotations

import torch

from core.cli.bench_seq2seq import TutorialSeq2Seq, seq2seq_speeds
from core.seq2seq.model import Seq2SeqConfig
from core.seq2seq.train import PairSplit, Seq2SeqTrainConfig

CONFIG = Seq2SeqConfig(vocab_size=30, emb_dim=8, hidden_dim=8, decoder_dim=16, attention_dim=8, dropout=0.0)


def test_the_reference_gives_log_probabilities_at_every_padded_step():
    torch.manual_seed(0)
    model = TutorialSeq2Seq(CONFIG).eval()
    src, tgt_in = torch.randint(4, 30, (3, 7)), torch.randint(4, 30, (3, 5))
    log_probs = model(src, tgt_in)
    assert log_probs.shape == (3, 5, 30)
    assert torch.allclose(log_probs.exp().sum(-1), torch.ones(3, 5), atol=1e-5)
    src[0, 4:] = 0  # padding changes the reference's answer for the same sentence: it has no mask
    assert not torch.allclose(model(src, tgt_in)[0], model(src[:, :4], tgt_in)[0])


def test_speeds_report_both_loops_and_their_ratio():
    split = PairSplit([[5 + i % 7] * (2 + i % 5) for i in range(40)], [[2, *[6 + i % 9] * (1 + i % 4), 3] for i in range(40)])
    lines = []
    report = seq2seq_speeds(split, CONFIG, Seq2SeqTrainConfig(batch_size=8), 32, lines.append)
    assert report["seq2seq_pad_to"] == [6, 6] and len(lines) == 2
    assert report["seq2seq_ratio"] == report["seq2seq_sentences_per_s"] / report["seq2seq_reference_sentences_per_s"] > 0
