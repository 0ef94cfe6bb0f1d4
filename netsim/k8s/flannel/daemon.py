"""flanneld with the kube subnet manager (flannel-io/flannel ``main.go``,
``pkg/subnet/kube``, ``pkg/trafficmngr/iptables``), on one node, through Host
operations.

Startup in ``main.go``'s order: the external interface (the default route's
device, its first IPv4 address, its MTU); the backend's ``RegisterNetwork``
(the vxlan device, then ``AcquireLease``: the node's ``podCIDR`` is the lease,
and the node's annotations ``flannel.alpha.coreos.com/{backend-type,
backend-data,public-ip,kube-subnet-manager}`` are written where they differ;
then the device's address); the masquerade chain ``FLANNEL-POSTRTG`` (with
``--ip-masq``) and the ``FLANNEL-FWD`` chain; ``/run/flannel/subnet.env``; then
every other node's lease is programmed and the node watch begins; last the
node's ``NetworkUnavailable`` condition is set ``False`` (``FlannelIsUp``).

A remote lease is a node with ``kube-subnet-manager: "true"``; a node update
counts only when its backend-type, backend-data or public-ip annotation
changed.  Not modelled: the periodic iptables resync and host-gw route check
(the model's routes do not vanish by themselves), lease renewal (the kube
manager has none), the etcd subnet manager, IPv6.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
from typing import TYPE_CHECKING, Any, Final

from netsim.cni.driver import PluginGen
from netsim.cni.iptables import IPTables
from netsim.host.ops import Dump, LinkGet
from netsim.k8s.api import DELETED, NodeObject
from netsim.k8s.flannel.backends import (
    Lease,
    host_gw_add,
    host_gw_remove,
    new_mac,
    vxlan_add,
    vxlan_configure,
    vxlan_link,
    vxlan_remove,
)
from netsim.k8s.flannel.config import NetConf

if TYPE_CHECKING:
    from netsim.k8s.cluster import Cluster, Node

__all__ = ["ANNOTATION", "SUBNET_ENV", "Flanneld"]

ANNOTATION: Final = "flannel.alpha.coreos.com/"
SUBNET_ENV: Final = "/run/flannel/subnet.env"
_KEYS: Final = ("backend-type", "backend-data", "public-ip")


class FlannelError(RuntimeError):
    """flanneld could not start on a node (its words)."""


def lease_of(node: NodeObject) -> Lease | None:
    """The lease a node's annotations and podCIDR describe, or None."""
    a = node.annotations
    if a.get(ANNOTATION + "kube-subnet-manager") != "true" or not node.pod_cidr:
        return None
    data = json.loads(a.get(ANNOTATION + "backend-data", "null") or "null") or {}
    subnet = ipaddress.IPv4Network(node.pod_cidr)
    return Lease(node.name, subnet, a.get(ANNOTATION + "public-ip", ""),
                 a.get(ANNOTATION + "backend-type", ""), str(data.get("VtepMAC", "")))  # fmt: skip


