"""Traces from packet captures (the kernel backend's journeys), on frames made
here: what each sighting of a packet becomes, in the model's words.  The
captures of a real cluster are compared with the model's journeys in
tests/differential/test_k8s_scenario_backends.py."""

from __future__ import annotations

from netsim import MacAddr
from netsim.backends.linux.host import CapturedFrame
from netsim.packet import ETH_P_IP, ICMP, UDP, VXLAN, Ethernet, IPv4, ipv4_addr
from netsim.scenario.kernel_traces import Topology, traces_of

POD_MAC, BR_MAC, VTEP1, VTEP2 = (MacAddr(f"02:00:00:00:00:0{i}") for i in range(1, 5))
NODE2_MAC, C_MAC = MacAddr("02:00:00:00:00:12"), MacAddr("02:00:00:00:00:22")
DATA = bytes(range(56))


def _eth(dst: MacAddr, src: MacAddr, ip: IPv4) -> Ethernet:
    return Ethernet(dst, src, ETH_P_IP, ip)


def _echo(kind: str, src: str, dst: str) -> IPv4:
    icmp = ICMP.echo_request(7, 1, DATA) if kind == "request" else ICMP.echo_reply(7, 1, DATA)
    return IPv4(src=ipv4_addr(src), dst=ipv4_addr(dst), proto=1, payload=icmp)


def _vxlan(inner: Ethernet, src: str, dst: str) -> Ethernet:
    outer = IPv4(ipv4_addr(src), ipv4_addr(dst), 17, UDP(40000, 8472, VXLAN(1, inner)))
    return _eth(NODE2_MAC, BR_MAC, outer)


def _topology() -> Topology:
    topo = Topology()
    topo.add("pod", [{"ifname": "eth0"}], {"10.244.0.2"})
    topo.add(
        "node1",
        [
            {"ifname": "eth0"},
            {"ifname": "cni0", "linkinfo": {"info_kind": "bridge"}},
            {"ifname": "veth1", "master": "cni0", "linkinfo": {"info_kind": "veth"}},
            {
                "ifname": "flannel.1",
                "linkinfo": {"info_kind": "vxlan", "info_data": {"port": 8472}},
            },
        ],
        {"10.244.0.1", "172.18.0.2"},
    )
    topo.add(
        "underlay",
        [{"ifname": "br0", "linkinfo": {"info_kind": "bridge"}},
         {"ifname": "p1", "master": "br0"}, {"ifname": "p2", "master": "br0"}],
        {"172.18.0.1"},
    )  # fmt: skip
    topo.add(
        "node2",
        [{"ifname": "eth0"}, {"ifname": "flannel.1", "linkinfo": {"info_kind": "vxlan"}}],
        {"172.18.0.3", "10.244.1.0"},
    )  # fmt: skip
    return topo


def _frames(*seen: tuple[str, str, bool, Ethernet]) -> list[CapturedFrame]:
    return [CapturedFrame(ns, dev, 4 if out else 0, 1000 * i, frame.encode())
            for i, (ns, dev, out, frame) in enumerate(seen)]  # fmt: skip


def test_a_vxlan_crossing_in_the_models_words() -> None:
    req = _echo("request", "10.244.0.2", "10.244.1.0")
    inner = _eth(VTEP2, VTEP1, req)
    frames = _frames(
        ("pod", "eth0", True, _eth(BR_MAC, POD_MAC, req)),
        ("node1", "veth1", False, _eth(BR_MAC, POD_MAC, req)),
        ("node1", "cni0", False, _eth(BR_MAC, POD_MAC, req)),
        ("node1", "flannel.1", True, inner),
        ("node1", "eth0", True, _vxlan(inner, "172.18.0.2", "172.18.0.3")),
        ("underlay", "p1", False, _vxlan(inner, "172.18.0.2", "172.18.0.3")),
        ("underlay", "p2", True, _vxlan(inner, "172.18.0.2", "172.18.0.3")),
        ("node2", "eth0", False, _vxlan(inner, "172.18.0.2", "172.18.0.3")),
        ("node2", "flannel.1", False, inner),
    )
    (trace,) = traces_of(frames, _topology())
    assert [str(h) for h in trace.hops] == [
        "pod: SENT eth0",
        "node1: RECEIVED veth1; FORWARDED cni0 -> flannel.1; "
        "ENCAPSULATED flannel.1 (vni 1 172.18.0.2:40000 > 172.18.0.3:8472)",
        "underlay: RECEIVED p1; FORWARDED br0 -> p2",
        "node2: RECEIVED eth0; DECAPSULATED flannel.1 (vni 1 from 172.18.0.2:40000); "
        "RECEIVED flannel.1; DELIVERED flannel.1 (not answered)",
    ]
    assert (trace.flow, trace.disposition, str(trace.frame.dst)) == (1, "DELIVERED", "10.244.1.0")


def test_the_request_is_flow_1_and_a_lost_packet_ends_where_it_was_last_seen() -> None:
    req = _echo("request", "10.244.0.2", "172.18.0.9")
    rep = _echo("reply", "172.18.0.9", "10.244.0.2")
    frames = _frames(
        ("underlay", "p1", False, _eth(C_MAC, POD_MAC, rep)),  # seen first: still flow 2
        ("pod", "eth0", True, _eth(BR_MAC, POD_MAC, req)),
        ("node1", "veth1", False, _eth(BR_MAC, POD_MAC, req)),
        ("node1", "cni0", False, _eth(BR_MAC, POD_MAC, req)),
        ("node1", "eth0", True, _eth(C_MAC, POD_MAC, req)),
        ("underlay", "p1", False, _eth(C_MAC, POD_MAC, req)),
        ("underlay", "br0", False, _eth(C_MAC, POD_MAC, req)),
    )
    request, reply = traces_of(frames, _topology())
    assert (request.flow, reply.flow) == (1, 2)
    assert [str(h) for h in request.hops][1:] == [
        "node1: RECEIVED veth1; FORWARDED cni0 -> eth0",
        "underlay: RECEIVED p1; DROPPED br0 (not seen again)",
    ]
    assert request.reason == (
        "not seen after arriving on br0 in underlay (the kernel does not say why)"
    )
