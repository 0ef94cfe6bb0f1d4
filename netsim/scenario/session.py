"""A scenario's cluster, built on a seeded World with the simulator's Host."""

from __future__ import annotations

import ipaddress

from netsim.backends.sim.host import SimHost
from netsim.k8s.cluster import Cluster, ClusterError, Conflist, PodNetwork
from netsim.k8s.flannel import Flannel
from netsim.k8s.kubelet import Pod
from netsim.scenario.check import pod_key
from netsim.scenario.model import ClusterSpec
from netsim.scenario.shells import Shells
from netsim.world import World

__all__ = ["Session"]


def pod_network(spec: ClusterSpec) -> PodNetwork:
    net = spec.network
    if net.kind == "flannel":
        return Flannel(net.net_conf, cni_conf=net.cni_conf, ip_masq=net.ip_masq)
    return Conflist(net.conflist)


class Session:
    """The world, the cluster (no nodes yet) and the shells on it."""

    def __init__(self, spec: ClusterSpec, seed: int):
        self.world = World(seed)
        self.cluster = Cluster(
            SimHost(self.world),
            network=pod_network(spec),
            underlay=spec.underlay_cidr,
            mtu=spec.mtu,
            cluster_cidr=spec.cluster_cidr,
            node_cidr_mask_size=spec.node_cidr_mask_size,
            service_cidr=spec.service_cidr,
            max_pods=spec.max_pods,
        )
        self.shells = Shells(self.world, self.cluster)

    def pod(self, ref: str) -> Pod:
        """Pod ``NAME`` (namespace default) or ``NAMESPACE/NAME``."""
        namespace, name = pod_key(ref).split("/", 1)
        return self.cluster.pod(name, namespace=namespace)

    def target(self, to: str) -> tuple[str, str | None]:
        """A ping target: its address, and the namespace of the pod that has it."""
        try:
            ip = str(ipaddress.IPv4Address(to))
        except ValueError:
            pod = self.pod(to)
            if pod.ip is None:
                raise ClusterError(f'pod "{pod.namespace}/{pod.name}" has no address') from None
            return pod.ip, pod.netns
        owner = next((p for p in self.cluster.pods() if p.ip == ip), None)
        return ip, owner.netns if owner else None
