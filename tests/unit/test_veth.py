"""veth pairs: ifindexes, carrier and operstate as T02/T03/T16 show them, moves, deletion."""

from __future__ import annotations

import pytest

from netsim import Disposition, KernelError, World
from netsim.backends.sim.dump import link_records
from netsim.packet import Ethernet
from tests.helpers import frame, host_mac


def brief(w: World, ns: str = "init_net") -> list[tuple[str, str, list[str]]]:
    """Like ``ip -br link``: (name@link, operstate, flags)."""
    out = []
    for r in link_records(w.netns(ns)):
        name = r["ifname"] + (f"@{r['link']}" if "link" in r else "")
        if "link_index" in r:
            name += f"@if{r['link_index']}"
        out.append((name, r["operstate"], r["flags"]))
    return out


def test_peer_is_registered_first(world: World) -> None:
    """T16: ``ip link add p1 type veth peer name p2`` gives p2 ifindex 2, p1 ifindex 3."""
    p1 = world.add_veth("p1", "p2")
    assert p1.ifindex == 3 and world.dev("p2").ifindex == 2
    assert p1.iflink() == 2 and world.dev("p2").iflink() == 3


def test_carrier_follows_both_ends_admin_state(world: World) -> None:
    """T16: M-DOWN, NO-CARRIER, LOWERLAYERDOWN, then UP on both."""
    world.add_veth("p1", "p2")
    world.sleep(1.0)
    bm = ["BROADCAST", "MULTICAST"]
    assert brief(world)[1:] == [
        ("p2@p1", "DOWN", [*bm, "M-DOWN"]),
        ("p1@p2", "DOWN", [*bm, "M-DOWN"]),
    ]
    world.link_set("p1", up=True)
    assert brief(world)[1:] == [
        ("p2@p1", "DOWN", bm),
        ("p1@p2", "LOWERLAYERDOWN", ["NO-CARRIER", *bm, "UP", "M-DOWN"]),
    ]
    world.link_set("p2", up=True)
    assert brief(world)[1:] == [
        ("p2@p1", "UP", [*bm, "UP", "LOWER_UP"]),
        ("p1@p2", "UP", [*bm, "UP", "LOWER_UP"]),
    ]
    world.link_set("p2", up=False)
    assert brief(world)[2] == ("p1@p2", "LOWERLAYERDOWN", ["NO-CARRIER", *bm, "UP", "M-DOWN"])


def test_operstate_of_a_fresh_veth_waits_for_the_link_watcher(world: World) -> None:
    """Within a second of the last full link-watch run, a new pair keeps its
    registration-time operstate (DOWN): so does a real kernel ("both were seen")."""
    world.add_veth("a1", "a2")  # first run: handled at once
    world.add_veth("p1", "p2")  # within the same second: deferred
    world.link_set("p1", up=True)
    assert brief(world)[-1][:2] == ("p1@p2", "DOWN")
    world.sleep(1.0)
    assert brief(world)[-1][:2] == ("p1@p2", "LOWERLAYERDOWN")


def test_moved_end_arrives_down_and_the_other_end_reports_down(world: World) -> None:
    """T02/T16: moving brings the end down; the stay-behind end cannot find its peer here."""
    world.netns_add("v1")
    world.netns_add("v2")
    world.add_veth("p1", "p2", netns="v1")
    world.link_set("p1", netns="v1", up=True)
    world.link_set("p2", netns="v1", up=True)
    world.link_set("p2", netns="v1", to_netns="v2")
    (_lo, p2) = link_records(world.netns("v2"))
    assert (p2["ifindex"], p2["link_index"], p2["link_netnsid"]) == (2, 3, 0)
    assert p2["flags"] == ["BROADCAST", "MULTICAST"] and p2["qdisc"] == "noop"
    bm = ["BROADCAST", "MULTICAST"]
    assert brief(world, "v1")[1] == ("p1@if2", "DOWN", ["NO-CARRIER", *bm, "UP"])


def test_moved_end_keeps_ifindex_only_if_free(world: World) -> None:
    """T16: p1b (ifindex 4 in v2) moves into v1, where 4 is free: it stays 4."""
    world.netns_add("v1")
    world.netns_add("v2")
    world.add_veth("x", "y", netns="v2")  # v2: lo 1, y 2, x 3
    world.add_veth("a", "b", netns="v1")  # v1: lo 1, b 2, a 3
    world.link_set("x", netns="v2", to_netns="v1")  # 3 is taken in v1
    assert world.dev("x", netns="v1").ifindex == 4
    world.link_set("y", netns="v2", to_netns="v1")  # 2 is taken too
    assert world.dev("y", netns="v1").ifindex == 5


def test_name_clash_on_move(world: World) -> None:
    world.netns_add("a")
    world.netns_add("b")
    world.add_veth("p1", "p2", netns="a")
    world.add_bridge("p1", netns="b")
    with pytest.raises(KernelError) as exc:
        world.link_set("p1", netns="a", to_netns="b")
    assert exc.value.message == "Error: An interface with the same name exists in the target netns."
    assert "p1" in world.netns("a")


