"""Markdown → the readable text a search should match and a snippet should show.

Kept: headings, paragraphs, list items, table cells, link and image texts, inline code,
the text inside raw HTML. Removed: URLs, HTML tags, Hugo shortcodes (``{{< … >}}``,
``{{% … %}}``) and Liquid tags (``{% … %}``, ``{{ … }}``), keeping whatever stands between
a paired shortcode's opening and closing tags. Code blocks (fenced, indented, and the
``highlight``/``codeblock`` shortcodes) are returned separately so they never mix into prose.

Markdown hard-wraps lines; a line break between two Japanese characters is dropped (as
browsers do for CJK) so that a word split across lines is still one word.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt

_CODE_SHORTCODE = re.compile(
    r"\{\{[<%]\s*(highlight|code)\b[^}]*[>%]\}\}(.*?)\{\{[<%]\s*/\1\s*[>%]\}\}"
    r"|\{%-?\s*(highlight|codeblock|code|raw)\b[^%]*-?%\}(.*?)\{%-?\s*end\3\s*-?%\}",
    re.S,
)
_SHORTCODE = re.compile(r"\{\{[<%].*?[>%]\}\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"'）」』】]+|www\.[A-Za-z0-9-]+\.[^\s<>\"'）」』】]+")
_HEADING_ATTR = re.compile(r"\s*\{[#.][^{}]*\}\s*$")
_TAG = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass
class PlainText:
    text: str
    code: str


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table").enable("strikethrough")


def markdown_to_text(source: str) -> PlainText:
    code_parts: list[str] = []

    def keep_code(m: re.Match[str]) -> str:
        code_parts.append(m.group(2) if m.group(2) is not None else m.group(4))
        return "\n"

    source = _outside_fences(source, lambda s: _SHORTCODE.sub(" ", _CODE_SHORTCODE.sub(keep_code, s)))
    source = _HTML_COMMENT.sub(" ", source)
    lines: list[str] = []
    tokens = _parser().parse(source)
    for i, tok in enumerate(tokens):
        if tok.type == "inline":
            text = _inline_text(tok.children or [])
            if i > 0 and tokens[i - 1].type == "heading_open":
                text = _HEADING_ATTR.sub("", text)
            lines.append(text)
        elif tok.type in ("fence", "code_block"):
            code_parts.append(tok.content)
        elif tok.type == "html_block":
            lines.append(_html_text(tok.content))
    text = "\n".join(cleaned for line in lines if (cleaned := _clean(line)))
    return PlainText(text=text, code="\n".join(c.strip("\n") for c in code_parts if c.strip()))


def _outside_fences(source: str, transform) -> str:  # type: ignore[no-untyped-def]
    """Apply ``transform`` to the parts of ``source`` that are not fenced code blocks."""
    out: list[str] = []
    buf: list[str] = []
    fence: str | None = None
    for line in source.split("\n"):
        m = _FENCE.match(line)
        if fence is None and m:
            out.append(transform("\n".join(buf)))
            buf = [line]
            fence = m.group(1)[0] * len(m.group(1))
        elif fence is not None and line.strip().startswith(fence) and not line.strip().strip(fence[0]):
            buf.append(line)
            out.append("\n".join(buf))
            buf, fence = [], None
        else:
            buf.append(line)
    out.append("\n".join(buf) if fence is not None else transform("\n".join(buf)))
    return "\n".join(out)


def _inline_text(children) -> str:  # type: ignore[no-untyped-def]
    parts: list[str] = []
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline") or kind == "image":
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "html_inline":
            parts.append(" " if child.content.lower().startswith("<br") else "")
    return _join_lines("".join(parts))


def _html_text(block: str) -> str:
    text = _TAG.sub(" ", _SCRIPT.sub(" ", block))
    return _join_lines(html.unescape(text))


def _clean(line: str) -> str:
    line = _URL.sub(" ", line)
    return " ".join(line.split())


def _join_lines(text: str) -> str:
    """Join wrapped lines: no space between two Japanese (wide) characters, else one space.

    Built as a list of pieces: a post exported as one 10 MB paragraph has ~100,000 lines,
    and growing one string line by line took minutes (quadratic).
    """
    if "\n" not in text:
        return text
    pieces = text.split("\n")
    out = [pieces[0]] if pieces[0] else []
    for piece in pieces[1:]:
        while out and not out[-1].strip():
            out.pop()
        if out:
            out[-1] = out[-1].rstrip()
        right = piece.lstrip()
        if not right:
            continue
        if out and not (_wide(out[-1][-1]) and _wide(right[0])):
            out.append(" ")
        out.append(right)
    return "".join(out)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")
