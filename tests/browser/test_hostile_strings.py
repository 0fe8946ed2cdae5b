"""Issue 23 in real Chromium: a corpus and a bundle whose file names and label names carry Markdown image links and
HTML are shown literally, and no request leaves for the addresses they name.

A listener on a free loopback port records every request; the payloads point at it. Before the fix the Data page's
heading, the sidebar and the Model page rendered such names as Markdown: every viewer's browser fetched the image.
"""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser.helpers import BROWSER, nav, shot
from tests.training.test_bundle_hostile import with_meta
from ui.i18n import WORD_JOINER

pytestmark = BROWSER

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Listener:
    """An HTTP server on 127.0.0.1 that answers 404 and remembers every path asked for."""

    def __init__(self):
        self.requests: list[str] = []
        requests = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802  (http.server's name)
                requests.append(self.path)
                self.send_error(404)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def corpus_bytes() -> bytes:
    """300 rows of the bundled sample as an xlsx."""
    from core.corpus.data import load_corpus, write_xlsx
    from core.corpus.sample import SAMPLE_PATH

    buffer = io.BytesIO()
    write_xlsx(load_corpus(SAMPLE_PATH).frame.head(300), buffer)
    return buffer.getvalue()


def labels(url: str) -> list[str]:
    """Six label names: Markdown, HTML and Streamlit's own syntax, each an address of the listener where it can."""
    return [f"![x]({url}/label.png)", f"<img src={url}/label-html.png>", f"[link]({url}/link)",
            f"**bold** <b>b</b> {url}/bare.png", ":red[red] :smile: $x^2$", "<script>alert(1)</script>"]


def text(locator) -> str:
    """What a person reads: the word joiners ui.i18n.plain puts into addresses are invisible."""
    return locator.inner_text().replace(WORD_JOINER, "")


def wait_for_text(page, expected: str) -> None:
    page.wait_for_function("t => document.body.innerText.replaceAll('\\u2060', '').includes(t)", arg=expected)


def headings(page) -> list[str]:
    return [h.replace(WORD_JOINER, "") for h in page.locator("h1, h2, h3").all_inner_texts()]


def markup_made(page, port: int) -> dict:
    """Elements the payloads would have made if rendered: images or links to the listener, bold, scripts."""
    return page.evaluate("""port => ({
        img: [...document.querySelectorAll('img')].map(e => e.src).filter(s => s.includes(':' + port)),
        links: [...document.querySelectorAll('a')].map(e => e.href).filter(s => s.includes(':' + port)),
        bold: [...document.querySelectorAll('b, strong')].map(e => e.textContent).filter(t => /^(b|bold)$/.test(t)),
        scripts: [...document.querySelectorAll('script')].filter(e => e.textContent.includes('alert(1)')).length,
        katex: document.querySelectorAll('.katex').length})""", port)


def test_hostile_names_are_text_and_nothing_is_fetched(app_url, page, listener, corpus_bytes, trained_classifier):
    outside = []
    page.on("request", lambda r: outside.append(r.url) if f":{listener.port}" in r.url else None)
    none = {"img": [], "links": [], "bold": [], "scripts": 0, "katex": 0}
    corpus_name = f"![fn]({listener.url}/fn.png) x.xlsx"  # a file system refuses '/', a browser upload does not
    bundle_name = f"<img src={listener.url}/bundle.png> model.zip"
    names = labels(listener.url)
    _, outcome = trained_classifier
    bundle = with_meta(outcome.classifier.to_bytes(), label_names=names)

    page.goto(app_url)
    page.get_by_role("heading", name="데이터", exact=True).wait_for()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        {"name": corpus_name, "mimeType": XLSX, "buffer": corpus_bytes})
    wait_for_text(page, f"불러온 데이터: {corpus_name}")
    assert f"불러온 데이터: {corpus_name}" in headings(page)  # the heading, literally
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert f"데이터: {corpus_name} ·" in text(sidebar)
    assert markup_made(page, listener.port) == none
    shot(page, "hostile_01_data")

    nav(page, "모델 저장·불러오기")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        {"name": bundle_name, "mimeType": "application/zip", "buffer": bundle})
    wait_for_text(page, f"사용 중인 모델: {bundle_name}")
    assert f"사용 중인 모델: {bundle_name}" in headings(page)
    assert "클래스: " + ", ".join(names) in text(page.locator('[data-testid="stCaptionContainer"]').filter(has_text="클래스"))
    assert f"모델: {bundle_name}" in text(sidebar)
    assert markup_made(page, listener.port) == none
    shot(page, "hostile_02_model")

    nav(page, "예측")
    page.get_by_role("button", name="예측", exact=True).click()
    value = page.locator('[data-testid="stMetricValue"]').first
    value.wait_for()
    assert text(value) in names  # the predicted label, as typed in the bundle
    wait_for_text(page, f"모델: {bundle_name} (어텐션)")
    page.wait_for_timeout(1000)  # an image, had one been made, would have been requested by now
    assert markup_made(page, listener.port) == none
    shot(page, "hostile_03_predict")
    assert listener.requests == [] and outside == [], "the page fetched an address a name carried"
