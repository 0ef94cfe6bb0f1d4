"""``netsim show``: a node's or pod's tables, as iproute2 and iptables print
them, through netsim sh in its namespace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from netsim.scenario.check import pod_key
from netsim.scenario.session import BaseSession
from netsim.shell.runtime import ShellResult

__all__ = ["SHOW_COMMANDS", "show"]

#: What is shown, in this order.
SHOW_COMMANDS: Final = (
    "ip link show",
    "ip addr show",
    "ip route show",
    "ip neigh show",
    "bridge fdb show",
    "iptables -t nat -S",
)


def show(session: BaseSession, *, node: str | None = None, pod: str | None = None) -> str:
    """Every table of node ``node`` or pod ``pod`` (NAME or NAMESPACE/NAME)."""
    run: Callable[[str], ShellResult]
    if node is not None:
        head = f"== node {node} ({session.cluster.node(node).ip})"
        run = lambda cmd: session.shells.node(node, cmd)  # noqa: E731
    else:
        assert pod is not None
        namespace, name = pod_key(pod).split("/", 1)
        p = session.cluster.pod(name, namespace=namespace)
        head = f"== pod {p.namespace}/{p.name} ({p.ip}, on {p.node}, netns {p.netns})"
        run = lambda cmd: session.shells.pod(name, cmd, namespace=namespace)  # noqa: E731
    parts = [head + "\n"]
    for cmd in SHOW_COMMANDS:
        res = run(cmd)
        parts.append(f"$ {cmd}\n{res.stdout}{res.stderr}")
    return "".join(parts)
