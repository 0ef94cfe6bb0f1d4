"""What a running ``netsim sh`` script passes around: its result, the streams a
command reads and writes, the control-flow exceptions, and the tool lookup."""

from __future__ import annotations

import importlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from netsim.shell.proc import Tool

__all__ = ["ExitScript", "LoopControl", "RedirError", "ShellResult", "Streams", "find_tool"]


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


class RedirError(Exception):
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
