"""Predict: label typed sentences and show which BPE pieces the attention weighed, or a file of sentences as a table."""

import streamlit as st

from core import plots
from ui import state
from ui.batch import predict_from_file
from ui.i18n import EXAMPLES, class_name, labels_for, model_name, plain, t
from ui.widgets import needs_model, page_header, show_attention

MAX_SENTENCES = 50
SOURCES = ["typed", "file"]

page_header(__file__, "predict")
classifier = state.classifier()
if classifier is None:
    needs_model()
    st.stop()
if st.radio(t("predict.source"), SOURCES, format_func=labels_for("predict.source", SOURCES), key="w_predict_source",
            horizontal=True) == "file":
    predict_from_file(classifier)
    st.stop()


def use_example(sentence: str) -> None:
    state.set_widget("w_predict_text", sentence)


state.default("w_predict_text", EXAMPLES[0])
st.caption(t("predict.examples"))
example_cols = st.columns(3)
for i, example in enumerate(EXAMPLES):
    example_cols[i % 3].button(example, key=f"example_{i}", on_click=use_example, args=(example,),
                               width="stretch")

text = st.text_area(t("predict.input"), key="w_predict_text", height=140, help=t("predict.input_help"))
if st.button(t("predict.run"), type="primary", icon=":material/play_arrow:"):
    sentences = [line.strip() for line in text.splitlines() if line.strip()]
    if not sentences:
        st.warning(t("predict.empty"))
    else:
        if len(sentences) > MAX_SENTENCES:
            st.info(t("predict.capped", n=MAX_SENTENCES))
        state.predictions.set(classifier.predict(sentences[:MAX_SENTENCES]))

predictions = state.predictions.get() or []
if not predictions:
    st.stop()
pooling = classifier.model_config.pooling
show_chart = st.toggle(t("predict.chart_view"), key="w_predict_chart")
st.caption(t("predict.model", name=plain(model_name(state.model().source)), pooling=t(f"pooling.{pooling}")))
for i, prediction in enumerate(predictions):
    with st.container(border=True):
        label_col, chips_col = st.columns([2, 5])
        with label_col:
            confidence = prediction.probabilities[prediction.label]
            st.metric(t("predict.label"), plain(class_name(prediction.label)), f"{confidence:.1%}", delta_color="off",
                      delta_arrow="off")
            probabilities = {class_name(label): p for label, p in prediction.probabilities.items()}
            st.plotly_chart(plots.probability_bar(probabilities, class_name(prediction.label)), key=f"prob_{i}")
        with chips_col:
            st.markdown(f"**{i + 1}.** {t('predict.attention')}")
            show_attention(prediction, pooling, key=f"pred_{i}", chart=show_chart, tokenizer=classifier.tokenizer)
            st.caption(t("predict.hover"))
            if st.button(t("predict.explain"), key=f"explain_{i}", icon=":material/rule:"):
                state.set_widget("w_explain_text", prediction.text)
                state.explanation.set(None)
                st.switch_page("pages/explain.py")
