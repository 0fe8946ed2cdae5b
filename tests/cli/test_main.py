"""`python -m core`: train → evaluate → predict → reload on the bundled sample, and one-line errors."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.corpus.sample import SAMPLE_PATH

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def model_zip(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "model.zip"
    done = cli("train", "--epochs", "1", "--emb-dim", "32", "--hidden-dim", "32", "--vocab-size", "1000", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "saved" in done.stderr and "val accuracy" in done.stderr
    return out


def test_evaluate_json(model_zip):
    done = cli("evaluate", "--model", str(model_zip), "--data", str(SAMPLE_PATH), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert {"accuracy", "macro_f1", "per_class", "confusion", "n"} <= report.keys()
    assert report["n"] == sum(map(sum, report["confusion"]))
    assert 0.0 <= report["accuracy"] <= 1.0 and len(report["per_class"]) == 6


def test_predict_json_is_stable_across_reloads(model_zip):
    sentences = ["친구가 약속을 또 어겨서 너무 화가 나", "합격 소식을 듣고 정말 기뻤어"]
    first = cli("predict", "--model", str(model_zip), "--json", *sentences)
    second = cli("predict", "--model", str(model_zip), "--json", *sentences)
    assert first.returncode == 0, first.stderr
    rows = json.loads(first.stdout)
    assert rows == json.loads(second.stdout)
    for row in rows:
        assert {"label", "probabilities", "tokens", "attention"} <= row.keys()
        assert len(row["tokens"]) == len(row["attention"])
        assert row["label"] in row["probabilities"]


def test_predict_plain_output(model_zip):
    done = cli("predict", "--model", str(model_zip), "오늘 너무 슬퍼")
    assert done.returncode == 0 and "오늘 너무 슬퍼" in done.stdout


@pytest.mark.parametrize("args, fragment", [
    (("predict", "--model", "missing.zip", "안녕"), "not found"),
    (("evaluate", "--model", "README.md", "--data", "README.md"), "not a model bundle"),
    (("train", "--data", "README.md", "--out", "x.zip"), "README.md"),
    (("train", "--epochs", "1", "--out", "/no/such/folder/x.zip"), "does not exist"),
])
def test_bad_input_exits_nonzero_with_one_line(args, fragment, tmp_path):
    done = cli(*args)
    assert done.returncode != 0
    assert fragment in done.stderr
    assert "Traceback" not in done.stderr
