"""Browser fixtures: one app server per test module (its log in the module's temp folder), one chromium."""

from __future__ import annotations

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, AppServer, new_page


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    server = AppServer(tmp_path_factory.mktemp("server") / "streamlit.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(tmp_path):
    """A server of the test's own, on a data folder in tmp_path (workspaces, board), stopped after it."""
    server = AppServer(tmp_path / "streamlit.log", home=tmp_path / "attention_lab")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app_url(app_server) -> str:
    return app_server.url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    page = new_page(browser)
    yield page
    page.context.close()
