"""The Host seam on the simulator: operations as data, applied by SimHost, with the
kernel's errors and iproute2-shaped dumps."""

from __future__ import annotations

import errno

import pytest

from netsim import World
from netsim.backends.sim.host import SimHost
from netsim.errors import KernelError
from netsim.host import Host
from netsim.host.ops import (
    OPS,
    AddrAdd,
    ConntrackDelete,
    Dump,
    FdbAdd,
    LinkAdd,
    LinkDel,
    LinkSet,
    NeighAdd,
    NetnsAdd,
    RouteAdd,
    RouteGet,
    SysctlGet,
    SysctlSet,
    from_dict,
    to_dict,
)


def build(h: SimHost) -> None:
    for op in (
        NetnsAdd(name="node"),
        LinkAdd(netns="node", ifname="eth0", kind="veth", address="02:00:00:00:00:01",
                data={"peer": "peer0", "peer_address": "02:00:00:00:00:02"}),
        LinkAdd(netns="node", ifname="cni0", kind="bridge", address="02:00:00:00:00:10"),
        LinkSet(netns="node", ifname="peer0", master="cni0", up=True),
        LinkSet(netns="node", ifname="cni0", up=True),
        AddrAdd(netns="node", ifname="cni0", address="10.244.0.1/24"),
        RouteAdd(netns="node", dst="10.244.1.0/24", via="10.244.0.9"),
        NeighAdd(netns="node", dst="10.244.0.9", dev="cni0", lladdr="02:00:00:00:00:09"),
        LinkAdd(netns="node", ifname="flannel.1", kind="vxlan",
                data={"id": 1, "dstport": 8472, "learning": False}),
        FdbAdd(netns="node", mac="02:00:00:00:f1:02", dev="flannel.1", dst="192.168.0.2"),
        SysctlSet(netns="node", key="net.ipv4.ip_forward", value="1"),
    ):  # fmt: skip
        assert h.apply(from_dict(to_dict(op))) is None


def test_sim_host_is_a_host_and_ops_round_trip() -> None:
    h = SimHost(World())
    assert isinstance(h, Host)
    op = FdbAdd(netns="n", mac="02:00:00:00:00:01", dev="vx0", dst="10.0.0.2", port=4790)
    assert from_dict(to_dict(op)) == op
    assert set(OPS) >= {"LinkAdd", "RouteAdd", "Dump", "SysctlGet"}
    with pytest.raises(ValueError, match="unknown host operation"):
        from_dict({"op": "Reboot"})
    with pytest.raises(ValueError, match="LinkDel"):
        from_dict({"op": "LinkDel", "ifname": "x", "colour": "red"})


def test_ops_build_the_state_the_dumps_show() -> None:
    h = SimHost(World())
    build(h)
    assert h.namespaces() == ["init_net", "node"]
    links = {r["ifname"]: r for r in h.apply(Dump(netns="node", what="link")) or []}
    assert links["peer0"]["master"] == "cni0"
    assert links["flannel.1"]["linkinfo"]["info_data"]["learning"] is False
    routes = h.apply(Dump(netns="node", what="route")) or []
    (via,) = [r for r in routes if r["dst"] == "10.244.1.0/24"]
    assert (via["gateway"], via["dev"], via["flags"]) == ("10.244.0.9", "cni0", ["linkdown"])
    fdb = h.apply(Dump(netns="node", what="fdb")) or []
    assert {"mac": "02:00:00:00:f1:02", "ifname": "flannel.1", "dst": "192.168.0.2",
            "flags": ["self"], "state": "permanent"} in fdb  # fmt: skip
    assert h.apply(SysctlGet(netns="node", key="net.ipv4.ip_forward")) == "1"


def test_refusals_are_the_kernels_errors() -> None:
    h = SimHost(World())
    build(h)
    with pytest.raises(KernelError) as e:
        h.apply(LinkAdd(netns="node", ifname="cni0", kind="bridge"))
    assert e.value.errno == errno.EEXIST
    with pytest.raises(KernelError) as e:
        h.apply(RouteAdd(netns="node", dst="10.9.0.0/16", via="10.99.0.1"))
    assert e.value.message == "Error: Nexthop has invalid gateway."
    h.apply(LinkDel(netns="node", ifname="eth0"))
    assert "peer0" not in {r["ifname"] for r in h.apply(Dump(netns="node", what="link")) or []}


def test_a_dump_of_something_unknown_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match=r"Dump\.what"):
        Dump(netns="n", what="firewall")


def test_route_get_and_conntrack_delete() -> None:
    """``RouteGet`` answers as ``ip -j route get``; ``ConntrackDelete`` removes the
    model's flows whose original tuple matches (none for IPv6)."""
    w = World(seed=1)
    h = SimHost(w)
    w.sh("ip netns add a\nip -n a link set lo up\nip -n a link add d0 type veth peer name d1\n"
         "ip -n a addr add 10.9.0.1/24 dev d0\nip -n a link set d0 up\nip -n a link set d1 up\n"
         "ip netns exec a iptables -t nat -A POSTROUTING -o d0 -j MASQUERADE\n"
         "ip netns exec a bash -c 'echo > /dev/udp/10.9.0.7/53; echo > /dev/udp/10.9.0.1/54'\n"
         "sleep 1")  # fmt: skip
    (rec,) = h.apply(from_dict(to_dict(RouteGet(netns="a", dst="10.9.0.7"))))  # type: ignore[misc]
    assert (rec["dev"], rec["prefsrc"]) == ("d0", "10.9.0.1")
    with pytest.raises(KernelError) as info:
        h.apply(RouteGet(netns="a", dst="192.0.2.1"))
    assert info.value.errno == errno.ENETUNREACH
    assert h.apply(ConntrackDelete(netns="a", proto=17, dport=53, ipv6=True)) == 0
    assert h.apply(ConntrackDelete(netns="a", proto=6, dport=53)) == 0
    assert h.apply(ConntrackDelete(netns="a", proto=17, dport=53)) == 1
    assert h.apply(ConntrackDelete(netns="a", proto=17, dst="10.9.0.1")) == 1
    assert len(w.netns("a").netfilter.conntrack) == 0
