"""Running one simple command, as bash's ``execute_simple_command()`` does
(``execute_cmd.c``): assignments, words and redirections expanded, then the
command looked up (``search_for_command()``, ``findcmd.c``): a function, a
builtin, a tool of :data:`netsim.tools.TOOLS`, or an executable given by
path; else status 127.  ``LIST &`` runs only daemons.

:class:`~netsim.shell.interp.Shell` binds :func:`exec_simple`, :func:`call`
and :func:`exec_path` as its methods of those names.
"""

from __future__ import annotations

import os
import posixpath
from typing import TYPE_CHECKING

from netsim.shell.compound import call_function
from netsim.shell.proc import Proc
from netsim.shell.runtime import (
    AbortCommand,
    ExitScript,
    LoopControl,
    RedirError,
    ReturnSignal,
    Streams,
    find_executable,
    find_tool,
)

if TYPE_CHECKING:
    from netsim.shell.interp import Shell
    from netsim.shell.nodes import Simple

__all__ = ["BACKGROUND_REFUSED", "TRACEBACK_ENV", "call", "exec_path", "exec_simple"]

#: Set to a non-empty value to let a tool's exception escape (with its traceback).
TRACEBACK_ENV = "NETSIM_SH_TRACEBACK"

#: The status of a command refused as a background job.
BACKGROUND_REFUSED = 2


def may_background(argv: list[str]) -> bool:
    """A daemon (``dnsmasq``, ``/usr/lib/cni/dhcp daemon``), or ``env`` or
    ``ip netns exec`` running one."""
    from netsim.cni.exec import BACKGROUND

    name = posixpath.basename(argv[0])
    if name in BACKGROUND or name in {"dnsmasq", "env"}:
        return True
    return name == "ip" and len(argv) > 2 and argv[1] == "netns" and argv[2] == "exec"


def exec_simple(self: Shell, node: Simple, s: Streams) -> int:
    """``NAME=value... WORD... REDIR...``: without words the assignments stay
    (status: the last command substitution's); else they go to the command."""
    self.line = node.line
    self._err = s.err
    self._subst_status = None
    try:
        assigns = {name: self.string(value) for name, value in node.assigns}
        argv = [f for w in node.words for f in self.fields(w)]
        inner, flush = self.redirect(node.redirs, s)
    except RedirError as e:
        s.err.write(f"{self.argv0}: line {node.line}: {e}\n")
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


def call(
    self: Shell, argv: list[str], env: dict[str, str], s: Streams, *, functions: bool = True
) -> int:
    """Run one command: a function, else a builtin, else a tool, else status 127."""
    from netsim.shell.builtins import BUILTINS
    from netsim.shell.builtins_text import reads_stdin

    name = argv[0]
    fn = self.funcs.get(name) if functions else None
    if fn is not None:
        return call_function(self, fn, argv, s)
    proc = Proc(self.world, self.netns, argv, s.stdin, env, s.out, s.err, self.run_proc)
    proc.fs = self.fs
    proc.background = self.background
    if self.background and not may_background(argv):
        s.err.write(f"netsim: line {self.line}: unsupported shell syntax: background '&' "
                    f"for {name} (only a daemon runs in the background)\n")  # fmt: skip
        raise ExitScript(BACKGROUND_REFUSED)
    self.input = s.input
    if "/" in name:
        return self.exec_path(proc)
    builtin = BUILTINS.get(name)
    tool = None if builtin is not None else find_tool(name)
    if builtin is None and tool is None:
        s.err.write(f"netsim: {name}: command not supported\n")
        return 127
    try:
        if builtin is not None:
            if reads_stdin(argv):
                s.input.pos = len(s.input.text)
            return builtin(self, proc)
        assert tool is not None
        return tool(proc)
    except (ExitScript, LoopControl, ReturnSignal, AbortCommand):
        raise
    except Exception as e:
        if os.environ.get(TRACEBACK_ENV):
            raise
        s.err.write(f"netsim: {name}: internal error: {type(e).__name__}: {e}\n")
        return 1


def exec_path(self: Shell, proc: Proc) -> int:
    """A command given by path: the executable installed there, or bash's
    ``No such file or directory`` (127) / ``Permission denied`` (126)."""
    name = proc.argv[0]
    path = self.fs.path(name)
    tool = find_executable(path) if self.fs.exists(path) else None
    if tool is None:
        why, status = (
            ("No such file or directory", 127)
            if not self.fs.exists(path)
            else ("Is a directory", 126)
            if self.fs.is_dir(path)
            else ("Permission denied", 126)
        )
        proc.err(f"{self.argv0}: line {self.line}: {name}: {why}\n")
        return status
    try:
        return tool(proc)
    except (ExitScript, LoopControl, ReturnSignal, AbortCommand):
        raise
    except Exception as e:
        if os.environ.get(TRACEBACK_ENV):
            raise
        proc.err(f"netsim: {name}: internal error: {type(e).__name__}: {e}\n")
        return 1
