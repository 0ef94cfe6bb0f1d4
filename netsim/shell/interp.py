"""Run a script one complete command at a time (as bash does): redirections,
pipelines, ``&&``/``||``, ``set -e``, ``for``, ``while``/``until``, ``if``,
``[[ ]]`` (:mod:`netsim.shell.cond`) and command substitution.  Simple
commands and the command lookup (functions, builtins, then
:data:`netsim.tools.TOOLS`) are in :mod:`netsim.shell.execute`, word expansion
in :mod:`netsim.shell.expand`; ``case``, ``(( ))``, subshells and function
calls in :mod:`netsim.shell.compound`."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

from netsim.kernel import INIT_NET
from netsim.shell import execute
from netsim.shell.compound import (
    exec_arith,
    exec_case,
    exec_for_arith,
    in_subshell,
)
from netsim.shell.expand import Expander
from netsim.shell.fs import MemFs
from netsim.shell.lexer import ShellSyntaxError, UnsupportedSyntax
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
from netsim.shell.overlay import SysOverlay
from netsim.shell.parser import parse, parse_commands
from netsim.shell.proc import Proc
from netsim.shell.redirect import apply_redirs
from netsim.shell.runtime import (
    AbortCommand,
    ExitScript,
    Input,
    LoopControl,
    RedirError,
    ReturnSignal,
    ShellResult,
    Streams,
    install_executables,
)

if TYPE_CHECKING:
    from netsim.world import World

__all__ = ["ExitScript", "Shell", "ShellResult", "Streams", "run_script"]


class _Echo(io.StringIO):
    """The script's own stdout/stderr, kept and written through to a real stream."""

    def __init__(self, target: TextIO):
        super().__init__()
        self.target = target

    def write(self, text: str) -> int:
        self.target.write(text)
        self.target.flush()
        return super().write(text)


