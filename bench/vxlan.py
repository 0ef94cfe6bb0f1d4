"""Pings per second across a VXLAN overlay, against the same two pods routed
directly (``l3.py``'s two-pod case, flannel's host-gw in effect)::

    pod1 eth0 10.244.1.2/24 -- vethpod1 [cni0 10.244.1.1/24] node1 flannel.1 10.244.1.0/32
      (VNI 1, port 8472, nolearning) over n1 192.168.0.1/24 -- n2 192.168.0.2/24 node2 ...

Each node has what flanneld installs for the other: a permanent neighbour for
the remote ``flannel.1``, an FDB entry with its VTEP address, and an onlink
route for the remote pod subnet.  An echo request crosses the same 3 veths, 2
bridges and 2 IP forwards as the routed case, plus an encapsulation, an outer
IPv4 output and receive, and a decapsulation each way.  One warm-up ping
resolves ARP; then one ``ping -c N -i 100us`` is timed.  Rates are round
trips per wall second, best of ``-r`` runs (interleaved with the routed case,
so that drift in machine load hits both alike).

Run ``.venv/bin/python bench/vxlan.py [-n PINGS] [-r RUNS]``.
"""

from __future__ import annotations

import argparse
import sys

from l3 import INTERVAL, POD2, build_two_pods, ping_two_pods
from timing import Timing, timed  # bench/ is the script's directory

from netsim import World


def build_overlay(*, trace: bool) -> World:
    """The two-node flannel-vxlan topology, ARP resolved by one warm-up ping."""
    w = World(seed=1, trace=trace)
    for ns in ("pod1", "node1", "node2", "pod2"):
        w.netns_add(ns)
        w.link_set("lo", netns=ns, up=True)
    w.add_veth("n1", "n2", netns="node1", peer_netns="node2",
               address="02:00:00:00:00:01", peer_address="02:00:00:00:00:02")  # fmt: skip
    for i in (1, 2):
        node, pod = f"node{i}", f"pod{i}"
        w.addr_add(f"192.168.0.{i}/24", dev=f"n{i}", netns=node)
        w.link_set(f"n{i}", netns=node, up=True)
        w.add_vxlan("flannel.1", 1, netns=node, local=f"192.168.0.{i}", dev=f"n{i}",
                    dstport=8472, learning=False, address=f"02:00:00:00:f1:0{i}")  # fmt: skip
        w.addr_add(f"10.244.{i}.0/32", dev="flannel.1", netns=node)
        w.link_set("flannel.1", netns=node, up=True)
        w.add_bridge("cni0", netns=node, address=f"02:00:00:00:0{i}:01")
        w.add_veth("eth0", f"veth{pod}", netns=pod, peer_netns=node,
                   address=f"02:00:00:00:0{i}:02", peer_address=f"02:00:00:00:0{i}:03")  # fmt: skip
        w.link_set(f"veth{pod}", netns=node, master="cni0", up=True)
        w.link_set("cni0", netns=node, up=True)
        w.link_set("eth0", netns=pod, up=True)
        w.addr_add(f"10.244.{i}.1/24", dev="cni0", netns=node)
        w.addr_add(f"10.244.{i}.2/24", dev="eth0", netns=pod)
        w.route_add("default", via=f"10.244.{i}.1", netns=pod)
        w.netns(node).sysctl.set("net.ipv4.ip_forward", "1")
    for i, j in ((1, 2), (2, 1)):
        node = f"node{i}"
        w.neigh_add(f"10.244.{j}.0", lladdr=f"02:00:00:00:f1:0{j}", dev="flannel.1", netns=node)
        w.vxlan_fdb_add(f"02:00:00:00:f1:0{j}", dev="flannel.1", netns=node,
                        dst=f"192.168.0.{j}")  # fmt: skip
        w.route_add(f"10.244.{j}.0/24", via=f"10.244.{j}.0", dev="flannel.1", onlink=True,
                    netns=node)  # fmt: skip
    warm = w.ping(POD2, netns="pod1")
    if warm.received != 1 or "ttl=62" not in warm.lines[1]:
        raise SystemExit(f"warm-up ping over the overlay failed:\n{warm}")
    if trace:
        w.trace.clear()
    return w


def run(build: str, n: int, *, trace: bool) -> Timing:
    w = build_overlay(trace=trace) if build == "vxlan" else build_two_pods(trace=trace)
    return timed(lambda: ping_two_pods(w, n))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=2000, help="pings per timed run")
    ap.add_argument("-r", type=int, default=5, help="runs per case (best is reported)")
    args = ap.parse_args(argv)
    cases = [(b, t) for t in (True, False) for b in ("routed", "vxlan")]
    for b, t in cases:  # warm-up
        run(b, max(args.n // 10, 10), trace=t)
    best: dict[tuple[str, bool], float] = {}
    for _ in range(args.r):
        for b, t in cases:
            rate = args.n / run(b, args.n, trace=t).wall
            best[b, t] = max(best.get((b, t), 0.0), rate)
    print(f"two pods across two nodes: ping -c {args.n} -i {INTERVAL * 1e6:g}us, "
          f"best of {args.r} runs\n")  # fmt: skip
    print(f"{'case':12} {'routed pings/s':>15} {'vxlan pings/s':>14} {'vxlan/routed':>13}")
    for t in (True, False):
        routed, vx = best["routed", t], best["vxlan", t]
        print(f"{'traced' if t else 'untraced':12} {routed:15,.0f} {vx:14,.0f} {vx / routed:13.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
