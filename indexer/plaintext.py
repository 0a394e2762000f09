"""Markdown → the readable text a search should match and a snippet should show.

Kept: headings, paragraphs, list items, table cells, link and image texts, inline code,
footnote texts, the text inside raw HTML, and the captions of shortcodes (``title``,
``caption``, ``alt``: a figure's caption is text the reader sees). Removed: URLs, HTML tags,
footnote markers (``[^1]``), Hugo shortcodes (``{{< … >}}``, ``{{% … %}}``) and Liquid tags
(``{% … %}``, ``{{ … }}``), keeping whatever stands between a paired shortcode's opening and
closing tags. Code blocks (fenced, indented, and the ``highlight``/``codeblock`` shortcodes)
are returned separately so they never mix into prose.

No Markdown syntax reaches the text (snippets show it to readers). Shortcodes are handled
before parsing: one standing for a link's target (``[text]({{< ref "x.md" >}})``) becomes a
placeholder URL, so the link still parses and only its text is kept; removed outright, it
left ``[text]( "title")`` behind. Footnotes are parsed by mdit-py-plugins, as Hugo and
Jekyll parse them. Link syntax that CommonMark itself does not take for a link (a target
with spaces) keeps its label, as does a footnote marker without a footnote.

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
from mdit_py_plugins.footnote import footnote_plugin

_CODE_SHORTCODE = re.compile(
    r"\{\{[<%]\s*(highlight|code)\b[^}]*[>%]\}\}(.*?)\{\{[<%]\s*/\1\s*[>%]\}\}"
    r"|\{%-?\s*(highlight|codeblock|code|raw)\b[^%]*-?%\}(.*?)\{%-?\s*end\3\s*-?%\}",
    re.S,
)
_TEMPLATE = r"\{\{[<%].*?[>%]\}\}|\{%.*?%\}|\{\{.*?\}\}"
_SHORTCODE = re.compile(_TEMPLATE, re.S)
# Template tags standing where a link's target goes: inline ``](…`` or a reference definition.
_LINK_TARGET = re.compile(rf"(\]\(\s*|^ {{0,3}}\[[^\]\n]+\]:[ \t]*)((?:{_TEMPLATE})+)", re.S | re.M)
_PLACEHOLDER_URL = "#"
_CAPTION = re.compile(r"""\b(?:title|caption|alt)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')""")
# Link syntax CommonMark leaves as literal text, as the reader's page shows it too (an author's
# slip): [label](target with spaces), [label][undefined], a [^marker] without a footnote,
# "](target)" left over when the label held a link, and a definition inside a paragraph.
_LITERAL_LINK = re.compile(
    r"!?\[([^\[\]\n]*)\]\((?:[^()\n]|\([^()\n]*\))*\)"
    r"|\[([^\[\]\n]+)\]\[[^\[\]\n]*\]"
    r"|\[\^[^\[\]\s]+\]"
    r"|\]\(+[^()\s]*(?:\s+\"[^\"\n]*\")?\)?"
    r"|^ {0,3}\[[^\]\n]+\]:[ \t]*\S+(?:[ \t]+[\"'(].*)?$",
    re.M,
)
_CODE_MARK = re.compile("\ue000(\\d+)\ue001")  # stands for an inline code span while syntax is cleaned
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
    md = MarkdownIt("commonmark").enable("table").enable("strikethrough").use(footnote_plugin)
    # Only the text is kept, never a link's target: skip percent-encoding every URL (a
    # fifth of the parse time on link-list posts). Accepting every target is safe for the
    # same reason, and keeps a ``javascript:`` link's label as text like any other link.
    md.normalizeLink = _unchanged  # type: ignore[method-assign]
    md.validateLink = _any_target  # type: ignore[method-assign]
    return md


def _unchanged(url: str) -> str:
    return url


def _any_target(url: str) -> bool:
    return True


def markdown_to_text(source: str) -> PlainText:
    code_parts: list[str] = []

    def keep_code(m: re.Match[str]) -> str:
        code_parts.append(m.group(2) if m.group(2) is not None else m.group(4))
        return "\n"

    source = _outside_fences(source, lambda s: _templates(_CODE_SHORTCODE.sub(keep_code, s)))
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


def _templates(source: str) -> str:
    """Shortcodes and Liquid tags out: a link target becomes a placeholder URL, a caption stays."""
    source = _LINK_TARGET.sub(lambda m: m.group(1) + _PLACEHOLDER_URL, source)
    return _SHORTCODE.sub(_caption, source)


def _caption(m: re.Match[str]) -> str:
    texts = [
        c.group(1).replace('\\"', '"') if c.group(1) is not None else c.group(2)
        for c in _CAPTION.finditer(m.group(0))
    ]
    return f" {' '.join(t for t in texts if t.strip())} "


def _literal_syntax(m: re.Match[str]) -> str:
    return m.group(1) if m.group(1) is not None else (m.group(2) or "")


def _inline_text(children) -> str:  # type: ignore[no-untyped-def]
    """The text of a paragraph, heading or cell. Inline code is kept as written; it stands as a
    mark while literal link syntax is cleaned, which may span several text tokens around it."""
    parts: list[str] = []
    code: list[str] = []
    for child in children:
        kind = child.type
        if kind == "text":
            parts.append(child.content.replace("\ue000", "").replace("\ue001", ""))
        elif kind == "code_inline":
            parts.append(f"\ue000{len(code)}\ue001")
            code.append(child.content)
        elif kind == "image":
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "html_inline":
            parts.append(" " if child.content.lower().startswith("<br") else "")
    text = _LITERAL_LINK.sub(_literal_syntax, "".join(parts))
    if code:
        text = _CODE_MARK.sub(lambda m: code[int(m.group(1))], text)
    return _join_lines(text)


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
