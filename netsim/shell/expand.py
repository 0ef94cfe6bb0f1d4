"""Word expansion for :class:`~netsim.shell.interp.Shell`: parameters
(``$X``, ``$1``, ``$#``, ``"$@"``, ``${#X}``, ``${X:-word}``...), command
substitution (run by the shell), arithmetic ``$(( ))``, field splitting on
``IFS`` and pathname expansion (:mod:`netsim.shell.glob`)."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod

from netsim.shell.arith import ArithError, arith_eval
from netsim.shell.fs import MemFs
from netsim.shell.glob import escape, glob_paths, has_magic
from netsim.shell.lexer import Part, Word
from netsim.shell.proc import SHELL_PID
from netsim.shell.runtime import AbortCommand

__all__ = ["Expander"]


class Expander(ABC):
    """The expansion half of the shell; :meth:`substitute` is the shell's."""

    vars: dict[str, str]
    args: list[str]
    argv0: str
    status: int
    line: int
    fs: MemFs

    @abstractmethod
    def substitute(self, src: str) -> str:
        """``$(src)``: the output of ``src`` run as a subshell."""

    @abstractmethod
    def report(self, text: str) -> None:
        """Print ``$0: line N: text`` to the running command's stderr."""

    def arith(self, text: str, *, command: bool = False) -> int:
        """The value of ``$(( text ))`` (``(( text ))`` when ``command``): ``$``
        expansions first, then :func:`~netsim.shell.arith.arith_eval`.  An error
        is reported as bash does; in ``$(( ))`` it abandons the command."""
        from netsim.shell.lexer import param_word_parts

        expr = "".join(self.expand(q) for q in param_word_parts(text, self.line))
        try:
            return arith_eval(expr, self.value, self.vars.__setitem__)
        except ArithError as e:
            what = ("((: " if command else "") + (e.expr or expr.lstrip())
            self.report(f'{what}: {e.message} (error token is "{e.token}")')
            if command:
                raise
            raise AbortCommand from None

    def value(self, name: str) -> str:
        if name == "?":
            return str(self.status)
        if name.isdigit():
            n = int(name)
            return self.argv0 if n == 0 else (self.args[n - 1] if n <= len(self.args) else "")
        if name == "#":
            return str(len(self.args))
        if name == "$":  # the shell's PID: a fresh sandbox's shell is PID 1, and so is this
            return str(SHELL_PID)
        if name == "*":  # joined with the first character of IFS, as bash
            return self.vars.get("IFS", " ")[:1].join(self.args)
        if name == "@":
            return " ".join(self.args)
        return self.vars.get(name, "")

    def expand(self, p: Part) -> str:
        """One part's text (no splitting)."""
        if p.kind == "var":
            return self.value(p.text)
        if p.kind == "cmd":
            return self.substitute(p.text)
        if p.kind == "param":
            return "".join(self.expand(q) for q in self.param(p.text, p.quoted))
        if p.kind == "arith":
            return str(self.arith(p.text))
        return p.text

    def param(self, text: str, quoted: bool) -> list[Part]:
        """``${#X}``, ``${X:-word}``, ``${X-word}``, ``${X:=word}``, ``${X=word}``
        as parts: ``val`` (a value, split when unquoted) or the word's parts."""
        from netsim.shell.lexer import param_word_parts

        if text.startswith("#"):
            return [Part("val", str(len(self.value(text[1:]))), quoted)]
        m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text)
        assert m is not None  # the lexer checked
        name, op = m.group(), text[m.end() :]
        colon = op.startswith(":")
        op = op[1:] if colon else op
        value = self.vars.get(name, "")
        if name in self.vars and (value or not colon):
            return [Part("val", value, quoted)]
        word = [  # unquoted text of the word is split too: a ``val``
            Part("val", q.text, False)
            if q.kind == "lit" and not (q.quoted or quoted)
            else Part(q.kind, q.text, q.quoted or quoted)
            for q in param_word_parts(op[1:], self.line, in_dquotes=quoted)
        ]
        if op[0] == "=":
            value = "".join(self.expand(q) for q in word)
            self.vars[name] = value
            return [Part("val", value, quoted)]
        return word

    def string(self, word: Word) -> str:
        """The word expanded without field splitting (assignments, here-documents)."""
        return "".join(self.expand(p) for p in word.parts)

    def fields(self, word: Word) -> list[str]:
        """The word expanded; unquoted expansions split on ``IFS``, then each
        field with an unquoted ``*``, ``?`` or ``[`` expanded to matching paths."""
        parts: list[Part] = []
        for p in word.parts:
            parts.extend(self.param(p.text, p.quoted) if p.kind == "param" else [p])
        quoted_at = [p.kind == "var" and p.text == "@" and p.quoted for p in parts]
        if not self.args and any(quoted_at):
            rest = [p for p, at in zip(parts, quoted_at, strict=True) if not at]
            if all(p.kind == "lit" and p.text == "" for p in rest):
                return []  # "$@" with no arguments: no field at all
        out = _Fields()
        for p in parts:
            if p.kind == "var" and p.text == "@" and p.quoted:
                for n, arg in enumerate(self.args):
                    if n:
                        out.end()
                    out.add(arg, quoted=True)
            elif p.kind == "lit" or p.quoted:
                out.add(self.expand(p), quoted=p.quoted)
            else:
                self._split(self.expand(p), out)
        if out.started:
            out.end()
        result: list[str] = []
        for text, pattern in out.fields:
            matches = glob_paths(pattern, self.fs) if pattern is not None else []
            result.extend(matches or [text])
        return result

    def _split(self, value: str, out: _Fields) -> None:
        """Add an unquoted expansion's value to ``out``, split on ``IFS``."""
        pieces, lead, trail = ifs_split(value, self.vars.get("IFS"))
        if lead and out.started:
            out.end()
        for n, piece in enumerate(pieces):
            if n:
                out.end()
            out.add(piece, quoted=False)
        if pieces and trail:
            out.end()


