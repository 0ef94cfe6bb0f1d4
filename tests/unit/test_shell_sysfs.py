"""The virtual ``/sys/class/net`` and ``/proc/sys/net`` files of ``netsim sh``."""

from __future__ import annotations

import errno

import pytest

from netsim import World
from netsim.shell.sysfs import SysfsError, sys_exists, sys_isdir, sys_listdir, sys_read

NET = "/sys/class/net"
DEV_FILES = [
    "addr_assign_type",
    "addr_len",
    "address",
    "broadcast",
    "carrier",
    "dev_id",
    "dev_port",
    "dormant",
    "flags",
    "ifalias",
    "ifindex",
    "iflink",
    "link_mode",
    "mtu",
    "operstate",
    "proto_down",
    "testing",
    "tx_queue_len",
    "type",
]


@pytest.fixture
def w() -> World:
    """``c`` holds eth0, whose peer veth9 (init_net) is a port of br0 (init_net)."""
    w = World(seed=1)
    w.netns_add("c")
    w.add_veth(
        "eth0",
        "veth9",
        netns="c",
        peer_netns="init_net",
        address="02:00:00:00:00:01",
        peer_address="02:00:00:00:00:02",
    )
    w.add_bridge("br0")
    w.link_set("veth9", master="br0")
    return w


def read(w: World, path: str, netns: str = "init_net") -> str | None:
    return sys_read(w, netns, path)


def test_roots(w: World) -> None:
    assert sys_listdir(w, "c", "/sys") == ["class"]
    assert sys_listdir(w, "c", "/sys/class") == ["net"]
    assert sys_listdir(w, "c", "/proc") == ["1", "self", "sys"]
    assert sys_listdir(w, "c", "/proc/sys") == ["net"]
    assert sys_isdir(w, "c", "/sys") and sys_exists(w, "c", "/sys/class/net")
    assert sys_read(w, "c", "/sys/class") is None


def test_class_net_shows_the_readers_namespace(w: World) -> None:
    assert sys_listdir(w, "c", NET) == ["eth0", "lo"]
    assert sys_listdir(w, "init_net", NET) == ["br0", "lo", "veth9"]
    assert not sys_exists(w, "c", f"{NET}/veth9")
    assert sys_read(w, "c", f"{NET}/veth9/ifindex") is None


def test_device_directory_listing(w: World) -> None:
    assert sys_listdir(w, "c", f"{NET}/eth0") == DEV_FILES
    assert sys_listdir(w, "init_net", f"{NET}/lo") == DEV_FILES
    assert sys_listdir(w, "init_net", f"{NET}/veth9") == sorted([*DEV_FILES, "brport"])
    assert sys_listdir(w, "init_net", f"{NET}/br0") == sorted([*DEV_FILES, "bridge", "brif"])
    assert sys_isdir(w, "c", f"{NET}/eth0")
    assert not sys_isdir(w, "c", f"{NET}/eth0/mtu")
    assert sys_listdir(w, "c", f"{NET}/eth0/mtu") is None


def test_veth_files_down(w: World) -> None:
    # veth_newlink registers the peer first: veth9 is 2 in init_net, eth0 is 2 in c
    want = {
        "addr_assign_type": "3\n",
        "addr_len": "6\n",
        "address": "02:00:00:00:00:01\n",
        "broadcast": "ff:ff:ff:ff:ff:ff\n",
        "dev_id": "0x0\n",
        "dev_port": "0\n",
        "flags": "0x1002\n",
        "ifalias": "",
        "ifindex": "2\n",
        "iflink": "2\n",
        "link_mode": "0\n",
        "mtu": "1500\n",
        "operstate": "down\n",
        "proto_down": "0\n",
        "tx_queue_len": "1000\n",
        "type": "1\n",
    }
    for name, text in want.items():
        assert read(w, f"{NET}/eth0/{name}", "c") == text, name


@pytest.mark.parametrize("name", ["carrier", "dormant", "testing"])
def test_running_only_files_refuse_while_down(w: World, name: str) -> None:
    with pytest.raises(SysfsError) as e:
        read(w, f"{NET}/eth0/{name}", "c")
    assert e.value.errno == errno.EINVAL
    assert sys_exists(w, "c", f"{NET}/eth0/{name}")
    assert not sys_isdir(w, "c", f"{NET}/eth0/{name}")


