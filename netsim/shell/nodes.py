"""The shell AST: lists, ``&&``/``||``, pipelines, simple commands and the
compound commands (``for``, ``while``, ``if``, ``case``, ``[[ ]]``, ``(( ))``,
subshells, brace groups) and function definitions."""

from __future__ import annotations

from dataclasses import dataclass, field

from netsim.shell.syntax import Word

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
]


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
    #: ended with ``&``: run as a background job
    background: bool = False


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
class ForArith:
    """``for (( INIT; COND; STEP )); do BODY; done``."""

    init: str
    cond: str
    step: str
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


@dataclass
class Arith:
    """``(( EXPR ))``: status 0 when EXPR is non-zero."""

    expr: str
    redirs: list[Redir]
    line: int


@dataclass
class Case:
    """``case WORD in PATTERN|PATTERN) BODY ;; ... esac``; each item ends with
    ``;;``, ``;&`` (fall through) or ``;;&`` (test the next patterns)."""

    word: Word
    items: list[tuple[list[Word], Seq, str]]
    redirs: list[Redir]
    line: int


@dataclass
class Subshell:
    """``( LIST )``: runs with a copy of the shell's state."""

    body: Seq
    redirs: list[Redir]
    line: int


@dataclass
class Group:
    """``{ LIST; }``: runs in the shell itself; its redirections cover the list."""

    body: Seq
    redirs: list[Redir]
    line: int


@dataclass
class FuncDef:
    """``NAME() BODY`` or ``function NAME [()] BODY`` (BODY is a compound command)."""

    name: str
    body: Node
    redirs: list[Redir]
    line: int


Node = Simple | For | ForArith | If | While | Cond | Arith | Case | Subshell | Group | FuncDef
