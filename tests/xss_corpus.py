"""An XSS corpus by kind, and a judge that says whether Markdown or text holds live HTML.

The judge renders Markdown the most permissive way a wiki might: CommonMark with GFM tables,
raw HTML passed through and no link validation (markdown-it-py's own javascript: filter is off,
so a defence must hold without it, as it must without Streamlit's). The rendered HTML is then
parsed: a tag a Markdown renderer does not make, an event handler or style attribute, or a link
or source to a scheme other than http(s)/mailto counts as live. Each payload records whether it
is live when rendered as is, so the corpus is known to bite.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

IMG = "<img src=x onerror=alert(1)>"

# kind -> [(payload, live when rendered unescaped)]
CORPUS: dict[str, list[tuple[str, bool]]] = {
    "tags": [
        (IMG, True),
        ("<script>alert(1)</script>", True),
        ("<svg onload=alert(1)>", True),
        ('<iframe src="javascript:alert(1)"></iframe>', True),
        ("<details open ontoggle=alert(1)>", True),
        ("<div>\n<img src=x onerror=alert(1)>\n</div>", True),
        ("<!-- x --><img src=x onerror=alert(1)>", True),
        ("</p><script>alert(1)</script>", True),
        ("<IMG SRC=x OnErRoR=alert(1)>", True),
        ("<style>@import 'https://evil.example/x.css';</style>", True),
    ],
    "attributes": [
        ('"><img src=x onerror=alert(1)>', True),
        ('<a href="https://ok.example" onclick="alert(1)">x</a>', True),
        ('<p style="background:url(javascript:alert(1))">x</p>', True),
        ("<input autofocus onfocus=alert(1)>", True),
        ("<body onload=alert(1)>", True),
        ('<form><button formaction="javascript:alert(1)">x</button></form>', True),
        ("<a href=javascript:alert(1)>x</a>", True),
        ("<video><source onerror=alert(1)></video>", True),
    ],
    "javascript links": [
        ("[click](javascript:alert(1))", True),
        ("[click]( javascript:alert(1))", True),
        ("[click](javascript:alert(1) 'title')", True),
        ("[click](<javascript:alert(1)>)", True),
        ("<javascript:alert(1)>", True),
        ("[click](JaVaScRiPt:alert(1))", True),
        ("[click](vbscript:msgbox(1))", True),
        ("[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", True),
        ("[click](javascript:alert(1) (title))", True),
    ],
    "markdown link/image tricks": [
        ("![x](https://evil.example/track.png)", True),
        ("![a [b] c](https://evil.example/t.png)", True),
        ("[x][r]\n\n[r]: javascript:alert(1)", True),
        ("> [r]: javascript:alert(1)\n\n[x][r]", True),
        ("- [r]: javascript:alert(1)\n\n[r]", True),
        ("[![i](https://evil.example/i.png)](https://ok.example)", True),
        ("[a [b]](javascript:alert(1))", True),
        ("![x][r]\n\n[r]: https://evil.example/i.png", True),
        ("[x]\n\n[x]:\njavascript:alert(1)", True),
    ],
    "entity tricks": [
        ("[x](&#106;avascript:alert(1))", True),
        ("[x](&#x6A;avascript&#58;alert(1))", True),
        ("[x](javascript&colon;alert(1))", True),
        ('<a href="&#106;avascript:alert(1)">x</a>', True),
        ("<img src=x onerror=&#97;lert(1)>", True),
        ("[x](javascript&#x3A;alert(1))", True),
        ("&lt;img src=x onerror=alert(1)&gt;", False),
        ("&#60;script&#62;alert(1)&#60;/script&#62;", False),
    ],
    "code and fence breakouts": [
        ("\\`[x](javascript:alert(1))\\`", True),
        ("`a\n\n<img src=x onerror=alert(1)>\n\n`", True),
        ("```\nx\r```\r<img src=x onerror=alert(1)>\n```", True),
        ("- x\n\n  ```\n<img src=x onerror=alert(1)>\n  ```", True),
        ("| h | h | h |\n|---|---|---|\n| `a | <img src=x onerror=alert(1)> | b` |", True),
        ("\\\\<img src=x onerror=alert(1)>", True),
        (" ```\n<img src=x onerror=alert(1)>\n```", False),       # closes an export's ```diff fence
        ("x` <img src=x onerror=alert(1)> `", False),              # closes an export's code span
    ],
}

MARKDOWN_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "ul", "ol", "li",
                 "blockquote", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "a", "s", "del"}
SAFE_SCHEMES = {"http", "https", "mailto"}


def payloads() -> list[tuple[str, str, bool]]:
    return [(kind, p, live) for kind, items in CORPUS.items() for p, live in items]


class _Judge(HTMLParser):
    def __init__(self, own_anchors: bool):
        super().__init__(convert_charrefs=True)
        self.own_anchors = own_anchors
        self.live: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in MARKDOWN_TAGS:
            self.live.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name in ("srcdoc", "formaction", "action", "background", "src"):
                self.live.append(f"<{tag} {name}>")
            elif name == "style" and not (tag in ("th", "td") and re.fullmatch(r"text-align:\w+", value)):
                self.live.append(f"<{tag} style>")
            elif name == "href" and bad_url(value):
                self.live.append(f"<{tag} href={value[:40]}>")
            elif name == "id" and not (tag == "a" and self.own_anchors and value.startswith("ref-")):
                self.live.append(f"<{tag} id>")
            elif name not in ("href", "title", "id", "style", "start", "class"):
                self.live.append(f"<{tag} {name}>")

    handle_startendtag = handle_starttag


def bad_url(url: str) -> bool:
    """A link a browser would run or load from a scheme other than http(s)/mailto."""
    cleaned = re.sub(r"[\x00-\x20]", "", url).lower()
    m = re.match(r"^([a-z][a-z0-9+.\-]*):", cleaned)
    return bool(m) and m.group(1) not in SAFE_SCHEMES


def renderer():
    from markdown_it import MarkdownIt
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.validateLink = lambda url: True          # no second line of defence
    return md


def live_in_html(html: str, own_anchors: bool = False) -> list[str]:
    judge = _Judge(own_anchors)
    judge.feed(html)
    judge.close()
    return judge.live


def live_in_markdown(markdown: str, own_anchors: bool = False) -> list[str]:
    return live_in_html(renderer().render(markdown), own_anchors)


def visible_text(markdown: str) -> str:
    """What a reader sees of rendered Markdown, whitespace collapsed."""
    class Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []

        def handle_data(self, data):
            self.parts.append(data)
    p = Text()
    p.feed(renderer().render(markdown))
    return " ".join("".join(p.parts).split())
