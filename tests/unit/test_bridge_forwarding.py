"""Bridge forwarding: learning, flooding, hairpin, ageing, manual entries (T18-T20)."""

from __future__ import annotations

import pytest

from netsim import Disposition, KernelError, MacAddr, World
from netsim.kernel import Bridge
from netsim.packet import Ethernet
from tests.helpers import arp_reply, arp_request, frame, host_mac, port_mac


def br0(w: World) -> Bridge:
    b = w.dev("br0", netns="br")
    assert isinstance(b, Bridge)
    return b


def ends(w: World, flow: int) -> dict[tuple[str, str], str]:
    """Where each copy of a flow ended: {(netns, dev): disposition or reason}."""
    return {
        t.end: str(t.disposition) if t.disposition == Disposition.DELIVERED else t.reason
        for t in w.traces(flow)
    }


def learned(w: World) -> dict[str, str]:
    return {str(e.mac): e.dst.dev.ifname for e in br0(w).fdb if e.state == "" and e.dst}


def send(w: World, host: int, f: Ethernet) -> int:
    flow = w.send(f, dev="eth0", netns=f"h{host}")
    w.sleep(0.001)
    return flow


def test_broadcast_floods_to_every_other_port_and_goes_up_br0(bridged: World) -> None:
    """T18: h2 and h3 both see h1's ARP request; the bridge's stack gets it too."""
    flow = send(bridged, 1, arp_request(1, 2))
    assert ends(bridged, flow) == {
        ("h2", "eth0"): "DELIVERED",
        ("h3", "eth0"): "DELIVERED",
        ("br", "br0"): "DELIVERED",
    }
    assert learned(bridged) == {"02:00:00:00:00:01": "vh1"}


def test_known_unicast_leaves_by_one_port_only(bridged: World) -> None:
    """T18: the reply and later unicast frames are not seen on h3."""
    send(bridged, 1, arp_request(1, 2))
    flow = send(bridged, 2, arp_reply(2, 1))
    assert ends(bridged, flow) == {("h1", "eth0"): "DELIVERED"}
    flow = send(bridged, 1, frame(host_mac(1), host_mac(2)))
    assert ends(bridged, flow) == {("h2", "eth0"): "DELIVERED"}
    (t,) = bridged.traces(flow)
    assert [str(s) for s in t.hops[1].steps] == [
        "RECEIVED vh1",
        "FORWARDED br0 -> vh2",
    ]


def test_unknown_unicast_floods_and_others_drop_it_as_otherhost(bridged: World) -> None:
    """T18: a frame to a MAC nobody has reaches h2 and h3."""
    flow = send(bridged, 1, frame(host_mac(1), MacAddr("02:00:00:00:00:99")))
    assert ends(bridged, flow) == {
        ("h2", "eth0"): "not for this host (otherhost)",
        ("h3", "eth0"): "not for this host (otherhost)",
    }


def test_frame_to_a_mac_learned_on_the_ingress_port_is_dropped(bridged: World) -> None:
    send(bridged, 1, frame(host_mac(1), host_mac(2)))
    # pretend h1 sends to its own (learned) MAC
    flow = send(bridged, 1, frame(MacAddr("02:00:00:00:00:31"), host_mac(1)))
    assert ends(bridged, flow) == {("br", "vh1"): "destination is behind the ingress port vh1"}


def test_source_moves_to_the_port_it_was_last_seen_on(bridged: World) -> None:
    send(bridged, 1, frame(host_mac(1), host_mac(2)))
    send(bridged, 3, frame(host_mac(1), host_mac(2)))  # h1's MAC now behind vh3
    assert learned(bridged)["02:00:00:00:00:01"] == "vh3"


def test_frames_to_local_entries_go_up_br0(bridged: World) -> None:
    """T18: frames to the bridge MAC go up br0 as PACKET_HOST.  Another port's MAC is a
    local entry too, so the frame goes up br0, but ``eth_type_trans`` on the ingress
    port classed it OTHERHOST and the bridge does not change that (br_pass_frame_up)."""
    flow = send(bridged, 1, frame(host_mac(1), port_mac(1)))  # == br0's MAC
    assert ends(bridged, flow) == {("br", "br0"): "DELIVERED"}
    (t,) = bridged.traces(flow)
    assert t.steps[-1].detail == "host"
    flow = send(bridged, 1, frame(host_mac(1), port_mac(3)))
    assert ends(bridged, flow) == {("br", "br0"): "not for this host (otherhost)"}


