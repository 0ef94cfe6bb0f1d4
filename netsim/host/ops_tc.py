"""Traffic-control Host operations: ``RTM_NEWQDISC``/``RTM_DELQDISC`` and
``RTM_NEWTFILTER``/``RTM_DELTFILTER`` (re-exported by :mod:`netsim.host.ops`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from netsim.host.base import INIT_NET

__all__ = ["QDISC_MODES", "FilterAdd", "FilterDel", "QdiscAdd", "QdiscDel"]

#: :class:`QdiscAdd`/:class:`FilterAdd` modes -> the request's ``NLM_F_*`` flags.
QDISC_MODES: Final = {"add": 0x600, "replace": 0x500, "change": 0}


@dataclass(frozen=True, slots=True, kw_only=True)
class QdiscAdd:
    """``RTM_NEWQDISC`` (``tc qdisc add|replace|change dev DEV root|ingress [handle
    H] KIND``) as a netlink library sends it: ``parent`` ``root``, ``ingress``
    or ``X:Y``; ``handle`` ``X:`` (None: the kernel picks); ``options`` the
    kind's raw ``TCA_OPTIONS`` (``tbf``: ``tc_tbf_qopt``'s ``rate`` in bytes/s,
    ``buffer`` in ticks, ``limit`` in bytes, optional ``mtu``, ``peakrate``,
    ``linklayer``, ``mpu``, ``overhead``, ``rate64``, ``burst``, ``pburst``;
    ``ingress``: ``{}``, an empty attribute; None: no attribute at all);
    ``mode`` ``add`` (``NLM_F_CREATE|NLM_F_EXCL``), ``replace`` or ``change``."""

    netns: str = INIT_NET
    dev: str
    kind: str
    parent: str = "root"
    handle: str | None = None
    options: dict[str, Any] | None = None
    mode: str = "add"


@dataclass(frozen=True, slots=True, kw_only=True)
class QdiscDel:
    """``RTM_DELQDISC`` (``tc qdisc del dev DEV root|ingress [handle H] [KIND]``)."""

    netns: str = INIT_NET
    dev: str
    parent: str = "root"
    handle: str | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FilterAdd:
    """``RTM_NEWTFILTER`` of a u32 filter (``tc filter add dev DEV parent P
    protocol PROTO prio N u32 match u32 VAL MASK at OFF flowid C action ...``):
    ``keys`` as ``{"val", "mask", "off"}`` (one match-all key by default),
    ``actions`` in order, each ``{"kind": "mirred", "eaction": "egress
    redirect"|"egress mirror", "dev": TARGET, "control": "stolen"|"pass"|...}``;
    ``prio`` 0 lets the kernel choose; ``mode`` as for :class:`QdiscAdd`."""

    netns: str = INIT_NET
    dev: str
    parent: str = "ffff:"
    kind: str = "u32"
    protocol: str = "all"
    prio: int = 0
    classid: str | None = None
    keys: list[dict[str, int]] = field(default_factory=lambda: [{"val": 0, "mask": 0, "off": 0}])
    actions: list[dict[str, Any]] = field(default_factory=list)
    mode: str = "add"


@dataclass(frozen=True, slots=True, kw_only=True)
class FilterDel:
    """``RTM_DELTFILTER`` (``tc filter del dev DEV parent P [prio N [protocol P]]``):
    without ``prio`` every filter under ``parent`` goes."""

    netns: str = INIT_NET
    dev: str
    parent: str = "ffff:"
    prio: int = 0
    protocol: str | None = None
    kind: str | None = None
