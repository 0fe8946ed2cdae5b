"""The linear baseline: it learns, its scores are sklearn's, and it sees only the texts it is given."""


import pytest
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

from core.classifier.baseline import train_baseline
from core.config import DataConfig
from core.corpus.data import build_dataset, load_corpus
from tests.conftest import REAL_OLD_RELEASE, old_frame, tiny_rows

REAL_FILE = REAL_OLD_RELEASE


def tiny_dataset(seed: int):
    data = old_frame(tiny_rows(seed=seed)).to_csv(index=False).encode("utf-8")
    return build_dataset(load_corpus(data, "tiny.csv"), DataConfig())


def test_learns_a_separable_corpus_and_generalises_to_new_sentences():
    train, held_out = tiny_dataset(seed=0), tiny_dataset(seed=1)
    assert train.label_names == held_out.label_names
    baseline = train_baseline(train.texts, train.labels, train.label_names, seed=0)
    assert baseline.scores(train.texts, train.labels)["accuracy"] == 1.0
    assert baseline.scores(held_out.texts, held_out.labels)["accuracy"] >= 0.9


def test_scores_are_sklearns_metrics_on_its_predictions():
    train, held_out = tiny_dataset(seed=0), tiny_dataset(seed=1)
    baseline = train_baseline(train.texts[:40], train.labels[:40], train.label_names, seed=0)  # imperfect on purpose
    predicted = baseline.predict(held_out.texts)
    scores = baseline.scores(held_out.texts, held_out.labels)
    assert scores["accuracy"] == pytest.approx(accuracy_score(held_out.labels, predicted))
    assert scores["macro_f1"] == pytest.approx(f1_score(held_out.labels, predicted, average="macro"))
    assert scores["accuracy"] < 1.0


def test_sees_only_the_texts_given():
    dataset = tiny_dataset(seed=0)
    texts, labels = list(dataset.texts), list(dataset.labels)
    texts[-1] += " 뷁뚫"  # a word only the validation side has
    baseline = train_baseline(texts[:-10], labels[:-10], dataset.label_names, seed=0)
    baseline.scores(texts[-10:], labels[-10:])  # scoring must not learn from validation text either
    assert "뷁" not in baseline.vectorizer.vocabulary_ and " 뷁뚫 " not in baseline.vectorizer.vocabulary_
    everything = train_baseline(texts, labels, dataset.label_names, seed=0)
    assert "뷁" in everything.vectorizer.vocabulary_  # the check above can fail


def test_same_seed_same_predictions():
    train, held_out = tiny_dataset(seed=0), tiny_dataset(seed=1)
    first = train_baseline(train.texts, train.labels, train.label_names, seed=3).predict(held_out.texts)
    assert first == train_baseline(train.texts, train.labels, train.label_names, seed=3).predict(held_out.texts)


def test_refuses_mismatched_or_single_class_input():
    with pytest.raises(ValueError, match="2 texts but 1 labels"):
        train_baseline(["가", "나"], [0], ["a", "b"])
    with pytest.raises(ValueError, match="two classes"):
        train_baseline(["가", "나"], [0, 0], ["a", "b"])


@pytest.mark.skipif(not REAL_FILE.is_file(), reason="the real AIHUB dev file is not here (it never is in a clone)")
def test_real_dev_file_first_sentence_beats_chance_by_far():
    dataset = build_dataset(load_corpus(REAL_FILE), DataConfig(task="emotion6", text="first"))
    train_idx, valid_idx = train_test_split(range(len(dataset.texts)), test_size=0.2, stratify=dataset.labels,
                                            random_state=0)
    baseline = train_baseline(pick(train_idx, dataset.texts), pick(train_idx, dataset.labels), dataset.label_names, 0)
    scores = baseline.scores(pick(valid_idx, dataset.texts), pick(valid_idx, dataset.labels))
    assert scores["accuracy"] > 0.5 and scores["macro_f1"] > 0.5  # measured about 0.6 for both; chance is 0.17


def pick(indices, values: list) -> list:
    return [values[i] for i in indices]
