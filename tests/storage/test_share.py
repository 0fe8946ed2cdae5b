"""Share links: settings survive the URL; tampered values are ignored with a note, never an exception."""

from __future__ import annotations

import pytest

from core.storage.share import SETTINGS, decode, encode

DEFAULTS = {"pooling": "attention", "emb": 128, "hidden": 128, "layers": 1, "dropout": 0.3, "lr": 3e-3, "batch": 64,
            "epochs": 8, "patience": 0, "seed": 42, "val_share": 0.2, "schedule": "constant", "vocab_auto": True,
            "vocab": 4000, "coverage": 1.0, "sampling": 0.0}


def test_every_setting_round_trips():
    changed = {"pooling": "mean", "emb": 32, "hidden": 256, "layers": 2, "dropout": 0.45, "lr": 1e-2, "batch": 16,
               "epochs": 20, "patience": 3, "seed": 2**31 - 1, "val_share": 0.05, "schedule": "cosine",
               "vocab_auto": False, "vocab": 12000, "coverage": 0.9995, "sampling": 0.1}
    assert set(changed) == set(SETTINGS)
    query = encode(changed)
    assert all(isinstance(v, str) for v in query.values())
    assert decode(query, DEFAULTS) == (changed, [])


def test_encode_leaves_out_what_is_not_a_setting():
    assert encode({"emb": 64, "w": "token", "data": "x"}) == {"emb": "64"}


def test_tampered_values_give_the_defaults_and_a_note_each():
    query = {"emb": "99999", "epochs": "-3", "dropout": "0.33", "seed": "1e9", "lr": "nan", "layers": "2.5",
             "pooling": "<script>alert(1)</script>", "schedule": ["cosine", "constant"], "vocab": "4" * 40,
             "<img src=x onerror=alert(1)>": "1", "vocab_auto": "yes"}
    settings, notes = decode(query, DEFAULTS)
    assert settings == DEFAULTS
    assert len(notes) == len(query)
    assert all("<" not in note and ">" not in note and "alert" not in note.split("'")[0] for note in notes)
    assert any("unknown setting 'imgsrcxonerroralert1'" in note for note in notes)


@pytest.mark.parametrize("value", [None, 3, object(), [], ["1", "2"], "", " ", "\x00", "１２８"])
def test_odd_types_never_raise(value):
    settings, notes = decode({"emb": value}, DEFAULTS)
    assert settings["emb"] == 128 and len(notes) == 1


def test_ignored_keys_and_core_defaults_outside_the_offered_choices():
    settings, notes = decode({"w": "token", "emb": "48"}, {**DEFAULTS, "emb": 48}, ignore=("w",))
    assert settings["emb"] == 48 and notes == []  # the widget always offers core's default


def test_sliders_take_only_their_steps():
    assert decode({"dropout": "0.35", "val_share": "0.25"}, DEFAULTS) == ({**DEFAULTS, "dropout": 0.35, "val_share": 0.25}, [])
    assert decode({"dropout": "0.71"}, DEFAULTS)[0]["dropout"] == 0.3
