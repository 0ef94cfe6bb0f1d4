"""Packet rewriting for NAT (``nf_nat_proto.c``) and the tuple a packet
belongs to (``nf_ct_get_tuple()``, ``icmp_error_message()``).

:func:`manip` is ``nf_nat_ipv4_manip_pkt()``: the source (SRC manip) or the
destination (DST manip) address and port of a packet from a target tuple;
for ICMP echo the identifier.  :func:`manip_related` is
``nf_nat_icmp_reply_translation()``: an ICMP error is rewritten outside
*and* in the datagram it quotes, with the opposite manipulation inside.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Final

from netsim.kernel.netfilter.conntrack import Tuple, invert
from netsim.packet import ICMP, TCP, UDP, IPv4, ipv4_addr

__all__ = ["DST", "SRC", "manip", "manip_related", "pkt_tuple", "quoted_tuple"]

SRC: Final = 0
DST: Final = 1
_ECHO: Final = (0, 8)
_ERRORS: Final = frozenset((3, 4, 5, 11, 12))


def pkt_tuple(ip: IPv4) -> Tuple | None:
    """The tuple of a packet, None for an ICMP error (RELATED: see :func:`quoted_tuple`)."""
    p: Any = ip.payload
    src, dst = int(ip.src), int(ip.dst)
    if ip.frag_offset:
        return (ip.proto, src, 0, dst, 0)
    if isinstance(p, TCP | UDP):
        return (ip.proto, src, p.sport, dst, p.dport)
    if isinstance(p, ICMP):
        if p.type in _ECHO:
            return (1, src, p.ident, dst, p.ident)
        if p.type in _ERRORS:
            return None
    return (ip.proto, src, 0, dst, 0)


def quoted_tuple(ip: IPv4) -> Tuple | None:
    """For an ICMP error: the inverse of the quoted datagram's tuple, the tuple
    of the flow the error travels with (``icmp_error_message()``)."""
    p: Any = ip.payload
    if not isinstance(p, ICMP) or not isinstance(p.payload, IPv4):
        return None
    inner = p.payload
    if isinstance(inner.payload, bytes):
        head = inner.payload
        if inner.proto in (6, 17) and len(head) >= 4:
            t: Tuple = (inner.proto, int(inner.src), int.from_bytes(head[0:2], "big"),
                        int(inner.dst), int.from_bytes(head[2:4], "big"))  # fmt: skip
            return invert(t)
        if inner.proto == 1 and len(head) >= 6 and head[0] in _ECHO:
            ident = int.from_bytes(head[4:6], "big")
            return invert((1, int(inner.src), ident, int(inner.dst), ident))
        return invert((inner.proto, int(inner.src), 0, int(inner.dst), 0))
    t2 = pkt_tuple(inner)
    return invert(t2) if t2 is not None else None


def _l4(payload: Any, sport: int | None, dport: int | None) -> Any:
    if isinstance(payload, TCP | UDP):
        return dataclasses.replace(payload, sport=payload.sport if sport is None else sport,
                                   dport=payload.dport if dport is None else dport,
                                   checksum=None)  # fmt: skip
    if isinstance(payload, ICMP) and payload.type in _ECHO:
        ident = sport if sport is not None else dport
        if ident is not None:
            rest = ident << 16 | payload.seq
            return dataclasses.replace(payload, rest_of_header=rest, checksum=None)
    return payload


def manip(ip: IPv4, target: Tuple, how: int, *, l4: bool = True) -> IPv4:
    """Rewrite the source (``SRC``) or destination (``DST``) of ``ip`` from ``target``."""
    payload: Any = ip.payload
    if how == SRC:
        if l4 and not ip.frag_offset:
            payload = _l4(payload, target[2], None)
        return dataclasses.replace(ip, src=ipv4_addr(target[1]), payload=payload, checksum=None)
    if l4 and not ip.frag_offset:
        payload = _l4(payload, None, target[4])
    return dataclasses.replace(ip, dst=ipv4_addr(target[3]), payload=payload, checksum=None)


def manip_related(ip: IPv4, other: Tuple, how: int) -> IPv4:
    """``nf_nat_icmp_reply_translation()``: ``other`` is the flow's tuple in the
    direction opposite to the error's."""
    msg: Any = ip.payload
    inner: Any = msg.payload
    if isinstance(inner, IPv4):
        inner = manip(inner, other, DST if how == SRC else SRC,
                      l4=not isinstance(inner.payload, bytes))  # fmt: skip
        msg = dataclasses.replace(msg, payload=inner, checksum=None)
    out = dataclasses.replace(ip, payload=msg)
    return manip(out, invert(other), how, l4=False)
