"""What both train commands share: the flags and their checks, the output folder check, the progress bar."""

import argparse
import math

import pytest

from core.cli.common import (
    ProgressBar,
    add_classifier_args,
    add_training_args,
    check_output_dir,
    classifier_settings,
    data_path,
    loop_settings,
    vocab_setting,
)
from core.config import LoopConfig, TrainConfig
from core.corpus.sample import SAMPLE_PATH
from core.errors import AttentionLabError
from core.training.loop import TrainEvent


def parse(*args: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_training_args(parser, LoopConfig(epochs=7), emb_dim=16, hidden_dim=24, vocab_size="auto")
    return parser.parse_args(list(args))


def test_flags_take_the_tasks_defaults_and_become_loop_settings():
    args = parse()
    assert (args.epochs, args.emb_dim, args.hidden_dim, args.vocab_size) == (7, 16, 24, "auto")
    settings = loop_settings(parse("--epochs", "3", "--schedule", "cosine", "--patience", "2"))
    assert LoopConfig(**settings) == LoopConfig(epochs=3, schedule="cosine", patience=2)


def test_the_classifiers_flags_take_cores_defaults_and_turn_examples_and_averaging_can_be_switched_off():
    parser = argparse.ArgumentParser()
    add_classifier_args(parser)
    default = classifier_settings(parser.parse_args([]))
    assert default == {"pretrain_epochs": TrainConfig.pretrain_epochs, "aux_weight": TrainConfig.aux_weight,
                       "turn_examples": True, "average_epochs": TrainConfig.average_epochs}
    assert classifier_settings(parser.parse_args(["--no-turn-examples"]))["turn_examples"] is False
    assert classifier_settings(parser.parse_args(["--average-epochs", "0"]))["average_epochs"] == 0
    with pytest.raises(AttentionLabError):
        classifier_settings(parser.parse_args(["--average-epochs", "-1"]))


@pytest.mark.parametrize("args, message", [(("--epochs", "0"), "--epochs and --batch-size"),
                                           (("--batch-size", "0"), "--epochs and --batch-size"),
                                           (("--val-share", "1.0"), "--val-share"), (("--val-share", "-0.1"), "--val-share"),
                                           (("--patience", "-1"), "--patience")])
def test_loop_settings_refuse_bad_values(args, message):
    with pytest.raises(AttentionLabError, match=message):
        loop_settings(parse(*args))


def test_vocab_setting_is_a_number_or_auto():
    assert vocab_setting("auto") == "auto" and vocab_setting("800") == 800
    with pytest.raises(AttentionLabError, match="whole number or 'auto', not 'lots'"):
        vocab_setting("lots")


def test_data_path_defaults_to_the_sample_and_output_folder_must_exist(tmp_path):
    assert data_path(None) == SAMPLE_PATH and data_path("x.xlsx").name == "x.xlsx"
    check_output_dir(str(tmp_path / "model.zip"))
    with pytest.raises(AttentionLabError, match="does not exist"):
        check_output_dir(str(tmp_path / "missing" / "model.zip"))


def event(kind, step, loss=1.0, acc=0.5, val_loss=None, val_acc=None):
    return TrainEvent(kind, 1, step, 10, loss, acc, val_loss, val_acc, sentences_per_s=120.0)


def test_progress_bar_shows_accuracy(capsys):
    bar = ProgressBar("accuracy", width=10)
    bar(event("step", 5))
    bar(event("epoch", 10, val_loss=0.25, val_acc=0.75))
    bar(event("end", 10))
    err = capsys.readouterr().err
    assert "[#####.....]  50% epoch 1 loss 1.000 acc 0.500 120 sent/s" in err
    assert "[##########] 100%" in err and "| val loss 0.250 val acc 0.750" in err
    assert "ppl" not in err and err.endswith("\n")


def test_progress_bar_shows_perplexity_for_generation(capsys):
    bar = ProgressBar("perplexity")
    bar(event("step", 5, loss=2.0))
    bar(event("epoch", 10, loss=2.0, val_loss=1.0, val_acc=0.4))
    err = capsys.readouterr().err
    assert f"loss 2.000 ppl {math.exp(2):.1f}" in err and f"val loss 1.000 val ppl {math.e:.1f}" in err
    assert " acc " not in err
