"""netsim.observe: parsing the snapshot snippet's output, normalising, diffing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from netsim import World
from netsim.backends.sim.host import SimHost
from netsim.cli import main
from netsim.observe import (
    MISSING,
    Difference,
    NsSnapshot,
    ObserveError,
    Snapshot,
    diff,
    parse_output,
    snapshot,
    snapshot_script,
)
from netsim.observe.script import split_output

M = "@@netsim-observe"


def _out(sections: dict[str, dict[str, Any]], before: str = "") -> str:
    lines = [before + f"{M} begin"]
    for ns, kinds in sections.items():
        for kind, value in kinds.items():
            lines.append(f"{M} {ns} {kind}")
            lines.append(value if isinstance(value, str) else json.dumps(value))
    return "\n".join([*lines, f"{M} end", ""])


def _veth(ifindex: int, name: str, mac: str, peer_index: int, nsid: int | None) -> dict[str, Any]:
    r: dict[str, Any] = {"ifindex": ifindex, "link_index": peer_index, "ifname": name,
                         "address": mac, "linkinfo": {"info_kind": "veth"}}  # fmt: skip
    if nsid is not None:
        r["link_netnsid"] = nsid
    return r


def _pair(mac_a: str, mac_b: str, *, index_b: int = 2) -> Snapshot:
    """Namespace a's v0 (random MAC) and b's v1, a veth pair."""
    a = NsSnapshot(links=(_veth(2, "v0", mac_a, index_b, 0),), nsids={0: "b"},
                   neigh=({"dst": "10.0.0.2", "dev": "v0", "lladdr": mac_b, "state": ["STALE"]},),
                   fdb=({"mac": "33:33:00:00:00:01", "ifname": "v0", "flags": ["self"],
                         "state": "permanent"},))  # fmt: skip
    b = NsSnapshot(links=(_veth(index_b, "v1", mac_b, 2, 0),), nsids={0: "a"})
    return Snapshot({"a": a, "b": b})


# --- the snippet and its parser ------------------------------------------------------------


def test_parse_output_reads_each_dump_and_keeps_only_the_documented_sysctls() -> None:
    links = [{"ifindex": 1, "ifname": "lo"}]
    sysctls = "net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.rp_filter = 2\nnet.core.somaxconn = 9"
    text = _out(
        {
            "init_net": {"link": links, "route": [], "sysctl": sysctls},
            "n1": {"nsid": [{"nsid": 0, "name": "n2"}, {"nsid": 1}]},
        },
        before="hello\n",
    )
    snap = parse_output(text)
    assert snap.namespaces["init_net"].links == tuple(links)
    assert snap.namespaces["init_net"].sysctls == {
        "net.ipv4.ip_forward": "1",
        "net.ipv4.conf.all.rp_filter": "2",
    }
    assert snap.namespaces["n1"].nsids == {0: "n2", 1: "init_net"}
    assert split_output(text)[0] == "hello\n"


def test_parse_output_names_the_dump_that_failed() -> None:
    text = _out({"n1": {"fdb": "Error: Unknown device type."}})
    with pytest.raises(ObserveError, match=r"n1: the fdb dump printed 'Error: Unknown"):
        parse_output(text)
    with pytest.raises(ObserveError, match="did not run"):
        parse_output("only the script's output\n")
    with pytest.raises(ObserveError, match="end marker"):
        parse_output(f"{M} begin\n{M} init_net link\n[]\n")


def test_the_snippet_under_netsim_sh_agrees_with_the_host_dumps() -> None:
    script = """ip netns add a
