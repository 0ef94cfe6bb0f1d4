"""Text filters the shell runs itself: ``grep``, ``head``, ``tail``, ``wc -l``,
``sort`` and ``tr``, over stdin or files of the shell's filesystem."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from netsim.shell.fs import FsError
from netsim.shell.proc import Proc

if TYPE_CHECKING:
    from netsim.shell.interp import Shell

__all__ = ["TEXT_BUILTINS", "bre_to_python", "reads_stdin"]


def bre_to_python(pattern: str) -> str:
    """A POSIX basic regex (GNU flavour: ``\\|``, ``\\+``, ``\\?``, ``\\(\\)``,
    ``\\{\\}`` are operators; bare ``+?|(){}`` are literal) as a Python regex."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append(nxt if nxt in "|+?(){}" else r"\b" if nxt in "<>" else "\\" + nxt)
            i += 2
            continue
        if c == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("]", "^") else i + 1)
            if end > 0:
                out.append(pattern[i : end + 1].replace("\\", "\\\\"))
                i = end + 1
                continue
        if c == "*" and (not out or out[-1] in ("(", "|", "^")):
            out.append("\\*")
        else:
            out.append("\\" + c if c in "|+?(){}" else c)
        i += 1
    return "".join(out)


def _read_inputs(
    sh: Shell, p: Proc, names: list[str], prog: str
) -> tuple[list[tuple[str, str]], int]:
    """(name, text) of each input ("-" or none: stdin), and 2 if one was missing."""
    inputs: list[tuple[str, str]] = []
    status = 0
    for name in names or ["-"]:
        if name == "-":
            inputs.append(("(standard input)", p.stdin))
            continue
        try:
            inputs.append((name, sh.fs.read(name)))
        except FsError as e:
            p.err(f"{prog}: {name}: {e.strerror}\n")
            status = 2
    return inputs, status


def _lines(text: str) -> list[str]:
    return text.splitlines()


def grep(sh: Shell, p: Proc) -> int:
    flags: set[str] = set()
    args = p.argv[1:]
    pattern: str | None = None
    names: list[str] = []
    ended = False
    for a in args:
        if not ended and a == "--":
            ended = True
        elif not ended and a.startswith("-") and len(a) > 1:
            for c in a[1:]:
                if c not in "vqciEFwxnsho":
                    p.err(f"grep: invalid option -- '{c}'\n")
                    p.err("Usage: grep [OPTION]... PATTERNS [FILE]...\n")
                    p.err("Try 'grep --help' for more information.\n")
                    return 2
                flags.add(c)
        elif pattern is None:
            pattern = a
        else:
            names.append(a)
    if pattern is None:
        p.err("Usage: grep [OPTION]... PATTERNS [FILE]...\n")
        p.err("Try 'grep --help' for more information.\n")
        return 2
    alts = pattern.split("\n")
    if "F" in flags:
        body = "|".join(re.escape(x) for x in alts)
    elif "E" in flags:
        body = "|".join(f"(?:{x})" for x in alts)
    else:
        body = "|".join(f"(?:{bre_to_python(x)})" for x in alts)
    if "x" in flags:
        body = f"^(?:{body})$"
    elif "w" in flags:
        body = rf"(?<!\w)(?:{body})(?!\w)"
    try:
        regex = re.compile(body, re.IGNORECASE if "i" in flags else 0)
    except re.error:
        p.err("grep: Invalid regular expression\n")
        return 2
    inputs, status = _read_inputs(sh, p, names, "grep")
    many = len(inputs) > 1 and "h" not in flags
    found = _grep_inputs(p, regex, flags, inputs, many)
    if status and not ("q" in flags and found):
        return 2
    return 0 if found else 1


def _grep_inputs(
    p: Proc, regex: re.Pattern[str], flags: set[str], inputs: list[tuple[str, str]], many: bool
) -> bool:
    """Print what ``grep`` prints for ``inputs``; whether any line was selected
    (with ``-q``, stop at the first)."""
    found = False
    for name, text in inputs:
        count = 0
        for n, line in enumerate(_lines(text), 1):
            if (regex.search(line) is not None) == ("v" in flags):
                continue
            count += 1
            found = True
            if "q" in flags:
                return True
            if "c" not in flags:
                prefix = (f"{name}:" if many else "") + (f"{n}:" if "n" in flags else "")
                if "o" in flags and "v" not in flags:  # each non-empty match on its own line
                    for m in regex.finditer(line):
                        if m.group():
                            p.out(f"{prefix}{m.group()}\n")
                else:
                    p.out(f"{prefix}{line}\n")
        if "c" in flags and "q" not in flags:
            p.out(f"{name}:{count}\n" if many else f"{count}\n")
    return found


def _count_arg(p: Proc, prog: str) -> tuple[int, list[str]] | int:
    args = p.argv[1:]
    count = 10
    names: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        value: str | None = None
        if a == "-n" and i + 1 < len(args):
            value = args[i + 1]
            i += 1
        elif a.startswith("-n"):
            value = a[2:]
        elif re.fullmatch(r"-[0-9]+", a):
            value = a[1:]
        else:
            names.append(a)
        if value is not None:
            if not re.fullmatch(r"[0-9]+", value):
                p.err(f"{prog}: invalid number of lines: '{value}'\n")
                return 1
            count = int(value)
        i += 1
    return count, names


