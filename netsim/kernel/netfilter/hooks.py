"""One namespace's netfilter: its tables, conntrack, and the IPv4 hooks
(``nf_hook()`` at ``NF_INET_*``, with the iptables tables and NAT registered
at their priorities).

The stack calls a hook only while :attr:`Netfilter.active` (some rule exists
or a policy is DROP): without rules a packet pays one flag test.  Conntrack
runs only while some rule needs it (a nat rule or a ``conntrack``/``state``
match), as it does in a namespace where nothing loaded it: observable
behaviour without such rules is the same (the kernel would track but never
translate).  Hooks, in kernel order:

* PREROUTING (``ip_rcv``, before the route): conntrack, nat (DST manip: DNAT,
  un-SNAT of replies);
* INPUT (``ip_local_deliver``): filter, then nat (SRC manip: un-DNAT of replies);
* FORWARD (``ip_forward``, after the TTL decrement): filter;
* OUTPUT (``ip_local_out``): conntrack, nat (DST: DNAT, then a re-route),
  then filter;
* POSTROUTING (``ip_output``, before fragmentation and the neighbour): nat
  (SRC manip: SNAT, MASQUERADE, un-DNAT of replies).

The packet's conntrack entry and mark ride on the skb (``skb->_nfct``,
``skb->mark``) as a :class:`PktNf`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final

from netsim.errors import KernelError
from netsim.kernel.ipv4.route import inet_select_addr, ip_route_output
from netsim.kernel.netfilter.conntrack import (
    IPS_DST_NAT,
    IPS_DST_NAT_DONE,
    IPS_NAT_MASK,
    IPS_SEEN_REPLY,
    IPS_SRC_NAT,
    IPS_SRC_NAT_DONE,
    ORIGINAL,
    REPLY,
    CtEntry,
    CtTable,
    Tuple,
    invert,
)
from netsim.kernel.netfilter.nat import DST, SRC, manip, manip_related, pkt_tuple, quoted_tuple
from netsim.kernel.netfilter.rule import (
    Conntrack,
    MarkTarget,
    NatTarget,
    PktInfo,
    Reject,
    Rule,
    Verdict,
)
from netsim.kernel.netfilter.table import NfError, Table
from netsim.packet import ICMP, TCP, UDP, IPv4

if TYPE_CHECKING:
    from netsim.kernel.ipv4.route import OutputRoute
    from netsim.kernel.links.base import Link
    from netsim.kernel.netns import Netns

__all__ = ["Netfilter", "PktNf"]

CT_NEW: Final = 8
CT_ESTABLISHED: Final = 2
CT_RELATED: Final = 4
CT_INVALID: Final = 1
CT_UNTRACKED: Final = 64
_RT_SCOPE_UNIVERSE: Final = 0
_ECHO_OR_ERROR: Final = frozenset((0, 3, 4, 5, 8, 11, 12))


class PktNf:
    """What netfilter keeps on an skb: its conntrack entry, direction, state, mark."""

    __slots__ = ("bridged", "ct", "dir", "mark", "state")

    def __init__(self) -> None:
        self.ct: CtEntry | None = None
        self.dir = ORIGINAL
        self.state = 0
        self.mark = 0
        #: PREROUTING already ran in the bridge (br_netfilter) for this pass up.
        self.bridged = False


class Netfilter:
    """``net->nf`` and ``net->ipv4.iptable_*``: the tables, conntrack, the hooks."""

    def __init__(self, ns: Netns) -> None:
        self.ns = ns
        self.tables: dict[str, Table] = {
            name: Table(name, self._recompute) for name in ("filter", "nat", "mangle", "raw")
        }
        # mangle and raw keep their rules but do not act on packets (not modelled)
        self.conntrack = CtTable()
        #: Some rule or DROP policy exists: the stack calls the hooks.
        self.active = False
        #: Conntrack runs (a nat rule or a conntrack match exists).
        self.tracking = False
        self._nat_rules = False

    def table(self, name: str) -> Table:
        """A table by name; :class:`NfError` ``notable`` for one not modelled."""
        try:
            return self.tables[name]
        except KeyError:
            raise NfError("notable", name) from None

    def _recompute(self) -> None:
        nat, flt = self.tables["nat"], self.tables["filter"]
        self._nat_rules = nat.rule_count() > 0
        rules = [e.rule for t in self.tables.values() for c in t.chains.values() for e in c.rules]
        # nf_ct_netns_get() comes with a NAT target (nft_nat, nft_masq) or a ct match
        # (nft_ct), not with a nat chain: without them nat chains see no packet
        uses_ct = any(isinstance(r.target, NatTarget) or any(isinstance(m, Conntrack)
                                                             for m in r.matches)
                      for r in rules)  # fmt: skip
        self.tracking = uses_ct
        drop = any(c.policy == "DROP" for c in flt.chains.values())
        self.active = self.tracking or flt.rule_count() > 0 or drop
        self.ns.inet.nf_on = self.active

    # --- helpers ----------------------------------------------------------------------------

    def _info(self, ip: IPv4, st: PktNf, iif: str, oif: str) -> PktInfo:
        p = PktInfo(int(ip.src), int(ip.dst), ip.proto, iif, oif, ip.wire_len, self._addr_type)
        l4: Any = ip.payload
        if not ip.frag_offset:
            cls = l4.__class__
            if cls is ICMP:
                p.type, p.code = l4.type, l4.code
            elif cls is UDP or cls is TCP:
                p.sport, p.dport = l4.sport, l4.dport
        p.mark, p.ct = st.mark, st.state
        return p

    def _addr_type(self, addr: int) -> int:
        """``inet_addr_type()`` with the multicast and zero-net cases."""
        if addr >> 28 == 0xE:
            return 5
        if addr >> 24 == 0 or addr == 0xFFFFFFFF:
            return 3
        return self.ns.inet.addr_type(addr)

    def _ct_in(self, st: PktNf, ip: IPv4) -> None:
        """``nf_conntrack_in()``: find or create the flow, set direction and state."""
        now = self.ns.now
        t = pkt_tuple(ip)
        table = self.conntrack
        if t is None:  # an ICMP error: RELATED to the flow it quotes, or INVALID
            qt = quoted_tuple(ip)
            hit = table.find(qt, now) if qt is not None else None
            if hit is None:
                st.state = CT_INVALID
                return
            st.ct, st.dir, st.state = hit[0], hit[1], CT_RELATED
            return
        l4: Any = ip.payload
        if t[0] == 1 and not (isinstance(l4, ICMP) and l4.type in _ECHO_OR_ERROR):
            st.state = CT_UNTRACKED
            return
        hit = table.find(t, now)
        if hit is None:
            if isinstance(l4, ICMP) and l4.type == 0:  # a reply with no request: INVALID
                st.state = CT_INVALID
                return
            ct, d = table.add(t, now), ORIGINAL
        else:
            ct, d = hit
        if d == REPLY:
            ct.status |= IPS_SEEN_REPLY
        st.ct, st.dir = ct, d
        st.state = CT_ESTABLISHED if ct.status & IPS_SEEN_REPLY else CT_NEW
        ct.refresh(now, rst=isinstance(l4, TCP) and bool(l4.flags & 0x04))

    def _nat(self, st: PktNf, ip: IPv4, chain: str, how: int, iif: str, oif: str,
             out: Link | None = None, nexthop: int = 0) -> IPv4 | None:  # fmt: skip
        """``nf_nat_inet_fn()`` + ``nf_nat_packet()`` at one hook; None: dropped."""
        ct = st.ct
        if ct is None:
            return ip
        bit = IPS_SRC_NAT if how == SRC else IPS_DST_NAT
        if st.dir == REPLY:
            bit ^= IPS_NAT_MASK
        other = ct.tuples[1 - st.dir]
        if st.state == CT_RELATED:
            if isinstance(ip.payload, ICMP) and ct.status & bit:
                return manip_related(ip, other, how)
            return ip
        done = IPS_SRC_NAT_DONE if how == SRC else IPS_DST_NAT_DONE
        if not ct.status & done:
            if self._nat_rules and st.state == CT_NEW and st.dir == ORIGINAL:
                binding: list[NatTarget] = []

                def action(rule: Rule, p: PktInfo) -> int:
                    return self._action(rule, p, st, binding)

                nat = self.tables["nat"]
                ch = nat.chains[chain]
                busy = ch.rules or ch.stats or ch.policy == "DROP"  # else ACCEPT, none counted
                info = self._info(ip, st, iif, oif) if busy else None
                if info is not None and nat.traverse(chain, info, action) == Verdict.DROP:
                    return None
                if binding and not self._bind(ct, binding[0], how, out, nexthop):
                    return None
            ct.status |= done
            other = ct.tuples[1 - st.dir]
        if ct.status & bit:
            return manip(ip, invert(other), how)
        return ip

    def _action(self, rule: Rule, p: PktInfo, st: PktNf, binding: list[NatTarget]) -> int:
        t = rule.target
        if isinstance(t, MarkTarget):
            p.mark = st.mark = (p.mark & ~t.mask & 0xFFFFFFFF) ^ t.value
            return Verdict.CONTINUE
        if isinstance(t, NatTarget):
            binding.append(t)
            return Verdict.ACCEPT
        if isinstance(t, Reject):  # modelled as DROP: no ICMP/RST is sent
            return Verdict.DROP
        return Verdict.CONTINUE

    def _bind(self, ct: CtEntry, t: NatTarget, how: int, out: Link | None,
              nexthop: int) -> bool:  # fmt: skip
        """``nf_nat_setup_info()``: the reply tuple after SNAT/MASQUERADE/DNAT."""
        proto, rs, rsp, rd, rdp = ct.tuples[REPLY]
        if how == DST:
            port = t.ports[0] if t.ports != (0, 0) and proto in (6, 17) else rsp
            reply: Tuple = (proto, t.addr, port, rd, rdp)
            if proto == 1:
                reply = (proto, t.addr, rsp, rd, rdp)
            if reply != ct.tuples[REPLY]:  # a DNAT to where it went anyway changes nothing
                self.conntrack.set_reply(ct, reply)
                ct.status |= IPS_DST_NAT
            return True
        addr = t.addr
        if t.name == "MASQUERADE":
            addr = inet_select_addr(self.ns, out, nexthop, _RT_SCOPE_UNIVERSE) if out else 0
            if not addr:
                return False
            ct.masq = (out, addr) if out is not None else None
        lo, hi = t.ports if t.ports != (0, 0) and proto in (6, 17) else (rdp, rdp)
        now = self.ns.now
        port = lo
        for port in _candidates(lo, hi, rdp, proto):
            reply = (proto, rs, rsp, addr, port) if proto != 1 else (proto, rs, port, addr, port)
            if not self.conntrack.taken(reply, ct, now):
                break
        if reply != ct.tuples[REPLY]:
            self.conntrack.set_reply(ct, reply)
            ct.status |= IPS_SRC_NAT
        return True

    # --- the hooks ---------------------------------------------------------------------------

    def prerouting(self, skb: Any, ip: IPv4, dev: Link) -> IPv4 | None:
        """NF_INET_PRE_ROUTING; a looped-back packet keeps its entry, and so
        does one whose PREROUTING ran in the bridge (br_netfilter)."""
        st = skb.nf
        if st is not None and st.bridged:
            st.bridged = False
            return ip
        if st is None or dev.link_type != "loopback":
            st = skb.nf = PktNf()
            if self.tracking:
                self._ct_in(st, ip)
        return self._nat(st, ip, "PREROUTING", DST, dev.ifname, "")

    def local_in(self, skb: Any, ip: IPv4, dev: Link) -> IPv4 | None:
        """NF_INET_LOCAL_IN: filter INPUT, then nat (SRC)."""
        st = skb.nf or PktNf()
        if self._filter(st, ip, "INPUT", dev.ifname, "") == Verdict.DROP:
            return None
        return self._nat(st, ip, "INPUT", SRC, dev.ifname, "")

    def forward(self, skb: Any, ip: IPv4, indev: Link, out: Link) -> bool:
        """NF_INET_FORWARD: filter FORWARD."""
        st = skb.nf or PktNf()
        return self._filter(st, ip, "FORWARD", indev.ifname, out.ifname) != Verdict.DROP

    def local_out(self, ip: IPv4, rt: OutputRoute) -> tuple[IPv4 | None, OutputRoute, PktNf]:
        """NF_INET_LOCAL_OUT: conntrack, nat OUTPUT (DST), filter OUTPUT; then
        ``ip_route_me_harder()`` when NAT moved the destination (a loopback source
        may only leave by a device with ``route_localnet``).  None: the packet
        is lost (the sender sees no error, as ping on the kernel does not)."""
        st = PktNf()
        if self.tracking:
            self._ct_in(st, ip)
        out = rt.dev
        new = self._nat(st, ip, "OUTPUT", DST, "", out.ifname)
        if new is None or self._filter(st, new, "OUTPUT", "", out.ifname) == Verdict.DROP:
            return None, rt, st
        if new.dst == ip.dst:
            return new, rt, st
        try:
            rt = ip_route_output(self.ns, int(new.dst), saddr=int(new.src))
        except KernelError:
            return None, rt, st
        dev = rt.dev
        localnet = dev.link_type == "loopback" or self.ns.inet.conf_or(dev, "route_localnet")
        if int(new.src) >> 24 == 127 and not localnet:
            return None, rt, st
        return new, rt, st

    def postrouting(self, st: PktNf | None, ip: IPv4, out: Link, nexthop: int) -> IPv4 | None:
        """NF_INET_POST_ROUTING: nat (SRC)."""
        if st is None:
            return ip
        return self._nat(st, ip, "POSTROUTING", SRC, "", out.ifname, out, nexthop)

    def _filter(self, st: PktNf, ip: IPv4, chain: str, iif: str, oif: str) -> int:
        table = self.tables["filter"]
        ch = table.chains[chain]
        if not ch.rules and ch.policy == "ACCEPT":
            return Verdict.ACCEPT

        def action(rule: Rule, p: PktInfo) -> int:
            return self._action(rule, p, st, [])

        return table.traverse(chain, self._info(ip, st, iif, oif), action)


def _candidates(lo: int, hi: int, keep: int, proto: int) -> Iterator[int]:
    """``nf_nat_l4proto_unique_tuple()``, simplified: the port kept when free,
    else the range (or 1024-65535 / any ICMP id) from its start."""
    yield keep if lo <= keep <= hi else lo
    if proto == 1:
        yield from range(0, 65536)
    elif lo == hi and proto in (6, 17):
        yield from range(1024, 65536)
    else:
        yield from range(lo, hi + 1)
