"""Averaging the last epochs' weights (SWA-style, LoopConfig.average_epochs): the mean of the run's last epochs is
the model when the run trained every planned epoch; Stop and early stopping keep the best epoch."""

import threading

import pytest
import torch

from core.config import LoopConfig, TrainConfig
from core.training.loop import average_states, fit
from tests.training.test_train import TRAIN, VAL, Scalar, ScriptedTask, loop_config


def weights_at_epoch_end(model):
    seen = {}
    return seen, lambda event: event.kind == "epoch" and seen.setdefault(event.epoch, model.w.item())


def test_average_states_is_the_elementwise_mean_and_keeps_integer_buffers():
    states = [{"w": torch.tensor([1.0, 2.0]), "n": torch.tensor(3)}, {"w": torch.tensor([3.0, 6.0]), "n": torch.tensor(5)}]
    mean = average_states(states)
    assert mean["w"].tolist() == [2.0, 4.0] and int(mean["n"]) == 5


def test_the_mean_of_the_last_epochs_is_kept_even_when_validation_ranks_it_lower():
    task, model = ScriptedTask([0.2, 0.5, 0.9, 0.4, 0.3]), Scalar()  # the fifth score is the average's
    seen, callback = weights_at_epoch_end(model)
    result = fit(model, task, TRAIN, VAL, loop_config(epochs=4, average_epochs=2), callback)
    assert result.best_epoch == 3 and result.averaged_epochs == 2
    assert model.w.item() == pytest.approx((seen[3] + seen[4]) / 2) and seen[3] != seen[4]
    assert result.averaged_val[1] == pytest.approx(0.3) and result.history()["averaged_epochs"] == 2


def test_a_run_stopped_early_by_patience_keeps_its_best_epoch():
    task, model = ScriptedTask([0.9, 0.4, 0.3, 0.2, 0.1]), Scalar()
    seen, callback = weights_at_epoch_end(model)
    result = fit(model, task, TRAIN, VAL, loop_config(epochs=5, patience=2, average_epochs=2), callback)
    assert result.early_stopped and len(result.epochs) == 3
    assert result.averaged_epochs == 0 and result.averaged_val is None and model.w.item() == seen[1]


def test_patience_running_out_on_the_last_epoch_still_keeps_the_best_epoch():
    task, model = ScriptedTask([0.9, 0.4, 0.3, 0.2]), Scalar()
    seen, callback = weights_at_epoch_end(model)
    result = fit(model, task, TRAIN, VAL, loop_config(epochs=4, patience=3, average_epochs=3), callback)
    assert result.early_stopped and len(result.epochs) == 4
    assert result.averaged_epochs == 0 and model.w.item() == seen[1]


def test_a_stopped_run_keeps_its_best_finished_epoch():
    task, model, stop = ScriptedTask([0.2, 0.9, 0.5]), Scalar(), threading.Event()
    seen = {}

    def callback(event):
        if event.kind == "epoch":
            seen[event.epoch] = model.w.item()
            if event.epoch == 3:
                stop.set()

    result = fit(model, task, TRAIN, VAL, loop_config(epochs=4, average_epochs=3), callback, stop)
    assert result.stopped and len(result.epochs) == 3
    assert result.averaged_epochs == 0 and model.w.item() == seen[2]


def test_without_validation_the_last_epochs_are_averaged():
    model = Scalar()
    seen, callback = weights_at_epoch_end(model)
    result = fit(model, ScriptedTask([]), TRAIN, [], loop_config(epochs=4, average_epochs=3), callback)
    assert result.averaged_epochs == 3 and model.w.item() == pytest.approx((seen[2] + seen[3] + seen[4]) / 3)


def test_the_first_epoch_is_never_in_the_mean():
    for epochs, averaged in ((2, 0), (3, 2), (4, 3)):
        model = Scalar()
        seen, callback = weights_at_epoch_end(model)
        result = fit(model, ScriptedTask([]), TRAIN, [], loop_config(epochs=epochs, average_epochs=3), callback)
        kept = [seen[e] for e in range(epochs - averaged + 1, epochs + 1)] if averaged else [seen[epochs]]
        assert result.averaged_epochs == averaged and model.w.item() == pytest.approx(sum(kept) / len(kept))


def test_off_in_the_shared_loop_and_on_for_the_classifier():
    model = Scalar()
    seen, callback = weights_at_epoch_end(model)
    result = fit(model, ScriptedTask([0.2, 0.5, 0.9, 0.4]), TRAIN, VAL, loop_config(), callback)
    assert result.averaged_epochs == 0 and model.w.item() == seen[3]
    assert LoopConfig().average_epochs == 0 and TrainConfig().average_epochs == 3