def _head_tail(sh: Shell, p: Proc) -> int:
    prog = p.argv[0]
    parsed = _count_arg(p, prog)
    if isinstance(parsed, int):
        return parsed
    count, names = parsed
    inputs, status = _read_inputs(sh, p, names, prog)
    for n, (name, text) in enumerate(inputs):
        lines = text.splitlines(keepends=True)
        chosen = lines[:count] if prog == "head" else lines[len(lines) - count :] if count else []
        if len(inputs) > 1:
            p.out(("\n" if n else "") + f"==> {name} <==\n")
        p.out("".join(chosen))
    return 1 if status else 0


def wc(sh: Shell, p: Proc) -> int:
    opts = [a for a in p.argv[1:] if a.startswith("-") and a != "-"]
    names = [a for a in p.argv[1:] if a not in opts]
    if set(opts) != {"-l"}:
        p.err("netsim: wc: only 'wc -l' is supported\n")
        return 1
    inputs, status = _read_inputs(sh, p, names, "wc")
    total = 0
    for name, text in inputs:
        n = text.count("\n")
        total += n
        p.out(f"{n} {name}\n" if names else f"{n}\n")
    if len(inputs) > 1:
        p.out(f"{total} total\n")
    return 1 if status else 0


def sort(sh: Shell, p: Proc) -> int:
    flags = {c for a in p.argv[1:] if a.startswith("-") and len(a) > 1 for c in a[1:]}
    names = [a for a in p.argv[1:] if not (a.startswith("-") and len(a) > 1)]
    if flags - {"r", "n", "u"}:
        p.err("netsim: sort: only -r, -n and -u are supported\n")
        return 2
    inputs, status = _read_inputs(sh, p, names, "sort")
    lines = [line for _, text in inputs for line in text.splitlines()]

    def numkey(line: str) -> tuple[float, str]:
        m = re.match(r"\s*-?[0-9]+(\.[0-9]+)?", line)
        return (float(m.group()) if m else 0.0, line)

    lines.sort(key=numkey if "n" in flags else None, reverse="r" in flags)
    if "u" in flags:
        lines = list(dict.fromkeys(lines))
    p.out("".join(f"{line}\n" for line in lines))
    return 2 if status else 0


_TR_ESCAPES: Final = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


def _tr_set(spec: str) -> str:
    """``a-z``, ``\\n``-style escapes and literal characters."""
    chars: list[str] = []
    i = 0
    while i < len(spec):
        c = spec[i]
        if c == "\\" and i + 1 < len(spec):
            chars.append(_TR_ESCAPES.get(spec[i + 1], spec[i + 1]))
            i += 2
        elif i + 2 < len(spec) and spec[i + 1] == "-" and spec[i + 2] >= c:
            chars.extend(chr(o) for o in range(ord(c), ord(spec[i + 2]) + 1))
            i += 3
        else:
            chars.append(c)
            i += 1
    return "".join(chars)


def tr(sh: Shell, p: Proc) -> int:
    """``tr SET1 SET2`` and ``tr -d SET1`` (ranges and ``\\n``-style escapes)."""
    args = p.argv[1:]
    delete = bool(args) and args[0] == "-d"
    sets = [_tr_set(a) for a in (args[1:] if delete else args)]
    if any(a.startswith("-") and len(a) > 1 for a in args[int(delete) :]) or len(sets) != (
        1 if delete else 2
    ):
        p.err("netsim: tr: only 'tr SET1 SET2' and 'tr -d SET1' are supported\n")
        return 1
    if delete:
        p.out(p.stdin.translate({ord(c): None for c in sets[0]}))
        return 0
    src, dst = sets
    if not dst:
        p.err("tr: when not truncating set1, string2 must be non-empty\n")
        return 1
    dst = dst + dst[-1] * max(0, len(src) - len(dst))
    p.out(p.stdin.translate({ord(a): b for a, b in zip(src, dst, strict=False)}))
    return 0


TEXT_BUILTINS: Final[dict[str, Callable[[Shell, Proc], int]]] = {
    "grep": grep,
    "head": _head_tail,
    "tail": _head_tail,
    "wc": wc,
    "sort": sort,
    "tr": tr,
}


def reads_stdin(argv: list[str]) -> bool:
    """Whether this filter (``cat``, ``grep``, ...) reads its standard input
    (no file operand, or ``-``): then it consumes all of it, so the ``read``
    calls of an enclosing ``while read`` loop see nothing more."""
    name = argv[0]
    if name not in TEXT_BUILTINS and name != "cat":
        return False
    operands: list[str] = []
    skip = False
    for a in argv[1:]:
        if skip:
            skip = False
        elif a == "-n" and name in ("head", "tail"):
            skip = True
        elif a == "-" or not a.startswith("-"):
            operands.append(a)
    if name == "grep":
        operands = operands[1:]
    return not operands or "-" in operands
