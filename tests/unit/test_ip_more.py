"""``ip netns identify|set|list-id``, ``ip neigh`` states and proxies, multipath
routes, ``ip route change`` and ``ip -6`` through the World API and ``netsim
sh`` (the texts were taken from iproute2 6.1 on the real kernel; the kernel
comparisons are the ``scenarios/iproute/*.sh`` scripts)."""

from __future__ import annotations

import errno

import pytest

from netsim import KernelError, World


@pytest.fixture
def w() -> World:
    w = World(seed=1)
    w.sh(
        "ip link add v0 type veth peer name v1\nip link add w0 type veth peer name w1\n"
        "ip addr add 10.0.0.1/24 dev v0\nip addr add 10.1.0.1/24 dev w0\n"
        "for d in v0 v1 w0 w1; do ip link set $d up; done\n"
    )
    return w


def test_netns_identify() -> None:
    w = World(seed=1)
    r = w.sh(
        "ip netns add a\nip netns identify\nip netns exec a ip netns identify\n"
        "ip -n a netns identify\nip netns identify 1; echo $?\n"
    )
    assert r.stdout == "\na\na\n1\n"
    assert r.stderr == "Cannot open network namespace: No such file or directory\n"


def test_netns_set_and_list_id() -> None:
    w = World(seed=1)
    r = w.sh("ip netns add a\nip netns add b\nip netns set a 5\nip netns set b auto\n"
             "ip netns list-id\nip netns\nip netns set a 7 2>&1; echo $?\n")  # fmt: skip
    assert r.stdout == (
        "nsid 0 (iproute2 netns name: b)\nnsid 5 (iproute2 netns name: a)\n"
        "b (id: 0)\na (id: 5)\nError: Peer netns already has a nsid assigned.\n2\n"
    )


def test_neigh_without_lladdr_leaves_a_none_entry(w: World) -> None:
    with pytest.raises(KernelError) as e:
        w.neigh_add("10.0.0.5", dev="v0")
    assert e.value.message == "Error: No link layer address given."
    assert w.sh("ip neigh show nud none").stdout == "10.0.0.5 dev v0 \n"
    w.neigh_add("10.0.0.5", dev="v0", lladdr="02:00:00:00:00:05", create=False)
    assert w.sh("ip neigh show 10.0.0.5").stdout == (
        "10.0.0.5 dev v0 lladdr 02:00:00:00:00:05 PERMANENT \n"
    )


def test_neigh_change_needs_an_entry(w: World) -> None:
    with pytest.raises(KernelError) as e:
        w.neigh_add("10.0.0.6", dev="v0", lladdr="02:00:00:00:00:06", create=False)
    assert e.value.errno == errno.ENOENT


def test_neigh_flush_keeps_permanent_by_default(w: World) -> None:
    w.neigh_add("10.0.0.5", dev="v0", lladdr="02:00:00:00:00:05")
    w.neigh_add("10.0.0.6", dev="v0", lladdr="02:00:00:00:00:06", nud="stale")
    assert w.neigh_flush(dev="v0") == 1
    assert w.sh("ip -s neigh flush nud all").stdout == (
        "\n*** Round 1, deleting 1 entries ***\n*** Flush is complete after 1 round ***\n"
    )


def test_neigh_proxy(w: World) -> None:
    r = w.sh("ip neigh add proxy 10.0.0.50 dev v0\nip neigh add proxy 10.0.0.51\n"
             "ip neigh show proxy\nip neigh show\n")  # fmt: skip
    assert r.stdout == "10.0.0.50 dev v0 proxy \n10.0.0.51 proxy \n"
    w.sh("ip link set v0 down")
    assert w.sh("ip neigh show proxy").stdout == "10.0.0.51 proxy \n"


def test_a_new_hardware_address_flushes_the_neighbours(w: World) -> None:
    """``arp_netdev_event(NETDEV_CHANGEADDR)``: every entry on the device goes,
    permanent ones too, even for the same address again; proxy entries stay (as
    6.18 does it); a bridge whose MAC follows a removed port flushes its own."""
    w.sh("ip neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev v0 nud permanent\n"
         "ip neigh add 10.0.0.6 lladdr 02:00:00:00:00:06 dev v0 nud stale\n"
         "ip neigh add 10.1.0.6 lladdr 02:00:00:00:00:06 dev w0 nud stale\n"
         "ip neigh add proxy 10.0.0.50 dev v0")  # fmt: skip
    w.sh("ip link set v0 address $(cat /sys/class/net/v0/address)")
    assert w.sh("ip neigh show").stdout == "10.1.0.6 dev w0 lladdr 02:00:00:00:00:06 STALE \n"
    assert w.sh("ip neigh show proxy").stdout == "10.0.0.50 dev v0 proxy \n"
    r = w.sh("ip link add p1 address 02:00:00:00:00:01 type veth peer name q1\n"
             "ip link add p2 address 02:00:00:00:00:02 type veth peer name q2\n"
             "ip link add br1 type bridge\nip link set p1 master br1\nip link set p2 master br1\n"
             "ip link set br1 up\nip addr add 10.2.0.1/24 dev br1\n"
             "ip neigh add 10.2.0.5 lladdr 02:00:00:00:00:05 dev br1 nud stale\n"
             "ip link del p2\nip neigh show dev br1\n"
             "ip link del p1\nip neigh show dev br1")  # fmt: skip
    assert r.stdout == "10.2.0.5 lladdr 02:00:00:00:00:05 STALE \n", r.stderr


def test_multipath_route(w: World) -> None:
    w.route_add("10.70.0.0/16", nexthops=[("10.0.0.2", None, 1), ("10.1.0.2", "w0", 3)])
    assert w.sh("ip route show 10.70.0.0/16").stdout == (
        "10.70.0.0/16 \n\tnexthop via 10.0.0.2 dev v0 weight 1 \n"
        "\tnexthop via 10.1.0.2 dev w0 weight 3 \n"
    )
    hop = w.route_get("10.70.1.1").gateway
    assert all(w.route_get("10.70.1.1").gateway == hop for _ in range(5))
    with pytest.raises(KernelError):
        w.route_del("10.70.0.0/16", nexthops=[("10.1.0.2", None, 1), ("10.0.0.2", None, 1)])
    w.route_del("10.70.0.0/16", nexthops=[("10.0.0.2", None, 1), ("10.1.0.2", None, 1)])
    assert "10.70" not in w.sh("ip route").stdout


def test_route_change_never_creates(w: World) -> None:
    with pytest.raises(KernelError) as e:
        w.route_add("10.5.0.0/16", via="10.0.0.2", mode="change")
    assert e.value.message == "RTNETLINK answers: No such file or directory"
    w.route_add("10.5.0.0/16", via="10.0.0.2")
    w.route_add("10.5.0.0/16", via="10.1.0.2", mode="change")
    assert w.sh("ip route show 10.5.0.0/16").stdout == "10.5.0.0/16 via 10.1.0.2 dev w0 \n"


def test_ipv6_is_refused_honestly(w: World) -> None:
    r = w.sh(
        "ip -6 addr; ip -6 route; ip -6 -j route\n"
        "ip addr add 2001:db8::1/64 dev v0 2>&1; echo $?\n"
        "ip -6 route add unreachable 2001:db8::/64 2>&1; echo $?\n"
    )
    assert r.stdout == (
        "[]\nError: ipv6: IPv6 is disabled on this device.\n2\nnetsim: IPv6 is not modelled\n2\n"
    )
