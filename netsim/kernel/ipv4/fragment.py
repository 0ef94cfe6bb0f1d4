"""IPv4 fragmentation and reassembly (``ip_output.c`` ``ip_do_fragment``,
``ip_fragment.c``).

A packet larger than the egress MTU and without DF is cut into fragments of
the largest multiple of 8 bytes that fits, each with the original
identification and MF on all but the last.  The receiving host keeps the
fragments of a datagram (keyed by source, destination, protocol and
identification) until they cover it, then delivers it whole; after
``ipfrag_time`` (30 s) an incomplete datagram is dropped and, if its first
fragment arrived, the sender gets *fragment reassembly time exceeded*.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from netsim.packet import IPv4

if TYPE_CHECKING:
    from netsim.engine import Engine, Timer

__all__ = ["Reassembly", "ip_fragment"]

IP_MF: Final = 0b001
IP_DF: Final = 0b010


def ip_fragment(ip: IPv4, mtu: int) -> list[IPv4]:
    """The fragments ``ip_do_fragment()`` makes of ``ip`` for a link of ``mtu`` bytes."""
    hlen = ip.header_len
    raw = ip.encode()[hlen:]
    step = (mtu - hlen) // 8 * 8
    if step <= 0:
        return []
    out = []
    more = ip.flags & IP_MF
    for off in range(0, len(raw), step):
        last = off + step >= len(raw)
        flags = (ip.flags & ~(IP_MF | IP_DF)) | (IP_MF if (not last or more) else 0)
        out.append(
            IPv4(
                ip.src,
                ip.dst,
                ip.proto,
                raw[off : off + step],
                ttl=ip.ttl,
                tos=ip.tos,
                ident=ip.ident,
                flags=flags,
                frag_offset=ip.frag_offset + off // 8,
                options=ip.options if off == 0 else b"",
            )
        )
    return out


class _Queue:
    __slots__ = ("first", "pieces", "timer", "total")

    def __init__(self) -> None:
        self.pieces: dict[int, bytes] = {}
        self.total: int | None = None  # known once the last fragment arrived
        self.first: IPv4 | None = None
        self.timer: Timer | None = None

    def complete(self) -> bytes | None:
        if self.total is None:
            return None
        data = bytearray()
        for off in sorted(self.pieces):
            if off > len(data):
                return None
            data[off:] = self.pieces[off]
        return bytes(data) if len(data) >= self.total else None


class Reassembly:
    """One namespace's ``ipq`` table."""

    def __init__(self, engine: Engine, timeout: Callable[[], float],
                 expired: Callable[[IPv4], None]):  # fmt: skip
        self.engine = engine
        self._timeout = timeout
        self._expired = expired
        self.queues: dict[tuple[int, int, int, int], _Queue] = {}

    def add(self, ip: IPv4) -> IPv4 | None:
        """Take one fragment; return the whole datagram when it is complete."""
        key = (int(ip.src), int(ip.dst), ip.proto, ip.ident)
        q = self.queues.get(key)
        if q is None:
            q = self.queues[key] = _Queue()
            q.timer = self.engine.timer(self._timeout(), lambda: self._expire(key))
        data = ip.payload if isinstance(ip.payload, bytes) else b""
        off = ip.frag_offset * 8
        q.pieces[off] = data
        if off == 0:
            q.first = ip
        if not ip.flags & IP_MF:
            q.total = off + len(data)
        whole = q.complete()
        if whole is None or q.first is None:
            return None
        del self.queues[key]
        if q.timer is not None:
            q.timer.cancel()
        first = q.first
        flat = IPv4(first.src, first.dst, first.proto, whole, ttl=first.ttl, tos=first.tos,
                    ident=first.ident, options=first.options)  # fmt: skip
        return IPv4.decode(flat.encode())

    def _expire(self, key: tuple[int, int, int, int]) -> None:
        q = self.queues.pop(key, None)
        if q is not None and q.first is not None:
            self._expired(q.first)
