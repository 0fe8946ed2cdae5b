"""Both languages in real Chromium at 1400×1000: no English on the Korean Data/Train/Predict pages (Streamlit's
own uploader texts included), class names glossed in English mode, Stop in the first viewport while training,
a stopped run labelled stopped, unknown characters shown as typed, and no request leaving the machine.

Uses tests/browser/conftest.py's server and browser fixtures; screenshots go to tests/artifacts/i18n_*.png.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import ARTIFACTS, BROWSER, nav, shot
from tests.english import english_words as english_in
from ui.i18n import STRINGS

pytestmark = BROWSER

VIEWPORT = {"width": 1400, "height": 1000}
CLASSES_EN = ["joy", "embarrassment", "anger", "anxiety", "hurt", "sadness"]

# Text a person can see without hovering: rendered text nodes with a non-zero font size, plus CSS generated
# content (the uploader's replaced texts). Material icon names ("upload", "table") are ligatures drawn as
# icons; hidden tooltips (plotly's modebar) and the 1-pixel "Skip to main content" link don't count.
VISIBLE_TEXT_JS = """() => {
  const shown = (el, style) => style.visibility !== 'hidden' && style.display !== 'none' && style.opacity !== '0'
    && !/Material Symbols/.test(style.fontFamily) && el.getClientRects().length && (el.offsetWidth > 1 || el.offsetHeight > 1);
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest('style, script, noscript')) continue;
    const style = getComputedStyle(el);
    if (shown(el, style) && parseFloat(style.fontSize) > 0) out.push(node.textContent);
  }
  for (const el of document.querySelectorAll('body *')) {
    for (const pseudo of ['::before', '::after']) {
      const style = getComputedStyle(el, pseudo);
      if (style.content.startsWith('"') && style.display !== 'none' && style.opacity !== '0'
          && shown(el, getComputedStyle(el))) out.push(JSON.parse(style.content));
    }
  }
  return out.join('\\n');
}"""


def english_words(page) -> set[str]:
    """English words in the visible text, leaving out addresses and file paths (links and folders shown as data)."""
    text = re.sub(r"https?://\S+|(?<![\w.])/[\w./-]+", " ", page.evaluate(VISIBLE_TEXT_JS))
    return english_in(text)


@pytest.fixture
def page(browser, app_url):  # noqa: F811
    context = browser.new_context(viewport=VIEWPORT, locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.outside_requests = []
    page.on("request", lambda r: None if r.url.startswith((app_url, "data:", "blob:")) else page.outside_requests.append(r.url))
    yield page
    context.close()


def scroll_to_top(page) -> None:
    page.evaluate("() => document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })")


def train(page, epochs: int) -> None:
    field = page.get_by_role("spinbutton", name="에폭", exact=True)
    field.fill(str(epochs))
    field.press("Tab")
    page.get_by_role("button", name="학습 시작").click()


def test_korean_then_english(app_url, page):  # noqa: F811
    page.goto(app_url)
    page.get_by_role("heading", name="데이터", exact=True).wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    page.wait_for_timeout(500)
    assert english_words(page) == set(), "English on the Korean Data page"
    assert "파일 선택" in page.evaluate(VISIBLE_TEXT_JS)  # the uploader's own button, replaced
    # No browser-side type filter (its refusal was an English tooltip): the reader refuses with a Korean line
    accept = page.locator('[data-testid="stFileUploader"] input[type="file"]').first.get_attribute("accept")
    assert accept in (None, "")
    shot(page, "i18n_01_data_ko")

    # Train: Stop in the first viewport while a run goes; a stopped run says so, in the line and the history
    nav(page, "학습")
    train(page, 40)
    stop = page.get_by_role("button", name="중지")
    stop.wait_for()
    page.wait_for_function("() => { const c = document.querySelector('.js-plotly-plot');"
                           " return c && c.data && c.data[0] && c.data[0].x.length >= 2; }")
    scroll_to_top(page)
    box = stop.bounding_box()
    assert box and box["y"] + box["height"] <= VIEWPORT["height"], f"Stop is out of the first viewport: {box}"
    assert english_words(page) == set(), "English on the Korean Train page while training"
    page.screenshot(path=str(ARTIFACTS / "i18n_02_train_running_ko_viewport.png"))  # what the user sees
    stop.click()
    page.get_by_text("중지됨 ·").first.wait_for()  # the progress line
    page.get_by_role("heading", name=STRINGS["train.history"][0]).wait_for()
    assert page.get_by_text("끝남 ·").count() == 0
    shot(page, "i18n_03_train_stopped_ko")

    train(page, 2)  # a finished run, for Predict
    page.get_by_text("끝남 ·").first.wait_for(timeout=120_000)
    assert english_words(page) == set(), "English on the Korean Train page after training"

    nav(page, "예측")
    box = page.get_by_role("textbox", name="문장 (한 줄에 하나)")
    box.fill("친구가 약속을 또 어겨서 너무 화가 나.\n<b>hi</b> 鬱")
    page.get_by_role("button", name="예측", exact=True).click()
    page.get_by_text("예측 감정").nth(1).wait_for()
    page.locator(".js-plotly-plot").nth(1).wait_for()
    unknown = page.locator('span[title*="본 적 없는"]')
    unknown.first.wait_for()
    shown = " ".join(unknown.all_inner_texts())
    assert "<b>hi</b>" in shown and "鬱" in shown  # the characters themselves, as text
    assert page.locator("b", has_text="hi").count() == 0  # never as HTML
    words = english_words(page) - {"b", "hi"}  # the user's own sentence
    assert words == set(), "English on the Korean Predict page"
    unknown.first.scroll_into_view_if_needed()
    shot(page, "i18n_04_predict_ko")

    # English: the same results, class names glossed; Streamlit's uploader texts follow
    page.get_by_text("English", exact=True).click()
    page.get_by_role("heading", name="Predict", exact=True).wait_for()
    page.get_by_text("Predicted").nth(1).wait_for()
    text = page.evaluate(VISIBLE_TEXT_JS)
    assert re.search(r"[가-힣]+ \(({})\)".format("|".join(CLASSES_EN)), text), "no English class name on Predict"
    bars = page.locator(".js-plotly-plot").first.inner_text()
    assert sum(f"({name})" in bars for name in CLASSES_EN) == 6, "probability bars without English class names"
    shot(page, "i18n_05_predict_en")

    nav(page, "Data")
    page.locator(".js-plotly-plot").first.wait_for()
    chart = page.locator(".js-plotly-plot").first.inner_text()
    assert all(f"({name})" in chart for name in CLASSES_EN), chart
    assert "Browse files" in page.evaluate(VISIBLE_TEXT_JS)
    shot(page, "i18n_06_data_en")

    assert page.outside_requests == [], "requests left the machine"
