"""The parser's view of the token stream: one token of lookahead (more when
asked) over the lexer's batches, tokenizing the next line only when a command
goes on past the current one, and bash's syntax-error messages
(``report_syntax_error()`` in ``parse.y``: ``unexpected token `X'``,
``unexpected end of file``)."""

from __future__ import annotations

from collections.abc import Iterator

from netsim.shell.lexer import ShellSyntaxError, Token

__all__ = ["TokenCursor"]


class TokenCursor:
    """The current token and what the productions ask of it."""

    def __init__(self, batches: Iterator[list[Token]]):
        self.batches = batches
        self.toks: list[Token] = []
        self.i = 0

    def at(self, n: int) -> Token:
        """The token ``n`` after the current one, tokenizing more lines if needed."""
        while self.i + n >= len(self.toks):
            self.toks.extend(next(self.batches))
        return self.toks[self.i + n]

    @property
    def tok(self) -> Token:
        return self.at(0)

    def next(self) -> Token:
        t = self.tok
        self.i += 1
        return t

    def error(self, t: Token) -> ShellSyntaxError:
        if t.kind == "eof":
            return ShellSyntaxError(t.line, "syntax error: unexpected end of file")
        if t.kind == "word":
            assert t.word is not None
            text = "".join(p.text if p.kind == "lit" else "$" + p.text for p in t.word.parts)
        elif t.kind == "arith":
            text = "(("
        else:
            text = "newline" if t.kind == "newline" else t.value
        return ShellSyntaxError(t.line, f"syntax error near unexpected token `{text}'", True)

    def is_word(self, *names: str) -> bool:
        return (
            self.tok.kind == "word" and self.tok.word is not None and self.tok.word.literal in names
        )

    def is_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.value in ops

    def expect_word(self, name: str) -> None:
        if not self.is_word(name):
            raise self.error(self.tok)
        self.i += 1

    def expect_op(self, op: str) -> None:
        if not self.is_op(op):
            raise self.error(self.tok)
        self.i += 1

    def linebreak(self) -> None:
        while self.tok.kind == "newline":
            self.i += 1
