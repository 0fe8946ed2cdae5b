"""SentencePiece BPE trained in memory, plus the views the app shows of its pieces."""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np
import sentencepiece as spm

from core.config import TokenizerConfig, from_dict, to_dict
from core.errors import AttentionLabError

PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3
WORD_START = "\u2581"  # SentencePiece's ▁ marks a piece that starts a word
SPACE_MARK = "\u2423"  # ␣, how a piece that is only ▁ is shown
MIN_VOCAB = 50
AUTO_MERGES_PER_SENTENCE = 0.1  # "auto": merges beyond the characters, per training sentence...
AUTO_MAX_MERGES = 4000  # ...up to this many
_MAX_SENTENCES = 200_000  # SentencePiece samples this many; more adds time, not quality


class Tokenizer:
    """A trained SentencePiece model, held as its serialized proto bytes."""

    def __init__(self, model_proto: bytes, config: TokenizerConfig, clamped_from: int | None = None):
        self.model_proto = model_proto
        self.config = config
        self.clamped_from = clamped_from  # the asked vocab size when the corpus could not fill it
        self.processor = spm.SentencePieceProcessor(model_proto=model_proto)
        if self.processor.pad_id() != PAD_ID or self.processor.unk_id() != UNK_ID:
            raise AttentionLabError("tokenizer_ids")

    @property
    def vocab_size(self) -> int:
        return self.processor.get_piece_size()

    def encode(self, text: str, max_len: int | None = None) -> list[int]:
        ids = self.processor.encode(text)
        return ids[:max_len] if max_len else ids

    def encode_batch(self, texts: Sequence[str], max_len: int | None = None, sample: bool = False) -> list[list[int]]:
        """Token ids per text; `sample` draws a BPE-dropout segmentation (training only) when the config has one."""
        if sample and self.config.sampling > 0:
            batch = self.processor.encode(list(texts), enable_sampling=True, alpha=self.config.sampling, nbest_size=-1)
        else:
            batch = self.processor.encode(list(texts))
        return [ids[:max_len] for ids in batch] if max_len else batch

    def pieces(self, text: str, max_len: int | None = None) -> list[str]:
        return [self.processor.id_to_piece(i) for i in self.encode(text, max_len)]

    def decode(self, ids: Iterable[int]) -> str:
        return self.processor.decode([int(i) for i in ids if i not in (PAD_ID, BOS_ID, EOS_ID)])

    def id_to_piece(self, token_id: int) -> str:
        return self.processor.id_to_piece(int(token_id))


def train_tokenizer(sentences: Sequence[str], config: TokenizerConfig | None = None) -> Tokenizer:
    """Train BPE on the sentences. A vocab size the corpus can't fill is clamped down, and one below the
    distinct characters it needs is raised to them (reported through `clamped_from`), not an error."""
    config = config or TokenizerConfig()
    sentences = [s for s in sentences if s]
    if not sentences:
        raise AttentionLabError("tokenizer_no_sentences")
    asked = auto_vocab_size(sentences) if config.vocab_size == "auto" else int(config.vocab_size)
    if asked < MIN_VOCAB:
        raise AttentionLabError("vocab_too_small", size=asked, least=MIN_VOCAB)
    try:
        return Tokenizer(_train(sentences, config, asked), replace(config, vocab_size=asked))
    except RuntimeError as error:
        limit = _vocab_limit(str(error))
        if limit is None:
            raise training_failure(str(error), asked) from None
        if limit < MIN_VOCAB:
            raise AttentionLabError("corpus_too_small", limit=limit) from None
    return Tokenizer(_train(sentences, config, limit), replace(config, vocab_size=limit), clamped_from=asked)


def auto_vocab_size(sentences: Sequence[str]) -> int:
    """Every distinct character (with ▁ and the 4 special pieces), plus merges growing with the corpus.

    Measured on the real AIHUB file: small vocabularies generalise better on 5k–50k sentences."""
    characters = len(set("".join(sentences)) | {WORD_START}) + 4
    return characters + min(AUTO_MAX_MERGES, int(AUTO_MERGES_PER_SENTENCE * len(sentences)))


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
    """The vocab size SentencePiece can build instead: at most what the corpus fills, at least its characters."""
    too_large = re.search(r"value <= (\d+)", message)
    if too_large:
        return int(too_large.group(1))
    too_small = re.search(r"smaller than required_chars\. (\d+) vs (\d+)", message)
    return int(too_small.group(2)) + 4 if too_small else None  # the characters plus <pad>, <unk>, <s>, </s>


# SentencePiece's messages start with where in its C++ sources they were raised, and the failed check:
# "Internal: src/trainer_interface.cc(661) [(trainer_spec_.vocab_size()) == …] Vocabulary size too high …".
_SOURCE_LOCATION = re.compile(r"^\w+: \S+\.(?:cc|cpp|h)\(\d+\)\s*(?:\[.*?\](?=\s|$))?\s*")


def training_failure(message: str, vocab_size: int) -> AttentionLabError:
    """One line a user can act on: SentencePiece's reason without the C++ file and check it names."""
    line = message.strip().splitlines()[-1] if message.strip() else ""
    reason = _SOURCE_LOCATION.sub("", line)[:300] or "an internal error"
    return AttentionLabError("tokenizer_failed", size=vocab_size, problem=reason)


def display_piece(piece: str) -> str:
    """A piece as shown to people: without the ▁ word-start marker. A lone ▁ (the space before a word whose first
    character stands alone) shows as ␣: drawn as itself it reads as an underscore."""
    return piece.replace(WORD_START, "") or SPACE_MARK


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


def piece_surfaces(tokenizer: Tokenizer, text: str, max_len: int | None = None) -> list[str]:
    """The characters of `text` each piece stands for, in order (one per id of `tokenizer.encode(text)`).

    SentencePiece keeps each piece's span of the input, so an <unk> piece can be shown as the characters the
    tokenizer never saw. The space before a word is dropped, as display_piece drops ▁.
    """
    pieces = tokenizer.processor.encode(text, return_type="proto").pieces
    return [piece.surface.strip() for piece in pieces][:max_len]


@dataclass
class TokenizerReport:
    """A trained tokenizer and what the Tokenizer page shows of it, measured on the texts it will encode."""

    tokenizer: Tokenizer
    seconds: float  # training time
    sentences: int
    lengths: LengthStats
    frequent: list[tuple[str, int]]
    unknown_rate: float

    def meta(self) -> dict:
        """Everything but the tokenizer's proto, as JSON values (the workspace keeps the proto as a file)."""
        return {"config": to_dict(self.tokenizer.config), "clamped_from": self.tokenizer.clamped_from,
                "seconds": self.seconds, "sentences": self.sentences, "unknown_rate": self.unknown_rate,
                "frequent": [list(pair) for pair in self.frequent], "lengths": asdict(self.lengths)}

    @classmethod
    def from_meta(cls, proto: bytes, meta: dict) -> TokenizerReport:
        tokenizer = Tokenizer(proto, from_dict(TokenizerConfig, meta["config"]), meta.get("clamped_from"))
        return cls(tokenizer, meta["seconds"], meta["sentences"], LengthStats(**meta["lengths"]),
                   [tuple(pair) for pair in meta["frequent"]], meta["unknown_rate"])


def describe(tokenizer: Tokenizer, texts: Sequence[str], seconds: float) -> TokenizerReport:
    return TokenizerReport(tokenizer, seconds, len(texts), length_stats(tokenizer, texts),
                           piece_frequencies(tokenizer, texts, top=30), unknown_rate(tokenizer, texts))
