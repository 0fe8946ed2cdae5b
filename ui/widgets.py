"""Shared render helpers: attention and piece chips (escaped HTML), progress lines, notices, tables that wrap."""

from __future__ import annotations

import html
import json
import math
import numbers
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from core import plots
from core.corpus.data import UPLOAD_EXTENSIONS
from core.corpus.tokenizer import WORD_START, Tokenizer, display_piece, is_word_start, piece_surfaces
from ui import state
from ui.i18n import STRINGS, error_text, plain, t

if TYPE_CHECKING:  # torch: not needed to draw a page
    from core.classifier.task import Prediction

CHIP = ("display:inline-block; padding:0.1em 0.35em; margin:0.15em 0.08em; border-radius:0.35em; "
        "border:1px solid rgba(0,0,0,0.08); white-space:pre;")
CHIP_BOX = f"line-height:2.1; font-size:1.1rem; font-family:{plots.FONT_FAMILY}; overflow-wrap:anywhere;"
UNKNOWN_PIECE = "<unk>"  # id_to_piece(UNK_ID)
WORD_COLORS = ["#DCEAF7", "#FDE7CF", "#DDF0DA", "#F6DCDC", "#E5DDF1", "#D9F0EE"]


def page_header(page_file: str, key: str) -> None:
    """Every page's first call: a first request that reached the page without app.py is handed over to it
    (state.through_app), then the page's title and, when it has one, its intro line."""
    state.through_app(page_file)
    st.title(t(f"{key}.title"))
    if f"{key}.intro" in STRINGS:
        st.caption(t(f"{key}.intro"))


def attention_chips_html(tokens: Sequence[str], weights: Sequence[float], surfaces: Sequence[str] | None = None) -> str:
    """One chip per BPE piece, background alpha = weight / max weight, exact weight in the tooltip.

    With `surfaces` (core.tokenizer.piece_surfaces), an <unk> chip shows the characters it replaced, dashed,
    and its tooltip says the tokenizer never saw them. All text is escaped: markup shows as text."""
    top = max(weights, default=0.0) or 1.0
    chips = []
    for i, (piece, weight) in enumerate(zip(tokens, weights)):
        alpha = weight / top
        gap = "margin-left:0.55em;" if i and is_word_start(piece) else ""
        color = "#fff" if alpha > 0.6 else "inherit"
        style = f"{CHIP}{gap} background:rgba(203,24,29,{alpha:.3f}); color:{color};"
        text, title = display_piece(piece), f"{weight:.4f}"
        if piece == UNKNOWN_PIECE and surfaces is not None and i < len(surfaces) and surfaces[i]:
            text, title = surfaces[i], f"{weight:.4f} · {t('predict.unknown')}"
            style += " border:1px dashed #8A5A00;"
        chips.append(f'<span title="{html.escape(title)}" style="{style}">{html.escape(text)}</span>')
    return f'<div style="{CHIP_BOX}">{"".join(chips)}</div>'


def piece_chips_html(pieces: Sequence[str]) -> str:
    """Pieces coloured by the word they belong to; a word-start piece shows a faint ▁."""
    chips, word = [], -1
    for i, piece in enumerate(pieces):
        if is_word_start(piece) or i == 0:
            word += 1
        lone = piece == WORD_START  # shown as ␣ (display_piece): a faint ▁ alone read as an underscore
        marker = f'<span style="opacity:0.45">{WORD_START}</span>' if is_word_start(piece) and not lone else ""
        text = html.escape(piece[1:] if is_word_start(piece) and not lone else display_piece(piece))
        gap = "margin-left:0.55em;" if i and is_word_start(piece) else ""
        style = f"{CHIP}{gap} background:{WORD_COLORS[word % len(WORD_COLORS)]};"
        chips.append(f'<span title="{html.escape(piece)}" style="{style}">{marker}{text}</span>')
    return f'<div style="{CHIP_BOX}">{"".join(chips)}</div>'


def show_attention(prediction: Prediction, pooling: str, key: str, chart: bool = False, note: bool = True,
                   tokenizer: Tokenizer | None = None) -> None:
    """The chips (and, on request, the plotly heatmap) of one prediction's weights; with the `tokenizer`,
    <unk> chips show the characters they replaced."""
    surfaces = piece_surfaces(tokenizer, prediction.text, len(prediction.tokens)) if tokenizer else None
    st.html(attention_chips_html(prediction.tokens, prediction.attention, surfaces))
    if note:
        pooling_note(pooling)
    if chart:
        st.plotly_chart(plots.attention_heatmap(prediction.tokens, prediction.attention,
                                                colorbar_title=t("weight")), key=f"{key}_heatmap")


def pooling_note(pooling: str) -> None:
    """For mean/last pooling the weights are fixed by the pooling, not learned attention."""
    if pooling != "attention":
        st.caption(t("pooling_weights_note", pooling=t(f"pooling.{pooling}")))


