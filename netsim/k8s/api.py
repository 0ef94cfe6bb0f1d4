"""The Kubernetes API objects the pod network reads and writes: Nodes with their
``spec.podCIDRs``, addresses and annotations, and watches on them.

Watchers are called in the order they registered, at once and in the same
simulated instant as the change (an informer's delivery delay is not
modelled), with ``ADDED``, ``MODIFIED`` or ``DELETED`` and the node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

__all__ = ["ADDED", "DELETED", "MODIFIED", "ApiServer", "NodeObject", "Watcher"]

ADDED: Final = "ADDED"
MODIFIED: Final = "MODIFIED"
DELETED: Final = "DELETED"


@dataclass
class NodeObject:
    """A ``v1.Node``: what the network cares about."""

    name: str
    internal_ip: str
    pod_cidrs: tuple[str, ...] = ()
    annotations: dict[str, str] = field(default_factory=dict)
    #: ``status.conditions``: type -> (status, reason).
    conditions: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def pod_cidr(self) -> str:
        """``spec.podCIDR``: the first of ``podCIDRs``."""
        return self.pod_cidrs[0] if self.pod_cidrs else ""


#: A watch callback: (event type, node).
Watcher = Callable[[str, NodeObject], None]


class ApiServer:
    """The cluster's node objects, and who watches them."""

    def __init__(self) -> None:
        self.nodes: dict[str, NodeObject] = {}
        self._watchers: list[Watcher] = []

    def watch(self, watcher: Watcher) -> None:
        """Call ``watcher`` for every node change from now on."""
        self._watchers.append(watcher)

    def unwatch(self, watcher: Watcher) -> None:
        self._watchers.remove(watcher)

    def _notify(self, kind: str, node: NodeObject) -> None:
        for w in list(self._watchers):
            w(kind, node)

    def create(self, node: NodeObject) -> None:
        self.nodes[node.name] = node
        self._notify(ADDED, node)

    def update(self, node: NodeObject) -> None:
        """Store ``node`` (a changed copy) and tell the watchers."""
        self.nodes[node.name] = node
        self._notify(MODIFIED, node)

    def delete(self, name: str) -> None:
        node = self.nodes.pop(name)
        self._notify(DELETED, node)
