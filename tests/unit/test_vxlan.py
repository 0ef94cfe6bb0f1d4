"""The VXLAN device: creation, the VTEP FDB, encapsulation on the wire, learning,
ageing, proxy ARP, and what the kernel does at the edges (kernel.md section 6)."""

from __future__ import annotations

import pytest

from netsim import World
from netsim.addr import BROADCAST, MacAddr
from netsim.errors import KernelError
from netsim.kernel.links.vxlan import Vxlan
from netsim.packet import ARP, ETH_P_ARP, ETH_P_IP, UDP, VXLAN, Ethernet, IPv4, ipv4_addr
from netsim.trace import Action


def two_vteps(*, learning2: bool = True, proxy2: bool = False, fdb: bool = True) -> World:
    """n1 and n2 joined by a veth underlay, each with vxlan100 (VNI 100, port 4789)."""
    w = World(seed=3)
    for n in ("n1", "n2"):
        w.netns_add(n)
    w.add_veth("u1", "u2", netns="n1", peer_netns="n2", address="02:00:00:00:50:01",
               peer_address="02:00:00:00:50:02")  # fmt: skip
    for i, (n, u) in enumerate((("n1", "u1"), ("n2", "u2")), 1):
        w.addr_add(f"192.168.50.{i}/24", dev=u, netns=n)
        w.link_set(u, netns=n, up=True)
        w.add_vxlan("vxlan100", 100, netns=n, local=f"192.168.50.{i}", dstport=4789, dev=u,
                    address=f"02:00:00:00:0a:0{i}", learning=i == 1 or learning2,
                    proxy=i == 2 and proxy2)  # fmt: skip
        w.addr_add(f"10.40.0.{i}/24", dev="vxlan100", netns=n)
        w.link_set("vxlan100", netns=n, up=True)
        if fdb:
            w.vxlan_fdb_add("00:00:00:00:00:00", dev="vxlan100", netns=n,
                            dst=f"192.168.50.{3 - i}", op="append")  # fmt: skip
    return w


def fdb_lines(w: World, ns: str) -> list[str]:
    return w.sh(f"bridge -n {ns} fdb show dev vxlan100").stdout.splitlines()


def test_mtu_follows_the_lower_device_and_cannot_exceed_it() -> None:
    w = World()
    w.add_veth("u1", "u2", mtu=9000)
    vx = w.add_vxlan("vx0", 7, dev="u1", dstport=4789)
    assert vx.mtu == 8950
    with pytest.raises(KernelError) as e:
        w.link_set("vx0", mtu=8951)
    assert e.value.message == "RTNETLINK answers: Invalid argument"
    assert w.add_vxlan("vx1", 8, dstport=4789).mtu == 1500  # no lower device


def test_default_port_is_linux_8472_and_remote_installs_the_all_zeros_entry() -> None:
    w = World()
    w.add_veth("u1", "u2")
    vx = w.add_vxlan("vx0", 5, remote="10.0.0.2", dev="u1")
    assert vx.cfg.dst_port == 8472
    out = w.sh("bridge fdb show dev vx0").stdout
    assert out == "00:00:00:00:00:00 dst 10.0.0.2 via u1 self permanent\n"


def test_same_vni_and_port_twice_is_refused_but_another_port_is_fine() -> None:
    w = World()
    w.add_vxlan("vxa", 7, dstport=4789)
    with pytest.raises(KernelError) as e:
        w.add_vxlan("vxb", 7, dstport=4789)
    assert e.value.message == "Error: A VXLAN device with the specified VNI already exists."
    w.add_vxlan("vxb", 7, dstport=8472)


