"""Plotly figure for reply generation: the alignment matrix (a pure function; curves are core.plots')."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.plots import WEIGHT_SCALE, style, token_labels

CELL_TEXT_LIMIT = (12, 24)  # write weights into the cells only up to this many source, target pieces


def alignment_heatmap(source_tokens: Sequence[str], target_tokens: Sequence[str], attention: Sequence[Sequence[float]],
                      title: str = "", x_title: str = "source", y_title: str = "generated",
                      colorbar_title: str = "α", cell_text: bool | None = None) -> go.Figure:
    """Rows = generated pieces (top to bottom), columns = source pieces; hover shows the exact weight α_tj.

    The colour scale runs from 0 to the largest weight, so a spread-out matrix is still readable.
    cell_text=None writes the weights into the cells only for small matrices."""
    z = np.asarray(attention, dtype=float).reshape(len(target_tokens), len(source_tokens))  # (T, S)
    x, y = _escape(token_labels(source_tokens)), _escape(token_labels(target_tokens))
    if cell_text is None:
        cell_text = len(x) <= CELL_TEXT_LIMIT[0] and len(y) <= CELL_TEXT_LIMIT[1]
    fig = go.Figure(go.Heatmap(
        z=z, x=x, y=y, colorscale=WEIGHT_SCALE, zmin=0, zmax=float(z.max()) if z.size else 1.0, xgap=1, ygap=1,
        texttemplate="%{z:.2f}" if cell_text else None, textfont=dict(size=10),
        hovertemplate=f"{y_title}: %{{y}}<br>{x_title}: %{{x}}<br>α = %{{z:.4f}}<extra></extra>",
        colorbar=dict(title=colorbar_title),
    ))
    # Every piece labelled (plotly's automatic ticks skip every other category once they crowd), in a smaller font
    # once there are many. At -45° the labels of the Reply page's narrow matrices ran into each other ("1. 시험을 2. 망"),
    # and plotly's automatic angles kept -45° there: upright, each label needs only its column's width.
    fig.update_xaxes(title=x_title, type="category", side="top", tickangle=-90 if len(x) > 4 else 0,
                     tickmode="array", tickvals=x, ticktext=x, tickfont=dict(size=_tick_size(len(x))))
    fig.update_yaxes(title=y_title, type="category", autorange="reversed", tickmode="array", tickvals=y, ticktext=y,
                     tickfont=dict(size=_tick_size(len(y))))
    height = 170 + 26 * len(y)
    return _style(fig, title, height=min(max(height, 300), 1200))


def _tick_size(count: int) -> int:
    """Axis label size for `count` pieces: 13 up to 20 of them, down to 9 at 50 or more."""
    return max(9, 13 - max(0, count - 20) // 8)


def _escape(labels: list[str]) -> list[str]:
    """Plotly reads tags in labels: without escaping, the piece </s> would vanish as a closing tag."""
    return [label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for label in labels]


def _style(fig: go.Figure, title: str = "", height: int = 360) -> go.Figure:
    """The shared look, with a taller top margin for the rotated source pieces."""
    return style(fig, title, height, top=60, legend_y=1.08)
