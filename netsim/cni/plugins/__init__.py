"""CNI plugins written as generators of Host operations (:mod:`netsim.cni.driver`).

::

    netns.py     CNI_NETNS paths and ns.GetNS / WithNetNSPath (plugins/pkg/ns)
    loopback.py  plugins/main/loopback
    main/        plugins/main: bridge, ptp and what they share
    meta/        plugins/meta: tuning, bandwidth

:data:`GEN_PLUGINS` names them by type; :mod:`netsim.cni.exec` installs them as
``netsim sh`` executables and :mod:`netsim.cni.runtime` runs them in chains.
"""

from __future__ import annotations

from typing import Final

from netsim.cni.driver import GenPlugin
from netsim.cni.plugins.loopback import LOOPBACK
from netsim.cni.plugins.main.bridge import BRIDGE
from netsim.cni.plugins.main.ptp import PTP
from netsim.cni.plugins.meta.bandwidth import BANDWIDTH
from netsim.cni.plugins.meta.tuning import TUNING

__all__ = ["GEN_PLUGINS"]

#: plugin type -> generator plugin.
GEN_PLUGINS: Final[dict[str, GenPlugin]] = {
    p.name: p for p in (BANDWIDTH, BRIDGE, LOOPBACK, PTP, TUNING)
}
