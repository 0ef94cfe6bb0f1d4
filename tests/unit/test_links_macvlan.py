"""macvlan: creation rules, carrier, the lower's promiscuity, the modes' data
paths, passthru, deletion.  Checked against the real kernel in
tests/differential/test_macvlan.py; the rest follows drivers/net/macvlan.c
(Linux 6.18: ``macvlan_common_newlink``, ``macvlan_queue_xmit``,
``macvlan_handle_frame``, ``macvlan_device_event``)."""

from __future__ import annotations

import errno
import json

import pytest

from netsim import Disposition, KernelError, World
from netsim.addr import MacAddr
from netsim.kernel.links.macvlan import Macvlan, MacvlanMode, eth_hash
from netsim.kernel.links.veth import Veth

LOWER = "02:00:00:00:00:e0"


@pytest.fixture
def w() -> World:
    """Namespace ``host`` with eth0 (up, carrier: its peer ``peer0`` is up too)."""
    w = World(seed=3)
    for n in ("host", "a", "b"):
        w.netns_add(n)
        w.link_set("lo", netns=n, up=True)
    w.add_veth("eth0", "peer0", netns="host", address=LOWER)
    w.link_set("eth0", netns="host", up=True)
    w.link_set("peer0", netns="host", up=True)
    w.addr_add("10.0.0.254/24", dev="eth0", netns="host")
    return w


def pair(w: World, mode: str, names: tuple[str, str] = ("a", "b")) -> None:
    """A macvlan per namespace in ``names``, 10.0.0.1 and 10.0.0.2, up."""
    for i, n in enumerate(names, 1):
        w.add_macvlan(f"mv{n}", "eth0", netns="host", mode=mode)
        w.link_set(f"mv{n}", netns="host", to_netns=n)
        w.addr_add(f"10.0.0.{i}/24", dev=f"mv{n}", netns=n)
        w.link_set(f"mv{n}", netns=n, up=True)
    w.sleep(1.1)


def test_defaults() -> None:
    """Mode vepa, the lower's MTU, a random MAC of its own, ``mv0@eth0``."""
    w = World(seed=1)
    w.add_veth("eth0", "eth1", mtu=1400)
    mv = w.add_macvlan("mv0", "eth0")
    assert mv.mode == MacvlanMode.VEPA and mv.mtu == 1400
    assert mv.address != w.dev("eth0").address and mv.address.is_valid_ether
    assert mv.iflink() == w.dev("eth0").ifindex
    assert w.sh("ip link show mv0").stdout.startswith("4: mv0@eth0: <BROADCAST,MULTICAST,M-DOWN>")
    rec = json.loads(w.sh("ip -j -d link show mv0").stdout)[0]
    assert rec["linkinfo"] == {
        "info_kind": "macvlan",
        "info_data": {"mode": "vepa", "bcqueuelen": 1000, "usedbcqueuelen": 1000},
    }


@pytest.mark.parametrize(
    ("kwargs", "err"),
    [
        ({"link": None}, errno.EINVAL),
        ({"link": "lo"}, errno.EINVAL),
        ({"mtu": 1501}, errno.EINVAL),
        ({"mode": "bridge", "macaddrs": ("02:00:00:00:00:01",)}, errno.EINVAL),
        ({"address": "01:00:00:00:00:01"}, errno.EADDRNOTAVAIL),
    ],
)
def test_refused(w: World, kwargs: dict[str, object], err: int) -> None:
    args = {"link": "eth0", **kwargs}
    with pytest.raises(KernelError) as e:
        w.add_macvlan("mv0", args.pop("link"), netns="host", **args)  # type: ignore[arg-type]
    assert e.value.errno == err
    assert w.dev("eth0", netns="host").rx_handler is None  # no port left behind


def test_lower_busy_both_ways(w: World) -> None:
    """A bridge port cannot be a macvlan lower, nor a macvlan lower a bridge port."""
    w.add_bridge("br0", netns="host")
    w.add_veth("x0", "x1", netns="host")
    w.link_set("x0", netns="host", master="br0")
    with pytest.raises(KernelError) as e:
        w.add_macvlan("mv0", "x0", netns="host")
    assert e.value.errno == errno.EBUSY
    w.add_macvlan("mv0", "eth0", netns="host")
    res = w.sh("ip -n host link set eth0 master br0")
    assert (res.status, res.stderr) == (2, "RTNETLINK answers: Device or resource busy\n")


def test_macvlan_on_a_macvlan_sits_on_the_real_lower(w: World) -> None:
    w.add_macvlan("mv0", "eth0", netns="host")
    mv1 = w.add_macvlan("mv1", "mv0", netns="host")
    assert isinstance(mv1, Macvlan) and mv1.lower is w.dev("eth0", netns="host")


