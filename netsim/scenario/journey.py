"""One ping's journey, hop by hop, from its traces: the model's
(``world.traces``), or on the kernel backend the ones the packet captures give
(:mod:`netsim.scenario.kernel_traces`).

The traces say where each copy of each frame went (SENT, RECEIVED, FORWARDED,
FLOODED, ENCAPSULATED, DECAPSULATED, DELIVERED, DROPPED). The decisions behind
the steps are read from the namespaces' tables right after the ping, through
netsim sh (or bash with the real tools), as one would on a real node: the
route (``ip route get``), the neighbour entry used (``ip neigh``) and the ARP
exchange that made it (the ARP flows of the same ping), the bridge or VXLAN
FDB entry (``bridge fdb``), the VXLAN VNI and VTEP addresses (the
encapsulation step), and the netfilter rules whose packet counters moved
during the ping (``iptables-save -c``: NAT and filter). A source NAT shows too
as the reply coming back to another address than the request left from.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from netsim.packet import ARP, ICMP, IPv4
from netsim.packet.icmp import ICMP_ECHO, ICMP_ECHOREPLY
from netsim.scenario.nstables import NsTables, counters, ns_name
from netsim.trace import Trace

if TYPE_CHECKING:
    from netsim.scenario.session import BaseSession

__all__ = ["Decision", "Hop", "JStep", "Journey", "Leg", "follow"]

_VXLAN_OUT = re.compile(r"vni (\d+) ([\d.]+):(\d+) > ([\d.]+):(\d+)")
_VXLAN_IN = re.compile(r"vni (\d+) from ([\d.]+):(\d+)")
_BCAST = "ff:ff:ff:ff:ff:ff"


@dataclass
class Decision:
    """Why a step went as it did: ``kind`` (route, neigh, arp, fdb, flood, vxlan,
    nat, filter) and the text."""

    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


@dataclass
class JStep:
    device: str
    action: str
    detail: str
    decisions: list[Decision] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.detail:
            return f"{self.action} {self.device}"
        if self.action in ("FORWARDED", "FLOODED"):
            return f"{self.action} {self.device} -> {self.detail}"
        return f"{self.action} {self.device} ({self.detail})"


@dataclass
class Hop:
    netns: str
    name: str  # the pod's name, the node's, or "underlay"
    label: str
    steps: list[JStep]


@dataclass
class Leg:
    """One copy of one flow (the request's or the reply's)."""

    role: str
    flow: int
    summary: str
    disposition: str
    reason: str
    hops: list[Hop]
    copies: int = 1

    def lines(self) -> list[str]:
        end = self.disposition + (f" ({self.reason})" if self.reason else "")
        out = [f"{self.role}: flow {self.flow}: {self.summary}", f"  -> {end}"]
        if self.copies > 1:
            out[-1] += f"; {self.copies - 1} other cop{'y' if self.copies == 2 else 'ies'}"
        for hop in self.hops:
            out.append(f"  {hop.label}:")
            for step in hop.steps:
                out.append(f"    {step}")
                out.extend(f"      {d}" for d in step.decisions)
        return out


@dataclass
class Journey:
    src: str
    dst: str
    transmitted: int
    received: int
    request: Leg | None
    reply: Leg | None
    notes: list[str] = field(default_factory=list)

    @property
    def disposition(self) -> str:
        """DELIVERED when the reply came back, else DROPPED."""
        return "DELIVERED" if self.received else "DROPPED"

    @property
    def reason(self) -> str:
        """Why the request, or else the reply, was dropped."""
        for leg in (self.request, self.reply):
            if leg is not None and leg.disposition != "DELIVERED":
                return leg.reason
        return "" if self.received or self.request else "no echo request left the pod"

    @property
    def hop_names(self) -> list[str]:
        return [h.name for h in self.request.hops] if self.request else []

    def lines(self) -> list[str]:
        out = [
            f"ping {self.src} -> {self.dst}: {self.transmitted} packets transmitted, "
            f"{self.received} received"
        ]
        out += self.notes
        for leg in (self.request, self.reply):
            if leg is not None:
                out += leg.lines()
        if self.request is None:
            out.append("request: no echo request left the pod")
        return out

    def to_json(self) -> dict[str, Any]:
        def leg(lg: Leg | None) -> Any:
            if lg is None:
                return None
            return {
                "flow": lg.flow,
                "summary": lg.summary,
                "disposition": lg.disposition,
                "reason": lg.reason,
                "copies": lg.copies,
                "hops": [
                    {
                        "name": h.name,
                        "netns": h.netns,
                        "steps": [
                            {"step": str(s), "decisions": [str(d) for d in s.decisions]}
                            for s in h.steps
                        ],
                    }
                    for h in lg.hops
                ],
            }

        return {
            "src": self.src,
            "dst": self.dst,
            "transmitted": self.transmitted,
            "received": self.received,
            "notes": self.notes,
            "request": leg(self.request),
            "reply": leg(self.reply),
        }


class _Follower:
    def __init__(self, session: BaseSession, traces: list[Trace], nat: dict[str, list[Decision]]):
        self.session = session
        self.tables: dict[str, NsTables] = {}
        self.nat = nat  # netns -> decisions not yet shown
        self.arp_req: list[tuple[str, str, str, int]] = []  # netns, dev, target, flow
        self.arp_rep: dict[tuple[str, str], tuple[str, int]] = {}  # (netns, ip) -> (mac, flow)
        for t in traces:
            frame = t.frame
            arp = getattr(frame, "payload", None)
            if not isinstance(arp, ARP) or not t.hops:
                continue
            first = t.hops[0]
            if arp.op == 1:
                self.arp_req.append((first.node, first.steps[0].device, str(arp.tpa), t.flow))
            elif t.disposition == "DELIVERED":
                self.arp_rep[(t.hops[-1].node, str(arp.spa))] = (str(arp.sha), t.flow)

    def t(self, netns: str) -> NsTables:
        if netns not in self.tables:
            self.tables[netns] = NsTables(self.session, netns)
        return self.tables[netns]

    def _arp(self, netns: str, dev: str, ip: str) -> list[Decision]:
        flows = sorted({f for n, d, tip, f in self.arp_req if (n, d, tip) == (netns, dev, ip)})
        if not flows:
            return []
        reply = self.arp_rep.get((netns, ip))
        asked = f"who-has {ip} on {dev} (flow {', '.join(map(str, flows))})"
        if reply is None:
            return [Decision("arp", f"{asked}: no reply")]
        return [Decision("arp", f"{asked}: {ip} is-at {reply[0]} (flow {reply[1]})")]

    def _routed(
        self, netns: str, dst: str, *, src: str = "", iif: str = ""
    ) -> tuple[list[Decision], str]:
        """The routing decision for ``dst`` in ``netns`` -- the output route, or
        for a packet that came in on ``iif`` from ``src`` the input route --,
        the neighbour and the ARP exchange; the MAC the frame goes to."""
        tb = self.t(netns)
        line, nexthop, dev = tb.route(dst, src=src, iif=iif)
        out = [Decision("route", line or f"no route to {dst}")]
        neigh, mac = tb.neigh(nexthop, dev) if dev else ("", "")
        if neigh:
            out.append(Decision("neigh", neigh))
        out += self._arp(netns, dev, nexthop)
        out += self.nat.pop(netns, [])
        return out, mac

    def leg(
        self, role: str, trace: Trace, copies: int, unnat: dict[str, str], masq: str = ""
    ) -> Leg:
        """One copy's hops and their decisions; ``unnat`` the reply's addresses
        conntrack translates back, ``masq`` the address a request's source is
        NATed to (where a nat decision masquerades it)."""
        hops: list[Hop] = []
        frame = trace.frame
        ip_dst = str(frame.dst) if isinstance(frame, IPv4) else ""
        ip_src = inner_src = str(frame.src) if isinstance(frame, IPv4) else ""
        inner_dst = ip_dst
        mac = ""
        for h in trace.hops:
            name, label = ns_name(self.session, h.node)
            tb = self.t(h.node)
            steps: list[JStep] = []
            for i, s in enumerate(h.steps):
                st = JStep(s.device, str(s.action), s.detail)
                act = st.action
                if act == "SENT" and ip_dst:
                    st.decisions, mac = self._routed(h.node, ip_dst)
                elif act == "FORWARDED" and s.detail in tb.ports(s.device):
                    lines = [
                        ln for ln in tb.fdb(mac, br=s.device) if f" dev {s.detail} " in ln + " "
                    ]
                    st.decisions.append(
                        Decision(
                            "fdb",
                            f"hit: {lines[0]}" if lines else f"hit: {mac or '?'} on {s.detail}",
                        )
                    )
                elif act == "FORWARDED":
                    if ip_dst in unnat and ip_dst in tb.local_addrs():
                        st.decisions.append(
                            Decision(
                                "nat", f"reply un-NATed (conntrack): {ip_dst} -> {unnat[ip_dst]}"
                            )
                        )
                        ip_dst = inner_dst = unnat[ip_dst]
                    more, mac = self._routed(h.node, ip_dst, src=ip_src, iif=s.device)
                    st.decisions += more
                    if masq and any(
                        d.kind == "nat" and (" MASQUERADE" in d.text or " SNAT" in d.text)
                        for d in more
                    ):
                        ip_src = inner_src = masq
                elif act == "FLOODED":
                    why = "broadcast" if mac in ("", _BCAST) else f"no FDB entry for {mac}"
                    st.decisions.append(Decision("flood", f"{why}: to {s.detail}"))
                elif act == "ENCAPSULATED":
                    st.decisions += self._encap(h.node, s.device, s.detail, mac)
                    m = _VXLAN_OUT.search(s.detail)
                    if m:  # the outer packet's addresses, until decapsulated
                        ip_src, ip_dst = m.group(2), m.group(4)
                        more, mac = self._routed(h.node, ip_dst)
                        st.decisions += more
                elif act == "DECAPSULATED":
                    m = _VXLAN_IN.search(s.detail)
                    if m:
                        st.decisions.append(
                            Decision(
                                "vxlan",
                                f"VNI {m.group(1)} from VTEP "
                                f"{m.group(2)}: the inner frame enters {s.device}",
                            )
                        )
                    ip_src, ip_dst = inner_src, inner_dst
                    mac = str(tb.link(s.device).get("address", ""))
                elif act == "RECEIVED":
                    st.decisions += self._up_the_bridge(tb, h.steps[i + 1 :], s.device, mac)
                steps.append(st)
            hops.append(Hop(h.node, name, label, steps))
        summary = trace.summary
        return Leg(role, trace.flow, summary, str(trace.disposition), trace.reason, hops, copies)

    def _encap(self, netns: str, dev: str, detail: str, mac: str) -> list[Decision]:
        out = []
        lines = self.t(netns).fdb(mac, dev=dev) if mac else []
        out.append(Decision("fdb", f"{lines[0]}" if lines else f"no entry for {mac or '?'}"))
        m = _VXLAN_OUT.search(detail)
        if m:
            vni, src, _, dst, port = m.groups()
            out.append(Decision("vxlan", f"VNI {vni}, VTEP {src} -> {dst}, UDP port {port}"))
        return out

    @staticmethod
    def _up_the_bridge(tb: NsTables, rest: Any, dev: str, mac: str) -> list[Decision]:
        """A frame entering a bridge port for the bridge's own address goes up
        the bridge's stack (no FORWARDED by the bridge follows)."""
        master = str(tb.link(dev).get("master", ""))
        if not master or not rest or rest[0].device != master:
            return []
        nxt = rest[0]
        if str(nxt.action) == "FORWARDED" and nxt.detail in tb.ports(master):
            return []
        if str(nxt.action) == "FLOODED":
            return []
        own = str(tb.link(master).get("address", ""))
        what = f"{mac} is {master}'s own address" if mac and mac == own else "for the bridge"
        return [Decision("fdb", f"{what}: up to the stack of {master}")]


