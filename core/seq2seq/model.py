"""Encoder-decoder with additive (Bahdanau) attention.

Encoder: embedding → bidirectional LSTM/GRU → states h_j (B, S, 2H).
Decoder step t: e_tj = vᵀ tanh(W_s s_{t-1} + W_y y_{t-1} + W_h h_j);  α_t = softmax(e_t) over real source tokens;
c_t = Σ_j α_tj h_j;  s_t = RNNCell([y_{t-1}; c_t], s_{t-1});  logits = W_g tanh(W_o [s_t; c_t; y_{t-1}]).
With `copy` (a pointer-generator, See et al. 2017): p_gen = σ(w_g · [s_t; c_t; y_{t-1}]) and
P(w) = p_gen softmax(logits)_w + (1 - p_gen) Σ_{j: x_j = w} α_tj, so attention can copy source pieces into the reply.
The query sees y_{t-1}, the piece just emitted: s_{t-1} has not, so after copying x_j it could not tell that x_j was
written, stayed on j and copied it again ("빌려 빌려"; docs/performance.md). Bundles saved before W_y get W_y = 0.
With `coverage` (the same paper): the attention also sees how much each source piece has had so far,
e_tj = vᵀ tanh(W_s s_{t-1} + W_y y_{t-1} + W_h h_j + w_c cov_tj) with cov_t = Σ_{t'<t} α_t', so it can move on after
copying a piece.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

from core.corpus.tokenizer import BOS_ID, EOS_ID, PAD_ID
from core.training.layers import lengths_to_mask, run_rnn

RNNS = ("lstm", "gru")
State = tuple[torch.Tensor, ...]  # LSTM: (s, cell, coverage); GRU: (s, coverage); s, cell (B, D), coverage (B, S)


@dataclass
class Seq2SeqConfig:
    vocab_size: int = 4000
    emb_dim: int = 128  # shared by source, target and (tied) output layer
    hidden_dim: int = 128  # encoder, per direction; states are 2 * hidden_dim
    decoder_dim: int = 256
    attention_dim: int = 128  # rows of W_s and W_h
    num_layers: int = 1  # encoder layers
    rnn: str = "lstm"  # lstm | gru
    dropout: float = 0.3
    tie_embeddings: bool = True  # output layer reuses the embedding matrix
    packed: bool = False  # pack_padded_sequence while training too (eval always packs)
    copy: bool = True  # pointer-generator: the attention weights can copy source pieces (the scores are then log P)
    # The attention sees the weight each source piece has had so far (module doc). Off: on the real file (seed 0) it
    # scored chrF 9.57 at 8 epochs against 8.53 without, but 8.81 at 12 epochs against 9.83, perplexity 68 vs 43.
    coverage: bool = False
    pad_id: int = PAD_ID
    bos_id: int = BOS_ID
    eos_id: int = EOS_ID

    def __post_init__(self) -> None:
        if self.rnn not in RNNS:
            raise ValueError(f"rnn must be one of {', '.join(RNNS)}; got {self.rnn!r}")


@dataclass
class Memory:
    """What the decoder attends to: encoder states, their projections W_h h_j and the mask."""

    states: torch.Tensor  # (B, S, 2H)
    keys: torch.Tensor  # (B, S, A)
    mask: torch.Tensor  # (B, S), True at real tokens
    src: torch.Tensor  # (B, S) source ids: where copied attention weight lands in the vocabulary

    def select(self, index: torch.Tensor) -> Memory:
        """Rows picked (and repeated) by index, e.g. one row per beam."""
        return Memory(self.states.index_select(0, index), self.keys.index_select(0, index),
                      self.mask.index_select(0, index), self.src.index_select(0, index))


class BahdanauAttention(nn.Module):
    """e_j = vᵀ tanh(W_s s + W_y y + W_h h_j [+ w_c cov_j]), normalised over the unmasked positions."""

    def __init__(self, query_dim: int, key_dim: int, attention_dim: int, input_dim: int, coverage: bool = False):
        super().__init__()
        self.W_s = nn.Linear(query_dim, attention_dim, bias=False)
        self.W_y = nn.Linear(input_dim, attention_dim, bias=False)
        self.W_h = nn.Linear(key_dim, attention_dim)
        self.v = nn.Linear(attention_dim, 1, bias=False)
        self.W_c = nn.Linear(1, attention_dim, bias=False) if coverage else None

    def forward(self, query: torch.Tensor, prev: torch.Tensor, memory: Memory, coverage: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """query s (B, D), embedded previous piece y (B, E), coverage (B, S) → context (B, 2H), weights (B, S)
        summing to 1, exactly 0 at padding."""
        energy = memory.keys + (self.W_s(query) + self.W_y(prev)).unsqueeze(1)  # (B, S, A)
        if self.W_c is not None and coverage is not None:
            energy = energy + self.W_c(coverage.unsqueeze(-1))  # (B, S, A)
        energy = torch.tanh(energy)
        scores = self.v(energy).squeeze(-1)  # (B, S)
        weights = torch.softmax(scores.masked_fill(~memory.mask, float("-inf")), dim=-1)  # (B, S)
        context = torch.bmm(weights.unsqueeze(1), memory.states).squeeze(1)  # (B, 2H)
        return context, weights


class Seq2Seq(nn.Module):
    def __init__(self, config: Seq2SeqConfig):
        super().__init__()
        self.config = config
        rnn = nn.LSTM if config.rnn == "lstm" else nn.GRU
        cell = nn.LSTMCell if config.rnn == "lstm" else nn.GRUCell
        state_dim = 2 * config.hidden_dim
        self.embedding = nn.Embedding(config.vocab_size, config.emb_dim, padding_idx=config.pad_id)
        self.encoder = rnn(config.emb_dim, config.hidden_dim, num_layers=config.num_layers, batch_first=True,
                           bidirectional=True, dropout=config.dropout if config.num_layers > 1 else 0.0)
        self.init_state = nn.Linear(state_dim, config.decoder_dim)
        self.attention = BahdanauAttention(config.decoder_dim, state_dim, config.attention_dim, config.emb_dim,
                                           config.coverage)
        self.cell = cell(config.emb_dim + state_dim, config.decoder_dim)
        self.W_o = nn.Linear(config.decoder_dim + state_dim + config.emb_dim, config.emb_dim)
        self.generator = nn.Linear(config.emb_dim, config.vocab_size)
        if config.tie_embeddings:
            self.generator.weight = self.embedding.weight
        if config.copy:
            self.copy_gate = nn.Linear(config.decoder_dim + state_dim + config.emb_dim, 1)
        self.dropout = nn.Dropout(config.dropout)

    @property
    def is_lstm(self) -> bool:
        return self.config.rnn == "lstm"

    def encode(self, src: torch.Tensor, src_lengths: torch.Tensor) -> tuple[Memory, State]:
        """Source ids (B, S), lengths (B,) → memory and the decoder's first state s_0."""
        embedded = self.dropout(self.embedding(src))  # (B, S, E)
        states = run_rnn(self.encoder, embedded, src_lengths, packed=self.config.packed or not self.training)  # (B, S, 2H)
        mask = lengths_to_mask(src_lengths, src.size(1))  # (B, S)
        mean = (states * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)  # (B, 2H)
        first = torch.tanh(self.init_state(mean))  # (B, D)
        coverage = torch.zeros(mask.shape, dtype=states.dtype, device=states.device)  # (B, S)
        state = (first, torch.zeros_like(first), coverage) if self.is_lstm else (first, coverage)
        return Memory(states, self.attention.W_h(states), mask, src), state

    def step(self, prev_ids: torch.Tensor, state: State, memory: Memory) -> tuple[torch.Tensor, State, torch.Tensor]:
        """One decoder step: previous tokens (B,) → scores (B, V) (log P with copy, else logits), new state,
        attention (B, S)."""
        prev = self.dropout(self.embedding(prev_ids))  # (B, E)
        hidden, context, state, weights = self._recur(prev, state, memory)
        scores = self._scores(hidden.unsqueeze(1), context.unsqueeze(1), prev.unsqueeze(1), weights.unsqueeze(1), memory)
        return scores.squeeze(1), state, weights

    def _recur(self, prev: torch.Tensor, state: State, memory: Memory
               ) -> tuple[torch.Tensor, torch.Tensor, State, torch.Tensor]:
        """Attend with s_{t-1} and y_{t-1} (and the coverage so far), then s_t = RNNCell([y_{t-1}; c_t], s_{t-1}).
        prev: embedded y_{t-1} (B, E)."""
        *recurrent, coverage = state
        context, weights = self.attention(recurrent[0], prev, memory, coverage)  # (B, 2H), (B, S)
        recurrent = self.cell(torch.cat([prev, context], dim=-1), tuple(recurrent) if self.is_lstm else recurrent[0])
        recurrent = recurrent if self.is_lstm else (recurrent,)
        return recurrent[0], context, (*recurrent, coverage + weights), weights

    def _scores(self, hidden: torch.Tensor, context: torch.Tensor, prev: torch.Tensor, weights: torch.Tensor,
                memory: Memory) -> torch.Tensor:
        """s_t (B, T, D), c_t (B, T, 2H), y_{t-1} (B, T, E), α (B, T, S) → (B, T, V): logits, or log P with copy."""
        joined = torch.cat([hidden, context, prev], dim=-1)  # (B, T, D + 2H + E)
        logits = self.generator(self.dropout(torch.tanh(self.W_o(joined))))  # (B, T, V)
        if not self.config.copy:
            return logits
        p_gen = torch.sigmoid(self.copy_gate(joined))  # (B, T, 1)
        index = memory.src.unsqueeze(1).expand(-1, weights.size(1), -1)  # (B, T, S)
        copied = torch.zeros_like(logits).scatter_add_(2, index, weights)  # (B, T, V): α summed per source piece
        return torch.log((p_gen * torch.softmax(logits, -1) + (1 - p_gen) * copied).clamp_min(1e-12))  # (B, T, V)

    def forward(self, src: torch.Tensor, src_lengths: torch.Tensor, tgt_in: torch.Tensor,
                teacher_forcing: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
        """src (B, S), src_lengths (B,), decoder inputs tgt_in (B, T) starting with <s>
        → logits (B, T, V), attention (B, T, S): row t weighs the source tokens when emitting token t.
        With teacher_forcing < 1, each row feeds back its own argmax instead of the gold token with
        probability 1 - teacher_forcing at every step."""
        memory, state = self.encode(src, src_lengths)
        if teacher_forcing < 1.0:
            return self._scheduled_sampling(tgt_in, state, memory, teacher_forcing)
        # Only the recurrence runs step by step; embedding, W_o, the copy gate and the vocabulary projection
        # (the biggest matmul) run once over all steps.
        prev = self.dropout(self.embedding(tgt_in))  # (B, T, E)
        hiddens, contexts, weights = [], [], []
        for t in range(tgt_in.size(1)):
            hidden, context, state, alpha = self._recur(prev[:, t], state, memory)
            hiddens.append(hidden)
            contexts.append(context)
            weights.append(alpha)
        weights = torch.stack(weights, 1)  # (B, T, S)
        scores = self._scores(torch.stack(hiddens, 1), torch.stack(contexts, 1), prev, weights, memory)
        return scores, weights  # (B, T, V), (B, T, S)

    def _scheduled_sampling(self, tgt_in: torch.Tensor, state: State, memory: Memory,
                            teacher_forcing: float) -> tuple[torch.Tensor, torch.Tensor]:
        logits, weights = [], []
        prev = tgt_in[:, 0]  # (B,)
        for t in range(tgt_in.size(1)):
            scores, state, alpha = self.step(prev, state, memory)
            logits.append(scores)  # (B, V)
            weights.append(alpha)
            if t + 1 < tgt_in.size(1):
                use_gold = torch.rand(prev.shape, device=prev.device) < teacher_forcing  # (B,)
                prev = torch.where(use_gold, tgt_in[:, t + 1], logits[-1].argmax(-1).detach())
        return torch.stack(logits, 1), torch.stack(weights, 1)  # (B, T, V), (B, T, S)