def test_deleting_one_end_or_its_netns_deletes_the_pair(world: World) -> None:
    world.netns_add("a")
    world.netns_add("b")
    world.add_veth("p1", "p2", netns="a", peer_netns="b")
    world.link_del("p2", netns="b")
    assert [d.ifname for d in world.netns("a")] == ["lo"]
    world.add_veth("p1", "p2", netns="a", peer_netns="b")
    world.netns_del("b")
    assert [d.ifname for d in world.netns("a")] == ["lo"]


def test_mtu_limits_and_independent_ends(world: World) -> None:
    world.add_veth("p1", "p2")
    with pytest.raises(KernelError) as exc:
        world.link_set("p1", mtu=67)
    assert exc.value.message == "Error: mtu less than device minimum."
    with pytest.raises(KernelError) as exc:
        world.link_set("p1", mtu=65536)
    assert exc.value.message == "Error: mtu greater than device maximum."
    world.link_set("p1", mtu=9000)
    assert (world.dev("p1").mtu, world.dev("p2").mtu) == (9000, 1500)


def test_multicast_mac_is_refused(world: World) -> None:
    world.add_veth("p1", "p2")
    with pytest.raises(KernelError) as exc:
        world.link_set("p1", address="01:00:00:00:00:01")
    assert exc.value.message == "RTNETLINK answers: Cannot assign requested address"


def _pair(w: World) -> None:
    w.netns_add("a")
    w.netns_add("b")
    w.add_veth(
        "eth0", "eth0", netns="a", peer_netns="b", address=host_mac(1), peer_address=host_mac(2)
    )


def test_frame_crosses_when_both_ends_are_up() -> None:
    w = World(1)
    _pair(w)
    w.link_set("eth0", netns="a", up=True)
    w.link_set("eth0", netns="b", up=True)
    flow = w.send(frame(host_mac(1), host_mac(2)), dev="eth0", netns="a")
    w.sleep(0.001)
    (t,) = w.traces(flow)
    assert t.disposition == Disposition.DELIVERED and t.end == ("b", "eth0")
    assert t.steps[-1].time == pytest.approx(10e-6)


@pytest.mark.parametrize(
    ("a_up", "b_up", "reason"),
    [(False, True, "device down"), (True, False, "no carrier (peer down)")],
)
def test_frame_dropped_when_an_end_is_down(a_up: bool, b_up: bool, reason: str) -> None:
    w = World(1)
    _pair(w)
    w.link_set("eth0", netns="a", up=a_up)
    w.link_set("eth0", netns="b", up=b_up)
    flow = w.send(frame(host_mac(1), host_mac(2)), dev="eth0", netns="a")
    w.sleep(0.001)
    (t,) = w.traces(flow)
    assert (t.disposition, t.reason, t.end) == (Disposition.DROPPED, reason, ("a", "eth0"))


def test_receiving_end_drops_frames_longer_than_its_mtu_plus_header() -> None:
    """is_skb_forwardable(): up to MTU + 14 + 4 bytes pass."""
    w = World(1)
    _pair(w)
    w.link_set("eth0", netns="a", up=True)
    w.link_set("eth0", netns="b", up=True, mtu=1000)
    ok = Ethernet(host_mac(2), host_mac(1), 0x88B5, bytes(1004))  # 1018 bytes
    big = Ethernet(host_mac(2), host_mac(1), 0x88B5, bytes(1005))
    f1 = w.send(ok, dev="eth0", netns="a")
    f2 = w.send(big, dev="eth0", netns="a")
    w.sleep(0.001)
    assert w.traces(f1)[0].disposition == Disposition.DELIVERED
    assert w.traces(f2)[0].reason == "frame of 1019 bytes exceeds peer MTU 1000"


def test_frame_to_another_mac_is_seen_then_dropped_as_otherhost() -> None:
    w = World(1)
    _pair(w)
    w.link_set("eth0", netns="a", up=True)
    w.link_set("eth0", netns="b", up=True)
    flow = w.send(frame(host_mac(1), host_mac(9)), dev="eth0", netns="a")
    w.sleep(0.001)
    assert w.traces(flow)[0].reason == "not for this host (otherhost)"


def test_latency_per_pair_and_per_world() -> None:
    w = World(1, latency=2e-3)
    _pair(w)
    w.add_veth("x", "y", netns="a", latency=0.5)
    assert (w.dev("eth0", netns="a").latency, w.dev("x", netns="a").latency) == (2e-3, 0.5)
    w.link_set("eth0", netns="a", up=True)
    w.link_set("eth0", netns="b", up=True)
    t0 = w.now
    flows = [w.send(frame(host_mac(1), host_mac(2)), dev="eth0", netns="a") for _ in range(3)]
    w.sleep(1)
    arrivals = [w.traces(f)[0].steps[-1].time - t0 for f in flows]
    assert arrivals == [pytest.approx(2e-3)] * 3
    assert [t.flow for t in w.traces() if t.flow in flows] == flows  # in order