def test_encapsulation_on_the_wire() -> None:
    """Outer IPv4 DF clear, TTL 64, UDP to 4789 from the ephemeral range, VNI 100,
    the inner frame whole (98 inner bytes make a 148-byte outer frame)."""
    w = two_vteps()
    seen: list[Ethernet] = []
    w.netns("n2").taps.append(lambda skb, dev, tx: seen.append(skb.frame))
    assert w.ping("10.40.0.2", netns="n1", count=1).received == 1
    outer = [f for f in seen if isinstance(f.payload, IPv4) and f.payload.proto == 17]
    echo = [f for f in outer if f.payload.payload.payload.payload.ethertype == ETH_P_IP]  # type: ignore[union-attr]
    assert echo, "no encapsulated IPv4 seen on n2's underlay"
    ip = echo[0].payload
    assert isinstance(ip, IPv4)
    udp = ip.payload
    assert isinstance(udp, UDP) and isinstance(udp.payload, VXLAN)
    assert (ip.flags & 0b010, ip.ttl, ip.tos) == (0, 64, 0)
    assert udp.dport == 4789 and 32768 <= udp.sport <= 60999
    assert udp.payload.vni == 100
    assert echo[0].wire_len == 148
    # both directions of a flow use one source port (a symmetric flow hash)
    assert len({f.payload.payload.sport for f in echo}) == 1  # type: ignore[union-attr]
    # the encoding round-trips through bytes
    data = udp.encode(ip.src, ip.dst)
    assert UDP.decode(data, ip.src, ip.dst).payload == udp.payload


def test_learning_vtep_learns_remote_mac_behind_outer_source() -> None:
    w = two_vteps(learning2=False)
    w.ping("10.40.0.2", netns="n1", count=1)
    assert fdb_lines(w, "n1") == [
        "02:00:00:00:0a:02 dst 192.168.50.2 self ",
        "00:00:00:00:00:00 dst 192.168.50.2 self permanent",
    ]
    assert fdb_lines(w, "n2") == ["00:00:00:00:00:00 dst 192.168.50.1 self permanent"]


def test_no_fdb_entry_drops_with_a_reason_and_sends_nothing() -> None:
    w = two_vteps(fdb=False)
    assert w.ping("10.40.0.2", netns="n1", count=1, timeout=1).received == 0
    drops = [t for t in w.traces() if t.reason.startswith("no VXLAN FDB entry")]
    assert drops and all(t.end == ("n1", "vxlan100") for t in drops)
    assert not any(t.end[0] == "n2" for t in w.traces())


def test_trace_shows_encapsulation_and_decapsulation() -> None:
    w = two_vteps()
    w.ping("10.40.0.2", netns="n1", count=1)
    flows = [t for t in w.traces() if any(s.action == Action.ENCAPSULATED for s in t.steps)]
    t = flows[0]
    actions = [(s.action, s.device) for s in t.steps]
    assert (Action.ENCAPSULATED, "vxlan100") in actions
    assert (Action.DECAPSULATED, "vxlan100") in actions
    enc = next(s for s in t.steps if s.action == Action.ENCAPSULATED)
    assert "vni 100 192.168.50.1:" in enc.detail and "> 192.168.50.2:4789" in enc.detail


def test_learned_entries_age_out_and_static_ones_do_not() -> None:
    w = two_vteps()
    w.vxlan_set("vxlan100", netns="n1", ageing=20)
    w.vxlan_fdb_add("02:00:00:00:00:07", dev="vxlan100", netns="n1", dst="192.168.50.7",
                    state="static")  # fmt: skip
    w.ping("10.40.0.2", netns="n1", count=1)
    learned = "02:00:00:00:0a:02 dst 192.168.50.2 self "
    w.sleep(19)
    assert learned in fdb_lines(w, "n1")
    w.sleep(11)  # swept at the latest 10 s after expiry
    lines = fdb_lines(w, "n1")
    assert learned not in lines
    assert "02:00:00:00:00:07 dst 192.168.50.7 self static" in lines


def test_down_flushes_learned_entries_only() -> None:
    w = two_vteps()
    w.ping("10.40.0.2", netns="n1", count=1)
    w.link_set("vxlan100", netns="n1", up=False)
    assert fdb_lines(w, "n1") == ["00:00:00:00:00:00 dst 192.168.50.2 self permanent"]


