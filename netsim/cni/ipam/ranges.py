"""host-local's address ranges: ``backend/allocator/range.go`` and
``range_set.go`` of containernetworking/plugins v1.1.1.

A :class:`Range` is one pool (subnet, first and last address, gateway); a
range set is a list of pools from which one address is taken."""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass, replace
from typing import Any

from netsim.cni.errors import CniError
from netsim.cni.ipcache import ip_address, ip_interface
from netsim.cni.result import IP, IPNet

__all__ = [
    "Range",
    "RangeSet",
    "canonicalize_ip",
    "canonicalize_set",
    "next_ip",
    "parse_cidr",
    "parse_ip",
    "set_contains",
    "set_range_for",
    "set_string",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def canonicalize_ip(ip: IP) -> IP:
    """``canonicalizeIP``: an IPv4-mapped IPv6 address is IPv4."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def parse_ip(text: str) -> IP:
    """``net.IP.UnmarshalText``: raises CniError ``invalid IP address: X``."""
    try:
        if "%" in text:
            raise ValueError(text)
        return canonicalize_ip(ip_address(text))
    except ValueError:
        raise CniError(f"invalid IP address: {text}") from None


def parse_cidr(text: str) -> IPNet:
    """``types.ParseCIDR``: the address with its prefix (host bits kept)."""
    try:
        if "/" not in text or "%" in text:
            raise ValueError(text)
        plen = text.partition("/")[2]
        if not plen.isdigit() or (len(plen) > 1 and plen[0] == "0"):
            raise ValueError(text)
        n = ip_interface(text)
    except ValueError:
        raise CniError(f"invalid CIDR address: {text}") from None
    ip = canonicalize_ip(n.ip)
    if ip.version != n.version:  # ::ffff:a.b.c.d/N
        return ip_interface(f"{ip}/{max(n.network.prefixlen - 96, 0)}")
    return n


def next_ip(ip: IP) -> IP:
    """``ip.NextIP`` (wrapping at the top of the family)."""
    top = 2**ip.max_prefixlen
    return (
        ipaddress.ip_address((int(ip) + 1) % top)
        if ip.version == 4
        else ipaddress.IPv6Address((int(ip) + 1) % top)
    )


@dataclass(frozen=True)
class Range:
    """``allocator.Range``; after :meth:`canonicalize` every field is set."""

    subnet: IPNet | None
    range_start: IP | None = None
    range_end: IP | None = None
    gateway: IP | None = None

    @property
    def network(self) -> Network:
        assert self.subnet is not None
        return self.subnet.network

    def canonicalize(self) -> Range:
        """``Range.Canonicalize``: defaults filled in, or CniError.  The gateway is
        not checked against the subnet (v1.1.1 accepts any)."""
        if self.subnet is None:
            raise CniError("IP <nil> not v4 nor v6")
        net = self.network
        if net.prefixlen > net.max_prefixlen - 2:
            raise CniError(f"Network {self.subnet.ip}/{net.prefixlen} too small to allocate from")
        if self.subnet.ip != net.network_address:
            raise CniError(
                f"Network has host bits set. For a subnet mask of length {net.prefixlen} "
                f"the network address is {net.network_address}"
            )
        r = replace(self, subnet=ip_interface(f"{net.network_address}/{net.prefixlen}"))
        if self.gateway is None:
            r = replace(r, gateway=next_ip(net.network_address))
        if self.range_start is not None:
            if self.range_start not in net:
                raise CniError(f"RangeStart {self.range_start} not in network {net}")
        else:
            r = replace(r, range_start=next_ip(net.network_address))
        if self.range_end is not None:
            if self.range_end not in net:
                raise CniError(f"RangeEnd {self.range_end} not in network {net}")
        else:
            last = net.broadcast_address
            r = replace(
                r, range_end=ipaddress.ip_address(int(last) - 1) if net.version == 4 else last
            )
        return r

    def ip_in_range(self, addr: IP) -> None:
        """``Range.IPInRange``: raises CniError naming why ``addr`` is outside."""
        net = self.network
        if addr.version != net.version:
            raise CniError(f"IP {addr} is not the same protocol as subnet {net}")
        if addr not in net:
            raise CniError(f"{addr} not in network {net}")
        if self.range_start is not None and int(addr) < int(self.range_start):
            raise CniError(f"{addr} is in network {net} but before start {self.range_start}")
        if self.range_end is not None and int(addr) > int(self.range_end):
            raise CniError(f"{addr} is in network {net} but after end {self.range_end}")

    def contains(self, addr: IP) -> bool:
        """``Range.Contains``."""
        try:
            self.ip_in_range(canonicalize_ip(addr))
        except CniError:
            return False
        return True

    def overlaps(self, other: Range) -> bool:
        """``Range.Overlaps``."""
        assert self.range_start is not None and other.range_start is not None
        if self.range_start.version != other.range_start.version:
            return False
        ends = [
            (self, other.range_start),
            (self, other.range_end),
            (other, self.range_start),
            (other, self.range_end),
        ]
        return any(r.contains(a) for r, a in ends if a is not None)

    def __str__(self) -> str:
        return f"{self.range_start}-{self.range_end}"

    @classmethod
    def from_json(cls, obj: Any) -> Range:
        """A range object of the config (``rangeStart``, ``rangeEnd``, ``subnet``, ``gateway``)."""
        from netsim.cni.gojson import field

        if not isinstance(obj, dict):
            raise CniError("json: cannot unmarshal into Go value of type allocator.Range")

        def ip(key: str) -> IP | None:
            v = field(obj, key)
            return parse_ip(v) if isinstance(v, str) and v else None

        subnet = field(obj, "subnet")
        return cls(
            subnet=parse_cidr(subnet) if isinstance(subnet, str) else None,
            range_start=ip("rangeStart"),
            range_end=ip("rangeEnd"),
            gateway=ip("gateway"),
        )


#: A list of pools, one address taken from it (``allocator.RangeSet``).
RangeSet = tuple[Range, ...]


@functools.lru_cache(maxsize=256)
def canonicalize_set(rs: RangeSet) -> RangeSet:
    """``RangeSet.Canonicalize``: every range canonical, one family, no overlaps
    (memoised: ranges are immutable, and every ADD of a node's network has the
    same ones)."""
    if not rs:
        raise CniError("empty range set")
    out = tuple(r.canonicalize() for r in rs)
    family = out[0].network.version
    if any(r.network.version != family for r in out[1:]):
        raise CniError("mixed address families")
    for i, r1 in enumerate(out[:-1]):
        for r2 in out[i + 1 :]:
            if r1.overlaps(r2):
                raise CniError(f"subnets {r1} and {r2} overlap")
    return out


def set_contains(rs: RangeSet, addr: IP) -> bool:
    """``RangeSet.Contains``."""
    return any(r.contains(addr) for r in rs)


def set_range_for(rs: RangeSet, addr: IP) -> Range:
    """``RangeSet.RangeFor``."""
    for r in rs:
        if r.contains(addr):
            return r
    raise CniError(f"{addr} not in range set {set_string(rs)}")


def set_string(rs: RangeSet) -> str:
    """``RangeSet.String``: ``start-end`` of each range, joined by ``,``."""
    return ",".join(str(r) for r in rs)


def sets_overlap(a: RangeSet, b: RangeSet) -> bool:
    """``RangeSet.Overlaps``."""
    return any(r1.overlaps(r2) for r1 in a for r2 in b)
