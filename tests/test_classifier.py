"""Predictions, bundles (save → load → same predictions) and evaluation."""

import io
import json
import zipfile

import pytest

from core.bundle import META
from core.classifier import load_classifier
from core.config import DataConfig, ModelConfig, TokenizerConfig, TrainConfig
from core.data import build_dataset, load_corpus
from core.errors import AttentionLabError, BundleError
from core.evaluate import evaluate, evaluate_dataset
from core.pipeline import train_classifier

SENTENCES = ["오늘 회사에서 팀장님이 그래서 너무 화가 나", "집에서 엄마가 그래서 너무 행복해", ""]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from tests.conftest import old_frame, tiny_rows

    path = tmp_path_factory.mktemp("c") / "c.xlsx"
    old_frame(tiny_rows(20)).to_excel(path, index=False, engine="openpyxl")
    dataset = build_dataset(load_corpus(path), DataConfig())
    outcome = train_classifier(dataset, ModelConfig(emb_dim=16, hidden_dim=16, fc_dim=16), TrainConfig(epochs=3, batch_size=16),
                               tokenizer_config=TokenizerConfig(vocab_size=150))
    return dataset, outcome


def test_prediction_aligns_tokens_and_attention(trained):
    _, outcome = trained
    predictions = outcome.classifier.predict(SENTENCES)
    assert [p.text for p in predictions] == SENTENCES
    for p in predictions:
        assert len(p.tokens) == len(p.attention) >= 1
        assert abs(sum(p.attention) - 1) < 1e-4
        assert abs(sum(p.probabilities.values()) - 1) < 1e-4
        assert p.label == max(p.probabilities, key=p.probabilities.get)


def test_bundle_round_trip_gives_identical_predictions(trained, tmp_path):
    _, outcome = trained
    path = tmp_path / "model.zip"
    outcome.classifier.save(path)
    again = load_classifier(path)
    before = [p.to_json() for p in outcome.classifier.predict(SENTENCES)]
    assert [p.to_json() for p in again.predict(SENTENCES)] == before
    assert again.label_names == outcome.classifier.label_names
    assert again.metrics == outcome.classifier.metrics
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["bundle.json", "model.safetensors", "tokenizer.model"]
        assert not any(name.endswith((".pt", ".pkl", ".bin")) for name in archive.namelist())


def rewrite(data: bytes, **changes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = changes.get(name, source.read(name))
            if content is not None:
                target.writestr(name, content)
    return out.getvalue()


def test_bad_bundles_get_clear_errors(trained):
    data = trained[1].classifier.to_bytes()
    meta = json.loads(zipfile.ZipFile(io.BytesIO(data)).read(META))
    cases = {
        "not a model bundle": b"hello world",
        "missing model.safetensors": rewrite(data, **{"model.safetensors": None}),
        "weights .* corrupted": rewrite(data, **{"model.safetensors": b"\x00" * 100}),
        "seq2seq bundle": rewrite(data, **{META: json.dumps({**meta, "kind": "seq2seq"})}),
        "newer Attention Lab": rewrite(data, **{META: json.dumps({**meta, "format_version": 99})}),
        "does not fit": rewrite(data, **{META: json.dumps({**meta, "model_config": {**meta["model_config"], "hidden_dim": 99}})}),
        "not valid JSON": rewrite(data, **{META: b"{"}),
    }
    for message, payload in cases.items():
        with pytest.raises(BundleError, match=message):
            load_classifier(payload)


def test_evaluation_report(trained):
    dataset, outcome = trained
    report = evaluate_dataset(outcome.classifier, dataset)
    assert report.n == len(dataset.texts)
    assert sum(map(sum, report.confusion)) == report.n
    correct = sum(report.confusion[i][i] for i in range(len(report.label_names)))
    assert report.accuracy == pytest.approx(correct / report.n)
    assert len(report.misclassified) == report.n - correct
    assert [row["label"] for row in report.per_class] == report.label_names


def test_evaluation_maps_labels_by_name_and_skips_unknown(trained):
    classifier = trained[1].classifier
    report = evaluate(classifier, ["너무 화가 나", "너무 행복해", "뭔지 모르겠어"], ["분노", "기쁨", "중립"])
    assert report.n == 2 and report.skipped_unknown_labels == {"중립": 1}
    with pytest.raises(AttentionLabError, match="None of the labels"):
        evaluate(classifier, ["x"], ["중립"])
