"""Teacher's view: the class live (who runs what, how far, best validation accuracy so far) and the board's entries,
each deletable, behind the admin password (ATTENTION_LAB_ADMIN_PASSWORD)."""

import streamlit as st

from core.storage import board
from ui import teacher
from ui.i18n import t
from ui.widgets import page_header

page_header(__file__, "teacher")
if not board.clearing_enabled():
    st.info(t("teacher.off"), icon=":material/lock:")
elif not teacher.unlocked():
    teacher.password_form()
else:
    teacher.live_view()
