"""Builtins that work on the shell's own state: ``read``, ``local``,
``return`` and ``unset`` (bash's ``read.def``, ``declare.def``,
``return.def``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from netsim.shell.proc import Proc
from netsim.shell.runtime import ReturnSignal
from netsim.shell.syntax import NAME

if TYPE_CHECKING:
    from netsim.shell.interp import Shell

__all__ = ["SHELL_BUILTINS", "read_split"]

_BLANKS: Final = " \t\n"


def _word(text: str, ifs: str) -> tuple[str, str]:
    """The first field of ``text`` and what follows its separator (IFS blanks,
    at most one other IFS character, blanks), as bash's ``get_word_from_string``."""
    blanks = "".join(c for c in ifs if c in _BLANKS)
    j = 0
    while j < len(text) and text[j] not in ifs:
        j += 1
    word, rest = text[:j], text[j:].lstrip(blanks)
    if rest and rest[0] in ifs and rest[0] not in blanks:
        rest = rest[1:].lstrip(blanks)
    return word, rest


def read_split(line: str, ifs: str, count: int) -> list[str]:
    """``line`` split into ``count`` values as ``read A B C`` does: one field
    each, the rest of the line (trailing IFS blanks removed) to the last."""
    blanks = "".join(c for c in ifs if c in _BLANKS)
    rest = line.lstrip(blanks)
    values: list[str] = []
    for _ in range(count - 1):
        word, rest = _word(rest, ifs) if rest else ("", "")
        values.append(word)
    if rest:
        word, after = _word(rest, ifs)
        rest = word if not after else rest.rstrip(blanks)
    values.append(rest)
    return values


def _read_line(sh: Shell, delim: str, raw: bool) -> tuple[str, bool]:
    """The next line of the shell's stdin (consumed) and whether it ended with
    ``delim`` (not end of input); without ``-r`` a backslash quotes the next
    character and backslash-newline continues the line."""
    inp = sh.input
    text, i = inp.text, inp.pos
    out: list[str] = []
    found = False
    while i < len(text):
        c = text[i]
        if c == "\\" and not raw and i + 1 < len(text):
            if text[i + 1] != "\n":
                out.append(text[i + 1])
            i += 2
            continue
        i += 1
        if c == delim:
            found = True
            break
        out.append(c)
    inp.pos = i
    return "".join(out), found


def read(sh: Shell, p: Proc) -> int:
    """``read [-r] [-d DELIM] [-p PROMPT] [NAME...]``: status 1 at end of input
    (the partial line is still assigned)."""
    args = p.argv[1:]
    raw, delim = False, "\n"
    while args and args[0].startswith("-") and len(args[0]) > 1:
        opt = args.pop(0)
        if opt == "--":
            break
        for n, c in enumerate(opt[1:], 1):
            if c == "r":
                raw = True
            elif c in "dpt" and (opt[n + 1 :] or args):
                value = opt[n + 1 :] or args.pop(0)
                delim = (value[:1] or "\0") if c == "d" else delim
                break
            elif c != "s":
                p.err(f"{sh.argv0}: line {sh.line}: read: -{c}: invalid option\n")
                p.err("read: usage: read [-ers] [-d delim] [-p prompt] [name ...]\n")
                return 2
    for name in args:
        if not NAME.fullmatch(name):
            p.err(f"{sh.argv0}: line {sh.line}: read: `{name}': not a valid identifier\n")
            return 1
    line, found = _read_line(sh, delim, raw)
    if not args:
        sh.vars["REPLY"] = line
    else:
        ifs = p.env.get("IFS", sh.vars.get("IFS", _BLANKS))
        for name, value in zip(args, read_split(line, ifs, len(args)), strict=True):
            sh.vars[name] = value
    return 0 if found else 1


def local(sh: Shell, p: Proc) -> int:
    """``local NAME[=VALUE]...``: restored when the function returns; a bare
    ``local NAME`` starts unset."""
    if not sh.frames:
        p.err(f"{sh.argv0}: line {sh.line}: local: can only be used in a function\n")
        return 1
    frame = sh.frames[-1]
    status = 0
    for a in p.argv[1:]:
        name, eq, value = a.partition("=")
        if not NAME.fullmatch(name):
            p.err(f"{sh.argv0}: line {sh.line}: local: `{a}': not a valid identifier\n")
            status = 1
            continue
        if name not in frame:
            frame[name] = sh.vars.get(name)
        if eq:
            sh.vars[name] = value
        else:
            sh.vars.pop(name, None)
    return status


def return_(sh: Shell, p: Proc) -> int:
    """``return [N]``: leave the function with status N (default ``$?``)."""
    args = p.argv[1:]
    if not sh.frames:
        where = "can only `return' from a function or sourced script"
        p.err(f"{sh.argv0}: line {sh.line}: return: {where}\n")
        return 2
    if not args:
        raise ReturnSignal(sh.status)
    if not re.fullmatch(r"\s*[-+]?[0-9]+\s*", args[0]):
        p.err(f"{sh.argv0}: line {sh.line}: return: {args[0]}: numeric argument required\n")
        raise ReturnSignal(2)
    if len(args) > 1:
        p.err(f"{sh.argv0}: line {sh.line}: return: too many arguments\n")
        return 1
    raise ReturnSignal(int(args[0]) & 0xFF)


def unset(sh: Shell, p: Proc) -> int:
    """``unset [-v|-f] NAME...``."""
    args = p.argv[1:]
    funcs = bool(args) and args[0] == "-f"
    if args and args[0] in ("-f", "-v"):
        args = args[1:]
    for name in args:
        if funcs:
            sh.funcs.pop(name, None)
        else:
            sh.vars.pop(name, None)
            sh.exported.discard(name)
    return 0


SHELL_BUILTINS: Final[dict[str, Callable[[Shell, Proc], int]]] = {
    "read": read,
    "local": local,
    "return": return_,
    "unset": unset,
}
