"""Plotly figure builders for the app: pure functions of plain data, testable without a browser.

Every layout names a CJK-capable font so Hangul renders in the browser; axis titles come from the caller
(the app passes translated strings).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.corpus.tokenizer import SPACE_MARK, WORD_START, display_piece, is_word_start

FONT_FAMILY = "Noto Sans CJK KR, Noto Sans KR, Apple SD Gothic Neo, Malgun Gothic, sans-serif"
PALETTE = ["#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2", "#EECA3B", "#9D755D"]
ACCENT, MUTED, MUTED_DARK = "#E45756", "#9DB4CE", "#5A6270"
WEIGHT_SCALE = [[0.0, "#FFF7EC"], [0.5, "#FDAE61"], [1.0, "#B2182B"]]
DIVERGING = "RdBu_r"


def token_labels(pieces: Sequence[str]) -> list[str]:
    """Unique axis labels for pieces ("3. 화가"): a repeated piece must not merge into one category."""
    return [f"{i + 1}. {display_piece(p)}" for i, p in enumerate(pieces)]


def style(fig: go.Figure, title: str = "", height: int = 360, top: int = 20, legend_y: float = 1.02) -> go.Figure:
    """The look every figure shares: CJK font, white template, horizontal legend on top."""
    fig.update_layout(
        template="plotly_white", height=height, title=title or None,
        font=dict(family=FONT_FAMILY, size=13), hoverlabel=dict(font_family=FONT_FAMILY),
        margin=dict(l=10, r=10, t=top + 30 if title else top, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=legend_y, xanchor="left", x=0),
    )
    return fig


def _legend_below(fig: go.Figure) -> go.Figure:
    """Subplot titles sit where a top legend would; put the legend under the axes instead."""
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="center", x=0.5),
                      margin=dict(b=60, t=40))
    return fig


def class_distribution(label_counts: Mapping[str, int], title: str = "", y_title: str = "count") -> go.Figure:
    """Bar per class with its count and share."""
    names, counts = list(label_counts), list(label_counts.values())
    total = max(sum(counts), 1)
    text = [f"{n:,} ({n / total:.0%})" for n in counts]
    fig = go.Figure(go.Bar(x=names, y=counts, text=text, textposition="outside", marker_color=PALETTE[0],
                           hovertemplate="%{x}: %{y:,}<extra></extra>"))
    fig.update_yaxes(title=y_title, range=[0, max(counts, default=1) * 1.15])  # room for the labels
    fig.update_xaxes(type="category", tickangle=-45 if len(names) > 12 else 0)
    return style(fig, title, height=420 if len(names) > 12 else 340)


def length_histogram(lengths: Sequence[int], title: str = "", x_title: str = "length",
                     y_title: str = "sentences", median_label: str = "median") -> go.Figure:
    """Histogram of lengths with the median marked; one bin per length when the range is short."""
    lengths = list(lengths)
    span = (max(lengths) - min(lengths)) if lengths else 0
    bins = dict(start=min(lengths) - 0.5, end=max(lengths) + 0.5, size=1) if lengths and span <= 80 else None
    fig = go.Figure(go.Histogram(x=lengths, marker_color=PALETTE[0], xbins=bins, nbinsx=None if bins else 60,
                                 hovertemplate="%{x}: %{y:,}<extra></extra>"))
    if lengths:
        median = float(np.median(lengths))
        # the label sits above the plot area, over its line: inside, it covered the tallest bars (always near the median)
        fig.add_vline(x=median, line_dash="dash", line_color=ACCENT, annotation_text=f"{median_label} {median:g}",
                      annotation=dict(y=1, yanchor="bottom", xanchor="center", font_color=ACCENT))
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=y_title)
    return style(fig, title, height=340, top=40)


def piece_frequencies(pairs: Sequence[tuple[str, int]], title: str = "", x_title: str = "count") -> go.Figure:
    """Horizontal bars of the most frequent pieces; a word-start piece is shown with its ▁, a lone ▁ as ␣."""
    pieces = [p for p, _ in pairs][::-1]
    counts = [n for _, n in pairs][::-1]
    shown = [SPACE_MARK if p == WORD_START else p for p in pieces]
    fig = go.Figure(go.Bar(x=counts, y=[f"{p} " for p in shown], orientation="h", marker_color=PALETTE[1],
                           hovertemplate="%{y}: %{x:,}<extra></extra>"))
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(type="category")
    return style(fig, title, height=max(300, 18 * len(pieces) + 60))


def training_curves(steps: Sequence[Mapping], epochs: Sequence[Mapping], steps_per_epoch: float,
                    titles: tuple[str, str] = ("loss", "accuracy"), names: tuple[str, str] = ("train", "validation"),
                    x_title: str = "epoch", n_epochs: int | None = None, second: str = "accuracy",
                    reference: float | None = None, reference_name: str = "baseline") -> go.Figure:
    """Loss beside accuracy (or perplexity, for generation): running training values per report, validation
    per epoch. `reference` draws a dashed horizontal line on the second panel (the baseline's accuracy)."""
    from core.training.loop import (
        perplexity,  # here, not at the top: .train imports torch, which the Data page doesn't need
    )

    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, horizontal_spacing=0.1)
    per_epoch = max(steps_per_epoch, 1e-9)
    step_x = [row["step"] / per_epoch for row in steps]
    epoch_x = [row["epoch"] for row in epochs]
    panels = [("train_loss", "val_loss", float)]
    panels.append(("train_loss", "val_loss", perplexity) if second == "perplexity" else ("train_acc", "val_acc", float))
    for col, (train_key, val_key, transform) in enumerate(panels, start=1):
        fig.add_trace(go.Scatter(x=step_x, y=[transform(row[train_key]) for row in steps], mode="lines+markers",
                                 name=names[0], line=dict(color=PALETTE[0]), marker=dict(size=4), legendgroup="train",
                                 showlegend=col == 1, hovertemplate="%{y:.4f}<extra></extra>"), 1, col)
        fig.add_trace(go.Scatter(x=epoch_x, y=[transform(row[val_key]) for row in epochs], mode="lines+markers",
                                 name=names[1], line=dict(color=PALETTE[1]), marker=dict(size=9), legendgroup="val",
                                 showlegend=col == 1, hovertemplate="%{y:.4f}<extra></extra>"), 1, col)
    if reference is not None:
        fig.add_trace(go.Scatter(x=[0, n_epochs or max(epoch_x, default=1)], y=[reference, reference], mode="lines",
                                 name=reference_name, line=dict(color=MUTED_DARK, dash="dash"),
                                 hovertemplate=f"{reference_name}: %{{y:.4f}}<extra></extra>"), 1, 2)
    fig.update_xaxes(title=x_title, range=[0, n_epochs + 0.05] if n_epochs else None)
    if second == "perplexity":
        fig.update_yaxes(type="log", col=2)  # perplexity falls by orders of magnitude in the first epoch
    else:
        fig.update_yaxes(range=[0, 1.02], col=2)
    return _legend_below(style(fig, height=360))


