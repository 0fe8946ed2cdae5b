"""Settings dataclasses: JSON round trips, unknown and missing keys in saved settings, refused choices."""

from dataclasses import fields

import pytest

from core.config import (
    POOLINGS,
    SCHEDULES,
    TASKS,
    TEXT_MODES,
    DataConfig,
    LoopConfig,
    ModelConfig,
    TokenizerConfig,
    TrainConfig,
    from_dict,
    to_dict,
)
from core.seq2seq.train import Seq2SeqTrainConfig


@pytest.mark.parametrize("config", [DataConfig(task="binary"), TokenizerConfig(vocab_size=800), ModelConfig(pooling="mean"),
                                    TrainConfig(epochs=3, schedule="cosine"), Seq2SeqTrainConfig(teacher_forcing=0.5)])
def test_to_dict_and_back_is_the_same_config(config):
    assert from_dict(type(config), to_dict(config)) == config


def test_from_dict_ignores_unknown_keys():
    config = from_dict(ModelConfig, {"hidden_dim": 32, "a_setting_from_a_newer_version": True})
    assert config == ModelConfig(hidden_dim=32)


def test_an_old_bundles_settings_load_with_defaults_for_newer_fields():
    old_train = {"epochs": 5, "batch_size": 32, "lr": 0.001, "weight_decay": 0.01, "grad_clip": 1.0,
                 "val_share": 0.2, "seed": 1, "patience": 0, "report_every": 10, "max_len": 64}  # before schedules
    config = from_dict(TrainConfig, old_train)
    assert (config.epochs, config.max_len, config.seed) == (5, 64, 1)
    assert config.schedule == "constant" and config.num_threads == 0
    assert from_dict(DataConfig, {"task": "binary", "text": "all"}) == DataConfig(task="binary", text="all")


@pytest.mark.parametrize("cls, name, choices", [(DataConfig, "task", TASKS), (DataConfig, "text", TEXT_MODES),
                                                (ModelConfig, "pooling", POOLINGS), (LoopConfig, "schedule", SCHEDULES),
                                                (TrainConfig, "schedule", SCHEDULES)])
def test_choices_are_checked(cls, name, choices):
    for choice in choices:
        assert getattr(cls(**{name: choice}), name) == choice
    with pytest.raises(ValueError, match=f"{name} must be one of {', '.join(choices)}; got 'nonsense'"):
        cls(**{name: "nonsense"})
    with pytest.raises(ValueError, match=name):
        from_dict(cls, {name: "nonsense"})  # a bad saved value is refused too, not carried along


def test_both_tasks_share_the_loop_settings():
    loop = {f.name for f in fields(LoopConfig)}
    assert loop < {f.name for f in fields(TrainConfig)} and loop < {f.name for f in fields(Seq2SeqTrainConfig)}
