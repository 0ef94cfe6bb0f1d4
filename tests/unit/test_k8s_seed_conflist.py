"""The seed notes' 10-flannel.conflist end to end (issue 7): flannel delegating
to bridge, then portmap, on a three-node cluster.  Pods reach pods across
nodes, and a hostPort reaches its pod from another node, from the node itself
(also on 127.0.0.1, through route_localnet) and from a pod (hairpin)."""

from __future__ import annotations

import json

from netsim import World
from netsim.addr import ip4
from netsim.backends.sim.host import SimHost
from netsim.k8s.cluster import Cluster
from netsim.k8s.flannel import CNI_CONF, Flannel

PORTS = [{"containerPort": 53, "hostPort": 5353, "protocol": "udp"}]


def test_the_seed_conflist_is_what_flannel_installs() -> None:
    delegate = {"hairpinMode": True, "isDefaultGateway": True}
    assert json.loads(CNI_CONF) == {
        "name": "cbr0", "cniVersion": "0.3.1",
        "plugins": [{"type": "flannel", "delegate": delegate},
                    {"type": "portmap", "capabilities": {"portMappings": True}}]}  # fmt: skip


def test_pods_reach_pods_and_a_host_port_reaches_its_pod() -> None:
    w = World(seed=3)
    c = Cluster(SimHost(w), network=Flannel())
    for n in ("node1", "node2", "node3"):
        c.add_node(n)
    dns = c.add_pod("dns", node="node2", ports=PORTS)
    client = c.add_pod("client", node="node1")
    same = c.add_pod("same", node="node2")
    assert c.ping("client", str(dns.ip)).received == 1
    assert c.ping("same", str(client.ip)).received == 1
    server = w.udp_socket(netns=dns.netns, port=53)
    node2 = c.nodes["node2"].ip

    def send(netns: str, dst: str) -> None:
        w.udp_socket(netns=netns).sendto(b"q", ip4(dst), 5353)
        w.sleep(0.01)

    send(client.netns, node2)  # from a pod on another node
    send("node3", node2)  # from another node
    send("node2", node2)  # from the node to its own address
    send("node2", "127.0.0.1")  # route_localnet on the host veth, masqueraded
    send(same.netns, node2)  # hairpin: a pod to its own node's hostPort
    assert len(server.events) == 5, server.events
    assert all(e.data == b"q" for e in server.events)
    nat = w.sh("ip netns exec node2 iptables -t nat -S").stdout
    assert "-A CNI-HOSTPORT-DNAT -p udp" in nat and "--dports 5353" in nat
    assert f"-j DNAT --to-destination {dns.ip}:53" in nat
    cached = json.loads(c.nodes["node2"].fs.read(
        f"/var/lib/cni/results/cbr0-{dns.sandbox_id}-eth0"))  # fmt: skip
    # containerd's toCNIPortMappings, marshalled as go-cni's untagged struct
    assert cached["capabilityArgs"] == {
        "portMappings": [{"HostPort": 5353, "ContainerPort": 53, "Protocol": "udp", "HostIP": ""}]
    }
    c.delete_pod("dns")
    assert "--dports 5353" not in w.sh("ip netns exec node2 iptables -t nat -S").stdout
