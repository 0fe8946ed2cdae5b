"""Does attention explain this prediction? Attention against gradient×input, integrated gradients (Captum) and
leave-one-out over the same BPE pieces, with agreement (Kendall τ, top-k), deletion curves (AOPC) and
counterfactual attention. Every step takes a batch of sentences, so a model-level summary is a loop of batches.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import torch
from captum.attr import LayerGradientXActivation, LayerIntegratedGradients
from scipy.stats import kendalltau

from core.classifier.model import BiLSTMWithAttention
from core.classifier.task import Classifier
from core.corpus.tokenizer import PAD_ID, UNK_ID, display_piece, is_word_start
from core.training.batching import pad_batch
from core.training.layers import uniform_weights, weighted_sum

METHODS = ("attention", "grad_x_input", "integrated_gradients", "leave_one_out")
PAIRS = tuple(combinations(METHODS, 2))
# Jain & Wallace (2019), BiLSTM + additive attention: Kendall τ between importance rankings, as context.
PUBLISHED_TAU = {("attention", "grad_x_input"): (0.1, 0.45), ("attention", "integrated_gradients"): (0.1, 0.45),
                 ("attention", "leave_one_out"): (0.1, 0.45), ("grad_x_input", "leave_one_out"): (0.5, 0.66),
                 ("integrated_gradients", "leave_one_out"): (0.5, 0.66)}
IG_STEPS = 32
PERMUTATIONS = 100
RANDOM_ORDERS = 3
TOP_FRACTION = 0.2  # top-k overlap uses k = ceil(20% of the pieces)
FORWARD_ROWS = 512  # sequences per no-grad forward when many deletion/keep variants are scored
WEAK_TAU, STRONG_TAU, SENSITIVE_DELTA = 0.3, 0.5, 0.05


def pair_key(a: str, b: str) -> str:
    return f"{a}/{b}"


@dataclass
class Verdict:
    """Codes the page words in either language: agreement weak|moderate|strong|undefined, sensitive, advice."""

    agreement: str
    sensitive: bool
    advice: str  # hint | care | guide
    tau: float  # τ(attention, leave-one-out)
    delta: float  # permutation median |Δp|


@dataclass
class Explanation:
    text: str
    tokens: list[str]
    label: str
    probability: float  # p(predicted class | whole sentence)
    scores: dict[str, list[float]]  # method → one signed score per piece (attention ≥ 0)
    kendall_tau: dict[str, float]  # pair_key → τ over |scores|
    top_k_overlap: dict[str, float]
    top_k: int
    deletion: dict[str, list[float]]  # method or "random" → p(predicted) after removing 0..T-1 pieces
    comprehensiveness: dict[str, float]  # AOPC: mean p drop when the top k are removed (higher = faithful)
    sufficiency: dict[str, float]  # mean p drop when only the top k are kept (lower = faithful)
    permutation_median_delta: float
    uniform_delta: float  # p(uniform α) − p
    top_zeroed_delta: float
    top_zeroed_flips: bool
    ig_convergence_delta: float  # Σ IG − (f(x) − f(baseline))
    verdict: Verdict = field(repr=False, default=None)

    def to_json(self) -> dict:
        keys = ("text", "tokens", "label", "probability", "kendall_tau", "top_k_overlap", "top_k", "deletion",
                "comprehensiveness", "sufficiency", "permutation_median_delta", "uniform_delta",
                "top_zeroed_delta", "top_zeroed_flips", "ig_convergence_delta")
        out = {key: plain(getattr(self, key)) for key in keys}
        out.update({method: plain(self.scores[method]) for method in METHODS})
        out["verdict"] = plain(vars(self.verdict))
        return out


def explain(classifier: Classifier, text: str, seed: int = 0) -> Explanation:
    return explain_batch(classifier, [text], seed)[0]


def explain_batch(classifier: Classifier, texts: Sequence[str], seed: int = 0, ig_steps: int = IG_STEPS,
                  deletion_steps: int | None = None, random_orders: int = RANDOM_ORDERS) -> list[Explanation]:
    """The full panel for each sentence; attributions, deletions and counterfactuals run batched.
    `deletion_steps` samples the deletion curves at that many evenly spaced k (None: every k)."""
    model = classifier.model.eval()
    seqs = [s or [UNK_ID] for s in classifier.tokenizer.encode_batch(list(texts), classifier.train_config.max_len)]
    ids, lengths = _to_device(model, *pad_batch(seqs))  # (B, T), (B,)
    with torch.no_grad():
        logits, attention = model(ids, lengths)  # (B, C), (B, T)
        probs = torch.softmax(logits, dim=-1)
    targets = probs.argmax(dim=-1)  # (B,)
    p0 = probs.gather(1, targets[:, None]).squeeze(1)  # (B,)
    gxi, ig, ig_delta = attributions(model, ids, lengths, targets, ig_steps)
    loo = leave_one_out(model, seqs, targets.tolist(), p0.tolist())
    counter = counterfactuals(model, ids, lengths, targets, attention, seed)
    per_row = [_row_scores(attention, gxi, ig, loo, row, len(seq)) for row, seq in enumerate(seqs)]
    curves = deletion_curves(model, list(zip(seqs, per_row, targets.tolist())), seed, deletion_steps, random_orders)
    return [_assemble(classifier, text, seqs[row], per_row[row], float(p0[row]), int(targets[row]),
                      float(ig_delta[row]), curves[row], {k: v[row] for k, v in counter.items()})
            for row, text in enumerate(texts)]


def _row_scores(attention, gxi, ig, loo, row: int, length: int) -> dict[str, np.ndarray]:
    """One sentence's four score rows, cut to its real pieces."""
    tensors = {"attention": attention, "grad_x_input": gxi, "integrated_gradients": ig}
    scores = {m: x[row, :length].detach().cpu().numpy().astype(float) for m, x in tensors.items()}
    return {**scores, "leave_one_out": np.asarray(loo[row], dtype=float)}


