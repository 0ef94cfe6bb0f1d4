"""What a running ``netsim sh`` script passes around: its result, the streams a
command reads and writes, the control-flow exceptions, and the tool lookup."""

from __future__ import annotations

import importlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from netsim.shell.fs import MemFs
from netsim.shell.proc import Tool

__all__ = [
    "AbortCommand",
    "ExitScript",
    "Input",
    "LoopControl",
    "RedirError",
    "ReturnSignal",
    "ShellResult",
    "Streams",
    "find_executable",
    "find_tool",
    "install_executables",
]


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


class ReturnSignal(Exception):
    """``return N``: leaves the running function."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


class AbortCommand(Exception):
    """An expansion error (``$((1/0))``): bash abandons the whole top-level
    command being run and goes on with the next one, status 1."""


class RedirError(Exception):
    pass


@dataclass
class Input:
    """Standard input: its text and how much ``read`` has consumed (shared by
    every command of a ``while read ...; done < FILE`` loop)."""

    text: str
    pos: int = 0

    def rest(self) -> str:
        return self.text[self.pos :] if self.pos else self.text


class Streams:
    """What a command reads (stdin) and where it writes."""

    def __init__(self, stdin: str | Input, out: io.StringIO, err: io.StringIO):
        self.input = stdin if isinstance(stdin, Input) else Input(stdin)
        self.out = out
        self.err = err

    @property
    def stdin(self) -> str:
        """The unread part of stdin."""
        return self.input.rest()

    @stdin.setter
    def stdin(self, text: str) -> None:
        self.input = Input(text)


def find_tool(name: str) -> Tool | None:
    """``netsim.tools.TOOLS[name]``, or None (also when that package is absent)."""
    try:
        mod: Any = importlib.import_module("netsim.tools")
    except ImportError:
        return None
    tools = cast(Mapping[str, Tool], getattr(mod, "TOOLS", {}))
    return tools.get(name)


def _executables() -> Mapping[str, Tool]:
    try:
        mod: Any = importlib.import_module("netsim.tools")
    except ImportError:
        return {}
    return cast(Mapping[str, Tool], getattr(mod, "EXECUTABLES", {}))


def find_executable(path: str) -> Tool | None:
    """The tool installed at absolute ``path`` (``netsim.tools.EXECUTABLES``), or None."""
    return _executables().get(path)


def install_executables(fs: MemFs) -> None:
    """Put an (empty) file in ``fs`` for every executable, so ``ls`` lists them and
    removing one makes it unrunnable, as on a real machine."""
    for path in _executables():
        fs.mkdir(path.rsplit("/", 1)[0] or "/", parents=True)
        fs.write(path, "")
