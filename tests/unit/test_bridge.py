"""The bridge device: MAC selection, carrier, MTU, ports and errors (T17, T19, T37)."""

from __future__ import annotations

import pytest

from netsim import KernelError, World
from netsim.backends.sim.dump import bridge_link_records, fdb_records, link_records
from netsim.kernel import Bridge, PortState
from tests.helpers import build_bridge_topology, port_mac


def rec(w: World, ifname: str, ns: str = "br") -> dict[str, object]:
    return link_records(w.netns(ns), ifname)[0]


def fdb(w: World, ns: str = "br") -> list[str]:
    """``bridge fdb show`` lines, as tuples of the interesting fields."""
    return [f"{r['mac']} dev {r['ifname']} {r['state']}".strip() for r in fdb_records(w.netns(ns))]


def test_defaults(world: World) -> None:
    """T17: ageing 300 s, STP off, bridge_id 0, random MAC with its own local entry."""
    br = world.add_bridge("br0")
    assert (br.ageing_time, br.stp_state, br.priority, br.forward_delay) == (300.0, 0, 32768, 15.0)
    assert br.bridge_id_addr == 0 and br.address.is_local_admin
    assert fdb(world, "init_net") == [f"{br.address} dev br0 permanent"]


def test_new_empty_bridge_up_is_unknown_with_carrier(world: World) -> None:
    """T17: ``UP,LOWER_UP state UNKNOWN`` before it ever had ports."""
    world.add_bridge("br0")
    world.link_set("br0", up=True)
    r = link_records(world.netns(), "br0")[0]
    assert r["flags"] == ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"]
    assert r["operstate"] == "UNKNOWN"


def test_bridge_created_with_an_address_has_no_carrier(world: World) -> None:
    """Checked on 6.18: ``link add br1 address X type bridge`` then up is NO-CARRIER."""
    world.add_bridge("br1", address="02:00:00:00:0b:01")
    world.link_set("br1", up=True)
    r = link_records(world.netns(), "br1")[0]
    assert r["flags"] == ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"]
    assert fdb(world, "init_net") == ["02:00:00:00:0b:01 dev br1 permanent"]


def test_mac_follows_lowest_port_mac_then_zero() -> None:
    """T17/T19/T37: vh3 enslaved first, yet br0 takes vh1's lower MAC; last port out -> zeros."""
    w = World(3)
    w.netns_add("br")
    w.add_bridge("br0", netns="br")
    for i in (3, 1, 2):
        w.add_veth(f"vh{i}", f"p{i}", netns="br", address=port_mac(i))
    for i in (3, 1, 2):
        w.link_set(f"vh{i}", netns="br", master="br0")
    br = w.dev("br0", netns="br")
    assert br.address == port_mac(1)
    assert {p.dev.ifname: p.port_no for p in br.port_list} == {"vh3": 1, "vh1": 2, "vh2": 3}
    w.link_set("vh1", netns="br", master=None)
    assert br.address == port_mac(2)
    w.link_set("vh1", netns="br", master="br0")
    assert br.address == port_mac(1)
    for i in (1, 2, 3):
        w.link_del(f"vh{i}", netns="br")
    assert str(br.address) == "00:00:00:00:00:00"
    assert fdb(w) == []


def test_explicit_mac_sticks_and_gets_its_own_entry(bridged: World) -> None:
    """T19: ``ip link set br0 address X`` pins it and adds ``X dev br0 master br0 permanent``."""
    bridged.link_set("br0", netns="br", address="02:00:00:00:0b:0b")
    bridged.add_veth("vh9", "vh9p", netns="br", address="02:00:00:00:00:00")
    bridged.link_set("vh9", netns="br", master="br0")
    assert str(bridged.dev("br0", netns="br").address) == "02:00:00:00:0b:0b"
    assert "02:00:00:00:0b:0b dev br0 permanent" in fdb(bridged)


def test_last_port_removed_leaves_no_carrier(bridged: World) -> None:
    """T37: deleting the host namespace takes the veth, and the bridge loses carrier."""
    for i in (1, 2, 3):
        bridged.netns_del(f"h{i}")
    bridged.sleep(1.0)  # a bridge losing carrier is a non-urgent link-watch event
    r = rec(bridged, "br0")
    assert r["flags"] == ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"]
    assert r["address"] == "00:00:00:00:00:00" and r["operstate"] == "DOWN"


