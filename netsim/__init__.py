"""netsim: a userspace, discrete-event model of the Linux networking Kubernetes pods run on.

::

    cli · notebooks · user tests
              │
    World ── Engine (simpy clock, seeded RNG, traces)
      │
    netsim.kernel: namespaces, lo, veth, bridge (FDB, ageing, flooding)
"""

from netsim.addr import MacAddr as MacAddr
from netsim.engine import DEFAULT_LATENCY as DEFAULT_LATENCY
from netsim.errors import KernelError as KernelError
from netsim.errors import NetsimError as NetsimError
from netsim.errors import NoSuchDevice as NoSuchDevice
from netsim.trace import Disposition as Disposition
from netsim.trace import Trace as Trace
from netsim.world import World as World

__all__ = [
    "DEFAULT_LATENCY",
    "Disposition",
    "KernelError",
    "MacAddr",
    "NetsimError",
    "NoSuchDevice",
    "Trace",
    "World",
]
