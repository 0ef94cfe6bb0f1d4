"""Scanning ``$NAME``, ``${...}``, ``$(...)`` and backquotes inside a word, and the
words of here-document bodies and ``${X:-word}`` defaults."""

from __future__ import annotations

import re
from typing import Final

from netsim.shell.syntax import NAME, Part, ShellSyntaxError, UnsupportedSyntax

__all__ = ["heredoc_parts", "merge_parts", "param_word_parts", "scan_backtick", "scan_dollar"]

_SPECIAL: Final = re.compile(r"[0-9]+|[?#@*$]")
_PARAM: Final = re.compile(
    r"#([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*])|[A-Za-z_][A-Za-z0-9_]*:?[-=].*", re.S
)


def scan_backtick(src: str, i: int, line: int, quoted: bool) -> tuple[int, Part]:
    """Parse `` `cmd` `` at ``src[i]``: inside, backslash quotes only ``$ ` \\``."""
    j = i + 1
    text: list[str] = []
    while j < len(src) and src[j] != "`":
        if src[j] == "\\" and src[j + 1 : j + 2] in ("$", "`", "\\"):
            text.append(src[j + 1])
            j += 2
        else:
            text.append(src[j])
            j += 1
    if j >= len(src):
        raise ShellSyntaxError(line, "unexpected EOF while looking for matching ``'")
    return j + 1, Part("cmd", "".join(text), quoted)


def _close_paren(src: str, i: int, line: int) -> int:
    """The index of the ``)`` closing the ``(`` just before ``src[i]``."""
    depth = 1
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            end = src.find("'", i + 1)
            i = len(src) if end < 0 else end + 1
            continue
        if c == '"':
            i += 1
            while i < len(src) and src[i] != '"':
                i += 2 if src[i] == "\\" else 1
            i += 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ShellSyntaxError(line, "unexpected EOF while looking for matching `)'")


def scan_dollar(src: str, i: int, line: int, quoted: bool) -> tuple[int, Part]:
    """Parse the expansion at ``src[i] == '$'``: returns (next index, part)."""
    nxt = src[i + 1 : i + 2]
    if nxt == "(":
        if src.startswith("((", i + 1):
            end = _close_paren(src, i + 3, line)
            if src[end + 1 : end + 2] == ")":
                return end + 2, Part("arith", src[i + 3 : end], quoted)
        end = _close_paren(src, i + 2, line)
        return end + 1, Part("cmd", src[i + 2 : end], quoted)
    if nxt == "{":
        end = src.find("}", i + 2)
        inner = src[i + 2 : end] if end >= 0 else ""
        if end >= 0 and (NAME.fullmatch(inner) or _SPECIAL.fullmatch(inner)):
            return end + 1, Part("var", inner, quoted)
        if end >= 0 and _PARAM.fullmatch(inner):
            return end + 1, Part("param", inner, quoted)
        raise UnsupportedSyntax(line, f"parameter expansion '${{{inner}...'")
    m = NAME.match(src, i + 1)
    if m is not None:
        return m.end(), Part("var", m.group(), quoted)
    if nxt and (nxt.isdigit() or nxt in "?#@*$"):
        return i + 2, Part("var", nxt, quoted)
    if nxt and nxt in "!-":
        raise UnsupportedSyntax(line, f"special parameter '${nxt}'")
    return i + 1, Part("lit", "$", quoted)


def param_word_parts(text: str, line: int, *, in_dquotes: bool = False) -> list[Part]:
    """The ``word`` of ``${X:-word}`` as parts, quotes removed (inside double
    quotes, ``'`` is an ordinary character)."""
    parts: list[Part] = []
    dq = False
    i = 0
    while i < len(text):
        c = text[i]
        if c == "'" and not dq and not in_dquotes:
            end = text.find("'", i + 1)
            end = len(text) if end < 0 else end
            parts.append(Part("lit", text[i + 1 : end], True))
            i = end + 1
        elif c == '"':
            dq = not dq
            parts.append(Part("lit", "", True))
            i += 1
        elif c == "\\" and i + 1 < len(text):
            parts.append(Part("lit", text[i + 1], True))
            i += 2
        elif c == "$":
            i, part = scan_dollar(text, i, line, dq)
            parts.append(part)
        elif c == "`":
            i, part = scan_backtick(text, i, line, dq)
            parts.append(part)
        else:
            parts.append(Part("lit", c, dq))
            i += 1
    return merge_parts(parts)


def heredoc_parts(body: str, line: int) -> list[Part]:
    parts: list[Part] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and body[i + 1 : i + 2] in ("$", "`", "\\", "\n"):
            if body[i + 1] != "\n":
                parts.append(Part("lit", body[i + 1], True))
            i += 2
        elif c == "$":
            i, part = scan_dollar(body, i, line, True)
            parts.append(part)
        elif c == "`":
            i, part = scan_backtick(body, i, line, True)
            parts.append(part)
        else:
            parts.append(Part("lit", c, True))
            i += 1
    return merge_parts(parts)


def merge_parts(parts: list[Part]) -> list[Part]:
    """Join neighbouring literal parts with the same quoting."""
    out: list[Part] = []
    for p in parts:
        if out and p.kind == "lit" and out[-1].kind == "lit" and out[-1].quoted == p.quoted:
            out[-1] = Part("lit", out[-1].text + p.text, p.quoted)
        else:
            out.append(p)
    return out
