"""One sentence through the classifier layer by layer, calling the model's own submodules (no hooks).

Each stage keeps the real tensor (batch of one) as numpy, so a page can show shapes and numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from core.classifier.task import Classifier
from core.training.batching import pad_batch
from core.training.layers import weighted_sum

# Stage keys in the order the data flows; u and scores exist only for attention pooling.
STAGES = ("embedding", "states", "u", "scores", "weights", "context", "hidden", "logits", "probabilities")


@dataclass
class Walkthrough:
    text: str
    pieces: list[str]
    ids: list[int]
    pooling: str
    label_names: list[str]
    label: str
    tensors: dict[str, np.ndarray] = field(default_factory=dict)  # stage → array with the batch axis kept

    def shape(self, stage: str) -> tuple[int, ...]:
        return tuple(self.tensors[stage].shape)

    @property
    def stages(self) -> list[str]:
        return [s for s in STAGES if s in self.tensors]


@torch.no_grad()
def walk_through(classifier: Classifier, text: str) -> Walkthrough:
    """Embedding → BiLSTM → (u → scores →) weights → context → hidden → logits → probabilities."""
    model = classifier.model
    model.eval()
    ids, lengths = pad_batch([classifier.tokenizer.encode(text, classifier.train_config.max_len)])  # (1, T), (1,)
    tensors = {"embedding": model.embedding(ids)}  # (1, T, E)
    states, mask = model.encode(ids, lengths)  # (1, T, 2H), (1, T)
    tensors["states"] = states
    if model.config.pooling == "attention":
        steps = model.attention.intermediates(states, mask)  # u (1, T, A), scores (1, T), weights (1, T)
        weights = steps["weights"]
        context = weighted_sum(states, weights)  # (1, 2H)
        tensors.update(u=steps["u"], scores=steps["scores"])
    else:
        context, weights = model.pool(states, mask)  # (1, 2H), (1, T): the pooling's fixed weights
    hidden = F.relu(model.fc1(model.dropout(model.norm(context))))  # (1, F)
    logits = model.fc2(hidden)  # (1, C)
    tensors.update(weights=weights, context=context, hidden=hidden, logits=logits,
                   probabilities=torch.softmax(logits, dim=-1))  # (1, C)
    length = int(lengths[0])
    id_list = ids[0, :length].tolist()
    label = classifier.label_names[int(logits.argmax())]
    return Walkthrough(
        text=text, pieces=[classifier.tokenizer.id_to_piece(i) for i in id_list], ids=id_list,
        pooling=model.config.pooling, label_names=list(classifier.label_names), label=label,
        tensors={name: t.detach().cpu().numpy().astype(np.float32) for name, t in tensors.items()},
    )
