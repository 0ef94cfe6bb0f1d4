"""Commands for ``netsim sh``: each is a :data:`~netsim.shell.proc.Tool`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from netsim.tools.ip_main import ip_main

if TYPE_CHECKING:
    from netsim.shell.proc import Tool

__all__ = ["TOOLS", "ip_main"]

#: command name -> tool.
TOOLS: dict[str, Tool] = {"ip": ip_main}
