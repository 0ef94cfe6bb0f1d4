"""Run a parsed script: redirections, pipelines, ``&&``/``||``, ``set -e``,
``for``, ``while``/``until``, ``if``, ``[[ ]]`` (:mod:`netsim.shell.cond`),
command substitution, and the command lookup (builtins, then
:data:`netsim.tools.TOOLS`).  Word expansion is in :mod:`netsim.shell.expand`."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from netsim.kernel import INIT_NET
from netsim.shell.expand import Expander
from netsim.shell.fs import DEV_NULL, FsError, MemFs
from netsim.shell.lexer import ShellSyntaxError, UnsupportedSyntax, Word
from netsim.shell.overlay import SysOverlay
from netsim.shell.parser import (
    AndOr,
    Cond,
    For,
    If,
    Node,
    Pipeline,
    Redir,
    Seq,
    Simple,
    While,
    parse,
)
from netsim.shell.proc import Proc
from netsim.shell.runtime import (
    ExitScript,
    LoopControl,
    RedirError,
    ShellResult,
    Streams,
    find_tool,
)

if TYPE_CHECKING:
    from netsim.world import World

__all__ = ["ExitScript", "Shell", "ShellResult", "Streams", "run_script"]

#: Set to a non-empty value to let a tool's exception escape (with its traceback).
TRACEBACK_ENV = "NETSIM_SH_TRACEBACK"


class Shell(Expander):
    """A shell session on one world: variables and the in-memory filesystem
    persist across :meth:`run` calls; ``set -e`` is per script."""

    def __init__(self, world: World, *, netns: str = INIT_NET):
        self.world = world
        self.netns = netns
        self.fs = MemFs()
        self.fs.overlay = SysOverlay(self)
        self.argv0 = "netsim"
        self.args: list[str] = []
        self._err: io.StringIO = io.StringIO()  # stderr of the running command
        self._subst_status: int | None = None
        self.vars: dict[str, str] = {}
        self.exported: set[str] = set()
        self.status = 0
        self.errexit = False
        self.line = 1
        self._suppress = 0  # >0 inside if-conditions and non-final &&/|| operands
        self.loops = 0  # how many ``for`` loops enclose the running command

    # --- entry point ---------------------------------------------------------------------

    def run(
        self, script: str, args: Sequence[str] | None = None, *, name: str | None = None
    ) -> ShellResult:
        """Run ``script`` to completion; returns what it printed and its exit status.
        ``args`` are the positional parameters ``$1``... and ``name`` is ``$0``."""
        out, err = io.StringIO(), io.StringIO()
        self.errexit = False
        self._suppress = self.loops = 0
        if args is not None:
            self.args = list(args)
        if name is not None:
            self.argv0 = name
        self._err = err
        try:
            tree = parse(script)
        except ShellSyntaxError as e:
            err.write(f"netsim: line {e.line}: {e.message}\n")
            status = 2
        except UnsupportedSyntax as e:
            err.write(f"netsim: line {e.line}: unsupported shell syntax: {e.what}\n")
            status = 2
        else:
            try:
                status = self.exec_seq(tree, Streams("", out, err))
            except ExitScript as e:
                status = e.status
        self.status = status
        return ShellResult(out.getvalue(), err.getvalue(), status)

    # --- structure -----------------------------------------------------------------------

    def exec_seq(self, seq: Seq, s: Streams) -> int:
        status = 0
        for item in seq.items:
            status = self.exec_and_or(item, s)
        return status

    def exec_and_or(self, node: AndOr, s: Streams) -> int:
        steps: list[tuple[str, Pipeline]] = [("", node.first), *node.rest]
        for n, (op, pipeline) in enumerate(steps):
            if (op == "&&" and self.status != 0) or (op == "||" and self.status == 0):
                continue
            last = n == len(steps) - 1
            self._suppress += 0 if last else 1
            try:
                self.exec_pipeline(pipeline, s)
            finally:
                self._suppress -= 0 if last else 1
        return self.status

    def exec_pipeline(self, node: Pipeline, s: Streams) -> int:
        stdin = s.stdin
        status = 0
        for n, cmd in enumerate(node.commands):
            last = n == len(node.commands) - 1
            out = s.out if last else io.StringIO()
            self._suppress += 1 if node.negate else 0
            try:
                status = self.exec_node(cmd, Streams(stdin, out, s.err))
            finally:
                self._suppress -= 1 if node.negate else 0
            stdin = out.getvalue()
        if node.negate:
            status = 0 if status else 1
        self.status = status
        if status and self.errexit and not self._suppress and not node.negate:
            raise ExitScript(status)
        return status

    def exec_node(self, node: Node, s: Streams) -> int:
        if isinstance(node, Simple):
            return self.exec_simple(node, s)
        self._err = s.err
        try:
            inner, flush = self.redirect(node.redirs, s)
        except RedirError as e:
            s.err.write(f"netsim: line {node.line}: {e}\n")
            return 1
        try:
            if isinstance(node, For):
                return self.exec_for(node, inner)
            if isinstance(node, While):
                return self.exec_while(node, inner)
            if isinstance(node, Cond):
                from netsim.shell.cond import eval_cond

                self.line = node.line
                return eval_cond(self, node, inner)
            return self.exec_if(node, inner)
        finally:
            flush()

    def exec_for(self, node: For, s: Streams) -> int:
        words = [f for w in node.words or [] for f in self.fields(w)]
        status = 0
        self.loops += 1
        try:
            for value in words:
                self.vars[node.var] = value
                status, stop = self._loop_body(node.body, s)
                if stop:
                    break
        finally:
            self.loops -= 1
        return status

    def _loop_body(self, body: Seq, s: Streams) -> tuple[int, bool]:
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
                self._suppress += 1
                try:
                    ok = (self.exec_seq(node.cond, s) == 0) != node.until
                finally:
                    self._suppress -= 1
                if not ok:
                    break
                status, stop = self._loop_body(node.body, s)
                if stop:
                    break
        finally:
            self.loops -= 1
        return status

    def exec_if(self, node: If, s: Streams) -> int:
        for cond, body in node.clauses:
            self._suppress += 1
            try:
                ok = self.exec_seq(cond, s) == 0
            finally:
                self._suppress -= 1
            if ok:
                return self.exec_seq(body, s)
        return self.exec_seq(node.orelse, s) if node.orelse is not None else 0

    # --- simple commands -----------------------------------------------------------------

    def exec_simple(self, node: Simple, s: Streams) -> int:
        self.line = node.line
        self._err = s.err
        self._subst_status = None
        try:
            argv = [f for w in node.words for f in self.fields(w)]
            assigns = {name: self.string(value) for name, value in node.assigns}
            inner, flush = self.redirect(node.redirs, s)
        except RedirError as e:
            s.err.write(f"netsim: line {node.line}: {e}\n")
            return 1
        try:
            if not argv:
                self.vars.update(assigns)
                return self._subst_status or 0
            env = {k: v for k, v in self.vars.items() if k in self.exported}
            env.update(assigns)
            return self.call(argv, env, inner)
        finally:
            flush()

    def call(self, argv: list[str], env: dict[str, str], s: Streams) -> int:
        """Run one command: a builtin, else a tool, else status 127."""
        from netsim.shell.builtins import BUILTINS

        name = argv[0]
        proc = Proc(self.world, self.netns, argv, s.stdin, env, s.out, s.err, self.run_proc)
        builtin = BUILTINS.get(name)
        tool = None if builtin is not None else find_tool(name)
        if builtin is None and tool is None:
            s.err.write(f"netsim: {name}: command not supported\n")
            return 127
        try:
            if builtin is not None:
                return builtin(self, proc)
            assert tool is not None
            return tool(proc)
        except (ExitScript, LoopControl):
            raise
        except Exception as e:
            if os.environ.get(TRACEBACK_ENV):
                raise
            s.err.write(f"netsim: {name}: internal error: {type(e).__name__}: {e}\n")
            return 1

    def run_proc(self, proc: Proc) -> int:
        """Run ``proc.argv`` as this shell would, in ``proc.netns`` (``ip netns exec``:
        builtins too, and /sys shows that namespace)."""
        saved, self.netns = self.netns, proc.netns
        try:
            return self.call(proc.argv, proc.env, Streams(proc.stdin, proc.stdout, proc.stderr))
        finally:
            self.netns = saved

    # --- expansion -----------------------------------------------------------------------

    def substitute(self, src: str) -> str:
        """``$(src)``: run ``src`` as a subshell; its output minus trailing newlines."""
        saved = (dict(self.vars), set(self.exported), list(self.args), self.fs.cwd)
        flags = (self.errexit, self._suppress, self.loops, self.line, self._err)
        out = io.StringIO()
        err = self._err
        self.loops = 0
        try:
            tree = parse(src)
            status = self.exec_seq(tree, Streams("", out, err))
        except ShellSyntaxError as e:
            err.write(f"netsim: line {self.line}: {e.message}\n")
            status = 2
        except UnsupportedSyntax as e:
            err.write(f"netsim: line {self.line}: unsupported shell syntax: {e.what}\n")
            status = 2
        except ExitScript as e:
            status = e.status
        except LoopControl:
            status = 0
        self.vars, self.exported, self.args, self.fs.cwd = saved
        self.errexit, self._suppress, self.loops, self.line, self._err = flags
        self.status = self._subst_status = status
        return out.getvalue().rstrip("\n")

    # --- redirections --------------------------------------------------------------------

    def redirect(self, redirs: list[Redir], s: Streams) -> tuple[Streams, Callable[[], None]]:
        """The streams after ``redirs`` (applied left to right), and a function
        that writes what went to files into the filesystem."""
        cur = Streams(s.stdin, s.out, s.err)
        pending: list[tuple[str, io.StringIO]] = []
        for r in redirs:
            if r.op == "<<":
                cur.stdin = self.string(r.target)
                continue
            target = self._target(r.target)
            fd = r.fd if r.fd >= 0 else (0 if r.op == "<" else 1)
            if r.op == "<" and fd == 0:
                try:
                    cur.stdin = self.fs.read(target)
                except FsError as e:
                    raise RedirError(f"{target}: {e.strerror}") from None
            elif r.op == ">&" and target in ("1", "2") and fd in (1, 2):
                sink = cur.out if target == "1" else cur.err
                cur.out, cur.err = (sink, cur.err) if fd == 1 else (cur.out, sink)
            elif r.op in (">", ">>", "&>", "&>>") and fd in (1, 2):
                sink = self._open(target, append=r.op.endswith(">>"), pending=pending)
                if r.op.startswith("&"):
                    cur.out = cur.err = sink
                elif fd == 1:
                    cur.out = sink
                else:
                    cur.err = sink
            else:
                fdtext = "" if r.fd < 0 else str(r.fd)
                raise RedirError(f"unsupported redirection '{fdtext}{r.op}{target}'")

        def flush() -> None:
            for path, buf in pending:
                with contextlib.suppress(FsError):  # checked when opened
                    self.fs.write(path, buf.getvalue(), append=True)

        return cur, flush

    def _target(self, word: Word) -> str:
        fields = self.fields(word)
        if len(fields) != 1:
            text = "".join(p.text if p.kind == "lit" else "$" + p.text for p in word.parts)
            raise RedirError(f"{text}: ambiguous redirect")
        return fields[0]

    def _open(
        self, path: str, *, append: bool, pending: list[tuple[str, io.StringIO]]
    ) -> io.StringIO:
        buf = io.StringIO()
        if self.fs.path(path) == DEV_NULL:
            return buf
        try:
            self.fs.write(path, "", append=append)
        except FsError as e:
            raise RedirError(f"{path}: {e.strerror}") from None
        pending.append((path, buf))
        return buf


def run_script(world: World, script: str, args: Sequence[str] = ()) -> ShellResult:
    """Run ``script`` in a fresh :class:`Shell` on ``world``."""
    return Shell(world).run(script, args)