class _Fields:
    """Fields being built: each one's text and, when it has an unquoted glob
    character, its pattern (quoted characters escaped)."""

    def __init__(self) -> None:
        self.fields: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.pattern: list[str] = []
        self.magic = False
        self.started = False

    def add(self, text: str, *, quoted: bool) -> None:
        self.started = True
        self.text.append(text)
        if quoted:
            self.pattern.append(escape(text) if text else "")
        else:
            self.pattern.append(text)
            self.magic = self.magic or has_magic(text)

    def end(self) -> None:
        pattern = "".join(self.pattern) if self.magic else None
        self.fields.append(("".join(self.text), pattern))
        self.text, self.pattern = [], []
        self.magic = self.started = False


def ifs_split(value: str, ifs: str | None) -> tuple[list[str], bool, bool]:
    """``value`` split on ``ifs`` (None: the default blanks) as bash splits an
    unquoted expansion: the pieces, and whether it began or ended with a
    separator (so neighbouring text starts a new field)."""
    if ifs is None or ifs == " \t\n":
        return value.split(), value[:1].isspace(), value[-1:].isspace()
    if ifs == "":
        return ([value] if value else []), False, False
    blanks = {c for c in ifs if c in " \t\n"}
    pieces: list[str] = []
    i, n = 0, len(value)
    while i < n and value[i] in blanks:
        i += 1
    lead = i > 0
    cur: list[str] = []
    trail = False
    while i < n:
        c = value[i]
        if c not in ifs:
            cur.append(c)
            i += 1
            trail = False
            continue
        while i < n and value[i] in blanks:
            i += 1
        if i < n and value[i] in ifs and value[i] not in blanks:
            i += 1
            while i < n and value[i] in blanks:
                i += 1
        pieces.append("".join(cur))
        cur, trail = [], True
    if cur or (not pieces and not lead and value):
        pieces.append("".join(cur))
        trail = False
    return pieces, lead, trail
