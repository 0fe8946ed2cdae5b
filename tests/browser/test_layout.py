"""Readable at 1000 and 1400 px, in Korean and English: no table on Evaluate, Explain or the class board wider
than the box it is shown in (a column behind a horizontal scroll counts: the grid shows its scrollbar only on hover).

One session trains a tiny model, evaluates it, checks the whole model on 10 sentences and publishes to a board in
its own data folder; then each width and language visits the three pages. Screenshots: the test's tmp folder.
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import BROWSER, AppServer, new_page
from ui.i18n import STRINGS

pytestmark = BROWSER

TINY = "emb=16&hidden=16&epochs=1&batch=64&vocab_auto=1"  # a share link: the run takes seconds
PAGES = {"evaluate": "eval.title", "explain": "explain.title", "board": "board.title"}
TABLES = {"evaluate": 1, "explain": 3, "board": 1}  # per class; agreement, deletion, whole model; the board

# Every table (Streamlit's grid or a static table) against the box that holds it: the nearest column, or the main
# block's content box; and inside it, any box that clips or scrolls sideways with more than it shows. A grid draws
# its cells on a canvas inside such a scroller: a column past its edge is one the reader cannot see without finding
# the hidden scrollbar.
OVERFLOWS_JS = """() => {
  const contentRight = el => el.getBoundingClientRect().right - parseFloat(getComputedStyle(el).paddingRight);
  const out = [];
  document.querySelectorAll('[data-testid="stDataFrame"], [data-testid="stTable"]').forEach((el, i) => {
    const holder = el.parentElement.closest('[data-testid="stColumn"], [data-testid="stMainBlockContainer"]');
    const right = el.getBoundingClientRect().right, limit = contentRight(holder);
    const headers = [...el.querySelectorAll('[role="columnheader"], th')].map(h => h.textContent.trim());
    const name = `table ${i + 1} (${headers.filter(Boolean).slice(0, 3).join(', ')})`;
    if (right > limit + 1) out.push(`${name}: right edge ${Math.round(right)} past its container's ${Math.round(limit)}`);
    // the grid's scroller, or the static table's wrapper (overflow: auto) inside a clipping stTable
    for (const box of [el, ...el.querySelectorAll('div')]) {
      if (getComputedStyle(box).overflowX === 'visible' || box.scrollWidth <= box.clientWidth + 1) continue;
      out.push(`${name}: ${box.scrollWidth} px of columns in ${box.clientWidth} px`);
      break;
    }
  });
  return out;
}"""


def text(key: str, language: str) -> str:
    return STRINGS[key][language == "en"]


def go(page, name: str, language: str) -> None:
    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=text(f"page.{name}", language)).first.click()
    page.get_by_role("heading", name=text(PAGES[name], language), exact=True).first.wait_for()


@pytest.fixture(scope="module")
def session(tmp_path_factory, browser):
    """A page whose session holds an evaluation, a whole-model check and a board entry (Korean, 1400 px)."""
    folder = tmp_path_factory.mktemp("layout")
    server = AppServer(folder / "streamlit.log", home=folder / "attention_lab")
    server.start()
    page = new_page(browser, width=1400, height=1000)
    try:
        page.goto(f"{server.url}/?{TINY}")
        page.get_by_role("heading", name=text("data.title", "ko"), exact=True).wait_for()
        page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=text("page.train", "ko")).first.click()
        page.get_by_role("button", name=text("train.start", "ko")).click()
        page.get_by_text(text("done_line", "ko").split("{")[0]).first.wait_for(timeout=180_000)
        go(page, "evaluate", "ko")
        page.get_by_role("button", name=text("eval.run", "ko"), exact=True).click()
        page.locator(".js-plotly-plot").first.wait_for()
        go(page, "explain", "ko")
        limit = page.get_by_role("spinbutton", name=text("explain.limit", "ko"))
        limit.fill("10")
        limit.press("Tab")
        page.get_by_role("button", name=text("explain.summarize", "ko")).click()
        page.locator(".js-plotly-plot").nth(3).wait_for()  # attribution rows, τ, deletion, the model's AOPC
        go(page, "board", "ko")
        page.get_by_role("textbox", name=text("board.nickname", "ko")).fill("a_long_nickname_without_spaces")
        page.get_by_role("button", name=text("board.post", "ko")).click()
        page.get_by_text(text("board.posted", "ko")).wait_for()
        yield page, folder
    finally:
        page.context.close()
        server.stop()


def set_language(page, language: str) -> None:
    if page.get_by_label("English", exact=True).is_checked() != (language == "en"):
        page.get_by_text("English", exact=True).click()
    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=text("page.evaluate", language)).first.wait_for()


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("width", [1000, 1400])
def test_tables_fit_their_containers(session, width, language):
    page, folder = session
    page.set_viewport_size({"width": width, "height": 4000})  # tall: every table on the page is laid out at once
    set_language(page, language)
    problems = []
    for name, count in TABLES.items():
        go(page, name, language)
        tables = page.locator('[data-testid="stDataFrame"], [data-testid="stTable"]')
        page.wait_for_function(f"() => document.querySelectorAll('[data-testid=\"stDataFrame\"],"
                               f" [data-testid=\"stTable\"]').length >= {count}")
        page.wait_for_timeout(800)  # the grid sizes its columns after it is drawn
        assert tables.count() >= count
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(folder / f"{name}_{width}_{language}.png"), full_page=True)
        problems += [f"{name} at {width} px, {language}: {p}" for p in page.evaluate(OVERFLOWS_JS)]
    assert not problems, "\n".join(problems)
