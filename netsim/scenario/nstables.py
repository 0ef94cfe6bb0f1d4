"""A namespace's tables as one reads them on a node, through netsim sh: links,
addresses, the route to an address, neighbours, FDB entries, and iptables
packet counters; read once and kept (for one journey)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netsim.scenario.session import BaseSession

__all__ = ["NsTables", "counters", "ns_name"]


def counters(text: str) -> dict[str, int]:
    """``iptables-save -c`` rule lines -> packets (table-qualified)."""
    out: dict[str, int] = {}
    table = ""
    for line in text.splitlines():
        if line.startswith("*"):
            table = line[1:]
        m = re.match(r"\[(\d+):\d+\] (-A .*)", line)
        if m:
            out[f"{table}\t{m.group(2)}"] = out.get(f"{table}\t{m.group(2)}", 0) + int(m.group(1))
    return out


class NsTables:
    """A namespace's tables, read once per journey through netsim sh."""

    def __init__(self, session: BaseSession, netns: str):
        self.session, self.netns = session, netns
        self._cache: dict[str, str] = {}

    def sh(self, script: str) -> str:
        if script not in self._cache:
            self._cache[script] = self.session.shells.netns(self.netns, script).stdout
        return self._cache[script]

    def links(self) -> list[dict[str, Any]]:
        try:
            links: list[dict[str, Any]] = json.loads(self.sh("ip -j link show") or "[]")
        except json.JSONDecodeError:
            return []
        return links

    def link(self, ifname: str) -> dict[str, Any]:
        return next((lk for lk in self.links() if lk.get("ifname") == ifname), {})

    def ports(self, bridge: str) -> set[str]:
        return {str(lk["ifname"]) for lk in self.links() if lk.get("master") == bridge}

    def local_addrs(self) -> set[str]:
        try:
            recs = json.loads(self.sh("ip -j addr show") or "[]")
        except json.JSONDecodeError:
            return set()
        return {str(a["local"]) for r in recs for a in r.get("addr_info", []) if "local" in a}

    def route(self, dst: str, *, src: str = "", iif: str = "") -> tuple[str, str, str]:
        """``ip route get DST`` (``... from SRC iif IIF``: the input route of a
        packet that came in on IIF): its line, the next hop, the device."""
        ask = f"ip route get {dst} from {src} iif {iif}" if iif else f"ip route get {dst}"
        line = (self.sh(ask + " 2>&1").splitlines() or [""])[0].strip()
        via = re.search(r" via ([\d.]+)", line)
        dev = re.search(r" dev (\S+)", line)
        return line, via.group(1) if via else dst, dev.group(1) if dev else ""

    def neigh(self, ip: str, dev: str) -> tuple[str, str]:
        for line in self.sh("ip neigh show").splitlines():
            if line.startswith(f"{ip} dev {dev} "):
                mac = re.search(r" lladdr (\S+)", line)
                return line.strip(), mac.group(1) if mac else ""
        return "", ""

    def fdb(self, mac: str, *, br: str = "", dev: str = "") -> list[str]:
        script = f"bridge fdb show br {br}" if br else f"bridge fdb show dev {dev}"
        return [ln.strip() for ln in self.sh(script).splitlines() if ln.startswith(f"{mac} ")]


def ns_name(session: BaseSession, netns: str) -> tuple[str, str]:
    """(short name, label) of a namespace."""
    for node in session.cluster.nodes.values():
        if node.name == netns:
            return netns, f"node {netns}"
        for pod in node.pods.values():
            if pod.netns == netns:
                short = pod.name if pod.namespace == "default" else f"{pod.namespace}/{pod.name}"
                return short, f"pod {short} ({netns}, on {node.name})"
    return netns, netns
