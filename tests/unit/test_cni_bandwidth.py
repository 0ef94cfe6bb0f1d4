"""The bandwidth plugin (netsim.cni.plugins.meta.bandwidth) chained after ptp on
SimHost (cni.md §3 bandwidth, T5, T6): the tbf numbers, the op sequence, the
ifb, CHECK, DEL, the errors and the Go panic."""

from __future__ import annotations

from typing import Any

import pytest

from netsim.cni.errors import CniError, GoPanic
from netsim.cni.plugins.main import ptp
from netsim.cni.plugins.meta import bandwidth
from netsim.cni.plugins.meta.bandwidth_tc import tbf_options
from netsim.host.ops import FilterAdd, LinkAdd, LinkSet, QdiscAdd
from tests.unit.test_cni_tuning import rig

IPAM = {"type": "host-local", "subnet": "10.52.0.0/24", "dataDir": "/run/ipam"}
PTP = {"cniVersion": "1.0.0", "name": "bwnet", "type": "ptp", "ipam": IPAM}
LIMITS = {"ingressRate": 1_000_000, "ingressBurst": 100_000, "egressRate": 2_000_000,
          "egressBurst": 200_000}  # fmt: skip


def bconf(prev: Any, **extra: Any) -> dict[str, Any]:
    return {"cniVersion": "1.0.0", "name": "bwnet", "type": "bandwidth", "prevResult": prev,
            **extra}  # fmt: skip


def test_the_bucket_numbers_of_cni_md_t5() -> None:
    assert tbf_options(1_000_000, 100_000) == {"rate": 125_000, "limit": 15_625, "buffer": 1_562_500}  # fmt: skip  # noqa: E501
    assert tbf_options(2_000_000, 200_000) == {"rate": 250_000, "limit": 31_250, "buffer": 1_562_500}  # fmt: skip  # noqa: E501
    big = tbf_options(80_000_000_000, 8_000_000)
    assert big["rate64"] == 10_000_000_000 and big["rate"] == 10_000_000_000 & 0xFFFFFFFF


def test_ifb_name_is_bwp_and_the_hash_of_cni_md_t5() -> None:
    assert bandwidth.ifb_name("chainnet", "c1") == "bwpe26e96f88412"


def test_add_sequence_result_and_state() -> None:
    w, host, _mem, drive = rig()
    prev = drive(ptp.cmd_add, PTP)
    veth = prev["interfaces"][0]["name"]
    ifb = bandwidth.ifb_name("bwnet", "c1")
    n = len(host.ops)
    out = drive(bandwidth.cmd_add, bconf(prev, **LIMITS))
    assert out["interfaces"][:2] == prev["interfaces"]
    assert out["interfaces"][2] == {"name": ifb, "mac": str(w.dev(ifb, netns="node").address)}
    tc = [op for op in host.ops[n:] if isinstance(op, QdiscAdd | LinkAdd | LinkSet | FilterAdd)]
    redirect = {"kind": "mirred", "eaction": "egress redirect", "dev": ifb}
    assert tc == [
        QdiscAdd(netns="node", dev=veth, kind="tbf", parent="root", handle="1:",
                 options={"rate": 125_000, "limit": 15_625, "buffer": 1_562_500}),
        LinkAdd(netns="node", ifname=ifb, kind="ifb", mtu=1500, txqlen=0),
        LinkSet(netns="node", ifname=ifb, up=True),
        QdiscAdd(netns="node", dev=veth, kind="ingress", parent="ingress", handle="ffff:",
                 options={}),
        FilterAdd(netns="node", dev=veth, parent="ffff:", kind="u32", protocol="all", prio=1,
                  classid="1:1", actions=[{**redirect, "control": "stolen"},
                                          {**redirect, "control": "pass"}]),
        QdiscAdd(netns="node", dev=ifb, kind="tbf", parent="root", handle="1:",
                 options={"rate": 250_000, "limit": 31_250, "buffer": 1_562_500}),
    ]  # fmt: skip
    dev = w.dev(veth, netns="node")
    assert (dev.qdisc, dev.sched.limit, dev.ingress_q.filters[0].prio) == ("tbf", 15_625, 1)
    drive(bandwidth.cmd_check, bconf(out, **LIMITS))


