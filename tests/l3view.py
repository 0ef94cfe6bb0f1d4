"""What ``ip route|rule|addr`` would print for a simulated namespace, for tests that
compare against the transcripts; rendered by netsim's own iproute2 renderers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from netsim import KernelError, World
from netsim.backends.sim.dump_l3 import route_get_record, route_records, rule_records
from netsim.iproute import ip_route_get, ip_route_show, ip_rule_show


def routes(w: World, table: str = "all", netns: str = "a") -> list[str]:
    """``ip -n NETNS route show table all`` lines (trailing blanks dropped), or only those
    of one table ("main", "local", "100"), each as ``table all`` prints it."""
    recs = [
        r for r in route_records(w.netns(netns), "all") if table in ("all", r.get("table", "main"))
    ]
    return [line.rstrip() for line in ip_route_show(recs).splitlines()]


def get(w: World, dst: str, netns: str = "a", **kwargs: Any) -> str:
    """The first line of ``ip route get DST ...``, without ``uid 0``."""
    text = ip_route_get([route_get_record(w.route_get(dst, netns=netns, **kwargs))])
    return text.splitlines()[0].replace(" uid 0", "").rstrip()


def rules(w: World, netns: str = "a") -> list[str]:
    """``ip -n NETNS rule show`` lines (a blank instead of the tab after the priority)."""
    return [line.replace("\t", " ").rstrip() for line in ip_rule_show(
        rule_records(w.netns(netns))).splitlines()]  # fmt: skip


def error(fn: Callable[..., object], *args: Any, **kwargs: Any) -> str:
    """What ``ip`` prints when the kernel refuses the request."""
    with pytest.raises(KernelError) as exc:
        fn(*args, **kwargs)
    return exc.value.message


def get_errno(w: World, dst: str, netns: str = "a", **kwargs: Any) -> int:
    """The errno of a refused ``ip route get``."""
    with pytest.raises(KernelError) as exc:
        w.route_get(dst, netns=netns, **kwargs)
    return exc.value.errno
