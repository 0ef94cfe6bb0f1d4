"""The loopback plugin (plugins/main/loopback v1.1.1): its operations on a
RecordingHost, and its output as ``/usr/lib/cni/loopback`` in ``netsim sh``."""

from __future__ import annotations

import errno
import json
from typing import Any

import pytest

from netsim import World
from netsim.cni.driver import Context, RecordingHost, run, scripted
from netsim.cni.errors import CniError
from netsim.cni.plugins.loopback import cmd_add, cmd_check, cmd_del
from netsim.cni.plugins.netns import NSPathNotExist, netns_name
from netsim.cni.result import Result
from netsim.cni.skel import CmdArgs
from netsim.errors import KernelError, NoSuchNetns
from netsim.host.ops import Dump, LinkSet, SysctlGet

CTX = Context()

CONF = '{"cniVersion":"1.0.0","name":"lo","type":"loopback"}'
NETNS = "/var/run/netns/cnix-pod1"


def args(stdin: str = CONF, netns: str = NETNS) -> CmdArgs:
    return CmdArgs("c1", netns, "eth0", "", "/usr/lib/cni", stdin)


def lo(*flags: str, addrs: tuple[tuple[str, str, int], ...] = ()) -> dict[str, Any]:
    info = [{"family": f, "local": a, "prefixlen": p} for f, a, p in addrs]
    return {"ifname": "lo", "flags": ["LOOPBACK", *flags], "addr_info": info}


UP_V4 = lo("UP", addrs=(("inet", "127.0.0.1", 8),))


def test_netns_paths_name_namespaces() -> None:
    assert netns_name("/var/run/netns/a") == "a"
    assert netns_name("/run/netns/a") == "a"
    assert netns_name("/proc/1/ns/net") is None
    assert netns_name("/run/netns/") is None


def test_add_sets_lo_up_and_reports_its_addresses_with_the_kernels_ipv6_loopback() -> None:
    host = RecordingHost(scripted([lo()], None, [UP_V4], "0"))
    result = run(cmd_add(args(), CTX), host)
    assert host.ops == [
        Dump(netns="cnix-pod1", what="link"),
        LinkSet(netns="cnix-pod1", ifname="lo", up=True),
        Dump(netns="cnix-pod1", what="addr"),
        SysctlGet(netns="cnix-pod1", key="net.ipv6.conf.lo.disable_ipv6"),
    ]
    assert json.loads(result.render("1.0.0")) == {
        "cniVersion": "1.0.0",
        "interfaces": [{"name": "lo", "mac": "00:00:00:00:00:00", "sandbox": NETNS}],
        "ips": [{"interface": 0, "address": "127.0.0.1/8"}, {"interface": 0, "address": "::1/128"}],
        "dns": {},
    }


def test_add_without_ipv6_reports_only_ipv4() -> None:
    result = run(cmd_add(args(), CTX), RecordingHost(scripted([lo()], None, [UP_V4], "1")))
    assert [str(ip.address) for ip in result.ips] == ["127.0.0.1/8"]
    no_proc = RecordingHost(scripted([lo()], None, [UP_V4], KernelError(errno.ENOENT)))
    assert len(run(cmd_add(args(), CTX), no_proc).ips) == 1


def test_add_uses_ipv6_addresses_the_host_lists() -> None:
    both = lo("UP", addrs=(("inet", "127.0.0.1", 8), ("inet6", "::1", 128)))
    host = RecordingHost(scripted([lo()], None, [both]))
    result = run(cmd_add(args(), CTX), host)
    assert [str(ip.address) for ip in result.ips] == ["127.0.0.1/8", "::1/128"]
    assert len(host.ops) == 3  # no sysctl read needed


def test_add_refuses_a_non_loopback_address() -> None:
    odd = lo("UP", addrs=(("inet", "127.0.0.1", 8), ("inet", "10.0.0.1", 8)))
    with pytest.raises(
        CniError, match=r'loopback interface found with non-loopback address "10.0.0.1"'
    ):
        run(cmd_add(args(), CTX), RecordingHost(scripted([lo()], None, [odd])))


def test_add_passes_a_prev_result_through() -> None:
    prev = {"cniVersion": "1.0.0", "ips": [{"address": "10.1.0.2/24", "gateway": "10.1.0.1"}]}
    stdin = json.dumps({**json.loads(CONF), "prevResult": prev})
    result = run(cmd_add(args(stdin), CTX), RecordingHost(scripted([lo()], None, [UP_V4])))
    assert isinstance(result, Result)
    assert json.loads(result.render("1.0.0")) == {**prev, "dns": {}}


def test_a_missing_namespace_fails_add_and_check_but_not_del() -> None:
    missing = "/var/run/netns/nope"
    want = f'failed to Statfs "{missing}": no such file or directory'
    for cmd in (cmd_add, cmd_check):
        host = RecordingHost(scripted(NoSuchNetns("nope")))
        with pytest.raises(NSPathNotExist) as info:
            run(cmd(args(netns=missing), CTX), host)
        assert info.value.msg == want
    host = RecordingHost(scripted(NoSuchNetns("nope")))
    run(cmd_del(args(netns=missing), CTX), host)
    assert host.ops == [Dump(netns="nope", what="link")]
    with pytest.raises(NSPathNotExist):
        run(cmd_add(args(netns="/proc/1/ns/net"), CTX), RecordingHost())


def test_del_sets_lo_down_and_check_wants_it_up() -> None:
    host = RecordingHost(scripted([UP_V4]))
    run(cmd_del(args(), CTX), host)
    assert host.ops[-1] == LinkSet(netns="cnix-pod1", ifname="lo", up=False)
    run(cmd_check(args(), CTX), RecordingHost(scripted([UP_V4])))
    with pytest.raises(CniError, match="loopback interface is down"):
        run(cmd_check(args(), CTX), RecordingHost(scripted([lo()])))
    nothing = RecordingHost()
    run(cmd_del(args(netns=""), CTX), nothing)
    assert nothing.ops == []


SH = """\
ip netns add cnix-pod1
C='{"cniVersion":"1.0.0","name":"lo","type":"loopback"}'
cni() { env CNI_COMMAND=$1 CNI_CONTAINERID=c1 CNI_NETNS=$2 CNI_IFNAME=lo CNI_PATH=/usr/lib/cni \\
  /opt/cni/bin/loopback <<< "$C"; echo " rc=$?"; }
cni CHECK /var/run/netns/cnix-pod1
cni ADD /var/run/netns/cnix-pod1
ip -n cnix-pod1 -br link show lo
cni CHECK /run/netns/cnix-pod1
cni DEL /var/run/netns/cnix-pod1
ip -n cnix-pod1 -br link show lo
cni DEL /var/run/netns/gone
cni ADD /var/run/netns/gone
"""


def test_loopback_runs_as_an_executable_of_netsim_sh() -> None:
    out = World(seed=1).sh(SH).stdout
    assert '"msg": "loopback interface is down"\n} rc=1' in out
    assert '"address": "::1/128"' in out
    assert "lo               UNKNOWN" in out
    assert out.count(" rc=0") == 4
    assert '"msg": "failed to Statfs \\"/var/run/netns/gone\\": no such file or directory"' in out
