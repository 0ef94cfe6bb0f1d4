"""The tuning plugin (netsim.cni.plugins.meta.tuning) chained after ptp on SimHost
(cni.md §3 tuning, T5): op order, the backup file, DEL's restore, CHECK's quirks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from netsim import World
from netsim.cni.driver import Context, PluginGen, run
from netsim.cni.errors import CniError, GoPanic
from netsim.cni.fs import MemPluginFs
from netsim.cni.plugins.main import ptp
from netsim.cni.plugins.meta import tuning
from netsim.cni.result import Result
from netsim.cni.runtime_exec import OursExecutor, delegator
from netsim.cni.skel import CmdArgs
from netsim.host.ops import LinkSet, SysctlSet
from netsim.shell.fs import MemFs
from tests.unit.test_cni_bridge import Recording

IPAM = {"type": "host-local", "subnet": "10.51.0.0/24", "dataDir": "/run/ipam"}
PTP = {"cniVersion": "1.0.0", "name": "tnet", "type": "ptp", "ipam": IPAM}
DATA = "/run/tt"
Drive = Callable[..., Any]


def rig() -> tuple[World, Recording, MemFs, Drive]:
    w = World(seed=1)
    w.netns_add("node")
    w.netns_add("pod1")
    mem = MemFs()
    mem.mkdir("/usr/lib/cni", parents=True)
    mem.write("/usr/lib/cni/host-local", "")
    host = Recording(w)
    ctx = Context("node", w.rng, mem.exists, MemPluginFs(mem))

    def drive(cmd: Callable[[CmdArgs, Context], PluginGen[Any]], conf: dict[str, Any], *,
              cni_args: str = "", netns: str = "/var/run/netns/pod1", ifname: str = "eth0") -> Any:  # fmt: skip  # noqa: E501
        a = CmdArgs("c1", netns, ifname, cni_args, "/usr/lib/cni", json.dumps(conf))
        out = run(cmd(a, ctx), host, delegate=delegator(OursExecutor(host, mem, ctx), a))
        return json.loads(out.render("1.0.0")) if isinstance(out, Result) else out

    return w, host, mem, drive


def tconf(prev: Any, **extra: Any) -> dict[str, Any]:
    return {"cniVersion": "1.0.0", "name": "tnet", "type": "tuning", "dataDir": DATA,
            "prevResult": prev, **extra}  # fmt: skip


FULL = {"mtu": 1300, "promisc": True, "allmulti": True, "mac": "02:11:22:33:44:55",
        "sysctl": {"net.ipv4.conf.IFNAME.rp_filter": "2", "net.ipv4.conf.all.arp_ignore": "1"}}  # fmt: skip  # noqa: E501


def test_add_writes_sysctls_saves_a_backup_then_changes_in_go_order() -> None:
    w, host, mem, drive = rig()
    prev = drive(ptp.cmd_add, PTP)
    eth0 = w.dev("eth0", netns="pod1")
    old_mac = str(eth0.address)
    n = len(host.ops)
    out = drive(tuning.cmd_add, tconf(prev, **FULL))
    assert out["interfaces"][1]["mac"] == "02:11:22:33:44:55"
    assert out["interfaces"][0] == prev["interfaces"][0] and out["ips"] == prev["ips"]
    changes = [op for op in host.ops[n:] if isinstance(op, SysctlSet | LinkSet)]
    assert changes == [
        SysctlSet(netns="pod1", key="net.ipv4.conf.eth0.rp_filter", value="2"),
        SysctlSet(netns="pod1", key="net.ipv4.conf.all.arp_ignore", value="1"),
        LinkSet(netns="pod1", ifname="eth0", address="02:11:22:33:44:55"),
        LinkSet(netns="pod1", ifname="eth0", promisc=True),
        LinkSet(netns="pod1", ifname="eth0", mtu=1300),
        LinkSet(netns="pod1", ifname="eth0", allmulti=True),
    ]
    assert mem.read(f"{DATA}/c1_eth0.json") == (
        f'{{\n "mac": "{old_mac}",\n "promisc": false,\n "mtu": 1500,\n "allmulti": false\n}}'
    )
    assert (eth0.mtu, eth0.promiscuity, eth0.allmulti) == (1300, 1, 1)
    assert w.netns("pod1").sysctl.get("net.ipv4.conf.eth0.rp_filter") == "2"


def test_check_has_v1_1_1s_ifname_bug_and_promisc_rule() -> None:
    _w, _host, _mem, drive = rig()
    prev = drive(ptp.cmd_add, PTP)
    drive(tuning.cmd_add, tconf(prev, **FULL))
    with pytest.raises(CniError, match="open /proc/sys/net/ipv4/conf/IFNAME/rp_filter: no such"):
        drive(tuning.cmd_check, tconf(prev, **FULL))
    ok = {**FULL, "sysctl": {"net.ipv4.conf.all.arp_ignore": "1"}}
    drive(tuning.cmd_check, tconf(prev, **ok))
    with pytest.raises(CniError, match="configured promisc is false, current value is 1"):
        drive(tuning.cmd_check, tconf(prev))  # promisc not asked for: must be off
    with pytest.raises(CniError, match="Tuning configured MTU of eth0 is 1400, current value is 1300"):  # fmt: skip  # noqa: E501
        drive(tuning.cmd_check, tconf(prev, promisc=True, mtu=1400))
    with pytest.raises(CniError, match="configured value of /proc/sys/net/ipv4/conf/all/arp_ignore is 2"):  # fmt: skip  # noqa: E501
        drive(tuning.cmd_check, tconf(prev, promisc=True, sysctl={"net.ipv4.conf.all.arp_ignore": "2"}))  # fmt: skip  # noqa: E501


def test_del_restores_and_removes_the_backup_but_keeps_sysctls() -> None:
    w, _host, mem, drive = rig()
    prev = drive(ptp.cmd_add, PTP)
    eth0 = w.dev("eth0", netns="pod1")
    old_mac = eth0.address
    drive(tuning.cmd_add, tconf(prev, **FULL))
    drive(tuning.cmd_del, tconf(None))
    assert (eth0.address, eth0.mtu, eth0.promiscuity, eth0.allmulti) == (old_mac, 1500, 0, 0)
    assert mem.listdir(DATA) == []
    assert w.netns("pod1").sysctl.get("net.ipv4.conf.eth0.rp_filter") == "2"
    drive(tuning.cmd_del, tconf(None))  # nothing to restore: fine
    drive(tuning.cmd_del, tconf(None), netns="/var/run/netns/gone")  # no namespace: fine


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"sysctl": {"kernel.foo": "1"}}, 'invalid net sysctl key: "kernel.foo"'),
        ({"sysctl": {"net.ipv4.conf.eth9.rp_filter": "1"}},
         "open /proc/sys/net/ipv4/conf/eth9/rp_filter: no such file or directory"),
        ({"sysctl": {"net.ipv4.conf.eth0.rp_filter": "abc"}},
         "write /proc/sys/net/ipv4/conf/eth0/rp_filter: invalid argument"),
        ({"mac": "zz"}, "invalid args zz for MAC addr: address zz: invalid MAC address"),
        ({"mac": "01:00:00:00:00:01"}, "cannot assign requested address"),
        ({"mtu": 70000}, "invalid argument"),
        ({"mtu": "1300"}, "failed to load netconf: json: cannot unmarshal string into Go struct field TuningConf.mtu of type int"),  # noqa: E501
    ],
)  # fmt: skip
def test_add_errors(extra: dict[str, Any], message: str) -> None:
    _w, _host, _mem, drive = rig()
    prev = drive(ptp.cmd_add, PTP)
    with pytest.raises(CniError) as e:
        drive(tuning.cmd_add, tconf(prev, **extra))
    assert e.value.msg == message


def test_prev_result_rules() -> None:
    _w, _host, _mem, drive = rig()
    prev = drive(ptp.cmd_add, PTP)
    with pytest.raises(CniError, match=r"^Required prevResult missing$"):
        drive(tuning.cmd_add, tconf(None, mtu=1400))
    old = {**tconf(prev, mtu=1400), "cniVersion": "0.3.1"}
    with pytest.raises(CniError) as e:
        drive(tuning.cmd_add, old)
    assert e.value.msg == ('could not parse prevResult: result type supports [0.3.0 0.3.1 0.4.0] '
                           'but unmarshalled CNIVersion is "1.0.0"')  # fmt: skip


def test_mac_precedence_cni_args_then_runtime_config_then_args() -> None:
    w, _host, _mem, drive = rig()
    prev = drive(ptp.cmd_add, PTP)
    out = drive(tuning.cmd_add, tconf(prev), cni_args="MAC=02:00:00:00:00:09")
    assert out["interfaces"][1]["mac"] == "02:00:00:00:00:09"
    rc = tconf(prev, runtimeConfig={"mac": "02:00:00:00:00:08"})
    assert drive(tuning.cmd_add, rc, cni_args="MAC=02:00:00:00:00:09")["interfaces"][1]["mac"] == "02:00:00:00:00:08"  # fmt: skip  # noqa: E501
    both = {**rc, "args": {"cni": {"mac": "02:00:00:00:00:07", "mtu": 1280}}}
    out = drive(tuning.cmd_add, both)
    assert out["interfaces"][1]["mac"] == "02:00:00:00:00:07"
    assert w.dev("eth0", netns="pod1").mtu == 1280
    with pytest.raises(CniError, match=r'ARGS: unknown args \["FOO=1"\]'):
        drive(tuning.cmd_add, tconf(prev), cni_args="FOO=1")


def test_args_sysctl_without_config_sysctl_is_gos_nil_map_panic() -> None:
    w, _host, _mem, drive = rig()
    prev = drive(ptp.cmd_add, PTP)
    with pytest.raises(GoPanic, match="assignment to entry in nil map"):
        drive(tuning.cmd_add, tconf(prev, args={"cni": {"sysctl": {"net.ipv4.ip_forward": "1"}}}))
    merged = tconf(prev, sysctl={"net.ipv4.conf.all.arp_ignore": "1"},
                   args={"cni": {"sysctl": {"net.ipv4.conf.all.arp_announce": "2"}}})  # fmt: skip
    drive(tuning.cmd_add, merged)
    assert w.netns("pod1").sysctl.get("net.ipv4.conf.all.arp_announce") == "2"
