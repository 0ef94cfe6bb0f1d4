"""Shell arithmetic (``$(( ))``, ``(( ))``, ``for (( ))``): a small recursive-descent
evaluator of bash's integer expressions (``expr.c``), never Python ``eval``.

Integers are 64-bit and wrap as bash's ``intmax_t`` does; ``/`` and ``%``
truncate toward zero (C); a variable's value is itself evaluated as an
expression (``s="3 + 4"; $(( s * 2 ))`` is 14); an unset or empty one is 0.
Errors carry bash's text and its "error token" (the input from the last token
read: ``1/0: division by 0 (error token is "0")``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

__all__ = ["ArithError", "arith_eval"]

_MASK: Final = (1 << 64) - 1
_NUMBER: Final = re.compile(r"[0-9][0-9A-Za-z_@#]*")
_IDENT: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPS: Final = sorted(
    [
        "<<=",
        ">>=",
        "**",
        "++",
        "--",
        "<<",
        ">>",
        "<=",
        ">=",
        "==",
        "!=",
        "&&",
        "||",
        "*=",
        "/=",
        "%=",
        "+=",
        "-=",
        "&=",
        "^=",
        "|=",
        "+",
        "-",
        "*",
        "/",
        "%",
        "<",
        ">",
        "=",
        "&",
        "^",
        "|",
        "!",
        "~",
        "?",
        ":",
        ",",
        "(",
        ")",
    ],
    key=len,
    reverse=True,
)
_ASSIGN_OPS: Final = ("=", "*=", "/=", "%=", "+=", "-=", "<<=", ">>=", "&=", "^=", "|=")
#: Binary operators by precedence level, loosest first (bash's ``expr.c``).
_LEVELS: Final = (("|",), ("^",), ("&",), ("==", "!="), ("<", ">", "<=", ">="), ("<<", ">>"))
_LEVELS2: Final = (("+", "-"), ("*", "/", "%"))
_DIGITS: Final = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@_"


class ArithError(Exception):
    """An arithmetic error: ``message`` and bash's error token."""

    def __init__(self, message: str, token: str, expr: str | None = None):
        super().__init__(message)
        self.message = message
        self.token = token
        #: what bash names as the expression, when not the whole one (a bad constant)
        self.expr = expr


def _wrap(n: int) -> int:
    n &= _MASK
    return n - (1 << 64) if n >> 63 else n


def _number(text: str) -> int:
    """A constant: decimal, ``0x`` hex, ``0`` octal or ``BASE#DIGITS``."""
    base = 10
    digits = text
    if "#" in text:
        head, _, digits = text.partition("#")
        if not head.isdigit() or not 2 <= int(head) <= 64 or not digits:
            raise ArithError("invalid arithmetic base", text, text)
        base = int(head)
    elif text[:2] in ("0x", "0X"):
        base, digits = 16, text[2:]
    elif text.startswith("0") and len(text) > 1:
        base, digits = 8, text[1:]
    value = 0
    for c in digits:
        d = _DIGITS.find(c) if base > 36 else _DIGITS.find(c.lower())
        if d < 0 or d >= base:
            raise ArithError("value too great for base", text, text)
        value = value * base + d
    return _wrap(value)


