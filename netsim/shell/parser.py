"""Parse tokens into a small shell AST: lists, ``&&``/``||``, pipelines, simple
commands, ``for`` and ``if``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from netsim.shell.lexer import ShellSyntaxError, Token, UnsupportedSyntax, Word, tokenize

__all__ = [
    "AndOr",
    "Cond",
    "For",
    "If",
    "Node",
    "Pipeline",
    "Redir",
    "Seq",
    "Simple",
    "While",
    "parse",
]

_RESERVED: Final = frozenset({"then", "elif", "else", "fi", "do", "done", "in"})
_UNSUPPORTED_WORDS: Final = frozenset({"case", "esac", "function", "select", "{", "}", "]]"})


@dataclass
class Redir:
    """``op`` is ``>``, ``>>``, ``<``, ``>&``, ``&>``, ``&>>`` or ``<<``; ``fd`` the
    descriptor it applies to (-1: the operator's default); ``target`` the file
    word (or here-document body)."""

    op: str
    fd: int
    target: Word
    line: int


@dataclass
class Simple:
    assigns: list[tuple[str, Word]]
    words: list[Word]
    redirs: list[Redir]
    line: int


@dataclass
class Pipeline:
    commands: list[Node]
    negate: bool
    line: int


@dataclass
class AndOr:
    first: Pipeline
    rest: list[tuple[str, Pipeline]]


@dataclass
class Seq:
    items: list[AndOr] = field(default_factory=list)


@dataclass
class For:
    var: str
    words: list[Word] | None
    body: Seq
    redirs: list[Redir]
    line: int


@dataclass
class If:
    clauses: list[tuple[Seq, Seq]]
    orelse: Seq | None
    redirs: list[Redir]
    line: int


@dataclass
class While:
    """``while``/``until`` (``until`` is True) COND; do BODY; done."""

    cond: Seq
    body: Seq
    until: bool
    redirs: list[Redir]
    line: int


@dataclass
class Cond:
    """``[[ ... ]]``: ``items`` are ``("word", Word)`` or ``("op", text)`` for
    ``( ) ! && || < >``."""

    items: list[tuple[str, Word | str]]
    redirs: list[Redir]
    line: int


Node = Simple | For | If | While | Cond


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.toks = tokens
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def next(self) -> Token:
        t = self.toks[self.i]
        self.i += 1
        return t

    def error(self, t: Token) -> ShellSyntaxError:
        if t.kind == "eof":
            return ShellSyntaxError(t.line, "syntax error: unexpected end of file")
        if t.kind == "word":
            assert t.word is not None
            text = "".join(p.text if p.kind == "lit" else "$" + p.text for p in t.word.parts)
        else:
            text = "newline" if t.kind == "newline" else t.value
        return ShellSyntaxError(t.line, f"syntax error near unexpected token '{text}'")

    def is_word(self, *names: str) -> bool:
        return (
            self.tok.kind == "word" and self.tok.word is not None and self.tok.word.literal in names
        )

    def expect_word(self, name: str) -> None:
        if not self.is_word(name):
            raise self.error(self.tok)
        self.i += 1

    def linebreak(self) -> None:
        while self.tok.kind == "newline":
            self.i += 1

    def seq(self, stop: tuple[str, ...]) -> Seq:
        """A list of and-or lists, up to one of the reserved words ``stop`` (or EOF)."""
        out = Seq()
        while True:
            self.linebreak()
            if self.tok.kind == "eof" or self.is_word(*stop):
                return out
            out.items.append(self.and_or())
            if self.tok.kind == "op" and self.tok.value == ";":
                self.i += 1
            elif self.tok.kind not in ("newline", "eof") and not self.is_word(*stop):
                raise self.error(self.tok)

    def nonempty(self, stop: tuple[str, ...]) -> Seq:
        out = self.seq(stop)
        if not out.items:
            raise self.error(self.tok)
        return out

    def and_or(self) -> AndOr:
        node = AndOr(self.pipeline(), [])
        while self.tok.kind == "op" and self.tok.value in ("&&", "||"):
            op = self.next().value
            self.linebreak()
            node.rest.append((op, self.pipeline()))
        return node

    def pipeline(self) -> Pipeline:
        line = self.tok.line
        negate = False
        if self.is_word("!"):
            self.i += 1
            negate = True
        cmds = [self.command()]
        while self.tok.kind == "op" and self.tok.value == "|":
            self.i += 1
            self.linebreak()
            cmds.append(self.command())
        return Pipeline(cmds, negate, line)

    def command(self) -> Node:
        t = self.tok
        if t.kind not in ("word", "redir") and not (t.kind == "op" and t.value == "("):
            raise self.error(t)
        lit = t.word.literal if t.word is not None else None
        if lit == "for":
            return self.for_()
        if lit == "if":
            return self.if_()
        if lit in ("while", "until"):
            return self.while_(lit == "until")
        if lit == "[[":
            return self.cond()
        if t.kind == "op" and t.value == "(":
            raise UnsupportedSyntax(t.line, "subshell '( ... )'")
        if lit in _RESERVED:
            raise self.error(t)
        if lit in _UNSUPPORTED_WORDS:
            raise UnsupportedSyntax(t.line, f"'{lit}'")
        return self.simple()

    def simple(self) -> Simple:
        node = Simple([], [], [], self.tok.line)
        while self.tok.kind in ("word", "redir"):
            t = self.tok
            if t.kind == "redir":
                node.redirs.append(self.redir())
                continue
            assert t.word is not None
            if (
                t.word.parts
                and t.word.parts[0].kind == "lit"
                and t.word.parts[0].text.endswith("()")
            ):
                raise UnsupportedSyntax(t.line, "function definition")
            self.i += 1
            assign = t.word.assignment() if not node.words else None
            if assign is not None:
                node.assigns.append(assign)
            else:
                node.words.append(t.word)
        if self.tok.kind == "op" and self.tok.value == "(" and len(node.words) == 1:
            raise UnsupportedSyntax(node.line, "function definition")
        return node

    def redir(self) -> Redir:
        t = self.next()
        if t.value in ("<<", "<<-"):
            assert t.body is not None
            return Redir("<<", 0, t.body, t.line)
        target = self.tok
        if target.kind != "word" or target.word is None:
            raise self.error(target)
        self.i += 1
        return Redir(t.value, t.fd, target.word, t.line)

    def redirs(self) -> list[Redir]:
        out = []
        while self.tok.kind == "redir":
            out.append(self.redir())
        return out

    def for_(self) -> For:
        line = self.next().line
        t = self.next()
        name = t.word.literal if t.word is not None else None
        if name is None or not name.isidentifier():
            raise self.error(t)
        words: list[Word] | None = None
        self.linebreak()
        if self.is_word("in"):
            self.i += 1
            words = []
            while self.tok.kind == "word" and self.tok.word is not None:
                words.append(self.tok.word)
                self.i += 1
            if self.tok.kind == "op" and self.tok.value == ";":
                self.i += 1
            elif self.tok.kind != "newline":
                raise self.error(self.tok)
        elif self.tok.kind == "op" and self.tok.value == ";":
            self.i += 1
        self.linebreak()
        self.expect_word("do")
        body = self.nonempty(("done",))
        self.expect_word("done")
        return For(name, words, body, self.redirs(), line)

    def if_(self) -> If:
        line = self.next().line
        clauses: list[tuple[Seq, Seq]] = []
        orelse: Seq | None = None
        while True:
            cond = self.nonempty(("then",))
            self.expect_word("then")
            body = self.nonempty(("elif", "else", "fi"))
            clauses.append((cond, body))
            if self.is_word("elif"):
                self.i += 1
                continue
            if self.is_word("else"):
                self.i += 1
                orelse = self.nonempty(("fi",))
            self.expect_word("fi")
            return If(clauses, orelse, self.redirs(), line)

    def while_(self, until: bool) -> While:
        line = self.next().line
        cond = self.nonempty(("do",))
        self.expect_word("do")
        body = self.nonempty(("done",))
        self.expect_word("done")
        return While(cond, body, until, self.redirs(), line)

    def cond(self) -> Cond:
        line = self.next().line
        items: list[tuple[str, Word | str]] = []
        while not self.is_word("]]"):
            t = self.next()
            if t.kind == "word" and t.word is not None:
                lit = t.word.literal
                items.append(("op", lit) if lit == "!" else ("word", t.word))
            elif t.kind in ("op", "redir") and t.value in ("(", ")", "&&", "||", "<", ">"):
                items.append(("op", t.value))
            else:
                raise self.error(t)
        self.i += 1
        if not items:
            raise self.error(self.toks[self.i - 1])
        return Cond(items, self.redirs(), line)


def parse(src: str) -> Seq:
    """The AST of a whole script; raises :class:`ShellSyntaxError` or :class:`UnsupportedSyntax`."""
    p = _Parser(tokenize(src))
    out = p.seq(())
    if p.tok.kind != "eof":
        raise p.error(p.tok)
    return out
