"""The cluster core: nodes on the underlay, podCIDRs, pods through CNI (a plain
bridge conflist with the node's podCIDR)."""

from __future__ import annotations

import pytest

from netsim import World
from netsim.backends.sim.host import SimHost
from netsim.k8s.cluster import Cluster, ClusterError, Conflist
from netsim.k8s.kubelet import PodError

BRIDGE = (
    '{"cniVersion":"1.0.0","name":"k8s","plugins":[{"type":"bridge","bridge":"cni0",'
    '"isDefaultGateway":true,"ipMasq":true,"ipam":{"type":"host-local","subnet":"{{podCIDR}}"}}]}'
)


def cluster(**kw: object) -> tuple[World, Cluster]:
    w = World(seed=1)
    return w, Cluster(SimHost(w), network=Conflist(BRIDGE), **kw)  # type: ignore[arg-type]


def test_nodes_get_addresses_and_pod_cidrs_in_join_order() -> None:
    w, c = cluster()
    n1, n2 = c.add_node("node1"), c.add_node("node2")
    assert (n1.ip, n2.ip) == ("172.18.0.2", "172.18.0.3")
    assert c.api.nodes["node2"].pod_cidrs == ("10.244.1.0/24",)
    assert "10.244.1.0/24" in n2.fs.read("/etc/cni/net.d/10-netsim.conflist")
    assert w.sh("ip -n node2 route show default").stdout == "default via 172.18.0.1 dev eth0 \n"


def test_a_pod_gets_a_namespace_an_address_and_reaches_its_neighbour_and_out() -> None:
    w, c = cluster()
    c.add_node("node1")
    a, b = c.add_pod("a", node="node1"), c.add_pod("b", node="node1")
    assert (a.ip, b.ip) == ("10.244.0.2", "10.244.0.3")
    assert a.netns.startswith("cni-") and w.netns(a.netns) is not None
    assert c.ping("a", "10.244.0.3").received == 1
    assert c.ping("a", "172.18.0.1").received == 1  # masqueraded out of the node
    cache = c.nodes["node1"].fs.listdir("/var/lib/cni/results")
    assert cache == sorted([f"k8s-{a.sandbox_id}-eth0", f"k8s-{b.sandbox_id}-eth0",
                            f"cni-loopback-{a.sandbox_id}-lo", f"cni-loopback-{b.sandbox_id}-lo"])  # fmt: skip  # noqa: E501
    c.delete_pod("a")
    assert a.netns not in w.kernel.namespaces
    assert c.ping("b", "10.244.0.2").received == 0


def test_max_pods_node_cidr_exhaustion_and_release() -> None:
    _, c = cluster(max_pods=2, cluster_cidr="10.8.0.0/23", service_cidr=None)
    c.add_node("n1"), c.add_node("n2")
    c.add_pod("p1", node="n1"), c.add_pod("p2", node="n1")
    with pytest.raises(PodError, match=r"OutOfpods: .*used: 2, capacity: 2"):
        c.add_pod("p3", node="n1")
    c.add_node("n3")  # no block left: CIDRNotAvailable
    assert [e.reason for e in c.ipam.events] == ["CIDRNotAvailable"]
    with pytest.raises(PodError, match="no podCIDR"):
        c.add_pod("q", node="n3")
    c.remove_node("n1")
    assert c.api.nodes["n3"].pod_cidrs == ("10.8.0.0/24",)
    assert c.add_pod("q", node="n3").ip == "10.8.0.2"
    with pytest.raises(ClusterError, match='node "n1" not found'):
        c.add_pod("z", node="n1")


def test_a_pulled_cable_cuts_a_node_off_until_it_is_plugged_back() -> None:
    w, c = cluster()
    c.add_node("node1"), c.add_node("node2")
    c.add_pod("a", node="node1", namespace="web")
    assert c.ping("a", "172.18.0.3", namespace="web").received == 1
    c.set_link("node2", up=False)  # its port on the segment's bridge goes down
    assert "NO-CARRIER" in w.sh("ip -n node2 link show eth0").stdout
    assert "172.18.0.0/16 dev eth0 proto kernel scope link src 172.18.0.3 linkdown" in (
        w.sh("ip -n node2 route").stdout
    )
    assert c.ping("a", "172.18.0.3", namespace="web").received == 0
    c.set_link("node2", up=True)
    assert c.ping("a", "172.18.0.3", namespace="web").received == 1
    with pytest.raises(ClusterError, match='node "node9" not found'):
        c.set_link("node9", up=False)
