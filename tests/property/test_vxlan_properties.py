"""VXLAN properties: encapsulation then decapsulation gives back the inner frame
unchanged, and a learning VTEP's FDB converges to the true MAC -> VTEP map."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from netsim import World
from netsim.addr import BROADCAST, MacAddr
from netsim.kernel.links.vxlan import Vxlan
from netsim.packet import ETH_P_IP, ICMP, UDP, VXLAN, Ethernet, IPv4, ipv4_addr

N_NODES = 3


def overlay(n_nodes: int = N_NODES, seed: int = 0) -> World:
    """Nodes on one underlay bridge, each with a learning VTEP (VNI 42) that floods
    to every other node (head-end replication from the all-zeros entry)."""
    w = World(seed=seed)
    w.netns_add("underlay")
    w.add_bridge("br0", netns="underlay")
    w.link_set("br0", netns="underlay", up=True)
    for i in range(1, n_nodes + 1):
        node = f"node{i}"
        w.netns_add(node)
        w.add_veth("eth0", f"p{i}", netns=node, peer_netns="underlay")
        w.link_set(f"p{i}", netns="underlay", master="br0", up=True)
        w.addr_add(f"192.168.7.{i}/24", dev="eth0", netns=node)
        w.link_set("eth0", netns=node, up=True)
        w.add_vxlan("vx0", 42, netns=node, dev="eth0", local=f"192.168.7.{i}", dstport=4789,
                    address=f"02:00:00:00:0a:{i:02x}")  # fmt: skip
        w.link_set("vx0", netns=node, up=True)
        for j in range(1, n_nodes + 1):
            if j != i:
                w.vxlan_fdb_add("00:00:00:00:00:00", dev="vx0", netns=node,
                                dst=f"192.168.7.{j}", op="append")  # fmt: skip
    return w


host_macs = st.integers(1, 0xFFFF).map(lambda n: MacAddr(0x02AA00000000 | n))
dsts = st.one_of(st.just(MacAddr(BROADCAST)), host_macs)
addrs = st.integers(0x0A000001, 0x0A0000FE).map(ipv4_addr)
echoes = st.builds(
    lambda a, b, ident, seq, data: IPv4(a, b, 1, ICMP.echo_request(ident, seq, data)),
    addrs, addrs, st.integers(0, 0xFFFF), st.integers(0, 0xFFFF), st.binary(max_size=64),
)  # fmt: skip
frames = st.one_of(
    st.builds(Ethernet, dsts, host_macs, st.sampled_from([0x88B5, 0x86DD]),
              st.binary(min_size=46, max_size=200)),
    st.builds(Ethernet, dsts, host_macs, st.just(ETH_P_IP), echoes),
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(frames, st.integers(0, (1 << 24) - 1), st.integers(0, 0xFFFF))
def test_vxlan_encode_decode_is_the_identity(frame: Ethernet, vni: int, sport: int) -> None:
    src, dst = ipv4_addr("192.168.7.1"), ipv4_addr("192.168.7.2")
    udp = UDP(sport, 4789, VXLAN(vni, frame))
    back = UDP.decode(udp.encode(src, dst), src, dst)
    assert isinstance(back.payload, VXLAN)
    assert (back.payload.vni, back.payload.payload) == (vni, frame)


@settings(max_examples=40, deadline=None)
@given(frames)
def test_a_frame_arrives_on_the_remote_vtep_unchanged(frame: Ethernet) -> None:
    w = overlay(2)
    seen: list[Ethernet] = []
    w.netns("node2").taps.append(
        lambda skb, dev, tx: seen.append(skb.frame) if dev.ifname == "vx0" else None
    )
    w.send(frame, dev="vx0", netns="node1")
    w.run(until=w.now + 1)
    assert seen == [frame]


traffic = st.lists(
    st.tuples(st.integers(0, 5), st.one_of(st.none(), st.integers(0, 5))),
    min_size=1,
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, N_NODES), min_size=6, max_size=6), traffic)
def test_learning_converges_to_the_true_mac_to_vtep_map(
    homes: list[int], sends: list[tuple[int, int | None]]
) -> None:
    """Host h (MAC 02:aa:..:h) sits behind node ``homes[h]``.  Whatever the traffic,
    no VTEP ever learns a wrong location; once every host has broadcast, every VTEP
    knows every remote host."""
    w = overlay()
    macs = [MacAddr(0x02AA00000100 | h) for h in range(len(homes))]
    node_ip = {i: int(ipv4_addr(f"192.168.7.{i}")) for i in range(1, N_NODES + 1)}

    def send(src: int, dst: int | None) -> None:
        to = MacAddr(BROADCAST) if dst is None else macs[dst]
        w.send(Ethernet(to, macs[src], 0x88B5, b"x"), dev="vx0", netns=f"node{homes[src]}")
        w.run(until=w.now + 0.01)

    def learned(node: int) -> dict[MacAddr, int]:
        vx = w.dev("vx0", netns=f"node{node}")
        assert isinstance(vx, Vxlan)
        return {f.mac: f.remotes[0].ip for f in vx.fdb if not f.static}

    truth = {macs[h]: node_ip[homes[h]] for h in range(len(homes))}
    for src, dst in sends:
        send(src, dst)
        for node in range(1, N_NODES + 1):
            for mac, ip in learned(node).items():
                assert truth[mac] == ip, f"node{node} learned {mac} behind the wrong VTEP"
    for h in range(len(homes)):
        send(h, None)
    for node in range(1, N_NODES + 1):
        remote = {m: ip for m, ip in truth.items() if ip != node_ip[node]}
        assert learned(node) == remote
