"""The token bucket (``sch_tbf``) on the model's data path, against the tbf
arithmetic: what passes at once, when each held packet leaves, what is dropped
and how the kernel counts it; the ifb redirect path; and the invariant that no
send pattern gets more than ``burst + rate * t`` bytes through by time ``t``."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netsim import World
from netsim.addr import MacAddr
from netsim.errors import KernelError
from netsim.kernel.sched import api
from netsim.kernel.sched.psched import RateCfg, ticks2ns, time2tick
from netsim.kernel.sched.qdisc import TC_H_ROOT
from netsim.kernel.sched.tbf import Tbf
from netsim.packet import Ethernet

RATE = 125_000  # bytes/s: 1 Mbit
BURST = 12_500  # bytes: 100 ms of the rate
LIMIT = 15_625  # bytes: 25 ms of latency + the burst (the bandwidth plugin's)
FRAME = 1250  # 10 ms at the rate
ETH_P_EX = 0x88B5  # IEEE local experimental ethertype: no protocol handler takes it


def tbf_opts(rate: int = RATE, burst: int = BURST, limit: int = LIMIT) -> dict[str, Any]:
    return {"rate": rate, "buffer": time2tick(burst * 1_000_000 // rate), "limit": limit}


def pair(world: World, *, qdisc: dict[str, Any] | None = None) -> tuple[Any, list[float]]:
    """ns a (v0) -> ns b (v1), a tbf on v0; the arrival times seen in b."""
    world.netns_add("a")
    world.netns_add("b")
    world.add_veth("v0", "v1", netns="a", peer_netns="b")
    world.link_set("v0", netns="a", up=True)
    world.link_set("v1", netns="b", up=True)
    v0 = world.dev("v0", netns="a")
    create = api.NLM_F_CREATE | api.NLM_F_EXCL
    api.qdisc_modify(v0, parent=TC_H_ROOT, handle=0x10000, kind="tbf",
                     options=qdisc or tbf_opts(), flags=create)  # fmt: skip
    arrivals: list[float] = []
    world.netns("b").taps.append(lambda skb, dev, out: out or arrivals.append(world.now))
    return v0, arrivals


def frame(world: World, size: int) -> Ethernet:
    src = world.dev("v0", netns="a").address
    dst = world.dev("v1", netns="b").address
    return Ethernet(MacAddr(dst), MacAddr(src), ETH_P_EX, bytes(size - 14))


def burst(world: World, n: int, size: int = FRAME) -> None:
    for _ in range(n):
        world.send(frame(world, size), dev="v0", netns="a")


def test_rate_precompute_turns_bytes_into_exact_nanoseconds() -> None:
    r = RateCfg.precompute(RATE)
    assert r.l2t_ns(FRAME) == 10_000_000
    assert r.ns_t2l(100_000_000) == BURST
    assert ticks2ns(time2tick(100_000)) == 100_000_000


def test_the_burst_passes_the_limit_queues_and_the_rest_is_dropped() -> None:
    world = World(seed=1)
    v0, arrivals = pair(world)
    burst(world, 30)
    world.run(until=1.0)
    q: Tbf = v0.sched
    assert len(arrivals) == 22
    start = arrivals[0]
    assert all(t == pytest.approx(start) for t in arrivals[:10])  # 10 x 1250 = the bucket
    for i, t in enumerate(arrivals[10:], start=1):  # then one per 10 ms of the rate
        assert t - start == pytest.approx(i * 0.010, abs=1e-9)
    assert (q.packets, q.bytes, q.drops) == (22, 22 * FRAME, 8)
    # 20 enqueues found it throttled, 11 watchdog runs ended throttled, twice each on a veth
    assert q.overlimits == 20 + 2 * 11
    assert (q.backlog, q.qlen) == (0, 0)


def test_tokens_refill_with_time_up_to_the_bucket() -> None:
    world = World(seed=1)
    _v0, arrivals = pair(world)
    burst(world, 10)  # empties the bucket
    world.run(until=world.now + 0.035)  # 35 ms: tokens for 3.5 frames
    burst(world, 5)
    world.run(until=world.now + 1.0)
    t0 = arrivals[0]
    later = [round((t - t0) * 1000, 3) for t in arrivals[10:]]
    assert later == [35.0, 35.0, 35.0, 40.0, 50.0]


def test_a_packet_bigger_than_the_bucket_is_dropped() -> None:
    world = World(seed=1)
    v0, arrivals = pair(world, qdisc=tbf_opts(burst=1000, limit=5000))
    burst(world, 1, size=1250)
    world.run(until=1.0)
    assert arrivals == []
    assert v0.sched.drops == 1


def test_the_traces_show_the_wait() -> None:
    world = World(seed=1)
    pair(world)
    burst(world, 11)
    world.run(until=1.0)
    last = world.traces()[-1]
    queued = [s for s in last.steps if s.action == "QUEUED"]
    assert queued and "tbf 1: 10.000 ms" in str(queued[0])


def test_down_resets_the_queue() -> None:
    world = World(seed=1)
    v0, arrivals = pair(world)
    burst(world, 15)
    world.link_set("v0", netns="a", up=False)
    world.link_set("v0", netns="a", up=True)
    world.run(until=1.0)
    assert len(arrivals) == 10
    assert (v0.sched.qlen, v0.sched.backlog) == (0, 0)


def test_ifb_shapes_what_the_ingress_filter_redirects() -> None:
    world = World(seed=1)
    world.netns_add("a")
    world.netns_add("b")
    world.add_veth("v1", "v0", netns="b", peer_netns="a")  # b sends into a's v0
    world.add_ifb("ifb0", netns="a", txqlen=0)
    for dev, ns in (("v0", "a"), ("v1", "b"), ("ifb0", "a")):
        world.link_set(dev, netns=ns, up=True)
    v0, ifb = world.dev("v0", netns="a"), world.dev("ifb0", netns="a")
    create = api.NLM_F_CREATE | api.NLM_F_EXCL
    api.qdisc_modify(v0, parent=0xFFFFFFF1, handle=0xFFFF0000, kind="ingress", options={},
                     flags=create)  # fmt: skip
    mirred = {"kind": "mirred", "eaction": 1, "ifindex": ifb.ifindex, "action": 4}
    api.filter_new(v0, parent=0xFFFF0000, prio=1, protocol=3, kind="u32", handle=0,
                   options={"keys": [{}], "classid": 0x10001, "actions": [mirred]}, flags=create)  # fmt: skip  # noqa: E501
    api.qdisc_modify(ifb, parent=0xFFFFFFFF, handle=0x10000, kind="tbf", options=tbf_opts(),
                     flags=create)  # fmt: skip
    seen: list[tuple[float, str]] = []
    world.netns("a").taps.append(lambda skb, dev, out: out or seen.append((world.now, dev.ifname)))
    src, dst = world.dev("v1", netns="b").address, v0.address
    for _ in range(30):
        world.send(Ethernet(MacAddr(dst), MacAddr(src), ETH_P_EX, bytes(FRAME - 14)), dev="v1",
                   netns="b")  # fmt: skip
    world.run(until=1.0)
    assert len(seen) == 22 and {d for _, d in seen} == {"v0"}  # received again on v0
    assert seen[10][0] - seen[0][0] == pytest.approx(0.010, abs=1e-9)
    q = ifb.sched
    # an ifb dequeues one packet per qdisc_restart: one overlimit per throttled run
    assert (q.packets, q.drops, q.overlimits) == (22, 8, 20 + 11)
    assert (v0.ingress_q.packets, v0.ingress_q.bytes) == (30, 30 * (FRAME - 14))
    assert (ifb.rx_packets, ifb.tx_packets) == (22, 22)


def test_mirred_to_a_device_that_is_gone_drops() -> None:
    world = World(seed=1)
    world.netns_add("a")
    world.add_veth("v0", "v1", netns="a")
    world.add_ifb("ifb0", netns="a")
    for dev in ("v0", "v1", "ifb0"):
        world.link_set(dev, netns="a", up=True)
    v1, ifb = world.dev("v1", netns="a"), world.dev("ifb0", netns="a")
    create = api.NLM_F_CREATE | api.NLM_F_EXCL
    api.qdisc_modify(v1, parent=0xFFFFFFF1, handle=0xFFFF0000, kind="ingress", options={},
                     flags=create)  # fmt: skip
    mirred = {"kind": "mirred", "eaction": 1, "ifindex": ifb.ifindex, "action": 4}
    api.filter_new(v1, parent=0xFFFF0000, prio=1, protocol=3, kind="u32", handle=0,
                   options={"actions": [mirred]}, flags=create)  # fmt: skip
    world.link_del("ifb0", netns="a")
    msgs = api.filter_dump(v1, parent=0xFFFF0000)
    assert msgs[-1]["options"]["actions"][0]["ifindex"] == 0  # "to device *"
    src, dst = world.dev("v0", netns="a").address, v1.address
    world.send(Ethernet(MacAddr(dst), MacAddr(src), ETH_P_EX, bytes(100)), dev="v0", netns="a")
    world.run(until=0.1)
    assert v1.ingress_q.drops == 1


def test_the_kernels_refusals() -> None:
    world = World(seed=1)
    v0, _ = pair(world)
    create = api.NLM_F_CREATE | api.NLM_F_EXCL
    with pytest.raises(KernelError, match="Exclusivity flag on, cannot modify"):
        api.qdisc_modify(v0, parent=0xFFFFFFFF, handle=0x10000, kind="tbf",
                         options=tbf_opts(), flags=create)  # fmt: skip
    with pytest.raises(KernelError, match="NLM_F_REPLACE needed to override"):
        api.qdisc_modify(v0, parent=0xFFFFFFFF, handle=0x20000, kind="tbf",
                         options=tbf_opts(), flags=create)  # fmt: skip
    with pytest.raises(KernelError, match="Parent Qdisc doesn't exists"):
        api.filter_new(v0, parent=0xFFFF0000, prio=1, protocol=3, kind="u32", handle=0,
                       options={}, flags=create)  # fmt: skip
    with pytest.raises(KernelError, match="Cannot find specified qdisc on specified device"):
        api.qdisc_del(v0, parent=0xFFFFFFF1, handle=0)
    api.qdisc_del(v0, parent=0xFFFFFFFF, handle=0)
    assert (v0.sched, v0.qdisc) == (None, "noqueue")  # the default is back on an up device
    with pytest.raises(KernelError, match="Cannot delete qdisc with handle of zero"):
        api.qdisc_del(v0, parent=0xFFFFFFFF, handle=0)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(st.integers(0, 300), st.integers(60, 1500)),  # (ms after the last, bytes)
        min_size=1,
        max_size=60,
    ),
    st.integers(1, 40).map(lambda k: k * 12_500),  # rate: 100 kbit .. 4 Mbit
    st.integers(1500, 40_000),  # burst
)
def test_no_send_pattern_beats_burst_plus_rate_times_t(
    sends: list[tuple[int, int]], rate: int, burst_bytes: int
) -> None:
    """sch_tbf's promise: bytes leaving by time t <= burst + rate * t."""
    world = World(seed=1, trace=False)
    v0, _ = pair(world, qdisc=tbf_opts(rate=rate, burst=burst_bytes, limit=4 * burst_bytes))
    left: list[tuple[float, int]] = []
    inner = v0.xmit

    def xmit(skb: Any) -> None:
        left.append((world.now, skb.len))
        inner(skb)

    v0.xmit = xmit  # type: ignore[method-assign]
    start = world.now
    offered = 0
    for gap, size in sends:
        world.run(until=world.now + gap / 1000)
        world.send(frame(world, size), dev="v0", netns="a")
        offered += size
    world.run(until=world.now + 10.0)
    q = v0.sched
    total = 0
    for when, size in left:
        total += size
        assert total <= burst_bytes + rate * (when - start) + 1  # +1: whole-ns rounding
    assert q.bytes == total <= offered
    assert q.packets + q.drops == len(sends)
