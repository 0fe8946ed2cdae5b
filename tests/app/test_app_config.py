"""The Streamlit settings other code and the README rely on (.streamlit/config.toml)."""

import re
import tomllib
from pathlib import Path

from core.corpus.data import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_upload_limit_is_the_readers_limit_and_the_readmes():
    assert CONFIG["server"]["maxUploadSize"] * 2**20 == MAX_FILE_BYTES
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    limits = re.findall(r"(?:[Ff]iles? (?:over|larger than)|[Uu]pload[^.|]*?) (\d+) MB", readme)  # not memory figures
    assert limits and {int(n) for n in limits} == {MAX_FILE_BYTES // 2**20}


def test_classroom_server_settings():
    assert CONFIG["runner"]["postScriptGC"] is False
    assert CONFIG["server"]["fileWatcherType"] == "none"
    assert CONFIG["client"]["toolbarMode"] in ("viewer", "minimal")  # no Deploy button
    assert CONFIG["server"]["headless"] is True
    assert CONFIG["client"]["showErrorDetails"] == "none"  # no traceback in a browser; `false` means "stacktrace"