def _assemble(classifier, text, seq, scores, p, target, ig_delta, curves, counter) -> Explanation:
    deletion, keep = curves
    tau, overlap, k = agreement(scores)
    explanation = Explanation(
        text=text, tokens=[classifier.tokenizer.id_to_piece(i) for i in seq], label=classifier.label_names[target],
        probability=p, scores={m: s.tolist() for m, s in scores.items()}, kendall_tau=tau, top_k_overlap=overlap,
        top_k=k, deletion={m: c.tolist() for m, c in deletion.items()},
        comprehensiveness={m: aopc(p, c[1:]) for m, c in deletion.items()},
        sufficiency={m: aopc(p, c) for m, c in keep.items()},
        permutation_median_delta=counter["permutation"], uniform_delta=counter["uniform"],
        top_zeroed_delta=counter["top_zeroed"], top_zeroed_flips=bool(counter["flips"]), ig_convergence_delta=ig_delta)
    explanation.verdict = verdict(explanation)
    return explanation


def _to_device(model: torch.nn.Module, *tensors: torch.Tensor) -> tuple[torch.Tensor, ...]:
    device = next(model.parameters()).device
    return tuple(x.to(device) for x in tensors)


def _probability_of(model: BiLSTMWithAttention):
    """f(ids, lengths) = softmax of the logits (B, C): attributions explain p, in the same units as leave-one-out."""
    return lambda ids, lengths: torch.softmax(model(ids, lengths)[0], dim=-1)


