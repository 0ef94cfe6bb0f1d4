"""``plugins/meta/bandwidth/ifb_creator.go`` of containernetworking/plugins v1.1.1:
the ifb, the ingress qdisc with its u32 + mirred filter, and the token bucket
(``CreateIfb``, ``TeardownIfb``, ``CreateIngressQdisc``, ``CreateEgressQdisc``,
``createTBF``), and the bucket arithmetic (``buffer``, ``limit``,
``latencyInUsec``) in Go's float64/uint32 conversions, with vishvananda/netlink's
``TickInUsec`` for ``/proc/net/psched`` (15.625 ticks per microsecond)."""

from __future__ import annotations

import math
from typing import Any, Final

from netsim.cni.driver import PluginGen
from netsim.cni.errors import CniError
from netsim.cni.plugins.main.common import del_link_by_name_addr, errstr, link_by_name
from netsim.errors import KernelError
from netsim.host.ops import FilterAdd, LinkAdd, LinkSet, QdiscAdd

__all__ = ["LATENCY_MS", "buffer", "create_egress_qdisc", "create_ifb", "create_ingress_qdisc",
           "latency_usec", "limit", "tbf_options", "teardown_ifb"]  # fmt: skip

LATENCY_MS: Final = 25
TIME_UNITS_PER_SEC: Final = 1_000_000
TICK_IN_USEC: Final = 1000 / 64
_U32: Final = 0xFFFFFFFF


def _u32(x: float) -> int:
    """Go's ``uint32(float64)`` on amd64 (via int64, then truncated; NaN/Inf: 0)."""
    if math.isnan(x) or math.isinf(x) or abs(x) >= 2**63:
        return 0
    return int(x) & _U32


def _div(a: float, b: float) -> float:
    if b == 0:
        return float("inf") if a > 0 else float("nan") if a == 0 else float("-inf")
    return a / b


def buffer(rate: int, burst: int) -> int:
    """``buffer``: ``time2Tick(uint32(burst * 1e6 / rate))``."""
    return _u32(_u32(_div(burst * float(TIME_UNITS_PER_SEC), float(rate))) * TICK_IN_USEC)


def latency_usec(ms: float) -> float:
    """``latencyInUsec``."""
    return float(TIME_UNITS_PER_SEC) * (ms / 1000.0)


def limit(rate: int, latency: float, burst: int) -> int:
    """``limit``: ``uint32(rate * latency / 1e6) + burst`` (uint32 arithmetic)."""
    return (_u32(rate * latency / TIME_UNITS_PER_SEC) + burst) & _U32


def tbf_options(rate_bits: int, burst_bits: int) -> dict[str, Any]:
    """What ``createTBF`` puts in the ``netlink.Tbf``: rate and burst in bytes,
    the buffer in ticks, the limit; ``TCA_TBF_RATE64`` beyond 32 bits."""
    rate, burst = rate_bits // 8, (burst_bits // 8) & _U32
    lim = limit(rate, latency_usec(LATENCY_MS), burst)
    opts: dict[str, Any] = {"rate": rate & _U32, "limit": lim, "buffer": buffer(rate, burst)}
    if rate >= 1 << 32:
        opts["rate64"] = rate
    return opts


def create_tbf(netns: str, rate_bits: int, burst_bits: int, dev: str) -> PluginGen[None]:
    """``createTBF``: ``tbf`` as root qdisc ``1:`` of ``dev``."""
    if rate_bits <= 0:
        raise CniError(f"invalid rate: {rate_bits}")
    if burst_bits <= 0:
        raise CniError(f"invalid burst: {burst_bits}")
    try:
        yield QdiscAdd(netns=netns, dev=dev, kind="tbf", parent="root", handle="1:",
                       options=tbf_options(rate_bits, burst_bits))  # fmt: skip
    except KernelError as e:
        raise CniError(f"create qdisc: {errstr(e)}") from None


def create_ingress_qdisc(netns: str, rate_bits: int, burst_bits: int, host: str) -> PluginGen[None]:  # fmt: skip  # noqa: E501
    """``CreateIngressQdisc``: the bucket on the host veth's root (traffic to the container)."""
    if (yield from link_by_name(netns, host)) is None:
        raise CniError("get host device: Link not found")
    yield from create_tbf(netns, rate_bits, burst_bits, host)


def create_ifb(netns: str, name: str, mtu: int) -> PluginGen[None]:
    """``CreateIfb``: ``netlink.Ifb{Name, Flags: up, MTU}`` (TxQLen 0 is sent too)."""
    try:
        yield LinkAdd(netns=netns, ifname=name, kind="ifb", mtu=mtu, txqlen=0)
        yield LinkSet(netns=netns, ifname=name, up=True)
    except KernelError as e:
        raise CniError(f"adding link: {errstr(e)}") from None


def create_egress_qdisc(netns: str, rate_bits: int, burst_bits: int, host: str,
                        ifb: str) -> PluginGen[None]:  # fmt: skip
    """``CreateEgressQdisc``: ``ingress`` on the host veth, a u32 match-all filter
    (pref 1, protocol all, flowid 1:1) whose mirred actions redirect to the ifb
    (netlink's ``RedirIndex`` adds one before the listed one: two actions), and
    the bucket on the ifb (traffic from the container)."""
    if (yield from link_by_name(netns, ifb)) is None:
        raise CniError("get ifb device: Link not found")
    if (yield from link_by_name(netns, host)) is None:
        raise CniError("get host device: Link not found")
    try:
        yield QdiscAdd(netns=netns, dev=host, kind="ingress", parent="ingress", handle="ffff:",
                       options={})  # fmt: skip
    except KernelError as e:
        raise CniError(f"create ingress qdisc: {errstr(e)}") from None
    redirect = {"kind": "mirred", "eaction": "egress redirect", "dev": ifb}
    try:
        yield FilterAdd(netns=netns, dev=host, parent="ffff:", kind="u32", protocol="all",
                        prio=1, classid="1:1",
                        actions=[{**redirect, "control": "stolen"}, {**redirect, "control": "pass"}])  # fmt: skip  # noqa: E501
    except KernelError as e:
        raise CniError(f"add filter: {errstr(e)}") from None
    try:
        yield from create_tbf(netns, rate_bits, burst_bits, ifb)
    except CniError as e:
        raise CniError(f"create ifb qdisc: {e.msg}") from None


def teardown_ifb(netns: str, name: str) -> PluginGen[None]:
    """``TeardownIfb``: the ifb goes (absent is fine)."""
    yield from del_link_by_name_addr(netns, name)
