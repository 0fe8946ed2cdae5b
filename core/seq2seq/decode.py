"""Greedy and beam-search decoding, minimum-Bayes-risk choice among samples, and a hypothesis's attention matrix."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from core.corpus.tokenizer import UNK_ID
from core.seq2seq.metrics import sentence_chrf
from core.seq2seq.model import Seq2Seq, State

BEAM_SIZE = 4  # the beam the Reply page offers beside greedy (measured on the real file: see DecodeConfig)
# Samples for the minimum-Bayes-risk choice (DecodeConfig.samples): on the real file (12-epoch model, seed 0, 1,000
# held-out pairs) 16 gave chrF 11.1 against 9.8 greedy and 9.2 retrieval, at ~0.14 s a sentence on one thread.
MBR_SAMPLES = 16


@dataclass
class DecodeConfig:
    beam_size: int = 1  # 1 = greedy
    max_len: int = 48  # generated tokens, </s> included
    # Measured on the real file (8-epoch model, 500 held-out pairs): beam 4 with α 2 and trigram blocking gave
    # chrF 8.88 against 8.60 greedy (α 1: 8.13 at 4 epochs; α 2: 8.60); no blocking cost ~1 chrF.
    length_penalty: float = 2.0  # GNMT α: finished beams ranked by log P / ((5 + |Y|) / 6)^α; 0 = raw log P
    no_repeat_ngram: int = 3  # a piece that would repeat an n-gram already in the reply is barred; 0 = off
    # A piece that would repeat the pieces just before it back to back ("빌려 빌려", "을 을", "A B A B") is barred:
    # n-gram blocking allows "을 을 을", and these were most stutters (metrics.stutters) before the model's fix.
    block_stutter: bool = True
    # Minimum Bayes risk: with samples > 0, the greedy reply and that many ε-samples are candidates, and the one
    # with the highest mean chrF against the others is the reply (beam_size is then not used).
    samples: int = 0
    temperature: float = 0.7
    epsilon: float = 0.02  # ε-sampling: pieces under this probability are never drawn (the likeliest always may)
    seed: int = 0  # each sentence's samples come from this seed alone, so a reply never depends on its batch

    def __post_init__(self) -> None:
        if self.beam_size < 1 or self.max_len < 1:
            raise ValueError("beam_size and max_len must be at least 1")
        if self.samples < 0 or self.temperature <= 0 or not 0 <= self.epsilon < 1:
            raise ValueError("samples must be ≥ 0, temperature > 0 and epsilon in [0, 1)")


def length_penalty(length: int, alpha: float) -> float:
    return ((5 + length) / 6) ** alpha


def repeated_ngram_tokens(tokens: list[int], n: int) -> list[int]:
    """Tokens that would complete an n-gram already present in `tokens` (fairseq's no-repeat-ngram rule)."""
    if n <= 0 or len(tokens) < n:
        return []
    prefix = tokens[len(tokens) - n + 1:]
    return [tokens[i + n - 1] for i in range(len(tokens) - n + 1) if tokens[i:i + n - 1] == prefix]


def back_to_back_tokens(tokens: list[int]) -> list[int]:
    """Tokens that would end `tokens` with a chunk of k pieces twice back to back, for every k: the piece k back,
    when the k - 1 pieces before the end repeat the k - 1 before it (k = 1: the last piece itself)."""
    n = len(tokens)
    return [tokens[n - k] for k in range(1, (n + 1) // 2 + 1) if tokens[n + 1 - 2 * k:n - k] == tokens[n + 1 - k:]]


def block_repeats(scores: torch.Tensor, hypotheses: list[list[int]], n: int, stutter: bool = False) -> torch.Tensor:
    """scores (K, V) with -inf at each row's barred tokens: those repeating an n-gram, and with `stutter` those
    repeating the pieces just before them back to back."""
    for row, tokens in enumerate(hypotheses):
        barred = repeated_ngram_tokens(tokens, n) + (back_to_back_tokens(tokens) if stutter else [])
        if barred:
            scores[row, barred] = float("-inf")
    return scores


@torch.no_grad()
def greedy_decode(model: Seq2Seq, src: torch.Tensor, src_lengths: torch.Tensor, max_len: int,
                  no_repeat_ngram: int = 0, block_stutter: bool = False) -> list[list[int]]:
    """The argmax token at every step, for a whole batch; each row ends at its first </s> (kept)."""
    model.eval()
    memory, state = model.encode(src, src_lengths)
    return _step_rows(model, state, memory, max_len,
                      lambda scores, rows: block_repeats(scores, rows, no_repeat_ngram, block_stutter).argmax(-1))


def bar_specials(scores: torch.Tensor, model: Seq2Seq) -> torch.Tensor:
    """scores (K, V) with -inf at <pad>, <unk> and <s>, which no reply contains: where every better piece was barred
    as a repeat, <unk> ranked next (a "⁇" in the reply)."""
    scores[:, [model.config.pad_id, UNK_ID, model.config.bos_id]] = float("-inf")
    return scores


def _step_rows(model: Seq2Seq, state: State, memory, max_len: int,
               choose: Callable[[torch.Tensor, list[list[int]]], torch.Tensor]) -> list[list[int]]:
    """Decode every row of `memory` step by step; choose(scores (R, V), rows so far) → next tokens (R,). Stops
    when every row has produced </s> (kept) or at max_len."""
    n = memory.src.size(0)
    prev = torch.full((n,), model.config.bos_id, dtype=torch.long, device=memory.src.device)  # (R,)
    done = torch.zeros(n, dtype=torch.bool, device=memory.src.device)  # (R,)
    rows: list[list[int]] = [[] for _ in range(n)]
    for _ in range(max_len):
        scores, state, _ = model.step(prev, state, memory)
        prev = choose(bar_specials(scores, model), rows)
        for row, token in zip(rows, prev.tolist()):
            row.append(token)
        done |= prev == model.config.eos_id
        if bool(done.all()):
            break
    return [_through_eos(row, model.config.eos_id) for row in rows]


@torch.no_grad()
def beam_search(model: Seq2Seq, src: torch.Tensor, src_lengths: torch.Tensor, beam_size: int, max_len: int,
                alpha: float = 1.0, no_repeat_ngram: int = 0, block_stutter: bool = False) -> list[int]:
    """The best hypothesis for one sentence (src (1, S)). Of the 2K best extensions, </s> ends a
    hypothesis only when it ranks in the top K (as in fairseq), so beam size 1 is exactly greedy.
    Search stops at max_len, or once K hypotheses have finished and the best alive one, normalised at its
    current length, no longer beats the best finished (Hugging Face's heuristic): with copying, short
    hypotheses that end on a copied '.' finish early and must not end the search for the better long one."""
    model.eval()
    memory, state = model.encode(src, src_lengths)
    alive: list[list[int]] = [[]]
    scores = torch.zeros(1)  # (K,) summed log-probabilities of the alive hypotheses
    finished: list[tuple[float, list[int]]] = []
    for step in range(max_len):
        prev = torch.tensor([h[-1] if h else model.config.bos_id for h in alive])  # (K,)
        step_scores, state, _ = model.step(prev, state, memory.select(torch.zeros(len(alive), dtype=torch.long)))
        log_probs = torch.log_softmax(bar_specials(step_scores, model), dim=-1)  # (K, V)
        log_probs = block_repeats(log_probs, alive, no_repeat_ngram, block_stutter)
        total = scores[:, None] + log_probs  # (K, V)
        top_scores, top_index = total.view(-1).topk(min(2 * beam_size, total.numel()))
        keep, new_scores = [], []
        for rank, (score, index) in enumerate(zip(top_scores.tolist(), top_index.tolist())):
            beam, token = divmod(index, total.size(1))
            if token == model.config.eos_id:
                if rank < beam_size:
                    finished.append((score / length_penalty(step + 1, alpha), alive[beam] + [token]))
            elif len(keep) < beam_size:
                keep.append((beam, alive[beam] + [token]))
                new_scores.append(score)
        if not keep or _done(finished, max(new_scores, default=0.0) / length_penalty(step + 1, alpha), beam_size):
            break
        beams = torch.tensor([beam for beam, _ in keep])
        alive, scores, state = [h for _, h in keep], torch.tensor(new_scores), _select_state(state, beams)
    else:  # max_len reached: unfinished hypotheses compete too
        finished += [(s / length_penalty(len(h), alpha), h) for s, h in zip(scores.tolist(), alive)]
    return max(finished, key=lambda item: item[0])[1]


@torch.no_grad()
def sample_decode(model: Seq2Seq, src: torch.Tensor, src_lengths: torch.Tensor, config: DecodeConfig) -> list[list[int]]:
    """config.samples replies for one sentence (src (1, S)), drawn with ε-sampling (Hewitt et al. 2022) at
    config.temperature from a generator seeded with config.seed."""
    model.eval()
    generator = torch.Generator(device=src.device).manual_seed(config.seed)
    index = torch.zeros(config.samples, dtype=torch.long, device=src.device)
    memory, state = model.encode(src, src_lengths)
    memory, state = memory.select(index), _select_state(state, index)

    def draw(scores: torch.Tensor, rows: list[list[int]]) -> torch.Tensor:
        barred = block_repeats(scores, rows, config.no_repeat_ngram, config.block_stutter)  # (N, V)
        probs = torch.softmax(barred / config.temperature, dim=-1)  # (N, V)
        floor = torch.minimum(torch.full_like(probs[:, :1], config.epsilon), probs.max(-1, keepdim=True).values)
        probs = torch.where(probs < floor, torch.zeros_like(probs), probs)
        return torch.multinomial(probs / probs.sum(-1, keepdim=True), 1, generator=generator).squeeze(1)  # (N,)

    return _step_rows(model, state, memory, config.max_len, draw)


def mbr_index(candidates: list[str], utility: Callable[[str, str], float] = sentence_chrf) -> int:
    """The candidate with the highest mean utility against all the others, each taken as a possible reference
    (minimum Bayes risk, Kumar & Byrne 2004); the first such one on ties."""
    if len(candidates) < 2:
        return 0
    totals = [sum(utility(c, r) for j, r in enumerate(candidates) if j != i) for i, c in enumerate(candidates)]
    return max(range(len(candidates)), key=lambda i: (totals[i], -i))


def mbr_decode(model: Seq2Seq, src: torch.Tensor, src_lengths: torch.Tensor, config: DecodeConfig,
               detokenize: Callable[[list[int]], str]) -> list[list[int]]:
    """For each sentence of the batch: the greedy reply and config.samples samples, and the MBR choice among them."""
    greedy = greedy_decode(model, src, src_lengths, config.max_len, config.no_repeat_ngram, config.block_stutter)
    chosen = []
    for row, first in enumerate(greedy):
        candidates = [first, *sample_decode(model, src[row:row + 1], src_lengths[row:row + 1], config)]
        chosen.append(candidates[mbr_index([detokenize(c) for c in candidates])])
    return chosen


def _done(finished: list[tuple[float, list[int]]], best_alive: float, beam_size: int) -> bool:
    return len(finished) >= beam_size and max(score for score, _ in finished) >= best_alive


@torch.no_grad()
def score_and_align(model: Seq2Seq, src: torch.Tensor, src_lengths: torch.Tensor, tokens: list[int]
                    ) -> tuple[float, torch.Tensor]:
    """Log-probability of a hypothesis for one sentence and its attention matrix (T, S_real):
    row t holds the weights over the source tokens at the step that emitted tokens[t]."""
    model.eval()
    tgt_in = torch.tensor([[model.config.bos_id, *tokens[:-1]]])  # (1, T)
    logits, attention = model(src, src_lengths, tgt_in)  # (1, T, V), (1, T, S)
    log_probs = torch.log_softmax(logits[0], dim=-1)  # (T, V)
    score = log_probs.gather(1, torch.tensor(tokens)[:, None]).sum().item()
    return score, attention[0, :, :int(src_lengths[0].clamp(min=1))]  # (T, S_real)


def _select_state(state: State, beams: torch.Tensor) -> State:
    return tuple(part.index_select(0, beams) for part in state)


def _through_eos(row: list[int], eos_id: int) -> list[int]:
    return row[:row.index(eos_id) + 1] if eos_id in row else row
