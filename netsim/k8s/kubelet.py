"""A node's kubelet and container runtime, for pod networking: what containerd's
CRI plugin does at ``RunPodSandbox`` / ``StopPodSandbox`` through go-cni.

* A sandbox gets a network namespace ``cni-<uuid>`` under ``/var/run/netns``
  and a 64-hex-digit ID (both drawn from the world's seeded RNG).
* ADD runs the loopback network (``cni-loopback``, ``lo``) and then the pod
  network -- the first valid file of ``/etc/cni/net.d`` in the node's
  filesystem (libcni's ``ConfFiles``, sorted) -- on ``eth0``, with
  ``CNI_ARGS`` ``IgnoreUnknown=1;K8S_POD_NAMESPACE=..;K8S_POD_NAME=..;
  K8S_POD_INFRA_CONTAINER_ID=..;K8S_POD_UID=..`` (go-cni builds them from a
  map, so the real order varies; netsim keeps this one) and the pod's
  ``portMappings`` as a capability (:func:`port_mappings`).
* DEL runs the pod network's DEL, then loopback's, and removes the namespace.
* A node takes at most ``max_pods`` (110) pods: the next is refused as the
  kubelet refuses it (``OutOfpods``).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any, Final

from netsim.cni.runtime import LibcniError, Runtime, RuntimeConf
from netsim.host.ops import NetnsAdd, NetnsDel
from netsim.host.protocol import Host
from netsim.shell.fs import MemFs

__all__ = ["CNI_CONF_DIR", "LOOPBACK_CONF", "MAX_PODS", "Kubelet", "Pod", "PodError", "state_dir"]

CNI_CONF_DIR: Final = "/etc/cni/net.d"
MAX_PODS: Final = 110


def state_dir(node: str) -> str:
    """Where, in the kernel backend's sandbox, node ``node``'s ``/var/lib/cni`` is
    (what the real plugins write there: host-local's leases)."""
    return f"/var/lib/netsim/nodes/{node}"


#: go-cni's ``WithLoNetwork``.
LOOPBACK_CONF: Final = (
    '{"cniVersion":"0.3.1","name":"cni-loopback","plugins":[{"type":"loopback"}]}'
)


class PodError(RuntimeError):
    """A sandbox the node could not set up (the kubelet's or the runtime's words)."""


@dataclass
class Pod:
    """One pod sandbox: where it runs and what its network gave it."""

    name: str
    namespace: str
    node: str
    netns: str
    sandbox_id: str
    uid: str
    ports: list[dict[str, Any]] = field(default_factory=list)
    ip: str | None = None
    result: dict[str, Any] | None = None

    @property
    def netns_path(self) -> str:
        return f"/var/run/netns/{self.netns}"


def port_mappings(ports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """containerd's ``toCNIPortMappings``: the container ports (the pod spec's
    ``containerPort``/``hostPort``/``protocol``/``hostIP``) that have a host
    port, as go-cni's untagged ``PortMapping`` struct marshals them (Go field
    names as keys; the protocol lower-case, TCP when the spec leaves it out, as
    the API server defaults it).  portmap reads the keys case-insensitively."""
    return [{"HostPort": p["hostPort"], "ContainerPort": p["containerPort"],
             "Protocol": str(p.get("protocol") or "TCP").lower(), "HostIP": p.get("hostIP", "")}
            for p in ports if p.get("hostPort", 0) > 0]  # fmt: skip


class Kubelet:
    """Pod sandboxes of node ``node`` (a namespace of ``host``), its CNI
    configuration and state in ``fs``."""

    def __init__(self, host: Host, node: str, fs: MemFs, rng: random.Random, *,
                 plugins: str = "ours", max_pods: int = MAX_PODS):  # fmt: skip
        self.host, self.node, self.fs, self.rng = host, node, fs, rng
        self.max_pods = max_pods
        state = None if plugins == "ours" else state_dir(node)
        self.runtime = Runtime(host, fs=fs, netns=node, plugins=plugins,  # type: ignore[arg-type]
                               state_dir=state)  # fmt: skip
        self.pods: dict[str, Pod] = {}

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _conf(self, pod: Pod) -> RuntimeConf:
        args = (("IgnoreUnknown", "1"), ("K8S_POD_NAMESPACE", pod.namespace),
                ("K8S_POD_NAME", pod.name), ("K8S_POD_INFRA_CONTAINER_ID", pod.sandbox_id),
                ("K8S_POD_UID", pod.uid))  # fmt: skip
        mappings = port_mappings(pod.ports)
        caps: dict[str, Any] = {"portMappings": mappings} if mappings else {}
        return RuntimeConf(pod.sandbox_id, "eth0", pod.netns_path, args=args,
                           capability_args=caps)  # fmt: skip

    def run_pod(self, name: str, *, namespace: str = "default",
                ports: list[dict[str, Any]] | None = None) -> Pod:  # fmt: skip
        """``RunPodSandbox``: the namespace, loopback, then the pod network."""
        key = f"{namespace}/{name}"
        if key in self.pods:
            raise PodError(f'pod "{key}" already exists on node {self.node}')
        if len(self.pods) >= self.max_pods:
            raise PodError(
                f"OutOfpods: Node didn't have enough resource: pods, requested: 1, "
                f"used: {len(self.pods)}, capacity: {self.max_pods}"
            )
        pod = Pod(name, namespace, self.node, f"cni-{self._uuid()}",
                  f"{self.rng.getrandbits(256):064x}", self._uuid(), list(ports or []))  # fmt: skip
        self.host.apply(NetnsAdd(name=pod.netns))
        try:
            net = self.runtime.load_dir(CNI_CONF_DIR)
            lo = self.runtime.network(LOOPBACK_CONF)
            lo_conf = RuntimeConf(pod.sandbox_id, "lo", pod.netns_path)
            self.runtime.add_network_list(lo, lo_conf)
            result = self.runtime.add_network_list(net, self._conf(pod))
        except LibcniError as e:
            raise PodError(f"failed to setup network for sandbox {pod.sandbox_id[:12]}: "
                           f"{e.message}") from None  # fmt: skip
        pod.result = result
        ips = result.get("ips") or [{}]
        address = ips[0].get("address") or (result.get("ip4") or {}).get("ip")
        pod.ip = str(address).split("/")[0] if address else None
        self.pods[key] = pod
        return pod

    def stop_pod(self, name: str, *, namespace: str = "default") -> None:
        """``StopPodSandbox`` + removal: DEL of the pod network, then loopback."""
        pod = self.pods.pop(f"{namespace}/{name}")
        net = self.runtime.load_dir(CNI_CONF_DIR)
        self.runtime.del_network_list(net, self._conf(pod))
        lo = self.runtime.network(LOOPBACK_CONF)
        self.runtime.del_network_list(lo, RuntimeConf(pod.sandbox_id, "lo", pod.netns_path))
        self.host.apply(NetnsDel(name=pod.netns))