def test_carrier_and_operstate_follow_the_link(w: World) -> None:
    w.link_set("eth0", netns="c", up=True)
    assert read(w, f"{NET}/eth0/carrier", "c") == "0\n"
    assert read(w, f"{NET}/eth0/dormant", "c") == "0\n"
    assert read(w, f"{NET}/eth0/flags", "c") == "0x1003\n"
    w.link_set("veth9", up=True)
    w.sleep(1)
    assert read(w, f"{NET}/eth0/carrier", "c") == "1\n"
    assert read(w, f"{NET}/eth0/operstate", "c") == "up\n"
    # dev->flags: a bridge port is promiscuous and allmulti; never RUNNING/LOWER_UP
    assert read(w, f"{NET}/veth9/flags") == "0x1303\n"


def test_iflink_is_the_peers_ifindex(w: World) -> None:
    w.add_veth("a", "b")  # b = 4, a = 5 in init_net
    assert read(w, f"{NET}/a/ifindex") == "5\n"
    assert read(w, f"{NET}/a/iflink") == "4\n"
    assert read(w, f"{NET}/b/iflink") == "5\n"
    assert read(w, f"{NET}/br0/iflink") == "3\n"


def test_lo(w: World) -> None:
    assert read(w, f"{NET}/lo/address") == "00:00:00:00:00:00\n"
    assert read(w, f"{NET}/lo/broadcast") == "00:00:00:00:00:00\n"
    assert read(w, f"{NET}/lo/type") == "772\n"
    assert read(w, f"{NET}/lo/mtu") == "65536\n"
    assert read(w, f"{NET}/lo/flags") == "0x8\n"
    assert read(w, f"{NET}/lo/addr_assign_type") == "0\n"
    w.link_set("lo", up=True)
    assert read(w, f"{NET}/lo/flags") == "0x9\n"
    assert read(w, f"{NET}/lo/carrier") == "1\n"
    assert read(w, f"{NET}/lo/operstate") == "unknown\n"


def test_bridge_directory(w: World) -> None:
    assert sys_listdir(w, "init_net", f"{NET}/br0/bridge") == [
        "ageing_time",
        "bridge_id",
        "forward_delay",
        "group_fwd_mask",
        "hello_time",
        "max_age",
        "multicast_snooping",
        "nf_call_iptables",
        "priority",
        "root_id",
        "root_path_cost",
        "root_port",
        "stp_state",
    ]
    want = {
        "ageing_time": "30000\n",
        "bridge_id": "8000.020000000002\n",  # the lowest port MAC
        "forward_delay": "1500\n",
        "group_fwd_mask": "0x0\n",
        "hello_time": "200\n",
        "max_age": "2000\n",
        "priority": "32768\n",
        "root_id": "8000.020000000002\n",
        "stp_state": "0\n",
    }
    for name, text in want.items():
        assert read(w, f"{NET}/br0/bridge/{name}") == text, name
    w.bridge_set("br0", ageing_time=12.5)
    assert read(w, f"{NET}/br0/bridge/ageing_time") == "1250\n"
    assert read(w, f"{NET}/br0/bridge/nope") is None
    assert not sys_exists(w, "init_net", f"{NET}/veth9/bridge")


def test_bridge_without_ports_has_zero_id() -> None:
    w = World(seed=1)
    w.add_bridge("br0")
    assert read(w, f"{NET}/br0/bridge/bridge_id") == "8000.000000000000\n"
    assert sys_listdir(w, "init_net", f"{NET}/br0/brif") == []


