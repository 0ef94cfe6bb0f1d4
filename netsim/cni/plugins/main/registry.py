"""The main plugins as skel :class:`~netsim.cni.skel.Plugin` objects bound to a
host: each command's generator driven against it (see ``exec.py``)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Final

from netsim.cni.fs import PluginFs
from netsim.cni.plugins.main import bridge, ptp
from netsim.cni.plugins.main.common import Context, PluginGen, drive
from netsim.cni.skel import CmdArgs, Plugin, PluginFn
from netsim.host.protocol import Host

__all__ = ["MAIN_PLUGINS", "bind"]

Command = Callable[[CmdArgs, Context], PluginGen[str | None]]
#: type -> (add, check, del) generators.
MAIN_PLUGINS: Final[dict[str, tuple[Command, Command, Command]]] = {
    "bridge": (bridge.cmd_add, bridge.cmd_check, bridge.cmd_del),
    "ptp": (ptp.cmd_add, ptp.cmd_check, ptp.cmd_del),
}


def bind(name: str, host: Host, host_netns: str, rng: random.Random) -> Plugin:
    """Plugin ``name`` running in ``host_netns`` of ``host``."""
    add, check, delete = MAIN_PLUGINS[name]

    def run(cmd: Command) -> PluginFn:
        def fn(args: CmdArgs, fs: PluginFs) -> str | None:
            return drive(cmd(args, Context(host_netns, fs, rng)), host)

        return fn

    return Plugin(name, add=run(add), check=run(check), delete=run(delete))
