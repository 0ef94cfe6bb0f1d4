"""The macvlan plugin (plugins/main/macvlan/macvlan.go v1.1.1): its operations on a
RecordingHost and its results and state on SimHost.  The texts were taken from
the real /usr/lib/cni/macvlan (scenarios/cni/macvlan.sh, cni.md T6)."""

from __future__ import annotations

import json
import random
import re
from typing import Any

import pytest

from netsim.cni.driver import Context, RecordingHost, run
from netsim.cni.errors import CniError
from netsim.cni.plugins.main import macvlan
from netsim.cni.plugins.main.common import parse_mac
from netsim.cni.skel import CmdArgs
from netsim.errors import KernelError, NoSuchDevice, NoSuchNetns
from netsim.host.ops import Dump, LinkAdd, LinkDel, LinkGet, LinkSet, Op, SysctlSet
from netsim.host.protocol import OpResult
from tests.unit.test_cni_bridge import setup

BASE = {"cniVersion": "1.0.0", "name": "mv", "type": "macvlan"}
IPAM = {"type": "host-local", "subnet": "10.60.0.0/24", "dataDir": "/run/ipam"}


def exact(msg: str) -> str:
    """A ``pytest.raises(match=...)`` pattern for exactly ``msg``."""
    return f"^{re.escape(msg)}$"


def prefix(msg: str) -> str:
    return f"^{re.escape(msg)}"


def suffix(msg: str) -> str:
    return f"{re.escape(msg)}$"


def args(conf: dict[str, Any], netns: str = "/var/run/netns/pod1", cni_args: str = "") -> CmdArgs:
    return CmdArgs("c1", netns, "eth1", cni_args, "/usr/lib/cni", json.dumps(conf))


class FakeKernel:
    """Answers the plugin's lookups from a table of links per namespace."""

    def __init__(self, links: dict[str, dict[str, dict[str, Any]]], routes: list[Any]):
        self.links, self.routes = links, routes

    def __call__(self, op: Op) -> OpResult:
        if isinstance(op, LinkGet):
            rec = self.links.get(op.netns, {}).get(op.ifname)
            if rec is None:
                raise NoSuchDevice(op.ifname)
            return [rec]
        if isinstance(op, Dump):
            if op.netns not in self.links:
                raise NoSuchNetns(op.netns)
            return (
                self.routes if op.what == "route" else list(self.links.get(op.netns, {}).values())
            )
        if isinstance(op, LinkAdd):
            self.links.setdefault(op.to_netns or op.netns, {})[op.ifname] = {
                "ifname": op.ifname, "address": op.address or "0a:00:00:00:00:01"}  # fmt: skip
        if isinstance(op, LinkSet) and op.name is not None:
            ns = self.links[op.netns]
            if op.name in ns:
                raise KernelError(17)
            ns[op.name] = {**ns.pop(op.ifname), "ifname": op.name}
        return None


def kernel() -> FakeKernel:
    return FakeKernel({"init_net": {"eth0": {"ifname": "eth0", "mtu": 1500}}, "pod1": {}},
                      [{"dst": "default", "gateway": "10.0.0.1", "dev": "eth0"}])  # fmt: skip


def test_l2_ops_temp_name_in_the_container_then_renamed() -> None:
    """createMacvlan: LinkAdd with Namespace: NsFd (made in pod1, master found in
    the host), TxQLen 0 from the LinkAttrs literal, the random ``vethXXXXXXXX``
    name from ip.RandomVethName, then ip.RenameLink and a refetch; L2: set up."""
    host = RecordingHost(kernel())
    ctx = Context(rng=random.Random(5))
    tmp = f"veth{random.Random(5).getrandbits(32):08x}"
    result = run(macvlan.cmd_add(args({**BASE, "master": "eth0"}), ctx), host)
    assert host.ops == [
        LinkGet(ifname="eth0"),  # getMTUByName
        Dump(netns="pod1", what="link"),  # ns.GetNS
        LinkGet(ifname="eth0"),  # createMacvlan's netlink.LinkByName(master)
        LinkAdd(
            ifname=tmp,
            kind="macvlan",
            link="eth0",
            to_netns="pod1",
            txqlen=0,
            data={"mode": "bridge"},
        ),
        LinkGet(netns="pod1", ifname=tmp),
        LinkSet(netns="pod1", ifname=tmp, name="eth1"),
        LinkGet(netns="pod1", ifname="eth1"),
        LinkGet(netns="pod1", ifname="eth1"),
        LinkSet(netns="pod1", ifname="eth1", up=True),
    ]
    assert json.loads(result.render("1.0.0")) == {
        "cniVersion": "1.0.0",
        "interfaces": [
            {"name": "eth1", "mac": "0a:00:00:00:00:01", "sandbox": "/var/run/netns/pod1"}
        ],
        "dns": {},
    }


