"""The reply generator's task in the shared loop: padded targets ignored, it memorises, it reports and stops."""

from __future__ import annotations

import math
import threading

import pytest
import torch

from core.seq2seq.decode import DecodeConfig
from core.seq2seq.model import Seq2Seq, Seq2SeqConfig
from core.seq2seq.train import PairSplit, Seq2SeqTask, Seq2SeqTrainConfig, coverage_penalty, smoothed_loss
from core.training.loop import fit, perplexity


def test_loss_ignores_padded_target_positions():
    logits = torch.randn(2, 3, 10)
    tgt_out = torch.tensor([[4, 5, 3], [6, 3, 0]])
    changed = logits.clone()
    changed[1, 2] = 100.0  # the padded position's logits must not matter
    assert smoothed_loss(logits, tgt_out, 0, 0.0)[1].item() == pytest.approx(smoothed_loss(changed, tgt_out, 0, 0.0)[1].item())
    smoothed, plain = smoothed_loss(changed, tgt_out, 0, 0.1)
    expected_plain = torch.nn.functional.cross_entropy(logits.reshape(-1, 10), tgt_out.reshape(-1), ignore_index=0)
    assert plain.item() == pytest.approx(expected_plain.item())
    expected = torch.nn.functional.cross_entropy(changed.reshape(-1, 10), tgt_out.reshape(-1), ignore_index=0,
                                                 label_smoothing=0.1)
    assert smoothed.item() == pytest.approx(expected.item())  # same as PyTorch's label smoothing, pads ignored


def test_coverage_penalty_counts_attention_paid_twice_over_real_tokens():
    weights = torch.tensor([[[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]])  # (B=1, T=3, S=2)
    # step 0: nothing covered; step 1: min(0.5, 1) + min(0.5, 0) = 0.5; step 2: min(0, 1.5) + min(1, 0.5) = 0.5
    assert coverage_penalty(weights, torch.tensor([[True, True, True]])).item() == pytest.approx(1.0 / 3)
    assert coverage_penalty(weights, torch.tensor([[True, True, False]])).item() == pytest.approx(0.5 / 2)
    assert coverage_penalty(torch.eye(3)[None], torch.ones(1, 3, dtype=torch.bool)).item() == 0.0  # each piece once


def test_overfit_reproduces_the_training_replies(overfit):
    pairs, outcome = overfit
    losses = [e.train_loss for e in outcome.fit.epochs]
    assert losses[-1] < 0.1 * losses[0]
    assert outcome.generator.reply_texts(pairs.sources) == pairs.targets
    beam = outcome.generator.reply_texts(pairs.sources, DecodeConfig(beam_size=4))
    assert beam == pairs.targets


def test_callback_reports_perplexity_and_stop_flag_ends_training():
    torch.manual_seed(0)
    model = Seq2Seq(Seq2SeqConfig(vocab_size=30, emb_dim=8, hidden_dim=8, decoder_dim=8, attention_dim=8))
    split = PairSplit([[5, 6, 7]] * 40, [[2, 8, 9, 3]] * 40)
    stop, events = threading.Event(), []

    def callback(event):
        events.append(event)
        if event.kind == "step" and event.step >= 13:  # 10 steps an epoch: stop early in epoch 2
            stop.set()

    config = Seq2SeqTrainConfig(epochs=5, batch_size=4, report_every=1)
    result = fit(model, Seq2SeqTask(config), split, split, config, callback, stop)
    assert result.stopped and len(result.epochs) == 1  # the unfinished epoch 2 is not kept
    assert max(e.step for e in events if e.kind == "step") == 13  # nothing ran after the flag
    epoch = result.epochs[0]
    assert perplexity(epoch.val_loss) == pytest.approx(math.exp(epoch.val_loss))
    assert events[-1].kind == "end" and 0 < events[-2].progress < 1
