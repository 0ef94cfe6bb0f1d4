"""A scenario's cluster on one backend: the simulator's (a seeded World with
the SimHost, :class:`Session`) or the real kernel's
(:class:`~netsim.scenario.kernel.KernelSession`).  Both give the runner the
same things: the cluster, a shell per node and pod, ``ping``, the clock."""

from __future__ import annotations

import abc
import ipaddress
from typing import Any, ClassVar, Protocol

from netsim.apps.ping import PingResult
from netsim.backends.sim.host import SimHost
from netsim.host.protocol import Host
from netsim.k8s.cluster import Cluster, ClusterError, Conflist, PodNetwork
from netsim.k8s.flannel import Flannel
from netsim.k8s.kubelet import Pod
from netsim.scenario.check import pod_key
from netsim.scenario.model import ClusterSpec
from netsim.scenario.shells import Shells
from netsim.shell.runtime import ShellResult
from netsim.trace import Trace
from netsim.world import World

__all__ = ["BaseSession", "Session", "ShellRunner", "make_cluster", "pod_network"]


def pod_network(spec: ClusterSpec) -> PodNetwork:
    net = spec.network
    if net.kind == "flannel":
        return Flannel(net.net_conf, cni_conf=net.cni_conf, ip_masq=net.ip_masq)
    return Conflist(net.conflist)


def make_cluster(host: Host, spec: ClusterSpec, **options: Any) -> Cluster:
    """The scenario's cluster on ``host``, no nodes yet (``options``: the
    control plane's plugins and seed)."""
    return Cluster(
        host,
        network=pod_network(spec),
        underlay=spec.underlay_cidr,
        mtu=spec.mtu,
        racks=spec.racks,
        cluster_cidr=spec.cluster_cidr,
        node_cidr_mask_size=spec.node_cidr_mask_size,
        service_cidr=spec.service_cidr,
        max_pods=spec.max_pods,
        **options,
    )


class ShellRunner(Protocol):
    """A shell on a node, in a pod's namespace, or in any namespace."""

    def node(self, name: str, script: str) -> ShellResult: ...
    def pod(self, name: str, script: str, *, namespace: str = "default") -> ShellResult: ...
    def netns(self, netns: str, script: str) -> ShellResult: ...


class BaseSession(abc.ABC):
    """What the runner needs of a backend; the cluster has no nodes yet."""

    backend: ClassVar[str]
    cluster: Cluster
    shells: ShellRunner

    @property
    @abc.abstractmethod
    def now(self) -> float:
        """Seconds since the session began (simulated, or the wall clock's)."""

    @abc.abstractmethod
    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass (simulated, or on the wall clock)."""

    @abc.abstractmethod
    def ping(self, pod: Pod, dst: str, *, count: int = 1, timeout: float = 1.0) -> PingResult:
        """``ping -c COUNT -W TIMEOUT DST`` in ``pod``'s namespace, to completion."""

    @abc.abstractmethod
    def traced_ping(self, pod: Pod, dst: str) -> tuple[PingResult, list[Trace]]:
        """One ``ping -c 1 -W 1 DST`` from ``pod``, and the traces of every ICMP
        echo and ARP message it caused (the model's, or the kernel's captures)."""

    def close(self) -> None:
        """Let go of what the backend holds (the kernel's sandbox)."""

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


class Session(BaseSession):
    """The simulator: the world, the cluster on its SimHost, netsim sh on it.
    ``possible_cpus`` is the simulated machines' CPU count (a veth's queues)."""

    backend = "sim"

    def __init__(self, spec: ClusterSpec, seed: int, *, possible_cpus: int = 1):
        self.world = World(seed, possible_cpus=possible_cpus)
        self.cluster = make_cluster(SimHost(self.world), spec)
        self.shells: Shells = Shells(self.world, self.cluster)

    @property
    def now(self) -> float:
        return self.world.now

    def sleep(self, seconds: float) -> None:
        self.world.sleep(seconds)

    def ping(self, pod: Pod, dst: str, *, count: int = 1, timeout: float = 1.0) -> PingResult:
        return self.cluster.ping(
            pod.name, dst, namespace=pod.namespace, count=count, timeout=timeout
        )

    def traced_ping(self, pod: Pod, dst: str) -> tuple[PingResult, list[Trace]]:
        self.world.trace.clear()
        res = self.ping(pod, dst)
        return res, self.world.traces()
