"""One-line frame summaries in the words of ``tcpdump -nn -e``.

Used for traces and notebooks, never on the forwarding path.
"""

from __future__ import annotations

from typing import Any, Final

from netsim.packet.arp import ARP, ARPOP_REPLY, ARPOP_REQUEST
from netsim.packet.dhcp import DHCP
from netsim.packet.ethernet import Ethernet
from netsim.packet.icmp import ICMP
from netsim.packet.ipv4 import IPv4
from netsim.packet.tcp import TCP
from netsim.packet.udp import UDP
from netsim.packet.vxlan import VXLAN

__all__ = ["summary"]

_ETHERTYPES: Final = {0x0800: "IPv4", 0x0806: "ARP", 0x86DD: "IPv6", 0x8100: "802.1Q"}
_TCP_FLAGS: Final = ((0x01, "F"), (0x02, "S"), (0x04, "R"), (0x08, "P"), (0x10, "."), (0x20, "U"))
_UNREACH: Final = {
    0: "net {dst} unreachable",
    1: "host {dst} unreachable",
    3: "{proto} port {port} unreachable",
}


def summary(frame: Any) -> str:
    """``tcpdump -nn -e``'s line for an :class:`Ethernet` frame (``tcpdump -nn``'s for a
    bare IPv4 packet a namespace originated; ``str()`` otherwise)."""
    if isinstance(frame, IPv4):
        return "IP " + _ip(frame)
    if not isinstance(frame, Ethernet):
        return str(frame)
    head = f"{frame.src} > {frame.dst}, "
    if frame.vlan is not None:
        head += (
            f"ethertype 802.1Q (0x8100), length {frame.wire_len}: "
            f"vlan {frame.vlan.vid}, p {frame.vlan.pcp}, "
        )
        return head + f"ethertype {_ethertype(frame.ethertype)}, {_l3(frame.payload)}"
    return (
        head
        + f"ethertype {_ethertype(frame.ethertype)}, length {frame.wire_len}: "
        + _l3(frame.payload)
    )


def _ethertype(t: int) -> str:
    name = _ETHERTYPES.get(t)
    return f"{name} (0x{t:04x})" if name else f"Unknown (0x{t:04x})"


def _l3(p: Any) -> str:
    if isinstance(p, ARP):
        if p.op == ARPOP_REQUEST:
            return f"Request who-has {p.tpa} tell {p.spa}, length 28"
        if p.op == ARPOP_REPLY:
            return f"Reply {p.spa} is-at {p.sha}, length 28"
        return f"ARP op {p.op}, length 28"
    if isinstance(p, IPv4):
        return _ip(p)
    if isinstance(p, bytes):
        return f"{len(p)} bytes"
    return str(p)


def _ip(ip: IPv4) -> str:
    p = ip.payload
    if isinstance(p, ICMP):
        return f"{ip.src} > {ip.dst}: {_icmp(ip, p)}"
    if isinstance(p, UDP):
        ends = f"{ip.src}.{p.sport} > {ip.dst}.{p.dport}"
        if isinstance(p.payload, VXLAN):
            vx = p.payload
            return (
                f"{ends}: VXLAN, flags [I] (0x{vx.flags:02x}), vni {vx.vni}\n{summary(vx.payload)}"
            )
        if isinstance(p.payload, DHCP):
            return f"{ends}: {p.payload.summary()}"
        return f"{ends}: UDP, length {len(p.payload) if isinstance(p.payload, bytes) else 0}"
    if isinstance(p, TCP):
        flags = "".join(c for bit, c in _TCP_FLAGS if p.flags & bit) or "none"
        return (
            f"{ip.src}.{p.sport} > {ip.dst}.{p.dport}: Flags [{flags}], seq {p.seq}, "
            f"win {p.window}, length {len(p.payload)}"
        )
    return f"{ip.src} > {ip.dst}: ip-proto-{ip.proto} {len(p) if isinstance(p, bytes) else 0}"


def _icmp(ip: IPv4, m: ICMP) -> str:
    length = m.wire_len
    if m.type in (0, 8):
        ident, seq = m.rest_of_header >> 16, m.rest_of_header & 0xFFFF
        kind = "echo request" if m.type == 8 else "echo reply"
        return f"ICMP {kind}, id {ident}, seq {seq}, length {length}"
    if m.type == 3 and isinstance(m.payload, IPv4):
        q = m.payload
        port = getattr(q.payload, "dport", 0)
        proto = {6: "tcp", 17: "udp"}.get(q.proto, str(q.proto))
        text = _UNREACH.get(m.code, "unreachable code " + str(m.code))
        return (
            "ICMP "
            + text.format(dst=q.dst, proto=f"{q.dst} {proto}", port=port)
            + f", length {length}"
        )
    if m.type == 11:
        return f"ICMP time exceeded in-transit, length {length}"
    return f"ICMP type {m.type} code {m.code}, length {length}"
