"""Reply pairs: which turns are paired, both releases' reply columns, refusals, and the dialogue-level split."""

from __future__ import annotations

import pytest

from core.errors import CorpusError
from core.seq2seq.data import PairConfig, as_source, build_pairs, split_by_dialogue
from tests.conftest import TOPICS, corpus_of, dialogue_frame, new_frame


def test_pairs_every_turn_by_default_or_turn_one_on_request():
    corpus = corpus_of(dialogue_frame())
    first = build_pairs(corpus, PairConfig(turns="first"))
    every = build_pairs(corpus)  # the default: every turn pair (measured better on real data)
    assert every.config.turns == "all"
    assert len(first) <= 30 and first.report.turns_seen == 30
    assert every.report.turns_seen == 120 and every.report.dropped_incomplete == 10
    assert set(first.targets) <= {reply for _, reply in TOPICS}
    assert len(every) == every.report.pairs_used > len(first)


def test_pairs_read_the_new_release_reply_column():
    rows = [{"감정_대분류": "기쁨", "사람문장1": "합격했어!", "시스템응답1": "축하해요."},
            {"감정_대분류": "슬픔", "사람문장1": "슬퍼.", "시스템응답1": "힘드시겠어요."}]
    frame = new_frame(rows)
    assert "시스템문장1" in frame.columns
    pairs = build_pairs(corpus_of(frame))
    assert pairs.sources == ["합격했어!", "슬퍼."] and pairs.targets == ["축하해요.", "힘드시겠어요."]


def test_a_corpus_without_replies_is_refused():
    frame = dialogue_frame().drop(columns=[f"시스템응답{k}" for k in range(1, 5)])
    with pytest.raises(CorpusError, match="시스템응답1"):
        build_pairs(corpus_of(frame))


def test_unknown_turns_setting_is_refused():
    with pytest.raises(ValueError, match="turns must be one of"):
        PairConfig(turns="last")


def test_split_keeps_each_dialogue_on_one_side():
    pairs = build_pairs(corpus_of(dialogue_frame()), PairConfig(turns="all"))
    train, val = split_by_dialogue(pairs, 0.2, seed=1)
    assert sorted(train + val) == list(range(len(pairs))) and val
    assert not {pairs.dialogues[i] for i in train} & {pairs.dialogues[i] for i in val}


def test_pairs_read_the_wave_scripts_machine_turns():
    """기계문장k are the replies; 사람문장3 has none, so each dialogue gives two pairs."""
    from core.corpus.data import load_corpus
    from tests.corpus.test_layouts import as_bytes, wave_frame

    corpus = load_corpus(as_bytes(wave_frame(), "csv"), "wave.csv")
    pairs = build_pairs(corpus)
    assert pairs.report.turns_seen == len(pairs) == 2 * len(corpus.frame)
    assert pairs.targets[:2] == ["그랬군요 0.", "힘드셨겠어요."] and pairs.sources[1] == "응 맞아 0"
    assert len(build_pairs(corpus, PairConfig(turns="first"))) == len(corpus.frame)


def test_a_corpus_with_human_turns_only_names_every_reply_column():
    frame = dialogue_frame().drop(columns=[f"시스템응답{k}" for k in range(1, 5)])
    with pytest.raises(CorpusError, match="기계문장1"):
        build_pairs(corpus_of(frame))


@pytest.mark.parametrize(("typed", "read"), [
    ("시험을 망쳐서 너무 속상해", "시험을 망쳐서 너무 속상해."), ("속상해 ", "속상해."), ("정말?", "정말?"),
    ("그랬구나…", "그랬구나…"), ("고마워~ ", "고마워~"), ("끝.", "끝."), ("", ""),
])
def test_the_encoder_reads_a_closing_mark_on_every_sentence(typed, read):
    assert as_source(typed) == read
