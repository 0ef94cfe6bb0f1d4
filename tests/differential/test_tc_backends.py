"""The tc operations of the Host seam (QdiscAdd/QdiscDel/FilterAdd/FilterDel and
the qdisc/filter dumps) on both backends: the model and the real kernel, the
latter reached with the raw netlink requests vishvananda/netlink sends (what the
bandwidth plugin does), give the same outcomes, refusals and dumps."""

from __future__ import annotations

import pytest

from netsim.host.ops import (
    Dump,
    FilterAdd,
    FilterDel,
    LinkAdd,
    LinkDel,
    LinkSet,
    NetnsAdd,
    Op,
    QdiscAdd,
    QdiscDel,
)
from tests.differential.test_host_backends import compare

pytestmark = pytest.mark.kernel

TBF = {"rate": 125_000, "limit": 15_625, "buffer": 1_562_500}
REDIRECT = {"kind": "mirred", "eaction": "egress redirect", "dev": "bwp0"}
#: 80 Gbit/s: beyond 32 bits, so TCA_TBF_RATE64 carries it.
FAST = {"rate": 10**10 & 0xFFFFFFFF, "rate64": 10**10, "limit": 300_000, "buffer": 20_000}


def _base() -> list[Op]:
    return [
        NetnsAdd(name="n"),
        LinkAdd(netns="n", ifname="v0", kind="veth", data={"peer": "v1"}),
        LinkAdd(netns="n", ifname="bwp0", kind="ifb", mtu=1500, txqlen=0),
        *(LinkSet(netns="n", ifname=d, up=True) for d in ("v0", "v1", "bwp0")),
    ]


def test_the_bandwidth_plugins_requests_and_the_dumps() -> None:
    compare([
        *_base(),
        QdiscAdd(netns="n", dev="v0", kind="tbf", handle="1:", options=TBF),
        QdiscAdd(netns="n", dev="v0", kind="tbf", handle="1:", options=TBF),
        QdiscAdd(netns="n", dev="v0", kind="tbf", handle="2:", options=TBF),
        QdiscAdd(netns="n", dev="v0", kind="ingress", parent="ingress", handle="ffff:", options={}),
        QdiscAdd(netns="n", dev="v0", kind="ingress", parent="ingress", handle="ffff:", options={}),
        FilterAdd(netns="n", dev="v0", prio=1, classid="1:1",
                  actions=[{**REDIRECT, "control": "stolen"}, {**REDIRECT, "control": "pass"}]),
        FilterAdd(netns="n", dev="v0", prio=1, protocol="ip", actions=[REDIRECT]),
        FilterAdd(netns="n", dev="v1", prio=1, actions=[REDIRECT]),
        QdiscAdd(netns="n", dev="bwp0", kind="tbf", handle="1:",
                 options={"rate": 250_000, "limit": 31_250, "buffer": 1_562_500}),
        QdiscAdd(netns="n", dev="v1", kind="tbf", handle="3:", options=FAST),
        Dump(netns="n", what="qdisc"),
        Dump(netns="n", what="filter"),
        LinkDel(netns="n", ifname="bwp0"),
        Dump(netns="n", what="filter"),
    ])  # fmt: skip


def test_deletes_and_refusals() -> None:
    compare([
        *_base(),
        QdiscAdd(netns="n", dev="v0", kind="tbf", handle="1:", options=TBF),
        QdiscAdd(netns="n", dev="v0", kind="tbf", handle="1:", options=TBF, mode="replace"),
        QdiscAdd(netns="n", dev="v0", kind="tbf", handle="1:", options={**TBF, "limit": 1},
                 mode="change"),
        QdiscAdd(netns="n", dev="v0", kind="tbf", handle="1:", options={"rate": 0, "limit": 1,
                 "buffer": 10}, mode="change"),
        QdiscDel(netns="n", dev="v0", parent="ingress"),
        QdiscAdd(netns="n", dev="v0", kind="ingress", parent="ingress", handle="ffff:", options={}),
        FilterAdd(netns="n", dev="v0", parent="1:", prio=1, actions=[REDIRECT]),
        FilterAdd(netns="n", dev="v0", prio=5, actions=[REDIRECT]),
        FilterDel(netns="n", dev="v0", prio=4),
        FilterDel(netns="n", dev="v0", prio=5),
        FilterDel(netns="n", dev="v0"),
        QdiscDel(netns="n", dev="v0", parent="ingress"),
        QdiscDel(netns="n", dev="v0", parent="ingress"),
        QdiscDel(netns="n", dev="v0", parent="root", handle="7:"),
        QdiscDel(netns="n", dev="v0", parent="root", kind="tbf"),
        QdiscDel(netns="n", dev="v0", parent="root"),
        QdiscDel(netns="n", dev="bwp0", parent="root"),
        QdiscAdd(netns="n", dev="nope", kind="tbf", options=TBF),
        Dump(netns="n", what="qdisc"),
    ])  # fmt: skip
