"""ui/settings.py: the Train page starts from exactly the configs `python -m core train` uses with no flags."""

from dataclasses import replace

from streamlit.testing.v1 import AppTest

from core.cli.common import train_configs
from core.cli.main import build_parser


def _page_configs():
    """Run a tiny script that builds the page's configs from its widget defaults, and return them."""
    script = """
import streamlit as st
from ui import settings
settings.ensure_defaults()
st.session_state["configs"] = (settings.model_config(), settings.train_config(), settings.tokenizer_config())
"""
    at = AppTest.from_string(script).run(timeout=60)
    assert not at.exception
    return at.session_state["configs"]


def test_page_defaults_equal_the_cli_defaults():
    _, cli_model, cli_train, cli_tokenizer = train_configs(build_parser().parse_args(["train", "--out", "m.zip"]))
    page_model, page_train, page_tokenizer = _page_configs()
    assert page_model == cli_model and page_tokenizer == cli_tokenizer
    # Only how often the page reports and how many threads it asks for differ; neither changes the model.
    assert replace(page_train, report_every=cli_train.report_every, num_threads=cli_train.num_threads) == cli_train