def test_brif_and_brport(w: World) -> None:
    assert sys_listdir(w, "init_net", f"{NET}/br0/brif") == ["veth9"]
    ports = sys_listdir(w, "init_net", f"{NET}/veth9/brport")
    assert ports == sys_listdir(w, "init_net", f"{NET}/br0/brif/veth9")
    assert ports is not None and "state" in ports and "hairpin_mode" in ports
    want = {
        "state": "0\n",
        "hairpin_mode": "0\n",
        "learning": "1\n",
        "unicast_flood": "1\n",
        "port_no": "0x1\n",
        "port_id": "0x8001\n",
        "designated_port": "32769\n",
        "path_cost": "2\n",
        "priority": "32\n",
    }
    for name, text in want.items():
        assert read(w, f"{NET}/veth9/brport/{name}") == text, name
    w.link_set("veth9", up=True)
    w.link_set("eth0", netns="c", up=True)
    w.link_set("br0", up=True)
    w.sleep(1)
    assert read(w, f"{NET}/veth9/brport/state") == "3\n"
    assert read(w, f"{NET}/br0/brif/veth9/state") == "3\n"
    w.bridge_link_set("veth9", hairpin=True, learning=False)
    assert read(w, f"{NET}/veth9/brport/hairpin_mode") == "1\n"
    assert read(w, f"{NET}/veth9/brport/learning") == "0\n"
    assert not sys_exists(w, "c", f"{NET}/eth0/brport")
    assert not sys_exists(w, "init_net", f"{NET}/br0/brif/lo")


def test_proc_sys_net_files(w: World) -> None:
    assert sys_read(w, "c", "/proc/sys/net/ipv4/ip_forward") == "0\n"
    w.netns("c").sysctl.set("net.ipv4.ip_forward", 1)
    assert sys_read(w, "c", "/proc/sys/net/ipv4/ip_forward") == "1\n"
    assert sys_read(w, "init_net", "/proc/sys/net/ipv4/ip_forward") == "0\n"
    assert sys_read(w, "c", "/proc/sys/net/ipv4/conf/eth0/forwarding") == "1\n"
    assert sys_read(w, "c", "/proc/sys/net/ipv4/nope") is None
    assert sys_read(w, "c", "/proc/sys/net/ipv4") is None
    assert sys_read(w, "c", "/proc/sys/kernel/hostname") is None
    with pytest.raises(SysfsError) as e:
        sys_read(w, "c", "/proc/sys/net/ipv4/route/flush")
    assert e.value.errno == errno.EACCES


def test_proc_sys_net_directories(w: World) -> None:
    net = sys_listdir(w, "c", "/proc/sys/net")
    assert net is not None and {"core", "ipv4", "ipv6"} <= set(net)
    assert sys_listdir(w, "c", "/proc/sys/net/ipv4/conf") == ["all", "default", "eth0", "lo"]
    route = sys_listdir(w, "c", "/proc/sys/net/ipv4/route")
    assert route is not None and "flush" in route and route == sorted(route)
    conf = sys_listdir(w, "c", "/proc/sys/net/ipv4/conf/eth0")
    assert conf is not None and "forwarding" in conf and "rp_filter" in conf
    assert sys_isdir(w, "c", "/proc/sys/net/ipv4/conf/eth0")
    assert not sys_isdir(w, "c", "/proc/sys/net/ipv4/conf/veth9")
    assert not sys_isdir(w, "c", "/proc/sys/net/ipv4/ip_forward")
    assert sys_exists(w, "c", "/proc/sys/net/ipv4/ip_forward")
    assert sys_exists(w, "c", "/proc/sys/net/ipv4/route/flush")
    assert not sys_exists(w, "c", "/proc/sys/net/ipv4/nope")


def test_device_names_with_dots_in_proc(w: World) -> None:
    w.add_veth("v.1", "v.2", netns="c")
    conf = sys_listdir(w, "c", "/proc/sys/net/ipv4/conf")
    assert conf == ["all", "default", "eth0", "lo", "v.1", "v.2"]
    assert sys_read(w, "c", "/proc/sys/net/ipv4/conf/v.1/forwarding") == "0\n"
    assert sys_isdir(w, "c", "/proc/sys/net/ipv4/conf/v.1")


def test_unrelated_paths(w: World) -> None:
    for path in ("/", "/tmp", "/sysx", "/sys/classx", "/sys/class/netx", "/proc/net/dev"):
        assert sys_read(w, "c", path) is None
        assert sys_listdir(w, "c", path) is None
        assert not sys_exists(w, "c", path)
