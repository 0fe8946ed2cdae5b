"""Predictions and the classifier's bundle: save → load → the same predictions."""

import zipfile

from core.classifier.task import load_classifier

SENTENCES = ["오늘 회사에서 팀장님이 그래서 너무 화가 나", "집에서 엄마가 그래서 너무 행복해", ""]


def test_prediction_aligns_tokens_and_attention(trained_classifier):
    _, outcome = trained_classifier
    predictions = outcome.classifier.predict(SENTENCES)
    assert [p.text for p in predictions] == SENTENCES
    for p in predictions:
        assert len(p.tokens) == len(p.attention) >= 1
        assert abs(sum(p.attention) - 1) < 1e-4
        assert abs(sum(p.probabilities.values()) - 1) < 1e-4
        assert p.label == max(p.probabilities, key=p.probabilities.get)


def test_predict_ids_agrees_with_predict(trained_classifier):
    classifier = trained_classifier[1].classifier
    ids = classifier.tokenizer.encode_batch(SENTENCES, classifier.train_config.max_len)
    assert [classifier.label_names[i] for i in classifier.predict_ids(ids)] == [p.label for p in classifier.predict(SENTENCES)]


def test_bundle_round_trip_gives_identical_predictions(trained_classifier, tmp_path):
    _, outcome = trained_classifier
    path = tmp_path / "model.zip"
    outcome.classifier.save(path)
    again = load_classifier(path)
    before = [p.to_json() for p in outcome.classifier.predict(SENTENCES)]
    assert [p.to_json() for p in again.predict(SENTENCES)] == before
    assert again.label_names == outcome.classifier.label_names
    assert again.metrics == outcome.classifier.metrics
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["baseline.json", "baseline.safetensors", "bundle.json",
                                              "model.safetensors", "tokenizer.model"]
        assert not any(name.endswith((".pt", ".pkl", ".bin")) for name in archive.namelist())
    texts = [SENTENCES[0], SENTENCES[-1]]
    assert again.baseline.predict(texts) == outcome.classifier.baseline.predict(texts)  # the baseline travels too


def test_bundle_without_a_baseline_still_loads(trained_classifier, tmp_path):
    from dataclasses import replace

    _, outcome = trained_classifier
    path = tmp_path / "old.zip"
    replace(outcome.classifier, baseline=None).save(path)  # as bundles written before the baseline existed
    assert load_classifier(path).baseline is None