def test_a_mac_does_not_migrate_away_from_a_static_entry() -> None:
    w = two_vteps()
    w.vxlan_fdb_add("02:00:00:00:0a:02", dev="vxlan100", netns="n1", dst="192.168.50.9",
                    state="static")  # fmt: skip
    assert w.ping("10.40.0.2", netns="n1", count=1, timeout=1).received == 0
    assert any("static VXLAN FDB entry" in t.reason for t in w.traces())


def test_unknown_vni_is_dropped_and_closed_port_gets_port_unreachable() -> None:
    w = two_vteps()
    w.link_set("vxlan100", netns="n2", up=False)  # no socket on 4789 in n2 now
    w.ping("10.40.0.2", netns="n1", count=1, timeout=1)
    assert any(t.reason == "UDP port 4789 unreachable" for t in w.traces())


def test_proxy_answers_arp_from_its_neighbour_table_and_drops_replies() -> None:
    """``arp_reduce``: a request the VTEP would send is answered locally from its own
    neighbour table when the entry is connected; replies and misses are dropped."""
    w = two_vteps(learning2=False, proxy2=True)
    asker = MacAddr("02:00:00:00:40:02")

    def request(target: str) -> int:
        arp = ARP.request(asker, "10.40.0.2", target)
        return w.send(Ethernet(MacAddr(BROADCAST), asker, ETH_P_ARP, arp), dev="vxlan100",
                      netns="n2")  # fmt: skip

    w.neigh_add("10.40.0.1", lladdr="02:00:00:00:40:01", dev="vxlan100", netns="n2")
    (answered,) = w.traces(request("10.40.0.1"))
    assert answered.reason == "ARP request answered by proxy VTEP"
    replies = [
        t for t in w.traces() if isinstance(t.frame.payload, ARP) and t.frame.payload.op == 2
    ]
    assert replies and replies[0].frame.src == MacAddr("02:00:00:00:40:01")
    assert replies[0].frame.dst == asker
    (missed,) = w.traces(request("10.40.0.9"))
    assert missed.reason == "proxy: no neighbour for 10.40.0.9"
    w.neigh_add("10.40.0.5", lladdr="02:00:00:00:40:05", dev="vxlan100", netns="n2", nud="stale")
    (stale,) = w.traces(request("10.40.0.5"))
    assert stale.reason == "proxy: no neighbour for 10.40.0.5"
    reply = ARP.reply(asker, "10.40.0.2", MacAddr("02:00:00:00:40:01"), "10.40.0.1")
    flow = w.send(Ethernet(MacAddr("02:00:00:00:40:01"), asker, ETH_P_ARP, reply),
                  dev="vxlan100", netns="n2")  # fmt: skip
    (dropped,) = w.traces(flow)
    assert dropped.reason == "ARP suppressed by proxy VTEP"


def test_deleting_the_lower_device_deletes_the_vtep() -> None:
    w = two_vteps()
    w.link_del("u1", netns="n1")
    assert "vxlan100" not in w.netns("n1")


def test_local_destination_bypasses_udp() -> None:
    """``encap_bypass_if_local``: a remote that is our own address goes straight to
    the local VTEP with that VNI and port."""
    w = World()
    w.add_veth("u1", "u2")
    w.addr_add("192.168.9.1/24", dev="u1")
    w.link_set("u1", up=True)
    w.add_vxlan("vxa", 10, dstport=4789, address="02:00:00:00:00:0a")
    w.add_vxlan("vxb", 10, dstport=4790, address="02:00:00:00:00:0b")
    w.link_set("vxa", up=True)
    w.link_set("vxb", up=True)
    w.vxlan_fdb_add("00:00:00:00:00:00", dev="vxa", dst="192.168.9.1", port=4790)
    frame = Ethernet(w.dev("vxb").address, w.dev("vxa").address, 0x88B5, b"hello")
    flow = w.send(frame, dev="vxa")
    (t,) = w.traces(flow)
    assert [s.device for s in t.steps if s.action == Action.RECEIVED] == ["vxb"]
    vxb = w.dev("vxb")
    assert isinstance(vxb, Vxlan)
    entry = vxb.fdb.find(w.dev("vxa").address)
    assert entry is not None and entry.remotes[0].ip == int(ipv4_addr("127.0.0.1"))
