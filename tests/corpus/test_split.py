"""Validation splits: class shares kept, every row once, reproducible by seed."""

from core.corpus.split import group_split, stratified_split


def test_stratified_split_keeps_class_shares():
    labels = [0] * 50 + [1] * 30 + [2] * 20
    train, val = stratified_split(labels, 0.2, seed=0)
    assert sorted(train + val) == list(range(100)) and len(val) == 20
    assert [sum(labels[i] == c for i in val) for c in range(3)] == [10, 6, 4]


def test_split_falls_back_when_a_class_has_one_row():
    train, val = stratified_split([0, 0, 0, 1, 1, 1, 2], 0.3, seed=0)
    assert len(train) + len(val) == 7 and val


def test_no_validation_share_keeps_every_row_for_training():
    assert stratified_split([0, 1, 0, 1], 0.0, seed=0) == ([0, 1, 2, 3], [])


def test_the_seed_decides_the_split():
    labels = [i % 4 for i in range(80)]
    assert stratified_split(labels, 0.25, seed=5) == stratified_split(labels, 0.25, seed=5)
    assert stratified_split(labels, 0.25, seed=5) != stratified_split(labels, 0.25, seed=6)


def test_group_split_keeps_each_dialogue_on_one_side():
    groups = [g for g in range(40) for _ in range(1 + g % 3)]  # dialogues of 1 to 3 examples
    labels = [g % 2 for g in groups]  # a dialogue's turns share a label
    train, val = group_split(labels, groups, 0.25, seed=0)
    assert sorted(train + val) == list(range(len(groups))) and val
    assert not {groups[i] for i in train} & {groups[i] for i in val}
    val_dialogues = {groups[i] for i in val}
    assert len(val_dialogues) == 10 and sum(g % 2 for g in val_dialogues) == 5  # a quarter, stratified by label
