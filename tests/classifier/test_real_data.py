"""The real AIHUB dev file (kept outside the repository): read, split by dialogue, baseline. Skipped without it."""


import pytest

from core.classifier.pipeline import prepare
from core.config import DataConfig, TrainConfig
from core.corpus.data import EMOTIONS6, build_dataset, load_corpus
from tests.conftest import REAL_OLD_RELEASE

REAL_FILE = REAL_OLD_RELEASE
pytestmark = pytest.mark.skipif(not REAL_FILE.is_file(), reason="the real AIHUB file is not here (it is never committed)")


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(REAL_FILE)


def test_the_real_file_has_six_balanced_classes(corpus):
    dataset = build_dataset(corpus, DataConfig(text="all"))
    assert dataset.label_names == list(EMOTIONS6)
    shares = [n / dataset.report.rows_used for n in dataset.report.label_counts.values()]
    assert min(shares) > 0.14 and max(shares) < 0.2


def test_turns_are_examples_and_no_dialogue_is_on_both_sides(corpus):
    turns = build_dataset(corpus, DataConfig(text="turns"))
    assert len(turns.texts) > 2 * len(set(turns.groups))  # several human turns a dialogue
    prepared = prepare(turns, TrainConfig(val_share=0.2, seed=0), tokenizer_config=None)
    train_groups = {turns.groups[i] for i in prepared.train_index}
    assert not train_groups & {turns.groups[i] for i in prepared.val_index}


def test_the_baseline_learns_real_sentences(corpus):
    prepared = prepare(build_dataset(corpus, DataConfig(text="all")), TrainConfig(val_share=0.2, seed=0))
    assert prepared.baseline_metrics["baseline_accuracy"] > 0.55  # six classes: chance is about 0.17
