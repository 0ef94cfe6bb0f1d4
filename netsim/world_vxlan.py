"""The world's VXLAN operations: ``ip link add ... type vxlan``, ``ip link set
... type vxlan``, and the VTEP FDB (``bridge fdb ... dst IP``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netaddr import IPAddress

from netsim.addr import MacAddr
from netsim.kernel.links.vxlan import Vxlan, VxlanConfig
from netsim.kernel.links.vxlan_rtnl import (
    FDB_STATES,
    vxlan_changelink,
    vxlan_fdb_add,
    vxlan_fdb_del,
    vxlan_newlink,
)
from netsim.packet.vxlan import VXLAN_LINUX_UDP_PORT

if TYPE_CHECKING:
    from netsim.kernel import Kernel, Link

__all__ = ["VxlanApi"]


def _ip(value: str | int | None) -> int:
    if value is None:
        return 0
    return int(IPAddress(value, 4)) if isinstance(value, str) else value


class VxlanApi:
    """Mixed into :class:`~netsim.world.World`."""

    kernel: Kernel

    def _vx_dev(self, ifname: str, netns: str) -> Link:
        return self.kernel.netns(netns).dev(ifname)

    def _vxlan(self, ifname: str, netns: str) -> Vxlan:
        dev = self._vx_dev(ifname, netns)
        if not isinstance(dev, Vxlan):
            raise TypeError(f"{ifname} is not a VXLAN device")
        return dev

    def add_vxlan(
        self,
        ifname: str,
        vni: int,
        *,
        netns: str = "init_net",
        remote: str | None = None,
        group: str | None = None,
        local: str | None = None,
        dev: str | None = None,
        dstport: int = VXLAN_LINUX_UDP_PORT,
        srcport: tuple[int, int] = (0, 0),
        learning: bool = True,
        proxy: bool = False,
        l2miss: bool = False,
        l3miss: bool = False,
        ttl: int | None = None,
        tos: int = 0,
        ageing: int = 300,
        maxaddress: int = 0,
        udpcsum: bool = True,
        address: MacAddr | str | None = None,
        mtu: int | None = None,
    ) -> Vxlan:
        """``ip link add IFNAME type vxlan id VNI [remote IP | group IP] [local IP]
        [dev DEV] [dstport PORT] ...``.  ``ttl=None`` is ``inherit``, 0 ``auto``."""
        ns = self.kernel.netns(netns)
        cfg = VxlanConfig(
            vni,
            remote=_ip(remote or group),
            local=_ip(local),
            link=ns.dev(dev).ifindex if dev is not None else 0,
            dst_port=dstport,
            port_min=srcport[0],
            port_max=srcport[1],
            learning=learning,
            proxy=proxy,
            l2miss=l2miss,
            l3miss=l3miss,
            ttl=ttl or 0,
            ttl_inherit=ttl is None,
            tos=tos,
            ageing=ageing,
            addrmax=maxaddress,
            udp_csum=udpcsum,
        )
        mac = MacAddr(address) if address is not None else None
        return vxlan_newlink(self.kernel, ns, ifname, cfg, address=mac, mtu=mtu)

    def vxlan_set(self, ifname: str, *, netns: str = "init_net", **changes: Any) -> None:
        """``ip link set IFNAME type vxlan ...``: :class:`VxlanConfig` field names."""
        vxlan_changelink(self.kernel, self._vxlan(ifname, netns), **changes)

    def vxlan_fdb_add(
        self,
        mac: MacAddr | str,
        *,
        dev: str,
        dst: str | int | None,
        netns: str = "init_net",
        port: int | None = None,
        vni: int | None = None,
        via: str | None = None,
        state: str = "permanent",
        master: bool = False,
        op: str = "add",
    ) -> None:
        """``bridge fdb add|append|replace MAC dev VX dst IP [port P] [vni V] [via DEV]``."""
        vx = self._vxlan(dev, netns)
        ifindex = self._vx_dev(via, netns).ifindex if via is not None else 0
        vxlan_fdb_add(self.kernel, vx, MacAddr(mac), dst=_ip(dst) if dst is not None else None,
                      port=port, vni=vni, via=ifindex, state=FDB_STATES[state], master=master,
                      excl=op == "add", replace=op == "replace",
                      append=op == "append")  # fmt: skip

    def vxlan_fdb_del(
        self,
        mac: MacAddr | str,
        *,
        dev: str,
        netns: str = "init_net",
        dst: str | int | None = None,
        port: int | None = None,
        vni: int | None = None,
        via: str | None = None,
    ) -> None:
        """``bridge fdb del MAC dev VX [dst IP] [port P] [vni V] [via DEV]``."""
        vx = self._vxlan(dev, netns)
        ifindex = self._vx_dev(via, netns).ifindex if via is not None else 0
        vxlan_fdb_del(self.kernel, vx, MacAddr(mac), dst=_ip(dst) if dst is not None else None,
                      port=port, vni=vni, via=ifindex)  # fmt: skip
