"""Traces of one ping on the real kernel, from packet captures.

The kernel keeps no per-packet trace, but a packet socket in every namespace
(``tcpdump -i any`` in each: :meth:`KernelHost.capture_start`) sees each frame
on each device it crosses, which way, with a nanosecond timestamp.  Ordered by
time, the copies of one packet -- an ICMP echo, matched by its type and
payload (which NAT leaves alone), inside a VXLAN packet or not, or an ARP
message -- spell out its path, and the devices' kinds say what each sighting
was, in the words the model's traces use:

* sent out of a device, first: ``SENT dev``; arrived on one: ``RECEIVED dev``;
* out of a bridge port after arriving on another port (or after leaving by the
  bridge itself): ``FORWARDED bridge -> port`` (several ports at once: ``FLOODED``);
* arrived on a port, then on its bridge: the frame went up the bridge's stack
  (no step, as in the model);
* out of any other device after arriving in the namespace: ``FORWARDED in -> out``
  (the routed forward, ``in`` the device the stack took it from);
* out of a VXLAN device, then its UDP packet out of another:
  ``ENCAPSULATED vxlan (vni N SRC:PORT > DST:PORT)``; that UDP packet in, then
  its inner frame in on the VXLAN device: ``DECAPSULATED vxlan (vni N from
  SRC:PORT)`` and ``RECEIVED vxlan``;
* last seen arriving where its destination address is local: ``DELIVERED``;
  anywhere else: ``DROPPED`` where it was last seen (the kernel does not say
  why).

The result feeds :mod:`netsim.scenario.journey` as the model's traces do.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from netsim.packet import ARP, ICMP, UDP, VXLAN, Ethernet, IPv4
from netsim.packet.errors import DecodeError
from netsim.packet.icmp import ICMP_ECHO, ICMP_ECHOREPLY
from netsim.packet.vxlan import VXLAN_PORTS
from netsim.trace import (
    DECAPSULATED,
    DELIVERED,
    DROPPED,
    ENCAPSULATED,
    FLOODED,
    FORWARDED,
    RECEIVED,
    SENT,
    Action,
    Disposition,
    Hop,
    Step,
    Trace,
)

if TYPE_CHECKING:
    from netsim.backends.linux.host import CapturedFrame

__all__ = ["Sighting", "Topology", "traces_of"]


@dataclass
class Topology:
    """What the traces need of each namespace: its devices' masters and kinds,
    and its local addresses."""

    masters: dict[str, dict[str, str]] = field(default_factory=dict)  # netns -> dev -> master
    kinds: dict[str, dict[str, str]] = field(default_factory=dict)  # netns -> dev -> kind
    local: dict[str, set[str]] = field(default_factory=dict)  # netns -> addresses
    vxlan_ports: set[int] = field(default_factory=lambda: set(VXLAN_PORTS))

    def add(self, netns: str, links: list[dict[str, Any]], addrs: set[str]) -> None:
        """``ip -j -d link show`` and the local addresses of ``netns``."""
        self.masters[netns] = {str(lk["ifname"]): str(lk.get("master", "")) for lk in links}
        self.kinds[netns] = {}
        for lk in links:
            info = lk.get("linkinfo", {})
            self.kinds[netns][str(lk["ifname"])] = str(info.get("info_kind", ""))
            port = (
                info.get("info_data", {}).get("port") if info.get("info_kind") == "vxlan" else None
            )
            if port:
                self.vxlan_ports.add(int(port))
        self.local[netns] = addrs

    def master(self, netns: str, dev: str) -> str:
        return self.masters.get(netns, {}).get(dev, "")

    def is_bridge(self, netns: str, dev: str) -> bool:
        return self.kinds.get(netns, {}).get(dev) == "bridge"

    def is_vxlan(self, netns: str, dev: str) -> bool:
        return self.kinds.get(netns, {}).get(dev) == "vxlan"


@dataclass
class Sighting:
    """One capture of a packet: where, which way, when, and what: the packet
    itself (the IPv4 packet, or the Ethernet frame of an ARP message) and, for
    a VXLAN copy, the outer IPv4 packet and the VNI."""

    netns: str
    dev: str
    outgoing: bool
    time: float
    packet: Any
    outer: IPv4 | None = None
    vni: int = 0


def _inner(frame: Ethernet) -> tuple[Any, IPv4 | None, int]:
    """The packet a frame carries (IPv4, or the frame for ARP), through VXLAN."""
    payload = frame.payload
    if isinstance(payload, IPv4) and isinstance(payload.payload, UDP):
        udp = payload.payload
        if isinstance(udp.payload, VXLAN):
            inner, _, _ = _inner(udp.payload.payload)
            return inner, payload, udp.payload.vni
    if isinstance(payload, ARP):
        return frame, None, 0
    return payload, None, 0


def _key(packet: Any) -> tuple[Any, ...] | None:
    """Which packet this is: an ICMP echo (its type and payload: NAT rewrites
    addresses and the identifier, never the data) or an ARP message."""
    if isinstance(packet, IPv4) and isinstance(packet.payload, ICMP):
        icmp = packet.payload
        if icmp.type in (ICMP_ECHO, ICMP_ECHOREPLY):
            return ("icmp", icmp.type, icmp.payload)
    if isinstance(packet, Ethernet) and isinstance(packet.payload, ARP):
        arp = packet.payload
        return ("arp", arp.op, str(arp.spa), str(arp.tpa), str(arp.sha))
    return None


def sightings(frames: list[CapturedFrame], topo: Topology) -> dict[tuple[Any, ...], list[Sighting]]:
    """Every ICMP echo and ARP message seen, by packet, in capture order."""
    t0 = frames[0].time_ns if frames else 0
    flows: dict[tuple[Any, ...], list[Sighting]] = defaultdict(list)
    for f in frames:
        try:
            frame = Ethernet.decode(f.data, vxlan_ports=frozenset(topo.vxlan_ports))
        except DecodeError:
            continue
        packet, outer, vni = _inner(frame)
        key = _key(packet)
        if key is not None:
            flows[key].append(
                Sighting(f.netns, f.ifname, f.outgoing, (f.time_ns - t0) / 1e9, packet, outer, vni)
            )
    return flows


class _Path:
    """The steps of one packet's sightings, namespace by namespace."""

    def __init__(self, topo: Topology):
        self.topo = topo
        self.hops: list[tuple[str, list[Step]]] = []
        self.l3_in = ""  # the device the current namespace's stack took it from
        self.tunnel = ""  # the VXLAN device it last left by, in this namespace
        self.prev: Sighting | None = None

    def _step(self, s: Sighting, action: str, dev: str, detail: str = "") -> None:
        if not self.hops or self.hops[-1][0] != s.netns or self._new_hop:
            self.hops.append((s.netns, []))
            self._new_hop = False
        self.hops[-1][1].append(Step(s.time, dev, Action(action), detail))

    _new_hop = False

    def add(self, s: Sighting) -> None:
        prev = self.prev if self.prev is not None and self.prev.netns == s.netns else None
        if prev is None:
            self.l3_in = self.tunnel = ""
            self._new_hop = True
        topo, ns = self.topo, s.netns
        master = topo.master(ns, s.dev)
        if s.outgoing:
            self._out(s, prev, master)
        elif (
            s.outer is None
            and prev is not None
            and prev.outer is not None
            and topo.is_vxlan(ns, s.dev)
        ):
            src, udp = prev.outer.src, prev.outer.payload
            sport = udp.sport if isinstance(udp, UDP) else 0
            self._step(s, DECAPSULATED, s.dev, f"vni {prev.vni} from {src}:{sport}")
            self._step(s, RECEIVED, s.dev)
            self.l3_in = s.dev
        elif (
            topo.is_bridge(ns, s.dev)
            and prev is not None
            and not prev.outgoing
            and topo.master(ns, prev.dev) == s.dev
        ):
            self.l3_in = s.dev  # up the bridge's own stack
        else:
            self._step(s, RECEIVED, s.dev)
            self.l3_in = s.dev
        self.prev = s

    def _out(self, s: Sighting, prev: Sighting | None, master: str) -> None:
        topo, ns = self.topo, s.netns
        if s.outer is not None and prev is not None and prev.outer is None and self.tunnel:
            udp = s.outer.payload
            ports = f"{udp.sport} > {s.outer.dst}:{udp.dport}" if isinstance(udp, UDP) else ""
            detail = f"vni {s.vni} {s.outer.src}:{ports}"
            self._step(s, ENCAPSULATED, self.tunnel, detail)
            return
        if (
            master
            and prev is not None
            and (
                (prev.outgoing and prev.dev == master)
                or (not prev.outgoing and topo.master(ns, prev.dev) == master)
                or (prev.outgoing and topo.master(ns, prev.dev) == master)
            )
        ):
            steps = self.hops[-1][1]
            last = steps[-1] if steps else None
            if last is not None and last.device == master and prev.outgoing and prev.dev != master:
                ports = f"{last.detail},{s.dev}"  # one more copy of a flood
                steps[-1] = Step(last.time, master, Action(FLOODED), ports)
                return
            self._step(s, FORWARDED, master, s.dev)
            return
        if prev is None and self.prev is None:
            self._step(s, SENT, s.dev)
        elif self.l3_in:
            self._step(s, FORWARDED, self.l3_in, s.dev)
        else:
            self._step(s, SENT, s.dev)
        if topo.is_vxlan(ns, s.dev):
            self.tunnel = s.dev

    def end(self, s: Sighting, action: str, dev: str, reason: str) -> None:
        """The last step: where the packet was delivered, or last seen."""
        self._step(s, action, dev, reason)

    def trace(self, flow: int, packet: Any, disposition: Disposition, reason: str) -> Trace:
        hops = tuple(Hop(ns, tuple(steps)) for ns, steps in self.hops)
        return Trace(flow, packet, hops, disposition, reason)


