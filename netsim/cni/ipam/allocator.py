"""host-local's allocator: ``backend/allocator/allocator.go`` of
containernetworking/plugins v1.1.1.

Round robin: the search starts after ``last_reserved_ip.N`` when that address
is in the set (else at the first range's start), walks each range start..end
inclusive, moves on to the next range and wraps to the first, skips each
range's gateway, and stops when it is back where it started."""

from __future__ import annotations

from collections.abc import Iterator

from netsim.cni.errors import CniError
from netsim.cni.ipam.disk import Store
from netsim.cni.ipam.ranges import (
    Range,
    RangeSet,
    canonicalize_ip,
    next_ip,
    set_contains,
    set_range_for,
    set_string,
)
from netsim.cni.ipcache import ip_interface
from netsim.cni.result import IP, IPConfig

__all__ = ["IPAllocator", "range_iter"]


def _ipconfig(ip: IP, r: Range) -> IPConfig:
    return IPConfig(address=ip_interface(f"{ip}/{r.network.prefixlen}"), gateway=r.gateway)


def range_iter(rs: RangeSet, last_reserved: IP | None) -> Iterator[tuple[IP, Range]]:
    """``IPAllocator.GetIter`` + ``RangeIter.Next``: the candidates in order."""
    idx = 0
    cur: IP | None = None
    start: IP | None = None
    if last_reserved is not None and set_contains(rs, last_reserved):
        last = canonicalize_ip(last_reserved)
        idx = next(i for i, r in enumerate(rs) if r.contains(last))
        cur = last
    else:
        start = rs[0].range_start
    while True:
        r = rs[idx]
        if cur is None:
            cur = r.range_start
            assert cur is not None
            start = cur
        else:
            if cur == r.range_end:
                idx = (idx + 1) % len(rs)
                r = rs[idx]
                cur = r.range_start
                assert cur is not None
            else:
                cur = next_ip(cur)
            if start is None:
                start = cur
            elif cur == start:
                return
        if cur == r.gateway:
            continue
        yield cur, r


class IPAllocator:
    """``allocator.IPAllocator``: hands out addresses of one range set (index ``rid``)."""

    def __init__(self, rs: RangeSet, store: Store, rid: int):
        self.rs = rs
        self.store = store
        self.rid = str(rid)

    def get(self, cid: str, ifname: str, requested: IP | None) -> IPConfig:
        """``IPAllocator.Get``: the requested address, or the next free one."""
        if requested is not None:
            requested = canonicalize_ip(requested)
            r = set_range_for(self.rs, requested)
            if requested == r.gateway:
                raise CniError(f"requested ip {requested} is subnet's gateway")
            if not self.store.reserve(cid, ifname, requested, self.rid):
                rset = set_string(self.rs)
                raise CniError(
                    f"requested IP address {requested} is not available in range set {rset}"
                )
            return _ipconfig(requested, r)
        for held in self.store.get_by_id(cid, ifname):
            if set_contains(self.rs, held):
                raise CniError(
                    f"{held} has been allocated to {cid}, duplicate allocation is not allowed"
                )
        for ip, r in range_iter(self.rs, self.store.last_reserved_ip(self.rid)):
            if self.store.reserve(cid, ifname, ip, self.rid):
                return _ipconfig(ip, r)
        raise CniError(f"no IP addresses available in range set: {set_string(self.rs)}")

    def release(self, cid: str, ifname: str) -> None:
        """``IPAllocator.Release``."""
        self.store.release_by_id(cid, ifname)
