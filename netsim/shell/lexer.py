"""Tokenize a ``netsim sh`` script: words (with their quoting), operators,
redirections and here-documents.

A word is a list of :class:`Part`: literal text (quoted or not) and ``$NAME``
expansions (quoted or not); only unquoted expansions are split into fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from netsim.shell.dollar import (
    heredoc_parts,
    merge_parts,
    param_word_parts,
    scan_backtick,
    scan_dollar,
)
from netsim.shell.syntax import Part, ShellSyntaxError, Token, UnsupportedSyntax, Word

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

_OPS: Final = (
    "&&",
    "||",
    ";;&",
    ";;",
    ";&",
    "&>>",
    "&>",
    ">>",
    ">&",
    "<<<",
    "<<-",
    "<<",
    "<&",
    "<>",
    ">|",
)
_SINGLE_OPS: Final = ";|&<>()"


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

    def run(self) -> Iterator[list[Token]]:
        """Yield the tokens line by line: each batch ends with a newline token
        (the here-documents it opened already read) or with EOF."""
        expect_delim: Token | None = None
        while self.i < len(self.src):
            if self.tokens and self.tokens[-1].kind == "newline" and not self.pending:
                yield self.tokens
                self.tokens = []
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
                        self.line, "syntax error near unexpected token `newline'", True
                    )
                self.tokens.append(Token("newline", "\n", self.line))
                self.i += 1
                self.line += 1
                self.read_heredocs()
            elif c == "(" and self.peek(1) == "(" and self.arith():
                pass
            elif c in _SINGLE_OPS or (fd := self.io_number()) is not None:
                fd = None if c in _SINGLE_OPS else fd
                if expect_delim is not None:
                    raise ShellSyntaxError(
                        self.line, f"syntax error near unexpected token `{c}'", True
                    )
                expect_delim = self.operator(-1 if fd is None else fd)
            else:
                word = self.word()
                if expect_delim is not None:
                    self.heredoc_delim(expect_delim, word)
                    expect_delim = None
                else:
                    self.tokens.append(Token("word", "", word.line, word=word))
        if expect_delim is not None:
            raise ShellSyntaxError(self.line, "syntax error near unexpected token `newline'", True)
        if self.pending:
            self.tokens.append(Token("newline", "\n", self.line))
            self.read_heredocs()
        # bash ends a last line that lacks a newline, then reports EOF on the next
        eof_line = self.line + (not self.src.endswith("\n") and self.src != "")
        self.tokens.append(Token("eof", "", eof_line))
        yield self.tokens

    def arith(self) -> bool:
        """``(( expr ))``: an ``arith`` token; False (two ``(``) when the
        parentheses do not close with ``))``, as bash falls back to subshells."""
        depth, j = 0, self.i + 2
        while j < len(self.src):
            c = self.src[j]
            if c == "(":
                depth += 1
            elif c == ")" and depth:
                depth -= 1
            elif c == ")":
                if self.src[j + 1 : j + 2] != ")":
                    return False
                text = self.src[self.i + 2 : j]
                self.tokens.append(Token("arith", text, self.line))
                self.line += text.count("\n")
                self.i = j + 2
                return True
            j += 1
        return False

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
        if op in ("<&", "<>", ">|"):
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
        w.parts[:] = merge_parts(parts)
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
        self.i, part = scan_dollar(self.src, self.i, self.line, quoted)
        self.line += self.src.count("\n", start, self.i)
        parts.append(part)

    def backtick(self, parts: list[Part], *, quoted: bool) -> None:
        start = self.i
        self.i, part = scan_backtick(self.src, self.i, self.line, quoted)
        self.line += self.src.count("\n", start, self.i)
        parts.append(part)


def tokenize(src: str) -> Iterator[list[Token]]:
    """The tokens of ``src``, a line at a time (see :meth:`_Lexer.run`); raises
    :class:`ShellSyntaxError` or :class:`UnsupportedSyntax` when the faulty line
    is reached."""
    return _Lexer(src).run()
