"""AppTest runs of every page: no exception on first run, on the sample, and through the main widgets.

Uploads go through AppTest's own file uploader (Streamlit 1.67 supports it). Training is a tiny model
(emb 16, hidden 16, one epoch, vocabulary 600) on a slice of the sample, so the suite stays fast on 2 cores.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

from core.corpus.data import load_corpus, write_xlsx
from core.jobs import start_job
from tests.jobs.test_jobs import wait_for_stop
from ui.i18n import EXAMPLES, STRINGS, plain
from ui.widgets import attention_chips_html, piece_chips_html

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["data", "tokenizer", "train", "predict", "evaluate", "inside", "model"]
MODEL_PAGES = ["predict", "evaluate", "inside"]
TINY = {"w_emb": 16, "w_hidden": 16, "w_epochs": 1, "w_batch": 32, "w_vocab": 600}  # the slice has ~520 characters
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ko(key: str, **values) -> str:
    text = STRINGS[key][0]
    return text.format(**values) if values else text


def new_app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at: AppTest, label: str) -> AppTest:
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r} among {[b.label for b in at.button]}"
    matches[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


class NavigationPagesManager(PagesManager):
    """AppTest resets Streamlit's legacy pages/-directory flag before every run, so a page switch would run
    the page script alone, without app.py; keep the flag off, as app.py's st.navigation does in the server."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True, scope="module")
def through_app():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app_test, "PagesManager", NavigationPagesManager)
        yield


@pytest.fixture(scope="module")
def sample_slice() -> bytes:
    """The first 300 rows of the bundled sample, as an xlsx upload."""
    from core.corpus.sample import SAMPLE_PATH

    frame = load_corpus(SAMPLE_PATH).frame.head(300)
    buffer = io.BytesIO()
    write_xlsx(frame, buffer)
    return buffer.getvalue()


def finish_job(at: AppTest, key: str) -> AppTest:
    """Wait for the page's background job in `key`, then rerun as the page's poll would."""
    job = at.session_state[key]
    job.join(120)
    assert job.snapshot().state == "done", job.snapshot().error
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def train_tiny(at: AppTest, label: str = ko("train.start")) -> AppTest:
    open_page(at, "train")
    for key, value in TINY.items():
        at.session_state[key] = value
    click(at, label)
    return finish_job(at, "job")


@pytest.fixture(scope="module")
def trained(sample_slice) -> AppTest:
    """An app session on the sample slice with one tiny trained model."""
    at = new_app().run()
    at.file_uploader[0].upload("slice.xlsx", sample_slice, XLSX)
    at.run()
    return train_tiny(at)


def test_first_run_opens_on_the_sample():
    at = new_app().run()
    assert not at.exception
    assert at.title[0].value == ko("data.title")
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics[ko("data.rows_used")].replace(",", "")) > 1000
    assert at.session_state["dataset"].label_names == ["기쁨", "당황", "분노", "불안", "상처", "슬픔"]
    assert len(at.get("plotly_chart")) == 2  # class distribution and sentence lengths
    assert at.download_button[0].label == ko("data.template")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_before_any_training(page):
    at = open_page(new_app().run(), page)
    assert plain("sample_corpus.xlsx") in at.sidebar.markdown[0].value, "app.py's sidebar frames every page"
    if page in MODEL_PAGES:
        assert ko("needs_model") in texts(at.info)
        assert at.get("page_link"), "a page that needs a model links to Train"


def test_data_page_task_choices_rebuild_the_dataset():
    at = new_app().run()
    at.radio(key="w_task").set_value("binary").run()
    assert not at.exception
    assert at.session_state["dataset"].label_names == ["긍정", "부정"]
    assert ko("data.binary_note") in texts(at.info)
    at.radio(key="w_text").set_value("all").run()
    assert at.session_state["dataset"].config.text == "all"
    at.radio(key="w_task").set_value("emotion58").run()
    assert not at.exception
    assert len(at.session_state["dataset"].label_names) > 6