class _Eval:
    def __init__(
        self, text: str, get: Callable[[str], str], set_: Callable[[str, str], None], depth: int
    ):
        self.text = text
        self.get = get
        self.set = set_
        self.depth = depth
        self.i = 0
        self.last = 0  # start of the last token read (bash's ``lasttp``)
        self.skip = 0  # >0: evaluate without side effects (short-circuit)

    # --- tokens ------------------------------------------------------------------------
    def _ws(self) -> None:
        while self.i < len(self.text) and self.text[self.i] in " \t\n\r":
            self.i += 1

    def error(self, message: str) -> ArithError:
        return ArithError(message, self.text[self.last :])

    def peek(self) -> str:
        """The next operator ("" at the end, "n" before a number or name)."""
        self._ws()
        if self.i >= len(self.text):
            return ""
        c = self.text[self.i]
        if c.isalnum() or c == "_":
            return "n"
        for op in _OPS:
            if self.text.startswith(op, self.i):
                return op
        self.last = self.i
        raise self.error("syntax error: invalid arithmetic operator")

    def take(self, op: str) -> bool:
        if self.peek() != op:
            return False
        self.last = self.i
        self.i += len(op)
        return True

    # --- grammar (loosest first) -------------------------------------------------------
    def comma(self) -> int:
        value = self.assign()
        while self.take(","):
            value = self.assign()
        return value

    def assign(self) -> int:
        self._ws()
        m = _IDENT.match(self.text, self.i)
        if m is not None:
            j = m.end()
            while j < len(self.text) and self.text[j] in " \t\n":
                j += 1
            op = next((o for o in _ASSIGN_OPS if self.text.startswith(o, j)), None)
            if op is not None and not self.text.startswith("==", j):
                self.last, self.i = j, j + len(op)
                rhs = self.assign()
                value = rhs if op == "=" else self.binop(op[:-1], self.var(m.group()), rhs)
                self.store(m.group(), value)
                return value
        return self.ternary()

    def ternary(self) -> int:
        cond = self.logic_or()
        if not self.take("?"):
            return cond
        self.skip += not cond
        a = self.comma()
        self.skip -= not cond
        if not self.take(":"):
            raise self.error("`:' expected for conditional expression")
        self.skip += bool(cond)
        b = self.ternary()
        self.skip -= bool(cond)
        return a if cond else b

    def logic_or(self) -> int:
        value = self.logic_and()
        while self.take("||"):
            self.skip += bool(value)
            rhs = self.logic_and()
            self.skip -= bool(value)
            value = int(bool(value) or bool(rhs))
        return value

    def logic_and(self) -> int:
        value = self.binary(0)
        while self.take("&&"):
            self.skip += not value
            rhs = self.binary(0)
            self.skip -= not value
            value = int(bool(value) and bool(rhs))
        return value

    def binary(self, level: int) -> int:
        levels = _LEVELS + _LEVELS2
        if level == len(levels):
            return self.power()
        value = self.binary(level + 1)
        while (op := self.peek()) in levels[level]:
            self.take(op)
            value = self.binop(op, value, self.binary(level + 1))
        return value

    def power(self) -> int:
        base = self.unary()
        if self.take("**"):
            exp = self.power()
            if exp < 0 and not self.skip:
                raise self.error("exponent less than 0")
            return _wrap(base**exp) if exp >= 0 else 0
        return base

    def unary(self) -> int:
        op = self.peek()
        if op in ("++", "--"):
            self.take(op)
            self._ws()
            m = _IDENT.match(self.text, self.i)
            if m is None:
                raise self.error("syntax error: operand expected")
            self.last, self.i = self.i, m.end()
            value = _wrap(self.var(m.group()) + (1 if op == "++" else -1))
            self.store(m.group(), value)
            return value
        if op in ("!", "~", "-", "+"):
            self.take(op)
            v = self.unary()
            return {"!": int(not v), "~": ~v, "-": _wrap(-v), "+": v}[op]
        return self.postfix()

    def postfix(self) -> int:
        op = self.peek()
        if op == "(":
            self.take("(")
            value = self.comma()
            if not self.take(")"):
                raise self.error("missing `)'")
            return value
        if op != "n":
            raise self.error("syntax error: operand expected")
        self.last = self.i
        m = _IDENT.match(self.text, self.i)
        if m is None:
            num = _NUMBER.match(self.text, self.i)
            assert num is not None
            self.i = num.end()
            return 0 if self.skip else _number(num.group())
        self.i = m.end()
        name = m.group()
        value = self.var(name)
        nxt = self.peek()
        if nxt in ("++", "--"):
            self.take(nxt)
            self.store(name, _wrap(value + (1 if nxt == "++" else -1)))
        return value

    # --- values ------------------------------------------------------------------------
    def var(self, name: str) -> int:
        if self.skip:
            return 0
        text = self.get(name).strip()
        if not text:
            return 0
        if re.fullmatch(r"-?[0-9]+", text):
            return _wrap(int(text))
        if self.depth > 1024:
            raise self.error("expression recursion level exceeded")
        return arith_eval(text, self.get, self.set, depth=self.depth + 1)

    def store(self, name: str, value: int) -> None:
        if not self.skip:
            self.set(name, str(value))

    def binop(self, op: str, a: int, b: int) -> int:
        if op in ("/", "%"):
            if b == 0:
                if self.skip:
                    return 0
                raise self.error("division by 0")
            q = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)
            return _wrap(q if op == "/" else a - q * b)
        if op in ("<<", ">>"):
            return _wrap(a << (b & 63)) if op == "<<" else a >> (b & 63)
        table: dict[str, Callable[[int, int], int]] = {
            "+": lambda x, y: x + y,
            "-": lambda x, y: x - y,
            "*": lambda x, y: x * y,
            "&": lambda x, y: x & y,
            "|": lambda x, y: x | y,
            "^": lambda x, y: x ^ y,
            "==": lambda x, y: int(x == y),
            "!=": lambda x, y: int(x != y),
            "<": lambda x, y: int(x < y),
            ">": lambda x, y: int(x > y),
            "<=": lambda x, y: int(x <= y),
            ">=": lambda x, y: int(x >= y),
        }
        return _wrap(table[op](a, b))


def arith_eval(
    text: str,
    get: Callable[[str], str],
    set_: Callable[[str, str], None],
    *,
    depth: int = 0,
) -> int:
    """The value of the (already expanded) expression ``text``; an empty one is 0.
    ``get``/``set_`` read and assign shell variables; raises :class:`ArithError`."""
    ev = _Eval(text, get, set_, depth)
    if ev.peek() == "":
        return 0
    value = ev.comma()
    if ev.peek() != "":
        ev.last = ev.i
        raise ev.error("syntax error in expression")
    return value
