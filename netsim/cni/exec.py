"""The plugins as executables of ``netsim sh``: ``/usr/lib/cni/<type>`` and
``/opt/cni/bin/<type>`` run :func:`~netsim.cni.skel.plugin_main` with the
command's environment and stdin, on the shell's in-memory filesystem."""

from __future__ import annotations

import posixpath
from typing import Final

from netsim.cni.fs import MemPluginFs
from netsim.cni.ipam.dhcp import DHCP
from netsim.cni.ipam.host_local import HOST_LOCAL
from netsim.cni.ipam.static import STATIC
from netsim.cni.plugins import GEN_PLUGINS
from netsim.cni.skel import Plugin, plugin_main
from netsim.shell.fs import MemFs
from netsim.shell.proc import Proc, Tool

__all__ = ["BACKGROUND", "PLUGINS", "PLUGIN_DIRS", "dhcp_tool", "executables", "gen_plugin_tool",
           "plugin_tool"]  # fmt: skip

#: plugin type -> plugin.
PLUGINS: Final[dict[str, Plugin]] = {p.name: p for p in (DHCP, HOST_LOCAL, STATIC)}
#: Where a CNI installation puts the binaries (Debian's package, upstream's tarball).
PLUGIN_DIRS: Final = ("/usr/lib/cni", "/opt/cni/bin")


def plugin_tool(plugin: Plugin) -> Tool:
    """A shell command that runs ``plugin`` as its binary would."""

    def run(proc: Proc) -> int:
        fs = proc.fs if proc.fs is not None else MemFs()
        out = plugin_main(plugin, proc.env, proc.stdin, MemPluginFs(fs))
        proc.out(out.stdout)
        proc.err(out.stderr)
        return out.status

    return run


def gen_plugin_tool(name: str) -> Tool:
    """A shell command that runs the generator plugin ``name``
    (:data:`netsim.cni.plugins.GEN_PLUGINS`, driven by :mod:`netsim.cni.driver`)
    against the shell's world from the namespace the command runs in (the host
    side), veth names from the world's seeded RNG, delegating on ``CNI_PATH``
    in the shell's filesystem."""

    def run(proc: Proc) -> int:
        from netsim.backends.sim.host import SimHost
        from netsim.cni.driver import Context
        from netsim.cni.runtime_exec import OursExecutor

        fs = proc.fs if proc.fs is not None else MemFs()
        ctx = Context(host_netns=proc.netns, rng=proc.world.rng, exists=fs.exists)
        plugin = OursExecutor(SimHost(proc.world), fs, ctx).plugin(name)
        assert plugin is not None
        return plugin_tool(plugin)(proc)

    return run


def dhcp_tool(proc: Proc) -> int:
    """``/usr/lib/cni/dhcp``: the plugin, or with ``daemon`` the daemon
    (:mod:`netsim.apps.cni_dhcp`), which runs only in the background (``&``)."""
    if len(proc.argv) > 1 and proc.argv[1] == "daemon":
        from netsim.apps.cni_dhcp.command import daemon_main

        if not proc.background:
            proc.err(
                f"netsim: {proc.argv[0]} daemon: the daemon never returns; "
                f"start it in the background: {proc.argv[0]} daemon &\n"
            )
            return 2
        return daemon_main(proc)
    return plugin_tool(DHCP)(proc)


#: Executables that may run in the background (``CMD &``), by basename.
BACKGROUND: Final = frozenset({"dhcp"})


def executables() -> dict[str, Tool]:
    """Absolute path -> command, for every plugin in every plugin directory."""
    tools = {
        posixpath.join(d, name): plugin_tool(p) for d in PLUGIN_DIRS for name, p in PLUGINS.items()
    }
    for d in PLUGIN_DIRS:
        for name in GEN_PLUGINS:
            tools[posixpath.join(d, name)] = gen_plugin_tool(name)
        tools[posixpath.join(d, "dhcp")] = dhcp_tool
    return tools
