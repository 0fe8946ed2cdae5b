"""The trained reply generator: replies with an aligned attention matrix, and a bundle that reloads exactly."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
import torch

from core.errors import BundleError
from core.seq2seq.bundle import ReplyGenerator, load_generator
from core.seq2seq.decode import DecodeConfig
from core.training.bundle import read_bundle


def test_generate_returns_pieces_and_an_aligned_attention_matrix(overfit):
    generator = overfit[1].generator
    for beam in (1, 3):
        reply = generator.generate(["어제 친구와 싸웠어."], DecodeConfig(beam_size=beam))[0]
        assert reply.target_tokens[-1] == "</s>" and reply.reply
        assert len(reply.attention) == len(reply.target_tokens)
        assert all(len(row) == len(reply.source_tokens) for row in reply.attention)
        assert all(sum(row) == pytest.approx(1, abs=1e-4) for row in reply.attention)


def test_a_sentence_without_a_closing_mark_is_read_as_the_corpus_writes_it(overfit):
    """99.6% of the corpus's sentences end with a mark: one typed without it gets the "." the model learnt."""
    generator = overfit[1].generator
    bare, closed = generator.generate(["어제 친구와 싸웠어", "어제 친구와 싸웠어."])
    assert bare.source == "어제 친구와 싸웠어"  # the page shows what was typed
    assert bare.source_tokens == closed.source_tokens and bare.source_tokens[-1].endswith(".")
    assert (bare.reply, bare.attention) == (closed.reply, closed.attention)


def test_saved_generator_reloads_to_identical_generations(overfit, tmp_path):
    generator = overfit[1].generator
    path = tmp_path / "s2s.zip"
    generator.save(path)
    again = load_generator(path)
    sentences = ["오늘 시험을 망쳤어.", "돈이 부족해서 걱정이야", "처음 보는 문장이야"]
    for decode in (DecodeConfig(), DecodeConfig(beam_size=3)):
        assert ([r.to_json() for r in again.generate(sentences, decode)]
                == [r.to_json() for r in generator.generate(sentences, decode)])
    assert again.train_config == generator.train_config and again.model_config == generator.model_config
    with pytest.raises(BundleError, match="seq2seq bundle"):
        read_bundle(path, "classifier")


def test_the_retrieval_reference_travels_in_the_bundle(overfit, tmp_path):
    generator = overfit[1].generator
    assert generator.retrieval is not None
    path = tmp_path / "s2s.zip"
    generator.save(path)
    assert "retrieval.json" in read_bundle(path, "seq2seq").extras
    again = load_generator(path)
    sentences = ["오늘 시험을 망쳤어.", "몸이 아파"]
    assert again.retrieval.reply(sentences) == generator.retrieval.reply(sentences)


def test_a_bundle_without_a_retrieval_reference_still_loads(overfit, tmp_path):
    generator = overfit[1].generator
    path = tmp_path / "old.zip"
    ReplyGenerator(generator.tokenizer, generator.model, generator.pair_config, generator.train_config).save(path)
    assert load_generator(path).retrieval is None


def test_a_bundle_saved_before_the_copy_gate_loads_and_never_copies(overfit, tmp_path):
    import io
    import json
    import zipfile

    from core.seq2seq.model import Seq2Seq

    generator = overfit[1].generator
    plain = Seq2Seq(replace(generator.model_config, copy=False))
    plain.load_state_dict({k: v for k, v in generator.model.state_dict().items() if not k.startswith("copy_gate")})
    old = ReplyGenerator(generator.tokenizer, plain.eval(), generator.pair_config, generator.train_config)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(old.to_bytes())) as source, zipfile.ZipFile(buffer, "w") as target:
        for member in source.namelist():
            data = source.read(member)
            if member == "bundle.json":  # as an older version wrote it: no 'copy' setting
                meta = json.loads(data)
                del meta["model_config"]["copy"]
                data = json.dumps(meta).encode()
            target.writestr(member, data)
    again = load_generator(buffer.getvalue())
    assert again.model_config.copy  # the current default, with a gate that never opens
    sentences = ["오늘 시험을 망쳤어.", "처음 보는 문장이야"]
    assert again.reply_texts(sentences) == old.reply_texts(sentences)
    ours, theirs = again.generate(sentences[:1])[0], old.generate(sentences[:1])[0]
    assert ours.log_prob == pytest.approx(theirs.log_prob, abs=1e-3)


def test_a_bundle_saved_before_the_attention_saw_the_previous_piece_loads_unchanged(overfit, tmp_path):
    import io
    import zipfile

    from safetensors.torch import load, save

    generator = overfit[1].generator
    with torch.no_grad():
        model = copy.deepcopy(generator.model)
        model.attention.W_y.weight.zero_()  # what an older model computed
    old = ReplyGenerator(generator.tokenizer, model, generator.pair_config, generator.train_config)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(old.to_bytes())) as source, zipfile.ZipFile(buffer, "w") as target:
        for member in source.namelist():
            data = source.read(member)
            if member.endswith(".safetensors"):  # as an older version wrote it: no W_y
                tensors = load(data)
                del tensors["attention.W_y.weight"]
                data = save(tensors)
            target.writestr(member, data)
    again = load_generator(buffer.getvalue())
    assert torch.all(again.model.attention.W_y.weight == 0)
    sentences = ["오늘 시험을 망쳤어.", "처음 보는 문장이야"]
    assert again.reply_texts(sentences) == old.reply_texts(sentences)