def test_port_states_with_stp_off(world: World) -> None:
    """A port forwards as soon as it and the bridge are up and it has carrier; no forward_delay."""
    build_bridge_topology(world, up=False)
    assert [r["state"] for r in bridge_link_records(world.netns("br"))] == ["disabled"] * 3
    world.link_set("br0", netns="br", up=True)
    world.link_set("vh1", netns="br", up=True)
    assert bridge_link_records(world.netns("br"))[0]["state"] == "disabled"  # peer still down
    world.link_set("eth0", netns="h1", up=True)
    recs = bridge_link_records(world.netns("br"))
    assert [r["state"] for r in recs] == ["forwarding", "disabled", "disabled"]
    assert (recs[0]["priority"], recs[0]["cost"]) == (32, 2)
    assert rec(world, "br0")["operstate"] == "UP"


def test_bridge_carrier_needs_a_forwarding_port(bridged: World) -> None:
    for i in (1, 2, 3):
        bridged.link_set(f"vh{i}", netns="br", up=False)
    assert "LOWER_UP" not in rec(bridged, "br0")["flags"]  # the carrier bit goes at once
    bridged.sleep(1.0)  # the operstate follows when the link watcher runs
    assert rec(bridged, "br0")["flags"][0] == "NO-CARRIER"
    bridged.link_set("vh2", netns="br", up=True)
    assert rec(bridged, "br0")["operstate"] == "UP"


def test_bridge_down_disables_every_port(bridged: World) -> None:
    bridged.link_set("br0", netns="br", up=False)
    br = bridged.dev("br0", netns="br")
    assert isinstance(br, Bridge)
    assert {p.state for p in br.port_list} == {PortState.DISABLED}
    bridged.link_set("br0", netns="br", up=True)
    assert {p.state for p in br.port_list} == {PortState.FORWARDING}


def test_port_device_flags_and_counters(bridged: World) -> None:
    r = link_records(bridged.netns("br"), "vh1", details=True)[0]
    assert r["master"] == "br0" and r["promiscuity"] == 1 and r["allmulti"] == 1
    assert r["flags"] == ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"]
    slave = r["linkinfo"]["info_slave_data"]
    assert (slave["state"], slave["id"], slave["no"]) == ("forwarding", "0x8001", "0x1")


def test_mtu_is_the_smallest_port_mtu_unless_set(bridged: World) -> None:
    bridged.link_set("vh2", netns="br", mtu=1450)
    assert bridged.dev("br0", netns="br").mtu == 1450
    bridged.link_set("vh2", netns="br", master=None)
    assert bridged.dev("br0", netns="br").mtu == 1500
    bridged.link_set("br0", netns="br", mtu=9000)
    bridged.link_set("vh2", netns="br", master="br0")
    assert bridged.dev("br0", netns="br").mtu == 9000


@pytest.mark.parametrize(
    ("dev", "master", "message"),
    [
        ("br1", "br0", "Error: Can not enslave a bridge to a bridge."),
        ("vh1", "lo", "RTNETLINK answers: Operation not supported"),
        ("vh1", "vh2", "RTNETLINK answers: Operation not supported"),
        ("lo", "br0", "RTNETLINK answers: Invalid argument"),
    ],
)
def test_enslaving_errors(bridged: World, dev: str, master: str, message: str) -> None:
    bridged.add_bridge("br1", netns="br")
    bridged.link_set("vh1", netns="br", master=None)
    with pytest.raises(KernelError) as exc:
        bridged.link_set(dev, netns="br", master=master)
    assert exc.value.message == message


def test_bridge_cannot_change_netns(bridged: World) -> None:
    with pytest.raises(KernelError) as exc:
        bridged.link_set("br0", netns="br", to_netns="h1")
    assert exc.value.message == "Error: The interface netns is immutable."


def test_moving_a_port_away_releases_it(bridged: World) -> None:
    bridged.link_set("vh1", netns="br", to_netns="h2")
    vh1 = bridged.dev("vh1", netns="h2")
    assert vh1.master is None and vh1.promiscuity == 0
    br = bridged.dev("br0", netns="br")
    assert isinstance(br, Bridge)
    assert [p.dev.ifname for p in br.ports] == ["vh2", "vh3"]


def test_deleting_the_bridge_releases_its_ports(bridged: World) -> None:
    bridged.link_del("br0", netns="br")
    for i in (1, 2, 3):
        d = bridged.dev(f"vh{i}", netns="br")
        assert d.master is None and d.rx_handler is None and d.promiscuity == 0
