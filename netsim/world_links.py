"""The world's stacked and virtual devices: ``ip link add ... type dummy``,
``ifb``, ``macvlan``, ``vlan`` and ``ipvlan``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from netsim.addr import MacAddr
from netsim.kernel.links.dummy import Dummy, dummy_newlink
from netsim.kernel.links.ifb import Ifb, ifb_newlink
from netsim.kernel.links.ipvlan import Ipvlan, IpvlanMode, ipvlan_newlink
from netsim.kernel.links.macvlan import (
    DEFAULT_BC_QUEUE_LEN,
    Macvlan,
    MacvlanMode,
    macvlan_newlink,
)
from netsim.kernel.links.vlan import ETH_P_8021Q, VlanDev, vlan_newlink

if TYPE_CHECKING:
    from netsim.kernel import Kernel, Link

__all__ = ["LinksApi"]


def _mac(value: MacAddr | str | None) -> MacAddr | None:
    return None if value is None else MacAddr(value)


class LinksApi:
    """Mixed into :class:`~netsim.world.World`."""

    kernel: Kernel

    def _lower(self, link: str | None, netns: str) -> Link | None:
        return None if link is None else self.kernel.netns(netns).dev(link)

    def add_dummy(
        self,
        ifname: str = "dummy%d",
        *,
        netns: str = "init_net",
        address: MacAddr | str | None = None,
        mtu: int | None = None,
    ) -> Dummy:
        """``ip [-n NS] link add IFNAME [address A] [mtu M] type dummy``."""
        ns = self.kernel.netns(netns)
        return self.kernel.newlink(dummy_newlink, ns, ifname, address=_mac(address), mtu=mtu)

    def add_ifb(
        self,
        ifname: str = "ifb%d",
        *,
        netns: str = "init_net",
        address: MacAddr | str | None = None,
        mtu: int | None = None,
        txqlen: int | None = None,
    ) -> Ifb:
        """``ip [-n NS] link add IFNAME [address A] [mtu M] [txqueuelen N] type ifb``."""
        ns = self.kernel.netns(netns)
        return self.kernel.newlink(ifb_newlink, ns, ifname, address=_mac(address), mtu=mtu,
                                   txqlen=txqlen)  # fmt: skip

    def add_macvlan(
        self,
        ifname: str,
        link: str | None,
        *,
        netns: str = "init_net",
        mode: str | None = None,
        nopromisc: bool = False,
        nodst: bool = False,
        address: MacAddr | str | None = None,
        mtu: int | None = None,
        bcqueuelen: int = DEFAULT_BC_QUEUE_LEN,
        macaddrs: tuple[MacAddr | str, ...] | None = None,
        link_netns: str | None = None,
    ) -> Macvlan:
        """``ip link add IFNAME link LINK type macvlan [mode private|vepa|bridge|
        passthru|source] [nopromisc] [nodst] [bcqueuelen N] [macaddr set MAC...]``.

        Without ``mode`` the kernel's default, ``vepa``; ``macaddrs`` (the
        ``source`` mode's senders) only in ``source`` mode.  ``link_netns``: the
        request's namespace, where ``link`` is found, when the device is made in
        another one (``IFLA_NET_NS_FD``: ``netns``).
        """
        ns = self.kernel.netns(netns)
        m = None if mode is None else MacvlanMode[mode.upper()]
        flags = (1 if nopromisc else 0) | (2 if nodst else 0)
        return self.kernel.newlink(
            macvlan_newlink,
            ns,
            ifname,
            self._lower(link, link_netns or netns),
            mode=m,
            flags=flags,
            address=_mac(address),
            mtu=mtu,
            bcqueuelen=bcqueuelen,
            macaddrs=None if macaddrs is None else tuple(MacAddr(a) for a in macaddrs),
        )

    def add_vlan(
        self,
        ifname: str,
        link: str | None,
        vid: int | None,
        *,
        netns: str = "init_net",
        protocol: int = ETH_P_8021Q,
        flags: int = 0,
        flags_mask: int = 0,
        address: MacAddr | str | None = None,
        mtu: int | None = None,
        has_data: bool = True,
        link_netns: str | None = None,
    ) -> VlanDev:
        """``ip link add link LINK name IFNAME type vlan id VID [protocol P]
        [reorder_hdr|gvrp|mvrp|loose_binding|bridge_binding on|off]``
        (``flags`` under ``flags_mask`` as ``struct ifla_vlan_flags``;
        ``has_data=False``: ``type vlan`` with no options at all; ``link_netns``
        as for :meth:`add_macvlan`)."""
        ns = self.kernel.netns(netns)
        return self.kernel.newlink(
            vlan_newlink,
            ns,
            ifname,
            self._lower(link, link_netns or netns),
            vid,
            protocol=protocol,
            flags=flags,
            flags_mask=flags_mask,
            address=_mac(address),
            mtu=mtu,
            has_data=has_data,
        )

    def add_ipvlan(
        self,
        ifname: str,
        link: str | None,
        *,
        netns: str = "init_net",
        mode: str | None = None,
        flag: str = "bridge",
        mtu: int | None = None,
        link_netns: str | None = None,
    ) -> Ipvlan:
        """``ip link add IFNAME link LINK type ipvlan [mode l2|l3|l3s]
        [bridge|private|vepa]`` (mode and flag are the lower's, for all its
        ipvlans; iproute2 always sends the flag; ``link_netns`` as for
        :meth:`add_macvlan`)."""
        ns = self.kernel.netns(netns)
        m = None if mode is None else IpvlanMode[mode.upper()]
        flags = {"bridge": 0, "private": 1, "vepa": 2}[flag]
        return self.kernel.newlink(
            ipvlan_newlink,
            ns,
            ifname,
            self._lower(link, link_netns or netns),
            mode=m,
            flags=flags,
            mtu=mtu,
        )
