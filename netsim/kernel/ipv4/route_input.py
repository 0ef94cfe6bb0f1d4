"""The input route of a packet arriving on a device: ``ip_route_input_slow()``,
as ``inet_rtm_getroute()`` asks for it (``ip route get DST from SRC iif DEV``).

The checks come in the kernel's order: a multicast or limited-broadcast source,
then a limited-broadcast destination (or both zero: delivered as broadcast), a
zero-network source or destination, loopback addresses without
``route_localnet`` (each martian: ``EINVAL``); then the FIB lookup (with the
rules, ``iif`` and ``mark``), whose failure is ``EHOSTUNREACH`` when the device
does not forward; a broadcast or local route, its source validated
(``fib_validate_source()``); forwarding off (``EHOSTUNREACH``); anything but a
unicast route (``EINVAL``); the path chosen and the source validated on it
(``rp_filter``: ``EINVAL``).  The packet path (``InetStack.ip_rcv``) makes the
same decisions on real packets.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from typing import TYPE_CHECKING

from netsim.errors import KernelError
from netsim.kernel.ipv4.consts import RT_SCOPE_LINK, RTN_BROADCAST, RTN_LOCAL, RTN_UNICAST
from netsim.kernel.ipv4.fib import Route
from netsim.kernel.ipv4.multipath import fib_select_path

if TYPE_CHECKING:
    from netsim.kernel.links.base import Link
    from netsim.kernel.netns import Netns

__all__ = ["InputRoute", "ip_route_input"]

_LBCAST = 0xFFFFFFFF


@dataclass(frozen=True)
class InputRoute:
    """What ``ip_route_input_slow()`` resolved: the route's type, the route (none
    for the limited broadcast), where the packet goes (``lo`` when it is for
    this host) and the gateway."""

    type: int
    route: Route | None
    daddr: int
    saddr: int
    iif: Link
    dev: Link
    gateway: int = 0
    mark: int = 0


def _martian(saddr: int, daddr: int) -> bool:
    return saddr >> 28 == 0xE or saddr == _LBCAST


def ip_route_input(ns: Netns, daddr: int, saddr: int, iif: Link, *, mark: int = 0) -> InputRoute:
    """The input route of ``saddr -> daddr`` arriving on ``iif``.

    :raises KernelError: with the kernel's errno.
    """
    stack = ns.inet
    if iif.ip_ptr is None:
        raise KernelError(errno.EINVAL)
    lo = ns.dev("lo")
    if _martian(saddr, daddr):
        raise KernelError(errno.EINVAL)
    if daddr == _LBCAST or (saddr == 0 and daddr == 0):
        return InputRoute(RTN_BROADCAST, None, daddr, saddr, iif, lo, mark=mark)
    if saddr >> 24 == 0 or daddr >> 24 == 0:
        raise KernelError(errno.EINVAL)
    localnet = stack.conf_or(iif, "route_localnet")
    if not localnet and (daddr >> 24 == 127 or saddr >> 24 == 127):
        raise KernelError(errno.EINVAL)
    if daddr >> 28 == 0xE:
        raise KernelError(
            errno.EOPNOTSUPP, message="netsim: multicast input routes are not modelled"
        )
    forwarding = stack.conf_forwarding(iif)
    rt = ns.ipv4.resolve(daddr, saddr, iif, mark=mark)
    if isinstance(rt, int):
        raise KernelError(rt if forwarding else errno.EHOSTUNREACH)
    if rt.type in (RTN_BROADCAST, RTN_LOCAL):
        if stack.validate_source(saddr, daddr, iif):
            raise KernelError(errno.EINVAL)
        return InputRoute(rt.type, rt, daddr, saddr, iif, lo, mark=mark)
    if not forwarding:
        raise KernelError(errno.EHOSTUNREACH)
    if rt.type != RTN_UNICAST:
        raise KernelError(errno.EINVAL)
    path = fib_select_path(ns, rt, saddr, daddr)
    if stack.validate_source(saddr, daddr, iif):
        raise KernelError(errno.EINVAL)
    nh = path.nh
    assert nh is not None and nh.dev is not None
    gw = nh.gw if nh.scope == RT_SCOPE_LINK and nh.gw else 0
    return InputRoute(RTN_UNICAST, path, daddr, saddr, iif, nh.dev, gw, mark)