def test_passthru_only_alone(w: World) -> None:
    """One passthru per lower, and nothing beside it."""
    w.add_macvlan("mv0", "eth0", netns="host", mode="bridge")
    with pytest.raises(KernelError):
        w.add_macvlan("pt", "eth0", netns="host", mode="passthru")
    w.add_veth("e2", "e3", netns="host", address="02:00:00:00:00:f0")
    pt = w.add_macvlan("pt", "e2", netns="host", mode="passthru")
    for mode in ("passthru", "bridge"):
        with pytest.raises(KernelError):
            w.add_macvlan("pu", "e2", netns="host", mode=mode)
    assert pt.address == MacAddr("02:00:00:00:00:f0")


def test_passthru_promisc_and_mac(w: World) -> None:
    """Up, it makes the lower promiscuous; its MAC changes are the lower's;
    deleting it gives the lower its own MAC back."""
    w.add_veth("e2", "e3", netns="host", address="02:00:00:00:00:f0")
    w.add_macvlan("pt", "e2", netns="host", mode="passthru")
    e2 = w.dev("e2", netns="host")
    w.link_set("pt", netns="host", up=True)
    assert e2.promiscuity == 1
    w.link_set("pt", netns="host", address="02:00:00:00:00:f7")
    assert e2.address == MacAddr("02:00:00:00:00:f7") == w.dev("pt", netns="host").address
    w.link_del("pt", netns="host")
    assert e2.address == MacAddr("02:00:00:00:00:f0") and e2.promiscuity == 0
    assert e2.rx_handler is None


def test_carrier_follows_the_lower(w: World) -> None:
    mv = w.add_macvlan("mv0", "eth0", netns="host", mode="bridge")
    w.link_set("mv0", netns="host", up=True)
    w.sleep(1.1)
    assert mv.reported_operstate().name == "UP"
    w.link_set("peer0", netns="host", up=False)  # eth0 loses carrier
    w.sleep(1.1)
    assert not mv.carrier and mv.reported_operstate().name == "LOWERLAYERDOWN"


def test_lower_goes_promiscuous_for_the_unicast_list(w: World) -> None:
    """__dev_set_rx_mode(): veth has no unicast filter, so an up macvlan's MAC
    on its list makes it promiscuous while it is up (T: test_macvlan)."""
    eth0 = w.dev("eth0", netns="host")
    w.add_macvlan("mv0", "eth0", netns="host", mode="bridge")
    w.link_set("mv0", netns="host", up=True)
    assert eth0.promiscuity == 1
    w.link_set("mv0", netns="host", up=False)
    assert eth0.promiscuity == 0


def test_address_in_use(w: World) -> None:
    w.add_macvlan("mv0", "eth0", netns="host", address=LOWER)
    with pytest.raises(KernelError) as e:
        w.link_set("mv0", netns="host", up=True)
    assert e.value.errno == errno.EADDRINUSE
    assert not w.dev("mv0", netns="host").up


def test_bridge_mode_siblings_talk(w: World) -> None:
    pair(w, "bridge")
    assert w.ping("10.0.0.2", netns="a").received == 1


@pytest.mark.parametrize("mode", ["private", "vepa"])
def test_private_and_vepa_siblings_do_not(w: World, mode: str) -> None:
    """Without a hairpin switch outside, their frames leave by the lower."""
    pair(w, mode)
    assert w.ping("10.0.0.2", netns="a").received == 0


def test_nobody_reaches_the_lowers_own_stack(w: World) -> None:
    """The lower's transmissions never come back to it, nor do its macvlans'."""
    pair(w, "bridge")
    assert w.ping("10.0.0.254", netns="a").received == 0
    assert w.ping("10.0.0.1", netns="host").received == 0


def test_the_outside_reaches_every_mode() -> None:
    """macvlan_handle_frame(): an ARP broadcast from outside reaches every up
    macvlan (``macvlan_multicast_rx`` with no source macvlan), and a unicast to
    a macvlan's MAC goes to that macvlan."""
    w = World(seed=2)
    w.netns_add("out")
    w.add_veth("eth0", "peer0", peer_netns="out")
    w.link_set("eth0", up=True)
    w.link_set("peer0", netns="out", up=True)
    w.addr_add("10.0.0.9/24", dev="peer0", netns="out")
    for i, mode in enumerate(("private", "vepa", "bridge"), 1):
        w.netns_add(mode)
        w.add_macvlan("mv0", "eth0", mode=mode)
        w.link_set("mv0", to_netns=mode)
        w.addr_add(f"10.0.0.{i}/24", dev="mv0", netns=mode)
        w.link_set("mv0", netns=mode, up=True)
    w.sleep(1.1)
    for i, mode in enumerate(("private", "vepa", "bridge"), 1):
        assert w.ping(f"10.0.0.{i}", netns="out").received == 1, mode
        reply_to = w.traces()[-1]
        assert reply_to.disposition == Disposition.DELIVERED
    request = [t for t in w.traces() if t.steps and t.steps[-1].device == "mv0"]
    assert request, "echo requests were delivered on the macvlans"