def test_runtime_config_is_used_only_without_top_level_limits() -> None:
    w, _host, _mem, drive = rig()
    prev = drive(ptp.cmd_add, PTP)
    rc = {"runtimeConfig": {"bandwidth": {"egressRate": 1_000_000, "egressBurst": 100_000}}}
    out = drive(bandwidth.cmd_add, bconf(prev, **rc))
    assert len(out["interfaces"]) == 3
    veth = prev["interfaces"][0]["name"]
    assert w.dev(veth, netns="node").sched is None  # no ingress limit asked for
    top = bconf(prev, ingressRate=0, **rc)  # a top-level key, all zero: passthrough
    assert drive(bandwidth.cmd_add, top) == prev


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"ingressRate": 1000}, "if rate is set, burst must also be set"),
        ({"egressBurst": 1000}, "if burst is set, rate must also be set"),
        ({"ingressRate": 1, "ingressBurst": 40_000_000_000}, "burst cannot be more than 4GB"),
        ({"ingressRate": -1}, "failed to parse network configuration: json: cannot unmarshal number -1 into Go struct field PluginConf.ingressRate of type uint64"),  # noqa: E501
    ],
)  # fmt: skip
def test_validation(extra: dict[str, Any], message: str) -> None:
    drive = rig()[3]
    with pytest.raises(CniError) as e:
        drive(bandwidth.cmd_add, bconf(None, **extra))
    assert e.value.msg == message


def test_chaining_errors_and_the_panics() -> None:
    _w, _host, _mem, drive = rig()
    prev = drive(ptp.cmd_add, PTP)
    with pytest.raises(CniError, match=r"^must be called as chained plugin$"):
        drive(bandwidth.cmd_add, bconf(None, **LIMITS))
    with pytest.raises(GoPanic, match="nil pointer dereference"):
        drive(bandwidth.cmd_add, bconf(None))
    assert drive(bandwidth.cmd_add, bconf(prev)) == prev  # no limits: passthrough
    with pytest.raises(GoPanic) as e:
        drive(bandwidth.cmd_check, bconf(prev))
    assert "main.cmdCheck" in e.value.stderr
    with pytest.raises(CniError) as ce:
        drive(bandwidth.cmd_add, bconf(prev, **LIMITS), netns="/var/run/netns/nope")
    assert ce.value.msg.startswith("failed to open netns %!q(<nil>): failed to Statfs ")


def test_check_compares_rate_limit_buffer_and_del_takes_the_ifb_only() -> None:
    w, _host, _mem, drive = rig()
    prev = drive(ptp.cmd_add, PTP)
    out = drive(bandwidth.cmd_add, bconf(prev, **LIMITS))
    with pytest.raises(CniError, match=r"^Rate doesn't match$"):
        drive(bandwidth.cmd_check, bconf(out, **{**LIMITS, "ingressRate": 2_000_000}))
    with pytest.raises(CniError, match=r"^Limit doesn't match$"):
        drive(bandwidth.cmd_check, bconf(out, **{**LIMITS, "ingressBurst": 200_000}))
    drive(bandwidth.cmd_del, bconf(out, **LIMITS))
    drive(bandwidth.cmd_del, bconf(out, **LIMITS))
    names = {d.ifname for d in w.netns("node")}
    assert bandwidth.ifb_name("bwnet", "c1") not in names
    veth = w.dev(prev["interfaces"][0]["name"], netns="node")
    assert veth.qdisc == "tbf" and veth.ingress_q is not None  # left for ptp's DEL
    with pytest.raises(CniError, match="get ifb device: Link not found"):
        drive(bandwidth.cmd_check, bconf(out, **LIMITS))