def test_a_wrong_file_gets_the_loaders_message_and_the_page_keeps_working():
    at = new_app().run()
    rows_before = len(at.session_state["dataset"].texts)
    at.file_uploader[0].upload("notes.csv", "그냥 메모,입니다\n1,2\n".encode(), "text/csv")
    at.run()
    assert not at.exception
    assert any(plain("감정_대분류") in message for message in texts(at.error))  # shown as text, escaped
    assert len(at.session_state["dataset"].texts) == rows_before
    at.radio(key="w_task").set_value("binary").run()
    assert not at.exception


def test_tokenizer_page_trains_and_splits_a_sentence():
    at = open_page(new_app().run(), "tokenizer")
    finish_job(click(at, ko("tok.train")), "tokenizer_job")  # the default: an automatic size, above the characters
    assert int(({m.label: m.value for m in at.metric})[ko("tok.vocab_size")].replace(",", "")) > 620
    at.session_state["w_vocab_auto"] = False
    at.session_state["w_vocab"] = 800  # the whole sample has about 620 distinct characters
    finish_job(click(at, ko("tok.train")), "tokenizer_job")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[ko("tok.vocab_size")] == "800"
    assert any("▁" in html.value for html in at.get("html"))
    assert len(at.get("plotly_chart")) == 2


def test_training_fills_the_history_and_the_model(trained):
    at = trained
    assert len(at.session_state["runs"]) == 1
    run = at.session_state["runs"][0]
    assert run.name == "#1 attention" and run.epochs and run.steps
    assert at.session_state["model"].source == "#1 attention"
    assert at.dataframe, "the run history table is shown"
    history = next(d.value for d in at.dataframe if ko("train.kept") in d.value.columns)
    assert history[ko("train.kept")].tolist() == [ko("train.kept_best", epoch=1)], "one epoch: nothing to average"
    assert at.get("plotly_chart"), "curves are shown"


def test_the_run_history_says_when_the_last_epochs_were_averaged():
    from ui.training import weights_kept

    assert weights_kept({"averaged_epochs": 3, "best_epoch": 4}, 5) == ko("train.kept_mean", first=3, last=5)
    assert weights_kept({"averaged_epochs": 0, "best_epoch": 4}, 5) == ko("train.kept_best", epoch=4)
    assert weights_kept({}, 0) == ""


def test_start_is_refused_while_another_pages_job_runs(trained):
    at = open_page(trained, "train")
    other = start_job(None, wait_for_stop, name="seq2seq")
    at.session_state["reply_job"] = other
    runs_before = len(at.session_state["runs"])
    click(at, ko("train.start"))
    assert ko("train.busy") in texts(at.error)
    other.request_stop()
    assert other.join(60)
    at.run()
    assert len(at.session_state["runs"]) == runs_before


def test_a_second_start_is_refused_and_stop_sets_the_flag(trained):
    at = open_page(trained, "train")
    blocker = start_job(None, wait_for_stop, name="classifier")
    at.session_state["job"] = blocker
    click(at, ko("train.start"))
    assert ko("train.busy") in texts(at.error)
    at.button(key="job_stop").click().run()
    assert blocker.join(60)  # a worker process starts, sees the flag and ends (slow on a loaded machine)
    assert blocker.stop.is_set() and not blocker.running
    at.run()
    assert not at.exception


def test_stop_on_a_running_job_shows_it_stopped_in_the_same_run(trained):
    at = open_page(trained, "train")
    running = start_job(None, wait_for_stop, name="classifier")
    at.session_state["job"] = running
    deadline = time.monotonic() + 60
    while not running.snapshot().events and time.monotonic() < deadline:  # its worker has started
        time.sleep(0.05)
    at.run()
    at.button(key="job_stop").click().run()
    assert not running.running and running.snapshot().state == "stopped"
    assert ko("stopped_empty") in [w.value for w in at.warning]  # no epoch had finished: nothing was kept
    assert ko("queue.cancelled") not in texts(at.info)  # it had started: not "cancelled while queued"


