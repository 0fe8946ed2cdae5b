"""Length-bucketed batches: every example once, similar lengths together, padded to the batch maximum."""

import random

import torch

from core.corpus.tokenizer import PAD_ID, UNK_ID
from core.training.batching import bucketed_batches, iterate_batches, pad_batch


def test_bucketed_batches_cover_everything_once_and_group_lengths():
    lengths = [i % 37 for i in range(1000)]
    batches = bucketed_batches(lengths, 32, random.Random(1))
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(1000))
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches) / len(batches)
    assert spread < 5  # random batches would spread over ~30


def test_without_rng_the_order_is_fixed_and_sorted_by_length():
    lengths = [5, 1, 3, 2, 4]
    assert bucketed_batches(lengths, 2, None) == [[1, 3], [2, 4], [0]]
    assert bucketed_batches(lengths, 2, random.Random(0)) == bucketed_batches(lengths, 2, random.Random(0))


def test_pad_batch_pads_to_the_longest_and_turns_empty_rows_into_unk():
    ids, lengths = pad_batch([[5, 6, 7], [8], []])
    assert ids.tolist() == [[5, 6, 7], [8, PAD_ID, PAD_ID], [UNK_ID, PAD_ID, PAD_ID]]
    assert lengths.tolist() == [3, 1, 1] and ids.dtype == lengths.dtype == torch.long


def test_pad_to_fixes_the_width_and_cuts_longer_rows():
    ids, lengths = pad_batch([[5, 6, 7, 8], [9]], pad_to=3)
    assert ids.tolist() == [[5, 6, 7], [9, PAD_ID, PAD_ID]] and lengths.tolist() == [3, 1]


def test_iterate_batches_keeps_labels_with_their_sentences():
    sequences = [[10 + i] * (1 + i % 4) for i in range(10)]
    labels = list(range(10))
    seen = []
    for batch, ids, lengths, batch_labels in iterate_batches(sequences, labels, 3, random.Random(2)):
        assert batch_labels.tolist() == [labels[i] for i in batch]
        assert ids[:, 0].tolist() == [10 + i for i in batch] and lengths.tolist() == [len(sequences[i]) for i in batch]
        seen += batch
    assert sorted(seen) == labels
