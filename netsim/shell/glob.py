"""Shell patterns (``*``, ``?``, ``[...]``) for ``case``, ``[[ == ]]`` and
pathname expansion over the shell's filesystem (memory plus ``/sys``, ``/proc``).

A pattern is written with backslash escapes for the characters that were
quoted in the script (``"*"`` matches only a star), as bash's ``quote_string``
does.  Path matches are sorted in byte order (bash under ``LC_ALL=C``); a
pattern that matches nothing is left as it is (bash without ``nullglob``).
"""

from __future__ import annotations

import re
from typing import Final

from netsim.shell.fs import FsError, MemFs

__all__ = ["escape", "glob_paths", "has_magic", "match", "translate"]

_CLASSES: Final = {
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "upper": "A-Z",
    "lower": "a-z",
    "space": r" \t\n\r\f\v",
    "blank": r" \t",
    "xdigit": "0-9A-Fa-f",
    "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
}


def escape(text: str) -> str:
    """``text`` as a pattern matching only itself."""
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def has_magic(pattern: str) -> bool:
    """Whether an (escaped) pattern has an unescaped ``*``, ``?`` or ``[``."""
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c in "*?[":
            return True
        i += 1
    return False


def _bracket(pattern: str, i: int) -> tuple[str, int] | None:
    """The regex class for the bracket expression at ``pattern[i] == '['`` and
    the index after it, or None when it does not close (then ``[`` is literal)."""
    j = i + 1
    negate = j < len(pattern) and pattern[j] in "!^"
    j += negate
    out: list[str] = []
    first = True
    while j < len(pattern):
        c = pattern[j]
        if c == "]" and not first:
            body = "".join(out)
            return ("[^" if negate else "[") + body + "]", j + 1
        first = False
        if c == "[" and pattern.startswith("[:", j):
            end = pattern.find(":]", j + 2)
            name = pattern[j + 2 : end] if end > 0 else ""
            if name in _CLASSES:
                out.append(_CLASSES[name])
                j = end + 2
                continue
        if c == "\\" and j + 1 < len(pattern):
            j += 1
            c = pattern[j]
        if c == "-" and out and j + 1 < len(pattern) and pattern[j + 1] != "]":
            out.append("-")
        else:
            out.append(re.escape(c))
        j += 1
    return None


def translate(pattern: str) -> str:
    """An (escaped) shell pattern as a Python regular expression body."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif c == "*":
            out.append(".*")
            i += 1
        elif c == "?":
            out.append(".")
            i += 1
        elif c == "[" and (br := _bracket(pattern, i)) is not None:
            out.append(br[0])
            i = br[1]
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def match(pattern: str, text: str) -> bool:
    """Whether ``text`` matches the whole (escaped) ``pattern``."""
    return re.fullmatch("(?s:" + translate(pattern) + ")", text) is not None


def _unescape(pattern: str) -> str:
    return re.sub(r"\\(.)", r"\1", pattern)


def glob_paths(pattern: str, fs: MemFs) -> list[str]:
    """The paths matching ``pattern``, byte-sorted (empty: no match).  A
    component's ``*``/``?`` do not match a leading ``.``, as in bash."""
    absolute = pattern.startswith("/")
    comps = [c for c in pattern.split("/") if c]
    found = ["/" if absolute else ""]
    for n, comp in enumerate(comps):
        last = n == len(comps) - 1
        nxt: list[str] = []
        for base in found:
            if not has_magic(comp):
                path = base + _unescape(comp)
                if fs.exists(path or "."):
                    nxt.append(path + ("" if last else "/"))
                continue
            try:
                names = fs.listdir(base or ".") if fs.is_dir(base or ".") else []
            except FsError:
                continue
            regex = re.compile("(?s:" + translate(comp) + ")")
            for name in names:
                if name.startswith(".") and not comp.startswith((".", "\\.")):
                    continue
                if regex.fullmatch(name) is not None:
                    path = base + name
                    if last or fs.is_dir(path):
                        nxt.append(path + ("" if last else "/"))
        found = nxt
    if pattern.endswith("/") and comps:
        found = [f + "/" for f in found if fs.is_dir(f)]
    return sorted(found, key=lambda p: p.encode())
