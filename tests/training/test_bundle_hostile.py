"""Hostile bundles (issue 23): each is refused with one BundleError line before anything large is allocated, or
loads safely; `python -m core predict` answers them with exit 2, one stderr line, no traceback, bounded memory."""

from __future__ import annotations

import io
import json
import os
import pickle
import re
import struct
import subprocess
import sys
import zipfile
from dataclasses import fields
from pathlib import Path

import pytest
import torch

from core.classifier.baseline import train_baseline
from core.classifier.model import BiLSTMWithAttention
from core.classifier.task import Classifier, load_classifier
from core.classifier.task import tensor_shapes as classifier_shapes
from core.config import DataConfig, ModelConfig, TokenizerConfig, TrainConfig
from core.corpus.tokenizer import train_tokenizer
from core.errors import BundleError
from core.seq2seq.bundle import ReplyGenerator, load_generator
from core.seq2seq.bundle import tensor_shapes as seq2seq_shapes
from core.seq2seq.data import PairConfig
from core.seq2seq.model import Seq2Seq, Seq2SeqConfig
from core.seq2seq.retrieval import fit_retrieval
from core.seq2seq.train import Seq2SeqTrainConfig
from core.training.bundle import META, TOKENIZER, WEIGHTS, checked_config, read_bundle, setting_types

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [f"오늘 {place} {who} 그래서 {cue} {n}" for n, (place, who, cue) in enumerate(
    (p, w, c) for p in ("회사에서", "학교에서", "집에서") for w in ("친구가", "엄마가") for c in ("너무 기뻐", "너무 슬퍼"))]
LABELS = [int("슬퍼" in text) for text in TEXTS]
NAMES = ["기쁨", "슬픔"]
ROW = {"epoch": 1, "step": 3, "train_loss": 0.7, "train_acc": 0.5, "val_loss": 0.69, "val_acc": 0.5,
       "sentences_per_s": 100.0, "elapsed_s": 0.1}
MB = 1024 * 1024


@pytest.fixture(scope="module")
def tokenizer():
    return train_tokenizer(TEXTS, TokenizerConfig(vocab_size=60))


@pytest.fixture(scope="module")
def good(tokenizer) -> bytes:
    """A small classifier bundle (random weights, a real tokenizer and baseline): built in a second, not trained."""
    config = ModelConfig(vocab_size=tokenizer.vocab_size, num_classes=2, emb_dim=8, hidden_dim=8, attention_dim=8,
                         fc_dim=8)
    history = {"epochs": [ROW], "steps": [ROW], "best_epoch": 1, "stopped": False, "early_stopped": False,
               "elapsed_s": 0.2}
    classifier = Classifier(tokenizer, BiLSTMWithAttention(config), NAMES, DataConfig(task="binary"), TrainConfig(),
                            {"val_accuracy": 0.5, "val_macro_f1": float("nan")}, history,
                            train_baseline(TEXTS, LABELS, NAMES))
    return classifier.to_bytes()


@pytest.fixture(scope="module")
def good_reply(tokenizer) -> bytes:
    config = Seq2SeqConfig(vocab_size=tokenizer.vocab_size, emb_dim=8, hidden_dim=8, decoder_dim=8, attention_dim=8)
    generator = ReplyGenerator(tokenizer, Seq2Seq(config), PairConfig(), Seq2SeqTrainConfig(), {}, {},
                               fit_retrieval(TEXTS, TEXTS[::-1]))
    return generator.to_bytes()


# --- building hostile zips --------------------------------------------------------------------------------------


