"""A Kubernetes cluster's pod network: nodes on an underlay, node IPAM, each
node's kubelet, and the pod network that connects them.

::

    cluster = Cluster(SimHost(World(seed=1)), network=Flannel())
    cluster.add_node("node1"); cluster.add_node("node2")
    a = cluster.add_pod("a", node="node1"); b = cluster.add_pod("b", node="node2")
    cluster.ping("a", b.ip).received == 1

A node is a namespace of the Host standing for a machine, with a filesystem of
its own (``/etc/cni/net.d``, ``/var/lib/cni``, ``/run/flannel``).  Joining, a
node gets its address on the underlay, its ``podCIDRs`` from node IPAM
(kube-controller-manager's range allocator), its Node object in the API, and
then whatever the pod network installs on it (flanneld and its CNI config, or
a conflist).  Everything on a node is done through Host operations.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from netsim.cni.driver import PluginGen, run
from netsim.host.ops import NetnsDel
from netsim.host.protocol import Host
from netsim.k8s.api import ApiServer, NodeObject
from netsim.k8s.kubelet import CNI_CONF_DIR, Kubelet, Pod, PodError
from netsim.k8s.nodeipam import NodeIpam
from netsim.k8s.underlay import Rack, Underlay
from netsim.shell.fs import MemFs
from netsim.shell.runtime import install_executables

if TYPE_CHECKING:
    from netsim.apps.ping import PingResult

__all__ = ["Cluster", "ClusterError", "Conflist", "Node", "PodNetwork"]


class ClusterError(RuntimeError):
    """A cluster operation that cannot be done (an unknown node or pod, ...)."""


@dataclass
class Node:
    """One node: its namespace (named as the node), address, filesystem, kubelet."""

    name: str
    ip: str
    fs: MemFs
    kubelet: Kubelet

    @property
    def pods(self) -> dict[str, Pod]:
        return self.kubelet.pods


class PodNetwork(Protocol):
    """What makes the pod network on each node (flannel, or a plain conflist)."""

    def install(self, cluster: Cluster, node: Node) -> None:
        """``node`` has joined (its Node object has ``podCIDRs``)."""
        ...

    def uninstall(self, cluster: Cluster, node: Node) -> None:
        """``node`` is leaving."""
        ...


@dataclass
class Conflist:
    """A CNI network list written as ``/etc/cni/net.d/10-<name>.conflist`` on
    every node.  ``{{podCIDR}}`` in it becomes the node's ``spec.podCIDR``
    (netsim's substitution, where a real cluster's installer templates it)."""

    text: str
    filename: str = "10-netsim.conflist"

    def install(self, cluster: Cluster, node: Node) -> None:
        text = self.text.replace("{{podCIDR}}", cluster.api.nodes[node.name].pod_cidr)
        node.fs.mkdir(CNI_CONF_DIR, parents=True)
        node.fs.write(f"{CNI_CONF_DIR}/{self.filename}", text)

    def uninstall(self, cluster: Cluster, node: Node) -> None:
        """Nothing: the node's filesystem goes with it."""


