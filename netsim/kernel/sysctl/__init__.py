"""The per-namespace sysctl tree (``net.ipv4``, ``net.ipv6``, ``net.core``, ``net.bridge``).

:class:`Sysctls` is the model, one per namespace (:mod:`.model` says what it
reproduces); :mod:`.effective` has the getters the stack uses and
:mod:`._procfs` how values are parsed and printed.
"""

from netsim.kernel.sysctl.effective import NeighParams as NeighParams
from netsim.kernel.sysctl.keys import SysctlError as SysctlError
from netsim.kernel.sysctl.keys import split_key as split_key
from netsim.kernel.sysctl.model import Sysctls as Sysctls

__all__ = ["NeighParams", "SysctlError", "Sysctls", "split_key"]
