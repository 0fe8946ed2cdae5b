"""--data given several times: the files are joined, one report line each; and `python -m core curve`."""

from __future__ import annotations

import json

import pytest

from core.cli.main import build_parser, main
from tests.conftest import new_frame, old_frame, tiny_rows

SMALL = ["--epochs", "1", "--emb-dim", "16", "--hidden-dim", "16", "--vocab-size", "150", "--batch-size", "16"]


@pytest.fixture
def two_files(tmp_path):
    """The tiny corpus in two files of different releases, sharing 20 dialogues."""
    rows = tiny_rows(20)
    first, second = tmp_path / "train.xlsx", tmp_path / "valid.xlsx"
    old_frame(rows[:80]).to_excel(first, index=False, engine="openpyxl")
    new_frame(rows[60:]).to_excel(second, index=False, engine="openpyxl")
    return str(first), str(second)


@pytest.mark.parametrize("command", [
    ["train", "--out", "x.zip"], ["evaluate", "--model", "m.zip"], ["explain", "--model", "m.zip"],
    ["curve"], ["seq2seq", "train", "--out", "x.zip"], ["seq2seq", "evaluate", "--model", "m.zip"],
])
def test_every_command_with_data_takes_it_several_times(command):
    args = build_parser().parse_args([*command, "--data", "a.xlsx", "--data", "b.csv"])
    assert args.data == ["a.xlsx", "b.csv"]


def test_train_joins_the_files_with_one_line_each(two_files, tmp_path, capsys):
    out = tmp_path / "model.zip"
    assert main(["train", "--data", two_files[0], "--data", two_files[1], *SMALL, "--out", str(out)]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "train.xlsx (old release, Sheet1): 80 rows read, 80 kept, 0 already in an earlier file"
    assert lines[1] == "valid.xlsx (new release, Sheet1): 60 rows read, 40 kept, 20 already in an earlier file"
    assert lines[2].startswith("train.xlsx + valid.xlsx: 120 sentences") and out.is_file()
    skipped = [line for line in lines if line.startswith("pretraining skipped")]  # 96 training dialogues
    assert skipped == ["pretraining skipped: 96 training dialogues, fewer than 2,000"]


def test_curve_json(two_files, capsys):
    assert main(["curve", "--data", two_files[0], "--data", two_files[1], *SMALL, "--fractions", "0.5", "1",
                 "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert [p["fraction"] for p in report["points"]] == [0.5, 1.0]
    assert report["points"][0]["train_rows"] < report["points"][1]["train_rows"]
    assert report["val_rows"] > 0 and report["reading"]["key"] and report["reading"]["text"]
    assert "[2/2] 100% of the training dialogues" in captured.err


def test_curve_refuses_a_fraction_out_of_range(capsys):
    assert main(["curve", "--fractions", "0", "1"]) == 2
    assert "--fractions" in capsys.readouterr().err