class Cluster:
    """Nodes, pods and the pod network of one cluster on ``host``."""

    def __init__(
        self,
        host: Host,
        *,
        network: PodNetwork,
        underlay: str = "172.18.0.0/16",
        mtu: int = 1500,
        racks: Sequence[Rack] = (),
        cluster_cidr: str = "10.244.0.0/16",
        node_cidr_mask_size: int = 24,
        service_cidr: str | None = "10.96.0.0/12",
        max_pods: int = 110,
        plugins: str = "ours",
        seed: int | None = None,
    ):
        self.host = host
        world = getattr(host, "world", None)
        self.world = world
        if seed is None:
            seed = world.engine.seed if world is not None else 0
        #: The control plane's own randomness (sandbox IDs and namespaces, pod UIDs,
        #: VTEP MACs): the same on every backend for one seed.
        self.rng = random.Random(seed)
        self.network = network
        self.underlay = Underlay(underlay, mtu, [dataclasses.replace(r) for r in racks])
        self.cluster_cidr = cluster_cidr
        self.ipam = NodeIpam((cluster_cidr,), (node_cidr_mask_size,), service_cidr)
        self.api = ApiServer()
        self.max_pods = max_pods
        self.plugins = plugins
        self.nodes: dict[str, Node] = {}
        self.run(self.underlay.build())

    def run(self, gen: PluginGen[Any]) -> Any:
        """Carry out a generator of Host operations on this cluster's host."""
        return run(gen, self.host)

    # --- nodes ------------------------------------------------------------------------

    def add_node(self, name: str, *, rack: str | None = None) -> Node:
        """Join ``name`` (to ``rack``, or the rack listing it, when the underlay
        has racks): underlay, podCIDRs, Node object, the pod network."""
        if name in self.nodes:
            raise ClusterError(f'node "{name}" already exists')
        ip = self.run(self.underlay.attach(name, rack=rack))
        fs = MemFs()
        install_executables(fs)
        node = Node(name, ip, fs, Kubelet(self.host, name, fs, self.rng, plugins=self.plugins,
                                          max_pods=self.max_pods))  # fmt: skip
        self.nodes[name] = node
        cidrs = self.ipam.allocate(name) or ()
        self.api.create(NodeObject(name, ip, cidrs))
        if cidrs:
            self.network.install(self, node)
        return node

    def remove_node(self, name: str) -> None:
        """``kubectl delete node``: its pods go, the pod network lets go of it,
        its podCIDRs are released (a node waiting for one may get it now)."""
        node = self.node(name)
        for pod in list(node.pods.values()):
            node.kubelet.stop_pod(pod.name, namespace=pod.namespace)
        self.network.uninstall(self, node)
        self.api.delete(name)
        for waiting, cidrs in self.ipam.release(name):
            obj = self.api.nodes[waiting]
            self.api.update(dataclasses.replace(obj, pod_cidrs=cidrs))
            self.network.install(self, self.nodes[waiting])
        self.run(self.underlay.detach(name))
        self.host.apply(NetnsDel(name=name))
        del self.nodes[name]

    def set_link(self, name: str, *, up: bool) -> None:
        """Pull (``up=False``) or plug back a node's underlay cable."""
        self.node(name)
        self.run(self.underlay.set_link(name, up=up))

    def restart_flanneld(self, name: str) -> None:
        """flanneld on node ``name`` restarted (a crash, a DaemonSet rollout): a
        new process starting over what the old one left."""
        node = self.node(name)
        restart = getattr(self.network, "restart", None)
        if restart is None:
            raise ClusterError("the pod network runs no flanneld (a conflist): nothing to restart")
        restart(self, node)

    def node(self, name: str) -> Node:
        try:
            return self.nodes[name]
        except KeyError:
            raise ClusterError(f'node "{name}" not found') from None

    # --- pods -------------------------------------------------------------------------

    def add_pod(self, name: str, *, node: str, namespace: str = "default",
                ports: list[dict[str, Any]] | None = None) -> Pod:  # fmt: skip
        """A pod scheduled on ``node``: its sandbox, as the node's kubelet runs it."""
        target = self.node(node)
        if not self.api.nodes[node].pod_cidrs:
            raise PodError(f'node "{node}" has no podCIDR yet (CIDRNotAvailable)')
        return target.kubelet.run_pod(name, namespace=namespace, ports=ports)

    def delete_pod(self, name: str, *, namespace: str = "default") -> None:
        self.node(self.pod(name, namespace=namespace).node).kubelet.stop_pod(
            name, namespace=namespace
        )

    def pod(self, name: str, *, namespace: str = "default") -> Pod:
        for node in self.nodes.values():
            pod = node.pods.get(f"{namespace}/{name}")
            if pod is not None:
                return pod
        raise ClusterError(f'pod "{namespace}/{name}" not found')

    def pods(self) -> list[Pod]:
        """Every pod, by node then by when it was made."""
        return [p for n in self.nodes.values() for p in n.pods.values()]

    # --- traffic (the model only) -----------------------------------------------------

    def ping(self, pod: str, dst: str, *, namespace: str = "default",
             **options: Any) -> PingResult:  # fmt: skip
        """``ping`` from pod ``namespace/pod`` (in its network namespace) to ``dst``,
        run to completion in simulated time (``count=1``, ``timeout=1`` unless given)."""
        if self.world is None:
            raise ClusterError("ping runs on the model; on the kernel run ping in the pod")
        src = self.pod(pod, namespace=namespace)
        options.setdefault("timeout", 1.0)
        result: PingResult = self.world.ping(dst, netns=src.netns, **options)
        return result