def test_hairpin_reflects_floods_back_to_the_sender(bridged: World) -> None:
    """T20: with hairpin on, h1 receives its own ARP broadcast."""
    bridged.bridge_link_set("vh1", netns="br", hairpin=True)
    flow = send(bridged, 1, arp_request(1, 3))
    assert ("h1", "eth0") in ends(bridged, flow)


def test_learning_off_port_learns_nothing(bridged: World) -> None:
    """T20: ping from h3 (learning off) to h2: only h2's MAC is learned."""
    bridged.bridge_link_set("vh3", netns="br", learning=False)
    send(bridged, 3, arp_request(3, 2))
    send(bridged, 2, arp_reply(2, 3))
    assert learned(bridged) == {"02:00:00:00:00:02": "vh2"}


def test_flood_off_port_gets_no_unknown_unicast_but_still_broadcast(bridged: World) -> None:
    bridged.bridge_link_set("vh3", netns="br", flood=False)
    flow = send(bridged, 1, frame(host_mac(1), MacAddr("02:00:00:00:00:99")))
    assert set(ends(bridged, flow)) == {("h2", "eth0")}
    flow = send(bridged, 1, arp_request(1, 3))
    assert ("h3", "eth0") in ends(bridged, flow)


def test_learned_entries_age_out_after_ageing_time(bridged: World) -> None:
    """T19 with ageing_time 5 s: present at 4 s, gone by 6 s.  Here: gone within
    10 ms of 5 s (``br_fdb_cleanup`` runs again no sooner than 10 ms later)."""
    bridged.bridge_set("br0", netns="br", ageing_time=5.0)
    send(bridged, 1, arp_request(1, 2))
    t0 = bridged.now - 0.001
    bridged.run(until=t0 + 4.999)
    assert "02:00:00:00:00:01" in learned(bridged)
    bridged.run(until=t0 + 5.0111)
    assert learned(bridged) == {}


def test_traffic_refreshes_an_entry(bridged: World) -> None:
    bridged.bridge_set("br0", netns="br", ageing_time=5.0)
    send(bridged, 1, arp_request(1, 2))
    bridged.sleep(4)
    send(bridged, 1, arp_request(1, 2))
    bridged.sleep(4)
    assert "02:00:00:00:00:01" in learned(bridged)
    bridged.sleep(1.1)
    assert learned(bridged) == {}


def test_ageing_time_zero_keeps_nothing(bridged: World) -> None:
    """T20: ``ageing_time 0``: learned entries are swept at once, so everything floods."""
    bridged.bridge_set("br0", netns="br", ageing_time=0.0)
    send(bridged, 1, arp_request(1, 2))
    bridged.sleep(0.02)
    assert learned(bridged) == {}
    flow = send(bridged, 2, frame(host_mac(2), host_mac(1)))
    assert len(ends(bridged, flow)) == 2  # flooded to h1 and h3


def test_port_down_flushes_its_learned_entries(bridged: World) -> None:
    """T19."""
    send(bridged, 1, arp_request(1, 2))
    send(bridged, 2, arp_reply(2, 1))
    bridged.link_set("vh2", netns="br", up=False)
    assert learned(bridged) == {"02:00:00:00:00:01": "vh1"}


