"""Attention Lab core: data, tokenizer, model, training (no Streamlit)."""

__version__ = "0.1.0"
