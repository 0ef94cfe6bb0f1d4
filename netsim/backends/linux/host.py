"""The real kernel as a :class:`~netsim.host.Host`: operations applied with
pyroute2 inside a sandbox of its own (:class:`~netsim.backends.linux.sandbox.Sandbox`).

Refusals are :class:`~netsim.errors.KernelError` with the kernel's errno and
extack, or the line iproute2 prints where it finds the error itself, so they
compare with :class:`~netsim.backends.sim.host.SimHost`'s; dumps are what
``ip -j``/``bridge -j`` print.  Needs the ``netsim[kernel]`` extra (pyroute2).
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any, Final, final

from netsim.backends.linux.apply import KindUnavailable
from netsim.backends.linux.sandbox import RunResult, Sandbox
from netsim.errors import CommandFailed, KernelError
from netsim.host.ops import INIT_NET, Iptables, NetnsAdd, Op, Sleep, SysctlSet, to_dict
from netsim.host.protocol import OpResult

__all__ = ["CapturedFrame", "KernelHost", "KindUnavailable"]


@final
@dataclass(frozen=True, slots=True)
class CapturedFrame:
    """One frame a packet socket saw: where, which way (``pkttype``: 4 is
    ``PACKET_OUTGOING``, sent; the others arrived), when (the kernel's
    timestamp, ns since the epoch), and its bytes from the link-layer header."""

    netns: str
    ifname: str
    pkttype: int
    time_ns: int
    data: bytes

    @property
    def outgoing(self) -> bool:
        return self.pkttype == 4


@final
class KernelHost:
    """Applies :mod:`netsim.host.ops` to real namespaces inside one sandbox.

    Everything lives in the sandbox: ``init_net`` is its own network namespace,
    every other namespace a name under its ``/run/netns``.  :meth:`close` (or
    the end of this process) removes it all.  ``ipv6=False`` turns IPv6 off in
    every namespace as it is made (the model has no IPv6 yet, and a real
    kernel's link-local addresses, routes and multicast traffic would show).

    :raises ~netsim.backends.linux.sandbox.SandboxUnavailable: where the
        machine cannot make the sandbox (the message says what to enable).
    """

    #: What ``ipv6=False`` writes in each namespace as it is made.
    IPV6_OFF: Final = ("net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6")

    def __init__(self, *, ipv6: bool = True, timeout: float = 120):
        self.sandbox = Sandbox(timeout=timeout)
        self.ipv6 = ipv6
        if not ipv6:
            self._ipv6_off(INIT_NET)

    def apply(self, op: Op) -> OpResult:
        """Apply ``op`` in the sandbox; raise :class:`KernelError` if refused."""
        if isinstance(op, Sleep):
            time.sleep(op.seconds)
            return None
        if isinstance(op, Iptables):
            return self._iptables(op)
        answer = self.sandbox.request("apply", op=to_dict(op))
        error: dict[str, Any] | None = answer.get("error")
        if error is not None:
            if error.get("kind"):
                raise KindUnavailable(error["kind"])
            raise KernelError(error["errno"], error["extack"], message=error["message"])
        if isinstance(op, NetnsAdd) and not self.ipv6:
            self._ipv6_off(op.name)
        result: OpResult = answer.get("result")
        return result

    def _iptables(self, op: Iptables) -> str:
        """The real ``iptables`` (``ip6tables``) in the namespace."""
        argv = ("ip6tables" if op.ipv6 else "iptables", *op.args)
        prefix = [] if op.netns == INIT_NET else ["ip", "netns", "exec", op.netns]
        r = self.sandbox.run([*prefix, *argv])
        if r.returncode != 0:
            raise CommandFailed(argv, r.returncode, r.stderr)
        return r.stdout

    def _ipv6_off(self, netns: str) -> None:
        for key in self.IPV6_OFF:
            self.apply(SysctlSet(netns=netns, key=key, value="1"))

    def namespaces(self) -> list[str]:
        """``init_net`` (the sandbox's own), then those under its ``/run/netns``, by name."""
        r = self.sandbox.run(["ls", "-1", "/run/netns"])
        return [INIT_NET, *sorted(r.stdout.split())]

    def capture_start(self, namespaces: list[str]) -> None:
        """Capture every frame of every device in ``namespaces`` (``tcpdump -i
        any`` in each) until :meth:`capture_stop`."""
        self.sandbox.request("capture_start", namespaces=namespaces)

    def capture_stop(self) -> list[CapturedFrame]:
        """The frames captured since :meth:`capture_start`, by kernel timestamp."""
        frames = self.sandbox.request("capture_stop")["frames"]
        out = [CapturedFrame(ns, dev, kind, stamp, base64.b64decode(data))
               for ns, dev, kind, stamp, data in frames]  # fmt: skip
        out.sort(key=lambda f: f.time_ns)
        return out

    def script(self, text: str) -> RunResult:
        """Run ``text`` with bash in the sandbox, with the real ``ip``, ``bridge``, ``ping``."""
        return self.sandbox.script(text)

    def close(self) -> None:
        """End the sandbox: every namespace, device and process in it goes."""
        self.sandbox.close()

    def __enter__(self) -> KernelHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
