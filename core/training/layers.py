"""Layers both models share: the mask of real tokens, a (packed) bidirectional RNN pass, weighted pooling."""

from __future__ import annotations

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def lengths_to_mask(lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    """True at real tokens; every row keeps at least one, so no softmax sees only -inf."""
    positions = torch.arange(max_len, device=lengths.device)  # (T,)
    return positions[None, :] < lengths.clamp(min=1)[:, None]  # (B, T)


def run_rnn(rnn: nn.Module, embedded: torch.Tensor, lengths: torch.Tensor, packed: bool) -> torch.Tensor:
    """A batch-first (bidirectional) RNN over (B, T, E) → states (B, T, D).

    Packed (always in evaluation), the backward direction never reads padding, so a sentence's output does not
    depend on what it was batched with; unpacked is faster on CPU for training."""
    if not packed:
        return rnn(embedded)[0]
    sequence = pack_padded_sequence(embedded, lengths.clamp(min=1).cpu(), batch_first=True, enforce_sorted=False)
    states, _ = pad_packed_sequence(rnn(sequence)[0], batch_first=True, total_length=embedded.size(1))
    return states


def weighted_sum(states: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """c = Σ_t a_t h_t: states (B, T, D), weights (B, T) → (B, D)."""
    return torch.bmm(weights.unsqueeze(1), states).squeeze(1)


def uniform_weights(mask: torch.Tensor) -> torch.Tensor:
    """1/length at real tokens, 0 at pads (B, T): what mean pooling uses."""
    return mask.float() / mask.sum(dim=1, keepdim=True)
