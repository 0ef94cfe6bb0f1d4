"""The host-device plugin (plugins/main/host-device/host-device.go v1.1.1): the
moves in and out on SimHost and their operations; the selection and its
errors.  The texts were taken from the real /usr/lib/cni/host-device
(scenarios/cni/host-device.sh)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from netsim.cni.errors import CniError
from netsim.cni.plugins.main import host_device
from netsim.cni.plugins.main.host_device import go_clean, go_join
from netsim.cni.skel import CmdArgs
from netsim.host.ops import LinkSet
from tests.unit.test_cni_bridge import setup
from tests.unit.test_cni_macvlan import exact, prefix

BASE = {"cniVersion": "1.0.0", "name": "hd", "type": "host-device"}


def args(conf: dict[str, Any], netns: str = "/var/run/netns/pod1") -> CmdArgs:
    return CmdArgs("c1", netns, "net1", "", "/usr/lib/cni", json.dumps(conf))


def test_go_clean_and_join() -> None:
    """filepath.Clean / Join: no reset on an absolute part, ``..`` stops at the root."""
    assert go_join("/sys/bus/pci/devices", "/x/", "driver") == "/sys/bus/pci/devices/x/driver"
    assert go_clean("//sys/../../devices/./virtual/") == "/devices/virtual"
    assert go_clean("a/../..") == ".."


def test_move_in_and_out_with_the_alias() -> None:
    """moveLinkIn: netns, down, alias, name, up; moveLinkOut: down, the alias
    as name, home; it stays down with the alias (the kernel keeps ifalias)."""
    w, host, drive = setup()
    w.add_veth("hd0", "hd0p", netns="node")
    w.link_set("hd0", netns="node", up=True)
    w.addr_add("10.70.0.9/24", dev="hd0", netns="node")
    out = drive(host_device.cmd_add, args({**BASE, "device": "hd0"}))
    dev = w.dev("net1", netns="pod1")
    assert out["interfaces"] == [
        {"name": "net1", "mac": str(dev.address), "sandbox": "/var/run/netns/pod1"}
    ]
    assert out["dns"] == {} and dev.ifalias == "hd0" and dev.up and dev.ifindex == 3
    assert [op for op in host.ops if isinstance(op, LinkSet)][-5:] == [
        LinkSet(netns="node", ifname="hd0", to_netns="pod1"),
        LinkSet(netns="pod1", ifname="hd0", up=False),
        LinkSet(netns="pod1", ifname="hd0", alias="hd0"),
        LinkSet(netns="pod1", ifname="hd0", name="net1"),
        LinkSet(netns="pod1", ifname="net1", up=True),
    ]
    assert w.sh("ip -n node -4 addr show hd0").stdout == ""  # flushed by the move
    drive(host_device.cmd_del, args({**BASE, "device": "hd0"}))
    dev = w.dev("hd0", netns="node")
    assert not dev.up and dev.ifalias == "hd0" and "net1" not in w.netns("pod1")
    with pytest.raises(CniError, match=exact('failed to find "net1": Link not found')):
        drive(host_device.cmd_del, args({**BASE, "device": "hd0"}))


def test_a_clash_on_the_way_out_renames_back_and_sets_up_again() -> None:
    """moveLinkOut's deferred rollback: LinkSetName(dev, ifName) and LinkSetUp."""
    w, host, drive = setup()
    w.add_veth("hd0", "hd0p", netns="node")
    drive(host_device.cmd_add, args({**BASE, "device": "hd0"}))
    w.add_veth("hd0", "hd9", netns="node")
    with pytest.raises(CniError, match=exact('failed to move "hd0" to host netns: file exists')):
        drive(host_device.cmd_del, args({**BASE, "device": "hd0"}))
    dev = w.dev("net1", netns="pod1")
    assert dev.up and dev.ifalias == "hd0"
    assert host.ops[-2:] == [LinkSet(netns="pod1", ifname="hd0", name="net1"),
                             LinkSet(netns="pod1", ifname="net1", up=True)]  # fmt: skip


