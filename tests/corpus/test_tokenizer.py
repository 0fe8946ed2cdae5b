"""SentencePiece BPE: special ids, clamping, display helpers and statistics."""

import pytest

from core.config import TokenizerConfig
from core.corpus.tokenizer import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    UNK_ID,
    Tokenizer,
    auto_vocab_size,
    display_piece,
    is_word_start,
    length_stats,
    piece_frequencies,
    train_tokenizer,
    unknown_rate,
)
from core.errors import AttentionLabError
from tests.conftest import tiny_rows

SENTENCES = [row["사람문장1"] for row in tiny_rows(20)]


@pytest.fixture(scope="module")
def tokenizer():
    return train_tokenizer(SENTENCES, TokenizerConfig(vocab_size=200))


def test_special_ids(tokenizer):
    processor = tokenizer.processor
    assert (processor.pad_id(), processor.unk_id(), processor.bos_id(), processor.eos_id()) == (PAD_ID, UNK_ID, BOS_ID, EOS_ID)
    assert tokenizer.vocab_size == 200


def test_too_large_vocab_is_clamped_and_reported():
    tokenizer = train_tokenizer(SENTENCES, TokenizerConfig(vocab_size=50_000))
    assert tokenizer.clamped_from == 50_000
    assert tokenizer.vocab_size < 50_000
    assert tokenizer.config.vocab_size == tokenizer.vocab_size


def test_too_small_vocab_or_no_text_is_explained():
    with pytest.raises(AttentionLabError, match="too small"):
        train_tokenizer(SENTENCES, TokenizerConfig(vocab_size=10))
    with pytest.raises(AttentionLabError, match="No sentences"):
        train_tokenizer(["", ""], TokenizerConfig())


def test_sentencepieces_own_failures_name_no_source_file():
    """Issue 23: a message named SentencePiece's C++ source file and the check that failed."""
    from core.corpus.tokenizer import training_failure

    cases = {"Internal: src/trainer_interface.cc(661) [(trainer_spec_.vocab_size()) == (model_proto->pieces_size())] "
             "Something went wrong.": "Something went wrong.",
             "INTERNAL: src/sentencepiece_processor.cc(109) [model_proto->ParseFromArray(a, b)] ": "an internal error",
             "plain reason": "plain reason"}
    for message, reason in cases.items():
        assert str(training_failure(message, 50)) == f"SentencePiece could not train a 50-piece vocabulary: {reason}"


def test_vocab_below_the_characters_is_raised_to_them():
    many = SENTENCES + [chr(0xAC00 + i) for i in range(300)]
    tokenizer = train_tokenizer(many, TokenizerConfig(vocab_size=120))
    characters = len(set("".join(many)) | {"\u2581"})
    assert tokenizer.clamped_from == 120 and characters + 4 <= tokenizer.vocab_size < characters + 20
    assert unknown_rate(tokenizer, many) == 0.0  # every character is kept


def test_auto_vocab_covers_every_character_and_grows_with_the_corpus():
    small = train_tokenizer(SENTENCES, TokenizerConfig(vocab_size="auto"))
    characters = len(set("".join(SENTENCES)) | {"\u2581"}) + 4
    assert small.vocab_size >= characters and small.config.vocab_size == small.vocab_size
    assert auto_vocab_size(SENTENCES * 20) > auto_vocab_size(SENTENCES)


def test_sampling_changes_training_segmentations_only(tokenizer):
    sampled = Tokenizer(tokenizer.model_proto, TokenizerConfig(vocab_size=tokenizer.vocab_size, sampling=0.3))
    texts = ["오늘 회사에서 너무 화가 나서 잠이 안 와"] * 20
    plain = sampled.encode_batch(texts)
    assert all(ids == plain[0] for ids in plain)  # evaluation: one deterministic segmentation
    drawn = sampled.encode_batch(texts, sample=True)
    assert any(ids != plain[0] for ids in drawn)  # training: BPE-dropout varies it
    assert all(sampled.decode(ids) == texts[0] for ids in drawn)  # same text either way


def test_pieces_round_trip_and_word_starts(tokenizer):
    text = "오늘 회사에서 너무 화가 나"
    pieces = tokenizer.pieces(text)
    assert "".join(display_piece(p) if not is_word_start(p) else " " + display_piece(p) for p in pieces).strip() == text
    assert tokenizer.decode(tokenizer.encode(text)) == text
    assert is_word_start(pieces[0]) and display_piece("\u2581") == "␣"  # drawn as itself, ▁ reads as "_"


def test_unknown_rate_counts_unseen_characters(tokenizer):
    assert unknown_rate(tokenizer, ["오늘 회사에서"]) == 0.0
    assert unknown_rate(tokenizer, ["뷁"]) > 0.0


def test_statistics(tokenizer):
    stats = length_stats(tokenizer, SENTENCES)
    assert len(stats.lengths) == len(SENTENCES)
    assert min(stats.lengths) <= stats.median <= stats.p95 <= stats.max
    top = piece_frequencies(tokenizer, SENTENCES, top=5)
    assert len(top) == 5 and top[0][1] >= top[-1][1]


def test_tokenizer_reloads_from_proto(tokenizer):
    again = Tokenizer(tokenizer.model_proto, tokenizer.config)
    assert again.encode("너무 슬퍼") == tokenizer.encode("너무 슬퍼")


def test_piece_surfaces_give_the_characters_behind_unknown_pieces(tokenizer):
    from core.corpus.tokenizer import piece_surfaces

    text = "오늘 鬱 회사에서 <b>hi</b>"
    ids = tokenizer.encode(text)
    surfaces = piece_surfaces(tokenizer, text)
    assert len(surfaces) == len(ids)
    unknown = [surface for i, surface in zip(ids, surfaces) if i == UNK_ID]
    assert "鬱" in unknown and any("<b>" in s or "hi" in s for s in unknown)  # never seen: shown as typed
    assert "".join(surfaces).replace(" ", "") == text.replace(" ", "")  # every character of the input, in order
    assert piece_surfaces(tokenizer, text, max_len=2) == surfaces[:2]