def test_manual_entries(bridged: World) -> None:
    """T19: permanent is the default and terminates locally; static never ages; dynamic ages."""
    bridged.bridge_set("br0", netns="br", ageing_time=5.0)
    for mac, state in (("77", "static"), ("78", "permanent"), ("79", "dynamic")):
        bridged.fdb_add(f"02:00:00:00:00:{mac}", dev="vh3", netns="br", master=True, state=state)
    states = {str(e.mac): e.state for e in br0(bridged).fdb if e.dst and e.dst.dev.ifname == "vh3"}
    assert states == {
        "02:00:00:00:00:77": "static",
        "02:00:00:00:00:78": "permanent",
        "02:00:00:00:00:79": "",
        "02:00:00:00:01:03": "permanent",
    }
    flow = send(bridged, 1, frame(host_mac(1), MacAddr("02:00:00:00:00:78")))
    assert set(ends(bridged, flow)) == {("br", "br0")}  # terminates on the bridge
    flow = send(bridged, 1, frame(host_mac(1), MacAddr("02:00:00:00:00:77")))
    assert ends(bridged, flow) == {("h3", "eth0"): "not for this host (otherhost)"}
    bridged.sleep(6)
    left = {str(e.mac) for e in br0(bridged).fdb}
    assert "02:00:00:00:00:77" in left and "02:00:00:00:00:79" not in left
    with pytest.raises(KernelError) as exc:
        bridged.fdb_add("02:00:00:00:00:77", dev="vh3", netns="br", master=True, state="static")
    assert exc.value.message == "RTNETLINK answers: File exists"
    bridged.fdb_add("02:00:00:00:00:77", dev="vh2", netns="br", master=True, replace=True)
    with pytest.raises(KernelError) as exc:
        bridged.fdb_del("02:00:00:00:00:77", dev="vh3", netns="br", master=True)
    assert exc.value.message == "RTNETLINK answers: No such file or directory"


def test_fdb_errors_match_the_kernel(bridged: World) -> None:
    """Checked on 6.18: ``master`` on the bridge itself or a non-port is EOPNOTSUPP."""
    bridged.add_veth("v9", "v10", netns="br")
    for dev in ("br0", "v9"):
        with pytest.raises(KernelError) as exc:
            bridged.fdb_add("02:00:00:00:00:80", dev=dev, netns="br", master=True)
        assert exc.value.message == "RTNETLINK answers: Operation not supported"
    bridged.fdb_add("02:00:00:00:00:82", dev="br0", netns="br")  # self on the bridge
    assert br0(bridged).fdb.find(MacAddr("02:00:00:00:00:82")) is not None
    bridged.fdb_add("02:00:00:00:00:84", dev="v9", netns="br")  # self on a plain device
    assert bridged.dev("v9", netns="br").uc_list == [MacAddr("02:00:00:00:00:84")]


def test_invalid_source_mac_is_dropped(bridged: World) -> None:
    flow = send(bridged, 1, frame(MacAddr("01:00:5e:00:00:01"), host_mac(2)))
    assert ends(bridged, flow) == {("br", "vh1"): "invalid source MAC"}


@pytest.mark.parametrize(
    ("dst", "bridged_out"),
    [("01:80:c2:00:00:00", True), ("01:80:c2:00:00:0e", False), ("01:80:c2:00:00:03", False)],
)
def test_link_local_groups(bridged: World, dst: str, bridged_out: bool) -> None:
    """STP BPDUs are flooded when STP is off; LLDP/802.1X stay on the port."""
    flow = send(bridged, 1, frame(host_mac(1), MacAddr(dst)))
    got = ends(bridged, flow)
    if bridged_out:
        assert ("h2", "eth0") in got and ("h3", "eth0") in got
    else:
        assert got == {("br", "vh1"): "DELIVERED"}


def test_bridge_port_disabled_drops(bridged: World) -> None:
    bridged.link_set("br0", netns="br", up=False)
    flow = send(bridged, 1, arp_request(1, 2))
    assert ends(bridged, flow) == {("br", "vh1"): "bridge port disabled"}


def test_bridge_sends_from_its_own_stack(bridged: World) -> None:
    send(bridged, 2, arp_request(2, 1))
    b = br0(bridged)
    flow = bridged.send(frame(b.address, host_mac(2)), dev="br0", netns="br")
    bridged.sleep(0.001)
    assert ends(bridged, flow) == {("h2", "eth0"): "DELIVERED"}
    flow = bridged.send(arp_request(9, 1), dev="br0", netns="br")
    bridged.sleep(0.001)
    assert set(ends(bridged, flow)) == {("h1", "eth0"), ("h2", "eth0"), ("h3", "eth0")}


def test_egress_port_mtu(bridged: World) -> None:
    send(bridged, 2, arp_request(2, 1))
    bridged.link_set("vh2", netns="br", mtu=1000)
    flow = send(bridged, 1, Ethernet(host_mac(2), host_mac(1), 0x88B5, bytes(1100)))
    assert ends(bridged, flow) == {("br", "vh2"): "frame of 1114 bytes exceeds vh2 MTU 1000"}