def duration(seconds: float) -> str:
    if seconds is None or math.isinf(seconds) or math.isnan(seconds):
        return "—"
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


MIN_WAIT_SHOWN_S = 5.0  # a queued job's estimated wait below this is noise (jobs overrunning the mean): not shown


def queue_wait(wait_s: float | None) -> str:
    """'Estimated wait 1:20.' for a queued job, or nothing when there is no estimate worth showing."""
    return t("queue.wait", time=duration(wait_s)) if wait_s is not None and wait_s >= MIN_WAIT_SHOWN_S else ""


def progress_line(progress: float, eta_s: float, rate: float, prefix: str = "") -> str:
    """'epoch 2/5 · 43% · ETA 0:12 · 820 sentences/s'."""
    parts = [prefix] if prefix else []
    parts += [f"{progress:.0%}", t("eta", eta=duration(eta_s)), t("rate", rate=f"{rate:,.0f}")]
    return " · ".join(parts)


CORPUS_TYPES = UPLOAD_EXTENSIONS  # what the corpus upload fields name (.xls is refused with how to convert it)


def file_uploader(label: str, types: Sequence[str], key: str, **kwargs):
    """st.file_uploader whose own texts follow the language toggle.

    Streamlit 1.67 has no parameter for the drop zone's texts ("Upload", "200MB per file • …", "Drag and drop
    a file here"; streamlit/streamlit#13500 asks for one), so a style scoped to this widget's key (Streamlit
    gives a keyed element the class `st-key-<key>`) hides them and writes ours with CSS `content`.
    `types` is the hint only: Streamlit's own refusal of another type is an English tooltip on a red chip that
    stays, so every file is accepted and core refuses a wrong one in a line of the user's language.
    """
    scope = f".st-key-{key} [data-testid='stFileUploaderDropzone']"
    limit = t("upload.limit", mb=st.get_option("server.maxUploadSize"), types=", ".join(x.upper() for x in types))
    replaced = [(f"{scope} button [data-testid='stMarkdownContainer'] p", t("upload.button")),
                (f"{scope} [data-testid='stFileUploaderDropzoneInstructions'] span", limit),
                # the overlay shown while a file is dragged over the drop zone
                (f"{scope} > div:not([data-testid]) > div:not([data-testid])", t("upload.drop"))]
    rules = "".join(f"{selector} {{font-size:0}} {selector}::after {{content:{json.dumps(text, ensure_ascii=False)};"
                    f" font-size:0.875rem}}" for selector, text in replaced)
    st.html(f"<style>{rules}</style>")
    return st.file_uploader(label, key=key, **kwargs)


def needs_model() -> None:
    """Notice on pages that need a trained model, with the way to get one."""
    st.info(t("needs_model"))
    left, right = st.columns(2)
    with left:
        st.page_link("pages/train.py", label=t("go_train"), icon=":material/model_training:")
    with right:
        st.page_link("pages/model.py", label=t("go_model_upload"), icon=":material/upload_file:")


def needs_data() -> None:
    st.warning(t("needs_data"))
    st.page_link("pages/data.py", label=t("go_data"), icon=":material/table:")


LONG_RUN = re.compile(r"\S{13,}")
ZERO_WIDTH_SPACE = "\u200b"


def breakable(text: str, every: int = 12) -> str:
    """Invisible break opportunities every `every` characters inside longer runs without a space (a file name, a
    nickname): a table column is at least as wide as its longest unbreakable run."""
    return LONG_RUN.sub(lambda run: ZERO_WIDTH_SPACE.join(run[0][i:i + every] for i in range(0, len(run[0]), every)),
                        text)


def text_table(frame: pd.DataFrame, floats: str = ".3f") -> None:
    """A small table whose cells wrap to the page's width. st.dataframe's grid keeps each column as wide as its
    longest cell and scrolls sideways with its scrollbar hidden until hovered: at 1000 px its last columns looked
    cut off. st.table reads Markdown in every cell and header, so each goes through plain(). Integers are written
    with thousands separators, floats with `floats`, a missing value as —."""

    def cell(value: object) -> str:
        if pd.api.types.is_scalar(value) and pd.isna(value):
            return "—"
        if isinstance(value, numbers.Integral):
            return f"{value:,}"
        if isinstance(value, numbers.Real):
            return plain(format(value, floats))  # a minus sign or a dot is Markdown punctuation too
        return plain(breakable(str(value)))

    st.table(pd.DataFrame({plain(c): [cell(v) for v in frame[c]] for c in frame.columns}), hide_index=True)


def show_error(error: Exception) -> None:
    """A core error's line in the session's language, as text (it may quote a file's name or a label); never a
    traceback."""
    st.error(plain(error_text(error)), icon=":material/error:")
