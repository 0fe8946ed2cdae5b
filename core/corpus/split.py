"""Train/validation splits: stratified by label, or by group so that no dialogue lands on both sides."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def stratified_split(labels: Sequence[int], val_share: float, seed: int) -> tuple[list[int], list[int]]:
    """Train and validation indices, stratified when every class has at least two rows."""
    from sklearn.model_selection import train_test_split

    indices = list(range(len(labels)))
    if val_share <= 0:
        return indices, []
    counts = Counter(labels)
    n_val = max(1, round(len(labels) * val_share))
    can_stratify = min(counts.values()) >= 2 and n_val >= len(counts) and len(labels) - n_val >= len(counts)
    train_idx, val_idx = train_test_split(indices, test_size=n_val, random_state=seed,
                                          stratify=list(labels) if can_stratify else None)
    return sorted(train_idx), sorted(val_idx)


def group_split(labels: Sequence[int], groups: Sequence[int], val_share: float, seed: int) -> tuple[list[int], list[int]]:
    """Like stratified_split, but whole groups (dialogues) go to one side: no dialogue is on both.

    Each group is stratified by its first example's label (a dialogue's turns share one label)."""
    first_label: dict[int, int] = {}
    for group, label in zip(groups, labels):
        first_label.setdefault(group, label)
    names = list(first_label)
    _, val_groups = stratified_split([first_label[g] for g in names], val_share, seed)
    val_set = {names[i] for i in val_groups}
    train_idx = [i for i, g in enumerate(groups) if g not in val_set]
    val_idx = [i for i, g in enumerate(groups) if g in val_set]
    return train_idx, val_idx
