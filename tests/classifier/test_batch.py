"""Batch prediction: a file of sentences labelled in order, the same as one by one, capped, with progress and Stop."""

from __future__ import annotations

import threading

import pytest

from core.classifier import batch
from core.classifier.batch import TABLE_COLUMNS, predict_file, top_pieces
from core.corpus.tokenizer import display_piece


def test_a_file_is_predicted_in_order_as_one_by_one(trained_classifier):
    classifier = trained_classifier[1].classifier
    sentences = ["너무 화가 나", "정말 기뻐", "눈물이 나", "너무 불안해"]
    seen = []
    result = predict_file(classifier, "\n".join(sentences).encode(), "s.txt", seen.append)
    assert list(result.table.columns) == list(TABLE_COLUMNS) and result.table["text"].tolist() == sentences
    single = [classifier.predict([s])[0] for s in sentences]
    assert result.table["label"].tolist() == [p.label for p in single]
    assert result.table["probability"].tolist() == pytest.approx([p.probabilities[p.label] for p in single], abs=1e-5)
    assert seen == [1.0] and result.rows_capped == 0 and result.column == ""


def test_top_pieces_are_the_heaviest_three_without_the_word_marker(trained_classifier):
    prediction = trained_classifier[1].classifier.predict(["오늘 회사에서 팀장님이 그래서 너무 화가 나"])[0]
    shown = [piece.rsplit(" ", 1) for piece in top_pieces(prediction).split(" · ")]
    top = sorted(range(len(prediction.tokens)), key=lambda i: -prediction.attention[i])[:3]
    assert [float(weight) for _, weight in shown] == pytest.approx([prediction.attention[i] for i in top], abs=0.006)
    assert [text for text, _ in shown] == [display_piece(prediction.tokens[i]) for i in top]  # no ▁ word marker


def test_rows_past_the_cap_are_counted_and_stop_ends_the_job(trained_classifier, monkeypatch):
    classifier = trained_classifier[1].classifier
    monkeypatch.setattr(batch, "MAX_BATCH_ROWS", 5)
    monkeypatch.setattr(batch, "CHUNK", 2)
    data = "\n".join(f"문장 {i}" for i in range(8)).encode()
    seen = []
    result = predict_file(classifier, data, "s.txt", seen.append)
    assert len(result.table) == 5 and result.rows_capped == 3 and seen == [0.4, 0.8, 1.0]
    stop = threading.Event()
    stop.set()
    assert predict_file(classifier, data, "s.txt", stop=stop) is None


def test_evaluation_rows_give_every_sentence_its_true_label(trained_classifier):
    from core.classifier.evaluate import evaluate, prediction_rows

    classifier = trained_classifier[1].classifier
    texts, labels = ["너무 화가 나", "너무 행복해", "눈물이 나", "상처받았어"], ["분노", "슬픔", "슬픔", "기쁨"]
    report = evaluate(classifier, texts, labels)
    rows = prediction_rows(report)
    assert rows["text"].tolist() == texts and rows["true"].tolist() == labels
    assert rows["predicted"].tolist() == [p.label for p in report.predictions]
    assert (rows["true"] != rows["predicted"]).sum() == len(report.misclassified)