def rewrite(data: bytes, **changes) -> bytes:
    """The bundle with members replaced (bytes), added, or removed (None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = changes.pop(name, source.read(name))
            if content is not None:
                target.writestr(name, content)
        for name, content in changes.items():
            target.writestr(name, content)
    return out.getvalue()


def meta_of(data: bytes) -> dict:
    return json.loads(zipfile.ZipFile(io.BytesIO(data)).read(META))


def with_meta(data: bytes, **changes) -> bytes:
    return rewrite(data, **{META: json.dumps({**meta_of(data), **changes})})


def with_config(data: bytes, section: str, **changes) -> bytes:
    meta = meta_of(data)
    return with_meta(data, **{section: {**meta[section], **changes}})


def nested(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def deflated_zeros(data: bytes, member: str, size: int) -> bytes:
    """`member` replaced by `size` zero bytes, deflated: a few KB in the zip, written in chunks."""
    buffer = io.BytesIO(rewrite(data, **{member: None}))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(member)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as stream:
            for _ in range(size // MB):
                stream.write(bytes(MB))
    return buffer.getvalue()


def forge_size(data: bytes, member: str, size: int) -> bytes:
    """The zip's directory (and the member's local header) claiming `size` inflated bytes: a lying header."""
    raw = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    struct.pack_into("<L", raw, info.header_offset + 22, size)
    at = raw.find(b"PK\x01\x02")
    while at >= 0:
        name_length = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46:at + 46 + name_length] == member.encode():
            struct.pack_into("<L", raw, at + 24, size)
        at = raw.find(b"PK\x01\x02", at + 4)
    return bytes(raw)


def forge_directory_size(data: bytes, size: int) -> bytes:
    """The end-of-directory record claiming a central directory of `size` bytes (zipfile would read it whole)."""
    raw = bytearray(data)
    struct.pack_into("<L", raw, raw.rfind(b"PK\x05\x06") + 12, size)
    return bytes(raw)


def many_entries(data: bytes, count: int) -> bytes:
    return rewrite(data, **{f"junk/{i}": b"" for i in range(count)})


def weights_of(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(WEIGHTS)


def f64_weights(data: bytes) -> bytes:
    from safetensors.torch import load, save

    return rewrite(data, **{WEIGHTS: save({k: v.double() for k, v in load(weights_of(data)).items()})})


def bigger_weights(data: bytes) -> bytes:
    from safetensors.torch import load, save

    tensors = load(weights_of(data))
    tensors["embedding.weight"] = torch.zeros(tensors["embedding.weight"].shape[0] + 1, tensors["embedding.weight"].shape[1])
    return rewrite(data, **{WEIGHTS: save(tensors)})


HOSTILE = {  # id: (build from the good bundle, the message's fragment)
    "not a zip": (lambda d: b"hello world, not a zip", "not a model bundle"),
    "empty file": (lambda d: b"", "not a model bundle"),
    "truncated zip": (lambda d: d[: len(d) // 2], "not a model bundle"),
    "zip bomb: weights": (lambda d: deflated_zeros(d, WEIGHTS, 64 * MB), "does not fit its own settings"),
    "zip bomb: bundle.json": (lambda d: deflated_zeros(d, META, 16 * MB), "bundle.json inflates to 16 MB"),
    "zip bomb: tokenizer": (lambda d: deflated_zeros(d, TOKENIZER, 32 * MB), "tokenizer.model inflates to 32 MB"),
    "zip bomb: 1.93 GB claimed": (lambda d: forge_size(d, WEIGHTS, 1_930_000_000), "does not fit its own settings"),
    "lying header: weights": (lambda d: forge_size(d, WEIGHTS, len(weights_of(d)) - 4), "corrupted|damaged"),
    "lying header: bundle.json": (lambda d: forge_size(d, META, 10), "damaged in the zip"),
    "too many members": (lambda d: many_entries(d, 40), "more than 16 files"),
    "directory size forged": (lambda d: forge_directory_size(d, 400 * MB), "huge directory"),
    "absurd vocabulary": (lambda d: with_config(d, "model_config", vocab_size=4_000_000), "model_config.vocab_size"),
    "absurd dimensions": (lambda d: with_config(d, "model_config", emb_dim=1_000_000), "model_config.emb_dim"),
    "dimensions too big together": (lambda d: with_config(d, "model_config", vocab_size=64_000, emb_dim=4096,
                                                          hidden_dim=4096), "MB of weights"),
    "absurd layers": (lambda d: with_config(d, "model_config", num_layers=2000), "model_config.num_layers"),
    "negative size": (lambda d: with_config(d, "model_config", hidden_dim=-5), "model_config.hidden_dim"),
    "NaN dropout": (lambda d: with_config(d, "model_config", dropout=float("nan")), "model_config.dropout"),
    "dimension of the wrong type": (lambda d: with_config(d, "model_config", emb_dim="8"), "model_config.emb_dim"),
    "bool as a size": (lambda d: with_config(d, "model_config", num_layers=True), "model_config.num_layers"),
    "pad id outside the vocabulary": (lambda d: with_config(d, "model_config", pad_id=10**6), "pad_id"),
    "unknown pooling": (lambda d: with_config(d, "model_config", pooling="max"), "model_config is invalid"),
    "train_config of the wrong type": (lambda d: with_meta(d, train_config=[1, 2]), "train_config is missing"),
    "max_len absurd": (lambda d: with_config(d, "train_config", max_len=10**9), "train_config.max_len"),
    "pickle as weights": (lambda d: rewrite(d, **{WEIGHTS: pickle.dumps({"w": list(range(100))})}),
                          "weights .*corrupted|does not fit"),
    "torch.save as weights": (lambda d: rewrite(d, **{WEIGHTS: _torch_save()}), "weights .*corrupted|does not fit"),
    "pickle as tokenizer": (lambda d: rewrite(d, **{TOKENIZER: pickle.dumps(object)}), "not a SentencePiece model"),
    "truncated weights": (lambda d: rewrite(d, **{WEIGHTS: weights_of(d)[: len(weights_of(d)) // 2]}),
                          "weights .*corrupted or truncated"),
    "weights header too long": (lambda d: rewrite(d, **{WEIGHTS: (10**9).to_bytes(8, "little") + weights_of(d)[8:]}),
                                "header is too long"),
    "weights as float64": (f64_weights, "does not fit|float32"),
    "weights of another shape": (bigger_weights, "does not fit"),
    "garbage tokenizer": (lambda d: rewrite(d, **{TOKENIZER: os.urandom(5000)}), "not a SentencePiece model"),
    "empty tokenizer": (lambda d: rewrite(d, **{TOKENIZER: b""}), "not a SentencePiece model|pad_id=0"),
    "malformed JSON": (lambda d: rewrite(d, **{META: b'{"format": '}), "not valid JSON"),
    "bundle.json not UTF-8": (lambda d: rewrite(d, **{META: b'{"\xff": 1}'}), "not valid JSON"),
    "bundle.json a list": (lambda d: rewrite(d, **{META: b"[1, 2]"}), "not an Attention Lab bundle"),
    "deeply nested JSON": (lambda d: rewrite(d, **{META: nested(200_000)}), "nested more than 64 levels"),
    "deeply nested value": (lambda d: rewrite(d, **{META: json.dumps(meta_of(d))[:-1].encode()
                                                    + b', "x": ' + nested(100_000) + b"}"}), "nested more than 64"),
    "integer of 5000 digits": (lambda d: rewrite(d, **{META: b'{"format": ' + b"9" * 5000 + b"}"}), "not valid JSON"),
    "format_version a string": (lambda d: with_meta(d, format_version="x"), "format_version is not a whole number"),
    "format_version a list": (lambda d: with_meta(d, format_version=[1]), "format_version is not a whole number"),
    "kind a table": (lambda d: with_meta(d, kind={"a": 1}), "different bundle"),
    "metrics of the wrong type": (lambda d: with_meta(d, metrics={"val_accuracy": "abc"}), "metrics are not"),
    "metrics a list": (lambda d: with_meta(d, metrics=[0.5]), "metrics are not"),
    "metric too large to format": (lambda d: with_meta(d, metrics={"val_accuracy": 10**400}), "metrics are not"),
    "seed too large": (lambda d: with_config(d, "train_config", seed=10**400), "train_config.seed"),
    "history a list": (lambda d: with_meta(d, history=[1, 2]), "history is malformed"),
    "history rows of the wrong type": (lambda d: with_meta(d, history={"epochs": [{**ROW, "val_acc": "x"}]}),
                                       "history is malformed"),
    "history row without an epoch": (lambda d: with_meta(d, history={"epochs": [{"val_acc": 0.5}]}),
                                     "history is malformed"),
    "history elapsed a string": (lambda d: with_meta(d, history={"elapsed_s": "long"}), "history is malformed"),
    "label names of the wrong count": (lambda d: with_meta(d, label_names=["a", "b", "c"]), "label names"),
    "label names of the wrong type": (lambda d: with_meta(d, label_names=[1, 2]), "label names"),
    "label names repeated": (lambda d: with_meta(d, label_names=["a", "a"]), "label names"),
    "data_config missing": (lambda d: with_meta(d, data_config=None), "data_config is missing"),
    "baseline.json garbage": (lambda d: rewrite(d, **{"baseline.json": b"\x00garbage"}), "not valid JSON"),
    "baseline classes out of range": (lambda d: _baseline_meta(d, classes=[0, 7]), "baseline is unreadable"),
    "baseline n-grams repeated": (lambda d: _baseline_meta(d, ngrams=["a"] * 3), "baseline is unreadable"),
    "baseline weights cut": (lambda d: rewrite(d, **{"baseline.safetensors": b"\x08" + bytes(20)}),
                             "baseline is unreadable|corrupted"),
    "baseline weights pickled": (lambda d: rewrite(d, **{"baseline.safetensors": pickle.dumps([1.0] * 50)}),
                                 "baseline is unreadable|corrupted"),
}


def _torch_save() -> bytes:
    buffer = io.BytesIO()
    torch.save({"embedding.weight": torch.zeros(3, 3)}, buffer)
    return buffer.getvalue()


def _baseline_meta(data: bytes, **changes) -> bytes:
    meta = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("baseline.json"))
    return rewrite(data, **{"baseline.json": json.dumps({**meta, **changes}).encode()})


@pytest.mark.parametrize("case", HOSTILE)
def test_each_hostile_bundle_is_refused_with_one_line(good, case):
    build, fragment = HOSTILE[case]
    with pytest.raises(BundleError) as raised:
        load_classifier(build(good), "hostile.zip")
    message = str(raised.value)
    assert message.startswith("hostile.zip: ") and "\n" not in message and len(message) < 400, message
    assert ".cc" not in message and "Traceback" not in message
    assert re.search(fragment, message), message


def test_a_member_listed_twice_is_refused(good):
    data = io.BytesIO(good)
    with zipfile.ZipFile(data, "a") as archive, pytest.warns(UserWarning, match="Duplicate name"):
        archive.writestr(META, b"{}")  # which copy would a reader take?
    with pytest.raises(BundleError, match="one twice"):
        load_classifier(data.getvalue())


def test_good_bundles_load_and_extra_members_are_never_read(good, good_reply):
    extra = rewrite(good, **{"data.pkl": pickle.dumps(object), "notes/readme.txt": b"hello"})
    classifier = load_classifier(extra)
    assert classifier.label_names == NAMES and classifier.metrics["val_accuracy"] == 0.5
    assert classifier.history["epochs"] == [ROW] and classifier.baseline is not None
    assert load_classifier(good).predict(["오늘 너무 기뻐"])[0].label in NAMES
    generator = load_generator(good_reply)
    assert generator.retrieval is not None and generator.reply_texts(["오늘 너무 슬퍼"])
    bundle = read_bundle(good, "classifier")
    assert set(bundle.tensors) == set(classifier_shapes(classifier.model_config)[0])


def test_unknown_history_keys_are_dropped_and_missing_ones_are_fine(good):
    meta = meta_of(good)
    again = load_classifier(with_meta(good, history={"epochs": [ROW], "from_the_future": {"x": [1]}}))
    assert again.history == {"epochs": [ROW], "steps": []}
    without = {k: v for k, v in meta.items() if k not in ("metrics", "history")}
    older = load_classifier(rewrite(good, **{META: json.dumps(without)}))
    assert older.metrics == {} and older.history == {"epochs": [], "steps": []}


REPLY_HOSTILE = {
    "retrieval sources of the wrong type": ({"sources": [1, 2], "replies": ["a", "b"], "ngram_range": [1, 4]},
                                            "retrieval index is unreadable"),
    "retrieval lengths disagree": ({"sources": ["a"], "replies": ["a", "b"], "ngram_range": [1, 4]},
                                   "retrieval index is unreadable"),
    "retrieval range absurd": ({"sources": ["a"], "replies": ["b"], "ngram_range": [1, 10**6]},
                               "retrieval index is unreadable"),
    "retrieval a list": ([1, 2, 3], "retrieval index is unreadable"),
}


@pytest.mark.parametrize("case", REPLY_HOSTILE)
def test_hostile_reply_bundles_are_refused(good_reply, case):
    payload, fragment = REPLY_HOSTILE[case]
    with pytest.raises(BundleError, match=fragment):
        load_generator(rewrite(good_reply, **{"retrieval.json": json.dumps(payload).encode()}))


def test_reply_bundle_settings_are_checked(good_reply):
    cases = {"rnn": ("lstm2", "model_config is invalid"), "max_target_len": (10**8, "max_target_len"),
             "copy": ("yes", "model_config.copy")}
    for key, (value, fragment) in cases.items():
        section = "train_config" if key == "max_target_len" else "model_config"
        with pytest.raises(BundleError, match=fragment):
            load_generator(with_config(good_reply, section, **{key: value}))
    with pytest.raises(BundleError, match="pair_config"):
        load_generator(with_meta(good_reply, pair_config={"turns": 3}))


def test_a_retrieval_index_with_too_many_ngrams_is_refused_before_its_refit(good_reply, monkeypatch):
    import core.seq2seq.bundle

    monkeypatch.setattr(core.seq2seq.bundle, "MAX_RETRIEVAL_NGRAMS", 100)
    with pytest.raises(BundleError, match="larger than this version indexes"):
        load_generator(good_reply)


@pytest.mark.parametrize("config", [ModelConfig(vocab_size=50, num_classes=3, emb_dim=4, hidden_dim=5,
                                                attention_dim=6, fc_dim=7, num_layers=2, pooling="mean"),
                                    ModelConfig(vocab_size=60, emb_dim=8, hidden_dim=8)])
def test_classifier_shapes_are_the_models(config):
    required, optional = classifier_shapes(config)
    assert required == {k: tuple(v.shape) for k, v in BiLSTMWithAttention(config).state_dict().items()}
    assert optional == {}


@pytest.mark.parametrize("config", [
    Seq2SeqConfig(vocab_size=50, emb_dim=4, hidden_dim=5, decoder_dim=6, attention_dim=7, num_layers=2),
    Seq2SeqConfig(vocab_size=50, emb_dim=4, hidden_dim=5, decoder_dim=6, attention_dim=7, rnn="gru", coverage=True,
                  tie_embeddings=False, copy=False)])
def test_reply_shapes_are_the_models(config):
    required, optional = seq2seq_shapes(config)
    state = {k: tuple(v.shape) for k, v in Seq2Seq(config).state_dict().items()}
    assert {**required, **optional} == state
    assert set(optional) <= {"copy_gate.weight", "copy_gate.bias", "attention.W_y.weight", "generator.weight"}


@pytest.mark.parametrize("cls", [ModelConfig, TrainConfig, TokenizerConfig, DataConfig, Seq2SeqConfig,
                                 Seq2SeqTrainConfig, PairConfig])
def test_every_setting_of_every_config_has_a_bundle_check(cls):
    assert [f.name for f in fields(cls) if setting_types(f.type) is None] == []
    defaults = {f.name: getattr(cls(), f.name) for f in fields(cls)}
    assert checked_config(cls, defaults, "config", "x") == cls()


# --- the command line -------------------------------------------------------------------------------------------

# The cases, run as real processes: all at once, as each is mostly interpreter start-up (4 s of CPU).
CLI_CASES = ["format_version a string", "deeply nested JSON", "zip bomb: weights"]


def test_predict_refuses_hostile_bundles_in_one_line_with_bounded_memory(good, tmp_path):
    """os.wait4 gives each child's own peak RSS (RUSAGE_CHILDREN would be the largest of every child so far)."""
    running = {}
    for case in CLI_CASES:
        path = tmp_path / f"{case.replace(' ', '_').replace(':', '')}.zip"
        path.write_bytes(HOSTILE[case][0](good))
        running[case] = subprocess.Popen([sys.executable, "-m", "core", "predict", "--model", str(path), "문장"],
                                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for case, process in running.items():
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr = process.stderr.read().decode()
        assert process.returncode == 2, (case, stderr)
        assert len(stderr.splitlines()) == 1 and stderr.startswith("error: "), (case, stderr)
        assert "Traceback" not in stderr and process.stdout.read() == b""
        assert usage.ru_maxrss * 1024 < 1.5 * 2**30, (case, usage.ru_maxrss)  # KiB on Linux


def test_every_hostile_bundle_gets_exit_2_and_one_line_from_the_cli(good, tmp_path, capsys):
    """The same command in this process (it sets torch's threads: restored after)."""
    from core.cli.main import main

    threads = torch.get_num_threads()
    try:
        for case, (build, _) in HOSTILE.items():
            path = tmp_path / "hostile.zip"
            path.write_bytes(build(good))
            assert main(["predict", "--model", str(path), "문장"]) == 2, case
            captured = capsys.readouterr()
            assert captured.out == "" and len(captured.err.splitlines()) == 1, (case, captured.err)
            assert captured.err.startswith("error: hostile.zip: "), (case, captured.err)
    finally:
        torch.set_num_threads(threads)
