"""AppTest: several uploads joined on the Data page; the learning curve on the Train page."""

from __future__ import annotations

import io
import json

from core.corpus.data import load_corpus, write_xlsx
from tests.app import test_app
from tests.app.test_app import TINY, XLSX, click, finish_job, ko, new_app, open_page

sample_slice, through_app = test_app.sample_slice, test_app.through_app  # fixtures: the sample slice, page mode


def test_two_uploads_are_joined_with_one_line_per_file(sample_slice):
    frame = load_corpus(sample_slice).frame
    second = io.BytesIO()
    write_xlsx(frame.iloc[250:].assign(사람문장1=frame["사람문장1"].iloc[250:] + " 추가"), second)  # 50 new dialogues
    at = new_app().run()
    at.file_uploader[0].set_value([("slice.xlsx", sample_slice, XLSX), ("more <b>.xlsx", second.getvalue(), XLSX),
                                   ("again.xlsx", sample_slice, XLSX)])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    corpus = at.session_state["corpus"]
    assert corpus.source_name == "slice.xlsx + more <b>.xlsx + again.xlsx" and len(corpus.frame) == 350
    lines = [str(x.value) for x in at.text]
    assert lines == [ko("data.part", name="slice.xlsx", release=ko("release.old"), read="300", kept="300", dropped="0"),
                     ko("data.part", name="more <b>.xlsx", release=ko("release.old"), read="50", kept="50", dropped="0"),
                     ko("data.part", name="again.xlsx", release=ko("release.old"), read="300", kept="0", dropped="300")]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[ko("data.rows_read")] == "350"


def test_the_learning_curve_runs_from_the_train_page(sample_slice):
    at = new_app().run()
    at.file_uploader[0].upload("slice.xlsx", sample_slice, XLSX)
    at.run()
    open_page(at, "train")
    for key, value in TINY.items():
        at.session_state[key] = value
    click(at, ko("curve.start"))
    finish_job(at, "curve_job")
    result = at.session_state["curve_result"]
    assert [p.fraction for p in result.points] == [0.1, 0.25, 0.5, 1.0]
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 1 and [trace["name"] for trace in charts[0]["data"]] == [ko("curve.model"), ko("curve.baseline")]
    assert charts[0]["data"][0]["x"] == [p.train_rows for p in result.points]
    reading = result.reading()
    assert ko(f"curve.{reading.key}", **reading.values) in [str(x.value) for x in at.info]
