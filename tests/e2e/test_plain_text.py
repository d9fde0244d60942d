"""`ui.plain` in a real browser: every hostile value shows as exactly its text in every element
that renders Markdown: no image, link, HTML, math, code, icon or colour, and no request."""

from __future__ import annotations

import pytest
from app_tab import AppTab
from conftest import RUN_TIMEOUT_S, streamlit_server
from platform_world import HOSTILE
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
ELEMENTS = {  # data-testid -> the words the app puts before the value
    "stMarkdown": ["markdown", "caption"],
    "stHeading": ["subheader"],
    "stAlert": ["alert"],
    "stPageLink": ["link"],
    "stButton": ["button"],
    "stMetric": ["metric", "value"],
    "stExpander": ["expander", "status"],
    "stRadio": ["option"],
    "stCheckbox": ["checkbox"],
}
# Markup a value could turn into (a heading's own `#anchor` link is Streamlit's, not the value's).
MARKUP = (
    "img, a[href]:not([href^='#']):not([href='https://example.com/']), .katex, code, strong, "
    "em, del, b, h1, [data-testid='stIconMaterial'], [data-testid='stIconEmoji'], span[style]"
)
# For each element: its text (zero-width spaces removed) and the markup found inside its
# Markdown, one list per hostile value.
SHOWN = """([ids, markup]) => ids.map(i => {
    const box = document.querySelector(`.st-key-value_${i}`);
    const out = {};
    for (const el of box.querySelectorAll('[data-testid]')) {
        const id = el.getAttribute('data-testid');
        const md = [...el.querySelectorAll("[data-testid='stMarkdownContainer']")];
        (out[id] = out[id] || []).push({
            text: el.innerText.replaceAll('\\u200b', ''),
            markup: md.flatMap(m => [...m.querySelectorAll(markup)].map(e => e.outerHTML)),
        });
    }
    return out;
})"""


@pytest.fixture(scope="module")
def plain_url(tmp_path_factory):
    log = tmp_path_factory.mktemp("plain_server") / "streamlit.log"
    workspaces = tmp_path_factory.mktemp("plain_workspaces")
    with streamlit_server("tests/e2e/plain_text_app.py", workspaces, {}, log) as url:
        yield url


def test_hostile_values_show_as_their_text_in_every_element(page, plain_url):
    """Each element shows `<word> <value>` literally, and nothing inside it is markup."""
    AppTab(page, plain_url, RUN_TIMEOUT_S, None).open()
    expect(page.locator(f".st-key-value_{len(HOSTILE) - 1}")).to_be_visible()
    shown = page.evaluate(SHOWN, [list(range(len(HOSTILE))), MARKUP])
    problems = []
    for value, elements in zip(HOSTILE, shown, strict=True):
        for testid, words in ELEMENTS.items():
            found = elements.get(testid, [])
            problems += [
                f"{testid} does not show {word} {value!r}"
                for word in words
                if not any(f"{word} {value}" in e["text"] for e in found)
            ]
            problems += [f"{testid} renders {m} for {value!r}" for e in found for m in e["markup"]]
    assert problems == []
