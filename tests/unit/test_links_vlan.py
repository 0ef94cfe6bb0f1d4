"""802.1Q VLAN devices.  The sandbox kernel has no 8021q module, so these
follow the Linux 6.18 source: net/8021q/vlan_netlink.c (``vlan_validate``,
``vlan_newlink``, ``vlan_fill_info``), vlan_dev.c (``vlan_dev_init``,
``vlan_dev_open``, ``vlan_dev_hard_start_xmit``, ``vlan_dev_change_mtu``),
vlan_core.c (``vlan_do_receive``), vlan.c (``vlan_device_event``), and
net/core/dev.c (``__netif_receive_skb_core``: a tag nobody takes makes the
frame PACKET_OTHERHOST); iproute2 6.1 ip/iplink_vlan.c for the command line."""

from __future__ import annotations

import errno
import json

import pytest

from netsim import KernelError, World
from netsim.addr import MacAddr
from netsim.kernel.links.base import AddrAssignType
from netsim.kernel.links.vlan import VLAN_FLAG_LOOSE_BINDING, VlanDev
from netsim.kernel.skb import PACKET_OTHERHOST, Skb
from netsim.packet import Dot1Q, Ethernet

A0, B0 = "02:00:00:00:00:a0", "02:00:00:00:00:b0"
_ON_OFF = 'Error: argument of "reorder_hdr" must be "on" or "off", not "maybe"\n'


@pytest.fixture
def w() -> World:
    """eth0 in ``a`` and eth0 in ``b``, a veth pair, down."""
    w = World(seed=5)
    for n in ("a", "b"):
        w.netns_add(n)
        w.link_set("lo", netns=n, up=True)
    w.add_veth("eth0", "eth0", netns="a", peer_netns="b", address=A0, peer_address=B0)
    return w


def test_identity(w: World) -> None:
    """The real device's MAC (stolen), MTU and broadcast flags; min_mtu 0."""
    v = w.add_vlan("eth0.10", "eth0", 10, netns="a")
    assert isinstance(v, VlanDev)
    assert v.address == MacAddr(A0) and v.addr_assign_type == AddrAssignType.STOLEN
    assert (v.mtu, v.min_mtu, v.max_mtu) == (1500, 0, 65535)
    out = w.sh("ip -n a -d link show eth0.10").stdout
    assert out.startswith("3: eth0.10@eth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop")
    assert "\n    vlan protocol 802.1Q id 10 <REORDER_HDR> " in out
    info = json.loads(w.sh("ip -n a -j -d link show eth0.10").stdout)[0]["linkinfo"]
    assert info == {
        "info_kind": "vlan",
        "info_data": {"protocol": "802.1Q", "id": 10, "flags": ["REORDER_HDR"]},
    }


def test_flags_on_the_command_line(w: World) -> None:
    w.sh("ip -n a link add link eth0 name v type vlan id 7 reorder_hdr off loose_binding on")
    data = json.loads(w.sh("ip -n a -j -d link show v").stdout)[0]["linkinfo"]["info_data"]
    assert data == {"protocol": "802.1Q", "id": 7, "flags": ["LOOSE_BINDING"]}
    w.sh("ip -n a link add link eth0 name u type vlan id 8 reorder_hdr off")
    assert "vlan protocol 802.1Q id 8 " in w.sh("ip -n a -d link show u").stdout
    assert "<" not in w.sh("ip -n a -d link show u").stdout.split("vlan protocol")[1]


@pytest.mark.parametrize(
    ("line", "status", "err"),
    [
        ("id 10", 2, "Error: 8021q: VLAN device already exists.\n"),
        ("id 4095", 2, "Error: 8021q: Invalid VLAN id.\n"),
        ("id 70000", 255, 'Error: argument "70000" is wrong: id is invalid\n'),
        ("", 2, "Error: 8021q: VLAN properties not specified.\n"),
        ("protocol ip id 5", 2, "Error: 8021q: Invalid VLAN protocol.\n"),
        ("protocol foo id 5", 255, 'Error: argument "foo" is wrong: protocol is invalid\n'),
        (
            "reorder_hdr maybe",
            1,
            'Error: argument of "reorder_hdr" must be "on" or "off", not "maybe"\n',
        ),
    ],
)
def test_refused(w: World, line: str, status: int, err: str) -> None:
    w.add_vlan("eth0.10", "eth0", 10, netns="a")
    res = w.sh(f"ip -n a link add link eth0 name v type vlan {line}")
    assert (res.status, res.stderr) == (status, err)


