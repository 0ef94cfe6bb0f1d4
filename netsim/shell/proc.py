"""What one command of a ``netsim sh`` script sees: the contract between the
shell and the tools (``ip``, ``bridge``, ``sysctl``, ``ping``, ...)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from netsim.shell.fs import MemFs
    from netsim.world import World

__all__ = ["SHELL_PID", "Proc", "Tool"]

#: The script's shell is its machine's PID 1: in the kernel backend's sandbox bash
#: is the first process of a PID namespace of its own, and netsim matches it
#: (``$$``, ``/proc/1/ns/net`` is the initial namespace, ``ip link set X netns 1``).
SHELL_PID: Final = 1


@dataclass
class Proc:
    """A process: its world, namespace (``ip netns exec`` changes it), argv
    (``argv[0]`` is the command name), stdin text, environment, and the
    stdout/stderr it writes.  A tool returns its exit status."""

    world: World
    netns: str
    argv: list[str]
    stdin: str = ""
    env: dict[str, str] = field(default_factory=dict)
    stdout: io.StringIO = field(default_factory=io.StringIO)
    stderr: io.StringIO = field(default_factory=io.StringIO)
    #: The shell's own command runner (builtins and tools) for a command that runs
    #: another (``ip netns exec NS CMD``); None outside a shell.
    run: Callable[[Proc], int] | None = None
    #: The shell's filesystem (what an executable such as a CNI plugin reads and
    #: writes); None outside a shell.
    fs: MemFs | None = None
    #: Started with ``&``: a daemon returns at once and keeps running in the world.
    background: bool = False

    def out(self, text: str) -> None:
        self.stdout.write(text)

    def err(self, text: str) -> None:
        self.stderr.write(text)


#: A command: runs to completion in simulated time, returns the exit status.
Tool = Callable[[Proc], int]
