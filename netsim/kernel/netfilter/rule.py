"""Rules: the packet fields iptables matches on, its match extensions and its
targets (``ip_tables.c: ip_packet_match()``, ``xt_*.c``).

A :class:`Rule` is a value: two rules are equal when iptables would call them
the same rule (``-D``/``-C`` by specification compare this way).  Matches and
targets know how to test a packet (:class:`PktInfo`) and how ``iptables -S``
prints them (``save()``, each extension's ``->save`` in libxt_*.c).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Protocol

from netsim.kernel.netfilter.addrs import host

__all__ = [
    "CT_STATES",
    "RTN_NAMES",
    "AddrType",
    "Comment",
    "Conntrack",
    "IcmpMatch",
    "Jump",
    "Mark",
    "MarkTarget",
    "Match",
    "Multiport",
    "NatTarget",
    "PktInfo",
    "PortMatch",
    "Reject",
    "Rule",
    "Target",
    "Verdict",
    "save_string",
]

#: ``-m addrtype`` type names, bit = RTN_* value (libxt_addrtype.c ``rtn_names``).
RTN_NAMES: Final = ("UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
                    "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE")  # fmt: skip
#: ``--ctstate`` names in the order libxt_conntrack prints them, with their bits.
CT_STATES: Final = (("INVALID", 1), ("NEW", 8), ("RELATED", 4), ("ESTABLISHED", 2),
                    ("UNTRACKED", 64), ("SNAT", 16), ("DNAT", 32))  # fmt: skip


class PktInfo:
    """What the matches look at: one packet at one hook (``struct xt_action_param``
    plus the headers).  ``ct`` is the conntrack state bit (``CT_STATES``), 0 when
    untracked; ``addr_type`` is ``inet_addr_type()`` of the namespace."""

    __slots__ = ("addr_type", "code", "ct", "dport", "dst", "iif", "len", "mark", "oif",
                 "proto", "sport", "src", "type")  # fmt: skip

    def __init__(self, src: int, dst: int, proto: int, iif: str, oif: str, length: int,
                 addr_type: Callable[[int], int]) -> None:  # fmt: skip
        self.src, self.dst, self.proto, self.iif, self.oif = src, dst, proto, iif, oif
        self.len = length
        self.addr_type = addr_type
        self.sport = self.dport = -1  # no ports (not TCP/UDP, or a later fragment)
        self.type = self.code = -1
        self.mark = 0
        self.ct = 0


def save_string(value: str) -> str:
    """``xtables_save_string()``: bare when only ``[A-Za-z0-9_-]``, else quoted."""
    ok = "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if value and all(c in ok for c in value):
        return value
    esc = "".join("\\" + c if c in "\"\\'" else c for c in value)
    return f'"{esc}"'


def _neg(inv: bool) -> str:
    return "! " if inv else ""


class Match(Protocol):
    """A match extension (``struct xt_match``): its ``-m`` name, test and save."""

    @property
    def name(self) -> str: ...

    def match(self, p: PktInfo) -> bool: ...

    def save(self) -> str: ...


def _ports(r: tuple[int, int]) -> str:
    return str(r[0]) if r[0] == r[1] else f"{r[0]}:{r[1]}"


@dataclass(frozen=True, slots=True)
class PortMatch:
    """``-m tcp`` / ``-m udp`` (``xt_tcpudp.c``): ``--sport``/``--dport`` ranges."""

    name: str
    sport: tuple[int, int] = (0, 65535)
    dport: tuple[int, int] = (0, 65535)
    sport_inv: bool = False
    dport_inv: bool = False

    def match(self, p: PktInfo) -> bool:
        if p.sport < 0:
            return False
        s, d = self.sport, self.dport
        return ((s[0] <= p.sport <= s[1]) != self.sport_inv
                and (d[0] <= p.dport <= d[1]) != self.dport_inv)  # fmt: skip

    def save(self) -> str:
        out = []
        if self.sport != (0, 65535) or self.sport_inv:
            out.append(f"{_neg(self.sport_inv)}--sport {_ports(self.sport)}")
        if self.dport != (0, 65535) or self.dport_inv:
            out.append(f"{_neg(self.dport_inv)}--dport {_ports(self.dport)}")
        return " ".join(out)


@dataclass(frozen=True, slots=True)
class IcmpMatch:
    """``-m icmp --icmp-type T[/C]`` (``ip_tables.c: icmp_match``); type 255 = any."""

    type: int
    codes: tuple[int, int] = (0, 255)
    inv: bool = False
    name: str = "icmp"

    def match(self, p: PktInfo) -> bool:
        if p.type < 0:
            return False
        hit = self.type == 255 or (p.type == self.type and self.codes[0] <= p.code <= self.codes[1])
        return hit != self.inv

    def save(self) -> str:
        t = "any" if self.type == 255 else str(self.type)
        if self.type != 255 and self.codes != (0, 255):
            t += f"/{self.codes[0]}"
        return f"{_neg(self.inv)}--icmp-type {t}"


@dataclass(frozen=True, slots=True)
class Multiport:
    """``-m multiport --dports|--sports|--ports`` (``xt_multiport.c``)."""

    flag: str  # "dports", "sports" or "ports"
    ports: tuple[tuple[int, int], ...]
    inv: bool = False
    name: str = "multiport"

    def match(self, p: PktInfo) -> bool:
        if p.sport < 0:
            return False
        want = {"dports": (p.dport,), "sports": (p.sport,)}.get(self.flag, (p.sport, p.dport))
        hit = any(lo <= v <= hi for v in want for lo, hi in self.ports)
        return hit != self.inv

    def save(self) -> str:
        return f"{_neg(self.inv)}--{self.flag} " + ",".join(_ports(r) for r in self.ports)


@dataclass(frozen=True, slots=True)
class Comment:
    """``-m comment --comment TEXT``: always matches."""

    text: str
    name: str = "comment"

    def match(self, p: PktInfo) -> bool:
        return True

    def save(self) -> str:
        return f"--comment {save_string(self.text)}"


@dataclass(frozen=True, slots=True)
class Mark:
    """``-m mark --mark V[/M]`` (``xt_mark.c``): ``(skb->mark & M) == V``."""

    value: int
    mask: int = 0xFFFFFFFF
    inv: bool = False
    name: str = "mark"

    def match(self, p: PktInfo) -> bool:
        return ((p.mark & self.mask) == self.value) != self.inv

    def save(self) -> str:
        m = "" if self.mask == 0xFFFFFFFF else f"/{self.mask:#x}"
        return f"{_neg(self.inv)}--mark {self.value:#x}{m}"


@dataclass(frozen=True, slots=True)
class AddrType:
    """``-m addrtype`` (``xt_addrtype.c``): source/destination route types as bit sets."""

    src: int = 0
    dst: int = 0
    src_inv: bool = False
    dst_inv: bool = False
    limit_in: bool = False
    limit_out: bool = False
    name: str = "addrtype"

    def match(self, p: PktInfo) -> bool:
        if self.src and bool(1 << p.addr_type(p.src) & self.src) == self.src_inv:
            return False
        return not (self.dst and bool(1 << p.addr_type(p.dst) & self.dst) == self.dst_inv)

    def save(self) -> str:
        out = []
        for bits, inv, opt in ((self.src, self.src_inv, "--src-type"),
                               (self.dst, self.dst_inv, "--dst-type")):  # fmt: skip
            if bits:
                names = ",".join(n for i, n in enumerate(RTN_NAMES) if bits >> i & 1)
                out.append(f"{_neg(inv)}{opt} {names}")
        out += ["--limit-iface-in"] * self.limit_in + ["--limit-iface-out"] * self.limit_out
        return " ".join(out)


@dataclass(frozen=True, slots=True)
class Conntrack:
    """``-m conntrack --ctstate S,...`` or ``-m state --state S,...`` (``xt_conntrack.c``)."""

    states: int
    inv: bool = False
    name: str = "conntrack"

    def match(self, p: PktInfo) -> bool:
        return bool(p.ct & self.states) != self.inv

    def save(self) -> str:
        names = ",".join(n for n, bit in CT_STATES if self.states & bit)
        opt = "--state" if self.name == "state" else "--ctstate"
        return f"{_neg(self.inv)}{opt} {names}"


# --- targets ------------------------------------------------------------------------------


class Verdict:
    """What a target tells the traversal (``NF_ACCEPT``, ``NF_DROP``, ``XT_RETURN``,
    ``XT_CONTINUE``)."""

    ACCEPT: Final = 1
    DROP: Final = 0
    RETURN: Final = -1
    CONTINUE: Final = -2


class Target(Protocol):
    """A target: its ``-j`` name and saved options."""

    @property
    def name(self) -> str: ...

    def save(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Jump:
    """ACCEPT, DROP, RETURN (standard targets) or a user chain; ``goto`` for ``-g``."""

    name: str
    goto: bool = False

    def save(self) -> str:
        return ""


@dataclass(frozen=True, slots=True)
class NatTarget:
    """MASQUERADE, SNAT ``--to-source``, DNAT ``--to-destination`` (``xt_nat.c``,
    ``xt_MASQUERADE.c``).  ``addr`` 0 for MASQUERADE; ports (0, 0) keep the port."""

    name: str
    addr: int = 0
    ports: tuple[int, int] = (0, 0)
    random: bool = False
    random_fully: bool = False
    persistent: bool = False
    #: an ip6tables target: ``[addr]:port``
    v6: bool = False

    def save(self) -> str:
        out = []
        p = "" if self.ports == (0, 0) else (
            f"{self.ports[0]}" if self.ports[0] == self.ports[1] else
            f"{self.ports[0]}-{self.ports[1]}")  # fmt: skip
        if self.name == "MASQUERADE":
            if p:
                out.append(f"--to-ports {p}")
        else:
            a = host(self.addr, v6=self.v6)
            opt = "--to-source" if self.name == "SNAT" else "--to-destination"
            if self.v6 and p:
                a = f"[{a}]"
            out.append(f"{opt} {a}{':' + p if p else ''}")
        out += (["--random"] * self.random + ["--random-fully"] * self.random_fully
                + ["--persistent"] * self.persistent)  # fmt: skip
        return " ".join(out)


@dataclass(frozen=True, slots=True)
class MarkTarget:
    """``-j MARK --set-xmark V/M`` (``xt_mark.c: mark_tg``): mark = (mark & ~M) ^ V."""

    value: int
    mask: int
    name: str = "MARK"

    def save(self) -> str:
        return f"--set-xmark {self.value:#x}/{self.mask:#x}"


@dataclass(frozen=True, slots=True)
class Reject:
    """``-j REJECT --reject-with TYPE`` (``ipt_REJECT.c``)."""

    with_: str = "icmp-port-unreachable"
    name: str = "REJECT"

    def save(self) -> str:
        return f"--reject-with {self.with_}"


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: ``struct ipt_ip`` (addresses, interfaces, protocol, each with
    ``!``), its matches in order, and its target (None: count only)."""

    src: tuple[int, int] = (0, 0)  # (address, mask)
    dst: tuple[int, int] = (0, 0)
    iif: str = ""
    oif: str = ""
    proto: int = 0
    src_inv: bool = False
    dst_inv: bool = False
    iif_inv: bool = False
    oif_inv: bool = False
    proto_inv: bool = False
    matches: tuple[Match, ...] = ()
    target: Target | None = field(default=None)
    #: an ip6tables rule (128-bit addresses and masks)
    v6: bool = False

    def match(self, p: PktInfo) -> bool:
        """``ip_packet_match()`` and then every match extension."""
        a, m = self.src
        if m and ((p.src & m) == a) == self.src_inv:
            return False
        a, m = self.dst
        if m and ((p.dst & m) == a) == self.dst_inv:
            return False
        if self.iif and _ifmatch(self.iif, p.iif) == self.iif_inv:
            return False
        if self.oif and _ifmatch(self.oif, p.oif) == self.oif_inv:
            return False
        if self.proto and (p.proto == self.proto) == self.proto_inv:
            return False
        for x in self.matches:  # noqa: SIM110 (hot path: no generator per rule)
            if not x.match(p):
                return False
        return True


def _ifmatch(pattern: str, name: str) -> bool:
    """``-i eth+``: a trailing ``+`` matches any name with that prefix."""
    if pattern.endswith("+"):
        return name.startswith(pattern[:-1])
    return name == pattern
