"""The language switch changes the whole page: with 中文 chosen, every page's own words (titles,
captions, labels, buttons, tabs, findings) read as Chinese, measured like the answers
(`chinese_share`: Chinese characters against Latin words, outside code)."""
from __future__ import annotations

import pytest

pytest.importorskip("streamlit")

from test_ui_app import app, home  # noqa: E402,F401  (the app fixture's home)

from ingest.tokenize import chinese_share  # noqa: E402

PAGES = [None, "ask", "knowledge", "rules", "settings"]
MIN_SHARE = 0.6


def page_words(at) -> str:
    """What a reader sees of a page, code blocks aside."""
    parts = [x.value for x in [*at.title, *at.subheader, *at.markdown, *at.caption, *at.warning, *at.info,
                               *at.success, *at.error]]
    for kind in ("text_input", "text_area", "selectbox", "button", "toggle", "radio", "multiselect",
                 "number_input", "expander", "tabs"):
        parts += [str(getattr(w, "label", "") or "") for w in at.get(kind)]
    return "\n".join(p for p in parts if p)


@pytest.mark.parametrize("page", PAGES, ids=[p or "diagnose" for p in PAGES])
def test_every_page_reads_chinese(home, page):  # noqa: F811
    at = app(page, lang="zh")
    if page is None:
        at.button(key="btn_example").click().run()      # the findings too
    words = page_words(at)
    assert chinese_share(words) >= MIN_SHARE, f"{page or 'diagnose'}: {chinese_share(words):.0%} Chinese\n{words}"
