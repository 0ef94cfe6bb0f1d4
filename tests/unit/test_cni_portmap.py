"""The portmap plugin (netsim.cni.plugins.meta.portmap): the chains and rules of
``portmap_test.go`` / ``chain_test.go`` (containernetworking/plugins v1.1.1),
the go-iptables commands in order (RecordingHost), state on SimHost, and the
errors for bad input (each checked against the real binary in
``scenarios/cni/portmap.sh`` and the tests' bad-input script)."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest

from netsim import World
from netsim.backends.sim.host import SimHost
from netsim.cni.driver import Context, RecordingHost, bind, run
from netsim.cni.fs import MemPluginFs
from netsim.cni.plugins.meta import portmap
from netsim.cni.plugins.meta.portmap_chain import (
    fill_dnat_rules,
    gen_dnat_chain,
    gen_mark_masq_chain,
    gen_set_mark_chain,
    gen_toplevel_dnat_chain,
)
from netsim.cni.skel import CmdArgs, plugin_main
from netsim.errors import CommandFailed
from netsim.host.ops import ConntrackDelete, Iptables, Op, RouteGet, SysctlSet
from netsim.host.protocol import OpResult
from netsim.shell.fs import MemFs

LONG_ID = ("icee6giejonei6sohng6ahngee7laquohquee9shiGo7fohferakah3Feiyoolu2pei7ciPhoh7shaoX6"
           "vai3vuf0ahfaeng8yohb9ceu0daez5hashee8ooYai5wa3y")  # fmt: skip
MAPS = [
    {"hostPort": 8080, "containerPort": 80, "protocol": "tcp"},
    {"hostPort": 8081, "containerPort": 80, "protocol": "tcp"},
    {"hostPort": 8080, "containerPort": 81, "protocol": "udp"},
    {"hostPort": 8082, "containerPort": 82, "protocol": "udp"},
    {"hostPort": 8083, "containerPort": 83, "protocol": "tcp", "hostIP": "192.168.0.2"},
    {"hostPort": 8084, "containerPort": 84, "protocol": "tcp", "hostIP": "0.0.0.0"},
    {"hostPort": 8085, "containerPort": 85, "protocol": "tcp", "hostIP": "2001:db8:a::1"},
    {"hostPort": 8086, "containerPort": 86, "protocol": "tcp", "hostIP": "::"},
]
PREV = {"cniVersion": "1.0.0",
        "interfaces": [{"name": "veth1"}, {"name": "eth0", "sandbox": "/var/run/netns/pod1"}],
        "ips": [{"interface": 1, "address": "10.50.0.2/24", "gateway": "10.50.0.1"}]}  # fmt: skip


def conf(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"cniVersion": "1.0.0", "name": "chainnet", "type": "portmap",
                            "runtimeConfig": {"portMappings": [
                                {"hostPort": 8080, "containerPort": 80, "protocol": "tcp"},
                                {"hostPort": 5353, "containerPort": 53, "protocol": "udp",
                                 "hostIP": "10.50.0.1"}]},
                            "prevResult": PREV}  # fmt: skip
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


def cmd(c: dict[str, Any], cid: str = "c1") -> CmdArgs:
    return CmdArgs(cid, "/var/run/netns/pod1", "eth0", "", "/usr/lib/cni", json.dumps(c))


def go_conf(ver: str, **kw: Any) -> portmap.PortMapConf:
    text = json.dumps({"name": "test", "type": "portmap", "cniVersion": ver,
                       "runtimeConfig": {"portMappings": MAPS}, **kw})  # fmt: skip
    c = portmap.parse_config(text, "foo")
    c.container_id = LONG_ID
    return c


# --- the chains of portmap_test.go ---------------------------------------------------------


def test_chain_names() -> None:
    assert gen_dnat_chain("testNetName", LONG_ID).name == "CNI-DN-bfd599665540dd91d5d28"
    assert gen_dnat_chain("test", LONG_ID).name == "CNI-DN-67e92b96e692a494b6b85"
    assert gen_dnat_chain("chainnet", "c1").name == "CNI-DN-e26e96f88412854951bb8"  # cni.md T5


@pytest.mark.parametrize("ver", ["0.3.0", "0.3.1", "0.4.0", "1.0.0"])
def test_dnat_rules_v4_v6_and_without_snat(ver: str) -> None:
    c = go_conf(ver, snat=True, conditionsV4=["a", "b"], conditionsV6=["c", "d"])
    ch = gen_dnat_chain(c.name, LONG_ID)
    fill_dnat_rules(ch, c, ipaddress.ip_interface("10.0.0.2/24"))
    comment = ["-m", "comment", "--comment", f'dnat name: "test" id: "{LONG_ID}"']
    assert ch.entry_rules == [
        [*comment, "-m", "multiport", "-p", "tcp", "--destination-ports",
         "8080,8081,8083,8084,8085,8086", "a", "b"],
        [*comment, "-m", "multiport", "-p", "udp", "--destination-ports", "8080,8082", "a", "b"],
    ]  # fmt: skip
    sm = "CNI-HOSTPORT-SETMARK"

    def three(p: str, port: int, to: int, *dst: str) -> list[list[str]]:
        base = ["-p", p, "--dport", str(port), *dst]
        return [[*base, "-s", "10.0.0.2/24", "-j", sm], [*base, "-s", "127.0.0.1", "-j", sm],
                [*base, "-j", "DNAT", "--to-destination", f"10.0.0.2:{to}"]]  # fmt: skip

    assert ch.rules == [*three("tcp", 8080, 80), *three("tcp", 8081, 80), *three("udp", 8080, 81),
                        *three("udp", 8082, 82), *three("tcp", 8083, 83, "-d", "192.168.0.2"),
                        *three("tcp", 8084, 84)]  # fmt: skip
    ch.rules, ch.entry_rules = [], []
    fill_dnat_rules(ch, c, ipaddress.ip_interface("2001:db8::2/64"))
    assert ch.entry_rules[0][-2:] == ["c", "d"]
    assert ch.rules[:2] == [
        ["-p", "tcp", "--dport", "8080", "-s", "2001:db8::2/64", "-j", sm],
        ["-p", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "[2001:db8::2]:80"],
    ]
    assert ch.rules[-4:] == [
        ["-p", "tcp", "--dport", "8085", "-d", "2001:db8:a::1", "-s", "2001:db8::2/64", "-j", sm],
        ["-p", "tcp", "--dport", "8085", "-d", "2001:db8:a::1", "-j", "DNAT", "--to-destination",
         "[2001:db8::2]:85"],
        ["-p", "tcp", "--dport", "8086", "-s", "2001:db8::2/64", "-j", sm],
        ["-p", "tcp", "--dport", "8086", "-j", "DNAT", "--to-destination", "[2001:db8::2]:86"],
    ]  # fmt: skip
    c.snat = False
    fill_dnat_rules(ch, c, ipaddress.ip_interface("10.0.0.2/24"))
    assert [r[3] for r in ch.rules] == ["8080", "8081", "8080", "8082", "8083", "8084"]
    assert all(r[-2] == "--to-destination" for r in ch.rules)


def test_external_mark_chain_and_mark_chains() -> None:
    c = go_conf("1.0.0", externalSetMarkChain="PLZ-SET-MARK")
    ch = gen_dnat_chain(c.name, LONG_ID)
    fill_dnat_rules(ch, c, ipaddress.ip_interface("10.0.0.2/24"))
    base = ["-p", "tcp", "--dport", "8080"]
    assert ch.rules[:2] == [[*base, "-s", "10.0.0.2/24", "-j", "PLZ-SET-MARK"],
                            [*base, "-s", "127.0.0.1", "-j", "PLZ-SET-MARK"]]  # fmt: skip
    assert gen_set_mark_chain(5).rules == [["-m", "comment", "--comment",
                                            "CNI portfwd masquerade mark", "-j", "MARK",
                                            "--set-xmark", "0x20/0x20"]]  # fmt: skip
    masq = gen_mark_masq_chain(5)
    assert masq.prepend_entry and masq.entry_chains == ["POSTROUTING"]
    assert masq.rules == [["-m", "mark", "--mark", "0x20/0x20", "-j", "MASQUERADE"]]
    top = gen_toplevel_dnat_chain()
    assert top.entry_chains == ["PREROUTING", "OUTPUT"]
    assert top.entry_rules == [["-m", "addrtype", "--dst-type", "LOCAL"]]


def test_parse_picks_the_container_addresses() -> None:
    """An IP whose interface is a known host interface, or names another ifname, is skipped."""
    prev = {"interfaces": [{"name": "host"}, {"name": "container", "sandbox": "netns"}],
            "ips": [{"version": "4", "address": "10.0.0.1/24", "interface": 0},
                    {"version": "6", "address": "2001:db8:1::2/64", "interface": 1},
                    {"version": "4", "address": "10.0.0.2/24", "interface": 1}]}  # fmt: skip
    for ver in ("0.3.1", "0.4.0"):
        c = portmap.parse_config(json.dumps({"name": "test", "cniVersion": ver, "snat": False,
                                             "prevResult": prev}), "container")  # fmt: skip
        assert str(c.cont_ipv4) == "10.0.0.2/24" and str(c.cont_ipv6) == "2001:db8:1::2/64"
        assert c.snat is False and c.mark_masq_bit == 13
    c = portmap.parse_config(json.dumps({"name": "t", "cniVersion": "0.4.0", "prevResult": {
        "ips": [{"version": "4", "address": "10.0.0.1/24"}]}}), "x")  # fmt: skip
    assert str(c.cont_ipv4) == "10.0.0.1/24"  # no interface index: taken


# --- the commands, in order ----------------------------------------------------------------


def _answers(listed: str = "-P PREROUTING ACCEPT\n") -> Any:
    """A node with empty tables: ``-S`` lists the built-in chains, ``-C`` finds nothing."""

    def answer(op: Op) -> OpResult:
        if isinstance(op, Iptables):
            if "-C" in op.args:
                raise CommandFailed(("iptables", *op.args), 1, "iptables: Bad rule (does a "
                                    "matching rule exist in that chain?).\n")  # fmt: skip
            return listed if "-S" in op.args else ""
        if isinstance(op, RouteGet):
            return [{"dst": op.dst, "dev": "veth1", "prefsrc": "10.50.0.1"}]
        if isinstance(op, ConntrackDelete):
            return 0
        return None

    return answer


def _words(ops: list[Op]) -> list[str]:
    out = []
    for op in ops:
        if isinstance(op, Iptables):
            out.append(("ip6tables " if op.ipv6 else "iptables ") + " ".join(op.args[:-1]))
        else:
            out.append(type(op).__name__)
    return out


def test_add_runs_go_iptables_in_forwardports_order() -> None:
    host = RecordingHost(_answers())
    result = run(portmap.cmd_add(cmd(conf()), Context("node")), host)
    assert result.ips[0].address == ipaddress.ip_interface("10.50.0.2/24")
    dn = "CNI-DN-e26e96f88412854951bb8"
    cm = '-m comment --comment dnat name: "chainnet" id: "c1" -m multiport'
    assert _words(host.ops) == [
        "iptables -t nat -S",
        "iptables -t nat -N CNI-HOSTPORT-SETMARK",
        "iptables -t nat -C CNI-HOSTPORT-SETMARK -m comment --comment CNI portfwd masquerade mark "
        "-j MARK --set-xmark 0x2000/0x2000",
        "iptables -t nat -A CNI-HOSTPORT-SETMARK -m comment --comment CNI portfwd masquerade mark "
        "-j MARK --set-xmark 0x2000/0x2000",
        "iptables -t nat -S",
        "iptables -t nat -N CNI-HOSTPORT-MASQ",
        "iptables -t nat -C CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE",
        "iptables -t nat -A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE",
        "iptables -t nat -C POSTROUTING -m comment --comment CNI portfwd requiring masquerade "
        "-j CNI-HOSTPORT-MASQ",
        "iptables -t nat -I POSTROUTING 1 -m comment --comment CNI portfwd requiring masquerade "
        "-j CNI-HOSTPORT-MASQ",
        "RouteGet",
        "SysctlSet",
        "iptables -t nat -S",
        "iptables -t nat -N CNI-HOSTPORT-DNAT",
        "iptables -t nat -C PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT",
        "iptables -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT",
        "iptables -t nat -C OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT",
        "iptables -t nat -A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT",
        "iptables -t nat -S",
        f"iptables -t nat -N {dn}",
        *[f"iptables -t nat {c} {dn} {r}" for r in (
            "-p tcp --dport 8080 -s 10.50.0.2/24 -j CNI-HOSTPORT-SETMARK",
            "-p tcp --dport 8080 -s 127.0.0.1 -j CNI-HOSTPORT-SETMARK",
            "-p tcp --dport 8080 -j DNAT --to-destination 10.50.0.2:80",
            "-p udp --dport 5353 -d 10.50.0.1 -s 10.50.0.2/24 -j CNI-HOSTPORT-SETMARK",
            "-p udp --dport 5353 -d 10.50.0.1 -s 127.0.0.1 -j CNI-HOSTPORT-SETMARK",
            "-p udp --dport 5353 -d 10.50.0.1 -j DNAT --to-destination 10.50.0.2:53",
        ) for c in ("-C", "-A")],
        *[f"iptables -t nat {c} CNI-HOSTPORT-DNAT {cm} -p {p} --destination-ports {port} -j {dn}"
          for p, port in (("tcp", 8080), ("udp", 5353)) for c in ("-C", "-A")],
        "ConntrackDelete",
    ]  # fmt: skip
    assert SysctlSet(netns="node", key="net/ipv4/conf/veth1/route_localnet", value="1") in host.ops
    assert RouteGet(netns="node", dst="10.50.0.2") in host.ops
    assert host.ops[-1] == ConntrackDelete(netns="node", proto=17, dport=5353)


def test_add_without_snat_or_mappings() -> None:
    host = RecordingHost(_answers())
    run(portmap.cmd_add(cmd(conf(snat=False)), Context("node")), host)
    words = _words(host.ops)
    assert "RouteGet" not in words and not any("SETMARK" in w for w in words)
    host = RecordingHost(_answers())
    result = run(portmap.cmd_add(cmd(conf(runtimeConfig={})), Context("node")), host)
    assert host.ops == [] and result.interfaces[0].name == "veth1"  # passed through


def test_del_tears_down_in_both_families() -> None:
    listed = "-P OUTPUT ACCEPT\n-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT\n"
    host = RecordingHost(_answers(listed))
    run(portmap.cmd_del(cmd(conf(prevResult=None)), Context("node")), host)
    words = _words(host.ops)
    dn, sn = "CNI-DN-e26e96f88412854951bb8", "CNI-SN-e26e96f88412854951bb8"
    assert words[:2] == ["iptables -t nat -S OUTPUT", "ip6tables -t nat -S OUTPUT"]
    for fam in ("iptables", "ip6tables"):
        part = [w for w in words[2:] if w.split()[0] == fam]
        assert part == [f"{fam} -t nat -N {dn}", f"{fam} -t nat -S CNI-HOSTPORT-DNAT",
                        f"{fam} -t nat -X {dn}", f"{fam} -t nat -N {sn}",
                        f"{fam} -t nat -S CNI-HOSTPORT-SNAT", f"{fam} -t nat -X {sn}"]  # fmt: skip


def test_sim_add_check_del_round_trip() -> None:
    """On the model: ADD makes cni.md T5's rules, CHECK then fails on ip6tables as
    the real plugin does on a node, DEL leaves the shared chains."""
    w = World(seed=1)
    w.netns_add("node")
    host, ctx = SimHost(w), Context("node")
    run(portmap.cmd_add(cmd(conf()), ctx), host)
    rules = w.sh("ip netns exec node iptables -t nat -S").stdout
    assert "-A CNI-DN-e26e96f88412854951bb8 -d 10.50.0.1/32 -p udp -m udp --dport 5353 -j DNAT " \
           "--to-destination 10.50.0.2:53" in rules  # fmt: skip
    with pytest.raises(Exception) as info:
        run(portmap.cmd_check(cmd(conf()), ctx), host)
    assert str(info.value) == ("could not check ipv6 dnat: chain CNI-DN-e26e96f88412854951bb8 "
                               "not found in iptables table nat")  # fmt: skip
    run(portmap.cmd_add(cmd(conf()), ctx), host)  # idempotent
    assert w.sh("ip netns exec node iptables -t nat -S").stdout == rules
    run(portmap.cmd_del(cmd(conf()), ctx), host)
    run(portmap.cmd_del(cmd(conf()), ctx), host)
    after = w.sh("ip netns exec node iptables -t nat -S").stdout
    assert "CNI-DN-" not in after and "-N CNI-HOSTPORT-DNAT" in after
    with pytest.raises(Exception, match="could not check ipv4 dnat: chain CNI-DN-"):
        run(portmap.cmd_check(cmd(conf()), ctx), host)


def test_stale_udp_conntrack_entries_go() -> None:
    """``deletePortmapStaleConnections``: a flow to the host port tracked before
    the ADD (no NAT) is deleted, so its next datagram is DNATed."""
    w = World(seed=1)
    w.sh("ip netns add node\nip -n node link set lo up\n"
         "ip netns exec node iptables -t nat -A POSTROUTING -o lo -j MASQUERADE\n"
         "ip netns exec node bash -c 'echo x > /dev/udp/127.0.0.1/5353; "
         "echo y > /dev/udp/127.0.0.1/5354'\nsleep 1")  # fmt: skip
    ct = w.netns("node").netfilter.conntrack
    assert sorted(e.tuples[0][4] for e in ct.entries()) == [5353, 5354]
    run(portmap.cmd_add(cmd(conf()), Context("node")), SimHost(w))
    assert [e.tuples[0][4] for e in ct.entries()] == [5354]


# --- bad input, as the binary reports it -----------------------------------------------------

ERRORS = [
    (conf(prevResult=None), "must be called as chained plugin"),
    (conf(snat="yes"), "failed to parse config: failed to parse network configuration: json: "
     "cannot unmarshal string into Go struct field PortMapConf.snat of type bool"),
    (conf(markMasqBit=32), "failed to parse config: MasqMarkBit must be between 0 and 31"),
    (conf(markMasqBit=-1), "failed to parse config: MasqMarkBit must be between 0 and 31"),
    (conf(markMasqBit=5, externalSetMarkChain="X"),
     "failed to parse config: Cannot specify externalSetMarkChain and markMasqBit"),
    (conf(runtimeConfig={"portMappings": [{"hostPort": 0, "containerPort": 80}]}),
     "failed to parse config: Invalid host port number: 0"),
    (conf(runtimeConfig={"portMappings": [{"hostPort": 80, "containerPort": 0}]}),
     "failed to parse config: Invalid container port number: 0"),
    (conf(runtimeConfig={"portMappings": [{"hostPort": "80", "containerPort": 8}]}),
     "failed to parse config: failed to parse network configuration: json: cannot unmarshal "
     "string into Go struct field PortMapEntry.runtimeConfig.portMappings.hostPort of type int"),
    (conf(conditionsV4="x"), "failed to parse config: failed to parse network configuration: "
     "json: cannot unmarshal string into Go struct field PortMapConf.conditionsV4 of type "
     "[]string"),
    (conf(prevResult={"cniVersion": "1.0.0", "ips": [{"address": "bad"}]}),
     "failed to parse config: could not parse prevResult: could not parse prevResult: invalid "
     "CIDR address: bad"),
    (conf(cniVersion="0.3.1"), "failed to parse config: could not parse prevResult: could not "
     'parse prevResult: result type supports [0.3.0 0.3.1 0.4.0] but unmarshalled CNIVersion is '
     '"1.0.0"'),
]  # fmt: skip


@pytest.mark.parametrize(("config", "msg"), ERRORS, ids=[m[-40:] for _, m in ERRORS])
def test_bad_input_is_the_binarys_error(config: dict[str, Any], msg: str) -> None:
    env = {"CNI_COMMAND": "ADD", "CNI_CONTAINERID": "c1", "CNI_NETNS": "/var/run/netns/pod1",
           "CNI_IFNAME": "eth0", "CNI_PATH": "/usr/lib/cni"}  # fmt: skip
    plugin = bind(portmap.PORTMAP, RecordingHost(_answers()), ctx=Context("node"))
    out = plugin_main(plugin, env, json.dumps(config), MemPluginFs(MemFs()))
    assert out.status == 1
    assert json.loads(out.stdout) == {"code": 999, "msg": msg}


def test_check_needs_a_prev_result() -> None:
    with pytest.raises(Exception, match=r"^Required prevResult missing$"):
        run(portmap.cmd_check(cmd(conf(prevResult=None)), Context("node")), RecordingHost())