class Flanneld:
    """One node's flanneld (``--ip-masq --kube-subnet-mgr``, as the manifest runs it)."""

    def __init__(self, cluster: Cluster, node: Node, conf: NetConf, *, ip_masq: bool = True,
                 forward_rules: bool = True):  # fmt: skip
        self.cluster, self.node, self.conf = cluster, node, conf
        self.ip_masq, self.forward_rules = ip_masq, forward_rules
        self.ext = ""
        self.ext_ip = ""
        self.mtu = 0
        self.lease: Lease | None = None
        self.programmed: dict[str, Lease] = {}

    @property
    def name(self) -> str:
        return self.node.name

    def start(self) -> None:
        """Everything ``main.go`` does up to watching the other nodes' leases."""
        run = self.cluster.run
        run(self._ext_iface())
        obj = self.cluster.api.nodes[self.name]
        if not obj.pod_cidr:
            raise FlannelError(f'failed to acquire lease: node "{self.name}" pod cidr not assigned')
        subnet = ipaddress.IPv4Network(obj.pod_cidr)
        if not subnet.subnet_of(self.conf.network):
            raise FlannelError(f"subnet {subnet} is not in network {self.conf.network}")
        backend = self.conf.backend
        data = "null"
        mac = ""
        if backend.type == "vxlan":  # RegisterNetwork: the stored MAC, then the device
            stored = json.loads(obj.annotations.get(ANNOTATION + "backend-data", "null") or "null")
            mac = str((stored or {}).get("VtepMAC") or new_mac(self.cluster.rng))
            mac = run(vxlan_link(self.name, backend, self.ext, self.ext_ip, self.mtu, mac))
            data = json.dumps({"VNI": backend.vni, "VtepMAC": mac}, separators=(",", ":"))
        self._annotate(obj, {"backend-type": backend.type, "backend-data": data,
                             "public-ip": self.ext_ip, "kube-subnet-manager": "true"})  # fmt: skip
        if backend.type == "vxlan":
            run(vxlan_configure(self.name, backend, subnet, self.conf.network))
        self.lease = Lease(self.name, subnet, self.ext_ip, backend.type, mac)
        if self.ip_masq:
            run(self._masq_rules(subnet))
        if self.forward_rules:
            run(self._forward_rules())
        self._write_subnet_env(subnet)
        for other in list(self.cluster.api.nodes.values()):
            self._event("ADDED", other)
        self.cluster.api.watch(self._event)
        obj = self.cluster.api.nodes[self.name]
        conditions = {**obj.conditions, "NetworkUnavailable": ("False", "FlannelIsUp")}
        self.cluster.api.update(dataclasses.replace(obj, conditions=conditions))

    def stop(self) -> None:
        """The daemon ends (nothing it made is undone, as flanneld leaves it)."""
        self.cluster.api.unwatch(self._event)

    # --- startup steps ------------------------------------------------------------------

    def _ext_iface(self) -> PluginGen[None]:
        """``LookupExtIface`` without ``--iface``: the default route's device."""
        routes = yield Dump(netns=self.name, what="route")
        default = next((r for r in routes or [] if r.get("dst") == "default"
                        and r.get("table", "main") == "main"), None)  # fmt: skip
        if default is None:
            raise FlannelError("failed to find the interface to use: failed to get default "
                               "interface: Unable to find default route")  # fmt: skip
        self.ext = str(default["dev"])
        links = yield LinkGet(netns=self.name, ifname=self.ext)
        addrs = yield Dump(netns=self.name, what="addr", dev=self.ext)
        self.mtu = int((links or [{}])[0].get("mtu", 1500))
        v4 = [a for r in addrs or [] for a in r.get("addr_info", []) if a.get("family") == "inet"]
        if not v4:
            raise FlannelError(f"failed to find IPv4 address for interface {self.ext}")
        self.ext_ip = str(v4[0]["local"])

    def _annotate(self, obj: NodeObject, values: dict[str, str]) -> None:
        """The kube subnet manager's patch: only when something differs."""
        want = {ANNOTATION + k: v for k, v in values.items()}
        if all(obj.annotations.get(k) == v for k, v in want.items()):
            return
        self.cluster.api.update(dataclasses.replace(obj, annotations={**obj.annotations, **want}))

    def _masq_rules(self, subnet: ipaddress.IPv4Network) -> PluginGen[None]:
        """``MasqRules`` in ``FLANNEL-POSTRTG`` (nat), jumped to from POSTROUTING."""
        ipt = IPTables(self.name)
        net, sn = str(self.conf.network), str(subnet)
        cm = ("-m", "comment", "--comment", "flanneld masq")
        rules: list[tuple[str, ...]] = [
            ("-m", "mark", "--mark", "0x4000/0x4000", *cm, "-j", "RETURN"),
            ("-s", sn, "-d", net, *cm, "-j", "RETURN"),
            ("-s", net, "-d", sn, *cm, "-j", "RETURN"),
            ("!", "-s", net, "-d", sn, *cm, "-j", "RETURN"),
            ("-s", net, "!", "-d", "224.0.0.0/4", *cm, "-j", "MASQUERADE", "--random-fully"),
            ("!", "-s", net, "-d", net, *cm, "-j", "MASQUERADE", "--random-fully"),
        ]
        yield from self._chain(ipt, "nat", "POSTROUTING", "FLANNEL-POSTRTG", cm, rules)

    def _forward_rules(self) -> PluginGen[None]:
        """``ForwardRules`` in ``FLANNEL-FWD`` (filter), jumped to from FORWARD."""
        ipt = IPTables(self.name)
        net = str(self.conf.network)
        cm = ("-m", "comment", "--comment", "flanneld forward")
        rules: list[tuple[str, ...]] = [("-s", net, *cm, "-j", "ACCEPT"),
                                        ("-d", net, *cm, "-j", "ACCEPT")]  # fmt: skip
        yield from self._chain(ipt, "filter", "FORWARD", "FLANNEL-FWD", cm, rules)

    def _chain(self, ipt: IPTables, table: str, hook: str, chain: str, cm: tuple[str, ...],
               rules: list[tuple[str, ...]]) -> PluginGen[None]:  # fmt: skip
        """The chain (made or flushed), its rules in order, the hook's jump once
        (what flanneld's iptables-restore leaves)."""
        yield from ipt.clear_chain(table, chain)
        for rule in rules:
            yield from ipt.append(table, chain, *rule)
        yield from ipt.append_unique(table, hook, *cm, "-j", chain)

    def _write_subnet_env(self, subnet: ipaddress.IPv4Network) -> None:
        """``WriteSubnetFile``: network, the subnet's first address, MTU, ipmasq."""
        mtu = self.mtu - 50 if self.conf.backend.type == "vxlan" else self.mtu
        masq = "true" if self.ip_masq else "false"
        text = (f"FLANNEL_NETWORK={self.conf.network}\n"
                f"FLANNEL_SUBNET={subnet.network_address + 1}/{subnet.prefixlen}\n"
                f"FLANNEL_MTU={mtu}\nFLANNEL_IPMASQ={masq}\n")  # fmt: skip
        self.node.fs.mkdir("/run/flannel", parents=True)
        self.node.fs.write(SUBNET_ENV, text)

    # --- remote leases ------------------------------------------------------------------

    def _event(self, kind: str, obj: NodeObject) -> None:
        """The kube subnet manager's node handlers, then the backend's."""
        if obj.name == self.name:
            return
        known = self.programmed.get(obj.name)
        lease = None if kind == DELETED else lease_of(obj)
        if known is not None and (lease is None or lease != known):
            self._remove(known)
        if lease is not None and lease != known:
            self._add(lease)

    def _add(self, lease: Lease) -> None:
        backend = self.conf.backend
        if lease.backend_type != backend.type:
            return  # "ignoring non-vxlan subnet": logged, not programmed
        if backend.type == "vxlan":
            self.cluster.run(vxlan_add(self.name, backend, lease))
        else:
            self.cluster.run(host_gw_add(self.name, self.ext, lease))
        self.programmed[lease.node] = lease

    def _remove(self, lease: Lease) -> None:
        del self.programmed[lease.node]
        if self.conf.backend.type == "vxlan":
            self.cluster.run(vxlan_remove(self.name, self.conf.backend, lease))
        else:
            self.cluster.run(host_gw_remove(self.name, self.ext, lease))

    def state(self) -> dict[str, Any]:
        """What this flanneld holds: its lease and the leases it programmed."""
        return {"lease": self.lease, "programmed": dict(self.programmed)}
