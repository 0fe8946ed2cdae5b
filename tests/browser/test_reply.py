"""The Reply page in real Chromium: train one epoch, generate greedy and beam replies, draw their alignments."""

from __future__ import annotations

from tests.browser.helpers import BROWSER, shot

pytestmark = BROWSER


def test_reply_page_trains_generates_and_draws_the_alignment(app_url, page):
    page.goto(app_url)
    page.get_by_role("heading", name="데이터", exact=True).wait_for()  # the app has started this session
    page.locator('[data-testid="stSidebarNavLink"][href$="/reply"]').first.click()
    start = page.get_by_role("button", name="학습 시작")
    start.wait_for()
    epochs = page.get_by_label("에폭")
    epochs.fill("1")
    epochs.press("Enter")
    page.wait_for_timeout(500)
    start.click()
    page.get_by_text("chrF", exact=True).first.wait_for(timeout=300_000)
    sentence = page.get_by_role("textbox", name="문장", exact=True)
    sentence.fill("회사에서 팀장님이 나한테만 일을 몰아줘서 너무 화가 나.")
    sentence.press("Enter")
    page.get_by_role("button", name="답장 생성").click()
    page.locator(".stPlotlyChart").nth(2).wait_for()  # curves, greedy and beam alignments
    replies = page.locator("[data-testid='stText']").all_inner_texts()
    assert len(replies) == 3 and all(replies)  # greedy, beam and the retrieved reply
    page.locator(".stPlotlyChart").nth(1).scroll_into_view_if_needed()
    assert shot(page, "reply_alignment").stat().st_size > 10_000
