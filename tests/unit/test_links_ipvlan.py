"""ipvlan devices.  The sandbox kernel has no ipvlan module, so these follow
Linux 6.18 drivers/net/ipvlan/ (``ipvlan_link_new``, ``ipvlan_set_port_mode``,
``ipvlan_xmit_mode_l2``/``_l3``, ``ipvlan_process_v4_outbound``,
``ipvlan_handle_frame``, ``ipvlan_device_event``) and
Documentation/networking/ipvlan.rst; iproute2 6.1 ip/iplink_ipvlan.c for the
command line."""

from __future__ import annotations

import errno
import json

import pytest

from netsim import KernelError, World
from netsim.kernel.links.base import IFF_NOARP
from netsim.kernel.links.ipvlan import Ipvlan, IpvlanMode

LOWER = "02:00:00:00:00:c0"


@pytest.fixture
def w() -> World:
    """``n`` holds eth0 (up), whose peer ``peer0`` is in ``ext`` (10.30.0.254/24);
    ``p`` and ``q`` will hold ipvlans."""
    w = World(seed=9)
    for n in ("n", "p", "q", "ext"):
        w.netns_add(n)
        w.link_set("lo", netns=n, up=True)
    w.add_veth("eth0", "peer0", netns="n", peer_netns="ext", address=LOWER)
    w.link_set("eth0", netns="n", up=True)
    w.link_set("peer0", netns="ext", up=True)
    w.addr_add("10.30.0.254/24", dev="peer0", netns="ext")
    return w


def two(w: World, mode: str, flag: str = "bridge") -> tuple[Ipvlan, Ipvlan]:
    out = []
    for i, n in enumerate(("p", "q"), 1):
        out.append(w.add_ipvlan(f"ip{n}", "eth0", netns="n", mode=mode, flag=flag))
        w.link_set(f"ip{n}", netns="n", to_netns=n)
        w.addr_add(f"10.30.0.{i}/24", dev=f"ip{n}", netns=n)
        w.link_set(f"ip{n}", netns=n, up=True)
    w.sleep(1.1)
    return out[0], out[1]


def test_shares_the_lowers_mac_and_mtu(w: World) -> None:
    v = w.add_ipvlan("ipv0", "eth0", netns="n")
    assert str(v.address) == LOWER and v.mtu == 1500 and v.port.mode == IpvlanMode.L3
    assert not v.flags & IFF_NOARP  # l3 by default, but NOARP only once opened (ipvlan_open())
    out = w.sh("ip -n n -d link show ipv0").stdout
    assert out.startswith("3: ipv0@eth0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop")
    assert "\n    ipvlan  mode l3 bridge " in out
    data = json.loads(w.sh("ip -n n -j -d link show ipv0").stdout)[0]["linkinfo"]["info_data"]
    assert data == {"mode": "l3", "bridge": True}
    w.link_set("ipv0", netns="n", up=True)
    w.sleep(1.1)
    # ipvlan_link_new() fires no link-watch event (the carrier bit ipvlan_init()
    # copied does not change), so the stored operstate stays IF_OPER_UNKNOWN
    out = w.sh("ip -n n link show ipv0").stdout
    assert out.startswith(
        "3: ipv0@eth0: <BROADCAST,MULTICAST,NOARP,UP,LOWER_UP> mtu 1500 "
        "qdisc noqueue state UNKNOWN "
    )


def test_mode_and_flag_belong_to_the_lower(w: World) -> None:
    """The latest ``ip link add`` sets them for every ipvlan on that lower."""
    a = w.add_ipvlan("a", "eth0", netns="n", mode="l2")
    assert not a.flags & IFF_NOARP
    assert w.sh("ip -n n link add ipb link eth0 type ipvlan mode l3 private").status == 0
    assert a.flags & IFF_NOARP and a.info_data() == {"mode": "l3", "private": True}


def test_refused(w: World) -> None:
    with pytest.raises(KernelError) as e:
        w.add_ipvlan("x", "lo", netns="n")
    assert e.value.errno == errno.EINVAL
    with pytest.raises(KernelError) as e:
        w.add_ipvlan("x", None, netns="n")
    assert e.value.errno == errno.EINVAL
    w.add_macvlan("mv", "eth0", netns="n")
    with pytest.raises(KernelError) as e:
        w.add_ipvlan("x", "eth0", netns="n")
    assert e.value.errno == errno.EBUSY
    res = w.sh("ip -n n link add x link eth0 type ipvlan mode l4")
    assert (res.status, res.stderr) == (
        1,
        'Error: argument of "mode" must be either "l2", "l3" or "l3s"\n',
    )
    res = w.sh("ip -n n link add x link eth0 type ipvlan foo")
    assert res.status == 1 and res.stderr.startswith('ipvlan: unknown option "foo"?\nUsage:')


@pytest.mark.parametrize("mode", ["l2", "l3", "l3s"])
def test_siblings_talk(w: World, mode: str) -> None:
    two(w, mode)
    assert w.ping("10.30.0.2", netns="p").received == 1


@pytest.mark.parametrize("mode", ["l2", "l3"])
def test_private_siblings_do_not(w: World, mode: str) -> None:
    two(w, mode, flag="private")
    assert w.ping("10.30.0.2", netns="p").received == 0


def test_l2_arp_from_outside_reaches_them(w: World) -> None:
    """l2: the outside resolves each ipvlan's address to the shared MAC."""
    two(w, "l2")
    assert w.ping("10.30.0.2", netns="ext").received == 1
    neigh = w.sh("ip -n ext neigh").stdout
    assert neigh == f"10.30.0.2 dev peer0 lladdr {LOWER} REACHABLE \n"


def test_l3_is_routed_in_the_lowers_namespace(w: World) -> None:
    """l3: no ARP from the ipvlan; its packet to the outside is routed by ``n``
    (out of eth0, ``n`` resolving the next hop); the reply comes back by
    destination IP.  ``ext`` needs a static entry: nothing answers ARP for an
    l3 ipvlan's address."""
    w.addr_add("10.30.0.100/24", dev="eth0", netns="n")
    two(w, "l3")
    w.neigh_add("10.30.0.1", lladdr=LOWER, dev="peer0", netns="ext")
    assert w.ping("10.30.0.254", netns="p").received == 1
    assert "10.30.0.254 dev eth0 lladdr" in w.sh("ip -n n neigh").stdout
    assert w.sh("ip -n p neigh").stdout == ""  # NOARP entries are not listed


def test_deleting_the_lower_deletes_them(w: World) -> None:
    two(w, "l2")
    w.link_del("eth0", netns="n")
    assert [d.ifname for d in w.netns("p")] == ["lo"]
    assert [d.ifname for d in w.netns("q")] == ["lo"]
