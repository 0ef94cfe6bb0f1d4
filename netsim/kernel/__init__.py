"""The model of the Linux network stack: namespaces, devices, bridges.

This package knows nothing of CNI, Kubernetes, scenarios or the CLI.
"""

from netsim.kernel.bridge.device import Bridge as Bridge
from netsim.kernel.bridge.fdb import Fdb as Fdb
from netsim.kernel.bridge.fdb import FdbEntry as FdbEntry
from netsim.kernel.bridge.port import BridgePort as BridgePort
from netsim.kernel.bridge.port import PortState as PortState
from netsim.kernel.kernel import INIT_NET as INIT_NET
from netsim.kernel.kernel import Kernel as Kernel
from netsim.kernel.links.base import Link as Link
from netsim.kernel.links.base import OperState as OperState
from netsim.kernel.links.loopback import Loopback as Loopback
from netsim.kernel.links.veth import Veth as Veth
from netsim.kernel.netns import Netns as Netns
from netsim.kernel.skb import Skb as Skb

__all__ = [
    "INIT_NET",
    "Bridge",
    "BridgePort",
    "Fdb",
    "FdbEntry",
    "Kernel",
    "Link",
    "Loopback",
    "Netns",
    "OperState",
    "PortState",
    "Skb",
    "Veth",
]