def test_deleting_the_lower_deletes_its_macvlans_moving_it_does_not(w: World) -> None:
    pair(w, "bridge")
    w.link_set("eth0", netns="host", to_netns="b")  # a move: they stay
    assert "mva" in w.netns("a")
    w.link_del("eth0", netns="b")  # and takes peer0 and both macvlans
    assert [d.ifname for d in w.netns("a")] == ["lo"]
    assert [d.ifname for d in w.netns("b")] == ["lo"]


def test_lower_mtu_pulls_the_macvlans_down(w: World) -> None:
    mv = w.add_macvlan("mv0", "eth0", netns="host")
    w.link_set("eth0", netns="host", mtu=1400)
    assert mv.mtu == 1400
    with pytest.raises(KernelError):
        w.link_set("mv0", netns="host", mtu=1450)
    w.link_set("eth0", netns="host", mtu=1500)
    assert mv.mtu == 1400


def test_source_mode_remotes_in_the_kernels_hash_order(w: World) -> None:
    """``remotes (2) 02:..:02 02:..:01`` as 6.18 lists them (test_macvlan)."""
    w.add_macvlan("src0", "eth0", netns="host", mode="source",
                  macaddrs=("02:00:00:00:00:01", "02:00:00:00:00:02"))  # fmt: skip
    out = w.sh("ip -n host -d link show src0").stdout
    assert "macvlan mode source bcqueuelen 1000 usedbcqueuelen 1000 remotes (2) " \
        "02:00:00:00:00:02 02:00:00:00:00:01 " in out  # fmt: skip
    assert eth_hash(MacAddr("02:00:00:00:00:02")) < eth_hash(MacAddr("02:00:00:00:00:01"))


def test_cli_errors(w: World) -> None:
    """iproute2 6.1's own messages (test_macvlan checks them on the kernel)."""
    res = w.sh("ip -n host link add m link eth0 type macvlan mode foo")
    assert res.status == 1 and res.stderr.startswith('Error: argument of "mode" must be')
    res = w.sh("ip -n host link add m link nope type macvlan")
    assert (res.status, res.stderr) == (1, 'Cannot find device "nope"\n')
    res = w.sh("ip -n host link add m link eth0 type macvlan nopromisc")
    assert res.stderr.startswith("macvlan: nopromisc flag only valid in passthru mode\nUsage:")
    assert isinstance(w.dev("eth0", netns="host"), Veth)


def test_an_up_macvlans_mac_is_on_the_lowers_unicast_list(w: World) -> None:
    """macvlan_open()/macvlan_stop(): dev_uc_add()/dev_uc_del() of its MAC on the
    lower, which ``bridge fdb show`` lists as ``self permanent`` (Linux 6.18, as
    tests/differential/test_host_backends.py compares); a MAC change while up
    moves the entry (macvlan_sync_address())."""
    mv = w.add_macvlan("mv0", "eth0", netns="host", mode="bridge", address="02:00:00:00:00:43")
    eth0 = w.dev("eth0", netns="host")
    assert eth0.uc_list == []
    w.link_set("mv0", netns="host", up=True)
    assert eth0.uc_list == [MacAddr("02:00:00:00:00:43")]
    out = w.sh("bridge -n host fdb show dev eth0").stdout
    assert "02:00:00:00:00:43 self permanent" in out
    w.link_set("mv0", netns="host", address="02:00:00:00:00:44")
    assert eth0.uc_list == [MacAddr("02:00:00:00:00:44")]
    w.link_set("mv0", netns="host", up=False)
    assert eth0.uc_list == [] and mv.address == MacAddr("02:00:00:00:00:44")


def test_made_in_another_namespace(w: World) -> None:
    """``ip link add ... netns a`` as netlink sends it (IFLA_NET_NS_FD): the
    lower is the request's, the name and ifindex are the target's, and the
    target numbers the lower's namespace (rtnl_fill_link_netnsid())."""
    mv = w.add_macvlan("eth0", "eth0", netns="a", link_netns="host", mode="bridge")
    assert mv.netns is w.netns("a") and mv.lower is w.dev("eth0", netns="host")
    assert mv.ifindex == 2
    assert w.netns("a").netns_ids == {w.netns("host"): 0}
    assert "2: eth0@if3: " in w.sh("ip -n a link show eth0").stdout
