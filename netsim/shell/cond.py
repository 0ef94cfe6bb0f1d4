"""``[[ ... ]]``: string and pattern comparisons, integers, file tests, ``!``,
``&&``, ``||`` and parentheses, with no word splitting."""

from __future__ import annotations

import fnmatch
import re
from typing import TYPE_CHECKING, Final

from netsim.shell.lexer import Word
from netsim.shell.parser import Cond

if TYPE_CHECKING:
    from netsim.shell.interp import Shell
    from netsim.shell.runtime import Streams

__all__ = ["eval_cond"]

_INT_OPS: Final = ("-eq", "-ne", "-lt", "-le", "-gt", "-ge")
_UNARY: Final = ("-z", "-n", "-e", "-f", "-d", "-S")


class _CondError(Exception):
    pass


def _int(text: str) -> int:
    text = text.strip()
    if not re.fullmatch(r"-?[0-9]+", text):
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text) or text == "":
            return 0  # bash evaluates a name (unset: 0) arithmetically
        raise _CondError(f"{text}: syntax error: operand expected")
    return int(text)


class _Eval:
    def __init__(self, sh: Shell, items: list[tuple[str, Word | str]]):
        self.sh = sh
        self.items = items
        self.i = 0
        self.skip = 0  # >0: the operand is not evaluated (``&&``/``||`` short-circuit)

    def peek_op(self, *ops: str) -> bool:
        if self.i < len(self.items):
            kind, value = self.items[self.i]
            return kind == "op" and value in ops
        return False

    def word(self) -> Word:
        if self.i >= len(self.items) or self.items[self.i][0] != "word":
            raise _CondError("syntax error in conditional expression")
        w = self.items[self.i][1]
        assert isinstance(w, Word)
        self.i += 1
        return w

    def text(self, w: Word) -> str:
        return "" if self.skip else self.sh.string(w)

    def pattern(self, w: Word) -> re.Pattern[str]:
        out: list[str] = []
        if self.skip:
            return re.compile("")
        for p in w.parts:
            text = self.sh.expand(p)
            if p.quoted:
                out.append(re.escape(text))
            else:
                body = fnmatch.translate(text)  # '(?s:...)\Z'
                out.append(body[4:-3])
        return re.compile("(?s:" + "".join(out) + r")\Z")

    def or_(self) -> bool:
        value = self.and_()
        while self.peek_op("||"):
            self.i += 1
            self.skip += value
            try:
                rhs = self.and_()
            finally:
                self.skip -= value
            value = value or rhs
        return value

    def and_(self) -> bool:
        value = self.not_()
        while self.peek_op("&&"):
            self.i += 1
            self.skip += not value
            try:
                rhs = self.not_()
            finally:
                self.skip -= not value
            value = value and rhs
        return value

    def not_(self) -> bool:
        if self.peek_op("!"):
            self.i += 1
            return not self.not_()
        return self.primary()

    def primary(self) -> bool:
        if self.peek_op("("):
            self.i += 1
            value = self.or_()
            if not self.peek_op(")"):
                raise _CondError("syntax error in conditional expression")
            self.i += 1
            return value
        first = self.word()
        lit = first.literal
        nxt = self.items[self.i] if self.i < len(self.items) else None
        if lit in _UNARY and nxt is not None and nxt[0] == "word":
            arg = self.text(self.word())
            if self.skip:
                return False
            if lit in ("-z", "-n"):
                return (arg != "") == (lit == "-n")
            return self.sh.fs.file_test(lit, arg)
        left = self.text(first)
        if nxt is None or (nxt[0] == "op" and nxt[1] in ("&&", "||", ")")):
            return left != ""
        if nxt[0] == "op" and nxt[1] in ("<", ">"):
            self.i += 1
            right = self.text(self.word())
            return left < right if nxt[1] == "<" else left > right
        op_word = self.word()
        op = op_word.literal
        if op in ("==", "=", "!="):
            matched = self.pattern(self.word()).match(left) is not None
            return matched == (op != "!=")
        if op == "=~":
            regex = self.text(self.word())
            try:
                return re.search(regex, left) is not None
            except re.error:
                return False
        if op in _INT_OPS:
            right = self.text(self.word())
            if self.skip:
                return False
            a, b = _int(left), _int(right)
            return {
                "-eq": a == b,
                "-ne": a != b,
                "-lt": a < b,
                "-le": a <= b,
                "-gt": a > b,
                "-ge": a >= b,
            }[op]
        raise _CondError("conditional binary operator expected")


def eval_cond(sh: Shell, node: Cond, s: Streams) -> int:
    """The status of ``[[ ... ]]``: 0 true, 1 false, 2 on a syntax error."""
    ev = _Eval(sh, node.items)
    try:
        value = ev.or_()
        if ev.i != len(node.items):
            raise _CondError("syntax error in conditional expression")
    except _CondError as e:
        s.err.write(f"{sh.argv0}: line {node.line}: {e}\n")
        return 2
    return 0 if value else 1
