"""SentencePiece BPE trained in memory, plus the views the app shows of its pieces."""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import sentencepiece as spm

from .config import TokenizerConfig
from .errors import AttentionLabError

PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3
WORD_START = "\u2581"  # SentencePiece's ▁ marks a piece that starts a word
MIN_VOCAB = 50
_MAX_SENTENCES = 200_000  # SentencePiece samples this many; more adds time, not quality


class Tokenizer:
    """A trained SentencePiece model, held as its serialized proto bytes."""

    def __init__(self, model_proto: bytes, config: TokenizerConfig, clamped_from: int | None = None):
        self.model_proto = model_proto
        self.config = config
        self.clamped_from = clamped_from  # the asked vocab size when the corpus could not fill it
        self.processor = spm.SentencePieceProcessor(model_proto=model_proto)
        if self.processor.pad_id() != PAD_ID or self.processor.unk_id() != UNK_ID:
            raise AttentionLabError("The tokenizer must use pad_id=0 and unk_id=1.")

    @property
    def vocab_size(self) -> int:
        return self.processor.get_piece_size()

    def encode(self, text: str, max_len: int | None = None) -> list[int]:
        ids = self.processor.encode(text)
        return ids[:max_len] if max_len else ids

    def encode_batch(self, texts: Sequence[str], max_len: int | None = None) -> list[list[int]]:
        batch = self.processor.encode(list(texts))
        return [ids[:max_len] for ids in batch] if max_len else batch

    def pieces(self, text: str, max_len: int | None = None) -> list[str]:
        return [self.processor.id_to_piece(i) for i in self.encode(text, max_len)]

    def decode(self, ids: Iterable[int]) -> str:
        return self.processor.decode([int(i) for i in ids if i not in (PAD_ID, BOS_ID, EOS_ID)])

    def id_to_piece(self, token_id: int) -> str:
        return self.processor.id_to_piece(int(token_id))


def train_tokenizer(sentences: Sequence[str], config: TokenizerConfig | None = None) -> Tokenizer:
    """Train BPE on the sentences; a vocab size the corpus can't fill is clamped, not an error."""
    config = config or TokenizerConfig()
    sentences = [s for s in sentences if s]
    if not sentences:
        raise AttentionLabError("No sentences to train the tokenizer on.")
    if config.vocab_size < MIN_VOCAB:
        raise AttentionLabError(f"Vocabulary size {config.vocab_size} is too small; use at least {MIN_VOCAB}.")
    try:
        return Tokenizer(_train(sentences, config, config.vocab_size), config)
    except RuntimeError as error:
        limit = _vocab_limit(str(error))
        if limit is None:
            raise AttentionLabError(_explain(str(error), config)) from None
        if limit < MIN_VOCAB:
            raise AttentionLabError(f"The corpus is too small for a tokenizer (at most {limit} pieces).") from None
    clamped = TokenizerConfig(**{**config.__dict__, "vocab_size": limit})
    return Tokenizer(_train(sentences, clamped, limit), clamped, clamped_from=config.vocab_size)


def _train(sentences: Sequence[str], config: TokenizerConfig, vocab_size: int) -> bytes:
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_writer=buffer,
        vocab_size=vocab_size,
        model_type=config.model_type,
        character_coverage=config.character_coverage,
        pad_id=PAD_ID, unk_id=UNK_ID, bos_id=BOS_ID, eos_id=EOS_ID,
        input_sentence_size=_MAX_SENTENCES,
        shuffle_input_sentence=True,
        num_threads=2,
        minloglevel=2,
    )
    return buffer.getvalue()


def _vocab_limit(message: str) -> int | None:
    match = re.search(r"value <= (\d+)", message)
    return int(match.group(1)) if match else None


def _explain(message: str, config: TokenizerConfig) -> str:
    needed = re.search(r"smaller than required_chars\. (\d+) vs (\d+)", message)
    if needed:
        minimum = int(needed.group(2)) + 4  # the characters kept plus <pad>, <unk>, <s>, </s>
        return (f"Vocabulary size {config.vocab_size} is smaller than the {needed.group(2)} distinct characters "
                f"the corpus needs; use at least {minimum}, or lower the character coverage (e.g. 0.9995).")
    return f"SentencePiece could not train: {message.strip().splitlines()[-1][:300]}"


def display_piece(piece: str) -> str:
    """A piece as shown to people: without the ▁ word-start marker (a lone ▁ stays visible)."""
    return piece.replace(WORD_START, "") or WORD_START


def is_word_start(piece: str) -> bool:
    return piece.startswith(WORD_START)


@dataclass
class LengthStats:
    lengths: list[int]
    mean: float
    median: float
    p95: float
    max: int


def length_stats(tokenizer: Tokenizer, texts: Sequence[str]) -> LengthStats:
    lengths = [len(ids) for ids in tokenizer.encode_batch(texts)]
    array = np.asarray(lengths or [0])
    return LengthStats(lengths, float(array.mean()), float(np.median(array)), float(np.percentile(array, 95)), int(array.max()))


def piece_frequencies(tokenizer: Tokenizer, texts: Sequence[str], top: int = 30) -> list[tuple[str, int]]:
    counts = Counter(i for ids in tokenizer.encode_batch(texts) for i in ids)
    return [(tokenizer.id_to_piece(i), n) for i, n in counts.most_common(top)]


def unknown_rate(tokenizer: Tokenizer, texts: Sequence[str]) -> float:
    """Share of tokens that are <unk> (characters the tokenizer never kept)."""
    batch = tokenizer.encode_batch(texts)
    total = sum(len(ids) for ids in batch)
    return sum(ids.count(UNK_ID) for ids in batch) / total if total else 0.0
