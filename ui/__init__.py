"""Streamlit helpers shared by the pages: strings, session state, render helpers, the training poller."""