@pytest.mark.parametrize(("conf", "msg"), [
    ({}, 'specify either "device", "hwaddr", "kernelpath" or "pciBusID"'),
    ({"device": "nope"}, "failed to find host device: Link not found"),
    ({"hwaddr": "02:00:00:00:00:01"}, "failed to find host device: failed to find physical interface"),  # noqa: E501
    ({"hwaddr": "zz"},
     'failed to find host device: failed to parse MAC address "zz": address zz: invalid MAC address'),  # noqa: E501
    ({"kernelpath": "/sys/class/net"},
     'failed to find host device: kernel device path "/sys/class/net" must be absolute and begin with /sys/devices/'),  # noqa: E501
    ({"kernelpath": "/sys/devices/virtual/net"},
     'failed to find host device: failed to find network devices at "/sys/devices/virtual/net/net"'),  # noqa: E501
    ({"pciBusID": "0000:ff:1f.7"},
     "error with host device: lstat /sys/bus/pci/devices/0000:ff:1f.7: no such file or directory"),
    ({"device": "hd0", "runtimeConfig": {"deviceID": "x/y"}},
     "error with host device: lstat /sys/bus/pci/devices/x: no such file or directory"),
    ({"device": "lo"}, "failed to move link invalid argument"),
])  # fmt: skip
def test_selection_errors(conf: dict[str, Any], msg: str) -> None:
    w, _, drive = setup()
    w.add_veth("hd0", "hd0p", netns="node")
    with pytest.raises(CniError) as e:
        drive(host_device.cmd_add, args({**BASE, **conf}))
    assert e.value.msg == msg


def test_kernelpath_takes_the_first_virtual_device_by_name_and_hwaddr_matches() -> None:
    """getLink: ioutil.ReadDir of /sys/devices/virtual/net is sorted by name."""
    w, _, drive = setup()
    w.add_veth("hd0", "hd0p", netns="node", peer_address="02:00:00:00:00:07")
    out = drive(host_device.cmd_add, args({**BASE, "kernelpath": "/sys/devices/virtual/"}))
    assert out["interfaces"][0]["name"] == "net1" and w.dev("net1", netns="pod1").ifalias == "hd0"
    w.netns_add("pod2")
    out = drive(
        host_device.cmd_add, args({**BASE, "hwaddr": "02-00-00-00-00-07"}, "/var/run/netns/pod2")
    )
    assert out["interfaces"][0]["mac"] == "02:00:00:00:00:07"


def test_a_clash_on_the_way_in_leaves_the_device_in_the_container_and_del_needs_the_netns() -> None:
    w, _, drive = setup()
    w.add_veth("hd0", "hd0p", netns="node")
    w.add_veth("net1", "x1", netns="pod1")
    with pytest.raises(
        CniError,
        match=exact('failed to move link failed to rename device "hd0" to "net1": file exists'),
    ):
        drive(host_device.cmd_add, args({**BASE, "device": "hd0"}))
    assert w.dev("hd0", netns="pod1").ifalias == "hd0"
    with pytest.raises(
        CniError, match=prefix('failed to open netns "/var/run/netns/gone": failed to Statfs')
    ):
        drive(host_device.cmd_del, args({**BASE, "device": "hd0"}, "/var/run/netns/gone"))


def test_ipam_result_and_check() -> None:
    w, _, drive = setup()
    w.add_veth("hd0", "hd0p", netns="node")
    ipam = {"type": "host-local", "subnet": "10.71.0.0/24", "dataDir": "/run/ipam"}
    conf = {**BASE, "device": "hd0", "dns": {"domain": "x"}, "ipam": ipam}
    out = drive(host_device.cmd_add, args(conf))
    assert out["ips"] == [{"interface": 0, "address": "10.71.0.2/24", "gateway": "10.71.0.1"}]
    assert out["dns"] == {"domain": "x"}
    prev = {"cniVersion": "1.0.0", "interfaces": [{"name": "net1", "sandbox": "/var/run/netns/pod1"}],  # noqa: E501
            "ips": [{"interface": 0, "address": "10.71.0.3/24"}]}  # fmt: skip
    with pytest.raises(
        CniError, match=exact("Failed to match addr 10.71.0.3/24 on interface net1")
    ):
        drive(host_device.cmd_check, args({**conf, "prevResult": prev}))
    with pytest.raises(CniError, match=exact("Required prevResult missing")):
        drive(host_device.cmd_check, args(conf))
