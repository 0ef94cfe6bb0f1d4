"""netsim sh on a cluster's node or in a pod's network namespace.

A node's shell runs in the node's namespace with the node's filesystem
(``cat /run/flannel/subnet.env``) and its virtual ``/proc`` and ``/sys``; a
pod's runs in the pod's namespace with its node's filesystem, as ``nsenter
--net`` on the node would.  The ``/proc``/``/sys`` view is attached to the
node's filesystem only while the command runs, so the CNI plugins and
flanneld see the filesystem they always see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netsim.k8s.cluster import Cluster
from netsim.shell import Shell
from netsim.shell.fs import MemFs
from netsim.shell.overlay import SysOverlay
from netsim.shell.runtime import ShellResult

if TYPE_CHECKING:
    from netsim.world import World

__all__ = ["Shells", "node_of"]


class Shells:
    """One shell per namespace of ``cluster`` (kept: variables persist)."""

    def __init__(self, world: World, cluster: Cluster):
        self.world, self.cluster = world, cluster
        self._shells: dict[str, Shell] = {}

    def _run(self, netns: str, fs: MemFs, script: str) -> ShellResult:
        shell = self._shells.get(netns)
        if shell is None or shell.fs is not fs:
            shell = Shell(self.world, netns=netns)
            shell.fs = fs
            self._shells[netns] = shell
        saved = fs.overlay
        fs.overlay = SysOverlay(shell)
        try:
            return shell.run(script)
        finally:
            fs.overlay = saved

    def node(self, name: str, script: str) -> ShellResult:
        """``script`` on node ``name``."""
        return self._run(name, self.cluster.node(name).fs, script)

    def pod(self, name: str, script: str, *, namespace: str = "default") -> ShellResult:
        """``script`` in pod ``namespace/name``'s network namespace."""
        pod = self.cluster.pod(name, namespace=namespace)
        return self._run(pod.netns, self.cluster.node(pod.node).fs, script)

    def netns(self, netns: str, script: str) -> ShellResult:
        """``script`` in any namespace of the world (the underlay's, say)."""
        node = node_of(self.cluster, netns)
        if node is not None:
            return self._run(netns, self.cluster.node(node).fs, script)
        shell = self._shells.get(netns)
        if shell is None:
            shell = self._shells[netns] = Shell(self.world, netns=netns)
        return shell.run(script)


def node_of(cluster: Cluster, netns: str) -> str | None:
    """The node whose namespace ``netns`` is, or that runs the pod it is."""
    for node in cluster.nodes.values():
        if node.name == netns or any(p.netns == netns for p in node.pods.values()):
            return node.name
    return None
