"""A scenario as values: the cluster, its pods, its steps (version 1), built from
a validated document with the defaults filled in.

Defaults are a kind cluster's with flannel's manifest: underlay
``172.18.0.0/16`` (MTU 1500), ``clusterCIDR`` ``10.244.0.0/16`` cut in /24s,
``serviceCIDR`` ``10.96.0.0/12``, ``maxPods`` 110; flannel's ``net-conf.json``
and ``cni-conf.json`` as ``Documentation/kube-flannel.yml`` ships them, with
``--ip-masq``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

from netsim.k8s.flannel import CNI_CONF, NET_CONF
from netsim.k8s.underlay import Rack
from netsim.scenario.load import Document, Path

__all__ = ["ACTIONS", "ClusterSpec", "NetworkSpec", "PodSpec", "Scenario", "Step", "build"]

#: The step actions, in the order the docs list them.
ACTIONS: Final = (
    "addPod",
    "deletePod",
    "addNode",
    "removeNode",
    "ping",
    "trace",
    "run",
    "failLink",
    "restoreLink",
    "restartFlanneld",
    "wait",
)


@dataclass(frozen=True)
class NetworkSpec:
    """``cluster.network``: flannel (its two configs and ``--ip-masq``) or a conflist."""

    kind: str  # "flannel" or "conflist"
    net_conf: str = NET_CONF
    cni_conf: str = CNI_CONF
    ip_masq: bool = True
    conflist: str = ""


@dataclass(frozen=True)
class ClusterSpec:
    nodes: tuple[str, ...]
    network: NetworkSpec
    underlay_cidr: str = "172.18.0.0/16"
    mtu: int = 1500
    #: Routed L2 segments instead of one (``underlay.racks``).
    racks: tuple[Rack, ...] = ()
    cluster_cidr: str = "10.244.0.0/16"
    node_cidr_mask_size: int = 24
    service_cidr: str | None = "10.96.0.0/12"
    max_pods: int = 110


@dataclass(frozen=True)
class PodSpec:
    name: str
    node: str
    namespace: str = "default"
    ports: tuple[dict[str, Any], ...] = ()
    path: Path = ()

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Step:
    """One step: its action (None for a step that only checks) and arguments,
    what it expects, and where it is written."""

    index: int
    action: str | None
    args: Any
    expect: dict[str, Any]
    line: int
    name: str = ""

    @property
    def path(self) -> Path:
        return ("steps", self.index)

    @property
    def number(self) -> int:
        """The step's number in reports (from 1)."""
        return self.index + 1


@dataclass(frozen=True)
class Scenario:
    file: str
    name: str
    description: str
    seed: int | None
    cluster: ClusterSpec
    pods: tuple[PodSpec, ...]
    steps: tuple[Step, ...]
    doc: Document = field(repr=False, compare=False, default_factory=lambda: Document("", None))


def json_text(value: Any) -> str:
    """A JSON document given as a mapping or as its text."""
    return value if isinstance(value, str) else json.dumps(value, indent=2) + "\n"


def node_names(nodes: Any) -> tuple[str, ...]:
    return (
        tuple(f"node{i}" for i in range(1, nodes + 1)) if isinstance(nodes, int) else tuple(nodes)
    )


def pod_spec(obj: dict[str, Any], path: Path) -> PodSpec:
    return PodSpec(
        obj["name"], obj["node"], obj.get("namespace", "default"), tuple(obj.get("ports", ())), path
    )


def _network(obj: dict[str, Any]) -> NetworkSpec:
    if "conflist" in obj:
        return NetworkSpec("conflist", conflist=json_text(obj["conflist"]))
    fl = obj.get("flannel") or {}
    return NetworkSpec(
        "flannel",
        json_text(fl.get("netConf", NET_CONF)),
        json_text(fl.get("cniConf", CNI_CONF)),
        bool(fl.get("ipMasq", True)),
    )


def build(doc: Document) -> Scenario:
    """The scenario of a document the schema accepted."""
    v = doc.value
    c = v["cluster"]
    underlay = c.get("underlay", {})
    cluster = ClusterSpec(
        nodes=node_names(c["nodes"]),
        network=_network(c["network"]),
        underlay_cidr=underlay.get("cidr", "172.18.0.0/16"),
        mtu=underlay.get("mtu", 1500),
        racks=tuple(
            Rack(r["name"], r["cidr"], tuple(r.get("nodes", ()))) for r in underlay.get("racks", ())
        ),
        cluster_cidr=c.get("clusterCIDR", "10.244.0.0/16"),
        node_cidr_mask_size=c.get("nodeCIDRMaskSize", 24),
        service_cidr=c.get("serviceCIDR", "10.96.0.0/12"),
        max_pods=c.get("maxPods", 110),
    )
    pods = tuple(pod_spec(p, ("pods", i)) for i, p in enumerate(v.get("pods", [])))
    steps = []
    for i, s in enumerate(v.get("steps", [])):
        actions = [a for a in ACTIONS if a in s]
        action = actions[0] if actions else None
        steps.append(
            Step(
                i,
                action,
                s.get(action) if action else None,
                s.get("expect", {}),
                doc.line(("steps", i)),
                s.get("name", ""),
            )
        )
    stem = doc.file.rsplit("/", 1)[-1].removesuffix(".yaml").removesuffix(".yml")
    return Scenario(
        doc.file,
        v.get("name", stem),
        v.get("description", ""),
        v.get("seed"),
        cluster,
        pods,
        tuple(steps),
        doc,
    )
