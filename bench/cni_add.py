"""Per-pod CNI ADD (bridge + host-local, as a conflist through libcni) on the
simulator and with the real plugin binaries on the real kernel, in one run.

Both sides run the same thing: ``N`` pod namespaces are made first (not timed),
then ``Runtime.add_network_list`` ADDs each pod to one network (bridge ``cni0``
as gateway with a default route, host-local on a /16), and every result is
checked (``10.88.0.K/16`` for the K-th pod).  The simulator runs netsim's
plugins on a ``SimHost``; the kernel side runs ``/usr/lib/cni/bridge`` and
``host-local`` (containernetworking-plugins 1.1.1) through the same runtime on
a ``KernelHost`` (a rootless sandbox), where each ADD is two process starts
and the bridge plugin's wait for its host veth to be oper-UP.  Timed: the ADDs
only.

Run ``.venv/bin/python bench/cni_add.py [--pods N] [-r RUNS]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any

from netsim import World
from netsim.backends.linux.sandbox import unavailable_reason
from netsim.backends.sim.host import SimHost
from netsim.cni.runtime import Runtime, RuntimeConf
from netsim.host.ops import NetnsAdd

CONFLIST = (
    '{"cniVersion":"1.0.0","name":"bench","plugins":[{"type":"bridge","bridge":"cni0",'
    '"isDefaultGateway":true,"ipam":{"type":"host-local","subnet":"10.88.0.0/16"}}]}'
)


def add_all(rt: Runtime, pods: int) -> float:
    """ADD ``pods`` pods (their namespaces exist); the seconds the ADDs took."""
    net = rt.network(CONFLIST)
    confs = [RuntimeConf(f"pod{i}", "eth0", f"/var/run/netns/pod{i}") for i in range(pods)]
    t0 = time.perf_counter()
    results = [rt.add_network_list(net, c) for c in confs]
    took = time.perf_counter() - t0
    for i, r in enumerate(results):
        got: Any = r["ips"][0]["address"]
        if got != f"10.88.0.{i + 2}/16":
            raise SystemExit(f"pod{i}: got {got}, want 10.88.0.{i + 2}/16")
    return took


def sim_run(pods: int) -> float:
    host = SimHost(World(seed=1, trace=False))
    for i in range(pods):
        host.apply(NetnsAdd(name=f"pod{i}"))
    return add_all(Runtime(host), pods)


def kernel_run(pods: int) -> float:
    from netsim.backends.linux.host import KernelHost

    with KernelHost(ipv6=False) as host:
        for i in range(pods):
            host.apply(NetnsAdd(name=f"pod{i}"))
        return add_all(Runtime(host, plugins="real"), pods)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pods", type=int, default=20)
    ap.add_argument("-r", "--runs", type=int, default=3)
    args = ap.parse_args()
    sim_run(2)  # warm-up: imports, first-call costs
    sim = min(sim_run(args.pods) for _ in range(args.runs))
    print(f"per-pod ADD, {args.pods} pods, best of {args.runs} (timings in ms per pod)")
    print(f"sim    {sim / args.pods * 1e3:9.3f}")
    reason = unavailable_reason()
    if reason is not None:
        print(f"kernel backend unavailable: {reason}")
        return 0
    runs = [kernel_run(args.pods) for _ in range(args.runs)]
    kernel = min(runs)
    spread = statistics.pstdev(runs) / args.pods * 1e3 if len(runs) > 1 else 0.0
    print(f"kernel {kernel / args.pods * 1e3:9.3f}  (spread {spread:.1f})")
    print(f"ratio  {kernel / sim:9.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
