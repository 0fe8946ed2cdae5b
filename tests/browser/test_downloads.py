"""CSV downloads in real Chromium: a file of sentences predicted on the Predict page, then the CSVs of Predict,
Evaluate and the class board, each read back (BOM, header, one row per sentence or entry, formulas defused).

Runs its own server on a data folder in tmp_path, so the board holds this test's entry only; screenshots go to
tests/artifacts/csv_*.png."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.browser.helpers import BROWSER, ko, nav, new_page, shot

pytestmark = BROWSER
TINY = "emb=16&hidden=16&epochs=1&batch=64&vocab_auto=1"  # a share link: the run takes seconds
SENTENCES = ["친구가 약속을 또 어겨서 너무 화가 나.", "=HYPERLINK(\"http://x\") 합격했어!", "강아지가 아파서 눈물이 나.",
             "발표하다가 말이 꼬여서 당황했어.", "@모두 시험 결과가 걱정돼."]
NICKNAME = "=1+1 선생님"


def download(page, button: str) -> list[list[str]]:
    """Click a download button; the file's rows, after checking it starts with a UTF-8 BOM (Excel reads Korean)."""
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def metric(page, label: str) -> int:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return int(box.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


def test_predict_evaluate_and_board_download_their_tables(server, browser, tmp_path):
    page = new_page(browser)
    page.goto(f"{server.url}/?{TINY}")
    page.get_by_role("heading", name=ko("data.title"), exact=True).wait_for()
    nav(page, ko("page.train"))
    page.get_by_role("button", name=ko("train.start")).click()
    page.get_by_text("끝남 ·").first.wait_for(timeout=180_000)

    nav(page, ko("page.predict"))
    page.get_by_text(ko("predict.source.file")).click()
    sentences = tmp_path / "문장들.txt"
    sentences.write_text("\n".join(SENTENCES) + "\n\n", encoding="utf-8")
    page.locator('.st-key-batch_upload input[type="file"]').set_input_files(str(sentences))
    page.get_by_role("button", name=ko("batch.run")).click()
    page.get_by_role("heading", name=ko("batch.results", name=sentences.name)).wait_for(timeout=120_000)
    page.get_by_text(ko("batch.lines", n=len(SENTENCES))).wait_for()
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    shot(page, "csv_01_predict_file")
    rows = download(page, ko("batch.download"))
    assert rows[0] == [ko(f"batch.col.{c}") for c in ("text", "label", "probability", "top_pieces")]
    assert [row[0] for row in rows[1:]] == [f"'{s}" if s[0] in "=@" else s for s in SENTENCES]
    assert all(0 < float(row[2]) <= 1 and row[3].count(" · ") == 2 for row in rows[1:])

    nav(page, ko("page.evaluate"))
    page.get_by_role("button", name=ko("eval.run"), exact=True).click()
    page.get_by_role("button", name=ko("eval.download_all")).wait_for(timeout=120_000)
    scored, wrong = metric(page, ko("eval.n")), metric(page, ko("eval.wrong"))
    shot(page, "csv_02_evaluate")
    every = download(page, ko("eval.download_all"))
    header = [ko(f"eval.col.{c}") for c in ("text", "true", "predicted", "confidence", "top_pieces")]
    assert every[0] == header and len(every) == scored + 1
    mistakes = download(page, ko("eval.download_wrong"))
    assert mistakes[0] == header and len(mistakes) == wrong + 1
    assert all(row[1] != row[2] for row in mistakes[1:])

    nav(page, ko("page.board"))
    page.get_by_role("textbox", name=ko("board.nickname"), exact=True).fill(NICKNAME)  # the sidebar has its own
    page.get_by_role("button", name=ko("board.post")).click()
    page.get_by_text(ko("board.posted")).wait_for()
    shot(page, "csv_03_board")
    board = download(page, ko("board.download"))
    assert ko("board.col.nickname") in board[0] and len(board) == 2
    assert board[1][board[0].index(ko("board.col.nickname"))] == f"'{NICKNAME}"  # not a formula in Excel
    assert page.locator('[data-testid="stException"]').count() == 0
