"""tc dumps of the model in the shapes the kernel backend reads from the real
``tc``: ``tc -j -s -d -r qdisc show`` records, and per device with an ingress
qdisc ``tc -j filter show dev DEV parent ffff:`` records led by ``"dev"``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from netsim.iproute.render_tc import TcFlags, filters_show, qdiscs_show
from netsim.kernel.sched import api

if TYPE_CHECKING:
    from netsim.kernel.netns import Netns

__all__ = ["QDISC_FLAGS", "tc_records"]

#: What the qdisc dump shows: statistics, details and raw values (``-s -d -r``).
QDISC_FLAGS: Final = TcFlags(stats=True, details=True, raw=True, json=True)


def _names(ns: Netns) -> Any:
    def name(ifindex: int) -> str:
        dev = ns.links.get(ifindex)
        return "*" if ifindex == 0 else dev.ifname if dev is not None else f"if{ifindex}"

    return name


def tc_records(ns: Netns, what: str) -> list[dict[str, Any]]:
    """``qdisc`` or ``filter`` records of ``ns``."""
    names = _names(ns)
    if what == "qdisc":
        records: list[dict[str, Any]] = json.loads(qdiscs_show(api.qdisc_dump(ns), QDISC_FLAGS, names))  # fmt: skip  # noqa: E501
        return records
    out: list[dict[str, Any]] = []
    for dev in ns:
        if dev.ingress_q is None:
            continue
        text = filters_show(api.filter_dump(dev, parent=0xFFFF0000), TcFlags(json=True), names,
                            parent=0xFFFF0000)  # fmt: skip
        out += [{"dev": dev.ifname, **r} for r in json.loads(text)]
    return out
