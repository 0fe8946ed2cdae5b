"""Reply generation: pairs, masking, overfitting, decoding, chrF, bundles, determinism and the CLI."""

from __future__ import annotations

import json
import math
import random
import threading

import pandas as pd
import pytest
import torch

from core.bundle import read_bundle
from core.cli import main as cli_main
from core.config import TokenizerConfig
from core.data import OLD_COLUMNS, load_corpus, write_xlsx
from core.errors import BundleError, CorpusError
from core.seq2seq.bundle import load_generator
from core.seq2seq.data import PairConfig, build_pairs, split_by_dialogue
from core.seq2seq.decode import DecodeConfig, beam_search, greedy_decode, length_penalty, repeated_ngram_tokens
from core.seq2seq.metrics import corpus_chrf, sentence_chrf
from core.seq2seq.model import Seq2Seq, Seq2SeqConfig
from core.seq2seq.pipeline import train_seq2seq
from core.plots import training_curves
from core.seq2seq.plots import alignment_heatmap
from core.seq2seq.train import PairSplit, Seq2SeqTask, Seq2SeqTrainConfig, smoothed_loss
from core.train import fit, perplexity
from tests.conftest import new_frame

TOPICS = [
    ("시험을 망쳤어", "시험 결과 때문에 많이 속상하시겠어요."),
    ("친구와 싸웠어", "친구와 다투셔서 마음이 불편하시군요."),
    ("회사에 합격했어", "합격을 축하드려요! 정말 기쁘시겠어요."),
    ("돈이 부족해서 걱정이야", "경제적인 문제로 걱정이 많으시군요."),
    ("몸이 너무 아파", "몸이 아프셔서 힘드시겠어요."),
    ("상사가 나를 무시해", "상사의 태도 때문에 화가 나셨군요."),
]
WHEN = ["오늘", "어제", "요즘", "방금", "결국"]
TINY_MODEL = Seq2SeqConfig(emb_dim=32, hidden_dim=32, decoder_dim=64, attention_dim=32, dropout=0.0)


def dialogue_frame(n_rows: int = 30, seed: int = 0) -> pd.DataFrame:
    """Old-release rows whose four turns each pair a topic sentence with its reply; turn 4 sometimes empty."""
    rng = random.Random(seed)
    rows = []
    for i in range(n_rows):
        turns = []
        for k in range(4):
            topic, reply = rng.choice(TOPICS)
            turns += [None, None] if k == 3 and i % 3 == 0 else [f"{rng.choice(WHEN)} {topic}.", reply]
        rows.append([i + 1, "청년", "여성", "대인관계", "해당없음", "슬픔", "슬픈", *turns])
    return pd.DataFrame(rows, columns=OLD_COLUMNS)


@pytest.fixture
def dialogue_xlsx(tmp_path):
    path = tmp_path / "dialogues.xlsx"
    write_xlsx(dialogue_frame(), path)
    return path


@pytest.fixture(scope="module")
def overfit():
    """A tiny model trained to memorise a handful of pairs (shared: training is the slow part)."""
    frame = pd.DataFrame([[i + 1, "청년", "여성", "", "", "슬픔", "", f"오늘 {t}.", r, *[None] * 6]
                          for i, (t, r) in enumerate(TOPICS)], columns=OLD_COLUMNS)
    pairs = build_pairs(_corpus(frame))
    config = Seq2SeqTrainConfig(epochs=120, batch_size=8, lr=1e-2, val_share=0.0, report_every=1000, label_smoothing=0.0)
    outcome = train_seq2seq(pairs, TINY_MODEL, config, TokenizerConfig(vocab_size=120))
    return pairs, outcome


def _corpus(frame: pd.DataFrame):
    import io

    buffer = io.BytesIO()
    write_xlsx(frame, buffer)
    return load_corpus(buffer.getvalue(), name="pairs.xlsx")


# --- pairs ---------------------------------------------------------------------------------------

def test_pairs_turn_one_by_default_and_all_turns_on_request():
    corpus = _corpus(dialogue_frame())
    first = build_pairs(corpus)
    every = build_pairs(corpus, PairConfig(turns="all"))
    assert len(first) <= 30 and first.report.turns_seen == 30
    assert every.report.turns_seen == 120 and every.report.dropped_incomplete == 10
    assert set(first.targets) <= {reply for _, reply in TOPICS}
    assert len(every) == every.report.pairs_used > len(first)


