"""A trained reply generator (tokenizer + model + configs), its replies with attention, and its bundle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from core.config import from_dict, to_dict
from core.corpus.tokenizer import Tokenizer
from core.errors import BundleError
from core.seq2seq.data import PairConfig
from core.seq2seq.decode import (
    DecodeConfig,
    beam_search,
    greedy_decode,
    mbr_decode,
    score_and_align,
)
from core.seq2seq.model import Seq2Seq, Seq2SeqConfig
from core.seq2seq.retrieval import Retrieval, retrieval_from_members, retrieval_members
from core.seq2seq.train import Seq2SeqTrainConfig
from core.training.batching import pad_batch
from core.training.bundle import BundledModel, load_parts

GENERATE_BATCH = 64


@dataclass
class Reply:
    source: str
    reply: str
    source_tokens: list[str]  # BPE pieces: the attention matrix's columns
    target_tokens: list[str]  # generated pieces, </s> last when the model ended the reply: its rows
    attention: list[list[float]]  # (len(target_tokens), len(source_tokens)), rows sum to 1
    log_prob: float
    beam_size: int

    def to_json(self) -> dict:
        return {"source": self.source, "reply": self.reply, "source_tokens": self.source_tokens,
                "target_tokens": self.target_tokens, "attention": self.attention,
                "log_prob": self.log_prob, "beam_size": self.beam_size}


@dataclass
class ReplyGenerator(BundledModel):
    tokenizer: Tokenizer
    model: Seq2Seq
    pair_config: PairConfig
    train_config: Seq2SeqTrainConfig
    metrics: dict = field(default_factory=dict)
    history: dict = field(default_factory=dict)
    retrieval: Retrieval | None = None  # the nearest-neighbour reference, fitted on the training pairs

    KIND = "seq2seq"

    @property
    def model_config(self) -> Seq2SeqConfig:
        return self.model.config

    def decode_config(self, beam_size: int = 1, samples: int = 0) -> DecodeConfig:
        """Decoding defaults for this model: replies may be as long as the longest trained target, plus </s>."""
        return DecodeConfig(beam_size=beam_size, max_len=self.train_config.max_target_len + 1, samples=samples)

    def generate(self, sentences: Sequence[str], decode: DecodeConfig | None = None) -> list[Reply]:
        """A reply for each sentence with its pieces, attention matrix and log-probability."""
        decode = decode or self.decode_config()
        replies = []
        for start in range(0, len(sentences), GENERATE_BATCH):
            chunk = list(sentences[start:start + GENERATE_BATCH])
            src, lengths = self._encode(chunk)
            hypotheses = self._decode(src, lengths, decode)
            for row, (sentence, tokens) in enumerate(zip(chunk, hypotheses)):
                replies.append(self._reply(sentence, src[row:row + 1], lengths[row:row + 1], tokens, decode.beam_size))
        return replies

    def reply_texts(self, sentences: Sequence[str], decode: DecodeConfig | None = None) -> list[str]:
        """Only the reply strings (no attention): what evaluation needs, in batches."""
        decode = decode or self.decode_config()
        texts = []
        for start in range(0, len(sentences), GENERATE_BATCH):
            src, lengths = self._encode(list(sentences[start:start + GENERATE_BATCH]))
            texts += [self.tokenizer.decode(tokens) for tokens in self._decode(src, lengths, decode)]
        return texts

    def _encode(self, sentences: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        return pad_batch(self.tokenizer.encode_batch(sentences, self.train_config.max_source_len))  # (B, S), (B,)

    def _decode(self, src: torch.Tensor, lengths: torch.Tensor, decode: DecodeConfig) -> list[list[int]]:
        if decode.samples:
            return mbr_decode(self.model, src, lengths, decode, self.tokenizer.decode)
        if decode.beam_size == 1:
            return greedy_decode(self.model, src, lengths, decode.max_len, decode.no_repeat_ngram)
        return [beam_search(self.model, src[i:i + 1], lengths[i:i + 1], decode.beam_size, decode.max_len,
                            decode.length_penalty, decode.no_repeat_ngram) for i in range(src.size(0))]

    def _reply(self, sentence: str, src: torch.Tensor, length: torch.Tensor, tokens: list[int], beam_size: int) -> Reply:
        log_prob, attention = score_and_align(self.model, src, length, tokens)  # (T, S_real)
        source_ids = src[0, :attention.size(1)].tolist()
        return Reply(
            source=sentence,
            reply=self.tokenizer.decode(tokens),
            source_tokens=[self.tokenizer.id_to_piece(i) for i in source_ids],
            target_tokens=[self.tokenizer.id_to_piece(i) for i in tokens],
            attention=[[round(float(w), 6) for w in row] for row in attention],
            log_prob=round(log_prob, 4),
            beam_size=beam_size,
        )

    def extra_meta(self) -> dict:
        return {"pair_config": to_dict(self.pair_config)}

    def bundle_extras(self) -> dict[str, bytes]:
        return retrieval_members(self.retrieval) if self.retrieval is not None else {}

    def bundle_tensors(self) -> dict[str, torch.Tensor]:
        # Tied weights would be stored twice (safetensors refuses shared storage): drop the alias.
        return {k: v for k, v in self.model.state_dict().items()
                if not (self.model_config.tie_embeddings and k == "generator.weight")}


def load_generator(source, name: str = "bundle") -> ReplyGenerator:
    """Rebuild a reply generator from a bundle; incompatible contents raise BundleError."""
    parts = load_parts(source, ReplyGenerator.KIND, name, Seq2Seq, Seq2SeqConfig, Seq2SeqTrainConfig, _tie)
    try:
        pair_config = from_dict(PairConfig, parts.meta["pair_config"])
    except Exception as error:
        raise BundleError(f"{name}: the bundle's pair settings are unreadable ({type(error).__name__}).") from None
    try:
        retrieval = retrieval_from_members(parts.extras)
    except Exception as error:
        raise BundleError(f"{name}: the bundle's retrieval index is unreadable ({type(error).__name__}).") from None
    return ReplyGenerator(parts.tokenizer, parts.model, pair_config, parts.train_config,
                          parts.meta.get("metrics", {}), parts.meta.get("history", {}), retrieval)


COPY_OFF_BIAS = 100.0  # σ(100) is 1.0 in float32: a gate that never copies


def _tie(model_config: Seq2SeqConfig, tensors: dict) -> dict:
    """Restore the tied output layer; a bundle saved before the copy gate existed gets a gate that never copies."""
    if model_config.tie_embeddings:
        tensors["generator.weight"] = tensors["embedding.weight"]
    if model_config.copy and "copy_gate.weight" not in tensors:
        width = model_config.decoder_dim + 2 * model_config.hidden_dim + model_config.emb_dim
        tensors["copy_gate.weight"] = torch.zeros(1, width)
        tensors["copy_gate.bias"] = torch.full((1,), COPY_OFF_BIAS)
    return tensors