def _pick(copies: list[Trace], netns: str | None) -> Trace:
    """The copy that went where it was meant to: delivered (in ``netns`` if
    given), else the one that went furthest."""
    delivered = [t for t in copies if t.disposition == "DELIVERED"]
    at = [t for t in delivered if netns is None or t.hops[-1].node == netns]
    return (at or delivered or sorted(copies, key=lambda t: -len(t.steps)))[0]


def follow(session: BaseSession, src: str, dst: str, *, namespace: str = "default") -> Journey:
    """Ping ``dst`` (an IPv4 address or a pod name) once from pod ``src`` and
    follow the echo request and its reply."""
    cluster = session.cluster
    dst_ip, dst_netns = session.target(dst)
    nodes = list(cluster.nodes)
    script = "iptables-save -c -t nat; iptables-save -c -t filter"
    before = {n: counters(session.shells.node(n, script).stdout) for n in nodes}
    pod = cluster.pod(src, namespace=namespace)
    res, traces = session.traced_ping(pod, dst_ip)
    rank = {f: i for i, f in enumerate(sorted({t.flow for t in traces}), start=1)}
    traces = [dataclasses.replace(t, flow=rank[t.flow]) for t in traces]  # flow 1 is the ping's
    nat: dict[str, list[Decision]] = defaultdict(list)
    for n in nodes:
        after = counters(session.shells.node(n, script).stdout)
        for key, pkts in after.items():
            if pkts > before[n].get(key, 0):
                table, rule = key.split("\t", 1)
                kind = "nat" if table == "nat" else "filter"
                nat[n].append(Decision(kind, f"[+{pkts - before[n].get(key, 0)}] {rule}"))
    flows: dict[int, list[Trace]] = defaultdict(list)
    for t in traces:
        flows[t.flow].append(t)
    req = rep = None
    for flow in sorted(flows):
        f = flows[flow][0].frame
        icmp = f.payload if isinstance(f, IPv4) else None
        if not isinstance(icmp, ICMP):
            continue
        if req is None and icmp.type == ICMP_ECHO and flows[flow][0].hops[0].node == pod.netns:
            req = flow
        elif (
            req is not None and rep is None and icmp.type == ICMP_ECHOREPLY and str(f.src) == dst_ip
        ):
            rep = flow
    follower = _Follower(session, traces, dict(nat))
    notes: list[str] = []
    unnat: dict[str, str] = {}
    if rep is not None and str(flows[rep][0].frame.dst) != pod.ip:
        masq = str(flows[rep][0].frame.dst)
        unnat[masq] = str(pod.ip)
        notes.append(f"source NAT: the request left as {masq} (the reply is addressed there)")
    request = reply = None
    if req is not None:
        masq = next(iter(unnat), "")
        request = follower.leg("request", _pick(flows[req], dst_netns), len(flows[req]), {}, masq)
    if rep is not None:
        reply = follower.leg("reply", _pick(flows[rep], pod.netns), len(flows[rep]), unnat)
    src_name = src if namespace == "default" else f"{namespace}/{src}"
    return Journey(
        src_name,
        f"{dst} ({dst_ip})" if dst != dst_ip else dst,
        res.transmitted,
        res.received,
        request,
        reply,
        notes,
    )
