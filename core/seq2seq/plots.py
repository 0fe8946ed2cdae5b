"""Plotly figures for reply generation: the alignment matrix and loss/perplexity curves (pure functions)."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..plots import PALETTE, WEIGHT_SCALE, style, token_labels
from ..train import perplexity

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
    fig.update_xaxes(title=x_title, type="category", side="top", tickangle=-45 if len(x) > 4 else 0)
    fig.update_yaxes(title=y_title, type="category", autorange="reversed")
    height = 170 + 26 * len(y)
    return _style(fig, title, height=min(max(height, 300), 1200))


def loss_curves(steps: Sequence[Mapping], epochs: Sequence[Mapping], steps_per_epoch: float,
                titles: tuple[str, str] = ("loss", "perplexity"), names: tuple[str, str] = ("train", "validation"),
                x_title: str = "epoch", n_epochs: int | None = None) -> go.Figure:
    """Per-token loss and perplexity side by side: running training values per report, validation per epoch."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, horizontal_spacing=0.1)
    per_epoch = max(steps_per_epoch, 1e-9)
    step_x = [row["step"] / per_epoch for row in steps]
    epoch_x = [row["epoch"] for row in epochs]
    for col, transform in enumerate((float, perplexity), start=1):
        fig.add_trace(go.Scatter(x=step_x, y=[transform(row["train_loss"]) for row in steps], mode="lines",
                                 name=names[0], line=dict(color=PALETTE[0]), legendgroup="train",
                                 showlegend=col == 1, hovertemplate="%{y:.4f}<extra></extra>"), 1, col)
        fig.add_trace(go.Scatter(x=epoch_x, y=[transform(row["val_loss"]) for row in epochs], mode="lines+markers",
                                 name=names[1], line=dict(color=PALETTE[1]), marker=dict(size=9), legendgroup="val",
                                 showlegend=col == 1, hovertemplate="%{y:.4f}<extra></extra>"), 1, col)
    fig.update_xaxes(title=x_title, range=[0, n_epochs + 0.05] if n_epochs else None)
    fig.update_yaxes(type="log", col=2)  # perplexity falls by orders of magnitude in the first epoch
    return _style(fig, height=340)


def _escape(labels: list[str]) -> list[str]:
    """Plotly reads tags in labels: without escaping, the piece </s> would vanish as a closing tag."""
    return [label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for label in labels]


def _style(fig: go.Figure, title: str = "", height: int = 360) -> go.Figure:
    """The shared look, with a taller top margin for the rotated source pieces."""
    return style(fig, title, height, top=60, legend_y=1.08)
