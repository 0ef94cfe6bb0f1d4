"""Compound commands beyond loops and ``if``: ``case``, ``(( ))``,
``for (( ))``, subshells ``( )`` (and every element of a pipeline, as bash
forks one), brace groups, and calls of shell functions with ``local`` and
``return``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from netsim.shell.arith import ArithError
from netsim.shell.glob import escape, match
from netsim.shell.nodes import Arith, Case, ForArith, FuncDef
from netsim.shell.runtime import AbortCommand, ExitScript, LoopControl, ReturnSignal, Streams
from netsim.shell.syntax import Word

if TYPE_CHECKING:
    from netsim.shell.interp import Shell

__all__ = ["call_function", "exec_arith", "exec_case", "exec_for_arith", "in_subshell"]


@dataclass
class _State:
    vars: dict[str, str]
    exported: set[str]
    args: list[str]
    cwd: str
    funcs: dict[str, FuncDef]
    frames: list[dict[str, str | None]]
    flags: tuple[bool, int, int, int]


def in_subshell(sh: Shell, body: Callable[[], int]) -> int:
    """Run ``body`` with a copy of the shell's state (variables, functions,
    positional parameters, working directory): nothing it changes leaks out;
    ``exit`` (or ``return``) only ends it.  Files it writes stay written."""
    st = _State(
        dict(sh.vars),
        set(sh.exported),
        list(sh.args),
        sh.fs.cwd,
        dict(sh.funcs),
        [dict(f) for f in sh.frames],
        (sh.errexit, sh.suppress, sh.loops, sh.line),
    )
    sh.loops = 0
    try:
        return body()
    except (ExitScript, ReturnSignal) as e:
        return e.status
    except LoopControl:
        return 0
    except AbortCommand:
        return 1
    finally:
        sh.vars, sh.exported, sh.args, sh.fs.cwd = st.vars, st.exported, st.args, st.cwd
        sh.funcs, sh.frames = st.funcs, st.frames
        sh.errexit, sh.suppress, sh.loops, sh.line = st.flags


def _pattern(sh: Shell, word: Word) -> str:
    """A case pattern: quoted parts match literally, expansions as patterns."""
    return "".join(escape(sh.expand(p)) if p.quoted else sh.expand(p) for p in word.parts)


def exec_case(sh: Shell, node: Case, s: Streams) -> int:
    """``case``: the first item with a matching pattern runs; ``;&`` runs the
    next body too, ``;;&`` goes on testing the items after it."""
    sh.line = node.line
    word = sh.string(node.word)
    status = 0
    fall = False
    for patterns, body, end in node.items:
        if not fall and not any(match(_pattern(sh, p), word) for p in patterns):
            continue
        status = sh.exec_seq(body, s)
        if end == ";;":
            return status
        fall = end == ";&"
    return status


def exec_arith(sh: Shell, node: Arith) -> int:
    """``(( expr ))``: 0 when the value is non-zero, 1 when zero or on an error."""
    sh.line = node.line
    try:
        return 0 if sh.arith(node.expr, command=True) else 1
    except ArithError:
        return 1


def exec_for_arith(sh: Shell, node: ForArith, s: Streams) -> int:
    """``for (( init; cond; step ))``: an empty condition is true."""
    sh.line = node.line
    status = 0
    sh.loops += 1
    try:
        sh.arith(node.init, command=True)
        while not node.cond.strip() or sh.arith(node.cond, command=True):
            status, stop = sh.loop_body(node.body, s)
            if stop:
                break
            sh.arith(node.step, command=True)
    except ArithError:
        return 1
    finally:
        sh.loops -= 1
    return status


def call_function(sh: Shell, fn: FuncDef, argv: list[str], s: Streams) -> int:
    """Run a shell function: ``$1``... are its arguments while it runs, ``local``
    variables are restored when it returns, ``return N`` ends it."""
    saved, loops = sh.args, sh.loops
    sh.args, sh.loops = argv[1:], 0  # bash: break/continue do not reach the caller's loops
    sh.frames.append({})
    try:
        return sh.exec_node(fn.body, s)
    except ReturnSignal as r:
        return r.status
    finally:
        for name, old in sh.frames.pop().items():
            if old is None:
                sh.vars.pop(name, None)
            else:
                sh.vars[name] = old
        sh.args, sh.loops = saved, loops
