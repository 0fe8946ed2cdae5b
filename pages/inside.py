"""Inside the model: one sentence through every layer, with the real tensor shapes and numbers."""

import streamlit as st

from core import plots
from core.classifier.walkthrough import walk_through
from ui import state
from ui.i18n import EXAMPLES, class_name, class_names, plain, t
from ui.widgets import attention_chips_html, needs_model, page_header, piece_chips_html, pooling_note

FORMULAS = [
    r"u_t = \tanh\left(W_{att}\, h_t + b_{att}\right)",
    r"a_t = \frac{\exp\left(W_c\, u_t\right)}{\sum_{k=1}^{T} \exp\left(W_c\, u_k\right)}",
    r"c = \sum_{t=1}^{T} a_t\, h_t",
]

page_header(__file__, "inside")
active = state.model()
if active is None:
    needs_model()
    st.stop()
classifier = active.classifier

state.default("w_inside_text", EXAMPLES[1])
text = st.text_area(t("inside.input"), key="w_inside_text", height=80)
if st.button(t("inside.run"), type="primary", icon=":material/play_arrow:") and text.strip():
    state.walkthrough.set(walk_through(classifier, text.strip()))
if state.walkthrough.get() is None:
    state.walkthrough.set(walk_through(classifier, text.strip() or EXAMPLES[1]))
walk = state.walkthrough.get()
pieces = walk.pieces
config = classifier.model_config


def shape(stage: str) -> str:
    return "(" + ", ".join(str(n) for n in walk.shape(stage)) + ")"


st.subheader(t("inside.flow"))
flow = [(t("inside.short.ids"), f"(1, {len(walk.ids)})")] + [(t(f"inside.short.{s}"), shape(s)) for s in walk.stages]
st.plotly_chart(plots.layer_flow(flow))
st.caption(t("inside.dims", T=len(pieces), E=config.emb_dim, H=config.hidden_dim, H2=2 * config.hidden_dim,
             A=config.attention_dim, F=config.fc_dim, C=len(walk.label_names)))

st.subheader(t("inside.formulas"))
for formula in FORMULAS:
    st.latex(formula)
pooling_note(walk.pooling)

st.subheader(t("inside.stage.tokens") + f" — {len(pieces)}")
st.html(piece_chips_html(pieces))
st.caption(t("inside.ids", ids=", ".join(str(i) for i in walk.ids)))

labels = plots.token_labels(pieces)
tensors = walk.tensors


def section(stage: str) -> None:
    """One stage: its name, its real shape, what it means, and its numbers."""
    if stage not in tensors:
        return
    st.subheader(f"{t(f'inside.stage.{stage}')}  `{shape(stage)}`")
    st.caption(t(f"inside.about.{stage}"))
    values = tensors[stage][0]
    if stage in ("embedding", "states", "u"):
        figure = plots.matrix_heatmap(values, pieces, x_title=t("inside.dimension"),
                                      dim_label=t("inside.dimension"))
        st.plotly_chart(figure, key=f"stage_{stage}")
    elif stage in ("scores", "weights"):
        st.plotly_chart(plots.vector_bar(values, labels), key=f"stage_{stage}")
        if stage == "weights":
            st.html(attention_chips_html(pieces, values.tolist()))
            st.caption(t("inside.sum", total=f"{float(values.sum()):.4f}"))
    elif stage in ("context", "hidden"):
        st.plotly_chart(plots.vector_bar(values, list(range(len(values)))), key=f"stage_{stage}")
    else:
        top = int(values.argmax())
        fmt = ".1%" if stage == "probabilities" else ".3f"
        st.plotly_chart(plots.vector_bar(values, class_names(walk.label_names), highlight=top, value_format=fmt),
                        key=f"stage_{stage}")


for stage in walk.stages:
    section(stage)
st.success(t("inside.result", label=plain(class_name(walk.label)), p=f"{float(tensors['probabilities'][0].max()):.1%}"))
