"""AppTest runs of the Reply generation page: before training, a tiny training, generation, and refusals."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.corpus.data import load_corpus, write_xlsx
from core.jobs import start_job
from core.seq2seq.data import PairConfig
from core.seq2seq.decode import BEAM_SIZE, MBR_SAMPLES
from tests.app.test_app import click, open_page, through_app  # noqa: F401  (the AppTest page-mode fixture)
from tests.jobs.test_jobs import wait_for_stop
from ui.i18n import STRINGS

ROOT = Path(__file__).resolve().parents[2]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TINY = {"w_reply_epochs": 1, "w_reply_hidden": 32, "w_reply_max_pairs": 300}


def ko(key: str, **values) -> str:
    """Korean text of a key; the page registers its own keys, so read them after a first run."""
    text = STRINGS[key][0]
    return text.format(**values) if values else text


def open_reply(at: AppTest) -> AppTest:
    return open_page(at, "reply")


def upload(at: AppTest, frame: pd.DataFrame, name: str = "slice.xlsx") -> AppTest:
    buffer = io.BytesIO()
    write_xlsx(frame, buffer)
    at.file_uploader[0].upload(name, buffer.getvalue(), XLSX)
    return at.run()


@pytest.fixture(scope="module")
def sample_frame() -> pd.DataFrame:
    from core.corpus.sample import SAMPLE_PATH

    return load_corpus(SAMPLE_PATH).frame.head(300)


@pytest.fixture(scope="module")
def trained(sample_frame) -> AppTest:
    """A session on 300 sample rows with a one-epoch reply model."""
    at = upload(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run(), sample_frame)
    open_reply(at)
    for key, value in TINY.items():
        at.session_state[key] = value
    click(at, ko("train.start"))
    job = at.session_state["reply_job"]
    job.join(120)
    assert job.snapshot().state == "done", job.snapshot().error
    return open_reply(at)


def test_page_renders_on_the_sample_before_training():
    at = open_reply(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run())
    assert at.title[0].value == ko("reply.title")
    assert any(b.label == ko("train.start") for b in at.button)
    assert at.session_state["w_reply_turns"] == PairConfig.turns and at.session_state["w_reply_beam"] == BEAM_SIZE
    assert not at.metric, "no scores before a model exists"


def test_training_shows_scores_curves_and_validation_examples(trained):
    at = trained
    labels = [m.label for m in at.metric]
    assert {"chrF", ko("reply.perplexity"), ko("reply.retrieval_chrf"), ko("reply.distinct")} <= set(labels)
    metrics = at.session_state["reply_outcome"].generator.metrics
    shown = {m.label: m.value for m in at.metric}
    assert shown[ko("reply.retrieval_chrf")] == f"{metrics['retrieval_chrf']:.1f}"
    assert at.get("plotly_chart"), "loss and perplexity curves"
    examples = at.table[0].value  # a static table wraps long sentences: every column stays in view
    assert list(examples.columns) == [ko("reply.source"), ko("reply.reference"), ko("reply.generated"), "chrF",
                                      ko("reply.retrieval")]
    assert len(examples) > 0 and all(examples[ko("reply.retrieval")])
    assert at.session_state["reply_outcome"].generator.metrics["val_pairs"] > 0


def test_the_cap_and_the_estimate_are_what_was_trained(trained):
    metrics = trained.session_state["reply_outcome"].generator.metrics
    assert metrics["train_pairs"] + metrics["val_pairs"] <= TINY["w_reply_max_pairs"]
    estimate = next(c.value for c in trained.caption if c.value.startswith("예상 시간"))
    assert f"쌍 {TINY['w_reply_max_pairs']}개 × 1 에포크" in estimate
    assert ko("reply.stutter") in [m.label for m in trained.metric]


def test_the_reply_model_comes_back_in_a_new_session_of_the_workspace(trained):
    kept = trained.session_state["reply_outcome"]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["w"] = trained.query_params["w"]  # a refresh, or the address opened after a restart
    at = open_reply(at.run())
    back = at.session_state["reply_outcome"]
    assert back is not kept and back.generator.metrics == kept.generator.metrics
    shown = {m.label: m.value for m in at.metric}
    assert shown["chrF"] == f"{kept.generator.metrics['val_chrf']:.1f}"
    assert len(at.table[0].value) == len(kept.report.examples) > 0
    assert at.get("plotly_chart"), "its curves, from the history the bundle keeps"
    assert not at.exception and not at.error


def test_generate_shows_greedy_and_beam_with_alignment_matrices(trained):
    at = trained
    at.text_input(key="w_reply_text").set_value("친구가 약속을 또 어겨서 너무 화가 나.")
    at.slider(key="w_reply_beam").set_value(3)
    click(at, ko("reply.generate"))
    (first, greedy), (second, beam) = at.session_state["reply_generated"]
    assert (first, second) == ("greedy", "beam") and (greedy.beam_size, beam.beam_size) == (1, 3)
    charts = at.get("plotly_chart")
    assert len(charts) >= 3, "curves + two alignment heatmaps"
    assert len(greedy.attention) == len(greedy.target_tokens)
    assert all(len(row) == len(greedy.source_tokens) for row in greedy.attention)
    assert ko("reply.hover") in [c.value for c in at.caption]
    generator = at.session_state["reply_outcome"].generator
    assert at.session_state["reply_retrieved"] == generator.retrieval.reply(["친구가 약속을 또 어겨서 너무 화가 나."])[0]
    assert at.session_state["reply_retrieved"] in [t.value for t in at.text]  # beside greedy and beam
    sink_notes = [w.value for w in at.warning if w.value.startswith("어텐션 싱크")] + \
                 [c.value for c in at.caption if c.value == ko("reply.no_sink")]
    assert len(sink_notes) == 2, "one sentence on the attention sink under each matrix"


def test_the_second_reply_can_be_the_mbr_choice(trained):
    at = trained
    sentence = "친구가 약속을 또 어겨서 너무 화가 나."
    at.text_input(key="w_reply_text").set_value(sentence)
    at.radio(key="w_reply_second").set_value("mbr").run()
    assert at.slider(key="w_reply_beam").disabled
    click(at, ko("reply.generate"))
    names = [name for name, _ in at.session_state["reply_generated"]]
    assert names == ["greedy", "mbr"]
    generator = at.session_state["reply_outcome"].generator
    expected = generator.reply_texts([sentence], generator.decode_config(samples=MBR_SAMPLES))[0]
    assert at.session_state["reply_generated"][1][1].reply == expected
    assert any(m.value.startswith(f"**{ko('reply.title.mbr', n=MBR_SAMPLES)}") for m in at.markdown)


def test_a_corpus_without_replies_gets_the_message(sample_frame):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    upload(at, sample_frame.drop(columns=[c for c in sample_frame.columns if c.startswith("시스템응답")]), "noreply.xlsx")
    open_reply(at)  # the line comes before Start, which is disabled
    assert any("시스템응답1" in e.value for e in at.error)
    assert at.button(key="reply_start").disabled and "reply_job" not in at.session_state
    at.radio(key="w_reply_source").set_value("sample").run()  # the bundled sample has replies
    assert not at.error and not at.button(key="reply_start").disabled


def test_start_is_refused_while_the_classifier_trains():
    at = open_reply(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run())
    blocker = start_job(None, wait_for_stop, name="classifier")
    at.session_state["job"] = blocker
    click(at, ko("train.start"))
    assert ko("other_job", name="classifier") in [e.value for e in at.error]
    assert "reply_job" not in at.session_state
    blocker.request_stop()
    assert blocker.join(60)


def test_a_model_a_job_saved_after_the_tab_opened_shows_on_the_next_run(overfit):
    from core.seq2seq.pipeline import keep_reply

    at = open_reply(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run())
    assert "reply_outcome" not in at.session_state and not at.metric
    keep_reply(overfit[1], at.session_state["workspace"])  # what a training started before a refresh does when it ends
    at.run()
    shown, trained = at.session_state["reply_outcome"].generator.metrics, overfit[1].generator.metrics
    assert shown["train_pairs"] == trained["train_pairs"] and shown.keys() == trained.keys()  # (no validation: NaNs)
    assert "chrF" in [m.label for m in at.metric] and not at.exception