class Shell(Expander):
    """A shell session on one world: variables and the in-memory filesystem
    persist across :meth:`run` calls; ``set -e`` is per script."""

    def __init__(self, world: World, *, netns: str = INIT_NET):
        self.world = world
        self.netns = netns
        self.fs = MemFs()
        self.fs.overlay = SysOverlay(self)
        install_executables(self.fs)
        self.argv0 = "netsim"
        self.args: list[str] = []
        self._err: io.StringIO = io.StringIO()  # stderr of the running command
        self._subst_status: int | None = None
        self.vars: dict[str, str] = {}
        self.exported: set[str] = set()
        self.status = 0
        self.errexit = False
        self.line = 1
        self.suppress = 0  # >0 inside if-conditions and non-final &&/|| operands
        self.loops = 0  # how many ``for`` loops enclose the running command
        self.funcs: dict[str, FuncDef] = {}
        self.frames: list[dict[str, str | None]] = []  # per function call: saved globals
        self.input = Input("")  # stdin of the running command (``read`` consumes it)
        self.background = False  # running a ``LIST &``

    # --- entry point ---------------------------------------------------------------------

    def run(
        self,
        script: str,
        args: Sequence[str] | None = None,
        *,
        name: str | None = None,
        stdin: str = "",
        streams: tuple[io.StringIO, io.StringIO] | None = None,
        echo: tuple[TextIO, TextIO] | None = None,
    ) -> ShellResult:
        """Run ``script`` to completion; returns what it printed and its exit status.
        ``args`` are the positional parameters ``$1``... and ``name`` is ``$0``;
        ``streams`` (stdout, stderr) are where it prints, new ones by default; with
        ``echo``, the script's stdout and stderr are also written there as they come
        (a terminal then sees them interleaved as bash would show them)."""
        if streams is not None:
            out, err = streams
        else:
            out = io.StringIO() if echo is None else _Echo(echo[0])
            err = io.StringIO() if echo is None else _Echo(echo[1])
        inp = Input(stdin)
        self.errexit = False
        self.suppress = self.loops = 0
        if args is not None:
            self.args = list(args)
        if name is not None:
            self.argv0 = name
        self._err = err
        status = 0
        commands = parse_commands(script)
        lines = script.splitlines()
        while True:
            try:
                tree = next(commands, None)
            except ShellSyntaxError as e:
                err.write(f"{self.argv0}: line {e.line}: {e.message}\n")
                if e.show_line and 0 < e.line <= len(lines):
                    err.write(f"{self.argv0}: line {e.line}: `{lines[e.line - 1]}'\n")
                status = 2
                break
            except UnsupportedSyntax as e:
                err.write(f"{self.argv0}: line {e.line}: unsupported shell syntax: {e.what}\n")
                status = 2
                break
            if tree is None:
                break
            try:
                status = self.exec_seq(tree, Streams(inp, out, err))
            except ExitScript as e:
                status = e.status
                break
            except AbortCommand:
                status = self.status = 1
            except (LoopControl, ReturnSignal) as e:
                status = getattr(e, "status", 0)
        self.status = status
        return ShellResult(out.getvalue(), err.getvalue(), status)

    # --- structure -----------------------------------------------------------------------

    def exec_seq(self, seq: Seq, s: Streams) -> int:
        status = 0
        for item in seq.items:
            status = self.exec_and_or(item, s)
        return status

    def exec_and_or(self, node: AndOr, s: Streams) -> int:
        if node.background:
            return self.exec_background(node, s)
        steps: list[tuple[str, Pipeline]] = [("", node.first), *node.rest]
        for n, (op, pipeline) in enumerate(steps):
            if (op == "&&" and self.status != 0) or (op == "||" and self.status == 0):
                continue
            last = n == len(steps) - 1
            self.suppress += 0 if last else 1
            try:
                self.exec_pipeline(pipeline, s)
            finally:
                self.suppress -= 0 if last else 1
        return self.status

    def exec_background(self, node: AndOr, s: Streams) -> int:
        """``LIST &``: only a daemon can be a background job here (it returns at
        once and goes on in the world); ``$?`` is then 0, as bash sets it.
        Anything else stops the script as unsupported syntax does."""
        saved, self.background = self.background, True
        saved_errexit, self.errexit = self.errexit, False
        try:
            self.exec_and_or(AndOr(node.first, node.rest), s)
        finally:
            self.background, self.errexit = saved, saved_errexit
        self.status = 0
        return 0

    def exec_pipeline(self, node: Pipeline, s: Streams) -> int:
        stdin = ""
        status = 0
        single = len(node.commands) == 1
        for n, cmd in enumerate(node.commands):
            last = n == len(node.commands) - 1
            out = s.out if last else io.StringIO()
            self.suppress += 1 if node.negate else 0
            streams = Streams(s.input if n == 0 else stdin, out, s.err)
            try:
                if single:
                    status = self.exec_node(cmd, streams)
                else:  # each element of a pipeline is a subshell in bash
                    status = in_subshell(self, functools.partial(self.exec_node, cmd, streams))
            finally:
                self.suppress -= 1 if node.negate else 0
            stdin = out.getvalue()
        if node.negate:
            status = 0 if status else 1
        self.status = status
        if status and self.errexit and not self.suppress and not node.negate:
            raise ExitScript(status)
        return status

    def exec_node(self, node: Node, s: Streams) -> int:
        if isinstance(node, Simple):
            return self.exec_simple(node, s)
        if isinstance(node, FuncDef):
            self.funcs[node.name] = node
            return 0
        self._err = s.err
        try:
            inner, flush = self.redirect(node.redirs, s)
        except RedirError as e:
            s.err.write(f"{self.argv0}: line {node.line}: {e}\n")
            return 1
        try:
            if isinstance(node, For):
                return self.exec_for(node, inner)
            if isinstance(node, While):
                return self.exec_while(node, inner)
            return self._compound(node, inner)
        finally:
            flush()

    def _compound(self, node: Node, s: Streams) -> int:
        if isinstance(node, Cond):
            from netsim.shell.cond import eval_cond

            self.line = node.line
            return eval_cond(self, node, s)
        if isinstance(node, If):
            return self.exec_if(node, s)
        if isinstance(node, Case):
            return exec_case(self, node, s)
        if isinstance(node, Arith):
            return exec_arith(self, node)
        if isinstance(node, ForArith):
            return exec_for_arith(self, node, s)
        if isinstance(node, Subshell):
            return in_subshell(self, lambda: self.exec_seq(node.body, s))
        assert isinstance(node, Group)
        return self.exec_seq(node.body, s)

    def exec_for(self, node: For, s: Streams) -> int:
        words = [f for w in node.words or [] for f in self.fields(w)]
        status = 0
        self.loops += 1
        try:
            for value in words:
                self.vars[node.var] = value
                status, stop = self.loop_body(node.body, s)
                if stop:
                    break
        finally:
            self.loops -= 1
        return status

    def loop_body(self, body: Seq, s: Streams) -> tuple[int, bool]:
        """One pass of a loop body: its status, and whether ``break`` ended the loop
        (``break N``/``continue N`` with N > 1 go on to the enclosing loop)."""
        try:
            return self.exec_seq(body, s), False
        except LoopControl as c:
            if c.levels > 1:
                c.levels -= 1
                raise
            return 0, c.kind == "break"

    def exec_while(self, node: While, s: Streams) -> int:
        status = 0
        self.loops += 1
        try:
            while True:
                self.suppress += 1
                try:
                    ok = (self.exec_seq(node.cond, s) == 0) != node.until
                finally:
                    self.suppress -= 1
                if not ok:
                    break
                status, stop = self.loop_body(node.body, s)
                if stop:
                    break
        finally:
            self.loops -= 1
        return status

    def exec_if(self, node: If, s: Streams) -> int:
        for cond, body in node.clauses:
            self.suppress += 1
            try:
                ok = self.exec_seq(cond, s) == 0
            finally:
                self.suppress -= 1
            if ok:
                return self.exec_seq(body, s)
        return self.exec_seq(node.orelse, s) if node.orelse is not None else 0

    # --- simple commands -----------------------------------------------------------------

    #: Running one simple command (:mod:`netsim.shell.execute`), as methods.
    exec_simple = execute.exec_simple
    call = execute.call
    exec_path = execute.exec_path

    def run_proc(self, proc: Proc) -> int:
        """Run ``proc.argv`` as this shell would, in ``proc.netns`` (``ip netns exec``:
        builtins too, and /sys shows that namespace)."""
        saved, self.netns = self.netns, proc.netns
        try:
            streams = Streams(proc.stdin, proc.stdout, proc.stderr)
            return self.call(proc.argv, proc.env, streams, functions=False)
        finally:
            self.netns = saved

    # --- expansion -----------------------------------------------------------------------

    def substitute(self, src: str) -> str:
        """``$(src)``: run ``src`` as a subshell; its output minus trailing newlines."""
        out = io.StringIO()
        err = self._err

        def body() -> int:
            try:
                return self.exec_seq(parse(src), Streams("", out, err))
            except ShellSyntaxError as e:
                err.write(f"{self.argv0}: line {self.line}: {e.message}\n")
            except UnsupportedSyntax as e:
                err.write(f"{self.argv0}: line {self.line}: unsupported shell syntax: {e.what}\n")
            return 2

        status = in_subshell(self, body)
        self._err = err
        self.status = self._subst_status = status
        return out.getvalue().rstrip("\n")

    def report(self, text: str) -> None:
        self._err.write(f"{self.argv0}: line {self.line}: {text}\n")

    # --- redirections --------------------------------------------------------------------

    def redirect(self, redirs: list[Redir], s: Streams) -> tuple[Streams, Callable[[], None]]:
        """The streams after ``redirs`` (applied left to right), and a function
        that writes what went to files into the filesystem."""
        return apply_redirs(self, redirs, s)


def run_script(world: World, script: str, args: Sequence[str] = ()) -> ShellResult:
    """Run ``script`` in a fresh :class:`Shell` on ``world``."""
    return Shell(world).run(script, args)
