"""The main walk-through in real Chromium: upload, train, watch the chart, stop, predict, screenshots.

Starts `streamlit run app.py` on a free port, drives Debian's chromium through Playwright and saves
screenshots under tests/artifacts/ (look at them: Hangul must render, charts must have data).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import BROWSER, nav, plotly_points, shot

pytestmark = BROWSER


@pytest.fixture(scope="module")
def upload_file(tmp_path_factory):
    """A new-release (221115) workbook made from the sample: 1,800 rows, blank index header."""
    import pandas as pd

    from core.corpus.sample import SAMPLE_PATH

    frame = pd.read_excel(SAMPLE_PATH, engine="calamine").head(1800)
    renamed = frame.rename(columns={f"시스템응답{k}": f"시스템문장{k}" for k in range(1, 5)})
    renamed = renamed.drop(columns=["번호", "사람문장4", "시스템문장4"])
    renamed.insert(0, "", range(len(renamed)))
    path = tmp_path_factory.mktemp("upload") / "감성대화_221115.xlsx"
    renamed.to_excel(path, sheet_name="Sheet1", index=False, engine="openpyxl")
    return path


def test_walkthrough_upload_train_stop_predict(app_url, page, upload_file):
    page.goto(app_url)
    page.get_by_role("heading", name="데이터", exact=True).wait_for()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(upload_file))
    page.get_by_text(f"불러온 데이터: {upload_file.name}").wait_for()
    assert page.locator(".js-plotly-plot").count() >= 1
    shot(page, "01_data_uploaded")

    nav(page, "학습")
    epochs = page.get_by_role("spinbutton", name="에폭", exact=True)
    epochs.fill("40")
    epochs.press("Tab")
    page.get_by_role("button", name="학습 시작").click()
    page.wait_for_function("() => { const c = document.querySelector('.js-plotly-plot');"
                           " return c && c.data && c.data[0] && c.data[0].x.length >= 1; }", timeout=60_000)
    first = plotly_points(page)
    # null-safe: a rerun can swap the chart's node out between two polls (it failed once that way in a full run)
    page.wait_for_function(f"() => (document.querySelector('.js-plotly-plot')?.data?.[0]?.x?.length ?? 0) > {first}",
                           timeout=60_000)
    assert plotly_points(page) > first  # the chart updates while training runs
    shot(page, "02_train_live")
    page.get_by_role("button", name="중지").click()
    page.get_by_text("학습을 중지했습니다").first.wait_for(timeout=60_000)
    shot(page, "03_train_stopped")
    epochs.fill("2")  # a stopped run never becomes the active model: finish a short one for Predict
    epochs.press("Tab")
    page.get_by_role("button", name="학습 시작").click()
    page.get_by_text("끝남 ·").first.wait_for(timeout=120_000)

    nav(page, "예측")
    box = page.get_by_role("textbox", name="문장 (한 줄에 하나)")
    box.fill("친구가 약속을 또 어겨서 너무 화가 나.\n합격 소식을 듣고 정말 기뻤어.")
    page.get_by_role("button", name="예측", exact=True).click()
    page.get_by_text("예측 감정").nth(1).wait_for()  # one result per sentence
    # st.html renders each sentence's chips on its own: wait until both sentences' weights are on the page
    page.wait_for_function("() => [...document.querySelectorAll('span[title]')].filter(e => /^[01]\\.\\d{4}( ·|$)/.test(e.title))"
                           ".reduce((sum, e) => sum + parseFloat(e.title), 0) > 1.9")
    titles = page.locator("span[title]").evaluate_all("els => els.map(e => e.title)")
    weights = [float(title[:6]) for title in titles if re.match(r"[01]\.\d{4}( ·|$)", title)]  # '<unk>' chips add a note
    assert len(weights) >= 6  # one chip per BPE piece, the exact weight in its tooltip
    assert 1.9 < sum(weights) < 2.1  # two sentences, each sentence's weights sum to 1
    page.locator(".js-plotly-plot").nth(1).wait_for()  # one probability chart per sentence
    shot(page, "04_predict")

    nav(page, "평가")
    page.get_by_role("button", name="평가", exact=True).click()
    page.get_by_text("정확도").first.wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for()  # the confusion matrix
    assert page.get_by_text("macro-F1").count() >= 1
    shot(page, "05_evaluate")

    nav(page, "예측")  # the predictions made above are still there
    page.get_by_role("button", name="설명 검증").first.click()
    page.get_by_role("heading", name="설명 검증: 어텐션이 이 예측을 설명할까?").wait_for()
    page.locator(".js-plotly-plot").nth(2).wait_for()  # attribution rows, τ bars, deletion curves
    assert page.get_by_text("친구가 약속을 또 어겨서 너무 화가 나.").count() >= 1  # the sentence came along
    assert page.locator('[data-testid="stException"]').count() == 0
    shot(page, "06_explain")
    page.locator(".js-plotly-plot").nth(2).scroll_into_view_if_needed()
    shot(page, "07_explain_deletion")
    page.get_by_role("button", name="모델 전체 검증").click()  # over the validation split, with a progress bar
    page.locator(".js-plotly-plot").nth(3).wait_for(timeout=400_000)  # whole dialogues: ~0.5 s each on 2 cores
    assert page.locator('[data-testid="stException"]').count() == 0
    page.locator(".js-plotly-plot").nth(3).scroll_into_view_if_needed()
    shot(page, "08_explain_model")
