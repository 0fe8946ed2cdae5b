"""Embedding + BiLSTM + additive (Bahdanau) attention classifier, as in the tutorial notebook.

u_t = tanh(W_att h_t);  a = softmax_t(W_c u_t) over real tokens;  c = Σ_t a_t h_t;
then LayerNorm → dropout → fc1 → ReLU → fc2. `forward` returns logits and the weights used to pool.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from core.config import ModelConfig
from core.training.layers import lengths_to_mask, run_rnn, uniform_weights, weighted_sum


class AdditiveAttention(nn.Module):
    """Scores each position with W_c tanh(W_att h_t) and normalises over the unmasked ones."""

    def __init__(self, input_dim: int, attention_dim: int):
        super().__init__()
        self.W_att = nn.Linear(input_dim, attention_dim)
        self.W_c = nn.Linear(attention_dim, 1, bias=False)

    def intermediates(self, states: torch.Tensor, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """The formula's steps, as the Inside page shows them: u (B, T, A), scores (B, T), weights (B, T)."""
        u = torch.tanh(self.W_att(states))  # (B, T, A)
        scores = self.W_c(u).squeeze(-1)  # (B, T)
        weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)  # (B, T), 0 at pads
        return {"u": u, "scores": scores, "weights": weights}

    def forward(self, states: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        weights = self.intermediates(states, mask)["weights"]  # (B, T)
        return weighted_sum(states, weights), weights


class BiLSTMWithAttention(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.emb_dim, padding_idx=config.pad_id)
        self.embedding_dropout = nn.Dropout(config.embedding_dropout)
        self.lstm = nn.LSTM(
            config.emb_dim, config.hidden_dim, num_layers=config.num_layers, batch_first=True,
            bidirectional=True, dropout=config.dropout if config.num_layers > 1 else 0.0,
        )
        state_dim = 2 * config.hidden_dim
        self.attention = AdditiveAttention(state_dim, config.attention_dim)
        self.norm = nn.LayerNorm(state_dim)
        self.dropout = nn.Dropout(config.dropout)
        self.fc1 = nn.Linear(state_dim, config.fc_dim)
        self.fc2 = nn.Linear(config.fc_dim, config.num_classes)
        # Training signal only (multi-task on the 감정_소분류): predictions never read it.
        self.aux_head = nn.Linear(state_dim, config.aux_classes) if config.aux_classes else None

    def encode(self, ids: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Token ids (B, T) → BiLSTM states (B, T, 2H) and the mask of real tokens (B, T)."""
        embedded = self.embedding_dropout(self.embedding(ids))  # (B, T, E)
        states = run_rnn(self.lstm, embedded, lengths, packed=self.config.packed or not self.training)  # (B, T, 2H)
        return states, lengths_to_mask(lengths, ids.size(1))

    def pool(self, states: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Sentence vector (B, 2H) and the weight each position had in it (B, T)."""
        if self.config.pooling == "attention":
            return self.attention(states, mask)
        if self.config.pooling == "mean":
            weights = uniform_weights(mask)  # (B, T)
            return weighted_sum(states, weights), weights
        return _last_state(states, mask, self.config.hidden_dim)

    def classify(self, context: torch.Tensor) -> torch.Tensor:
        """Sentence vector (B, 2H) → logits (B, C)."""
        hidden = F.relu(self.fc1(self.dropout(self.norm(context))))  # (B, F)
        return self.fc2(hidden)  # (B, C)

    def classify_aux(self, context: torch.Tensor) -> torch.Tensor:
        """Sentence vector (B, 2H) → the auxiliary head's 감정_소분류 logits (B, K)."""
        return self.aux_head(self.dropout(self.norm(context)))  # (B, K)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor,
                attention_weights: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """ids (B, T), lengths (B,) → logits (B, C), attention weights (B, T) summing to 1 per row.

        `attention_weights` (B, T), when given, replaces the pooling's own weights (counterfactual tests:
        uniform weights reproduce mean pooling); padded positions are zeroed and each row renormalised."""
        states, mask = self.encode(ids, lengths)
        if attention_weights is None:
            context, weights = self.pool(states, mask)
        else:
            weights = attention_weights.masked_fill(~mask, 0.0)  # (B, T)
            weights = weights / weights.sum(dim=1, keepdim=True).clamp(min=1e-12)
            context = weighted_sum(states, weights)  # (B, 2H)
        return self.classify(context), weights  # (B, C), (B, T)


def _last_state(states: torch.Tensor, mask: torch.Tensor, hidden_dim: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Forward state at the last real token joined with backward state at the first token."""
    last = mask.sum(dim=1) - 1  # (B,)
    rows = torch.arange(states.size(0), device=states.device)
    forward_last = states[rows, last, :hidden_dim]  # (B, H)
    backward_first = states[:, 0, hidden_dim:]  # (B, H)
    weights = torch.zeros(mask.shape, device=states.device)
    weights[rows, 0] += 0.5
    weights[rows, last] += 0.5  # the two positions the pooled vector comes from
    return torch.cat([forward_last, backward_first], dim=-1), weights  # (B, 2H), (B, T)