def test_stop_on_a_queued_job_cancels_it_and_says_so(trained):
    from core.jobs import executor

    at = open_page(trained, "train")
    blockers = [start_job(None, wait_for_stop, name="blocker") for _ in range(executor().workers)]  # every worker busy
    queued = start_job(None, wait_for_stop, name="classifier")
    try:
        assert queued.snapshot().state == "queued"
        at.session_state["job"] = queued
        at.run()
        at.button(key="job_stop").click().run()
        assert not queued.running and queued.snapshot().state == "stopped"
        assert ko("queue.cancelled") in texts(at.info)
    finally:
        for blocker in blockers:
            blocker.request_stop()
        assert all(blocker.join(60) for blocker in blockers)


def _stopped_script(kinds):
    from types import SimpleNamespace

    from ui.training import stopped_warning

    stopped_warning([SimpleNamespace(kind=kind) for kind in kinds])


def test_a_stopped_training_says_whether_it_kept_a_model():
    for kinds, key in ((["step", "step"], "stopped_empty"), (["step", "epoch", "step"], "stopped_note")):
        at = AppTest.from_function(_stopped_script, args=(kinds,)).run()
        assert not at.exception and [w.value for w in at.warning] == [ko(key)]


def _progress_script(n_events: int, state_name: str):
    from core.training.loop import TrainEvent
    from ui.training import render_progress

    events = [TrainEvent("step", 1, step, 100, 1.0 / step, 0.5) for step in range(5, 5 * n_events + 1, 5)]
    render_progress(state_name, events, 2, "")


def _chart_points(at: AppTest) -> int:
    import json

    return len(json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["x"])


def test_the_live_chart_waits_for_its_interval_while_running_and_shows_everything_at_the_end():
    from ui import training

    at = AppTest.from_function(_progress_script, args=(2, "running")).run()
    assert _chart_points(at) == 2  # the first points show at once
    at.args = (5, "running")
    at.run()
    assert _chart_points(at) == 2, "new points wait for CHART_REFRESH_S: a changed chart is rebuilt by the browser"
    every = training.CHART_REFRESH_S / training.RUNNING_POLL_S
    assert every == round(every) > 1, "the chart follows every n-th poll"
    polls = [k * training.RUNNING_POLL_S + jitter for k, jitter in enumerate([0.0, 0.03, -0.02, 0.01, -0.03])]
    drawn_at, drawn = polls[0], []
    for k, now in enumerate(polls[1:], start=1):  # polls a few ms early or late: a redraw every n-th all the same
        if training.redraw_due((1, 1), drawn_at, (k + 1, k), running=True, now=now):
            drawn_at = now
            drawn.append(k)
    assert drawn == [k for k in range(1, len(polls)) if k % every == 0]
    at.args = (6, "done")
    at.run()
    assert _chart_points(at) == 6  # the job ended: the whole run, whatever the interval
    assert not at.exception


def test_predict_shows_label_probabilities_and_attention(trained):
    at = open_page(trained, "predict")
    click(at, EXAMPLES[2])
    assert at.text_area(key="w_predict_text").value == EXAMPLES[2]
    click(at, ko("predict.run"))
    assert at.metric[0].value in at.session_state["model"].classifier.label_names
    chips = [h.value for h in at.get("html") if "title=" in h.value]
    assert chips, "attention chips with weight tooltips"
    assert at.get("plotly_chart"), "probability bar chart"


