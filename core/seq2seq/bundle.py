"""A trained reply generator (tokenizer + model + configs), its replies with attention, and its bundle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from core.config import to_dict
from core.corpus.tokenizer import Tokenizer
from core.errors import BundleError
from core.seq2seq.data import PairConfig, as_source
from core.seq2seq.decode import DecodeConfig, beam_search, greedy_decode, mbr_decode, score_and_align
from core.seq2seq.metrics import stutters
from core.seq2seq.model import Seq2Seq, Seq2SeqConfig
from core.seq2seq.retrieval import MEMBER as RETRIEVAL_MEMBER
from core.seq2seq.retrieval import Retrieval, retrieval_from_members, retrieval_members
from core.seq2seq.train import Seq2SeqTrainConfig
from core.training.batching import pad_batch
from core.training.bundle import (
    BundledModel,
    checked_config,
    load_parts,
    parse_member_json,
    refusing_damage,
    rnn_shapes,
)

GENERATE_BATCH = 64
# What a bundle's retrieval index may hold. Its refit (TF-IDF over character n-grams) took about 280 bytes per
# distinct n-gram (random Hangul) and 60 per source character (the sample's pairs repeated to 109,000: 4.1M
# characters, 13,000 n-grams, +240 MB); 1.5M n-grams near the cap peaked `seq2seq generate` at 722 MB.
MAX_RETRIEVAL_CHARS = 8_000_000
MAX_RETRIEVAL_NGRAMS = 1_500_000
MAX_RETRIEVAL_NGRAM = 8  # longest n-gram in its range (the index uses 1 to 4)


@dataclass
class Reply:
    source: str
    reply: str
    source_tokens: list[str]  # BPE pieces: the attention matrix's columns
    target_tokens: list[str]  # generated pieces, </s> last when the model ended the reply: its rows
    attention: list[list[float]]  # (len(target_tokens), len(source_tokens)), rows sum to 1
    log_prob: float
    beam_size: int

    @property
    def stutters(self) -> bool:
        return stutters(self.reply)

    def to_json(self) -> dict:
        return {"source": self.source, "reply": self.reply, "source_tokens": self.source_tokens,
                "target_tokens": self.target_tokens, "attention": self.attention,
                "log_prob": self.log_prob, "beam_size": self.beam_size, "stutters": self.stutters}


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
        sources = [as_source(s) for s in sentences]
        return pad_batch(self.tokenizer.encode_batch(sources, self.train_config.max_source_len))  # (B, S), (B,)

    def _decode(self, src: torch.Tensor, lengths: torch.Tensor, decode: DecodeConfig) -> list[list[int]]:
        if decode.samples:
            return mbr_decode(self.model, src, lengths, decode, self.tokenizer.decode)
        if decode.beam_size == 1:
            return greedy_decode(self.model, src, lengths, decode.max_len, decode.no_repeat_ngram, decode.block_stutter)
        return [beam_search(self.model, src[i:i + 1], lengths[i:i + 1], decode.beam_size, decode.max_len,
                            decode.length_penalty, decode.no_repeat_ngram, decode.block_stutter)
                for i in range(src.size(0))]

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
    """Rebuild a reply generator from a bundle; contents that are incompatible, or of the wrong type anywhere,
    raise BundleError before anything is kept."""
    parts = load_parts(source, ReplyGenerator.KIND, name, Seq2Seq, Seq2SeqConfig, Seq2SeqTrainConfig,
                       tensor_shapes, _tie)
    pair_config = checked_config(PairConfig, parts.meta.get("pair_config"), "pair_config", name)
    with refusing_damage(name):
        retrieval = _retrieval(parts.extras, name)
    return ReplyGenerator(parts.tokenizer, parts.model, pair_config, parts.train_config,
                          parts.metrics, parts.history, retrieval)


def tensor_shapes(config: Seq2SeqConfig) -> tuple[dict, dict]:
    """Every tensor of Seq2Seq's state dict by name and shape, from its settings alone (nothing is allocated):
    (required, optional). Optional: the copy gate and the attention's W_y (bundles saved before they existed lack
    them) and the tied output weight (saving drops the alias)."""
    v, e, h, d, a = config.vocab_size, config.emb_dim, config.hidden_dim, config.decoder_dim, config.attention_dim
    gates, state = (4 if config.rnn == "lstm" else 3), 2 * h
    joint = d + state + e  # [s_t; c_t; y_{t-1}]
    shapes = {"embedding.weight": (v, e), **rnn_shapes("encoder", gates, e, h, config.num_layers),
              "init_state.weight": (d, state), "init_state.bias": (d,),
              "attention.W_s.weight": (a, d), "attention.W_h.weight": (a, state), "attention.W_h.bias": (a,),
              "attention.v.weight": (1, a), "cell.weight_ih": (gates * d, e + state), "cell.weight_hh": (gates * d, d),
              "cell.bias_ih": (gates * d,), "cell.bias_hh": (gates * d,), "W_o.weight": (e, joint), "W_o.bias": (e,),
              "generator.bias": (v,)}
    if config.coverage:
        shapes["attention.W_c.weight"] = (a, 1)
    optional = {"attention.W_y.weight": (a, e)}
    if config.copy:
        optional |= {"copy_gate.weight": (1, joint), "copy_gate.bias": (1,)}
    (optional if config.tie_embeddings else shapes)["generator.weight"] = (v, e)
    return shapes, optional


def _retrieval(extras: dict[str, bytes], name: str) -> Retrieval | None:
    """The retrieval reference, its JSON checked before it is refitted (a refit's memory grows with the distinct
    n-grams, so they are counted first), then tried once: a bundle whose index cannot answer is refused now."""
    if RETRIEVAL_MEMBER not in extras:
        return None
    meta = parse_member_json(extras[RETRIEVAL_MEMBER], RETRIEVAL_MEMBER, name)
    unreadable = BundleError("bundle_retrieval", name=name)
    if not isinstance(meta, dict):
        raise unreadable
    sources, replies, ngram_range = meta.get("sources"), meta.get("replies"), meta.get("ngram_range")
    if not (_texts(sources) and _texts(replies) and len(sources) == len(replies)
            and isinstance(ngram_range, list) and len(ngram_range) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in ngram_range)
            and 1 <= ngram_range[0] <= ngram_range[1] <= MAX_RETRIEVAL_NGRAM):
        raise unreadable
    if sum(map(len, sources)) > MAX_RETRIEVAL_CHARS or _too_many_ngrams(sources, ngram_range, MAX_RETRIEVAL_NGRAMS):
        raise BundleError("bundle_retrieval_large", name=name)
    retrieval = retrieval_from_members(extras)
    retrieval.reply(["가"])
    return retrieval


def _texts(values) -> bool:
    return isinstance(values, list) and 0 < len(values) and all(isinstance(v, str) for v in values)


def _too_many_ngrams(sources: list[str], ngram_range: list[int], most: int) -> bool:
    """Whether the distinct character n-grams the refit would index (char_wb: within words padded by a space,
    lowercased) exceed `most`; counted over distinct words and stopped as soon as they do."""
    words = set()
    for source in sources:
        words.update(source.lower().split())
    seen = set()
    for word in words:
        padded = f" {word} "
        for n in range(ngram_range[0], ngram_range[1] + 1):
            seen.update(padded[i:i + n] for i in range(max(1, len(padded) - n + 1)))
        if len(seen) > most:
            return True
    return False


COPY_OFF_BIAS = 100.0  # σ(100) is 1.0 in float32: a gate that never copies


def _tie(model_config: Seq2SeqConfig, tensors: dict) -> dict:
    """Restore the tied output layer; a bundle saved before the copy gate existed gets a gate that never copies, one
    saved before the attention saw the previous piece gets W_y = 0 (its attention unchanged)."""
    if model_config.tie_embeddings:
        tensors["generator.weight"] = tensors["embedding.weight"]
    if "attention.W_y.weight" not in tensors:
        tensors["attention.W_y.weight"] = torch.zeros(model_config.attention_dim, model_config.emb_dim)
    if model_config.copy and "copy_gate.weight" not in tensors:
        width = model_config.decoder_dim + 2 * model_config.hidden_dim + model_config.emb_dim
        tensors["copy_gate.weight"] = torch.zeros(1, width)
        tensors["copy_gate.bias"] = torch.full((1,), COPY_OFF_BIAS)
    return tensors
