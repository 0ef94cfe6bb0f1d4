"""Dumps and tools run by the agent: iproute2's JSON is the contract.

A :class:`~netsim.host.ops.Dump` runs the real ``ip -j``/``bridge -j`` in the
namespace (``ip -n NAME``) and returns what it prints, parsed; namespaces and
sysctls go through ``ip netns`` and ``sysctl``, whose failures become
:class:`~netsim.errors.KernelError` with the line the tool printed.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
from typing import Any, Final

from netsim.errors import KernelError
from netsim.host.ops import INIT_NET, ConntrackDelete

__all__ = ["DUMP_ARGV", "conntrack_delete", "dump", "errno_of", "link_get", "route_get", "run_tool"]

#: :attr:`Dump.what <netsim.host.ops.Dump.what>` -> the command that lists it.
DUMP_ARGV: Final = {
    "link": ("ip", "-j", "-d", "link", "show"),
    "addr": ("ip", "-j", "addr", "show"),
    "route": ("ip", "-j", "route", "show", "table", "all"),
    "rule": ("ip", "-j", "rule", "show"),
    "neigh": ("ip", "-j", "neigh", "show"),
    "fdb": ("bridge", "-j", "fdb", "show"),
    "brlink": ("bridge", "-j", "link", "show"),
    "qdisc": ("tc", "-j", "-s", "-d", "-r", "qdisc", "show"),
}

_STRERROR: Final = {os.strerror(code): code for code in sorted(errno.errorcode, reverse=True)}


def errno_of(line: str) -> int:
    """The errno whose ``strerror()`` ends ``line`` (``EINVAL`` when none does)."""
    for text, code in _STRERROR.items():
        if line.endswith(text):
            return code
    return errno.EINVAL


def run_tool(argv: list[str], *, netns: str = INIT_NET, timeout: float = 60) -> str:
    """Run one tool (in ``netns``, by ``ip netns exec``); its stdout, or
    :class:`KernelError` carrying the first line it printed on stderr."""
    if netns != INIT_NET:
        argv = ["ip", "netns", "exec", netns, *argv]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL, check=False)  # fmt: skip
    if r.returncode != 0:
        line = (r.stderr.strip().splitlines() or [f"{argv[0]} exited {r.returncode}"])[0]
        raise KernelError(errno_of(line), message=line)
    return r.stdout


def dump(what: str, netns: str, dev: str | None = None) -> list[dict[str, Any]]:
    """The records ``DUMP_ARGV[what]`` prints in ``netns`` (an ``addr`` dump of
    ``dev DEV`` only; none when there is no such device); for ``filter``, those
    of ``tc -j filter show dev DEV parent ffff:`` for each device with an
    ingress qdisc, each led by ``"dev": DEV``."""
    if what == "filter":
        out: list[dict[str, Any]] = []
        for q in dump("qdisc", netns):
            if q.get("kind") == "ingress":
                argv = ["tc", "-j", "filter", "show", "dev", str(q["dev"]), "parent", "ffff:"]
                if netns != INIT_NET:
                    argv[1:1] = ["-n", netns]
                text = run_tool(argv).strip()
                out += [{"dev": q["dev"], **r} for r in (json.loads(text) if text else [])]
        return out
    argv = list(DUMP_ARGV[what])
    if netns != INIT_NET:
        argv[1:1] = ["-n", netns]
    if dev is not None:
        argv += ["dev", dev]
    try:
        text = run_tool(argv).strip()
    except KernelError as e:
        if dev is not None and e.message == f'Device "{dev}" does not exist.':
            return []
        raise
    records: list[dict[str, Any]] = json.loads(text) if text else []
    return records


def link_get(netns: str, ifname: str) -> list[dict[str, Any]]:
    """``ip -j -d link show dev IFNAME``: iproute2 asks for the one device
    (``RTM_GETLINK``, which syncs its link-watch event), not a dump."""
    argv = ["ip", "-j", "-d", "link", "show", "dev", ifname]
    if netns != INIT_NET:
        argv[1:1] = ["-n", netns]
    records: list[dict[str, Any]] = json.loads(run_tool(argv))
    return records


def route_get(dst: str, netns: str) -> list[dict[str, Any]]:
    """What ``ip -j route get DST`` prints in ``netns``."""
    argv = ["ip", "-j", "route", "get", dst]
    if netns != INIT_NET:
        argv[1:1] = ["-n", netns]
    records: list[dict[str, Any]] = json.loads(run_tool(argv))
    return records


def conntrack_delete(op: ConntrackDelete) -> int:
    """netlink's ``ConntrackDeleteFilter``: dump the family's conntrack table (pyroute2's
    ``Conntrack``, opened in the namespace) and delete each entry whose original
    tuple matches."""
    import socket

    from pyroute2 import Conntrack

    family = socket.AF_INET6 if op.ipv6 else socket.AF_INET
    where = {} if op.netns == INIT_NET else {"netns": op.netns}
    ct = Conntrack(nfgen_family=family, **where)
    try:
        gone = 0
        for entry in list(ct.dump_entries()):
            t = entry.tuple_orig
            if t.proto != op.proto or (op.dst is not None and t.daddr != op.dst):
                continue
            if op.dport is not None and (t.dport or 0) != op.dport:
                continue
            ct.entry("del", tuple_orig=t)
            gone += 1
        return gone
    finally:
        ct.close()
