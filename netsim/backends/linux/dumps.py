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
from netsim.host.ops import INIT_NET

__all__ = ["DUMP_ARGV", "dump", "errno_of", "run_tool"]

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


def dump(what: str, netns: str) -> list[dict[str, Any]]:
    """The records ``DUMP_ARGV[what]`` prints in ``netns``; for ``filter``, those
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
    text = run_tool(argv).strip()
    records: list[dict[str, Any]] = json.loads(text) if text else []
    return records
