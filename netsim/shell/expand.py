"""Word expansion for :class:`~netsim.shell.interp.Shell`: parameters
(``$X``, ``$1``, ``$#``, ``"$@"``, ``${#X}``, ``${X:-word}``...), command
substitution (run by the shell) and field splitting."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod

from netsim.shell.fs import MemFs
from netsim.shell.lexer import Part, Word

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

    def value(self, name: str) -> str:
        if name == "?":
            return str(self.status)
        if name.isdigit():
            n = int(name)
            return self.argv0 if n == 0 else (self.args[n - 1] if n <= len(self.args) else "")
        if name == "#":
            return str(len(self.args))
        if name in ("@", "*"):
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
        """The word expanded; unquoted expansions split on blanks (no globbing)."""
        fields: list[str] = []
        cur, started = "", False
        parts: list[Part] = []
        for p in word.parts:
            parts.extend(self.param(p.text, p.quoted) if p.kind == "param" else [p])
        quoted_at = [p.kind == "var" and p.text == "@" and p.quoted for p in parts]
        if not self.args and any(quoted_at):
            rest = [p for p, at in zip(parts, quoted_at, strict=True) if not at]
            if all(p.kind == "lit" and p.text == "" for p in rest):
                return []  # "$@" with no arguments: no field at all
        for p in parts:
            if p.kind == "var" and p.text == "@" and p.quoted:
                for n, arg in enumerate(self.args):
                    if n:
                        fields.append(cur)
                        cur = ""
                    cur += arg
                    started = True
                continue
            if p.kind == "lit" or p.quoted:
                cur += self.expand(p)
                started = True
                continue
            value = self.expand(p)
            pieces = value.split()
            if value[:1].isspace() and started:
                fields.append(cur)
                cur, started = "", False
            for n, piece in enumerate(pieces):
                if n:
                    fields.append(cur)
                cur, started = cur + piece if n == 0 else piece, True
            if pieces and value[-1:].isspace():
                fields.append(cur)
                cur, started = "", False
        if started:
            fields.append(cur)
        return fields
