"""Tokenize a ``netsim sh`` script: words (with their quoting), operators,
redirections and here-documents.

A word is a list of :class:`Part`: literal text (quoted or not) and ``$NAME``
expansions (quoted or not); only unquoted expansions are split into fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

__all__ = [
    "Part",
    "ShellSyntaxError",
    "Token",
    "UnsupportedSyntax",
    "Word",
    "heredoc_parts",
    "param_word_parts",
    "tokenize",
]

_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPECIAL: Final = re.compile(r"[0-9]+|[?#@*]")
_PARAM: Final = re.compile(
    r"#([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*])|[A-Za-z_][A-Za-z0-9_]*:?[-=].*", re.S
)
_OPS: Final = ("&&", "||", ";;", "&>>", "&>", ">>", ">&", "<<-", "<<", "<&", "<>", ">|")
_SINGLE_OPS: Final = ";|&<>()"


class ShellSyntaxError(Exception):
    """A syntax error, reported like bash's ``syntax error near unexpected token``."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


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
    ``${...}``: ``#X``, ``X:-word``, ``X:=word``) or ``"cmd"`` (text is the source
    of a command substitution)."""

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
        m = _NAME.match(head)
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


class _Lexer:
    def __init__(self, src: str):
        self.src = src
        self.i = 0
        self.line = 1
        self.tokens: list[Token] = []
        self.pending: list[tuple[Token, str, bool]] = []  # here-docs awaiting a body

    def peek(self, n: int = 0) -> str:
        j = self.i + n
        return self.src[j] if j < len(self.src) else ""

    def run(self) -> list[Token]:
        expect_delim: Token | None = None
        while self.i < len(self.src):
            c = self.peek()
            if c == "\\" and self.peek(1) == "\n":
                self.i += 2
                self.line += 1
            elif c in " \t\r":
                self.i += 1
            elif c == "#":
                while self.i < len(self.src) and self.peek() != "\n":
                    self.i += 1
            elif c == "\n":
                if expect_delim is not None:
                    raise ShellSyntaxError(
                        self.line, "syntax error near unexpected token 'newline'"
                    )
                self.tokens.append(Token("newline", "\n", self.line))
                self.i += 1
                self.line += 1
                self.read_heredocs()
            elif c in _SINGLE_OPS or (fd := self.io_number()) is not None:
                fd = None if c in _SINGLE_OPS else fd
                if expect_delim is not None:
                    raise ShellSyntaxError(self.line, f"syntax error near unexpected token '{c}'")
                expect_delim = self.operator(-1 if fd is None else fd)
            else:
                word = self.word()
                if expect_delim is not None:
                    self.heredoc_delim(expect_delim, word)
                    expect_delim = None
                else:
                    self.tokens.append(Token("word", "", word.line, word=word))
        if expect_delim is not None:
            raise ShellSyntaxError(self.line, "syntax error near unexpected token 'newline'")
        if self.pending:
            self.tokens.append(Token("newline", "\n", self.line))
            self.read_heredocs()
        self.tokens.append(Token("eof", "", self.line))
        return self.tokens

    def io_number(self) -> int | None:
        j = self.i
        while j < len(self.src) and self.src[j].isdigit():
            j += 1
        if j > self.i and j < len(self.src) and self.src[j] in "<>":
            fd = int(self.src[self.i : j])
            self.i = j
            return fd
        return None

    def operator(self, fd: int = -1) -> Token | None:
        """Read an operator; returns the token when it is ``<<`` (a delimiter follows)."""
        line = self.line
        for op in _OPS:
            if self.src.startswith(op, self.i):
                break
        else:
            op = self.peek()
        self.i += len(op)
        if op == "&":
            raise UnsupportedSyntax(line, "background '&'")
        if op in (";;", "<&", "<>", ">|"):
            raise UnsupportedSyntax(line, f"'{op}'")
        kind = "redir" if op[0] in "<>" or op in ("&>", "&>>") else "op"
        tok = Token(kind, op, line, fd=fd)
        self.tokens.append(tok)
        return tok if op in ("<<", "<<-") else None

    def heredoc_delim(self, tok: Token, word: Word) -> None:
        quoted = any(p.quoted for p in word.parts)
        if any(p.kind != "lit" for p in word.parts):
            raise UnsupportedSyntax(word.line, "expansion in a here-document delimiter")
        delim = "".join(p.text for p in word.parts)
        tok.heredoc_quoted = quoted
        self.pending.append((tok, delim, quoted))

    def read_heredocs(self) -> None:
        for tok, delim, quoted in self.pending:
            start = self.line
            lines: list[str] = []
            while True:
                if self.i >= len(self.src):
                    raise ShellSyntaxError(
                        start, f"here-document delimited by end-of-file (wanted '{delim}')"
                    )
                end = self.src.find("\n", self.i)
                end = len(self.src) if end < 0 else end
                text = self.src[self.i : end]
                self.i = end + 1
                self.line += 1
                if tok.value == "<<-":
                    text = text.lstrip("\t")
                if text == delim:
                    break
                lines.append(text + "\n")
            body = "".join(lines)
            if quoted:
                tok.body = Word([Part("lit", body, True)], start)
            else:
                tok.body = Word(heredoc_parts(body, start), start)
        self.pending = []

    def word(self) -> Word:
        w = Word(line=self.line)
        parts = w.parts
        while self.i < len(self.src):
            c = self.peek()
            if c in " \t\r\n" or c in _SINGLE_OPS:
                break
            if c == "\\":
                nxt = self.peek(1)
                self.i += 2
                if nxt == "\n":
                    self.line += 1
                elif nxt:
                    parts.append(Part("lit", nxt, True))
            elif c == "'":
                end = self.src.find("'", self.i + 1)
                if end < 0:
                    raise ShellSyntaxError(w.line, "unexpected EOF while looking for matching `''")
                text = self.src[self.i + 1 : end]
                self.line += text.count("\n")
                parts.append(Part("lit", text, True))
                self.i = end + 1
            elif c == '"':
                self.i += 1
                self.double_quoted(parts, w.line)
            elif c == "$":
                self.dollar(parts, quoted=False)
            elif c == "`":
                self.backtick(parts, quoted=False)
            else:
                parts.append(Part("lit", c, False))
                self.i += 1
        w.parts[:] = _merge(parts)
        return w

    def double_quoted(self, parts: list[Part], start: int) -> None:
        while True:
            if self.i >= len(self.src):
                raise ShellSyntaxError(start, "unexpected EOF while looking for matching `\"'")
            c = self.peek()
            if c == '"':
                self.i += 1
                parts.append(Part("lit", "", True))  # "" is an (empty) field
                return
            if c == "\\" and self.peek(1) in '$`"\\\n':
                nxt = self.peek(1)
                self.i += 2
                if nxt == "\n":
                    self.line += 1
                else:
                    parts.append(Part("lit", nxt, True))
            elif c == "$":
                self.dollar(parts, quoted=True)
            elif c == "`":
                self.backtick(parts, quoted=True)
            else:
                if c == "\n":
                    self.line += 1
                parts.append(Part("lit", c, True))
                self.i += 1

    def dollar(self, parts: list[Part], *, quoted: bool) -> None:
        start = self.i
        self.i, part = _dollar(self.src, self.i, self.line, quoted)
        self.line += self.src.count("\n", start, self.i)
        parts.append(part)

    def backtick(self, parts: list[Part], *, quoted: bool) -> None:
        start = self.i
        self.i, part = _backtick(self.src, self.i, self.line, quoted)
        self.line += self.src.count("\n", start, self.i)
        parts.append(part)


def _backtick(src: str, i: int, line: int, quoted: bool) -> tuple[int, Part]:
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


def _dollar(src: str, i: int, line: int, quoted: bool) -> tuple[int, Part]:
    """Parse the expansion at ``src[i] == '$'``: returns (next index, part)."""
    nxt = src[i + 1 : i + 2]
    if nxt == "(":
        if src.startswith("((", i + 1):
            raise UnsupportedSyntax(line, "arithmetic expansion '$((...))'")
        end = _close_paren(src, i + 2, line)
        return end + 1, Part("cmd", src[i + 2 : end], quoted)
    if nxt == "{":
        end = src.find("}", i + 2)
        inner = src[i + 2 : end] if end >= 0 else ""
        if end >= 0 and (_NAME.fullmatch(inner) or _SPECIAL.fullmatch(inner)):
            return end + 1, Part("var", inner, quoted)
        if end >= 0 and _PARAM.fullmatch(inner):
            return end + 1, Part("param", inner, quoted)
        raise UnsupportedSyntax(line, f"parameter expansion '${{{inner}...'")
    m = _NAME.match(src, i + 1)
    if m is not None:
        return m.end(), Part("var", m.group(), quoted)
    if nxt and (nxt.isdigit() or nxt in "?#@*"):
        return i + 2, Part("var", nxt, quoted)
    if nxt and nxt in "!$-":
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
            i, part = _dollar(text, i, line, dq)
            parts.append(part)
        elif c == "`":
            i, part = _backtick(text, i, line, dq)
            parts.append(part)
        else:
            parts.append(Part("lit", c, dq))
            i += 1
    return _merge(parts)


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
            i, part = _dollar(body, i, line, True)
            parts.append(part)
        elif c == "`":
            i, part = _backtick(body, i, line, True)
            parts.append(part)
        else:
            parts.append(Part("lit", c, True))
            i += 1
    return _merge(parts)


def _merge(parts: list[Part]) -> list[Part]:
    """Join neighbouring literal parts with the same quoting."""
    out: list[Part] = []
    for p in parts:
        if out and p.kind == "lit" and out[-1].kind == "lit" and out[-1].quoted == p.quoted:
            out[-1] = Part("lit", out[-1].text + p.text, p.quoted)
        else:
            out.append(p)
    return out


def tokenize(src: str) -> list[Token]:
    """The tokens of ``src``; raises :class:`ShellSyntaxError` or :class:`UnsupportedSyntax`."""
    return _Lexer(src).run()
