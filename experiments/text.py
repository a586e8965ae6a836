"""User text made safe to echo: control characters stripped, Markdown and HTML specials escaped.

Descriptions, names, keys and error messages come from files the user (or anyone who
sent them a file) wrote. :func:`printable` is applied to everything echoed to the terminal
or written into a report: it drops control characters (NUL, ESC and the rest, which could
move the cursor or rewrite a terminal line) and, for one-line output, folds line breaks.
:func:`markdown` also escapes what Markdown would read as markup (links and images,
headings, emphasis, code, tables, raw HTML), so user text renders as the characters typed.
"""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
LINE_BREAKS = re.compile(r"\s*[\r\n\t]+\s*")
# ASCII punctuation with a meaning somewhere in CommonMark or GitHub Markdown (not "_" inside
# a word, ".", "-", "(" or ")" on their own, which only matter where handled below)
MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]{}!#|~$^])")
HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# a list item ("- a", "1. a"), a setext underline or a thematic break ("===", "- - -"); not "-0.5"
BLOCK_MARKER = re.compile(r"^(\d*[.)]|[-+=])(?=[\s\-+=]|$)")
EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def printable(value: object, one_line: bool = True) -> str:
    """Return `value` as text without control characters; with `one_line`, line breaks become spaces."""
    text = str(value)
    if one_line:
        text = LINE_BREAKS.sub(" ", text)
    else:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL.sub("", text)


def markdown(value: object) -> str:
    """Return `value` as Markdown text that renders as the characters given, on one line."""
    text = printable(value).strip()
    text = "".join(HTML_SPECIAL.get(c, c) for c in text)
    text = MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = EDGE_UNDERSCORE.sub(r"\\_", text)
    return BLOCK_MARKER.sub(lambda m: m[1][:-1] + "\\" + m[1][-1], text)
