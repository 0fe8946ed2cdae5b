"""`python -m core seq2seq`: train then generate JSON, and one-line errors with exit code 2."""

from __future__ import annotations

import json

from core.cli.main import main as cli_main
from core.seq2seq.metrics import stutters


def test_cli_train_then_generate_json(dialogue_xlsx, tmp_path, capsys):
    out = tmp_path / "s2s.zip"
    assert cli_main(["seq2seq", "train", "--data", str(dialogue_xlsx), "--epochs", "2", "--turns", "all",
                     "--vocab-size", "100", "--emb-dim", "16", "--hidden-dim", "16", "--out", str(out)]) == 0
    assert "sent/s" in capsys.readouterr().err and out.is_file()
    assert cli_main(["seq2seq", "generate", "--model", str(out), "--beam", "2", "--json",
                     "오늘 시험을 망쳤어.", "몸이 아파"]) == 0
    replies = json.loads(capsys.readouterr().out)
    assert len(replies) == 2
    for reply in replies:
        assert {"reply", "source_tokens", "target_tokens", "attention"} <= set(reply)
        assert reply["stutters"] == stutters(reply["reply"])
        assert len(reply["attention"]) == len(reply["target_tokens"])
        assert all(len(row) == len(reply["source_tokens"]) for row in reply["attention"])
    assert cli_main(["seq2seq", "evaluate", "--model", str(out), "--data", str(dialogue_xlsx), "--limit", "5", "--mbr", "2",
                     "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 5 and 0 <= report["chrf"] <= 100 and 0 <= report["retrieval_chrf"] <= 100
    assert 0 < report["distinct"] <= 1 and len(report["examples"]) == 5
    assert 0 <= report["stutter"] <= 1 and 0 <= report["retrieval_stutter"] <= 1
    assert cli_main(["seq2seq", "evaluate", "--model", str(out), "--data", str(dialogue_xlsx), "--limit", "3",
                     "--no-stutter-guard"]) == 0
    assert "stutter" in capsys.readouterr().out


def test_cli_bad_input_is_one_line_and_exit_2(dialogue_xlsx, tmp_path, capsys):
    assert cli_main(["seq2seq", "train", "--data", str(dialogue_xlsx), "--epochs", "0", "--out", str(tmp_path / "x.zip")]) == 2
    assert cli_main(["seq2seq", "generate", "--model", str(tmp_path / "missing.zip"), "안녕"]) == 2
    assert cli_main(["seq2seq", "evaluate", "--model", str(tmp_path / "gone.zip"), "--data", str(dialogue_xlsx)]) == 2
    err = capsys.readouterr().err
    assert "--epochs" in err and "missing.zip" in err and "gone.zip" in err and "Traceback" not in err
