"""Run a parsed script: expansion, redirections, pipelines, ``&&``/``||``,
``set -e``, ``for`` and ``if``, and the command lookup (builtins, then
:data:`netsim.tools.TOOLS`)."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from netsim.kernel import INIT_NET
from netsim.shell.fs import DEV_NULL, FsError, MemFs
from netsim.shell.lexer import ShellSyntaxError, UnsupportedSyntax, Word
from netsim.shell.parser import AndOr, For, If, Node, Pipeline, Redir, Seq, Simple, parse
from netsim.shell.proc import Proc, Tool

if TYPE_CHECKING:
    from netsim.world import World

__all__ = ["ExitScript", "Shell", "ShellResult", "Streams", "run_script"]

#: Set to a non-empty value to let a tool's exception escape (with its traceback).
TRACEBACK_ENV = "NETSIM_SH_TRACEBACK"


@dataclass(frozen=True)
class ShellResult:
    stdout: str
    stderr: str
    status: int


class ExitScript(Exception):
    """``exit N``, or a failing command under ``set -e``: stops the script."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


class LoopControl(Exception):
    """``break N`` / ``continue N`` unwinding to the enclosing ``for`` loop."""

    def __init__(self, kind: str, levels: int):
        super().__init__(kind)
        self.kind = kind
        self.levels = levels


class _RedirError(Exception):
    pass


@dataclass
class Streams:
    """What a command reads (stdin text) and where it writes."""

    stdin: str
    out: io.StringIO
    err: io.StringIO


def find_tool(name: str) -> Tool | None:
    """``netsim.tools.TOOLS[name]``, or None (also when that package is absent)."""
    try:
        mod: Any = importlib.import_module("netsim.tools")
    except ImportError:
        return None
    tools = cast(Mapping[str, Tool], getattr(mod, "TOOLS", {}))
    return tools.get(name)


class Shell:
    """A shell session on one world: variables and the in-memory filesystem
    persist across :meth:`run` calls; ``set -e`` is per script."""

    def __init__(self, world: World, *, netns: str = INIT_NET):
        self.world = world
        self.netns = netns
        self.fs = MemFs()
        self.vars: dict[str, str] = {}
        self.exported: set[str] = set()
        self.status = 0
        self.errexit = False
        self.line = 1
        self._suppress = 0  # >0 inside if-conditions and non-final &&/|| operands
        self.loops = 0  # how many ``for`` loops enclose the running command

    # --- entry point ---------------------------------------------------------------------

    def run(self, script: str) -> ShellResult:
        """Run ``script`` to completion; returns what it printed and its exit status."""
        out, err = io.StringIO(), io.StringIO()
        self.errexit = False
        self._suppress = self.loops = 0
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
        try:
            inner, flush = self.redirect(node.redirs, s)
        except _RedirError as e:
            s.err.write(f"netsim: line {node.line}: {e}\n")
            return 1
        try:
            if isinstance(node, For):
                return self.exec_for(node, inner)
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
                try:
                    status = self.exec_seq(node.body, s)
                except LoopControl as c:
                    status = 0
                    if c.levels > 1:
                        c.levels -= 1
                        raise
                    if c.kind == "break":
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
        try:
            argv = [f for w in node.words for f in self.fields(w)]
            assigns = {name: self.string(value) for name, value in node.assigns}
            inner, flush = self.redirect(node.redirs, s)
        except _RedirError as e:
            s.err.write(f"netsim: line {node.line}: {e}\n")
            return 1
        try:
            if not argv:
                self.vars.update(assigns)
                return 0
            env = {k: v for k, v in self.vars.items() if k in self.exported}
            env.update(assigns)
            return self.call(argv, env, inner)
        finally:
            flush()

    def call(self, argv: list[str], env: dict[str, str], s: Streams) -> int:
        """Run one command: a builtin, else a tool, else status 127."""
        from netsim.shell.builtins import BUILTINS

        name = argv[0]
        proc = Proc(self.world, self.netns, argv, s.stdin, env, s.out, s.err)
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

    # --- expansion -----------------------------------------------------------------------

    def value(self, name: str) -> str:
        return str(self.status) if name == "?" else self.vars.get(name, "")

    def string(self, word: Word) -> str:
        """The word expanded without field splitting (assignments, here-documents)."""
        return "".join(self.value(p.text) if p.kind == "var" else p.text for p in word.parts)

    def fields(self, word: Word) -> list[str]:
        """The word expanded; unquoted expansions split on blanks (no globbing)."""
        fields: list[str] = []
        cur, started = "", False
        for p in word.parts:
            if p.kind == "lit" or p.quoted:
                cur += self.value(p.text) if p.kind == "var" else p.text
                started = True
                continue
            value = self.value(p.text)
            pieces = value.split()
            if value[:1].isspace() and started:
                fields.append(cur)
                cur, started = "", False
            for n, piece in enumerate(pieces):
                if n:
                    fields.append(cur)
                cur, started = cur + piece if n == 0 else piece, True
            if pieces and value[-1:].isspace():
                fields.append(cur)
                cur, started = "", False
        if started:
            fields.append(cur)
        return fields

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
                    raise _RedirError(f"{target}: {e.strerror}") from None
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
                raise _RedirError(f"unsupported redirection '{fdtext}{r.op}{target}'")

        def flush() -> None:
            for path, buf in pending:
                with contextlib.suppress(FsError):  # checked when opened
                    self.fs.write(path, buf.getvalue(), append=True)

        return cur, flush

    def _target(self, word: Word) -> str:
        fields = self.fields(word)
        if len(fields) != 1:
            text = "".join(p.text if p.kind == "lit" else "$" + p.text for p in word.parts)
            raise _RedirError(f"{text}: ambiguous redirect")
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
            raise _RedirError(f"{path}: {e.strerror}") from None
        pending.append((path, buf))
        return buf


def run_script(world: World, script: str) -> ShellResult:
    """Run ``script`` in a fresh :class:`Shell` on ``world``."""
    return Shell(world).run(script)
