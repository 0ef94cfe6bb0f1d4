"""flannel on a cluster (vxlan and host-gw): what each node's flanneld programs
(flannel.md §1-§4), and pods on different nodes reaching each other."""

from __future__ import annotations

import json

import pytest

from netsim import World
from netsim.backends.sim.host import SimHost
from netsim.k8s.cluster import Cluster
from netsim.k8s.flannel import CNI_CONF, Flannel
from netsim.k8s.flannel.config import FlannelConfigError, parse_net_conf

#: The manifest's conflist without portmap.
FLANNEL_ONLY = json.dumps({**json.loads(CNI_CONF), "plugins": json.loads(CNI_CONF)["plugins"][:1]})


def cluster(net_conf: str | None = None, nodes: int = 3) -> tuple[World, Cluster]:
    w = World(seed=1)
    network = Flannel(cni_conf=FLANNEL_ONLY, **({"net_conf": net_conf} if net_conf else {}))
    c = Cluster(SimHost(w), network=network)
    for i in range(1, nodes + 1):
        c.add_node(f"node{i}")
    return w, c


def test_vxlan_device_lease_annotations_and_subnet_env() -> None:
    w, c = cluster()
    link = json.loads(w.sh("ip -n node2 -j -d link show flannel.1").stdout)[0]
    data = link["linkinfo"]["info_data"]
    assert (link["mtu"], data["id"], data["local"], data["port"], data["learning"]) == (
        1450, 1, "172.18.0.3", 8472, False)  # fmt: skip
    assert w.sh("ip -n node2 -br addr show flannel.1").stdout.split()[2] == "10.244.1.0/32"
    ann = c.api.nodes["node2"].annotations
    assert json.loads(ann["flannel.alpha.coreos.com/backend-data"]) == {
        "VNI": 1, "VtepMAC": link["address"]}  # fmt: skip
    assert ann["flannel.alpha.coreos.com/public-ip"] == "172.18.0.3"
    assert c.api.nodes["node2"].conditions["NetworkUnavailable"] == ("False", "FlannelIsUp")
    assert c.nodes["node2"].fs.read("/run/flannel/subnet.env") == (
        "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\n"
        "FLANNEL_IPMASQ=true\n")  # fmt: skip


def test_each_node_programs_every_other_and_forgets_a_leaving_one() -> None:
    w, c = cluster()
    mac3 = json.loads(c.api.nodes["node3"].annotations["flannel.alpha.coreos.com/backend-data"])
    routes = w.sh("ip -n node1 route show dev flannel.1").stdout
    assert routes == ("10.244.1.0/24 via 10.244.1.0 onlink \n"
                      "10.244.2.0/24 via 10.244.2.0 onlink \n")  # fmt: skip
    assert (
        f"10.244.2.0 lladdr {mac3['VtepMAC']} PERMANENT"
        in w.sh("ip -n node1 neigh show dev flannel.1").stdout
    )
    assert (
        f"{mac3['VtepMAC']} dst 172.18.0.4 self permanent"
        in w.sh("bridge -n node1 fdb show dev flannel.1").stdout
    )
    c.remove_node("node3")
    assert "10.244.2.0" not in w.sh("ip -n node1 route; ip -n node1 neigh").stdout
    assert "172.18.0.4" not in w.sh("bridge -n node1 fdb show dev flannel.1").stdout


def test_pods_on_three_nodes_reach_each_other_and_leave_through_masquerade() -> None:
    _, c = cluster()
    pods = [c.add_pod(f"p{i}", node=f"node{i}") for i in (1, 2, 3)]
    assert [p.ip for p in pods] == ["10.244.0.2", "10.244.1.2", "10.244.2.2"]
    for src in pods:
        for dst in pods:
            if src is not dst:
                r = c.ping(src.name, str(dst.ip))
                assert r.received == 1, (src.name, dst.ip, r.output)
    assert "ttl=62" in c.ping("p1", "10.244.2.2").output  # node1, then node3
    assert c.ping("p1", "172.18.0.1").received == 1  # FLANNEL-POSTRTG masquerades it


def test_flanneld_iptables_chains() -> None:
    w, _ = cluster(nodes=2)
    nat = w.sh("ip netns exec node2 iptables -t nat -S FLANNEL-POSTRTG").stdout.splitlines()
    assert nat[1:] == [
        '-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN',  # noqa: E501
        '-A FLANNEL-POSTRTG -s 10.244.1.0/24 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN',  # noqa: E501
        '-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.1.0/24 -m comment --comment "flanneld masq" -j RETURN',  # noqa: E501
        '-A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.1.0/24 -m comment --comment "flanneld masq" -j RETURN',  # noqa: E501
        '-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully',  # noqa: E501
        '-A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully',  # noqa: E501
    ]
    fwd = w.sh("ip netns exec node2 iptables -S FORWARD").stdout.splitlines()
    assert fwd[-1] == '-A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD'


def test_host_gw_routes_through_the_other_nodes() -> None:
    w, c = cluster('{"Network":"10.244.0.0/16","Backend":{"Type":"host-gw"}}')
    assert "flannel.1" not in w.sh("ip -n node1 -br link").stdout
    assert w.sh("ip -n node1 route show 10.244.2.0/24").stdout == (
        "10.244.2.0/24 via 172.18.0.4 dev eth0 \n")  # fmt: skip
    assert c.nodes["node1"].fs.read("/run/flannel/subnet.env").splitlines()[2] == "FLANNEL_MTU=1500"
    c.add_pod("a", node="node1")
    b = c.add_pod("b", node="node3")
    assert c.ping("a", str(b.ip)).received == 1
    assert json.loads(c.api.nodes["node1"].annotations[
        "flannel.alpha.coreos.com/backend-data"]) is None  # fmt: skip


def test_net_conf_errors() -> None:
    with pytest.raises(FlannelConfigError, match="please define a correct Network"):
        parse_net_conf('{"Backend":{"Type":"vxlan"}}')
    with pytest.raises(FlannelConfigError, match="udp backend"):
        parse_net_conf('{"Network":"10.244.0.0/16"}')
    with pytest.raises(FlannelConfigError, match="failed to parse network config"):
        parse_net_conf("{")
