"""A scenario on the real kernel: the same kubelet and flanneld (through the
Host seam) on a :class:`~netsim.backends.linux.host.KernelHost`, the real CNI
binaries the sandbox has (bridge, host-local, portmap, loopback; flannel's CNI
plugin is netsim's, which Debian does not ship), ``ping`` and ``bash`` with
the real tools for the steps, and the wall clock for ``wait``.

A node's files are what its control plane wrote (``/etc/cni/net.d``,
``/run/flannel``, the result cache and flannel's delegate configs in
``/var/lib/cni``) plus what the real plugins wrote in the node's own
``/var/lib/cni`` (host-local's leases).  A command on a node, or in one of its
pods, runs in a mount namespace of its own where those directories are
overlays showing both, as on the node's disk; what the command writes there
stays in that view and does not reach the control plane.
"""

from __future__ import annotations

import base64
import io
import json
import re
import tarfile
import time
from typing import TYPE_CHECKING, Final

from netsim.apps.ping import PingResult
from netsim.host.ops import INIT_NET
from netsim.k8s.cluster import Cluster
from netsim.k8s.kubelet import Pod, state_dir
from netsim.scenario.kernel_traces import Topology, traces_of
from netsim.scenario.model import ClusterSpec
from netsim.scenario.session import BaseSession, make_cluster
from netsim.scenario.shells import node_of
from netsim.shell.runtime import ShellResult
from netsim.trace import Trace

if TYPE_CHECKING:
    from netsim.backends.linux.host import KernelHost
    from netsim.shell.fs import MemFs

__all__ = ["KernelSession", "KernelShells", "KernelUnavailable"]

#: The parts of a node's in-memory filesystem its control plane writes.
NODE_FILES: Final = ("/etc/cni/", "/run/flannel/", "/var/lib/cni/")
_VIEWS: Final = "/var/lib/netsim/views"
_SUMMARY = re.compile(r"(\d+) packets transmitted, (\d+) received")

#: Run by ``sh -c`` in a fresh mount namespace with ``$1`` the view directory
#: (the node's files unpacked from stdin), ``$2`` the node's /var/lib/cni and
#: ``$3`` the script: overlays on /etc, /run (its /run/netns put back) and
#: /var/lib/cni, then ``bash -c SCRIPT``.
_ENTER: Final = (
    'v=$1; rm -rf "$v" && mkdir -p "$v" && base64 -d | tar -x -C "$v"'
    ' && mkdir -p "$v/etc" "$v/run" "$v/var/lib/cni" "$v/w/etc" "$v/w/run" "$v/w/cni"'
    ' "$v/netns" "$2" /var/lib/cni'
    ' && mount --rbind /run/netns "$v/netns"'
    ' && mount -t overlay overlay -o "lowerdir=/etc,upperdir=$v/etc,workdir=$v/w/etc" /etc'
    ' && mount -t overlay overlay -o "lowerdir=/run,upperdir=$v/run,workdir=$v/w/run" /run'
    ' && mkdir -p /run/netns && mount --rbind "$v/netns" /run/netns'
    " && mount -t overlay overlay"
    ' -o "lowerdir=$2,upperdir=$v/var/lib/cni,workdir=$v/w/cni" /var/lib/cni'
    ' && exec bash -c "$3" bash </dev/null'
)


class KernelUnavailable(RuntimeError):
    """The kernel backend cannot run here; the message says why."""


