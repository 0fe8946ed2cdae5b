"""The retrieval reference: nearest training sentence by char n-gram TF-IDF cosine, its reply, its chrF, its bundle member."""

from __future__ import annotations

import json

import pytest

from core.seq2seq.metrics import corpus_chrf
from core.seq2seq.retrieval import MEMBER, fit_retrieval, retrieval_from_members, retrieval_members
from tests.conftest import REAL_OLD_RELEASE

REAL = REAL_OLD_RELEASE
SOURCES = ["시험을 망쳐서 너무 속상해.", "친구와 크게 싸웠어.", "회사에 합격해서 기뻐!", "몸이 아파서 병원에 갔어.",
           "친구가 약속을 어겼어."]
REPLIES = ["시험 때문에 속상하시군요.", "친구와 다투셔서 마음이 불편하시군요.", "합격 축하드려요!",
           "몸이 아프셔서 힘드시겠어요.", "친구와 다투셔서 마음이 불편하시군요."]


def test_a_close_sentence_gets_the_reply_of_its_nearest_training_sentence():
    retrieval = fit_retrieval(SOURCES, REPLIES)
    index, similarity = retrieval.nearest(["어제 시험을 망쳐서 속상해", "회사 합격!"])
    assert index.tolist() == [0, 2] and all(0 < s <= 1 for s in similarity)
    assert retrieval.reply(["어제 시험을 망쳐서 속상해"]) == [REPLIES[0]]
    assert retrieval.reply(SOURCES) == REPLIES  # a training sentence is its own nearest neighbour


def test_a_sentence_sharing_no_ngram_gets_the_most_common_reply():
    retrieval = fit_retrieval(SOURCES, REPLIES)
    assert retrieval.nearest([""])[1].tolist() == [0.0]  # (char_wb pads words with spaces: any word shares " ")
    assert retrieval.reply([""]) == ["친구와 다투셔서 마음이 불편하시군요."]


def test_chrf_scores_the_retrieved_replies_and_refuses_mismatched_pairs():
    retrieval = fit_retrieval(SOURCES, REPLIES)
    references = ["시험 결과 때문에 많이 속상하시겠어요.", "합격을 축하드려요!"]
    queries = ["시험을 또 망쳤어", "드디어 합격했어"]
    assert retrieval.chrf(queries, references) == pytest.approx(corpus_chrf(retrieval.reply(queries), references))
    assert retrieval.chrf(SOURCES, REPLIES) == pytest.approx(100.0)
    assert retrieval.chrf([], []) != retrieval.chrf([], [])  # nan
    with pytest.raises(ValueError):
        fit_retrieval(SOURCES, REPLIES[:2])


def test_members_are_json_and_reload_to_the_same_answers():
    retrieval = fit_retrieval(SOURCES, REPLIES, ngram_range=(1, 3))
    members = retrieval_members(retrieval)
    assert list(members) == [MEMBER]
    meta = json.loads(members[MEMBER].decode("utf-8"))  # plain JSON: nothing is unpickled
    assert meta["sources"] == SOURCES and meta["ngram_range"] == [1, 3]
    again = retrieval_from_members(members)
    queries = ["시험 망침", "병원", "약속을 어긴 친구", "xyz"]
    assert again.reply(queries) == retrieval.reply(queries)
    assert again.nearest(queries)[1].tolist() == pytest.approx(retrieval.nearest(queries)[1].tolist())
    assert retrieval_from_members({}) is None


@pytest.mark.skipif(not REAL.exists(), reason="the real AIHUB file is not here (it never ships with the project)")
def test_on_real_held_out_dialogues_retrieval_beats_the_most_common_reply():
    from core.seq2seq.data import PairConfig, split_by_dialogue
    from core.seq2seq.pipeline import load_pairs

    pairs = load_pairs(REAL, PairConfig(turns="first"))
    train, val = split_by_dialogue(pairs, 0.1, 0)
    retrieval = fit_retrieval(pairs.subset(train).sources, pairs.subset(train).targets)
    held_out = pairs.subset(val)
    constant = corpus_chrf([retrieval.fallback] * len(held_out), held_out.targets)
    assert retrieval.chrf(held_out.sources, held_out.targets) > constant + 1.0
