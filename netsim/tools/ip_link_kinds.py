"""``ip link add ... type KIND [OPTIONS]`` for the kinds beyond veth and bridge:
iproute2's per-kind ``parse_opt()`` callbacks (``ip/iplink_KIND.c``).

Each entry takes the words after ``type KIND``, the options parsed before
it, the namespace and the new device's name, and creates the device.
"""

from __future__ import annotations

from collections.abc import Callable

from netsim.shell.proc import Proc
from netsim.tools.ip_link_ipvlan import ipvlan_add
from netsim.tools.ip_link_macvlan import dummy_add, ifb_add, macvlan_add
from netsim.tools.ip_link_req import LinkReq
from netsim.tools.ip_link_vlan import vlan_add
from netsim.tools.ip_link_vxlan import vxlan_add
from netsim.tools.ip_util import Args

__all__ = ["KINDS", "KindAdd"]

#: ``(proc, args after the kind, request, netns, name)``: creates the device.
KindAdd = Callable[[Proc, Args, LinkReq, str, str], None]

KINDS: dict[str, KindAdd] = {
    "dummy": dummy_add,
    "ifb": ifb_add,
    "macvlan": macvlan_add,
    "vlan": vlan_add,
    "ipvlan": ipvlan_add,
    "vxlan": vxlan_add,
}
