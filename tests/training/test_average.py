"""Averaging the last epochs' weights (SWA-style, LoopConfig.average_epochs): the mean of the window that ends at
the best epoch, kept only when validation ranks it no lower than the best epoch alone."""

import pytest
import torch

from core.training.loop import average_states, fit
from tests.training.test_train import TRAIN, VAL, Scalar, ScriptedTask, loop_config


def weights_at_epoch_end(model):
    seen = {}
    return seen, lambda event: event.kind == "epoch" and seen.setdefault(event.epoch, model.w.item())


def test_average_states_is_the_elementwise_mean_and_keeps_integer_buffers():
    states = [{"w": torch.tensor([1.0, 2.0]), "n": torch.tensor(3)}, {"w": torch.tensor([3.0, 6.0]), "n": torch.tensor(5)}]
    mean = average_states(states)
    assert mean["w"].tolist() == [2.0, 4.0] and int(mean["n"]) == 5


def test_the_mean_of_the_window_ending_at_the_best_epoch_is_kept_when_validation_ranks_it_higher():
    task, model = ScriptedTask([0.2, 0.5, 0.9, 0.4, 1.0]), Scalar()  # the fifth score is the average's
    seen, callback = weights_at_epoch_end(model)
    result = fit(model, task, TRAIN, VAL, loop_config(average_epochs=2), callback)
    assert result.best_epoch == 3 and result.averaged_epochs == 2
    assert model.w.item() == pytest.approx((seen[2] + seen[3]) / 2) and seen[2] != seen[3]
    assert result.averaged_val[1] == pytest.approx(1.0) and result.history()["averaged_epochs"] == 2


def test_the_best_epoch_is_kept_when_the_average_validates_worse():
    task, model = ScriptedTask([0.2, 0.5, 0.9, 0.4, 0.3]), Scalar()
    seen, callback = weights_at_epoch_end(model)
    result = fit(model, task, TRAIN, VAL, loop_config(average_epochs=3), callback)
    assert result.averaged_epochs == 0 and result.averaged_val is None
    assert model.w.item() == seen[3]


def test_without_validation_the_last_epochs_are_averaged():
    model = Scalar()
    seen, callback = weights_at_epoch_end(model)
    result = fit(model, ScriptedTask([]), TRAIN, [], loop_config(epochs=4, average_epochs=3), callback)
    assert result.averaged_epochs == 3 and model.w.item() == pytest.approx((seen[2] + seen[3] + seen[4]) / 3)


def test_off_by_default():
    model = Scalar()
    seen, callback = weights_at_epoch_end(model)
    result = fit(model, ScriptedTask([0.2, 0.5, 0.9, 0.4]), TRAIN, VAL, loop_config(), callback)
    assert result.averaged_epochs == 0 and model.w.item() == seen[3]
