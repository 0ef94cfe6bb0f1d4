"""Pings per second through the IPv4 model: two pods across two nodes, and an all-pairs
ping among 100 pods on one bridge.

Two pods (the Kubernetes "pod on node1 pings pod on node2" path, static routes)::

    pod1 eth0 10.244.1.2/24 -- vethpod1 [cni0 10.244.1.1/24] node1 n1 192.168.0.1/24
      -- n2 192.168.0.2/24 node2 [cni0 10.244.2.1/24] vethpod2 -- eth0 10.244.2.2/24 pod2

node1 routes 10.244.2.0/24 via 192.168.0.2, node2 10.244.1.0/24 via 192.168.0.1,
both with ``ip_forward`` 1; each pod has a default route via its cni0 address.
An echo request crosses 3 veths, 2 bridges and 2 IP forwards each way.  One
warm-up ping resolves every ARP entry first; then one ``ping -c N -i 100us`` is
timed (each request is answered 60 µs of simulated time later, before the next
is sent).  Rates are round trips (request + reply) per wall second.

All pairs (one bridge, 100 pods)::

    pod0..pod99 eth0 10.244.0.2..101/24 -- veth0..veth99 [br0] in namespace "host"

Building the world (101 namespaces, 100 veth pairs) is timed on its own; then
every pod pings every other pod once (``count=1``): 9,900 ``ping`` runs.  A pod's
first ping to a peer it has not heard from resolves it by ARP; a peer it has
heard from (the peer's request taught it a STALE entry) needs none.  So there
are 4,950 ARP requests, each flooded by the bridge to the other 99 pods.

Each timed run starts from a fresh world after ``gc.collect()``; the cyclic GC
stays on and its share of the wall time is the "gc" column (as in ``l2.py``).
``--memory`` adds one untimed run of each all-pairs case under ``tracemalloc``
and reports its peak (Python allocations while building and pinging).

Run ``.venv/bin/python bench/l3.py``; ``--profile`` runs cProfile on the traced
two-pod case and prints the top 15 functions by tottime.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import sys
import tracemalloc
from dataclasses import dataclass
from typing import Final

from timing import Timing, timed  # bench/ is the script's directory

from netsim import World

#: Simulated gap between two echo requests of the timed two-pod ping (``ping -i``).
INTERVAL: Final = 1e-4
POD2: Final = "10.244.2.2"


# --- two pods, two nodes -----------------------------------------------------------------------


def build_two_pods(*, trace: bool) -> World:
    """The two-node topology, ARP resolved along the whole path by one warm-up ping."""
    w = World(seed=1, trace=trace)
    for ns in ("pod1", "node1", "node2", "pod2"):
        w.netns_add(ns)
        w.link_set("lo", netns=ns, up=True)
    for i in (1, 2):
        node, pod = f"node{i}", f"pod{i}"
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
    w.add_veth("n1", "n2", netns="node1", peer_netns="node2",
               address="02:00:00:00:00:01", peer_address="02:00:00:00:00:02")  # fmt: skip
    w.addr_add("192.168.0.1/24", dev="n1", netns="node1")
    w.addr_add("192.168.0.2/24", dev="n2", netns="node2")
    w.link_set("n1", netns="node1", up=True)
    w.link_set("n2", netns="node2", up=True)
    w.route_add("10.244.2.0/24", via="192.168.0.2", netns="node1")
    w.route_add("10.244.1.0/24", via="192.168.0.1", netns="node2")

    warm = w.ping(POD2, netns="pod1")
    if warm.received != 1 or "ttl=62" not in warm.lines[1]:
        raise SystemExit(f"warm-up ping failed:\n{warm}")
    if trace:
        w.trace.clear()
    return w


def ping_two_pods(w: World, n: int) -> None:
    res = w.ping(POD2, netns="pod1", count=n, interval=INTERVAL)
    if (res.transmitted, res.received, res.errors) != (n, n, 0):
        raise SystemExit(f"two pods: {res.lines[-2]}")


def run_two_pods(n: int, *, trace: bool) -> Timing:
    w = build_two_pods(trace=trace)
    return timed(lambda: ping_two_pods(w, n))


# --- all pairs on one bridge ---------------------------------------------------------------


def build_pods(pods: int, *, trace: bool) -> World:
    """``pods`` namespaces with a veth each into bridge ``br0`` of namespace ``host``."""
    w = World(seed=1, trace=trace)
    w.netns_add("host")
    w.add_bridge("br0", netns="host", address="02:00:00:01:00:00")
    w.link_set("br0", netns="host", up=True)
    for i in range(pods):
        pod = f"pod{i}"
        w.netns_add(pod)
        w.add_veth("eth0", f"veth{i}", netns=pod, peer_netns="host",
                   address=f"02:00:00:00:{i >> 8:02x}:{i & 0xFF:02x}",
                   peer_address=f"02:00:00:01:{i >> 8:02x}:{i & 0xFF:02x}")  # fmt: skip
        w.link_set(f"veth{i}", netns="host", master="br0", up=True)
        w.addr_add(f"10.244.0.{i + 2}/24", dev="eth0", netns=pod)
        w.link_set("eth0", netns=pod, up=True)
    return w


def ping_all_pairs(w: World, pods: int) -> None:
    received = 0
    for i in range(pods):
        ns = f"pod{i}"
        for j in range(pods):
            if j != i:
                received += w.ping(f"10.244.0.{j + 2}", netns=ns).received
    if received != pods * (pods - 1):
        raise SystemExit(f"all pairs: {received} of {pods * (pods - 1)} pings answered")


@dataclass(frozen=True, slots=True)
class PairsRun:
    build: Timing
    pings: Timing


def run_all_pairs(pods: int, *, trace: bool) -> PairsRun:
    box: list[World] = []
    build = timed(lambda: box.append(build_pods(pods, trace=trace)))
    pings = timed(lambda: ping_all_pairs(box[0], pods), collect=False)
    return PairsRun(build, pings)


def peak_memory(pods: int, *, trace: bool) -> float:
    """Peak MiB of Python allocations (``tracemalloc``) over building and all pairs."""
    gc.collect()
    tracemalloc.start()
    try:
        w = build_pods(pods, trace=trace)
        ping_all_pairs(w, pods)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


# --- driver --------------------------------------------------------------------------------


def report_two_pods(n: int, repeat: int) -> None:
    for trace in (True, False):
        run_two_pods(max(n // 10, 100), trace=trace)  # warm-up
    runs: dict[bool, list[Timing]] = {True: [], False: []}
    for _ in range(repeat):  # interleaved: drift in machine load hits both alike
        for trace in (True, False):
            runs[trace].append(run_two_pods(n, trace=trace))
    print(f"two pods across two nodes: ping -c {n} -i {INTERVAL * 1e6:g}us, {repeat} runs\n")
    print(f"{'case':22} {'best pings/s':>12} {'median':>10} {'us/ping':>8} {'gc':>5}")
    for trace, timings in runs.items():
        rates = [n / t.wall for t in timings]
        name = "traced" if trace else "untraced"
        gc_share = statistics.median(t.gc / t.wall for t in timings)
        print(
            f"{name:22} {max(rates):12,.0f} {statistics.median(rates):10,.0f}"
            f" {1e6 / max(rates):8.1f} {gc_share:5.0%}"
        )


def report_all_pairs(pods: int, repeat: int, *, memory: bool) -> None:
    pings = pods * (pods - 1)
    print(f"\nall pairs: {pods} pods on one bridge, {pings:,} pings (count=1), {repeat} runs\n")
    head = f"{'case':22} {'build s':>8} {'pings s':>8} {'pings/s':>8} {'us/ping':>8} {'gc':>5}"
    print(head + (f" {'peak MiB':>9}" if memory else ""))
    for trace in (True, False):
        runs = [run_all_pairs(pods, trace=trace) for _ in range(repeat)]
        best = min(runs, key=lambda r: r.pings.wall)
        line = (
            f"{'traced' if trace else 'untraced':22} {min(r.build.wall for r in runs):8.3f}"
            f" {best.pings.wall:8.2f} {pings / best.pings.wall:8,.0f}"
            f" {1e6 * best.pings.wall / pings:8.0f} {best.pings.gc / best.pings.wall:5.0%}"
        )
        if memory:
            line += f" {peak_memory(pods, trace=trace):9.1f}"
        print(line, flush=True)


def profile(n: int, top: int = 15) -> None:
    """cProfile the traced two-pod ping; print the top ``top`` functions by tottime."""
    run_two_pods(max(n // 10, 100), trace=True)  # warm-up
    w = build_two_pods(trace=True)
    prof = cProfile.Profile()
    timing = timed(lambda: prof.runcall(ping_two_pods, w, n))
    print(
        f"traced two-pod ping, {n} round trips under cProfile: {timing.wall:.2f}s wall,"
        f" {timing.gc:.2f}s of it in the cyclic GC (charged to whichever function allocated)"
    )
    pstats.Stats(prof, stream=sys.stdout).sort_stats(pstats.SortKey.TIME).print_stats(top)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Pings per second through the IPv4 model.")
    ap.add_argument("-n", "--count", type=int, default=2000, help="two-pod pings per run")
    ap.add_argument("-r", "--repeat", type=int, default=3, help="timed two-pod runs per case")
    ap.add_argument("--pods", type=int, default=100, help="pods on the all-pairs bridge")
    ap.add_argument("--pairs-repeat", type=int, default=1, help="all-pairs runs per case")
    ap.add_argument("--memory", action="store_true", help="tracemalloc peak of all pairs")
    ap.add_argument("--profile", action="store_true", help="cProfile the traced two-pod case")
    args = ap.parse_args(argv)
    if not 2 <= args.pods <= 254:
        ap.error("--pods must be in 2..254 (one /24)")
    if args.profile:
        profile(args.count)
        return 0
    report_two_pods(args.count, args.repeat)
    report_all_pairs(args.pods, args.pairs_repeat, memory=args.memory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