def _tarball(fs: MemFs) -> str:
    """The control plane's files of ``fs``, as a base64 tar (paths relative to /)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path in sorted(fs.files):
            if not path.startswith(NODE_FILES) or path in fs.sockets:
                continue
            data = fs.files[path].encode()
            info = tarfile.TarInfo(path.lstrip("/"))
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return base64.b64encode(buf.getvalue()).decode() + "\n"


class KernelShells:
    """``bash`` with the real tools in a node's namespace, in a pod's, or in any."""

    def __init__(self, host: KernelHost, cluster: Cluster):
        self.host, self.cluster = host, cluster

    def _exec(self, netns: str, script: str) -> ShellResult:
        argv = ["bash", "-c", script]
        if netns != INIT_NET:
            argv = ["ip", "netns", "exec", netns, *argv]
        r = self.host.sandbox.run(argv)
        return ShellResult(r.stdout, r.stderr, r.returncode)

    def _on_node(self, netns: str, node: str, script: str) -> ShellResult:
        view = f"{_VIEWS}/{node}"
        argv = ["ip", "netns", "exec", netns, "unshare", "--mount", "sh", "-c", _ENTER,
                "sh", view, state_dir(node), script]  # fmt: skip
        r = self.host.sandbox.run(argv, stdin=_tarball(self.cluster.node(node).fs))
        return ShellResult(r.stdout, r.stderr, r.returncode)

    def node(self, name: str, script: str) -> ShellResult:
        """``script`` on node ``name``, with the node's files."""
        self.cluster.node(name)
        return self._on_node(name, name, script)

    def pod(self, name: str, script: str, *, namespace: str = "default") -> ShellResult:
        """``script`` in pod ``namespace/name``'s network namespace, with its node's files."""
        pod = self.cluster.pod(name, namespace=namespace)
        return self._on_node(pod.netns, pod.node, script)

    def netns(self, netns: str, script: str) -> ShellResult:
        """``script`` in any namespace of the sandbox (the underlay's, say)."""
        node = node_of(self.cluster, netns)
        return self._on_node(netns, node, script) if node else self._exec(netns, script)


def _kernel_host() -> KernelHost:
    from netsim.backends.linux.sandbox import unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        raise KernelUnavailable(f"no kernel sandbox on this machine: {reason}")
    try:
        from netsim.backends.linux.host import KernelHost
    except ImportError as e:  # pyroute2, the netsim[kernel] extra
        raise KernelUnavailable(f"the kernel backend needs pyroute2 ({e})") from None
    return KernelHost(ipv6=False)


class KernelSession(BaseSession):
    """The cluster on the real kernel, in a sandbox that goes with :meth:`close`.

    The control plane's randomness is seeded as on the simulator, so sandbox
    IDs, pod UIDs, VTEP MACs and addresses come out the same.

    :raises KernelUnavailable: where the sandbox cannot be made.
    """

    backend = "kernel"

    def __init__(self, spec: ClusterSpec, seed: int):
        self.host = _kernel_host()
        try:
            self.cluster = make_cluster(self.host, spec, plugins="mixed", seed=seed)
        except BaseException:
            self.host.close()
            raise
        self.shells: KernelShells = KernelShells(self.host, self.cluster)
        self._start = time.monotonic()

    @property
    def now(self) -> float:
        return time.monotonic() - self._start

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def ping(self, pod: Pod, dst: str, *, count: int = 1, timeout: float = 1.0) -> PingResult:
        """The real ``ping -c COUNT -W TIMEOUT DST`` in the pod's namespace."""
        argv = [
            "ip",
            "netns",
            "exec",
            pod.netns,
            "ping",
            "-c",
            str(count),
            "-W",
            f"{timeout:g}",
            dst,
        ]
        r = self.host.sandbox.run(argv)
        text = r.stdout + r.stderr
        m = _SUMMARY.search(text)
        sent, got = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
        return PingResult(dst, transmitted=sent, received=got, lines=text.splitlines(),
                          exit_code=r.returncode)  # fmt: skip

    def traced_ping(self, pod: Pod, dst: str) -> tuple[PingResult, list[Trace]]:
        """The real ping under a packet capture in every namespace of the sandbox
        (:mod:`netsim.scenario.kernel_traces`)."""
        namespaces = [ns for ns in self.host.namespaces() if ns != INIT_NET]
        topo = Topology()
        for ns in namespaces:
            links = json.loads(self.shells.netns(ns, "ip -j -d link show").stdout or "[]")
            addrs = json.loads(self.shells.netns(ns, "ip -j addr show").stdout or "[]")
            local = {str(a["local"]) for r in addrs for a in r.get("addr_info", []) if "local" in a}
            topo.add(ns, links, local)
        self.host.capture_start(namespaces)
        try:
            res = self.ping(pod, dst)
        finally:
            frames = self.host.capture_stop()
        return res, traces_of(frames, topo)

    def close(self) -> None:
        self.host.close()
