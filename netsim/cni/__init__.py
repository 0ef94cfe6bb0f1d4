"""CNI: the spec layer and the plugins.

::

    spec.py     network config and conflist parsing (libcni ConfFromBytes / ConfListFromBytes)
    result.py   results 1.0.0 and their 0.4.0/0.3.x/0.2.0 wire forms (types.PrintResult)
    errors.py   the error JSON and the spec's codes (ErrInternal 999)
    args.py     CNI_ARGS (types.LoadArgs)
    version.py  supported versions, reconciliation, VERSION output
    skel.py     the exec protocol of a plugin binary (skel.PluginMain)
    fs.py       the filesystem a plugin sees (over the shell's MemFs)
    ipam/       host-local and static, pure logic over that filesystem
    exec.py     the plugins as /usr/lib/cni and /opt/cni/bin executables of ``netsim sh``
"""

from netsim.cni.errors import CniError
from netsim.cni.result import DNS, Interface, IPConfig, Result, Route
from netsim.cni.skel import CmdArgs, Output, Plugin, plugin_main
from netsim.cni.spec import NetConf, NetConfList, parse_conf, parse_conflist

__all__ = [
    "DNS",
    "CmdArgs",
    "CniError",
    "IPConfig",
    "Interface",
    "NetConf",
    "NetConfList",
    "Output",
    "Plugin",
    "Result",
    "Route",
    "parse_conf",
    "parse_conflist",
    "plugin_main",
]