def test_evaluate_on_validation_split_and_on_a_file(trained, sample_slice):
    at = open_page(trained, "evaluate")
    finish_job(click(at, ko("eval.run")), "eval_job")  # a job, as every long operation
    metrics = {m.label: m.value for m in at.metric}
    assert 0.0 <= float(metrics[ko("eval.accuracy")]) <= 1.0
    assert at.get("plotly_chart"), "confusion matrix"
    at.selectbox[0].set_value("기쁨").run()
    assert not at.exception
    at.radio(key="w_eval_source").set_value("file").run()
    at.file_uploader(key="eval_upload").upload("slice.xlsx", sample_slice, XLSX)
    at.run()
    finish_job(click(at, ko("eval.run")), "eval_job")
    assert at.session_state["eval_report"][0] == "slice.xlsx"


def test_inside_walks_through_the_layers(trained):
    at = open_page(trained, "inside")
    click(at, ko("inside.run"))
    assert len(at.get("latex")) == 3
    walk = at.session_state["walkthrough"]
    emb = at.session_state["model"].classifier.model_config.emb_dim
    assert walk.shape("embedding") == (1, len(walk.pieces), emb)
    assert len(at.get("plotly_chart")) >= 8


def test_results_survive_moving_between_pages(trained):
    at = open_page(trained, "data")
    open_page(at, "predict")
    assert at.session_state["predictions"], "the predictions made earlier are still shown"
    assert at.metric


def test_model_bundle_downloads_and_uploads_into_a_new_session(trained):
    at = open_page(trained, "model")
    assert at.download_button[0].label == ko("model.download")
    bundle = trained.session_state["model"].classifier.to_bytes()
    fresh = open_page(new_app().run(), "model")
    fresh.file_uploader[0].upload("my-model.zip", bundle, "application/zip")
    fresh.run()
    assert not fresh.exception
    assert fresh.session_state["model"].source == "my-model.zip"
    open_page(fresh, "predict")
    click(fresh, ko("predict.run"))
    assert fresh.metric
    assert "runs" not in fresh.session_state or not fresh.session_state["runs"], "sessions do not share runs"


def test_a_broken_bundle_gets_a_message():
    at = open_page(new_app().run(), "model")
    at.file_uploader[0].upload("broken.zip", b"PK\x03\x04 not really a zip", "application/zip")
    at.run()
    assert not at.exception
    assert at.error, "a clear message instead of a traceback"


def test_english_toggle_switches_every_page():
    at = new_app().run()
    at.toggle(key="w_english").set_value(True).run()
    prefixes = {"tokenizer": "tok", "evaluate": "eval"}
    for page in PAGES:
        open_page(at, page)
        assert at.title[0].value == STRINGS[f"{prefixes.get(page, page)}.title"][1]
        if page in MODEL_PAGES:
            assert STRINGS["needs_model"][1] in texts(at.info)
    assert at.toggle(key="w_english").value is True


def test_comparing_poolings_trains_one_run_per_pooling(sample_slice):
    at = new_app().run()
    at.file_uploader[0].upload("slice.xlsx", sample_slice, XLSX)
    at.run()
    train_tiny(at, ko("train.sweep"))
    assert [r.name for r in at.session_state["runs"]] == ["#1 attention", "#2 mean", "#3 last"]
    assert at.session_state["model"].source == "#1 attention"


def test_chip_html_escapes_text_and_carries_exact_weights():
    html = attention_chips_html(["▁<b>", "&"], [0.25, 0.75])
    assert "&lt;b&gt;" in html and "<b>" not in html and "&amp;" in html
    assert 'title="0.2500"' in html and 'title="0.7500"' in html
    assert "<script" not in piece_chips_html(["▁<script>"])


def test_strings_exist_in_both_languages():
    for key, (korean, english) in STRINGS.items():
        assert korean and english, key


def test_a_tokenizer_that_finishes_while_the_user_is_elsewhere_is_kept():
    at = open_page(new_app().run(), "tokenizer")
    click(at, ko("tok.train"))
    open_page(at, "train")  # moved on before the job ended
    job = at.session_state["tokenizer_job"]
    job.join(120)
    at.run()
    assert not at.exception
    assert at.session_state["tokenizer_report"] is not None  # kept by app.py, not only by the Tokenizer page
