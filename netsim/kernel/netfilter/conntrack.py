"""Connection tracking (``nf_conntrack_core.c``, ``nf_conntrack_proto_*.c``).

A flow is keyed by its 5-tuple ``(proto, src, sport, dst, dport)``; for ICMP
echo the identifier stands in both port slots, so that inverting a tuple
(``nf_ct_invert_tuple()``) gives the reply's.  Each entry is hashed under its
original and its reply tuple, so a packet's lookup says which direction it
goes.  NAT rewrites the reply tuple (the packet the far end will send back).

Entries expire lazily, checked when looked up (ICMP 30 s, UDP 30 s until a
reply then 120 s, TCP 120 s, 10 s after a RST).  A MASQUERADE entry also dies
when its device loses the address it was given (``masq_inet_event()``).

Simplification: an entry is inserted with a flow's first packet, where the
kernel confirms it only when that packet leaves the hooks alive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from netsim.kernel.links.base import Link

__all__ = ["ORIGINAL", "REPLY", "CtEntry", "CtTable", "Tuple", "invert"]

#: (proto, src, sport, dst, dport)
Tuple = tuple[int, int, int, int, int]
ORIGINAL: Final = 0
REPLY: Final = 1

# ct->status bits (include/uapi/linux/netfilter/nf_conntrack_common.h)
IPS_SEEN_REPLY: Final = 1 << 1
IPS_SRC_NAT: Final = 1 << 4
IPS_DST_NAT: Final = 1 << 5
IPS_NAT_MASK: Final = IPS_SRC_NAT | IPS_DST_NAT
IPS_SRC_NAT_DONE: Final = 1 << 7
IPS_DST_NAT_DONE: Final = 1 << 8

_TIMEOUT_NEW: Final = {1: 30.0, 6: 120.0, 17: 30.0}
_TIMEOUT_REPLIED: Final = {1: 30.0, 6: 432000.0, 17: 120.0}


def invert(t: Tuple) -> Tuple:
    """``nf_ct_invert_tuple()``."""
    return (t[0], t[3], t[4], t[1], t[2])


class CtEntry:
    """``struct nf_conn``: both tuples, status, expiry, and the MASQUERADE binding."""

    __slots__ = ("expires", "masq", "status", "tuples")

    def __init__(self, orig: Tuple, now: float) -> None:
        self.tuples: list[Tuple] = [orig, invert(orig)]
        self.status = 0
        self.expires = now + _TIMEOUT_NEW.get(orig[0], 600.0)
        #: (device, address) a MASQUERADE entry depends on.
        self.masq: tuple[Link, int] | None = None

    def __repr__(self) -> str:
        return f"<CtEntry {self.tuples[0]} -> {self.tuples[1]} status={self.status:#x}>"

    def refresh(self, now: float, *, rst: bool = False) -> None:
        """``nf_ct_refresh_acct()``."""
        proto = self.tuples[0][0]
        if rst:
            timeout = 10.0
        elif self.status & IPS_SEEN_REPLY:
            timeout = _TIMEOUT_REPLIED.get(proto, 600.0)
        else:
            timeout = _TIMEOUT_NEW.get(proto, 600.0)
        self.expires = now + timeout

    def alive(self, now: float) -> bool:
        if now >= self.expires:
            return False
        if self.masq is None:
            return True
        dev, addr = self.masq
        ip = dev.ip_ptr
        return ip is not None and any(a.local == addr for a in ip.ifa_list)


class CtTable:
    """One namespace's conntrack hash: tuple -> (entry, direction)."""

    def __init__(self) -> None:
        self.hash: dict[Tuple, tuple[CtEntry, int]] = {}

    def __len__(self) -> int:
        return len(self.entries())

    def entries(self) -> list[CtEntry]:
        """Every entry once, in insertion order (``conntrack -L``)."""
        seen: dict[int, CtEntry] = {}
        for e, _ in self.hash.values():
            seen.setdefault(id(e), e)
        return list(seen.values())

    def find(self, t: Tuple, now: float) -> tuple[CtEntry, int] | None:
        """``nf_conntrack_find_get()``, dropping an expired entry it meets."""
        hit = self.hash.get(t)
        if hit is None:
            return None
        if not hit[0].alive(now):
            self.remove(hit[0])
            return None
        return hit

    def add(self, orig: Tuple, now: float) -> CtEntry:
        """A new flow (``init_conntrack()`` + ``__nf_conntrack_confirm()``)."""
        e = CtEntry(orig, now)
        self.hash[orig] = (e, ORIGINAL)
        self.hash.setdefault(e.tuples[REPLY], (e, REPLY))
        return e

    def remove(self, e: CtEntry) -> None:
        for d, t in enumerate(e.tuples):
            if self.hash.get(t, (None, d))[0] is e:
                del self.hash[t]

    def taken(self, t: Tuple, me: CtEntry, now: float) -> bool:
        """``nf_nat_used_tuple()``: another live flow already expects replies as ``t``."""
        hit = self.find(t, now)
        return hit is not None and hit[0] is not me

    def set_reply(self, e: CtEntry, reply: Tuple) -> None:
        """Re-hash the reply direction after a NAT binding (``nf_conntrack_alter_reply()``)."""
        old = e.tuples[REPLY]
        if self.hash.get(old, (None, 0))[0] is e:
            del self.hash[old]
        e.tuples[REPLY] = reply
        self.hash[reply] = (e, REPLY)

    def flush(self) -> None:
        self.hash.clear()
