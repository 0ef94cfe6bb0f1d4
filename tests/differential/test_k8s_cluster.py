"""A flannel cluster built on the model and on the real kernel, compared.

The same control-plane logic (netsim's kubelet and flanneld, through the Host
seam) builds three nodes with two pods each, once on a ``SimHost`` with
netsim's CNI plugins and once on a ``KernelHost`` with the real
``/usr/lib/cni/bridge``, ``host-local``, ``portmap`` and ``loopback``
(containernetworking-plugins 1.1.1; flannel's own CNI plugin is netsim's, which
the Debian package does not ship) -- the manifest's conflist, one pod with a
hostPort.  Every node's and pod's tables must agree after normalisation,
and every pod must reach every other on both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from netsim import World
from netsim.backends.sim.host import SimHost
from netsim.host.protocol import Host
from netsim.k8s.cluster import Cluster
from netsim.k8s.flannel import Flannel
from netsim.observe import diff, snapshot
from tests.differential import sandbox

pytestmark = pytest.mark.kernel

PORTS = [{"containerPort": 80, "hostPort": 8080, "protocol": "tcp"}]
HOST_GW = '{"Network":"10.244.0.0/16","Backend":{"Type":"host-gw"}}'
#: Which port's MAC a bridge takes (the numerically lowest) is chance when the
#: kernel draws the veths' MACs: the same gap as test_observe_scenarios' BRIDGE_MAC.
BRIDGE_MAC = re.compile(
    r"^\S+ (links\[(cni0|br0)\]\.address: |fdb\[mac\d+ dev \S+ master (cni0|br0)\]: only in "
    r"|links\[[^\]]+\]\.linkinfo\.info_(slave_)?data\.(bridge_id|root_id|designated_root"
    r"|designated_bridge): )"
)


def build(host: Host, net_conf: str | None, plugins: str) -> Cluster:
    kw: dict[str, Any] = {"net_conf": net_conf} if net_conf else {}
    c = Cluster(host, network=Flannel(**kw), plugins=plugins, seed=7)
    for n in ("node1", "node2", "node3"):
        c.add_node(n)
    for n in ("node1", "node2", "node3"):
        for i in (1, 2):
            ports = PORTS if (n, i) == ("node2", 1) else None
            c.add_pod(f"{n}-p{i}", node=n, ports=ports)
    return c


@contextmanager
def kernel() -> Iterator[Host]:
    sandbox.require_kernel()
    pytest.importorskip("pyroute2")
    from netsim.backends.linux.host import KernelHost

    with KernelHost(ipv6=False) as host:
        yield host


def pings(c: Cluster, run: Any) -> dict[str, bool]:
    """Every pod to every other pod's address: answered or not."""
    out = {}
    for src in c.pods():
        for dst in c.pods():
            if src is not dst:
                r = run(f"ip netns exec {src.netns} ping -c 1 -W 2 {dst.ip}")
                out[f"{src.name}->{dst.name}"] = r.status == 0
    return out


@pytest.mark.parametrize("net_conf", [None, HOST_GW], ids=["vxlan", "host-gw"])
def test_a_flannel_cluster_on_the_kernel_is_the_models(net_conf: str | None) -> None:
    world = World(seed=7, possible_cpus=sandbox.possible_cpus())
    sim = build(SimHost(world), net_conf, "ours")
    world.sleep(2)  # the link watcher settles, as it does on the kernel meanwhile
    with kernel() as host:
        real = build(host, net_conf, "mixed")
        host.script("sleep 2")
        k_snap = snapshot(host).normalised()

        def k_run(cmd: str) -> Any:
            r = host.script(cmd)
            return type("R", (), {"status": r.returncode})

        k_pings = pings(real, k_run)
    s_snap = snapshot(SimHost(world)).normalised()
    assert [p.ip for p in sim.pods()] == [p.ip for p in real.pods()]
    found = [d.format(("sim", "kernel")) for d in diff(s_snap, k_snap)]
    unknown = [f for f in found if not BRIDGE_MAC.search(f)]
    assert not unknown, "sim and kernel differ:\n" + "\n".join(unknown)
    s_pings = pings(sim, world.sh)
    assert s_pings == k_pings
    assert all(s_pings.values()), [k for k, v in s_pings.items() if not v]