def test_pairs_read_the_new_release_reply_column():
    rows = [{"감정_대분류": "기쁨", "사람문장1": "합격했어!", "시스템응답1": "축하해요."},
            {"감정_대분류": "슬픔", "사람문장1": "슬퍼.", "시스템응답1": "힘드시겠어요."}]
    frame = new_frame(rows)
    assert "시스템문장1" in frame.columns
    pairs = build_pairs(_corpus(frame))
    assert pairs.sources == ["합격했어!", "슬퍼."] and pairs.targets == ["축하해요.", "힘드시겠어요."]


def test_a_corpus_without_replies_is_refused():
    frame = dialogue_frame().drop(columns=[f"시스템응답{k}" for k in range(1, 5)])
    with pytest.raises(CorpusError, match="시스템응답1"):
        build_pairs(_corpus(frame))


def test_split_keeps_each_dialogue_on_one_side():
    pairs = build_pairs(_corpus(dialogue_frame()), PairConfig(turns="all"))
    train, val = split_by_dialogue(pairs, 0.2, seed=1)
    assert sorted(train + val) == list(range(len(pairs))) and val
    assert not {pairs.dialogues[i] for i in train} & {pairs.dialogues[i] for i in val}


# --- model: shapes and masking ---------------------------------------------------------------------

@pytest.mark.parametrize("rnn", ["lstm", "gru"])
@pytest.mark.parametrize("teacher_forcing", [1.0, 0.5])
def test_forward_shapes_and_attention_masking(rnn, teacher_forcing):
    torch.manual_seed(0)
    model = Seq2Seq(Seq2SeqConfig(vocab_size=50, emb_dim=16, hidden_dim=8, decoder_dim=16, attention_dim=8, rnn=rnn))
    src = torch.tensor([[5, 6, 7, 8, 9], [5, 6, 0, 0, 0], [0, 0, 0, 0, 0]])  # (B=3, S=5); last row empty
    lengths = torch.tensor([5, 2, 0])
    tgt_in = torch.tensor([[2, 10, 11, 12], [2, 13, 0, 0], [2, 0, 0, 0]])  # (B, T=4)
    for training in (True, False):
        model.train(training)
        logits, attention = model(src, lengths, tgt_in, teacher_forcing)
        assert logits.shape == (3, 4, 50) and attention.shape == (3, 4, 5)
        assert torch.all(attention[1, :, 2:] == 0) and torch.all(attention[2, :, 1:] == 0)  # exactly zero at pads
        assert torch.allclose(attention.sum(-1), torch.ones(3, 4), atol=1e-6)  # each row sums to 1
        assert torch.all(attention[2, :, 0] == 1)  # an empty source still attends to one position
        assert torch.isfinite(logits).all()


def test_loss_ignores_padded_target_positions():
    logits = torch.randn(2, 3, 10)
    tgt_out = torch.tensor([[4, 5, 3], [6, 3, 0]])
    changed = logits.clone()
    changed[1, 2] = 100.0  # the padded position's logits must not matter
    assert smoothed_loss(logits, tgt_out, 0, 0.0)[1].item() == pytest.approx(smoothed_loss(changed, tgt_out, 0, 0.0)[1].item())
    smoothed, plain = smoothed_loss(changed, tgt_out, 0, 0.1)
    expected_plain = torch.nn.functional.cross_entropy(logits.reshape(-1, 10), tgt_out.reshape(-1), ignore_index=0)
    assert plain.item() == pytest.approx(expected_plain.item())
    expected = torch.nn.functional.cross_entropy(changed.reshape(-1, 10), tgt_out.reshape(-1), ignore_index=0,
                                                 label_smoothing=0.1)
    assert smoothed.item() == pytest.approx(expected.item())  # same as PyTorch's label smoothing, pads ignored


# --- training ------------------------------------------------------------------------------------

def test_overfit_reproduces_the_training_replies(overfit):
    pairs, outcome = overfit
    losses = [e.train_loss for e in outcome.fit.epochs]
    assert losses[-1] < 0.1 * losses[0]
    assert outcome.generator.reply_texts(pairs.sources) == pairs.targets
    beam = outcome.generator.reply_texts(pairs.sources, DecodeConfig(beam_size=4))
    assert beam == pairs.targets


