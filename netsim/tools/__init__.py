"""Commands for ``netsim sh``: each is a :data:`~netsim.shell.proc.Tool`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from netsim.cni.exec import executables
from netsim.tools.bash import bash_main
from netsim.tools.brctl import brctl_main
from netsim.tools.bridge import bridge_main
from netsim.tools.dnsmasq import dnsmasq_main
from netsim.tools.ip_main import ip_main
from netsim.tools.iptables import iptables_main
from netsim.tools.iptables_save import iptables_save_main
from netsim.tools.ping import ping_main
from netsim.tools.sysctl import sysctl_main
from netsim.tools.tc import tc_main

if TYPE_CHECKING:
    from netsim.shell.proc import Tool

__all__ = ["EXECUTABLES", "TOOLS", "ip_main"]

#: command name -> tool.
TOOLS: dict[str, Tool] = {
    "bash": bash_main,
    "bridge": bridge_main,
    "brctl": brctl_main,
    "dnsmasq": dnsmasq_main,
    "ip": ip_main,
    "iptables": iptables_main,
    "iptables-legacy": iptables_main,
    "iptables-nft": iptables_main,
    "iptables-save": iptables_save_main,
    "iptables-nft-save": iptables_save_main,
    "ip6tables": iptables_main,
    "ip6tables-legacy": iptables_main,
    "ip6tables-nft": iptables_main,
    "ip6tables-save": iptables_save_main,
    "ip6tables-nft-save": iptables_save_main,
    "ping": ping_main,
    "sysctl": sysctl_main,
    "tc": tc_main,
}

#: absolute path -> tool: the executables a shell finds by path (the CNI plugins).
EXECUTABLES: dict[str, Tool] = executables()
