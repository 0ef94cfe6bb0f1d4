"""Parse tokens into the shell AST (:mod:`netsim.shell.nodes`), one complete
command at a time as bash reads a script: :func:`parse_commands` yields each
top-level line's list before the next line is even tokenized, so a syntax error
on line 10 lets lines 1-9 run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from netsim.shell.cursor import TokenCursor
from netsim.shell.lexer import ShellSyntaxError, Token, UnsupportedSyntax, Word, tokenize
from netsim.shell.nodes import (
    AndOr,
    Arith,
    Case,
    Cond,
    For,
    ForArith,
    FuncDef,
    Group,
    If,
    Node,
    Pipeline,
    Redir,
    Seq,
    Simple,
    Subshell,
    While,
)

__all__ = [
    "AndOr",
    "Arith",
    "Case",
    "Cond",
    "For",
    "ForArith",
    "FuncDef",
    "Group",
    "If",
    "Node",
    "Pipeline",
    "Redir",
    "Seq",
    "Simple",
    "Subshell",
    "While",
    "parse",
    "parse_commands",
]

_RESERVED: Final = frozenset({"then", "elif", "else", "fi", "do", "done", "in", "esac", "}"})
_UNSUPPORTED_WORDS: Final = frozenset({"select", "]]"})
_CASE_ENDS: Final = (";;", ";&", ";;&")
_COMPOUND_WORDS: Final = ("for", "if", "while", "until", "[[", "case", "{")


class _Parser(TokenCursor):
    """bash's grammar (``parse.y``): lists, pipelines, simple and compound commands."""

    def seq(self, stop: tuple[str, ...], ops: tuple[str, ...] = ()) -> Seq:
        """A list of and-or lists, up to one of the reserved words ``stop``, the
        operators ``ops`` (``)``, ``;;``) or EOF."""
        out = Seq()
        while True:
            self.linebreak()
            if self.tok.kind == "eof" or self.is_word(*stop) or self.is_op(*ops):
                return out
            out.items.append(self.and_or())
            if self.is_op("&"):
                out.items[-1].background = True
            if self.is_op(";", "&"):
                self.i += 1
            elif self.tok.kind not in ("newline", "eof") and not (
                self.is_word(*stop) or self.is_op(*ops)
            ):
                raise self.error(self.tok)

    def nonempty(self, stop: tuple[str, ...], ops: tuple[str, ...] = ()) -> Seq:
        out = self.seq(stop, ops)
        if not out.items:
            raise self.error(self.tok)
        return out

    def line_list(self) -> Seq | None:
        """The next complete top-level command: a line's list (None at EOF)."""
        self.linebreak()
        if self.tok.kind == "eof":
            return None
        out = Seq()
        while True:
            out.items.append(self.and_or())
            if self.is_op("&"):
                out.items[-1].background = True
            if self.is_op(";", "&"):
                self.i += 1
            if self.tok.kind in ("newline", "eof"):
                return out
            if self.toks[self.i - 1].kind != "op" or self.toks[self.i - 1].value not in ";&":
                raise self.error(self.tok)

    def and_or(self) -> AndOr:
        node = AndOr(self.pipeline(), [])
        while self.is_op("&&", "||"):
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
        while self.is_op("|"):
            self.i += 1
            self.linebreak()
            cmds.append(self.command())
        return Pipeline(cmds, negate, line)

    def command(self) -> Node:
        t = self.tok
        if t.kind == "arith":
            self.i += 1
            return Arith(t.value, self.redirs(), t.line)
        if t.kind == "op" and t.value == "(":
            self.i += 1
            body = self.nonempty((), (")",))
            self.expect_op(")")
            return Subshell(body, self.redirs(), t.line)
        if t.kind not in ("word", "redir"):
            raise self.error(t)
        lit = t.word.literal if t.word is not None else None
        compound = {
            "for": self.for_,
            "if": self.if_,
            "while": lambda: self.while_(False),
            "until": lambda: self.while_(True),
            "[[": self.cond,
            "case": self.case,
            "{": self.group,
            "function": self.function,
        }.get(lit or "")
        if compound is not None:
            return compound()
        if lit in _RESERVED:
            raise self.error(t)
        if lit in _UNSUPPORTED_WORDS:
            raise UnsupportedSyntax(t.line, f"'{lit}'")
        if t.kind == "word" and self.at(1).kind == "op" and self.at(1).value == "(":
            return self.funcdef(t)
        return self.simple()

    def funcdef(self, t: Token) -> FuncDef:
        """``NAME ( ) BODY``: ``t`` is NAME, the current token."""
        assert t.word is not None
        name = t.word.literal
        self.i += 2
        if name is None or any(c in name for c in "$`'\"\\") or not self.is_op(")"):
            raise self.error(self.tok)
        self.i += 1
        return self.func_body(name, t.line)

    def function(self) -> FuncDef:
        line = self.next().line
        t = self.next()
        name = t.word.literal if t.word is not None else None
        if name is None:
            raise self.error(t)
        if self.is_op("("):
            self.i += 1
            self.expect_op(")")
        return self.func_body(name, line)

    def func_body(self, name: str, line: int) -> FuncDef:
        """A function's body: a compound command (bash: else a syntax error)."""
        self.linebreak()
        t = self.tok
        starts = t.kind == "arith" or (t.kind == "op" and t.value == "(")
        if not starts and not self.is_word(*_COMPOUND_WORDS):
            raise self.error(t)
        return FuncDef(name, self.command(), [], line)

    def group(self) -> Group:
        line = self.next().line
        body = self.nonempty(("}",))
        self.expect_word("}")
        return Group(body, self.redirs(), line)

    def case(self) -> Case:
        line = self.next().line
        t = self.next()
        if t.kind != "word" or t.word is None:
            raise self.error(t)
        self.linebreak()
        self.expect_word("in")
        items: list[tuple[list[Word], Seq, str]] = []
        while True:
            self.linebreak()
            if self.is_word("esac"):
                self.i += 1
                return Case(t.word, items, self.redirs(), line)
            if self.is_op("("):
                self.i += 1
            patterns: list[Word] = []
            while True:
                p = self.next()
                if p.kind != "word" or p.word is None:
                    raise self.error(p)
                patterns.append(p.word)
                if not self.is_op("|"):
                    break
                self.i += 1
            self.expect_op(")")
            body = self.seq(("esac",), _CASE_ENDS)
            end = self.next().value if self.is_op(*_CASE_ENDS) else ";;"
            items.append((patterns, body, end))

    def simple(self) -> Simple:
        node = Simple([], [], [], self.tok.line)
        while self.tok.kind in ("word", "redir"):
            t = self.tok
            if t.kind == "redir":
                node.redirs.append(self.redir())
                continue
            assert t.word is not None
            self.i += 1
            assign = t.word.assignment() if not node.words else None
            if assign is not None:
                node.assigns.append(assign)
            else:
                node.words.append(t.word)
        if self.is_op("(") and node.words:
            raise self.error(self.tok)
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

    def for_(self) -> For | ForArith:
        line = self.next().line
        t = self.next()
        if t.kind == "arith":
            return self.for_arith(t, line)
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
            if self.is_op(";"):
                self.i += 1
            elif self.tok.kind != "newline":
                raise self.error(self.tok)
        elif self.is_op(";"):
            self.i += 1
        body = self.do_done()
        return For(name, words, body, self.redirs(), line)

    def do_done(self) -> Seq:
        self.linebreak()
        self.expect_word("do")
        body = self.nonempty(("done",))
        self.expect_word("done")
        return body

    def for_arith(self, t: Token, line: int) -> ForArith:
        parts = t.value.split(";")
        if len(parts) != 3:
            raise ShellSyntaxError(t.line, f"syntax error: `(({t.value}))'")
        if self.is_op(";"):
            self.i += 1
        body = self.do_done()
        return ForArith(parts[0], parts[1], parts[2], body, self.redirs(), line)

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
        body = self.do_done()
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


def parse_commands(src: str) -> Iterator[Seq]:
    """Each complete top-level command of ``src`` (a line's list), parsed only
    when the previous one has been taken; raises :class:`ShellSyntaxError` or
    :class:`UnsupportedSyntax` at the faulty one."""
    p = _Parser(tokenize(src))
    while (cmd := p.line_list()) is not None:
        yield cmd


def parse(src: str) -> Seq:
    """The AST of a whole script (command substitutions, function bodies)."""
    out = Seq()
    for cmd in parse_commands(src):
        out.items.extend(cmd.items)
    return out