def _dst(packet: Any) -> str:
    if isinstance(packet, IPv4):
        return str(packet.dst)
    arp = packet.payload
    return str(arp.tpa) if isinstance(arp, ARP) else ""


def traces_of(frames: list[CapturedFrame], topo: Topology) -> list[Trace]:
    """One trace per ICMP echo and ARP message in ``frames`` (the first echo
    request is flow 1, the others are numbered as they were first seen)."""
    flows = sightings(frames, topo)
    order = sorted(
        flows, key=lambda k: (not (k[0] == "icmp" and k[1] == ICMP_ECHO), flows[k][0].time)
    )
    replies = {k[2] for k in flows if k[0] == "icmp" and k[1] == ICMP_ECHOREPLY}
    out = []
    for flow, key in enumerate(order, start=1):
        seen = flows[key]
        path = _Path(topo)
        for s in seen:
            path.add(s)
        last = seen[-1]
        dst = _dst(last.packet)
        at = path.l3_in or last.dev
        if not last.outgoing and dst in topo.local.get(last.netns, set()):
            if key[0] == "arp":
                reason = "ARP"
            elif key[1] == ICMP_ECHO:
                reason = "echo request answered" if key[2] in replies else "not answered"
            else:
                reason = "echo reply to ping socket"
            path.end(last, DELIVERED, at, reason)
            disposition = Disposition.DELIVERED
        else:
            way = f"leaving by {last.dev}" if last.outgoing else f"arriving on {at}"
            reason = f"not seen after {way} in {last.netns} (the kernel does not say why)"
            path.end(last, DROPPED, last.dev if last.outgoing else at, "not seen again")
            disposition = Disposition.DROPPED
        first = seen[0].packet
        out.append(path.trace(flow, first, disposition, reason))
    return out
