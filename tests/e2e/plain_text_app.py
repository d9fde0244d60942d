"""A page that shows every hostile value, escaped by `ui.plain`, in every element that renders
Markdown (run by tests/e2e/test_plain_text.py)."""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from platform_world import HOSTILE  # noqa: E402

from followaudit.ui.text import plain  # noqa: E402

for i, value in enumerate(HOSTILE):
    text = plain(value)
    with st.container(key=f"value_{i}", border=True):
        st.markdown(f"markdown {text}")
        st.caption(f"caption {text}")
        st.subheader(f"subheader {text}")
        st.info(f"alert {text}")
        st.page_link("https://example.com/", label=f"link {text}")
        st.button(f"button {text}", key=f"button_{i}")
        st.metric(f"metric {text}", f"value {text}")
        st.expander(f"expander {text}")
        st.radio("radio", [f"option {text}"], key=f"radio_{i}")
        st.checkbox(f"checkbox {text}", key=f"checkbox_{i}")
        st.status(f"status {text}", state="complete")
