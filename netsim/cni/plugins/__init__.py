"""CNI plugins written as generators of Host operations (:mod:`netsim.cni.driver`).

::

    netns.py     CNI_NETNS paths and ns.GetNS / WithNetNSPath (plugins/pkg/ns)
    loopback.py  plugins/main/loopback
    flannel.py   flannel-io/cni-plugin (delegates to bridge)
    main/        plugins/main: bridge, ptp, macvlan, ipvlan, vlan, host-device and
                 what they share
    meta/        plugins/meta: portmap, firewall, tuning, bandwidth

:data:`GEN_PLUGINS` names them by type; :mod:`netsim.cni.exec` installs them as
``netsim sh`` executables and :mod:`netsim.cni.runtime` runs them in chains.
"""

from __future__ import annotations

from typing import Final

from netsim.cni.driver import GenPlugin
from netsim.cni.plugins.flannel import FLANNEL
from netsim.cni.plugins.loopback import LOOPBACK
from netsim.cni.plugins.main.bridge import BRIDGE
from netsim.cni.plugins.main.host_device import HOST_DEVICE
from netsim.cni.plugins.main.ipvlan import IPVLAN
from netsim.cni.plugins.main.macvlan import MACVLAN
from netsim.cni.plugins.main.ptp import PTP
from netsim.cni.plugins.main.vlan import VLAN
from netsim.cni.plugins.meta.bandwidth import BANDWIDTH
from netsim.cni.plugins.meta.firewall import FIREWALL
from netsim.cni.plugins.meta.portmap import PORTMAP
from netsim.cni.plugins.meta.tuning import TUNING

__all__ = ["GEN_PLUGINS"]

#: plugin type -> generator plugin.
GEN_PLUGINS: Final[dict[str, GenPlugin]] = {
    p.name: p
    for p in (
        BANDWIDTH,
        BRIDGE,
        FIREWALL,
        FLANNEL,
        HOST_DEVICE,
        IPVLAN,
        LOOPBACK,
        MACVLAN,
        PORTMAP,
        PTP,
        TUNING,
        VLAN,
    )
}