def test_the_master_defaults_to_the_default_routes_device() -> None:
    """getDefaultRouteInterfaceName: the first main-table route without Dst."""
    host = RecordingHost(kernel())
    run(macvlan.cmd_add(args(BASE), Context()), host)
    assert host.ops[:2] == [Dump(what="route"), LinkGet(ifname="eth0")]
    empty = FakeKernel({"init_net": {}}, [{"dst": "10.0.0.0/24", "dev": "eth0"}])
    with pytest.raises(CniError, match=exact("no default route interface found")):
        run(macvlan.cmd_add(args(BASE), Context()), RecordingHost(empty))


@pytest.mark.parametrize(("conf", "msg"), [
    ({"master": "eth0", "mode": "foo"}, 'unknown macvlan mode: "foo"'),
    ({"master": "eth0", "mtu": 9000}, "invalid MTU 9000, must be [0, master MTU(1500)]"),
    ({"master": "eth0", "mtu": -1}, "invalid MTU -1, must be [0, master MTU(1500)]"),
    ({"master": "nope"}, "Link not found"),
    ({"master": "eth0", "mac": "zz"}, "invalid args zz for MAC addr: address zz: invalid MAC address"),  # noqa: E501
    ({"master": "eth0", "mtu": "x"},
     "failed to load netconf: json: cannot unmarshal string into Go struct field NetConf.mtu of type int"),  # noqa: E501
])  # fmt: skip
def test_add_errors(conf: dict[str, Any], msg: str) -> None:
    with pytest.raises(CniError) as e:
        run(macvlan.cmd_add(args({**BASE, **conf}), Context()), RecordingHost(kernel()))
    assert (e.value.msg, e.value.code) == (msg, 999)


def test_a_missing_netns_prints_go_nil() -> None:
    """``fmt.Errorf("failed to open netns %q: %v", netns, err)`` with netns nil."""
    with pytest.raises(CniError) as e:
        run(macvlan.cmd_add(args({**BASE, "master": "eth0"}, "/var/run/netns/x"), Context()),
            RecordingHost(kernel()))  # fmt: skip
    assert e.value.msg == ('failed to open netns %!q(<nil>): failed to Statfs '
                           '"/var/run/netns/x": no such file or directory')  # fmt: skip


def test_del_needs_the_master_and_tolerates_a_gone_link_or_netns() -> None:
    """cmdDel runs loadConf first (cni.md T6: ``Link not found`` on DEL too)."""
    with pytest.raises(CniError, match=exact("Link not found")):
        run(macvlan.cmd_del(args({**BASE, "master": "nope"}), Context()), RecordingHost(kernel()))
    host = RecordingHost(kernel())
    run(macvlan.cmd_del(args({**BASE, "master": "eth0"}, "/var/run/netns/x"), Context()), host)
    run(macvlan.cmd_del(args({**BASE, "master": "eth0"}), Context()), host)
    assert not any(isinstance(op, LinkDel) for op in host.ops)


def test_mac_precedence_and_rename_clash_deletes_the_temp_link() -> None:
    """loadConf: ``mac`` < CNI_ARGS ``MAC`` < ``runtimeConfig.mac``; a failed
    rename deletes the new link (``_ = netlink.LinkDel(mv)``)."""
    k = kernel()
    k.links["pod1"]["eth1"] = {"ifname": "eth1"}
    host = RecordingHost(k)
    conf = {**BASE, "master": "eth0", "mac": "02:00:00:00:00:01",
            "runtimeConfig": {"mac": "02:00:00:00:00:03"}}  # fmt: skip
    with pytest.raises(CniError, match=exact('failed to rename macvlan to "eth1": file exists')):
        run(macvlan.cmd_add(args(conf, cni_args="MAC=02:00:00:00:00:02"), Context()), host)
    add = next(op for op in host.ops if isinstance(op, LinkAdd))
    assert add.address == "02:00:00:00:00:03"
    assert host.ops[-1] == LinkDel(netns="pod1", ifname=add.ifname)
    conf.pop("runtimeConfig")
    host = RecordingHost(kernel())
    run(macvlan.cmd_add(args(conf, cni_args="IgnoreUnknown=1;MAC=02:00:00:00:00:02"), Context()),
        host)  # fmt: skip
    assert next(op for op in host.ops if isinstance(op, LinkAdd)).address == "02:00:00:00:00:02"


