"""The plugins as executables of ``netsim sh``: ``/usr/lib/cni/<type>`` and
``/opt/cni/bin/<type>`` run :func:`~netsim.cni.skel.plugin_main` with the
command's environment and stdin, on the shell's in-memory filesystem."""

from __future__ import annotations

import posixpath
from typing import Final

from netsim.cni.fs import MemPluginFs
from netsim.cni.ipam.host_local import HOST_LOCAL
from netsim.cni.ipam.static import STATIC
from netsim.cni.plugins import GEN_PLUGINS
from netsim.cni.skel import Plugin, plugin_main
from netsim.shell.fs import MemFs
from netsim.shell.proc import Proc, Tool

__all__ = ["PLUGINS", "PLUGIN_DIRS", "executables", "gen_plugin_tool", "plugin_tool"]

#: plugin type -> plugin.
PLUGINS: Final[dict[str, Plugin]] = {p.name: p for p in (HOST_LOCAL, STATIC)}
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


def executables() -> dict[str, Tool]:
    """Absolute path -> command, for every plugin in every plugin directory."""
    tools = {
        posixpath.join(d, name): plugin_tool(p) for d in PLUGIN_DIRS for name, p in PLUGINS.items()
    }
    for d in PLUGIN_DIRS:
        for name in GEN_PLUGINS:
            tools[posixpath.join(d, name)] = gen_plugin_tool(name)
    return tools
