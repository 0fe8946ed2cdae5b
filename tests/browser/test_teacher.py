"""The teacher's view in real Chromium: three browser sessions, each under the nickname it set in the sidebar, train
at once on a server with two workers; the teacher, in a fourth, unlocks the view with the admin password, sees all
three live (nicknames, epoch of n, the queue) and deletes one board entry. Screenshots: tests/artifacts/teacher_*.png.
"""

from __future__ import annotations

import re

import pytest

from core.storage import board
from core.storage.store import Store
from tests.browser.helpers import BROWSER, AppServer, ko, nav, new_page, shot
from tests.storage.test_board import a_run

pytestmark = BROWSER
PASSWORD = "teacher-pw"
# A share link: a tiny model (an epoch takes seconds here), the most epochs and no early stop, so that all three still
# run when the teacher looks, on a faster machine too; the server's end stops them.
SETTINGS = "emb=16&hidden=16&epochs=50&patience=0&batch=32&vocab_auto=1"
NICKNAMES = ("민지", "Jun", "서연")
EPOCH_LINE = re.compile(r"에폭 (\d+)/50")


@pytest.fixture
def server(tmp_path, monkeypatch):
    """Two workers (three sessions: one waits), the admin password set, two entries already on the board."""
    monkeypatch.setenv(board.PASSWORD_ENV, PASSWORD)
    monkeypatch.setenv("ATTENTION_LAB_WORKERS", "2")
    home = tmp_path / "attention_lab"
    for i, nickname in enumerate(("지우", "하준")):
        board.publish(a_run(0.8 + i / 10), nickname, "sample_corpus.xlsx", 3600, Store(home), publisher=f"p{i}")
    server = AppServer(tmp_path / "streamlit.log", home=home)
    server.start()
    yield server
    server.stop()


def start_training(page, url: str, nickname: str) -> None:
    """As a student: set a nickname in the sidebar, then Start on the Train page."""
    page.goto(f"{url}/?{SETTINGS}")
    page.get_by_role("heading", name=ko("data.title"), exact=True).wait_for()
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator("summary").filter(has_text=ko("side.nickname")).click()  # the nickname's expander
    sidebar.get_by_role("textbox", name=ko("side.nickname")).fill(nickname)
    sidebar.get_by_role("button", name=ko("side.nickname_save")).click()
    sidebar.get_by_text(f"{ko('side.nickname')}: {nickname}").wait_for()
    nav(page, ko("page.train"))
    page.get_by_role("button", name=ko("train.start")).click()
    page.get_by_role("button", name=ko("stop")).wait_for()


def progress_lines(page) -> list[str]:
    return page.locator('[data-testid="stProgress"]').all_inner_texts()


def test_the_teacher_sees_three_sessions_train_live_and_deletes_one_entry(server, browser):
    students = [new_page(browser, height=1000) for _ in NICKNAMES]
    for page, nickname in zip(students, NICKNAMES):
        start_training(page, server.url, nickname)

    teacher = new_page(browser, height=1300)
    teacher.goto(server.url)
    teacher.get_by_role("heading", name=ko("data.title"), exact=True).wait_for()
    nav(teacher, ko("page.teacher"))
    teacher.get_by_label(ko("board.password")).fill(PASSWORD)
    teacher.get_by_role("button", name=ko("teacher.unlock")).click()
    teacher.get_by_role("heading", name=ko("teacher.sessions")).wait_for()

    # all three, each by its nickname: two training (epoch k of 50), one waiting for a worker
    texts = teacher.locator('[data-testid="stText"]')
    for nickname in NICKNAMES:
        texts.filter(has_text=re.compile(f"^{nickname}$")).wait_for()
    teacher.wait_for_function("() => [...document.querySelectorAll('[data-testid=stProgress]')]"
                              ".filter(e => /에폭 \\d+\\/50/.test(e.textContent)).length === 2", timeout=60_000)
    lines = progress_lines(teacher)
    assert sum(bool(EPOCH_LINE.search(line)) for line in lines) == 2
    assert sum(ko("teacher.waiting", ahead=0) in line for line in lines) == 1
    metrics = teacher.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert metrics == ["2", "1", "2"]  # running, queued, board entries
    shot(teacher, "teacher_01_class_live")

    # live: the page redraws itself, and a later epoch shows without a reload
    first = max(int(EPOCH_LINE.search(line).group(1)) for line in lines if EPOCH_LINE.search(line))
    teacher.wait_for_function(f"() => [...document.querySelectorAll('[data-testid=stProgress]')]"
                              f".some(e => {{ const m = /에폭 (\\d+)\\/50/.exec(e.textContent); "
                              f"return m && +m[1] > {first}; }})", timeout=45_000)

    entries = {e.nickname: e.id for e in board.entries(Store(server.home))}
    teacher.locator(f".st-key-teacher_delete_{entries['하준']} button").click()
    teacher.get_by_text(ko("teacher.deleted")).wait_for()
    assert [e.nickname for e in board.entries(Store(server.home))] == ["지우"]
    assert texts.filter(has_text=re.compile("^하준$")).count() == 0
    assert teacher.locator('[data-testid="stException"]').count() == 0
    shot(teacher, "teacher_02_entry_deleted")
    for page in students:
        page.context.close()
