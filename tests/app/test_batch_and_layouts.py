"""AppTest: a Wave-script workbook on the Data page (its layout and real turns named), a file of sentences on the
Predict page (a job, then the table and its CSV), and the Evaluate page's CSV buttons."""

from __future__ import annotations

import io

from core.corpus.data import write_xlsx
from tests.app import test_app
from tests.app.test_app import XLSX, click, finish_job, ko, new_app, open_page
from tests.corpus.test_layouts import wave_frame

sample_slice, trained, through_app = test_app.sample_slice, test_app.trained, test_app.through_app  # fixtures


def test_a_wave_workbook_is_named_with_its_three_turns():
    buffer = io.BytesIO()
    write_xlsx(wave_frame(), buffer)
    at = new_app().run()
    at.file_uploader[0].upload("wave.xlsx", buffer.getvalue(), XLSX)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    caption = ko("data.release", release=ko("release.wave"), sheet="Sheet1", turns=3)
    assert caption in [c.value for c in at.caption]
    assert ko("text.all_turns", last=3) in at.radio(key="w_text").options
    assert "1–4" not in " ".join(at.radio(key="w_text").options)
    open_page(at, "reply")  # its 기계문장k are the replies: 60 dialogues, two pairs each
    assert not at.error and len(at.session_state["reply_pairs"][1]) == 120


def test_a_file_of_sentences_becomes_a_table_with_a_download(trained):
    at = open_page(trained, "predict")
    at.radio(key="w_predict_source").set_value("file").run()
    sentences = ["친구가 약속을 또 어겨서 너무 화가 나", "=1+1 합격했어", "눈물이 나"]
    at.file_uploader(key="batch_upload").upload("s.csv", ("번호,문장\n" + "".join(
        f"{i},{s}\n" for i, s in enumerate(sentences))).encode("cp949"), "text/csv")
    at.run()
    finish_job(click(at, ko("batch.run")), "batch_job")
    table = at.dataframe[0].value
    assert table[ko("batch.col.text")].tolist() == sentences
    assert list(table.columns) == [ko(f"batch.col.{c}") for c in ("text", "label", "probability", "top_pieces")]
    assert ko("batch.column", column="문장", n="3") in [c.value for c in at.caption]
    assert [e.proto.label for e in at.get("download_button")] == [ko("batch.download")]


def test_evaluate_offers_both_csv_downloads(trained):
    at = open_page(trained, "evaluate")
    finish_job(click(at, ko("eval.run")), "eval_job")
    labels = [e.proto.label for e in at.get("download_button")]
    assert labels == [ko("eval.download_all"), ko("eval.download_wrong")]