def test_parse_mac_and_go_quote_rune() -> None:
    """Go's net.ParseMAC and %q of an integer mode (modeToString's error)."""
    assert parse_mac("02-00-00-00-00-0A") == "02:00:00:00:00:0a"
    assert parse_mac("0200.0000.0001") == "02:00:00:00:00:01"
    with pytest.raises(CniError, match=exact("address 02:00-00:00:00:01: invalid MAC address")):
        parse_mac("02:00-00:00:00:01")
    assert macvlan.go_quote_rune(0) == "'\\x00'" and macvlan.go_quote_rune(16) == "'\\x10'"


def test_l3_on_simhost_result_state_and_sysctl() -> None:
    """cni.md T6: interface 0, the gateway, only the kernel's subnet route,
    arp_notify=1 (written as net/ipv4/conf/eth1/arp_notify, as sysctl.Sysctl does)."""
    w, host, drive = setup()
    w.add_veth("cnixm0", "cnixm0p", netns="node")
    w.link_set("cnixm0", netns="node", up=True)
    w.link_set("cnixm0p", netns="node", up=True)
    out = drive(macvlan.cmd_add, args({**BASE, "master": "cnixm0", "mode": "bridge", "ipam": IPAM}))
    assert out["ips"] == [{"interface": 0, "address": "10.60.0.2/24", "gateway": "10.60.0.1"}]
    assert out["dns"] == {} and "routes" not in out
    dev = w.dev("eth1", netns="pod1")
    assert dev.ifindex == 2 and dev.kind == "macvlan" and dev.txqlen == 0
    assert w.netns("pod1").sysctl.get("net.ipv4.conf.eth1.arp_notify") == "1"
    assert SysctlSet(netns="pod1", key="net/ipv4/conf/eth1/arp_notify", value="1") in host.ops
    routes = w.sh("ip -n pod1 route").stdout
    assert routes == "10.60.0.0/24 dev eth1 proto kernel scope link src 10.60.0.2 \n"
    prev = {"cniVersion": "1.0.0", "interfaces": [{"name": "eth1", "sandbox": "/var/run/netns/pod1"}],  # noqa: E501
            "ips": out["ips"]}  # fmt: skip
    drive(macvlan.cmd_check, args({**BASE, "master": "cnixm0", "ipam": IPAM, "prevResult": prev}))
    with pytest.raises(
        CniError, match=exact("Container macvlan mode bridge does not match expected value: vepa")
    ):
        drive(
            macvlan.cmd_check,
            args({**BASE, "master": "cnixm0", "mode": "vepa", "ipam": IPAM, "prevResult": prev}),
        )
    drive(macvlan.cmd_del, args({**BASE, "master": "cnixm0", "ipam": IPAM}))
    assert "eth1" not in w.netns("pod1")


def test_a_failed_ipam_add_leaves_the_link_and_a_failed_configure_releases_the_address() -> None:
    """The Go code's shadowed ``err`` (scenarios/cni/macvlan.sh shows the real plugin
    doing the same): neither deferred cleanup deletes the macvlan."""
    w, _, drive = setup()
    w.add_veth("eth0", "eth0p", netns="node")
    w.link_set("eth0", netns="node", up=True)
    bad = {**IPAM, "routes": [{"dst": "10.99.0.0/16", "gw": "10.200.0.1"}]}
    with pytest.raises(CniError, match=suffix("network is unreachable")):
        drive(macvlan.cmd_add, args({**BASE, "master": "eth0", "ipam": bad}))
    assert "eth1" in w.netns("pod1")
    assert sorted(drive.fs.listdir("/run/ipam/mv")) == ["last_reserved_ip.0", "lock"]
