"""The ipvlan plugin (plugins/main/ipvlan/ipvlan.go v1.1.1).  The sandbox kernel
has no ipvlan module, so scenarios/cni/ipvlan.sh is kernel-skip: what it must
print is pinned here, each piece with the Go or kernel code it comes from
(kernel: drivers/net/ipvlan/ipvlan_main.c, Linux 6.18)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from netsim import World
from netsim.cni.driver import Context, RecordingHost, run
from netsim.cni.errors import CniError
from netsim.cni.plugins.main import ipvlan
from netsim.cni.skel import CmdArgs
from netsim.host.ops import LinkAdd, LinkDel
from tests.unit.test_cni_macvlan import exact, kernel

ROOT = Path(__file__).parent.parent.parent
BASE = {"cniVersion": "1.0.0", "name": "iv", "type": "ipvlan"}


def args(conf: dict[str, Any], netns: str = "/var/run/netns/pod1") -> CmdArgs:
    return CmdArgs("c1", netns, "eth1", "", "/usr/lib/cni", json.dumps(conf))


def in_order(text: str, pieces: list[tuple[str, str]]) -> None:
    """Each piece (with its source) occurs in ``text``, after the previous one."""
    at = 0
    for piece, source in pieces:
        found = text.find(piece, at)
        assert found >= 0, f"missing after offset {at} ({source}):\n{piece}"
        at = found + len(piece)


def test_create_ops_mode_and_no_cleanup_after_a_failed_rename() -> None:
    """createIpvlan: the same temp-name dance as macvlan (LinkAttrs{MTU, Name,
    ParentIndex, Namespace}: TxQLen 0), IPVLAN_MODE_L2 when unset; unlike macvlan
    a failed rename deletes nothing."""
    k = kernel()
    k.links["pod1"]["eth1"] = {"ifname": "eth1"}
    host = RecordingHost(k)
    tmp = f"veth{random.Random(3).getrandbits(32):08x}"
    with pytest.raises(CniError, match=exact('failed to rename ipvlan to "eth1": file exists')):
        run(ipvlan.cmd_add(args({**BASE, "master": "eth0"}), Context(rng=random.Random(3))), host)
    assert LinkAdd(ifname=tmp, kind="ipvlan", link="eth0", to_netns="pod1", txqlen=0,
                   data={"mode": "l2"}) in host.ops  # fmt: skip
    assert not any(isinstance(op, LinkDel) for op in host.ops)


@pytest.mark.parametrize(("conf", "msg"), [
    ({"master": "eth0", "mode": "l4"}, 'unknown ipvlan mode: "l4"'),
    ({"master": "nope"}, 'failed to lookup master "nope": Link not found'),
    ({"prevResult": {"cniVersion": "1.0.0", "interfaces": [{"name": "a"}, {"name": "b"}]}},
     "chained master failure. PrevResult lacks a single named interface"),
    ({"master": "eth0", "prevResult": {"cniVersion": "1.0.0", "interfaces": [{"name": "eth0"}]}},
     "no plugin name provided"),  # no ipam and no IPs: ipam.ExecAdd("") (invoke.FindInPath)
])  # fmt: skip
def test_add_errors(conf: dict[str, Any], msg: str) -> None:
    with pytest.raises(CniError) as e:
        run(ipvlan.cmd_add(args({**BASE, **conf}), Context()), RecordingHost(kernel()),
            delegate=lambda d: ipvlan_find(d.type))  # fmt: skip
    assert e.value.msg == msg


def ipvlan_find(plugin: str) -> None:
    from netsim.cni.runtime_exec import find_in_path

    find_in_path(plugin, ["/usr/lib/cni"], lambda _: False)


def test_chained_master_and_ips_from_prev_result() -> None:
    """loadConf: Master = the only interface of prevResult; cmdAdd: no ipam and
    prevResult has IPs, so those are configured (interface 0)."""
    host = RecordingHost(kernel())
    prev = {"cniVersion": "1.0.0", "interfaces": [{"name": "eth0"}],
            "ips": [{"address": "10.80.0.50/24", "gateway": "10.80.0.1"}]}  # fmt: skip
    result = run(ipvlan.cmd_add(args({**BASE, "prevResult": prev}), Context()), host)
    assert next(op for op in host.ops if isinstance(op, LinkAdd)).link == "eth0"
    assert [ip.to_json() for ip in result.ips] == [
        {"interface": 0, "address": "10.80.0.50/24", "gateway": "10.80.0.1"}]  # fmt: skip


def test_scenario_output() -> None:
    out = World(seed=1).sh((ROOT / "scenarios/cni/ipvlan.sh").read_text()).stdout
    in_order(out, [
        ('"name": "eth1",\n            "mac": "02:00:00:00:0e:01",\n'
         '            "sandbox": "/var/run/netns/pod1"',
         "ipvlan_link_new(): eth_hw_addr_set(dev, phy_dev->dev_addr); createIpvlan's refetch"),
        ('"interface": 0,\n            "address": "10.80.0.2/24",\n'
         '            "gateway": "10.80.0.1"',
         "cmdAdd: ipc.Interface = current.Int(0)"),
        ('"routes": [\n        {\n            "dst": "0.0.0.0/0"\n        }\n    ],\n    "dns": {}',
         "IPAM's routes kept, result.DNS = n.DNS"),
        ("2: eth1@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN "
         "mode DEFAULT group default \n    link/ether 02:00:00:00:0e:01 brd ff:ff:ff:ff:ff:ff "
         "link-netns node",
         "made in pod1 (LinkAttrs.Namespace): ifindex 2 there; no link-watch event in "
         "ipvlan_link_new() (netif_stacked_transfer_operstate() with the carrier bit "
         "ipvlan_init() copied unchanged), so IF_OPER_UNKNOWN; qlen 0 (TxQLen 0) not shown"),
        ("    ipvlan  mode l2 bridge ", "IFLA_IPVLAN_MODE l2 from modeFromString(\"\")"),
        ("default via 10.80.0.1 dev eth1 \n10.80.0.0/24 dev eth1 proto kernel scope link src 10.80.0.2",  # noqa: E501
         "ipam.ConfigureIface: the default route via the gateway"),
        ("net.ipv4.conf.eth1.arp_notify = 1", "sysctl.Sysctl(net/ipv4/conf/eth1/arp_notify, 1)"),
        (" [exit 0]\n{\n    \"code\": 999,\n    \"msg\": \"Container IPVlan mode l2 does not match "
         "expected value: l3\"", "validateCniContainerInterface"),
        ('"msg": "failed to lookup master \\"\\": Link not found"',
         "cmdCheck: loadConf(cmdCheck=true) leaves Master empty"),
        ("2: eth1@if3: <BROADCAST,MULTICAST,NOARP,UP,LOWER_UP>", "ipvlan_open(): NOARP in l3"),
        ("    ipvlan  mode l3 bridge ", "the master from the default route, mode l3"),
        ("eth1@if3         UNKNOWN        02:00:00:00:0e:01 "
         "<BROADCAST,MULTICAST,NOARP,UP,LOWER_UP>",
         "ipvlan_set_port_mode(): every ipvlan already on the port gets NOARP"),
        ('"address": "10.80.0.50/24"', "chained: prevResult's IPs, no ipam"),
        ("    ipvlan  mode l3s bridge ", "IPVLAN_MODE_L3S"),
        ('"msg": "chained master failure. PrevResult lacks a single named interface"', "loadConf"),
        ('"msg": "no plugin name provided"', "ipam.ExecAdd(\"\"): invoke.FindInPath"),
        ("eth1@if3         DOWN           02:00:00:00:0e:01 <BROADCAST,MULTICAST> ",
         "nothing deletes the ipvlan when IPAM fails; never opened: no NOARP"),
        ('"msg": "unknown ipvlan mode: \\"l4\\""', "modeFromString"),
        ('"msg": "failed to lookup master \\"nope\\": Link not found"', "createIpvlan"),
        ('"msg": "failed to open netns \\"/var/run/netns/nonexist\\": failed to Statfs', "cmdAdd"),
        ('"msg": "failed to rename ipvlan to \\"eth1\\": file exists"', "createIpvlan"),
        ("eth1@if3         UNKNOWN        02:00:00:00:0e:01 <BROADCAST,MULTICAST,UP,LOWER_UP>",
         "pod1's own eth1 untouched (l2 again since c4: NOARP cleared)"),
        ("@if3 DOWN           02:00:00:00:0e:01 <BROADCAST,MULTICAST> ",
         "the temp-named ipvlan stays: no LinkDel in createIpvlan"),
        ('"address": "10.80.0.4/24"',
         "mtu 9000 accepted: ipvlan_link_new() checks IFLA_MTU against nothing"),
        (" [exit 0]\n [exit 0]\n [exit 0]\n", "DEL: IPAM DEL, the link; again; a gone netns"),
        ("10.80.0.3\n10.80.0.4\nlast_reserved_ip.0\nlock\n", "host-local released 10.80.0.2"),
    ])  # fmt: skip
