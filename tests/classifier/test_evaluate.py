"""Evaluation: accuracy, macro-F1, per-class scores, confusion matrix and the misclassified rows."""

import pytest

from core.classifier.evaluate import evaluate, evaluate_dataset
from core.errors import AttentionLabError


def test_evaluation_report(trained_classifier):
    dataset, outcome = trained_classifier
    report = evaluate_dataset(outcome.classifier, dataset)
    assert report.n == len(dataset.texts)
    assert sum(map(sum, report.confusion)) == report.n
    correct = sum(report.confusion[i][i] for i in range(len(report.label_names)))
    assert report.accuracy == pytest.approx(correct / report.n)
    assert len(report.misclassified) == report.n - correct
    assert [row["label"] for row in report.per_class] == report.label_names
    f1 = [row["f1"] for row in report.per_class]
    assert report.macro_f1 == pytest.approx(sum(f1) / len(f1))


def test_evaluation_maps_labels_by_name_and_skips_unknown(trained_classifier):
    classifier = trained_classifier[1].classifier
    report = evaluate(classifier, ["너무 화가 나", "너무 행복해", "뭔지 모르겠어"], ["분노", "기쁨", "중립"])
    assert report.n == 2 and report.skipped_unknown_labels == {"중립": 1}
    with pytest.raises(AttentionLabError, match="None of the labels"):
        evaluate(classifier, ["x"], ["중립"])


def test_the_evaluate_jobs_score_a_file_in_the_worker_report_progress_and_stop(trained_classifier, tmp_path):
    import threading

    from core.classifier.evaluate import evaluate_file, evaluate_texts
    from tests.conftest import old_frame, tiny_rows

    dataset, outcome = trained_classifier
    path = tmp_path / "file.xlsx"
    old_frame(tiny_rows(5)).to_excel(path, index=False, engine="openpyxl")
    seen = []
    report = evaluate_file(outcome.classifier, path.read_bytes(), path.name, seen.append)
    assert report.n == 30 and seen == [1.0]
    stop = threading.Event()
    stop.set()
    assert evaluate_texts(outcome.classifier, dataset.texts, [dataset.label_names[y] for y in dataset.labels],
                          None, stop) is None
