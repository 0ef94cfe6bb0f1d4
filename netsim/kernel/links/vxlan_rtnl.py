"""The rtnetlink side of VXLAN: ``vxlan_newlink``, ``vxlan_changelink``,
``vxlan_fdb_add``/``vxlan_fdb_delete`` and the lower device's unregister
(``vxlan_handle_lowerdev_unregister``), with the kernel's errors.
"""

from __future__ import annotations

import dataclasses
import errno
from typing import Any, Final

from netsim.addr import MacAddr
from netsim.errors import KernelError
from netsim.kernel.kernel import Kernel
from netsim.kernel.links.base import Link
from netsim.kernel.links.vxlan import Vxlan, VxlanConfig
from netsim.kernel.links.vxlan_fdb import (
    ALL_ZEROS,
    NUD_NOARP,
    NUD_PERMANENT,
    NUD_REACHABLE,
    VxlanRdst,
)
from netsim.kernel.netns import Netns
from netsim.kernel.setlink import rtnl

__all__ = ["FDB_STATES", "vxlan_changelink", "vxlan_fdb_add", "vxlan_fdb_del", "vxlan_newlink"]

#: ``bridge fdb``'s state words as iproute2 6.1 sends them (``ndm_state``).
FDB_STATES: Final = {
    "permanent": NUD_PERMANENT | NUD_NOARP,
    "static": NUD_REACHABLE | NUD_NOARP,
    "dynamic": NUD_REACHABLE,
}

#: ``vxlan_changelink()`` refuses these changes, with these messages
#: (``vxlan_nl2flag()``'s, and ``vxlan_nl2conf()``'s own for the checksum).
_FIXED_FLAGS: Final = {
    "proxy": "vxlan: cannot change PROXY flag",
    "rsc": "vxlan: cannot change RSC flag",
    "l2miss": "vxlan: cannot change L2MISS flag",
    "l3miss": "vxlan: cannot change L3MISS flag",
    "udp_csum": "Cannot change UDP_CSUM flag",
}


def _vni_in_use(ns: Netns, cfg: VxlanConfig, me: Vxlan | None) -> bool:
    """``vxlan_vni_in_use()``: the same VNI and port on another VXLAN device here."""
    return any(
        isinstance(d, Vxlan) and d is not me and d.cfg.vni == cfg.vni
        and d.cfg.dst_port == cfg.dst_port
        for d in ns
    )  # fmt: skip


def _validate(ns: Netns, cfg: VxlanConfig, me: Vxlan | None) -> Link | None:
    """``vxlan_config_validate()``: returns the lower device."""
    if cfg.local >> 28 == 0xE:
        raise KernelError(errno.EINVAL, "Local address cannot be multicast")
    lower = None
    if cfg.link:
        lower = ns.links.get(cfg.link)
        if lower is None:
            raise KernelError(errno.ENODEV, "Invalid local interface, device not found")
    if _vni_in_use(ns, cfg, me):
        raise KernelError(errno.EEXIST, "A VXLAN device with the specified VNI already exists")
    return lower


@rtnl
def vxlan_newlink(kernel: Kernel, ns: Netns, ifname: str, cfg: VxlanConfig, *,
                  address: MacAddr | None = None, mtu: int | None = None) -> Vxlan:  # fmt: skip
    """``ip link add IFNAME type vxlan id VNI ...``: checked, registered, the
    default destination's all-zeros entry installed when ``remote``/``group``
    was given."""
    name = ns.check_name(ifname)
    if address is not None and not address.is_valid_ether:
        raise KernelError(errno.EADDRNOTAVAIL)
    if not 0 <= cfg.vni < 1 << 24:
        raise KernelError(errno.ERANGE, "VNI must be less than 2^24")
    if mtu is not None and not 68 <= mtu <= 65535:
        raise KernelError(errno.EINVAL)
    if cfg.ageing == 0:  # vxlan_config_apply(): no ageing given means the default
        cfg = dataclasses.replace(cfg, ageing=300)
    lower = _validate(ns, cfg, None)
    dev = Vxlan(kernel, name, cfg, address=address)
    limit = dev.max_mtu_for(lower)
    dev.mtu = limit if mtu is None and lower is not None else min(mtu or 1500, limit)
    # vxlan_setup() caps TSO at 64 KiB; a lower device passes its own on
    dev.tso_max_size = lower.tso_max_size if lower is not None else 65536
    kernel.register(dev, ns)
    dev.fdb.default_dst(dev.default_rdst())
    return dev


@rtnl
def vxlan_changelink(kernel: Kernel, dev: Vxlan, **changes: Any) -> None:
    """``ip link set DEV type vxlan ...``: ``id`` and ``dstport`` are fixed, and
    so are the flags (``Error: vxlan: cannot change PROXY flag.``)."""
    cfg = dev.cfg
    if "vni" in changes and changes["vni"] != cfg.vni:
        raise KernelError(errno.EOPNOTSUPP, "Cannot change VNI")
    if "dst_port" in changes and changes["dst_port"] != cfg.dst_port:
        raise KernelError(errno.EOPNOTSUPP, "Cannot change port")
    for key, message in _FIXED_FLAGS.items():
        if key in changes and changes[key] != getattr(cfg, key):
            raise KernelError(errno.EOPNOTSUPP, message)
    ns = dev.netns
    assert ns is not None
    new = dataclasses.replace(cfg, **changes)
    _validate(ns, new, dev)
    dev.changelink(**changes)


def _rdst(dev: Vxlan, ip: int | None, port: int | None, vni: int | None, via: int) -> VxlanRdst:
    """``vxlan_fdb_parse()``: the device's port and VNI unless given."""
    cfg = dev.cfg
    ns = dev.netns
    assert ns is not None
    if via and via not in ns.links:
        raise KernelError(errno.EADDRNOTAVAIL, "Device not found")
    return VxlanRdst(ip or 0, cfg.dst_port if port is None else port,
                     cfg.vni if vni is None else vni, via)  # fmt: skip


@rtnl
def vxlan_fdb_add(kernel: Kernel, dev: Vxlan, mac: MacAddr, *, dst: int | None,
                  port: int | None = None, vni: int | None = None, via: int = 0,
                  state: int = FDB_STATES["permanent"], master: bool = False,
                  create: bool = True, excl: bool = True, replace: bool = False,
                  append: bool = False) -> None:  # fmt: skip
    """``vxlan_fdb_add()``: ``bridge fdb add|append|replace MAC dev VX dst IP ...``."""
    if not state & (NUD_PERMANENT | NUD_REACHABLE):
        raise KernelError(errno.EINVAL)
    rd = _rdst(dev, dst, port, vni, via)
    if not rd.ip and mac != ALL_ZEROS:
        raise KernelError(errno.EINVAL)
    flags = ("self", "master") if master else ("self",)
    dev.fdb.update(mac, rd, state, flags, create=create, excl=excl, replace=replace,
                   append=append)  # fmt: skip


@rtnl
def vxlan_fdb_del(kernel: Kernel, dev: Vxlan, mac: MacAddr, *, dst: int | None = None,
                  port: int | None = None, vni: int | None = None,
                  via: int = 0) -> None:  # fmt: skip
    """``vxlan_fdb_delete()``: one remote with ``dst``, else the whole entry."""
    rd = _rdst(dev, dst, port, vni, via)
    dev.fdb.delete(mac, None if dst is None else rd.ip, rd.port, rd.vni, rd.ifindex)