def test_same_seed_gives_the_same_losses():
    pairs = build_pairs(_corpus(dialogue_frame()), PairConfig(turns="all"))
    config = Seq2SeqTrainConfig(epochs=2, batch_size=16, report_every=2, teacher_forcing=0.8)

    def losses():
        outcome = train_seq2seq(pairs, TINY_MODEL, config, TokenizerConfig(vocab_size=100))
        return [e.train_loss for e in outcome.fit.steps] + [e.val_loss for e in outcome.fit.epochs]

    first = losses()
    assert first == losses() and len(first) > 3 and all(math.isfinite(v) for v in first)


def test_callback_reports_perplexity_and_stop_flag_ends_training():
    torch.manual_seed(0)
    model = Seq2Seq(Seq2SeqConfig(vocab_size=30, emb_dim=8, hidden_dim=8, decoder_dim=8, attention_dim=8))
    split = PairSplit([[5, 6, 7]] * 40, [[2, 8, 9, 3]] * 40)
    stop, events = threading.Event(), []

    def callback(event):
        events.append(event)
        if event.kind == "step" and event.step >= 13:  # 10 steps an epoch: stop early in epoch 2
            stop.set()

    config = Seq2SeqTrainConfig(epochs=5, batch_size=4, report_every=1)
    result = fit(model, Seq2SeqTask(config), split, split, config, callback, stop)
    assert result.stopped and len(result.epochs) == 1  # the unfinished epoch 2 is not kept
    assert max(e.step for e in events if e.kind == "step") == 13  # nothing ran after the flag
    epoch = result.epochs[0]
    assert perplexity(epoch.val_loss) == pytest.approx(math.exp(epoch.val_loss))
    assert events[-1].kind == "end" and 0 < events[-2].progress < 1


# --- decoding ------------------------------------------------------------------------------------

def test_beam_one_equals_greedy(overfit):
    generator = overfit[1].generator
    torch.manual_seed(3)
    untrained = Seq2Seq(generator.model_config).eval()  # arbitrary outputs: a stricter check than memorised ones
    for model in (generator.model, untrained):
        for sentence in ["오늘 시험을 망쳤어.", "요즘 몸이 아파", "회사", "상사가 나를 무시해서 화가 나."]:
            src = torch.tensor([generator.tokenizer.encode(sentence)])
            lengths = torch.tensor([src.size(1)])
            for no_repeat in (0, 2):
                greedy = greedy_decode(model, src, lengths, max_len=12, no_repeat_ngram=no_repeat)[0]
                assert beam_search(model, src, lengths, 1, 12, alpha=0.7, no_repeat_ngram=no_repeat) == greedy


def test_generate_returns_pieces_and_an_aligned_attention_matrix(overfit):
    generator = overfit[1].generator
    for beam in (1, 3):
        reply = generator.generate(["어제 친구와 싸웠어."], DecodeConfig(beam_size=beam))[0]
        assert reply.target_tokens[-1] == "</s>" and reply.reply
        assert len(reply.attention) == len(reply.target_tokens)
        assert all(len(row) == len(reply.source_tokens) for row in reply.attention)
        assert all(sum(row) == pytest.approx(1, abs=1e-4) for row in reply.attention)


def test_length_penalty_is_gnmt():
    assert length_penalty(1, 0.0) == 1.0 and length_penalty(7, 1.0) == 2.0


def test_no_repeat_ngram_bars_the_piece_that_would_repeat():
    assert repeated_ngram_tokens([5, 6, 7, 5, 6], 3) == [7]  # 5 6 7 seen: after "5 6", 7 is barred
    assert repeated_ngram_tokens([5, 6, 7, 5, 6], 0) == [] and repeated_ngram_tokens([5, 6], 3) == []
    torch.manual_seed(1)
    model = Seq2Seq(Seq2SeqConfig(vocab_size=12, emb_dim=8, hidden_dim=8, decoder_dim=8, attention_dim=8)).eval()
    with torch.no_grad():
        model.generator.bias.fill_(0)[7] = 50.0  # the untrained model now says 7 7 7 ...
    src, lengths = torch.tensor([[5, 6]]), torch.tensor([2])
    assert greedy_decode(model, src, lengths, max_len=5)[0] == [7] * 5
    blocked = greedy_decode(model, src, lengths, max_len=5, no_repeat_ngram=2)[0]
    assert blocked[:2] == [7, 7] and all(blocked[i:i + 2] != [7, 7] for i in range(1, 4))


# --- bundle --------------------------------------------------------------------------------------

