"""Decoding: beam 1 is greedy, GNMT length penalty, the no-repeat-n-gram rule, the stutter guard, seeded samples
and MBR."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from core.seq2seq.bundle import ReplyGenerator
from core.seq2seq.decode import (
    DecodeConfig,
    back_to_back_tokens,
    beam_search,
    greedy_decode,
    length_penalty,
    mbr_index,
    repeated_ngram_tokens,
    sample_decode,
)
from core.seq2seq.model import Seq2Seq, Seq2SeqConfig


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


def test_length_penalty_is_gnmt():
    assert length_penalty(1, 0.0) == 1.0 and length_penalty(7, 1.0) == 2.0


def test_decode_config_refuses_an_empty_beam_or_length():
    with pytest.raises(ValueError, match="at least 1"):
        DecodeConfig(beam_size=0)
    with pytest.raises(ValueError, match="at least 1"):
        DecodeConfig(max_len=0)


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


def test_mbr_picks_the_candidate_closest_to_the_others():
    assert mbr_index(["많이 속상하시겠어요.", "정말 속상하시겠어요.", "날씨가 좋네요."]) in (0, 1)
    assert mbr_index(["날씨가 좋네요.", "많이 속상하시겠어요.", "많이 속상하시겠어요."]) == 1  # first of a tie
    assert mbr_index(["하나뿐"]) == 0
    assert mbr_index(["a", "b", "c"], utility=lambda c, r: 1.0 if c == "c" else 0.0) == 2


def test_samples_are_seeded_per_sentence_and_mbr_never_depends_on_the_batch(overfit):
    pairs, outcome = overfit
    generator = outcome.generator
    config = replace(generator.decode_config(), samples=4, temperature=1.5, epsilon=0.0)
    src, lengths = generator._encode(pairs.sources[:1])
    first = sample_decode(generator.model, src, lengths, config)
    assert len(first) == 4 and first == sample_decode(generator.model, src, lengths, config)
    alone = generator.reply_texts(pairs.sources[:1], config)
    together = generator.reply_texts(pairs.sources[:3], config)
    assert together[0] == alone[0]
    assert generator.reply_texts(pairs.sources[:3], replace(config, epsilon=0.999)) == generator.reply_texts(pairs.sources[:3])


def test_the_stutter_guard_bars_the_piece_that_would_repeat_the_pieces_before_it():
    assert back_to_back_tokens([]) == []
    assert back_to_back_tokens([5]) == [5]  # 5 5
    assert back_to_back_tokens([5, 6, 5]) == [5, 6]  # 5 5, or 5 6 5 6
    assert back_to_back_tokens([5, 6, 7, 5, 6]) == [6, 7]  # 6 6, or 5 6 7 5 6 7
    assert back_to_back_tokens([5, 6, 7, 8]) == [8]


def has_back_to_back(tokens: list[int]) -> bool:
    return any(tokens[i:i + k] == tokens[i + k:i + 2 * k] for k in range(1, len(tokens)) for i in range(len(tokens)))


def always_copying(config: Seq2SeqConfig) -> Seq2Seq:
    """A model that only copies (p_gen = 0): with near-uniform attention it copies the most frequent source piece
    again and again, as the stuttering models did."""
    torch.manual_seed(0)
    model = Seq2Seq(replace(config, copy=True)).eval()
    with torch.no_grad():
        model.copy_gate.weight.zero_()
        model.copy_gate.bias.fill_(-100.0)
    return model


def test_every_decoder_obeys_the_stutter_guard_where_unguarded_decoding_repeats():
    model = always_copying(Seq2SeqConfig(vocab_size=12, emb_dim=8, hidden_dim=8, decoder_dim=8, attention_dim=8))
    src, lengths = torch.tensor([[7, 7, 7, 7, 8]]), torch.tensor([5])
    assert greedy_decode(model, src, lengths, max_len=6)[0][:3] == [7, 7, 7]
    assert has_back_to_back(beam_search(model, src, lengths, 3, 6))
    guarded = [greedy_decode(model, src, lengths, max_len=8, block_stutter=True)[0],
               beam_search(model, src, lengths, 3, 8, block_stutter=True),
               *sample_decode(model, src, lengths, DecodeConfig(max_len=8, samples=4, no_repeat_ngram=0))]
    assert all(not has_back_to_back(tokens) for tokens in guarded) and guarded[0][:2] == [7, 8]
    unguarded = sample_decode(model, src, lengths, DecodeConfig(max_len=8, samples=4, block_stutter=False))
    assert any(has_back_to_back(tokens) for tokens in unguarded)


def test_the_generator_guards_by_default_in_greedy_beam_and_mbr(overfit):
    generator = overfit[1].generator
    copying = ReplyGenerator(generator.tokenizer, always_copying(generator.model_config), generator.pair_config,
                             generator.train_config)
    sentence = ["시험 시험 시험 시험 시험 망쳤어"]
    src, _ = copying._encode(sentence)
    for decode in (copying.decode_config(), copying.decode_config(beam_size=3), copying.decode_config(samples=3)):
        assert decode.block_stutter
        tokens = copying._decode(src, torch.tensor([src.size(1)]), decode)[0]
        assert not has_back_to_back(tokens)
        unguarded = copying._decode(src, torch.tensor([src.size(1)]), replace(decode, block_stutter=False))[0]
        assert has_back_to_back(unguarded)


def test_no_decoder_emits_pad_unk_or_bos():
    torch.manual_seed(1)
    model = Seq2Seq(Seq2SeqConfig(vocab_size=12, emb_dim=8, hidden_dim=8, decoder_dim=8, attention_dim=8, copy=False))
    with torch.no_grad():
        model.generator.bias.fill_(0)[:3] = 50.0  # the untrained model now prefers <pad>, <unk> and <s>
    src, lengths = torch.tensor([[5, 6]]), torch.tensor([2])
    replies = [greedy_decode(model, src, lengths, max_len=5)[0], beam_search(model, src, lengths, 3, 5),
               *sample_decode(model, src, lengths, DecodeConfig(max_len=5, samples=3))]
    assert all(len(tokens) == 5 and not {0, 1, 2} & set(tokens) for tokens in replies)