def runs_overlay(runs: Sequence[tuple[str, Sequence[Mapping]]], titles: tuple[str, str] = ("validation accuracy",
                 "validation loss"), x_title: str = "epoch", stopped: Collection[str] = ()) -> go.Figure:
    """Validation accuracy and loss per epoch for several runs, one colour per run; the `stopped` ones dashed.

    Two runs with the same settings and seed share their first epochs exactly: each run is drawn wider than the
    next, so a later run (a stopped one above all) never hides an earlier one's line."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, horizontal_spacing=0.1)
    for index, (name, epochs) in enumerate(runs):
        color = PALETTE[index % len(PALETTE)]
        later = len(runs) - 1 - index  # runs drawn after (above) this one
        line = dict(color=color, width=2 + 1.5 * min(later, 3), dash="dash" if name in stopped else "solid")
        x = [row["epoch"] for row in epochs]
        for col, key in enumerate(("val_acc", "val_loss"), start=1):
            fig.add_trace(go.Scatter(x=x, y=[row[key] for row in epochs], mode="lines+markers", name=name, line=line,
                                     marker=dict(size=6 + 2 * min(later, 3)), legendgroup=name, showlegend=col == 1),
                          1, col)
    fig.update_xaxes(title=x_title, dtick=1)
    return _legend_below(style(fig, height=380))


def probability_bar(probabilities: Mapping[str, float], predicted: str | None = None, title: str = "") -> go.Figure:
    """One horizontal bar per class; the predicted class is highlighted."""
    names = list(probabilities)[::-1]
    values = [probabilities[n] for n in names]
    colors = [ACCENT if n == predicted else MUTED for n in names]
    fig = go.Figure(go.Bar(x=values, y=names, orientation="h", marker_color=colors,
                           text=[f"{v:.1%}" for v in values], textposition="auto",  # inside a long bar: never cut off
                           hovertemplate="%{y}: %{x:.4f}<extra></extra>"))
    fig.update_xaxes(range=[0, 1.35], tickformat=".0%")
    fig.update_yaxes(type="category")
    return style(fig, title, height=max(160, 28 * len(names) + 50))


def confusion_matrix(matrix: Sequence[Sequence[int]], label_names: Sequence[str], x_title: str = "predicted",
                     y_title: str = "true", title: str = "") -> go.Figure:
    """Row-normalised heatmap (colour = share of the true class) annotated with counts and shares."""
    counts = np.asarray(matrix, dtype=float)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    names = [str(n) for n in label_names]
    many = len(names) > 12
    text = [[f"{int(c)}<br>{s:.0%}" for c, s in zip(row_c, row_s)] for row_c, row_s in zip(counts, shares)]
    fig = go.Figure(go.Heatmap(
        z=shares, x=names, y=names, colorscale="Blues", zmin=0, zmax=1, customdata=counts,
        text=None if many else text, texttemplate=None if many else "%{text}",
        hovertemplate=f"{y_title}: %{{y}}<br>{x_title}: %{{x}}<br>%{{customdata:,}} (%{{z:.1%}})<extra></extra>",
        colorbar=dict(tickformat=".0%"),
    ))
    # Class names glossed in English ("당황 (embarrassment)") overlap side by side at 1000 px: the browser turns
    # them only as far as the width needs (plotly's autotickangles).
    fig.update_xaxes(title=x_title, type="category", side="bottom", tickangle=-45 if many else None,
                     autotickangles=[0, -30, -45, -90])
    fig.update_yaxes(title=y_title, type="category", autorange="reversed")
    size = 260 + (18 if many else 60) * len(names)
    return style(fig, title, height=min(size, 1400))


def attention_heatmap(tokens: Sequence[str], weights: Sequence[float], per_row: int = 10,
                      title: str = "", colorbar_title: str = "weight") -> go.Figure:
    """The pieces laid out in rows of `per_row` cells, coloured by weight; hover shows the exact weight."""
    per_row = max(1, min(per_row, len(tokens)))  # a short sentence fills the width with wider cells
    rows = max(1, math.ceil(len(tokens) / per_row))
    z = np.full((rows, per_row), np.nan)
    text = [[""] * per_row for _ in range(rows)]
    for i, (piece, weight) in enumerate(zip(tokens, weights)):
        r, c = divmod(i, per_row)
        z[r, c] = weight
        text[r][c] = ("·" if is_word_start(piece) and piece != WORD_START else "") + display_piece(piece)
    top = float(np.nanmax(z)) if len(tokens) else 1.0
    fig = go.Figure(go.Heatmap(
        z=z, text=text, texttemplate="%{text}", textfont=dict(family=FONT_FAMILY, size=15),
        colorscale=WEIGHT_SCALE, zmin=0, zmax=max(top, 1e-9), xgap=3, ygap=3,
        hovertemplate="%{text}: %{z:.4f}<extra></extra>", colorbar=dict(title=colorbar_title),
    ))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed")
    return style(fig, title, height=70 + 48 * rows)


def layer_flow(stages: Sequence[tuple[str, str]], per_row: int = 5) -> go.Figure:
    """Boxes naming each stage and its tensor shape, left to right in rows of `per_row`, joined by arrows."""
    fig = go.Figure()
    rows = max(1, math.ceil(len(stages) / per_row))
    for i, (name, shape) in enumerate(stages):
        row, col = divmod(i, per_row)
        y = rows - row - 1  # first row on top
        fig.add_shape(type="rect", x0=col + 0.08, x1=col + 0.92, y0=y + 0.12, y1=y + 0.88,
                      line=dict(color=PALETTE[0]), fillcolor="#EAF1F8", layer="below")
        fig.add_annotation(x=col + 0.5, y=y + 0.64, text=f"<b>{name}</b>", showarrow=False)
        fig.add_annotation(x=col + 0.5, y=y + 0.34, text=shape, showarrow=False, font=dict(family="monospace", size=13))
        if col:
            fig.add_annotation(x=col + 0.08, y=y + 0.5, ax=col - 0.08, ay=y + 0.5, xref="x", yref="y", axref="x",
                               ayref="y", showarrow=True, arrowhead=2, text="")
        elif row:
            fig.add_annotation(x=0.04, y=y + 0.5, text="↳", showarrow=False, font=dict(size=18, color=PALETTE[0]))
    fig.update_xaxes(visible=False, range=[0, per_row], fixedrange=True)
    fig.update_yaxes(visible=False, range=[0, rows], fixedrange=True)
    return style(fig, height=40 + 100 * rows)


def matrix_heatmap(values: np.ndarray, row_labels: Sequence[str], title: str = "", x_title: str = "",
                   dim_label: str = "dim") -> go.Figure:
    """Rows = tokens, columns = vector dimensions; a diverging scale centred on zero."""
    values = np.asarray(values, dtype=float)
    limit = float(np.abs(values).max()) if values.size else 1.0
    labels = token_labels(row_labels)
    fig = go.Figure(go.Heatmap(
        z=values, y=labels, colorscale=DIVERGING, zmid=0, zmin=-limit, zmax=limit,
        hovertemplate=f"%{{y}}<br>{dim_label} %{{x}}: %{{z:.4f}}<extra></extra>",
    ))
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(type="category", autorange="reversed")
    return style(fig, title, height=min(900, 120 + 22 * len(labels)))


def vector_bar(values: Sequence[float], labels: Sequence[str], title: str = "", highlight: int | None = None,
               value_format: str = ".4f") -> go.Figure:
    """One bar per entry (pieces, dimensions or classes), with exact values on hover."""
    colors = [ACCENT if i == highlight else PALETTE[0] for i in range(len(values))]
    fig = go.Figure(go.Bar(x=[str(x) for x in labels], y=list(values), marker_color=colors,
                           hovertemplate=f"%{{x}}: %{{y:{value_format}}}<extra></extra>"))
    fig.update_xaxes(type="category", tickangle=-45 if len(labels) > 16 else 0)
    return style(fig, title, height=300)


def learning_curve(train_rows: Sequence[int], model: Sequence[float], baseline: Sequence[float | None],
                   names: tuple[str, str] = ("model", "baseline"), x_title: str = "training sentences",
                   y_title: str = "validation accuracy", title: str = "", log_x: bool = True) -> go.Figure:
    """Accuracy against training size, one line for the model and one for the baseline (log x: the sizes double)."""
    fig = go.Figure()
    for values, name, color, dash in ((model, names[0], PALETTE[0], "solid"), (baseline, names[1], MUTED_DARK, "dash")):
        fig.add_trace(go.Scatter(x=list(train_rows), y=[math.nan if v is None else v for v in values], name=name,
                                 mode="lines+markers", line=dict(color=color, dash=dash),
                                 hovertemplate="%{x:,}: %{y:.3f}<extra>" + name + "</extra>"))
    fig.update_xaxes(title=x_title, type="log" if log_x else "linear", tickvals=list(train_rows), tickformat=",")
    fig.update_yaxes(title=y_title, tickformat=".0%")
    return style(fig, title, height=340)
