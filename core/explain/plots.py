"""Plotly figures for the explanation page: aligned attribution rows, τ against the published range, deletion
curves. Pure functions of plain data; labels come from the caller in the user's language."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from core.plots import DIVERGING, FONT_FAMILY, MUTED, PALETTE, style, token_labels

RANDOM_COLOR = "#888888"
NOISE = 1e-6  # a row whose largest |value| is below this is noise, drawn pale rather than scaled up to full colour


def attribution_rows(units: Sequence[str], scores: Mapping[str, Sequence[float]], row_names: Mapping[str, str],
                     title: str = "") -> go.Figure:
    """One row per method over the same pieces (or words). Each row is scaled by its own largest |value|, so
    colours compare rankings, not units; the cell text and hover give the real value. Red supports the class."""
    methods = list(scores)
    values = np.array([np.asarray(scores[m], dtype=float) for m in methods])  # (M, T)
    scale = np.maximum(np.abs(values).max(axis=1, keepdims=True), NOISE) if values.size else 1.0
    labels = token_labels(units)
    fig = go.Figure(go.Heatmap(
        z=values / scale, x=labels, y=[row_names[m] for m in methods], customdata=values,
        text=[cell_texts(row) for row in values], texttemplate="%{text}",
        colorscale=DIVERGING, zmid=0, zmin=-1, zmax=1, xgap=2, ygap=2, showscale=False,
        hovertemplate="%{y}<br>%{x}: %{customdata:.4f}<extra></extra>"))
    fig.update_xaxes(type="category", tickangle=-45 if len(units) > 14 else 0, tickfont=dict(family=FONT_FAMILY, size=13))
    fig.update_yaxes(type="category", autorange="reversed")
    return style(fig, title, height=120 + 44 * len(methods) + (40 if len(units) > 14 else 0))


def cell_texts(row: Sequence[float]) -> list[str]:
    """A row's values with enough decimals for its largest to show two significant digits (gradient × input is
    often all below 0.05, and '0.00' on a dark cell read as a contradiction), and never '-0.00'."""
    row = np.asarray(row, dtype=float)
    top = float(np.abs(row).max()) if row.size else 0.0
    decimals = min(6, max(2, 1 - math.floor(math.log10(top)))) if top > 0 else 2
    return [f"{v if round(v, decimals) else 0.0:.{decimals}f}" for v in row]


def agreement_bars(pair_names: Sequence[str], taus: Sequence[float], ranges: Sequence[tuple[float, float] | None],
                   range_name: str = "published range", x_title: str = "Kendall τ", title: str = "") -> go.Figure:
    """One bar per pair of methods with its τ, and the published BiLSTM range as a grey band behind it."""
    y = list(pair_names)[::-1]
    taus, ranges = list(taus)[::-1], list(ranges)[::-1]
    fig = go.Figure()
    with_range = [(name, r) for name, r in zip(y, ranges) if r]
    fig.add_trace(go.Bar(x=[r[1] - r[0] for _, r in with_range], base=[r[0] for _, r in with_range],
                         y=[name for name, _ in with_range], orientation="h", name=range_name, width=0.8,
                         marker_color="rgba(157,180,206,0.35)", hovertemplate="%{base:.2f}–%{x:.2f}<extra></extra>"))
    shown = [0.0 if t != t else t for t in taus]  # NaN (constant row) drawn as 0, labelled "—"
    fig.add_trace(go.Bar(x=shown, y=y, orientation="h", name=x_title, width=0.4, marker_color=PALETTE[0],
                         text=["—" if t != t else f"{t:.2f}" for t in taus], textposition="outside", cliponaxis=False,
                         hovertemplate="%{y}: %{x:.3f}<extra></extra>"))
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title=x_title, range=[-1.05, 1.25], zeroline=True)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=y)  # the first pair on top
    return style(fig, title, height=90 + 42 * len(y))


def padded_range(numbers: Sequence[float], room: float = 0.3) -> list[float]:
    """An axis from 0 (or below, for negatives) to the largest value, with `room` of the span on each side that has
    bars, for the numbers written outside them."""
    low, high = min([0.0, *numbers]), max([0.0, *numbers])
    pad = room * ((high - low) or 1.0)
    return [low - pad if low < 0 else 0.0, high + pad]


def deletion_curves(curves: Mapping[str, Sequence[float]], names: Mapping[str, str], x_title: str = "pieces removed",
                    y_title: str = "p(predicted class)", title: str = "") -> go.Figure:
    """p(predicted class) against the number of pieces removed, one line per ranking (random dashed)."""
    fig = go.Figure()
    for index, (key, values) in enumerate(curves.items()):
        random = key == "random"
        fig.add_trace(go.Scatter(
            x=list(range(len(values))), y=list(values), mode="lines+markers", name=names[key],
            line=dict(color=RANDOM_COLOR if random else PALETTE[index % len(PALETTE)], dash="dash" if random else None),
            hovertemplate=f"{names[key]}<br>{x_title}: %{{x}}<br>{y_title}: %{{y:.3f}}<extra></extra>"))
    fig.update_xaxes(title=x_title, dtick=1 if max((len(v) for v in curves.values()), default=0) <= 20 else None)
    fig.update_yaxes(title=y_title, range=[0, 1.02])
    return style(fig, title, height=380)


def summary_bars(values: Mapping[str, float], names: Mapping[str, str], x_title: str = "", title: str = "",
                 highlight: str | None = None) -> go.Figure:
    """Model-level means per method (AOPC or τ), one horizontal bar each."""
    keys = list(values)[::-1]
    numbers = [values[k] for k in keys]
    fig = go.Figure(go.Bar(x=numbers, y=[names[k] for k in keys], orientation="h",
                           marker_color=[PALETTE[1] if k == highlight else MUTED for k in keys],
                           text=[f"{v:.3f}" for v in numbers], textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}: %{x:.4f}<extra></extra>"))
    fig.update_xaxes(title=x_title, range=padded_range(numbers))
    fig.update_yaxes(type="category")
    return style(fig, title, height=80 + 36 * len(keys))
