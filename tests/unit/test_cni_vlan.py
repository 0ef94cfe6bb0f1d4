"""The vlan plugin (plugins/main/vlan/vlan.go v1.1.1).  The sandbox kernel has no
8021q module, so scenarios/cni/vlan.sh is kernel-skip: what it must print is
pinned here, each piece with the Go or kernel code it comes from (kernel:
net/8021q/vlan.c, vlan_dev.c, vlan_netlink.c, Linux 6.18)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from netsim import World
from netsim.cni.driver import Context, RecordingHost, run
from netsim.cni.errors import CniError
from netsim.cni.plugins.main import vlan
from netsim.cni.skel import CmdArgs
from netsim.host.ops import LinkAdd
from tests.unit.test_cni_ipvlan import in_order, ipvlan_find
from tests.unit.test_cni_macvlan import kernel

ROOT = Path(__file__).parent.parent.parent
BASE = {"cniVersion": "1.0.0", "name": "vl", "type": "vlan"}


def args(conf: dict[str, Any]) -> CmdArgs:
    return CmdArgs("c1", "/var/run/netns/pod1", "eth1", "", "/usr/lib/cni", json.dumps(conf))


@pytest.mark.parametrize(("conf", "msg"), [
    ({"vlanId": 1}, '"master" field is required. It specifies the host interface name to create the VLAN for.'),  # noqa: E501
    ({"master": "eth0", "vlanId": 4095}, "invalid VLAN ID 4095 (must be between 0 and 4095 inclusive)"),  # noqa: E501
    ({"master": "eth0", "vlanId": -1}, "invalid VLAN ID -1 (must be between 0 and 4095 inclusive)"),
    ({"master": "eth0", "vlanId": 1.5},
     "failed to load netconf: json: cannot unmarshal number 1.5 into Go struct field NetConf.vlanId of type int"),  # noqa: E501
    ({"master": "nope", "vlanId": 1}, "Link not found"),
    ({"master": "eth0", "vlanId": 1, "mtu": 1501}, "invalid MTU 1501, must be [0, master MTU(1500)]"),  # noqa: E501
    ({"master": "eth0", "vlanId": 1}, "failed to execute IPAM delegate: no plugin name provided"),
])  # fmt: skip
def test_load_conf_and_ipam_errors(conf: dict[str, Any], msg: str) -> None:
    with pytest.raises(CniError) as e:
        run(vlan.cmd_add(args({**BASE, **conf}), Context()), RecordingHost(kernel()),
            delegate=lambda d: ipvlan_find(d.type))  # fmt: skip
    assert (e.value.msg, e.value.code) == (msg, 999)


def test_create_ops() -> None:
    """createVlan: IFLA_VLAN_ID, TxQLen 0, made in the container under a temp name."""
    host = RecordingHost(kernel())
    tmp = f"veth{random.Random(2).getrandbits(32):08x}"
    with pytest.raises(CniError):
        run(vlan.cmd_add(args({**BASE, "master": "eth0", "vlanId": 7, "mtu": 1400}),
                         Context(rng=random.Random(2))), host)  # fmt: skip
    assert LinkAdd(ifname=tmp, kind="vlan", link="eth0", to_netns="pod1", mtu=1400, txqlen=0,
                   data={"id": 7}) in host.ops  # fmt: skip


def test_scenario_output() -> None:
    out = World(seed=1).sh((ROOT / "scenarios/cni/vlan.sh").read_text()).stdout
    in_order(out, [
        ('"mac": "02:00:00:00:0f:01"', "vlan_dev_init(): the real device's MAC"),
        ('"interface": 0,\n            "address": "10.90.0.2/24"', "cmdAdd: current.Int(0)"),
        ("2: eth1@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc noqueue state UP mode "
         "DEFAULT group default \n    link/ether 02:00:00:00:0f:01 brd ff:ff:ff:ff:ff:ff "
         "link-netns node",
         "made in pod1; register_vlan_dev() fires a link-watch event (rfc2863_policy): UP"),
        ("    vlan protocol 802.1Q id 100 <REORDER_HDR> ", "vlan_fill_info(): 802.1Q, REORDER_HDR"),
        ("10.90.0.0/24 dev eth1 proto kernel scope link src 10.90.0.2 \n [exit 0]",
         "ConfigureIface: no routes from this IPAM; CHECK passes"),
        ('"msg": "Error: Tuning link eth1 configured promisc is 101, current value is 100"',
         "validateCniContainerInterface (sic)"),
        ('"msg": "Error: Tuning configured MTU of eth1 is 1300, current value is 1400"',
         "validateCniContainerInterface"),
        ('"msg": "vlan: Required prevResult missing"', "cmdCheck"),
        ('"msg": "\\"master\\" field is required.', "loadConf"),
        ('"msg": "invalid VLAN ID 4095 (must be between 0 and 4095 inclusive)"', "loadConf"),
        ('"msg": "invalid VLAN ID -1 (must be between 0 and 4095 inclusive)"', "loadConf"),
        ('"msg": "failed to load netconf: json: cannot unmarshal string into Go struct field '
         'NetConf.vlanId of type int"', "json.Unmarshal"),
        ('"msg": "Link not found"', "loadConf: getMTUByName"),
        ('"msg": "invalid MTU 9000, must be [0, master MTU(1500)]"', "loadConf"),
        ('"msg": "failed to open netns \\"/var/run/netns/nonexist\\"', "cmdAdd"),
        ('"msg": "failed to create vlan: file exists"',
         "vlan_check_real_dev(): -EEXIST, one device per (protocol, VID); the extack is not shown"),
        ('"msg": "failed to execute IPAM delegate: no plugin name provided"',
         "ipam.ExecAdd(\"\"): invoke.FindInPath"),
        ("eth1@if3         DOWN           02:00:00:00:0f:01 <BROADCAST,MULTICAST> ",
         "the vlan stays when IPAM fails (no cleanup in cmdAdd)"),
        ('"msg": "failed to rename vlan to \\"eth1\\": file exists"', "createVlan"),
        ("@if3 DOWN           02:00:00:00:0f:01 <BROADCAST,MULTICAST> ",
         "the temp-named vlan stays"),
        ('"msg": "failed to set \\"eth1\\" UP: network is down"',
         "vlan_dev_open(): -ENETDOWN while the real device is down"),
        ("eth1@if5         DOWN ", "vlanId 0 is allowed; the device stays, its address released"),
        ("10.90.0.2\nlast_reserved_ip.0\nlock\n", "the failed configuration ran IPAM DEL"),
        (' [exit 0]\n [exit 0]\n{\n    "code": 999,\n    "msg": "no plugin name provided"',
         "cmdDel: ipam.ExecDel(n.IPAM.Type) always"),
        ("last_reserved_ip.0\nlock\n", "DEL released 10.90.0.2"),
    ])  # fmt: skip
