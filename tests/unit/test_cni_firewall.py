"""The firewall plugin (netsim.cni.plugins.meta.firewall), iptables backend: the
commands of ``iptables.go`` in order (RecordingHost), state on SimHost (cni.md
T5's filter rules), ``ingressPolicy``, the versions (0.4.0+) and the errors for
bad input, as the real binary gives them (``scenarios/cni/firewall.sh``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from netsim import World
from netsim.backends.sim.host import SimHost
from netsim.cni.driver import Context, RecordingHost, bind, run
from netsim.cni.errors import CniError
from netsim.cni.fs import MemPluginFs
from netsim.cni.plugins.meta import firewall
from netsim.cni.skel import CmdArgs, plugin_main
from netsim.errors import CommandFailed
from netsim.host.ops import Iptables, Op
from netsim.host.protocol import OpResult
from netsim.shell.fs import MemFs

PREV = {"cniVersion": "1.0.0",
        "interfaces": [{"name": "cni0"}, {"name": "eth0", "sandbox": "/var/run/netns/pod1"}],
        "ips": [{"interface": 1, "address": "10.50.0.2/24", "gateway": "10.50.0.1"}]}  # fmt: skip
ENV = {"CNI_COMMAND": "ADD", "CNI_CONTAINERID": "c1", "CNI_NETNS": "/var/run/netns/pod1",
       "CNI_IFNAME": "eth0", "CNI_PATH": "/usr/lib/cni"}  # fmt: skip
T5_FILTER = [
    "-P INPUT ACCEPT",
    "-P FORWARD ACCEPT",
    "-P OUTPUT ACCEPT",
    "-N CNI-ADMIN",
    "-N CNI-FORWARD",
    '-A FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD',
    '-A CNI-FORWARD -m comment --comment "CNI firewall plugin admin overrides" -j CNI-ADMIN',
    "-A CNI-FORWARD -d 10.50.0.2/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    "-A CNI-FORWARD -s 10.50.0.2/32 -j ACCEPT",
]


def conf(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"cniVersion": "1.0.0", "name": "chainnet", "type": "firewall",
                            "backend": "iptables", "prevResult": PREV}  # fmt: skip
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


def cmd(c: dict[str, Any]) -> CmdArgs:
    return CmdArgs("c1", "/var/run/netns/pod1", "eth0", "", "/usr/lib/cni", json.dumps(c))


def empty_node(op: Op) -> OpResult:
    """``-S`` lists built-in chains only; ``-C`` finds nothing."""
    assert isinstance(op, Iptables)
    if "-C" in op.args:
        raise CommandFailed(("iptables", *op.args), 1, "iptables: Bad rule (does a matching "
                            "rule exist in that chain?).\n")  # fmt: skip
    return "-P INPUT ACCEPT\n" if "-S" in op.args else ""


def words(host: RecordingHost) -> list[str]:
    return [("ip6tables " if op.ipv6 else "iptables ") + " ".join(op.args[:-1])
            for op in host.ops if isinstance(op, Iptables)]  # fmt: skip


def test_add_commands_in_order() -> None:
    host = RecordingHost(empty_node)
    result = run(firewall.cmd_add(cmd(conf()), Context("node")), host)
    assert result.ips[0].interface == 1  # the prevResult, passed on
    fwd = "-m comment --comment CNI firewall plugin rules -j CNI-FORWARD"
    adm = "-m comment --comment CNI firewall plugin admin overrides -j CNI-ADMIN"
    rel = "-d 10.50.0.2/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
    assert words(host) == [
        "iptables -t filter -S", "iptables -t filter -N CNI-FORWARD",
        "iptables -t filter -S", "iptables -t filter -N CNI-ADMIN",
        f"iptables -t filter -C FORWARD {fwd}", f"iptables -t filter -I FORWARD 1 {fwd}",
        f"iptables -t filter -C CNI-FORWARD {adm}", f"iptables -t filter -I CNI-FORWARD 1 {adm}",
        f"iptables -t filter -C CNI-FORWARD {rel}", f"iptables -t filter -A CNI-FORWARD {rel}",
        "iptables -t filter -C CNI-FORWARD -s 10.50.0.2/32 -j ACCEPT",
        "iptables -t filter -A CNI-FORWARD -s 10.50.0.2/32 -j ACCEPT",
    ]  # fmt: skip


def test_sim_t5_rules_check_and_del() -> None:
    w = World(seed=1)
    w.netns_add("node")
    host, ctx = SimHost(w), Context("node")
    run(firewall.cmd_add(cmd(conf()), ctx), host)
    run(firewall.cmd_add(cmd(conf()), ctx), host)  # idempotent
    assert w.sh("ip netns exec node iptables -S").stdout.splitlines() == T5_FILTER
    run(firewall.cmd_check(cmd(conf()), ctx), host)
    w.sh("ip netns exec node iptables -D CNI-FORWARD 2")
    with pytest.raises(CniError, match=r"^expected rule \[-d 10.50.0.2/32 -m conntrack "
                       r"--ctstate RELATED,ESTABLISHED -j ACCEPT\] not found$"):  # fmt: skip
        run(firewall.cmd_check(cmd(conf()), ctx), host)
    run(firewall.cmd_del(cmd(conf()), ctx), host)
    run(firewall.cmd_del(cmd(conf(prevResult=None)), ctx), host)
    assert w.sh("ip netns exec node iptables -S").stdout.splitlines() == T5_FILTER[:7]
    w.sh("ip netns exec node iptables -D FORWARD 1")
    with pytest.raises(CniError, match=r"^expected FORWARD rule \[-m comment --comment CNI "
                       r"firewall plugin rules -j CNI-FORWARD\] not found$"):  # fmt: skip
        run(firewall.cmd_check(cmd(conf()), ctx), host)


def test_ipv6_addresses_go_to_ip6tables_and_admin_chain_name() -> None:
    w = World(seed=1)
    w.netns_add("node")
    prev = {"cniVersion": "0.4.0", "ips": [{"version": "6", "address": "fd00::5/64"}]}
    c = conf(cniVersion="0.4.0", prevResult=prev, iptablesAdminChainName="MY-ADMIN")
    run(firewall.cmd_add(cmd(c), Context("node")), SimHost(w))
    assert w.sh("ip netns exec node iptables-save").stdout == ""
    assert w.sh("ip netns exec node ip6tables -S").stdout.splitlines()[3:] == [
        "-N CNI-FORWARD",
        "-N MY-ADMIN",
        '-A FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD',
        '-A CNI-FORWARD -m comment --comment "CNI firewall plugin admin overrides" -j MY-ADMIN',
        "-A CNI-FORWARD -d fd00::5/128 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        "-A CNI-FORWARD -s fd00::5/128 -j ACCEPT",
    ]


def test_same_bridge_isolation_chains() -> None:
    w = World(seed=1)
    w.netns_add("node")
    run(firewall.cmd_add(cmd(conf(ingressPolicy="same-bridge")), Context("node")), SimHost(w))
    rules = w.sh("ip netns exec node iptables -S").stdout.splitlines()
    c = '-m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge)"'
    assert rules[7] == f"-A FORWARD {c} -j CNI-ISOLATION-STAGE-1"
    assert rules[-4:] == [
        f"-A CNI-ISOLATION-STAGE-1 -i cni0 ! -o cni0 {c} -j CNI-ISOLATION-STAGE-2",
        f"-A CNI-ISOLATION-STAGE-1 {c} -j RETURN",
        f"-A CNI-ISOLATION-STAGE-2 -o cni0 {c} -j DROP",
        f"-A CNI-ISOLATION-STAGE-2 {c} -j RETURN",
    ]


ERRORS = [
    (conf(prevResult=None), 999, "missing prevResult from earlier plugin", None),
    (conf(cniVersion="0.2.0"), 1, "incompatible CNI versions",
     'config is "0.2.0", plugin supports ["0.4.0" "1.0.0"]'),
    (conf(cniVersion="0.3.1"), 1, "incompatible CNI versions",
     'config is "0.3.1", plugin supports ["0.4.0" "1.0.0"]'),
    (conf(backend=7), 999, "failed to load netconf: json: cannot unmarshal number into Go struct "
     "field FirewallNetConf.backend of type string", None),
    (conf(ingressPolicy="x"), 999, 'unknown ingress policy: "x"', None),
    (conf(ingressPolicy="same-bridge", prevResult={"cniVersion": "1.0.0"}), 999,
     'interface needs to be set for ingress policy "same-bridge", make sure to chain '
     '"firewall" plugin with "bridge"', None),
    (conf(cniVersion="0.4.0"), 999, "could not parse prevResult: could not parse prevResult: "
     'result type supports [0.3.0 0.3.1 0.4.0] but unmarshalled CNIVersion is "1.0.0"', None),
    (conf(backend="firewalld"), 999, firewall.FIREWALLD_NOT_MODELLED, None),
]  # fmt: skip


@pytest.mark.parametrize(("config", "code", "msg", "details"), ERRORS,
                         ids=[e[2][-40:] for e in ERRORS])  # fmt: skip
def test_bad_input(config: dict[str, Any], code: int, msg: str, details: str | None) -> None:
    plugin = bind(firewall.FIREWALL, RecordingHost(empty_node), ctx=Context("node"))
    out = plugin_main(plugin, ENV, json.dumps(config), MemPluginFs(MemFs()))
    want = {"code": code, "msg": msg} | ({"details": details} if details else {})
    assert (out.status, json.loads(out.stdout)) == (1, want)


def test_version_and_del_without_prev_result() -> None:
    plugin = bind(firewall.FIREWALL, RecordingHost(empty_node), ctx=Context("node"))
    out = plugin_main(plugin, {"CNI_COMMAND": "VERSION"}, "{}", MemPluginFs(MemFs()))
    assert json.loads(out.stdout)["supportedVersions"] == ["0.4.0", "1.0.0"]
    host = RecordingHost(empty_node)
    run(firewall.cmd_del(cmd(conf(prevResult=None)), Context("node")), host)
    assert host.ops == []
    with pytest.raises(CniError, match=r"^missing prevResult from earlier plugin$"):
        run(firewall.cmd_check(cmd(conf(prevResult=None)), Context("node")), host)
