"""``printf [-v VAR] FORMAT [ARG...]``, as bash's builtin (``printf.def``):
``%s %b %c %d %i %u %x %X %o %e %f %g %%`` with flags, widths and precisions
(``*`` too), backslash escapes in the format, the format reused while
arguments remain, and bash's ``invalid number`` / ``invalid format character``
errors."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from netsim.shell.proc import Proc

if TYPE_CHECKING:
    from netsim.shell.interp import Shell

__all__ = ["printf"]

_SPEC: Final = re.compile(r"%([-+ #0]*)(\*|[0-9]+)?(?:\.(\*|[0-9]*))?[hlLqjzt]*(.?)", re.S)
_SIMPLE_ESC: Final = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    '"': '"',
    "'": "'",
    "?": "?",
}
_INT: Final = re.compile(r"\s*([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")


class _Stop(Exception):
    """``\\c`` in a ``%b`` argument: no more output at all."""


def _escape(text: str, i: int, *, in_b: bool) -> tuple[str, int]:
    """The escape at ``text[i] == '\\\\'``: (its text, the index after it)."""
    c = text[i + 1 : i + 2]
    if c == "":
        return "\\", i + 1
    if c in _SIMPLE_ESC and not (in_b and c in "\"'?"):
        return _SIMPLE_ESC[c], i + 2
    if c == "c" and in_b:
        raise _Stop
    m = re.compile(r"0[0-7]{0,3}" if in_b else r"[0-7]{1,3}").match(text, i + 1)
    if m is not None:
        digits = m.group()[1:] if in_b else m.group()
        return chr(int(digits or "0", 8) & 0xFF), m.end()
    hexa = {"x": 2, "u": 4, "U": 8}.get(c)
    if hexa is not None:
        m = re.compile(f"[0-9a-fA-F]{{1,{hexa}}}").match(text, i + 2)
        if m is not None:
            return chr(int(m.group(), 16)), m.end()
    return "\\" + c, i + 2


def _unescape(text: str) -> str:
    """A ``%b`` argument's escapes; ``\\c`` raises :class:`_Stop` with the text before it."""
    out: list[str] = []
    i = 0
    while i < len(text):
        j = text.find("\\", i)
        if j < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        try:
            piece, i = _escape(text, j, in_b=True)
        except _Stop:
            raise _Stop("".join(out)) from None
        out.append(piece)
    return "".join(out)


class _Printf:
    def __init__(self, sh: Shell, p: Proc, args: list[str]):
        self.sh = sh
        self.p = p
        self.args = args
        self.status = 0
        self.out: list[str] = []

    def arg(self) -> str | None:
        return self.args.pop(0) if self.args else None

    def invalid(self, text: str) -> None:
        self.p.err(f"{self.sh.argv0}: line {self.sh.line}: printf: {text}: invalid number\n")
        self.status = 1

    def integer(self, text: str | None) -> int:
        """bash's ``getintmax``: a C integer, or ``'c`` (the character's code)."""
        if text is None or text == "":
            return 0
        if text[0] in "'\"":
            return ord(text[1]) if len(text) > 1 else 0
        m = _INT.match(text)
        if m is None:
            self.invalid(text)
            return 0
        digits = m.group(2)
        if digits[:2].lower() == "0x":
            value = int(digits, 16)
        else:
            value = int(digits, 8 if digits.startswith("0") else 10)
        if m.end() != len(text):
            self.invalid(text)
        return -value if m.group(1) == "-" else value

    def floating(self, text: str | None) -> float:
        if text is None or text == "":
            return 0.0
        if text[0] in "'\"":
            return float(ord(text[1])) if len(text) > 1 else 0.0
        m = re.match(r"\s*[-+]?([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?|[0-9]+\.|inf|nan)", text)
        if m is None:
            self.invalid(text)
            return 0.0
        if m.end() != len(text):
            self.invalid(text)
        return float(m.group())

    def spec(self, flags: str, width: str | None, prec: str | None, conv: str) -> str:
        if width == "*":
            width = str(self.integer(self.arg()))
            if width.startswith("-"):
                flags, width = flags + "-", width[1:]
        if prec == "*":
            prec = str(max(self.integer(self.arg()), 0))
        fmt = "%" + flags + (width or "") + ("." + prec if prec is not None else "")
        if conv in "sbc":
            text = self.arg() or ""
            if conv == "b":
                try:
                    text = _unescape(text)
                except _Stop as stop:
                    self.out.append(stop.args[0])
                    raise
            elif conv == "c":
                text, prec = text[:1] or "\0", None
            return _pad_bytes(text, flags, width, prec)
        if conv in "diuxXo":
            n = self.integer(self.arg())
            if conv not in {"d", "i"} and n < 0:
                n &= (1 << 64) - 1
            if conv == "o" and "#" in flags:
                body = (fmt.replace("#", "") + "o") % n
                return _pad_bytes("0" + body.strip() if n else body.strip(), flags, width, None)
            return (fmt + ("d" if conv in "iu" else conv)) % n
        return (fmt + conv) % self.floating(self.arg())

    def once(self, fmt: str) -> bool:
        """One pass over the format (output to ``self.out``); whether it
        converted anything."""
        out = self.out
        used = False
        i = 0
        while i < len(fmt):
            c = fmt[i]
            if c == "\\":
                piece, i = _escape(fmt, i, in_b=False)
                out.append(piece)
                continue
            if c != "%":
                out.append(c)
                i += 1
                continue
            m = _SPEC.match(fmt, i)
            assert m is not None
            flags, width, prec, conv = m.groups()
            i = m.end()
            if m.group() == "%%":
                out.append("%")
                continue
            if not conv or conv not in "sbcdiuxXoeEfFgG":
                where = f"{self.sh.argv0}: line {self.sh.line}: printf"
                if conv:
                    self.p.err(f"{where}: `{conv}': invalid format character\n")
                else:
                    self.p.err(f"{where}: `{m.group()}': missing format character\n")
                self.status = 1
                raise _Stop
            used = True
            out.append(self.spec(flags, width, prec, conv))
        return used


def _pad_bytes(text: str, flags: str, width: str | None, prec: str | None) -> str:
    """``%-W.Ps`` counting bytes (UTF-8), as C's printf under bash does."""
    data = text.encode()
    if prec is not None:
        data = data[: int(prec or "0")]
    pad = b" " * max(int(width or "0") - len(data), 0)
    data = data + pad if "-" in flags else pad + data
    return data.decode(errors="ignore")


def printf(sh: Shell, p: Proc) -> int:
    """``printf [-v VAR] FORMAT [ARG...]``."""
    args = p.argv[1:]
    var: str | None = None
    if args[:1] == ["-v"] and len(args) > 1:
        var, args = args[1], args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        p.err("printf: usage: printf [-v var] format [arguments]\n")
        return 2
    run = _Printf(sh, p, args[1:])
    try:
        while run.once(args[0]) and run.args:
            pass
    except _Stop:
        pass
    out = "".join(run.out)
    if var is not None:
        sh.vars[var] = out
    else:
        p.out(out)
    return run.status
