"""A flannel-vxlan cluster on the simulator and on the real kernel, and how the
simulator scales.

Default mode: 3 nodes x 10 pods (the manifest's conflist: flannel + portmap),
built, then every pod pings every other pod once (870 pings).  The simulator
builds it on a ``SimHost``; the kernel backend builds the same cluster -- the
same kubelet and flanneld through the Host seam -- on a ``KernelHost`` with the
real bridge, host-local, portmap and loopback binaries (flannel's CNI plugin is
netsim's), and pings with ``ip netns exec POD ping -c1``.  Both times are
printed, and their ratio.

``--scale N1,N2,...`` builds clusters of N nodes x ``--pods`` pods on the
simulator only, without traffic, each in a child process, and prints the build
time and the child's peak resident memory (``ru_maxrss``: the whole Python
process), so the growth can be read.

Run ``.venv/bin/python bench/cluster.py [--nodes 3] [--pods 10] [-r RUNS]`` or
``.venv/bin/python bench/cluster.py --scale 10,30,100 --pods 110``.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from typing import Any

from netsim import World
from netsim.backends.linux.sandbox import unavailable_reason
from netsim.backends.sim.host import SimHost
from netsim.host.protocol import Host
from netsim.k8s.cluster import Cluster
from netsim.k8s.flannel import NET_CONF, Flannel


def build(host: Host, nodes: int, pods: int, plugins: str = "ours") -> Cluster:
    """N nodes x ``pods`` pods; past 250 nodes the cluster CIDR (and flannel's
    Network) is 10.0.0.0/8, as a /16 holds only 256 node /24s."""
    cidr = "10.244.0.0/16" if nodes <= 250 else "10.0.0.0/8"
    conf = NET_CONF.replace("10.244.0.0/16", cidr)
    c = Cluster(host, network=Flannel(conf), plugins=plugins, seed=1, cluster_cidr=cidr,
                max_pods=max(110, pods))  # fmt: skip
    for n in range(1, nodes + 1):
        c.add_node(f"node{n}")
    for n in range(1, nodes + 1):
        for p in range(pods):
            c.add_pod(f"n{n}-p{p}", node=f"node{n}")
    return c


def sim_run(nodes: int, pods: int) -> tuple[float, float, int]:
    """(build seconds, ping seconds, pings answered)."""
    t0 = time.perf_counter()
    world = World(seed=1, trace=False)
    c = build(SimHost(world), nodes, pods)
    world.sleep(2)  # the link watcher settles (simulated time: free)
    t1 = time.perf_counter()
    ok = 0
    for src in c.pods():
        for dst in c.pods():
            if src is not dst:
                ok += c.ping(src.name, str(dst.ip)).received
    return t1 - t0, time.perf_counter() - t1, ok


def kernel_run(nodes: int, pods: int) -> tuple[float, float, int]:
    from netsim.backends.linux.host import KernelHost

    t0 = time.perf_counter()
    with KernelHost(ipv6=False) as host:
        c = build(host, nodes, pods, plugins="mixed")
        host.script("sleep 2")
        t1 = time.perf_counter()
        lines = [f"ip netns exec {s.netns} ping -c1 -W1 {d.ip} >/dev/null && echo ok"
                 for s in c.pods() for d in c.pods() if s is not d]  # fmt: skip
        out = host.script("\n".join(lines)).stdout
        return t1 - t0, time.perf_counter() - t1, out.count("ok")


def scale_one(nodes: int, pods: int) -> None:
    """Build one cluster and print ``nodes pods seconds maxrss_kib`` (run in a
    child process, so its peak RSS is its own)."""
    t0 = time.perf_counter()
    world = World(seed=1, trace=False)
    c = build(SimHost(world), nodes, pods)
    took = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(nodes, len(c.pods()), took, rss)


def scale(sizes: list[int], pods: int) -> None:
    print(f"scale: N nodes x {pods} pods, flannel vxlan, build only (simulator)")
    print(f"{'nodes':>6} {'pods':>7} {'build s':>9} {'ms/pod':>8} {'peak RSS MiB':>13}")
    for n in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n), "--pods", str(pods)],
                             check=True, stdout=subprocess.PIPE, text=True).stdout  # fmt: skip
        _, count, took, rss = out.split()
        ms = float(took) / max(int(count), 1) * 1e3
        print(f"{n:>6} {count:>7} {float(took):>9.2f} {ms:>8.2f} {int(rss) / 1024:>13.1f}",
              flush=True)  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--pods", type=int, default=10)
    ap.add_argument("-r", "--runs", type=int, default=3)
    ap.add_argument("--scale", help="comma-separated node counts: the simulator's growth")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        scale_one(args.one, args.pods)
        return 0
    if args.scale:
        scale([int(x) for x in args.scale.split(",")], args.pods)
        return 0
    want = args.nodes * args.pods * (args.nodes * args.pods - 1)
    runs: list[Any] = [sim_run(args.nodes, args.pods) for _ in range(args.runs)]
    best = min(runs, key=lambda r: r[0] + r[1])
    if best[2] != want:
        raise SystemExit(f"simulator: {best[2]} of {want} pings answered")
    print(f"{args.nodes} nodes x {args.pods} pods, build + {want} pings, best of {args.runs}")
    print(
        f"sim    build {best[0]:8.3f} s  pings {best[1]:8.3f} s  total {best[0] + best[1]:8.3f} s"
    )
    reason = unavailable_reason()
    if reason is not None:
        print(f"kernel backend unavailable: {reason}")
        return 0
    k = kernel_run(args.nodes, args.pods)
    if k[2] != want:
        raise SystemExit(f"kernel: {k[2]} of {want} pings answered")
    print(f"kernel build {k[0]:8.3f} s  pings {k[1]:8.3f} s  total {k[0] + k[1]:8.3f} s")
    print(f"ratio  {(k[0] + k[1]) / (best[0] + best[1]):8.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
