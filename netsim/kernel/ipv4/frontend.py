"""The routes the kernel keeps for addresses and devices (``net/ipv4/fib_frontend.c``).

* ``fib_add_ifaddr``: ``local A`` (table local, scope host) always; once the
  device is up, the subnet route (table main, ``proto kernel scope link src``,
  none for a /32 or a secondary) and the subnet broadcast (for lengths below
  31) and any explicit ``brd``.
* ``fib_del_ifaddr``: the same routes go, unless another address still needs
  them; when the local address is gone for good, routes using it as source
  go too (``fib_sync_down_addr``).
* A device going down loses every route through it but its host-scope ones;
  a device losing its last address, or unregistering, loses all of them
  (``fib_disable_ip``).  Coming up brings back only the kernel's routes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netsim.kernel.ipv4.consts import RT_SCOPE_NOWHERE, RTN_BROADCAST, RTN_LOCAL, RTN_UNICAST
from netsim.kernel.ipv4.devinet import InDevice, InIfAddr, loopback_ifa
from netsim.kernel.ipv4.fib import Route
from netsim.kernel.links.base import IFF_LOOPBACK, NetdevEvent

if TYPE_CHECKING:
    from netsim.kernel.ipv4.neigh import NeighTable
    from netsim.kernel.ipv4.state import Ipv4
    from netsim.kernel.links.base import Link

__all__ = ["add_ifa", "del_ifa", "inet_netdev_event"]


def _neigh(dev: Link) -> NeighTable:
    assert dev.netns is not None
    return dev.netns.inet.neigh


def _ipv4(dev: Link) -> Ipv4:
    assert dev.netns is not None
    return dev.netns.ipv4


def fib_add_ifaddr(ifa: InIfAddr, dev: Link) -> None:
    ipv4 = _ipv4(dev)
    in_dev: InDevice = dev.ip_ptr
    prim = ifa
    if ifa.secondary:
        found = in_dev.byprefix(ifa.prefix, ifa.mask)
        if found is None:
            return
        prim = found
    ipv4.magic(True, RTN_LOCAL, ifa.local, 32, prim=prim, dev=dev)
    if not dev.up:
        return
    if ifa.broadcast and ifa.broadcast != 0xFFFFFFFF:
        ipv4.magic(True, RTN_BROADCAST, ifa.broadcast, 32, prim=prim, dev=dev)
    prefix = ifa.prefix
    if prefix and not ifa.secondary and (prefix != ifa.local or ifa.prefixlen < 32):
        if not ifa.noprefixroute:
            rtype = RTN_LOCAL if dev.flags & IFF_LOOPBACK else RTN_UNICAST
            ipv4.magic(
                True, rtype, prefix, ifa.prefixlen, prim=prim, dev=dev, metric=ifa.rt_priority
            )
        if ifa.prefixlen < 31:
            ipv4.magic(
                True, RTN_BROADCAST, prefix | (~ifa.mask & 0xFFFFFFFF), 32, prim=prim, dev=dev
            )


def fib_del_ifaddr(ifa: InIfAddr, dev: Link) -> None:
    """``fib_del_ifaddr()``: drop what only this address needed."""
    ipv4 = _ipv4(dev)
    in_dev: InDevice = dev.ip_ptr
    brd = ifa.address | (~ifa.mask & 0xFFFFFFFF)
    anyaddr = ifa.address & ifa.mask
    prim = ifa
    subnet = False
    if ifa.secondary:
        found = in_dev.byprefix(anyaddr, ifa.mask)
        if found is None:
            return
        prim = found
    elif anyaddr and (anyaddr != ifa.local or ifa.prefixlen < 32):
        if not ifa.noprefixroute:
            rtype = RTN_LOCAL if dev.flags & IFF_LOOPBACK else RTN_UNICAST
            ipv4.magic(
                False, rtype, anyaddr, ifa.prefixlen, prim=prim, dev=dev, metric=ifa.rt_priority
            )
        subnet = True
    local_ok, brd_ok, brd0_ok, brd1_ok, gone = _still_needed(ifa, prim, in_dev)
    if not brd_ok:
        ipv4.magic(False, RTN_BROADCAST, ifa.broadcast, 32, prim=prim, dev=dev)
    if subnet and ifa.prefixlen < 31:
        if not brd1_ok:
            ipv4.magic(False, RTN_BROADCAST, brd, 32, prim=prim, dev=dev)
        if not brd0_ok:
            ipv4.magic(False, RTN_BROADCAST, anyaddr, 32, prim=prim, dev=dev)
    if not local_ok:
        ipv4.magic(False, RTN_LOCAL, ifa.local, 32, prim=prim, dev=dev)
        if gone and not _is_local(ipv4, ifa.local):
            local = ifa.local
            ipv4.flush(lambda r: r.prefsrc == local)  # fib_sync_down_addr()


def _still_needed(ifa: InIfAddr, prim: InIfAddr, in_dev: InDevice) -> tuple[bool, ...]:
    """The scan in ``fib_del_ifaddr()``: which of the address's routes other
    addresses still need (LOCAL_OK, BRD_OK, BRD0_OK, BRD1_OK), and whether the
    address is gone from the list."""
    brd = ifa.address | (~ifa.mask & 0xFFFFFFFF)
    anyaddr = ifa.address & ifa.mask
    local_ok = brd_ok = brd0_ok = brd1_ok = False
    gone = True
    same_prefsrc = False
    prim1: InIfAddr | None = None
    for a in in_dev.ifa_list:
        if a is ifa:
            gone = False
            continue
        if a.secondary:
            if a.mask == prim.mask and prim.in_subnet(a.address):
                prim1 = prim
            else:
                if not same_prefsrc:
                    continue
                if prim1 is None or a.mask != prim1.mask or not prim1.in_subnet(a.address):
                    prim1 = in_dev.byprefix(a.prefix, a.mask)
                if prim1 is None or prim1.local != prim.local:
                    continue
        else:
            if prim.local != a.local:
                continue
            prim1 = a
            if prim is not prim1:
                same_prefsrc = True
        local_ok |= ifa.local == a.local
        brd_ok |= ifa.broadcast == a.broadcast
        brd1_ok |= brd == a.broadcast
        brd0_ok |= anyaddr == a.broadcast
        if prim1 is a and a.prefixlen < 31:
            brd1 = a.address | (~a.mask & 0xFFFFFFFF)
            any1 = a.address & a.mask
            if any1:
                brd_ok |= ifa.broadcast in (brd1, any1)
                brd1_ok |= brd in (brd1, any1)
                brd0_ok |= anyaddr in (brd1, any1)
    return local_ok, brd_ok, brd0_ok, brd1_ok, gone


def _is_local(ipv4: Ipv4, addr: int) -> bool:
    table = ipv4.tables.get(255)
    return table is not None and any(
        r.type == RTN_LOCAL and r.dst.prefixlen == 32 and r.dst.network == addr for r in table
    )


def fib_disable_ip(dev: Link, *, force: bool) -> None:
    """``fib_disable_ip()`` → ``fib_sync_down_dev()`` + ``fib_flush()``, then
    ``arp_ifdown()``: every neighbour of the device goes, permanent ones too."""
    scope = -1 if force else RT_SCOPE_NOWHERE

    ipv4 = _ipv4(dev)
    marked = ipv4.dead_hops.setdefault(dev, [])

    def dead(r: Route) -> bool:
        for nh in r.nexthops:
            if nh.dev is dev and nh.scope != scope and not nh.dead:
                nh.dead = True
                marked.append(nh)
        return bool(r.nexthops) and all(nh.dead for nh in r.nexthops)

    ipv4.flush(dead)
    _neigh(dev).flush_dev(dev, permanent=True)


def fib_sync_up(dev: Link) -> None:
    """``fib_sync_up(dev, RTNH_F_DEAD)``: the hops through ``dev`` of the routes
    that survived its going down (the other hops of a multipath route) live
    again."""
    ipv4 = _ipv4(dev)
    for nh in ipv4.dead_hops.pop(dev, ()):  # the hops fib_disable_ip() marked
        nh.dead = False
    ipv4.changed()


# --- addresses --------------------------------------------------------------------------------


def add_ifa(dev: Link, ifa: InIfAddr) -> None:
    """``inet_insert_ifa()`` then the ``NETDEV_UP`` address notification."""
    in_dev: InDevice = dev.ip_ptr
    in_dev.insert(ifa)
    fib_add_ifaddr(ifa, dev)


def del_ifa(dev: Link, ifa: InIfAddr) -> None:
    """``inet_del_ifa()`` then the ``NETDEV_DOWN`` address notifications."""
    in_dev: InDevice = dev.ip_ptr
    for gone in [*in_dev.secondaries_of(ifa), ifa]:  # each while its primary is still listed
        in_dev.ifa_list.remove(gone)
        fib_del_ifaddr(gone, dev)
        if not in_dev.ifa_list:
            fib_disable_ip(dev, force=True)


# --- device events ------------------------------------------------------------------------------


def inet_netdev_event(event: NetdevEvent, dev: Link) -> None:
    """``inetdev_event()``, ``fib_netdev_event()`` and ``arp_netdev_event()`` (a new
    hardware address flushes the device's neighbours, permanent ones too, even
    when it is the same address again)."""
    if dev.link_type not in ("ether", "loopback"):
        return
    if event == NetdevEvent.REGISTER:
        dev.ip_ptr = InDevice(dev)
    elif event == NetdevEvent.UP:
        in_dev = dev.ip_ptr
        if dev.flags & IFF_LOOPBACK:  # inet_insert_ifa() of 127.0.0.1/8 on every up
            lo = loopback_ifa(dev)
            if in_dev.find(lo.local, lo.prefixlen) is None:
                add_ifa(dev, lo)
        for ifa in list(in_dev.ifa_list):
            fib_add_ifaddr(ifa, dev)
        fib_sync_up(dev)
    elif event == NetdevEvent.DOWN:
        fib_disable_ip(dev, force=False)
    elif event == NetdevEvent.CHANGEADDR and dev.netns is not None:
        _neigh(dev).changeaddr(dev)  # arp_netdev_event()
    elif event == NetdevEvent.CHANGE and not dev.carrier and dev.netns is not None:
        _neigh(dev).carrier_down(dev)  # neigh_carrier_down(), arp_evict_nocarrier
    elif event == NetdevEvent.UNREGISTER:
        in_dev = dev.ip_ptr
        if in_dev is None:
            return
        in_dev.dead = True
        _neigh(dev).flush_dev(dev, permanent=True)
        for ifa in list(in_dev.ifa_list):
            if ifa in in_dev.ifa_list:
                del_ifa(dev, ifa)
        fib_disable_ip(dev, force=True)
        _ipv4(dev).dead_hops.pop(dev, None)
        dev.ip_ptr = None
    elif event == NetdevEvent.CHANGENAME and dev.ip_ptr is not None:
        _changename(dev.ip_ptr, dev.ifname)


def _changename(in_dev: InDevice, name: str) -> None:
    """``inetdev_changename()``: labels follow the device's new name; every address
    but the first keeps its ``:suffix`` (or gets ``:N``)."""
    for named, ifa in enumerate(in_dev.ifa_list):
        if named == 0:
            ifa.label = name
            continue
        colon = ifa.label.find(":")
        dot = ifa.label[colon:] if colon >= 0 else f":{named + 1}"
        ifa.label = (name + dot) if len(name) + len(dot) < 16 else name[: 15 - len(dot)] + dot
