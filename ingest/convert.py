"""Turn HTML and reStructuredText into Markdown-ish text that keeps headings and code blocks,
so the heading-aware splitter works on every format the same way."""
from __future__ import annotations

import re
from html.parser import HTMLParser

HEADINGS = {"h1": "#", "h2": "##", "h3": "###", "h4": "####", "h5": "#####", "h6": "######"}
SKIP = {"script", "style", "nav", "footer", "noscript", "svg"}
BLOCK = {"p", "div", "section", "article", "li", "tr", "br", "table", "ul", "ol", "dl", "dt", "dd", "blockquote"}


class _ToMarkdown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.pre = 0
        self.title = ""
        self._in_title = False
        self._in_head = False   # HTML5 may omit </head> (and </title>): <body> or any content tag ends them

    def handle_starttag(self, tag, attrs):
        if tag != "title":
            self._in_title = False
        if tag == "head":
            self._in_head = True
        elif tag == "body" or tag in HEADINGS or tag in BLOCK or tag == "pre":
            self._in_head = False
        if tag in SKIP:
            self.skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in HEADINGS:
            self.out.append(f"\n\n{HEADINGS[tag]} ")
        elif tag == "pre":
            self.pre += 1
            self.out.append("\n\n```\n")
        elif tag == "code" and not self.pre:
            self.out.append("`")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in HEADINGS:
            self.out.append("\n\n")
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            if self.out and self.out[-1].endswith("\n"):
                self.out[-1] = self.out[-1][:-1]
            self.out.append("\n```\n\n")
        elif tag == "code" and not self.pre:
            self.out.append("`")
        elif tag in BLOCK:
            self.out.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self.skip or self._in_head or self._in_title:
            return
        if self.pre and self.out and self.out[-1] == "\n\n```\n" and data.startswith("\n"):
            data = data[1:]   # HTML drops the newline right after <pre>
        self.out.append(data if self.pre else re.sub(r"\s+", " ", data))


def html_to_markdown(html: str) -> tuple[str, str]:
    """(title, markdown). Never raises on broken HTML: the parser is forgiving, leftovers dropped."""
    p = _ToMarkdown()
    try:
        p.feed(html)
        p.close()
    except Exception:  # noqa: BLE001 - html.parser can raise on pathological input; keep what we have
        pass
    text = "".join(p.out)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return p.title.strip(), text


RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+]{3,})\s*$")


def rst_to_markdown(text: str) -> str:
    """Headings (underlined, or over- and underlined, titles) become Markdown headings, levels in
    order of first appearance as rST defines them; `::` literal blocks become fences."""
    lines = text.splitlines()
    out: list[str] = []
    levels: list[tuple[bool, str]] = []
    overlined = False
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        m = RST_UNDERLINE.match(nxt)
        if line.strip() and m and len(nxt.strip()) >= len(line.strip()) * 0.6 and not RST_UNDERLINE.match(line):
            style = (overlined, m.group(1)[0])
            if style not in levels:
                levels.append(style)
            out.append("#" * min(6, levels.index(style) + 1) + " " + line.strip())
            overlined = False
            i += 2
            continue
        overlined = False
        if RST_UNDERLINE.match(line) and nxt.strip() and i + 2 < len(lines) and RST_UNDERLINE.match(lines[i + 2]):
            overlined = True   # the title is handled next round, as its own heading level
            i += 1
            continue
        if line.rstrip().endswith("::"):
            i = _literal_block(lines, i, out)
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _literal_block(lines: list[str], i: int, out: list[str]) -> int:
    """`text::` followed by an indented block: keep the text (one colon), fence the block."""
    intro = lines[i].rstrip()[:-2].rstrip()
    if intro:
        out.append(intro + ":")
    j = i + 1
    while j < len(lines) and not lines[j].strip():
        j += 1
    block: list[str] = []
    while j < len(lines) and (not lines[j].strip() or lines[j][:1] in (" ", "\t")):
        block.append(lines[j])
        j += 1
    while block and not block[-1].strip():
        block.pop()
    if not block:
        return i + 1
    indent = min(len(l) - len(l.lstrip()) for l in block if l.strip())
    out += ["", "```"] + [l[indent:] for l in block] + ["```", ""]
    return j