def test_saved_generator_reloads_to_identical_generations(overfit, tmp_path):
    generator = overfit[1].generator
    path = tmp_path / "s2s.zip"
    generator.save(path)
    again = load_generator(path)
    sentences = ["오늘 시험을 망쳤어.", "돈이 부족해서 걱정이야", "처음 보는 문장이야"]
    for decode in (DecodeConfig(), DecodeConfig(beam_size=3)):
        assert [r.to_json() for r in again.generate(sentences, decode)] == [r.to_json() for r in generator.generate(sentences, decode)]
    assert again.train_config == generator.train_config and again.model_config == generator.model_config
    with pytest.raises(BundleError, match="seq2seq bundle"):
        read_bundle(path, "classifier")


# --- chrF ----------------------------------------------------------------------------------------

def test_chrf_matches_sacrebleu_reference_values():
    # Values from sacreBLEU's chrF (char order 6, beta 2, spaces removed) as quoted in the HF metric card.
    assert corpus_chrf(["The relationship between Obama and Netanyahu is not exactly friendly."],
                       ["The ties between Obama and Netanyahu are not particularly friendly."]) == pytest.approx(61.576379378, abs=1e-6)
    assert corpus_chrf(["The relationship between cats and dogs is not exactly friendly.",
                        "a good bookshop is just a genteel black hole that knows how to read."],
                       ["The relationship between dogs and cats is not exactly friendly.",
                        "A good bookshop is just a genteel Black Hole that knows how to read."]) == pytest.approx(84.642148917, abs=1e-6)


def test_chrf_on_korean_edge_cases():
    assert sentence_chrf("많이 속상하시겠어요.", "많이 속상하시겠어요.") == 100.0
    assert sentence_chrf("많이속상하시겠어요.", "많이 속상하시겠어요.") == 100.0  # spacing does not count
    assert sentence_chrf("축하해요", "힘드시겠어요") < sentence_chrf("힘드셨겠어요", "힘드시겠어요") < 100
    assert sentence_chrf("", "힘드시겠어요") == 0.0 and sentence_chrf("가나", "다라") == 0.0


# --- plots ---------------------------------------------------------------------------------------

def test_alignment_heatmap_labels_and_hover():
    fig = alignment_heatmap(["▁오늘", "▁시험"], ["▁시험", "▁결과", "</s>"], [[0.1, 0.9], [0.3, 0.7], [0.5, 0.5]])
    heatmap = fig.data[0]
    assert list(heatmap.x) == ["1. 오늘", "2. 시험"] and list(heatmap.y) == ["1. 시험", "2. 결과", "3. &lt;/s&gt;"]
    assert heatmap.z.shape == (3, 2) and "α = %{z:.4f}" in heatmap.hovertemplate


def test_loss_curves_show_loss_and_perplexity():
    steps = [{"step": 5, "train_loss": 3.0}, {"step": 10, "train_loss": 2.0}]
    epochs = [{"epoch": 1, "val_loss": 2.5}]
    fig = training_curves(steps, epochs, steps_per_epoch=10, second="perplexity")
    assert len(fig.data) == 4 and fig.data[3].y[0] == pytest.approx(math.exp(2.5))


# --- CLI -----------------------------------------------------------------------------------------

def test_cli_train_then_generate_json(dialogue_xlsx, tmp_path, capsys):
    out = tmp_path / "s2s.zip"
    assert cli_main(["seq2seq", "train", "--data", str(dialogue_xlsx), "--epochs", "2", "--turns", "all",
                     "--vocab-size", "100", "--emb-dim", "16", "--hidden-dim", "16", "--out", str(out)]) == 0
    assert "sent/s" in capsys.readouterr().err and out.is_file()
    assert cli_main(["seq2seq", "generate", "--model", str(out), "--beam", "2", "--json", "오늘 시험을 망쳤어.", "몸이 아파"]) == 0
    replies = json.loads(capsys.readouterr().out)
    assert len(replies) == 2
    for reply in replies:
        assert {"reply", "source_tokens", "target_tokens", "attention"} <= set(reply)
        assert len(reply["attention"]) == len(reply["target_tokens"])
        assert all(len(row) == len(reply["source_tokens"]) for row in reply["attention"])


def test_cli_bad_input_is_one_line_and_exit_2(dialogue_xlsx, tmp_path, capsys):
    assert cli_main(["seq2seq", "train", "--data", str(dialogue_xlsx), "--epochs", "0", "--out", str(tmp_path / "x.zip")]) == 2
    assert cli_main(["seq2seq", "generate", "--model", str(tmp_path / "missing.zip"), "안녕"]) == 2
    err = capsys.readouterr().err
    assert "--epochs" in err and "missing.zip" in err and "Traceback" not in err