def test_refused_by_the_device(w: World) -> None:
    with pytest.raises(KernelError) as e:
        w.add_vlan("v", "lo", 5, netns="a")
    assert e.value.errno == errno.EOPNOTSUPP and "VLANs not supported" in str(e.value)
    with pytest.raises(KernelError) as e:
        w.add_vlan("v", None, 5, netns="a")
    assert e.value.errno == errno.EINVAL and "link not specified" in str(e.value)
    with pytest.raises(KernelError) as e:
        w.add_vlan("v", "eth0", 5, netns="a", mtu=1501)
    assert e.value.errno == errno.EINVAL


def test_admin_state_follows_the_real_device(w: World) -> None:
    """Not up while the real device is down; opened and closed with it."""
    v = w.add_vlan("eth0.10", "eth0", 10, netns="a")
    loose = w.add_vlan("eth0.11", "eth0", 11, netns="a", flags=VLAN_FLAG_LOOSE_BINDING,
                       flags_mask=VLAN_FLAG_LOOSE_BINDING)  # fmt: skip
    with pytest.raises(KernelError) as e:
        w.link_set("eth0.10", netns="a", up=True)
    assert e.value.errno == errno.ENETDOWN
    w.link_set("eth0.11", netns="a", up=True)  # loose binding: allowed
    w.link_set("eth0", netns="a", up=True)
    assert v.up and loose.up
    w.link_set("eth0", netns="a", up=False)
    assert not v.up and loose.up


def test_carrier_follows_the_real_device(w: World) -> None:
    v = w.add_vlan("eth0.10", "eth0", 10, netns="a")
    w.link_set("eth0", netns="a", up=True)
    w.sleep(1.1)
    assert not v.carrier  # b's end is down
    w.link_set("eth0", netns="b", up=True)
    w.sleep(1.1)
    assert v.carrier and v.reported_operstate().name == "UP"


def test_mtu_never_above_the_real_device(w: World) -> None:
    v = w.add_vlan("eth0.10", "eth0", 10, netns="a")
    res = w.sh("ip -n a link set eth0.10 mtu 1600")
    assert (res.status, res.stderr) == (2, "RTNETLINK answers: Numerical result out of range\n")
    w.link_set("eth0", netns="a", mtu=1400)
    assert v.mtu == 1400


def _up(w: World) -> None:
    for n, ip in (("a", "10.10.0.1/24"), ("b", "10.10.0.2/24")):
        w.add_vlan("eth0.10", "eth0", 10, netns=n)
        w.addr_add(ip, dev="eth0.10", netns=n)
        w.link_set("eth0", netns=n, up=True)
    w.sleep(1.1)


def test_traffic_is_tagged_on_the_wire(w: World) -> None:
    """What b's eth0 receives carries VID 10; it arrives untagged on eth0.10."""
    _up(w)
    seen: list[tuple[str, object]] = []
    w.netns("b").taps.append(lambda skb, dev, out: seen.append((dev.ifname, skb.frame.vlan)))
    assert w.ping("10.10.0.2", netns="a").received == 1
    assert seen and all(vlan is None and dev == "eth0.10" for dev, vlan in seen)
    steps = [str(s) for t in w.traces() for s in t.steps]
    assert "RECEIVED eth0 (vlan 10)" in steps


def test_a_vid_nobody_has_is_for_another_host(w: World) -> None:
    """A tag no VLAN device takes: PACKET_OTHERHOST up the real device (dropped)."""
    _up(w)
    w.addr_add("10.30.0.2/24", dev="eth0", netns="b")
    w.add_vlan("eth0.30", "eth0", 30, netns="a")
    w.addr_add("10.30.0.1/24", dev="eth0.30", netns="a")
    assert w.ping("10.30.0.2", netns="a").received == 0
    eth0 = w.dev("eth0", netns="b")
    frame = Ethernet(MacAddr(B0), MacAddr(A0), 0x88B5, b"x", vlan=Dot1Q(30))
    skb = Skb(frame, 0, None, None)
    skb.dev = eth0
    eth0.receive(skb)
    assert skb.pkt_type == PACKET_OTHERHOST


def test_deleting_the_real_device_deletes_its_vlans(w: World) -> None:
    _up(w)
    w.link_del("eth0", netns="b")  # its peer in a goes too, and a's VLAN
    assert [d.ifname for d in w.netns("a")] == ["lo"]
    assert [d.ifname for d in w.netns("b")] == ["lo"]
