"""Train: hyper-parameters, Start/Stop, live curves from the background job, and the session's run history."""

import pandas as pd
import streamlit as st

from core import plots
from core.config import POOLINGS, SCHEDULES
from core.errors import TrainingBusyError
from ui import settings, state
from ui.curve import section as curve_section
from ui.i18n import labels_for, model_name, t
from ui.training import JOB_KEY, JOB_NAME, finish_training, live_job, render_training, start_training, weights_kept
from ui.widgets import duration, needs_data, page_header

page_header(__file__, "train")
dataset = state.dataset()
if dataset is None:
    needs_data()
    st.stop()
settings.ensure_defaults()


def settings_form() -> None:
    st.segmented_control(t("train.pooling"), POOLINGS, format_func=labels_for("pooling", POOLINGS), key="w_pooling",
                         required=True, help=t("train.pooling_help"))
    a, b, c, d, e = st.columns(5)
    a.selectbox(t("train.emb"), settings.with_default([16, 32, 64, 128, 256], "w_emb"), key="w_emb")
    b.selectbox(t("train.hidden"), settings.with_default([16, 32, 64, 128, 256], "w_hidden"), key="w_hidden",
                help=t("train.hidden_help"))
    c.selectbox(t("train.layers"), [1, 2, 3], key="w_layers")
    d.slider(t("train.dropout"), 0.0, 0.7, step=0.05, key="w_dropout")
    e.select_slider(t("train.lr"), settings.with_default([3e-4, 1e-3, 3e-3, 1e-2], "w_lr"), key="w_lr",
                    format_func=lambda x: f"{x:g}")
    a, b, c, d, e = st.columns(5)
    a.selectbox(t("train.batch"), settings.with_default([16, 32, 64, 128, 256], "w_batch"), key="w_batch")
    b.number_input(t("train.epochs"), 1, 50, key="w_epochs")
    c.number_input(t("train.patience"), 0, 20, key="w_patience", help=t("train.patience_help", k=settings.TRAIN.average_epochs))
    d.number_input(t("train.seed"), 0, 2**31 - 1, key="w_seed")
    e.slider(t("train.val_share"), 0.05, 0.5, step=0.05, key="w_val_share")
    st.segmented_control(t("train.schedule"), SCHEDULES, format_func=labels_for("schedule", SCHEDULES),
                         key="w_schedule", required=True, help=t("train.schedule_help"))


def start(sweep: bool) -> None:
    """Button callback: runs before the page, so the sidebar already shows the training."""
    model_config = settings.model_config()
    poolings = list(POOLINGS) if sweep else [model_config.pooling]
    try:
        start_training(dataset, model_config, settings.train_config(), poolings, state.tokenizer(),
                       settings.tokenizer_config())
    except TrainingBusyError:
        state.train_busy.set(True)


settings_form()
tokenizer = state.tokenizer()
vocab = settings.tokenizer_config().vocab_size
st.caption(t("train.uses_tokenizer", vocab=f"{tokenizer.vocab_size:,}") if tokenizer
           else t("train.trains_tokenizer_auto") if vocab == "auto" else t("train.trains_tokenizer", vocab=f"{vocab:,}"))
start_col, sweep_col, _ = st.columns([1, 2, 3])
start_col.button(t("train.start"), type="primary", icon=":material/play_arrow:", on_click=start, args=(False,))
sweep_col.button(t("train.sweep"), icon=":material/compare_arrows:", help=t("train.sweep_help"), on_click=start,
                 args=(True,))
if state.train_busy.get():
    st.error(t("train.busy"), icon=":material/block:")
    state.train_busy.set(False)

live_job(JOB_KEY, render_training, finish_training, JOB_NAME)
curve_section(dataset)  # how much data does it need? (a learning curve, run as its own job)

runs = state.runs()
st.divider()
st.subheader(t("train.history"))
if not runs:
    st.caption(t("train.no_runs"))
    st.stop()
table = pd.DataFrame([{
    t("train.run"): model_name(r.name), t("train.emb"): r.settings["model"]["emb_dim"],
    t("train.hidden"): r.settings["model"]["hidden_dim"], t("train.layers"): r.settings["model"]["num_layers"],
    t("train.lr"): r.settings["train"]["lr"], t("train.batch"): r.settings["train"]["batch_size"],
    t("train.epochs"): len(r.epochs), t("train.best_acc"): r.metrics.get("val_accuracy"),
    t("train.kept"): weights_kept(r.metrics, len(r.epochs)),
    t("train.task"): t(f"task.{r.settings['data']['task']}"), t("train.time"): duration(r.elapsed_s),
    t("train.status"): t("status.stopped" if r.stopped else "status.done"),
} for r in runs])
st.dataframe(table, hide_index=True, column_config={t("train.best_acc"): st.column_config.NumberColumn(format="%.3f")})

names = [r.name for r in runs]
chosen = st.multiselect(t("train.compare"), names, default=names[-3:], help=t("train.compare_help"),
                        format_func=model_name)
if chosen:
    picked = [r for r in runs if r.name in chosen]
    st.plotly_chart(plots.runs_overlay([(model_name(r.name), r.epochs) for r in picked],
                                       titles=(t("train.val_acc"), t("train.val_loss")), x_title=t("epoch"),
                                       stopped={model_name(r.name) for r in picked if r.stopped}))

active = state.model()
pick_col, use_col = st.columns([3, 1], vertical_alignment="bottom")
index = names.index(active.source) if active and active.source in names else len(names) - 1
pick = pick_col.selectbox(t("train.active"), names, index=index, format_func=model_name)
use_col.button(t("train.use"), icon=":material/check_circle:", on_click=state.use_run, args=(runs[names.index(pick)],))
