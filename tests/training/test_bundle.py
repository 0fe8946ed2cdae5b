"""The .zip bundle format: anything that is not a fitting bundle gets a clear error; older bundles still load."""

import io
import json
import zipfile

import pytest

from core.classifier.task import load_classifier
from core.config import LoopConfig
from core.errors import BundleError
from core.training.bundle import META, read_bundle

SENTENCES = ["오늘 회사에서 팀장님이 그래서 너무 화가 나", "집에서 엄마가 그래서 너무 행복해"]


def rewrite(data: bytes, **changes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = changes.get(name, source.read(name))
            if content is not None:
                target.writestr(name, content)
    return out.getvalue()


def meta_of(data: bytes) -> dict:
    return json.loads(zipfile.ZipFile(io.BytesIO(data)).read(META))


def test_bad_bundles_get_clear_errors(trained_classifier):
    data = trained_classifier[1].classifier.to_bytes()
    meta = meta_of(data)
    cases = {
        "not a model bundle": b"hello world",
        "missing model.safetensors": rewrite(data, **{"model.safetensors": None}),
        "weights .* corrupted": rewrite(data, **{"model.safetensors": b"\x00" * 100}),
        "seq2seq bundle": rewrite(data, **{META: json.dumps({**meta, "kind": "seq2seq"})}),
        "newer Attention Lab": rewrite(data, **{META: json.dumps({**meta, "format_version": 99})}),
        "does not fit": rewrite(data, **{META: json.dumps({**meta, "model_config": {**meta["model_config"], "hidden_dim": 99}})}),
        "not valid JSON": rewrite(data, **{META: b"{"}),
        "not an Attention Lab bundle": rewrite(data, **{META: json.dumps({**meta, "format": "something-else"})}),
    }
    for message, payload in cases.items():
        with pytest.raises(BundleError, match=message):
            load_classifier(payload)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(BundleError, match="File not found: .*nothing.zip"):
        read_bundle(tmp_path / "nothing.zip", "classifier")


def test_an_older_bundle_without_newer_settings_still_loads(trained_classifier):
    classifier = trained_classifier[1].classifier
    data = classifier.to_bytes()
    meta = meta_of(data)
    newer = {"schedule", "warmup", "num_threads"}  # LoopConfig fields added after the first bundles
    assert newer <= set(meta["train_config"])
    old_train = {k: v for k, v in meta["train_config"].items() if k not in newer}
    old = {**meta, "train_config": {**old_train, "from_a_future_version": 1},
           "tokenizer_config": {k: meta["tokenizer_config"][k] for k in ("vocab_size", "character_coverage", "model_type")}}
    again = load_classifier(rewrite(data, **{META: json.dumps(old)}))
    assert [p.to_json() for p in again.predict(SENTENCES)] == [p.to_json() for p in classifier.predict(SENTENCES)]
    assert again.train_config.schedule == LoopConfig.schedule and again.train_config.epochs == classifier.train_config.epochs
