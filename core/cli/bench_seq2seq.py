"""Seq2seq training speed for `python -m core bench`: our teacher-forced loop against a tutorial-style reference.

The reference is written the way the PyTorch seq2seq tutorial writes it ("NLP From Scratch: Translation with
a Sequence to Sequence Network and Attention"): a batched nn.GRU decoder called once per step in a Python loop,
Bahdanau attention recomputed in full at every step (W_a s + U_a h_j, with U_a h_j projected again each step),
the vocabulary projection inside the loop, random batches padded to one fixed length and no padding mask.
Both train on the same pairs with the same sizes (embedding, encoder and decoder states, attention, vocabulary).
"""

from __future__ import annotations

import random
import time
from dataclasses import replace

import torch
import torch.nn as nn
import torch.nn.functional as F

from core.seq2seq.model import Seq2Seq, Seq2SeqConfig
from core.seq2seq.train import PairSplit, Seq2SeqTask, Seq2SeqTrainConfig, pair_batches
from core.training.batching import pad_batch


class TutorialAttention(nn.Module):
    def __init__(self, query_dim: int, key_dim: int, attention_dim: int):
        super().__init__()
        self.Wa = nn.Linear(query_dim, attention_dim)
        self.Ua = nn.Linear(key_dim, attention_dim)
        self.Va = nn.Linear(attention_dim, 1)

    def forward(self, query: torch.Tensor, keys: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """query (B, 1, D), keys (B, S, 2H) → context (B, 1, 2H), weights (B, 1, S); every position counts."""
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))  # (B, S, 1)
        weights = F.softmax(scores.squeeze(2).unsqueeze(1), dim=-1)  # (B, 1, S)
        return torch.bmm(weights, keys), weights


class TutorialSeq2Seq(nn.Module):
    """Bidirectional GRU encoder; GRU decoder stepped one token at a time, as in the tutorial."""

    def __init__(self, config: Seq2SeqConfig):
        super().__init__()
        state_dim = 2 * config.hidden_dim
        self.embedding = nn.Embedding(config.vocab_size, config.emb_dim)
        self.encoder = nn.GRU(config.emb_dim, config.hidden_dim, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(state_dim, config.decoder_dim)
        self.target_embedding = nn.Embedding(config.vocab_size, config.emb_dim)
        self.attention = TutorialAttention(config.decoder_dim, state_dim, config.attention_dim)
        self.decoder = nn.GRU(config.emb_dim + state_dim, config.decoder_dim, batch_first=True)
        self.out = nn.Linear(config.decoder_dim, config.vocab_size)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        """src (B, S), tgt_in (B, T) → log-probabilities (B, T, V)."""
        keys, hidden = self.encoder(self.dropout(self.embedding(src)))  # (B, S, 2H), (2, B, H)
        hidden = torch.tanh(self.bridge(torch.cat([hidden[0], hidden[1]], -1))).unsqueeze(0)  # (1, B, D)
        outputs = []
        for t in range(tgt_in.size(1)):
            embedded = self.dropout(self.target_embedding(tgt_in[:, t:t + 1]))  # (B, 1, E)
            context, _ = self.attention(hidden.permute(1, 0, 2), keys)  # (B, 1, 2H)
            output, hidden = self.decoder(torch.cat([embedded, context], dim=2), hidden)  # (B, 1, D)
            outputs.append(self.out(output))  # (B, 1, V)
        return F.log_softmax(torch.cat(outputs, dim=1), dim=-1)  # (B, T, V)


def seq2seq_speeds(split: PairSplit, model_config: Seq2SeqConfig, train_config: Seq2SeqTrainConfig,
                   n_sentences: int, log) -> dict:
    """Sentences/s of both loops, best of two alternating rounds; the reference pads to the longest pair.

    The ratio compares the same function (attention seq2seq, no copy gate, which the tutorial lacks); our
    default model with its copy gate is timed once more beside it, to show what copying costs."""
    width = (max(len(s) for s in split.sources), max(len(t) for t in split.targets))
    plain = replace(model_config, copy=False)
    ours, reference = [], []
    for round_ in range(2):
        reference.append(_time(_tutorial_steps(split, plain, train_config, width), n_sentences // 2))
        ours.append(_time(_our_steps(split, plain, train_config), n_sentences))
        log(f"seq2seq round {round_ + 1}: ours {ours[-1]:.0f} sent/s, tutorial-style {reference[-1]:.0f} sent/s")
    with_copy = _time(_our_steps(split, replace(model_config, copy=True), train_config), n_sentences)
    return {"seq2seq_sentences_per_s": max(ours), "seq2seq_reference_sentences_per_s": max(reference),
            "seq2seq_ratio": max(ours) / max(reference), "seq2seq_pad_to": list(width),
            "seq2seq_copy_sentences_per_s": with_copy}


def _our_steps(split: PairSplit, model_config: Seq2SeqConfig, train_config: Seq2SeqTrainConfig):
    torch.manual_seed(0)
    model = Seq2Seq(model_config).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=train_config.lr)
    task = Seq2SeqTask(train_config)
    for batch in _repeat(lambda rng: pair_batches(split, train_config.batch_size, rng)):
        yield _update(model, optimizer, task.step(model, batch, training=True).objective, train_config), batch[0].size(0)


def _tutorial_steps(split: PairSplit, model_config: Seq2SeqConfig, train_config: Seq2SeqTrainConfig, width: tuple[int, int]):
    torch.manual_seed(0)
    model = TutorialSeq2Seq(model_config).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=train_config.lr)
    for index in _repeat(lambda rng: _random_batches(len(split), train_config.batch_size, rng)):
        src, _ = pad_batch([split.sources[i] for i in index], pad_to=width[0])  # (B, S_max)
        tgt, _ = pad_batch([split.targets[i] for i in index], pad_to=width[1])  # (B, T_max + 1)
        log_probs = model(src, tgt[:, :-1])  # (B, T_max, V)
        loss = F.nll_loss(log_probs.reshape(-1, log_probs.size(-1)), tgt[:, 1:].reshape(-1))  # padding counts too
        yield _update(model, optimizer, loss, train_config), len(index)


def _update(model: nn.Module, optimizer: torch.optim.Optimizer, loss: torch.Tensor, config: Seq2SeqTrainConfig) -> float:
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
    optimizer.step()
    return loss.item()


def _random_batches(n: int, batch_size: int, rng: random.Random) -> list[list[int]]:
    order = list(range(n))
    rng.shuffle(order)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def _repeat(epoch):
    rng = random.Random(0)
    while True:
        yield from epoch(rng)


def _time(steps, n_sentences: int) -> float:
    done, start = 0, time.perf_counter()
    for _, rows in steps:
        done += rows
        if done >= n_sentences:
            break
    return done / (time.perf_counter() - start)
