"""Node IPAM: kube-controller-manager's range allocator
(``pkg/controller/nodeipam/ipam/range_allocator.go`` and ``cidrset/cidr_set.go``).

Each cluster CIDR (``--cluster-cidr``, one per family) is cut into blocks of
``--node-cidr-mask-size`` (24 for IPv4 by default, 64 for IPv6); a bitmap says
which are used.  ``AllocateNext`` takes the first free block at or after
``nextCandidate`` (wrapping), then points ``nextCandidate`` just past it -- so a
released block is handed out again only after the scan comes round.  The
service CIDR (``--service-cluster-ip-range``) is occupied at start where it
overlaps.  A node that already has ``podCIDRs`` occupies them; a node that
cannot get one records the event ``CIDRNotAvailable`` and keeps none (it is
tried again on its next update: here, when a block is released).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Final

__all__ = [
    "CIDR_NOT_AVAILABLE",
    "NO_CIDRS_REMAINING",
    "CidrSet",
    "NodeIpam",
    "NodeIpamError",
    "NodeIpamEvent",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: ``cidrset.ErrCIDRRangeNoCIDRsRemaining``.
NO_CIDRS_REMAINING: Final = (
    "CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range"
)
#: The node event's reason when no block is left.
CIDR_NOT_AVAILABLE: Final = "CIDRNotAvailable"
#: ``clusterSubnetMaxDiff``: an IPv6 node mask may be at most 16 bits longer.
_MAX_DIFF_V6: Final = 16


class NodeIpamError(ValueError):
    """A range allocator error, with kube-controller-manager's text."""


@dataclass(frozen=True, slots=True)
class NodeIpamEvent:
    """An event the allocator records on a node (``RecordNodeStatusChange``)."""

    node: str
    reason: str

    @property
    def message(self) -> str:
        return f"Node {self.node} status is now: {self.reason}"


class CidrSet:
    """``cidrset.CidrSet``: blocks of ``mask`` bits from ``cluster``."""

    def __init__(self, cluster: Network, mask: int):
        if mask < cluster.prefixlen or mask > cluster.max_prefixlen:
            raise NodeIpamError(
                "invalid --node-cidr-mask-size: must be between the cluster CIDR's mask "
                f"size ({cluster.prefixlen}) and {cluster.max_prefixlen}"
            )
        if cluster.version == 6 and mask - cluster.prefixlen > _MAX_DIFF_V6:
            raise NodeIpamError("New CIDR set failed; the node CIDR size is too big")
        self.cluster = cluster
        self.mask = mask
        self.max_cidrs = 1 << (mask - cluster.prefixlen)
        self.used: set[int] = set()
        self.next_candidate = 0

    def block(self, index: int) -> Network:
        """``indexToCIDRBlock``."""
        base = int(self.cluster.network_address) | (
            index << (self.cluster.max_prefixlen - self.mask)
        )
        return ipaddress.ip_network((base, self.mask))

    def allocate_next(self) -> Network:
        """``AllocateNext``: the first free block from ``nextCandidate`` on."""
        if len(self.used) == self.max_cidrs:
            raise NodeIpamError(NO_CIDRS_REMAINING)
        candidate = self.next_candidate
        for _ in range(self.max_cidrs):
            if candidate not in self.used:
                break
            candidate = (candidate + 1) % self.max_cidrs
        self.next_candidate = (candidate + 1) % self.max_cidrs
        self.used.add(candidate)
        return self.block(candidate)

    def _indices(self, cidr: Network) -> range:
        """``getBeginningAndEndIndices``: the blocks ``cidr`` covers."""
        if not (cidr.overlaps(self.cluster)):
            raise NodeIpamError(f"cidr {cidr} is out the range of cluster cidr {self.cluster}")
        shift = self.cluster.max_prefixlen - self.mask
        base = int(self.cluster.network_address)
        if cidr.prefixlen <= self.cluster.prefixlen:
            return range(self.max_cidrs)
        first = (int(cidr.network_address) ^ base) >> shift
        last = (int(cidr.broadcast_address) ^ base) >> shift
        return range(first, min(last, self.max_cidrs - 1) + 1)

    def occupy(self, cidr: Network) -> None:
        """``Occupy``: mark every block ``cidr`` covers as used."""
        self.used.update(self._indices(cidr))

    def release(self, cidr: Network) -> None:
        """``Release``: mark every block ``cidr`` covers as free."""
        self.used.difference_update(self._indices(cidr))


@dataclass
class NodeIpam:
    """The range allocator for one cluster: ``podCIDRs`` by node name."""

    cluster_cidrs: tuple[str, ...] = ("10.244.0.0/16",)
    node_cidr_mask_sizes: tuple[int, ...] = ()
    service_cidr: str | None = "10.96.0.0/12"
    pod_cidrs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    events: list[NodeIpamEvent] = field(default_factory=list)
    #: Nodes still without a block, oldest first.
    pending: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        nets = [ipaddress.ip_network(c, strict=True) for c in self.cluster_cidrs]
        sizes = self.node_cidr_mask_sizes or tuple(24 if n.version == 4 else 64 for n in nets)
        self.sets = [CidrSet(n, m) for n, m in zip(nets, sizes, strict=True)]
        if self.service_cidr is not None:
            service = ipaddress.ip_network(self.service_cidr, strict=True)
            for s in self.sets:  # filterOutServiceRange
                if s.cluster.version == service.version and s.cluster.overlaps(service):
                    s.occupy(service)

    def allocate(self, node: str, existing: tuple[str, ...] = ()) -> tuple[str, ...] | None:
        """``AllocateOrOccupyCIDR``: the node's ``podCIDRs`` (occupied if it has
        some), or None with a ``CIDRNotAvailable`` event when a set is full."""
        if existing:
            for s, cidr in zip(self.sets, existing, strict=False):
                s.occupy(ipaddress.ip_network(cidr))
            self.pod_cidrs[node] = tuple(existing)
            return self.pod_cidrs[node]
        got: list[Network] = []
        for s in self.sets:
            try:
                got.append(s.allocate_next())
            except NodeIpamError:
                # blocks already taken from earlier sets stay taken (the Go code
                # leaks them until the controller restarts)
                self.events.append(NodeIpamEvent(node, CIDR_NOT_AVAILABLE))
                if node not in self.pending:
                    self.pending.append(node)
                return None
        self.pod_cidrs[node] = tuple(str(c) for c in got)
        if node in self.pending:
            self.pending.remove(node)
        return self.pod_cidrs[node]

    def release(self, node: str) -> list[tuple[str, tuple[str, ...]]]:
        """``ReleaseCIDR`` of a deleted node; the nodes that got a block because of
        it (they were waiting), with their ``podCIDRs``."""
        if node in self.pending:
            self.pending.remove(node)
        for s, cidr in zip(self.sets, self.pod_cidrs.pop(node, ()), strict=False):
            s.release(ipaddress.ip_network(cidr))
        granted = []
        for waiting in list(self.pending):
            cidrs = self.allocate(waiting)
            if cidrs is not None:
                granted.append((waiting, cidrs))
        return granted
