"""The pieces a ``netsim sh`` script is made of: words (a list of :class:`Part`),
tokens, and the two errors reading it can raise."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

__all__ = ["NAME", "Part", "ShellSyntaxError", "Token", "UnsupportedSyntax", "Word"]

#: A shell variable name.
NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ShellSyntaxError(Exception):
    """A syntax error, reported like bash's ``syntax error near unexpected token``."""

    def __init__(self, line: int, message: str, show_line: bool = False):
        super().__init__(message)
        self.line = line
        self.message = message
        #: bash also prints the offending input line (``near unexpected token``)
        self.show_line = show_line


class UnsupportedSyntax(Exception):
    """Valid shell syntax that ``netsim sh`` does not implement."""

    def __init__(self, line: int, what: str):
        super().__init__(what)
        self.line = line
        self.what = what


@dataclass(frozen=True)
class Part:
    """``kind`` is ``"lit"`` (text), ``"var"`` (text is the variable's name, or a
    special parameter ``1`` ``#`` ``@`` ...), ``"param"`` (text is what is inside
    ``${...}``: ``#X``, ``X:-word``, ``X:=word``), ``"cmd"`` (text is the source
    of a command substitution) or ``"arith"`` (the text inside ``$(( ))``)."""

    kind: str
    text: str
    quoted: bool


@dataclass
class Word:
    parts: list[Part] = field(default_factory=list)
    line: int = 1

    @property
    def literal(self) -> str | None:
        """The word's text if it is one unquoted literal (reserved words, ``NAME=``)."""
        if len(self.parts) == 1 and self.parts[0].kind == "lit" and not self.parts[0].quoted:
            return self.parts[0].text
        return None

    def assignment(self) -> tuple[str, Word] | None:
        """``NAME=value`` -> (NAME, value word), else None."""
        if not self.parts or self.parts[0].kind != "lit" or self.parts[0].quoted:
            return None
        head = self.parts[0].text
        m = NAME.match(head)
        if m is None or head[m.end() : m.end() + 1] != "=":
            return None
        rest = head[m.end() + 1 :]
        value = ([Part("lit", rest, False)] if rest else []) + self.parts[1:]
        return m.group(), Word(value, self.line)


@dataclass
class Token:
    """``kind``: ``word``, ``op`` (``;`` ``&&`` ``|`` ...), ``redir``, ``newline``, ``eof``.
    A ``redir`` token has ``fd`` (or -1 for the default) and, for ``<<``, a
    here-document ``body`` (already parsed into parts) once the line ends."""

    kind: str
    value: str
    line: int
    word: Word | None = None
    fd: int = -1
    body: Word | None = None
    heredoc_quoted: bool = False
