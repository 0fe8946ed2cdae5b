"""Time the first page view after a server start, and list any request that leaves the machine.

    python scripts/first_view.py [REPO_DIR]

Starts `streamlit run app.py` on a free port, waits for /_stcore/health, then opens the app in headless
Debian chromium (1400x1000) and prints the seconds until the Data page's heading and its first chart are drawn.
"""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

CHART_DRAWN = "() => { const c = document.querySelector('.js-plotly-plot'); return c && c.data && c.data.length; }"


def main(root: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1"], cwd=root, stdout=subprocess.DEVNULL,
                              stderr=subprocess.STDOUT)
    try:
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ko-KR")
            outside = []
            page.on("request", lambda r: None if r.url.startswith((url, "data:", "blob:")) else outside.append(r.url))
            start = time.time()
            page.goto(url)
            page.get_by_role("heading", name="데이터", exact=True).wait_for(timeout=120_000)
            heading = time.time() - start
            page.wait_for_function(CHART_DRAWN, timeout=120_000)
            chart = time.time() - start
            page.wait_for_timeout(1500)  # late requests (icons, fonts)
            browser.close()
        print(f"first view: heading {heading:.2f} s, chart {chart:.2f} s; requests leaving the machine: {outside or 'none'}")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve())
