"""Model: download the active model as a bundle, or upload a bundle to keep predicting and evaluating."""

import streamlit as st

from core import plots
from core.classifier.task import load_classifier
from core.config import to_dict
from core.errors import AttentionLabError
from ui import state
from ui.i18n import class_names, model_name, plain, t
from ui.widgets import file_uploader, page_header, show_error

page_header(__file__, "model")
st.warning(t("model.refresh"), icon=":material/warning:")
summary = st.container()  # filled below, after a new upload has been read

st.subheader(t("model.load"))
upload = file_uploader(t("model.upload"), ["zip"], key="model_upload", help=t("model.upload_help"))
if upload is not None and state.is_new_upload("model", upload.file_id):
    with st.spinner(t("model.loading", name=plain(upload.name))):
        try:
            state.set_model(state.ActiveModel(load_classifier(upload.getvalue(), upload.name), upload.name))
            st.rerun()  # the sidebar and the other pages use it now
        except AttentionLabError as error:
            show_error(error)


def show_model(active: state.ActiveModel) -> None:
    classifier = active.classifier
    config = classifier.model_config
    st.subheader(t("model.active", name=plain(model_name(active.source))))
    cells = st.columns(4)
    cells[0].metric(t("train.pooling"), t(f"pooling.{config.pooling}"))
    cells[1].metric(t("train.task"), t(f"task.{classifier.data_config.task}"))
    accuracy = classifier.metrics.get("val_accuracy")
    cells[2].metric(t("train.best_acc"), f"{accuracy:.3f}" if accuracy is not None else "—")
    cells[3].metric(t("model.parameters"), f"{sum(p.numel() for p in classifier.model.parameters()):,}")
    st.caption(t("model.labels", labels=", ".join(map(plain, class_names(classifier.label_names)))))

    file_name = f"attention-lab-{classifier.data_config.task}-{config.pooling}.zip"
    st.download_button(t("model.download"), classifier.to_bytes, file_name=file_name, mime="application/zip",
                       type="primary", icon=":material/download:", on_click="ignore")
    st.caption(t("model.download_note"))

    epochs = classifier.history.get("epochs") or []
    if epochs:
        st.plotly_chart(plots.runs_overlay([(model_name(active.source), epochs)],
                                           titles=(t("train.val_acc"), t("train.val_loss")),
                                           x_title=t("epoch")))
    with st.expander(t("model.settings")):
        st.json({"model": to_dict(config), "train": to_dict(classifier.train_config),
                 "data": to_dict(classifier.data_config), "tokenizer": to_dict(classifier.tokenizer.config)})


with summary:
    if state.model() is None:
        st.info(t("model.none"))
        st.page_link("pages/train.py", label=t("go_train"), icon=":material/model_training:")
    else:
        show_model(state.model())
