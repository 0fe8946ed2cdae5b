"""Workspaces in real Chromium: train, reload, restart the server, reload; another browser without the key sees
nothing. The server runs on a data folder in tmp_path; screenshots go to tests/artifacts/ws_*.png."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from tests.browser.helpers import BROWSER, ko, nav, new_page, shot

pytestmark = BROWSER
TINY = "emb=16&hidden=16&epochs=1&batch=64&vocab_auto=1"  # a share link: the run takes seconds


def token_of(page) -> str:
    page.wait_for_function("() => new URLSearchParams(location.search).get('w')")
    return parse_qs(urlsplit(page.url).query)["w"][0]


def assert_run_is_back(page, name: str) -> None:
    """Sidebar names the active model; the Train page lists the run and draws its curves."""
    page.get_by_text(ko("side.model", name="#1 어텐션")).first.wait_for()
    nav(page, ko("page.train"))
    page.get_by_role("heading", name=ko("train.history")).wait_for()
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    page.locator(".js-plotly-plot").last.wait_for()  # the runs overlay
    assert page.get_by_text(ko("train.no_runs")).count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    shot(page, name)


def test_work_survives_reload_and_restart_and_stays_private(server, browser):
    page = new_page(browser, height=1400)
    page.goto(f"{server.url}/?{TINY}")
    page.get_by_role("heading", name=ko("data.title"), exact=True).wait_for()
    token = token_of(page)
    assert len(token) >= 32 and "emb=" not in page.url  # the link's settings were read, then left the URL
    nav(page, ko("page.train"))
    page.get_by_role("button", name=ko("train.start")).click()
    page.get_by_text("끝남 ·").first.wait_for(timeout=180_000)
    page.get_by_text(ko("side.model", name="#1 어텐션")).first.wait_for()
    page.get_by_text(ko("ws.link")).click()
    link = page.locator('[data-testid="stSidebar"] [data-testid="stCode"]').first.inner_text()
    assert link.startswith(server.url) and "emb=16" in link and token not in link and "w=" not in link
    shot(page, "ws_01_trained")

    page.reload()
    assert token_of(page) == token
    assert_run_is_back(page, "ws_02_after_reload")

    server.stop()
    server.start()
    page.goto(f"{server.url}/train?w={token}")  # a fresh server's first request straight to a page keeps its query
    assert token_of(page) == token
    assert_run_is_back(page, "ws_03_after_restart")

    stranger = new_page(browser, height=1400)
    stranger.goto(server.url)
    stranger.get_by_role("heading", name=ko("data.title"), exact=True).wait_for()
    assert token_of(stranger) != token
    stranger.get_by_text(ko("side.no_model")).first.wait_for()
    nav(stranger, ko("page.train"))
    stranger.get_by_text(ko("train.no_runs")).wait_for()
    stranger.get_by_text(ko("train.pooling")).first.wait_for()  # the settings form is drawn, not a skeleton
    stranger.wait_for_timeout(1000)
    shot(stranger, "ws_04_other_browser")


def open_nav(page, path: str) -> None:
    page.locator(f'[data-testid="stSidebarNavLink"][href$="/{path}"]').first.click()


def fill(page, label, value: str) -> None:
    box = page.get_by_label(label).first
    box.fill(value)
    box.press("Enter")
    page.wait_for_timeout(400)


def assert_reply_and_summary_are_back(page, chrf: str, took: str, name: str) -> None:
    if not page.url.split("?")[0].endswith("/reply"):
        open_nav(page, "reply")
    page.get_by_text("chrF", exact=True).first.wait_for()
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="chrF").first
    assert metric.inner_text().split()[-1] == chrf
    page.get_by_role("button", name=ko("reply.generate")).wait_for()
    shot(page, f"{name}_reply")
    open_nav(page, "explain")
    page.get_by_text(took).first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    shot(page, f"{name}_explain")


def test_a_reply_model_and_a_model_explanation_survive_reload_and_restart(server, browser):
    page = new_page(browser, height=1400)
    page.goto(f"{server.url}/?{TINY}")
    page.get_by_role("heading", name=ko("data.title"), exact=True).wait_for()
    token = token_of(page)
    nav(page, ko("page.train"))
    page.get_by_role("button", name=ko("train.start")).click()
    page.get_by_text("끝남 ·").first.wait_for(timeout=180_000)

    open_nav(page, "explain")
    fill(page, ko("explain.limit"), "10")
    page.get_by_role("button", name=ko("explain.summarize")).click()
    took = ko("explain.took", n="10", s="")[:-1]  # "10문장, " and the seconds
    page.get_by_text(took).first.wait_for(timeout=120_000)

    open_nav(page, "reply")
    start = page.get_by_role("button", name=ko("train.start"))
    start.wait_for()
    fill(page, ko("train.epochs"), "1")
    fill(page, re.compile("^" + re.escape(ko("reply.max_pairs", n="X").split("(")[0])), "200")
    start.click()
    page.get_by_text("chrF", exact=True).first.wait_for(timeout=180_000)
    chrf = page.locator('[data-testid="stMetric"]').filter(has_text="chrF").first.inner_text().split()[-1]

    page.reload()
    assert token_of(page) == token
    assert_reply_and_summary_are_back(page, chrf, took, "ws_04_after_reload")

    server.stop()
    server.start()
    page.goto(f"{server.url}/reply?w={token}")  # a fresh server's first request straight to a page keeps its query
    assert token_of(page) == token
    assert_reply_and_summary_are_back(page, chrf, took, "ws_05_after_restart")