def attributions(model: BiLSTMWithAttention, ids: torch.Tensor, lengths: torch.Tensor, targets: torch.Tensor,
                 ig_steps: int = IG_STEPS) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Gradient×input and integrated gradients on the embedding output, summed over E: (B, T) each, plus IG's
    convergence delta (B,). The IG baseline is the <pad> embedding (all zeros) at every position, same length."""
    forward = _probability_of(model)
    # cuDNN's LSTM refuses backward in eval mode on a GPU; the native kernel is exact and works everywhere.
    with torch.backends.cudnn.flags(enabled=False):
        gxi = LayerGradientXActivation(forward, model.embedding).attribute(
            ids, target=targets, additional_forward_args=(lengths,))  # (B, T, E)
        ig, delta = LayerIntegratedGradients(forward, model.embedding).attribute(
            ids, baselines=torch.full_like(ids, PAD_ID), target=targets, additional_forward_args=(lengths,),
            n_steps=ig_steps, return_convergence_delta=True)  # (B, T, E), (B,)
    return gxi.sum(-1).detach(), ig.sum(-1).detach(), delta.detach()  # (B, T), (B, T), (B,)


def probabilities_of(model: BiLSTMWithAttention, seqs: Sequence[Sequence[int]], targets: Sequence[int]) -> np.ndarray:
    """p(target) for many id sequences of any lengths: (N,). Repeats are scored once (orders that agree share
    their prefixes); the rest run in no-grad forwards of FORWARD_ROWS sequences."""
    unique: dict[tuple, int] = {}
    slots = [unique.setdefault((tuple(seq), target), len(unique)) for seq, target in zip(seqs, targets)]
    # Scored shortest first: each forward pads to its own longest sequence, so similar lengths waste little.
    keys = sorted(unique, key=lambda key: len(key[0]))
    scored = _score([list(seq) for seq, _ in keys], [target for _, target in keys], model)
    rank = np.empty(len(keys), dtype=np.int64)
    rank[[unique[key] for key in keys]] = np.arange(len(keys))
    return scored[rank[slots]] if slots else np.zeros(0)


@torch.no_grad()
def _score(seqs: list[list[int]], targets: list[int], model: BiLSTMWithAttention) -> np.ndarray:
    out = []
    for start in range(0, len(seqs), FORWARD_ROWS):
        ids, lengths = _to_device(model, *pad_batch(seqs[start:start + FORWARD_ROWS]))  # (N, T), (N,)
        probs = torch.softmax(model(ids, lengths)[0], dim=-1)  # (N, C)
        rows = torch.as_tensor(targets[start:start + FORWARD_ROWS], device=probs.device)
        out.append(probs.gather(1, rows[:, None]).squeeze(1).cpu())
    return torch.cat(out).numpy() if out else np.zeros(0)


def leave_one_out(model: BiLSTMWithAttention, seqs: Sequence[Sequence[int]], targets: Sequence[int],
                  p0: Sequence[float]) -> list[np.ndarray]:
    """p − p(sentence with piece t removed: a shorter sequence, not a pad), every t of every sentence in one pass."""
    variants, rows = [], []
    for seq, target in zip(seqs, targets):
        variants += [list(seq[:t]) + list(seq[t + 1:]) for t in range(len(seq))]
        rows += [target] * len(seq)
    p = probabilities_of(model, variants, rows)
    out, start = [], 0
    for seq, base in zip(seqs, p0):
        out.append(base - p[start:start + len(seq)])
        start += len(seq)
    return out


def orders(scores: dict[str, np.ndarray], seed: int, random_orders: int = RANDOM_ORDERS) -> dict[str, list[np.ndarray]]:
    """Removal orders: each method's pieces by signed score, most support for the class first (stable), and
    `random_orders` random orders averaged into one "random" curve."""
    n = len(scores["attention"])
    ranked = {m: [np.argsort(-s, kind="stable")] for m, s in scores.items()}
    rng = np.random.default_rng(seed)
    ranked["random"] = [rng.permutation(n) for _ in range(random_orders)]
    return ranked


def deletion_curves(model: BiLSTMWithAttention, items: Sequence[tuple[list[int], dict, int]], seed: int = 0,
                    steps: int | None = None, random_orders: int = RANDOM_ORDERS):
    """For each (seq, scores, target): p(target) after removing the first k pieces of each order (k = 0..T-1),
    and after keeping only them (k = 1..T-1); every variant of every sentence scored in one batched pass.
    Returns per sentence (removed: {order: (T,)}, kept: {order: (T-1,)}). With `steps`, only that many evenly
    spaced k ≥ 1 are scored (removed: k = 0 and those), as ERASER bins its curves: the AOPC is then their mean."""
    variants, targets, layout = [], [], []
    for seq, scores, target in items:
        plan, ks = {}, deletion_ks(len(seq), steps)
        for name, perms in orders(scores, seed, random_orders).items():
            for perm in perms:
                removed = [_subset(seq, perm[k:]) for k in [0, *ks]]
                kept = [_subset(seq, perm[:k]) for k in ks]
                plan.setdefault(name, []).append((len(variants), len(removed), len(kept)))
                variants += removed + kept
                targets += [target] * (len(removed) + len(kept))
        layout.append(plan)
    p = probabilities_of(model, variants, targets)
    return [_split_curves(p, plan) for plan in layout]


def deletion_ks(length: int, steps: int | None = None) -> list[int]:
    """The k ≥ 1 a deletion curve is scored at: 1..T-1, or `steps` of them evenly spaced (both ends kept)."""
    if steps is None or length - 1 <= steps:
        return list(range(1, length))
    return sorted({int(round(k)) for k in np.linspace(1, length - 1, steps)})


def _subset(seq: Sequence[int], positions: np.ndarray) -> list[int]:
    """The pieces at `positions`, in sentence order."""
    return [seq[i] for i in sorted(positions.tolist())]


def _split_curves(p: np.ndarray, plan: dict) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    removed, kept = {}, {}
    for name, spans in plan.items():
        removed[name] = np.mean([p[s:s + r] for s, r, _ in spans], axis=0)
        kept[name] = np.mean([p[s + r:s + r + k] for s, r, k in spans], axis=0)
    return removed, kept


def aopc(p: float, curve: np.ndarray) -> float:
    """Area over the perturbation curve: the mean of p − p_k over the perturbed steps k ≥ 1 (NaN when none)."""
    drops = p - np.asarray(curve, dtype=float)
    return float(drops.mean()) if len(drops) else math.nan


@torch.no_grad()
def counterfactuals(model: BiLSTMWithAttention, ids: torch.Tensor, lengths: torch.Tensor, targets: torch.Tensor,
                    attention: torch.Tensor, seed: int = 0) -> dict[str, list]:
    """Same BiLSTM states, other pooling weights: PERMUTATIONS shuffles of α (median |Δp|), uniform α (Δp), and α
    with its top weight zeroed and renormalised (Δp, label flip). NaN where the model does not pool with weights."""
    batch = ids.size(0)
    nan = {"permutation": [math.nan] * batch, "uniform": [math.nan] * batch, "top_zeroed": [math.nan] * batch,
           "flips": [False] * batch}
    if model.config.pooling == "last":
        return nan
    states, mask = model.encode(ids, lengths)  # (B, T, 2H), (B, T)
    p0 = _class_probs(model, states, attention, targets)  # (B,)
    shuffled = _permuted(attention, lengths, seed)  # (B, P, T)
    tiled = states.repeat_interleave(PERMUTATIONS, dim=0)  # (B·P, T, 2H)
    p_perm = _class_probs(model, tiled, shuffled.flatten(0, 1), targets.repeat_interleave(PERMUTATIONS))
    p_perm = p_perm.view(batch, PERMUTATIONS)  # (B, P)
    uniform = _class_probs(model, states, uniform_weights(mask), targets)  # (B,)
    zeroed = attention.scatter(1, attention.argmax(dim=1, keepdim=True), 0.0)  # (B, T)
    zeroed = zeroed / zeroed.sum(dim=1, keepdim=True).clamp(min=1e-12)
    logits = model.classify(weighted_sum(states, zeroed))  # (B, C)
    p_zeroed = torch.softmax(logits, dim=-1).gather(1, targets[:, None]).squeeze(1)
    single = (lengths <= 1).tolist()
    return {"permutation": (p_perm - p0[:, None]).abs().median(dim=1).values.tolist(),
            "uniform": (uniform - p0).tolist(),
            "top_zeroed": [math.nan if s else d for s, d in zip(single, (p_zeroed - p0).tolist())],
            "flips": [not s and bool(f) for s, f in zip(single, (logits.argmax(dim=1) != targets).tolist())]}


def _class_probs(model, states: torch.Tensor, weights: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """p(target) when the states (N, T, 2H) are pooled with the given weights (N, T): (N,)."""
    logits = model.classify(weighted_sum(states, weights))  # (N, C)
    return torch.softmax(logits, dim=-1).gather(1, targets[:, None]).squeeze(1)


def _permuted(attention: torch.Tensor, lengths: torch.Tensor, seed: int) -> torch.Tensor:
    """PERMUTATIONS shuffles of each row's real weights among its real positions (pads stay 0): (B, P, T).
    Each row draws from its own seeded generator, so a sentence gets the same shuffles in any batch."""
    batch, width = attention.shape
    keys = torch.full((batch, PERMUTATIONS, width), 2.0)  # pads sort last
    for row, length in enumerate(lengths.tolist()):
        keys[row, :, :length] = torch.rand(PERMUTATIONS, length, generator=torch.Generator().manual_seed(seed))
    order = keys.to(attention.device).argsort(dim=-1)  # real positions first, shuffled; pads last
    # Slot j < length takes a random real weight; a pad slot takes a pad's weight, 0.
    return attention[:, None, :].expand(batch, PERMUTATIONS, width).gather(2, order)


def agreement(scores: dict[str, np.ndarray]) -> tuple[dict[str, float], dict[str, float], int]:
    """Kendall τ (scipy, τ-b) and top-k overlap for every pair of methods, over |score|: which pieces matter,
    whichever way they push (as Jain & Wallace compare them). τ is NaN for fewer than two pieces or a constant row."""
    n = len(next(iter(scores.values())))
    k = max(1, math.ceil(TOP_FRACTION * n))
    tau, overlap = {}, {}
    for a, b in combinations(list(scores), 2):
        x, y = np.abs(scores[a]), np.abs(scores[b])
        tau[pair_key(a, b)] = float(kendalltau(x, y).statistic) if n > 1 else math.nan
        top_x, top_y = np.argsort(-x, kind="stable")[:k], np.argsort(-y, kind="stable")[:k]
        overlap[pair_key(a, b)] = len(set(top_x.tolist()) & set(top_y.tolist())) / k
    return tau, overlap, k


def to_words(tokens: Sequence[str], scores: dict[str, Sequence[float]]) -> tuple[list[str], dict[str, np.ndarray]]:
    """Sum piece scores into words (어절): a piece starting with ▁ begins a word."""
    starts = [i for i, piece in enumerate(tokens) if i == 0 or is_word_start(piece)]
    bounds = list(zip(starts, starts[1:] + [len(tokens)]))
    words = [display_piece("".join(tokens[a:b])) for a, b in bounds]  # a word that is only ▁ shows as ␣
    summed = {m: np.array([float(np.sum(values[a:b])) for a, b in bounds]) for m, values in scores.items()}
    return words, summed


@dataclass
class View:
    """An explanation as a page shows it: by BPE piece, or summed into words, with the agreement of each pair."""

    units: list[str]
    scores: dict[str, np.ndarray]
    kendall_tau: dict[str, float]
    top_k_overlap: dict[str, float]
    top_k: int


def view(explanation: Explanation, by_word: bool = False) -> View:
    if not by_word:
        return View(list(explanation.tokens), explanation.scores, explanation.kendall_tau, explanation.top_k_overlap,
                    explanation.top_k)
    words, scores = to_words(explanation.tokens, explanation.scores)
    return View(words, scores, *agreement(scores))


def verdict(explanation: Explanation) -> Verdict:
    """Weak/moderate/strong agreement with leave-one-out, and whether shuffling α moves p: hint, care or guide."""
    tau = explanation.kendall_tau.get(pair_key("attention", "leave_one_out"), math.nan)
    delta = explanation.permutation_median_delta
    if math.isnan(tau):
        agreement_code = "undefined"
    else:
        agreement_code = "weak" if tau < WEAK_TAU else "moderate" if tau < STRONG_TAU else "strong"
    sensitive = not math.isnan(delta) and delta >= SENSITIVE_DELTA
    if agreement_code == "strong" and sensitive:
        advice = "guide"
    elif agreement_code in ("weak", "undefined") and not sensitive:
        advice = "hint"
    else:
        advice = "care"
    return Verdict(agreement_code, sensitive, advice, tau, delta)


def plain(value):
    """JSON-safe: NaN → None, numpy → Python, floats rounded to 6 places."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else round(float(value), 6)
    return value