ip -n a link add v0 type veth peer name v1
ip -n a link add br0 type bridge
ip -n a link set v1 master br0
ip -n a addr add 10.0.0.1/24 dev v0
for d in v0 v1 br0; do ip -n a link set $d up; done
ip netns exec a sysctl -qw net.ipv4.conf.v0.rp_filter=2
"""
    w1, w2 = World(seed=3), World(seed=3)
    w1.sh(script)
    w2.sh(script)
    by_script = parse_output(w1.sh(snapshot_script()).stdout)
    by_host = snapshot(SimHost(w2))
    assert set(by_script.namespaces) == {"init_net", "a"}
    assert by_script.namespaces["a"].sysctls["net.ipv4.conf.v0.rp_filter"] == "2"
    assert diff(by_script.normalised(), by_host.normalised()) == []


# --- the normaliser ------------------------------------------------------------------------


def test_random_macs_ifindexes_and_nsids_normalise_alike() -> None:
    one = _pair("92:b7:22:65:b1:f5", "ce:61:d8:f1:6a:df").normalised()
    two = _pair("82:3f:bc:4b:44:d0", "aa:bb:cc:dd:ee:02", index_b=7).normalised()
    assert diff(one, two) == []
    v0 = one.namespaces["a"].links[0]
    assert v0["address"] == "mac1"
    assert v0["link"] == "v1" and v0["link_netns"] == "b"
    assert "ifindex" not in v0 and "link_index" not in v0 and "link_netnsid" not in v0
    assert one.namespaces["a"].neigh[0]["lladdr"] == "mac2"
    assert one.namespaces["a"].fdb == ()  # the kernel's multicast self entry
    assert one.namespaces["a"].nsids == {}


def test_pinned_macs_stay_and_a_changed_one_is_reported() -> None:
    pinned = frozenset({"02:00:00:00:00:01"})
    one = _pair("02:00:00:00:00:01", "ce:61:d8:f1:6a:df").normalised(pinned=pinned)
    two = _pair("02:00:00:00:00:09", "ce:61:d8:f1:6a:df").normalised(pinned=pinned)
    assert one.namespaces["a"].links[0]["address"] == "02:00:00:00:00:01"
    assert Difference("a", "links", "v0", "address", "02:00:00:00:00:01", "mac1") in diff(one, two)


def test_host_snapshots_without_nsids_find_the_veth_peer_namespace() -> None:
    snap = _pair("92:b7:22:65:b1:f5", "ce:61:d8:f1:6a:df")
    bare = Snapshot({ns: NsSnapshot(links=s.links) for ns, s in snap.namespaces.items()})
    assert bare.normalised().namespaces["a"].links[0]["link_netns"] == "b"


def test_timers_ipv6_link_local_and_link_fields_of_addrs_are_dropped() -> None:
    brport = {"ifindex": 3, "ifname": "v1", "master": "br0", "hold_timer": 0.12,
              "linkinfo": {"info_slave_data": {"message_age_timer": 1.5, "cost": 2,
                                               "bridge_id": "8000.2:0:0:0:0:a0"}}}  # fmt: skip
    addr = {"ifindex": 2, "ifname": "v0", "mtu": 1500,
            "addr_info": [{"family": "inet", "local": "10.0.0.1", "prefixlen": 24},
                          {"family": "inet6", "local": "fe80::1", "prefixlen": 64}]}  # fmt: skip
    fdb = {"mac": "02:00:00:00:00:a0", "ifname": "v1", "master": "br0", "updated": 3, "used": 4}
    routes = (
        {"dst": "fe80::/64", "dev": "v0"},
        {"type": "multicast", "dst": "ff00::/8", "table": "local"},
        {"type": "local", "dst": "fe80::1", "table": "local"},
    )
    ns = NsSnapshot(links=(brport,), addrs=(addr,), fdb=(fdb,), routes=routes)
    out = Snapshot({"init_net": ns}).normalised().namespaces["init_net"]
    slave = {"cost": 2, "bridge_id": "8000.mac1"}
    assert out.links[0] == {"ifname": "v1", "master": "br0",
                            "linkinfo": {"info_slave_data": slave}}  # fmt: skip
    assert out.addrs == ({"ifname": "v0", "addr_info": [addr["addr_info"][0]]},)
    assert out.fdb == ({"mac": "mac1", "ifname": "v1", "master": "br0"},)
    assert out.routes == ()


def test_random_veth_names_become_stable_everywhere() -> None:
    links = (
        {"ifindex": 5, "ifname": "veth1a2b3c4d", "master": "cni0", "link_index": 2,
         "link_netnsid": 0},
        {"ifindex": 4, "ifname": "cni0"},
    )  # fmt: skip
    ns = NsSnapshot(links=links, nsids={0: "pod"},
                    sysctls={"net.ipv4.conf.veth1a2b3c4d.forwarding": "1"})  # fmt: skip
    pod = NsSnapshot(links=({"ifindex": 2, "ifname": "eth0", "link_index": 5,
                             "link_netnsid": 0},), nsids={0: "init_net"})  # fmt: skip
    out = Snapshot({"init_net": ns, "pod": pod}).normalised()
    assert [r["ifname"] for r in out.namespaces["init_net"].links] == ["cni0", "veth~1"]
    assert out.namespaces["pod"].links[0]["link"] == "veth~1"
    assert out.namespaces["init_net"].sysctls == {"net.ipv4.conf.veth~1.forwarding": "1"}


# --- diff ----------------------------------------------------------------------------------


def _one(ns: NsSnapshot) -> Snapshot:
    return Snapshot({"init_net": NsSnapshot(), "n1": ns})


def test_diff_names_namespace_table_key_and_field() -> None:
    route = {"dst": "10.0.0.0/24", "dev": "v0", "protocol": "kernel", "scope": "link"}
    a = _one(NsSnapshot(routes=(route,), sysctls={"net.ipv4.ip_forward": "0"}))
    b = _one(NsSnapshot(routes=({**route, "dev": "v1"},), sysctls={"net.ipv4.ip_forward": "1"}))
    assert diff(a, b) == [
        Difference("n1", "routes", "main unicast 10.0.0.0/24", "dev", "v0", "v1"),
        Difference("n1", "sysctls", "net.ipv4.ip_forward", "value", "0", "1"),
    ]
    assert str(diff(a, b)[0]) == 'n1 routes[main unicast 10.0.0.0/24].dev: a="v0" b="v1"'


def test_diff_reports_nested_fields_and_records_on_one_side() -> None:
    vx = {"ifname": "vx0", "linkinfo": {"info_kind": "vxlan", "info_data": {"port": 4789}}}
    fdb = {"mac": "00:00:00:00:00:00", "ifname": "vx0", "dst": "192.168.50.2",
           "flags": ["self"], "state": "permanent"}  # fmt: skip
    a = _one(NsSnapshot(links=(vx,), fdb=(fdb,)))
    b = _one(NsSnapshot(links=({**vx, "linkinfo": {"info_kind": "vxlan",
                                                    "info_data": {"port": 8472}}},)))  # fmt: skip
    got = diff(a, b)
    assert got[0] == Difference("n1", "links", "vx0", "linkinfo.info_data.port", 4789, 8472)
    key = "00:00:00:00:00:00 dev vx0 dst 192.168.50.2 self"
    assert got[1] == Difference("n1", "fdb", key, None, fdb, MISSING)
    assert got[1].format(("sim", "kernel")).startswith(f"n1 fdb[{key}]: only in sim: ")
    assert diff(b, b) == []


def test_diff_pairs_addresses_one_by_one_and_whole_namespaces() -> None:
    addr = {"ifname": "v0", "addr_info": [{"family": "inet", "local": "10.0.0.1",
                                           "prefixlen": 24, "scope": "global"}]}  # fmt: skip
    a = _one(NsSnapshot(addrs=(addr,)))
    b = Snapshot({"init_net": NsSnapshot()})
    assert diff(a, b) == [Difference("n1", "netns", "n1", None, "n1", MISSING)]
    c = _one(NsSnapshot(addrs=({**addr, "addr_info": [{**addr["addr_info"][0],
                                                        "scope": "host"}]},)))  # fmt: skip
    assert diff(a, c) == [Difference("n1", "addrs", "10.0.0.1/24 dev v0", "scope", "global",
                                     "host")]  # fmt: skip


def test_diff_keeps_records_with_one_key_apart() -> None:
    rule = {"priority": 100, "src": "all", "table": "main"}
    a = _one(NsSnapshot(rules=(rule, {**rule, "table": "local"})))
    b = _one(NsSnapshot(rules=(rule, {**rule, "table": "default"})))
    assert diff(a, b) == [Difference("n1", "rules", "100 #2", "table", "local", "default")]


# --- netsim diff ---------------------------------------------------------------------------


def test_netsim_diff_refuses_yaml_and_missing_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "scenario.yaml"]) == 2
    assert "YAML scenarios are not supported yet" in capsys.readouterr().err
    assert main(["diff", "/nonexistent/x.sh"]) == 2
    assert "No such file or directory" in capsys.readouterr().err


def test_macs_of_random_veths_are_numbered_by_their_stable_names() -> None:
    """Two random veths in one namespace: their MACs get numbers in veth~N order,
    whatever the random names sort as (they differ between the two backends)."""

    def snap(names: tuple[str, str], macs: tuple[str, str]) -> Snapshot:
        links = tuple(
            {"ifindex": 5 + i, "ifname": n, "address": m, "link_index": 2, "link_netnsid": i}
            for i, (n, m) in enumerate(zip(names, macs, strict=True)))  # fmt: skip
        node = NsSnapshot(links=links, nsids={0: "p1", 1: "p2"})
        pods = {p: NsSnapshot(links=({"ifindex": 2, "ifname": "eth0", "link_index": 5 + i,
                                      "link_netnsid": 0},), nsids={0: "init_net"})
                for i, p in enumerate(("p1", "p2"))}  # fmt: skip
        return Snapshot({"init_net": node, **pods}).normalised()

    a = snap(("veth00000001", "vethffffffff"), ("02:aa:00:00:00:01", "02:bb:00:00:00:02"))
    b = snap(("vethffffffff", "veth00000001"), ("02:cc:00:00:00:01", "02:dd:00:00:00:02"))
    assert a == b
