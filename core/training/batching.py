"""Length-bucketed batches padded to the batch maximum (about 2x faster than random batches on CPU)."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence

import torch

from core.corpus.tokenizer import PAD_ID, UNK_ID

BUCKET_FACTOR = 50  # sort within windows of this many batches: similar lengths, still shuffled


def steps_per_epoch(rows: int, batch_size: int) -> int:
    """Optimiser steps in one epoch over `rows` examples (the last batch may be short)."""
    return math.ceil(rows / batch_size)


def bucketed_batches(lengths: Sequence[int], batch_size: int, rng: random.Random | None) -> list[list[int]]:
    """Index batches of similar length; rng=None keeps a fixed order (evaluation)."""
    order = list(range(len(lengths)))
    if rng is None:
        order.sort(key=lambda i: lengths[i])
        return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(order)
    window = batch_size * BUCKET_FACTOR
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda i: lengths[i])
        batches.extend(chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def pad_batch(sequences: Sequence[Sequence[int]], pad_to: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Token id lists → ids (B, T) padded with PAD_ID, lengths (B,). Empty lists become one <unk>."""
    sequences = [seq if len(seq) else [UNK_ID] for seq in sequences]
    width = pad_to or max(len(seq) for seq in sequences)
    ids = torch.full((len(sequences), width), PAD_ID, dtype=torch.long)  # (B, T)
    for row, seq in enumerate(sequences):
        seq = seq[:width]
        ids[row, :len(seq)] = torch.as_tensor(seq, dtype=torch.long)
    lengths = torch.as_tensor([min(len(seq), width) for seq in sequences], dtype=torch.long)  # (B,)
    return ids, lengths


def iterate_batches(
    sequences: Sequence[Sequence[int]], labels: Sequence[int], batch_size: int, rng: random.Random | None,
) -> Iterator[tuple[list[int], torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Yields (indices, ids (B, T), lengths (B,), labels (B,))."""
    for batch in bucketed_batches([len(s) for s in sequences], batch_size, rng):
        ids, lengths = pad_batch([sequences[i] for i in batch])
        yield batch, ids, lengths, torch.as_tensor([labels[i] for i in batch], dtype=torch.long)
