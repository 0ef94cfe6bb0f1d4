"""Properties of a flannel (vxlan) cluster under churn (hypothesis): whatever
nodes join and leave and pods come and go -- on one segment, or on routed
racks with or without DirectRouting -- node podCIDRs never overlap, no two
pods share an address, and once the operations are done every pod reaches
every other pod."""

from __future__ import annotations

import ipaddress
import json
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from netsim import World
from netsim.backends.sim.host import SimHost
from netsim.k8s.cluster import Cluster
from netsim.k8s.flannel import CNI_CONF, Flannel
from netsim.k8s.underlay import Rack

#: The manifest's conflist without portmap (not in netsim yet).
FLANNEL_ONLY = json.dumps({**json.loads(CNI_CONF), "plugins": json.loads(CNI_CONF)["plugins"][:1]})
MAX_NODES = 5
MAX_PODS_PER_NODE = 4

#: An operation: (kind, a number that picks the node or pod among the current ones).
operations = st.lists(
    st.tuples(st.sampled_from(["join", "leave", "add_pod", "delete_pod"]), st.integers(0, 99)),
    max_size=8,
)


def assert_pod_cidrs_disjoint(c: Cluster) -> None:
    cidrs = [ipaddress.ip_network(n.pod_cidr) for n in c.api.nodes.values() if n.pod_cidr]
    for a, b in combinations(cidrs, 2):
        assert not a.overlaps(b), (a, b)


class Churn:
    """A cluster (``racks`` routed segments, or one) and the names it hands out."""

    def __init__(self, seed: int, racks: int = 0, direct: bool = False):
        conf = json.dumps({"Network": "10.244.0.0/16",
                           "Backend": {"Type": "vxlan", "DirectRouting": direct}})  # fmt: skip
        self.racks = [Rack(f"rack{i}", f"172.18.{i}.0/24") for i in range(racks)]
        self.c = Cluster(SimHost(World(seed)), network=Flannel(conf, cni_conf=FLANNEL_ONLY),
                         racks=self.racks)  # fmt: skip
        self.nodes = 0
        self.pods = 0

    def join(self, pick: int = 0) -> None:
        if len(self.c.nodes) < MAX_NODES:
            self.nodes += 1
            rack = self.racks[pick % len(self.racks)].name if self.racks else None
            self.c.add_node(f"node{self.nodes}", rack=rack)

    def add_pod(self, pick: int, node: str | None = None) -> None:
        room = [n.name for n in self.c.nodes.values() if len(n.pods) < MAX_PODS_PER_NODE]
        if room:
            self.pods += 1
            self.c.add_pod(f"p{self.pods}", node=node or room[pick % len(room)])

    def apply(self, kind: str, pick: int) -> None:
        nodes, pods = list(self.c.nodes), self.c.pods()
        if kind == "join":
            self.join(pick)
        elif kind == "leave" and nodes:
            self.c.remove_node(nodes[pick % len(nodes)])
        elif kind == "add_pod":
            self.add_pod(pick)
        elif kind == "delete_pod" and pods:
            self.c.delete_pod(pods[pick % len(pods)].name)


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.integers(0, MAX_PODS_PER_NODE), min_size=1, max_size=MAX_NODES),
    operations,
    st.integers(0, 2**16),
    st.integers(0, 3),
    st.booleans(),
)
def test_churn_keeps_addresses_apart_and_every_pod_reachable(
    pods_per_node: list[int], ops: list[tuple[str, int]], seed: int, racks: int, direct: bool
) -> None:
    churn = Churn(seed, racks, direct)
    for i, _ in enumerate(pods_per_node):
        churn.join(i)
        assert_pod_cidrs_disjoint(churn.c)
    for i, count in enumerate(pods_per_node):
        for _ in range(count):
            churn.add_pod(0, node=f"node{i + 1}")
    for kind, pick in ops:
        churn.apply(kind, pick)
        assert_pod_cidrs_disjoint(churn.c)
    pods = churn.c.pods()
    ips = [p.ip for p in pods]
    assert None not in ips
    assert len(set(ips)) == len(ips), ips
    for a in pods:
        for b in pods:
            if a is not b:
                r = churn.c.ping(a.name, str(b.ip))
                assert r.received == 1, (a.name, a.node, b.name, b.node, b.ip, r.output)
