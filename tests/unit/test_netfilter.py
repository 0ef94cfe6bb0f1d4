"""The netfilter model: rules as iptables prints them, tables, the hooks,
conntrack and NAT (masquerade, DNAT, un-NAT of replies and ICMP errors)."""

from __future__ import annotations

import pytest

from netsim import World
from netsim.kernel.netfilter.argv import RuleSyntaxError, parse_rule, save_rule
from netsim.kernel.netfilter.conntrack import IPS_SRC_NAT, REPLY
from netsim.kernel.netfilter.table import NfError, Table
from tests.helpers import build_router_topology

#: iptables argv -> what ``iptables -S`` printed for it (iptables 1.8.9, nf_tables)
CANONICAL = [
    ("-s 10.22.0.2 -j CNI-X -m comment --comment x",
     "-s 10.22.0.2/32 -m comment --comment x -j CNI-X"),
    ("! -d 224.0.0.0/4 -j MASQUERADE", "! -d 224.0.0.0/4 -j MASQUERADE"),
    ("-p tcp --dport 80 -j ACCEPT", "-p tcp -m tcp --dport 80 -j ACCEPT"),
    ("-p udp -m udp --sport 53 -s 1.2.3.4/8 -i eth0 ! -o eth1 -j DROP",
     "-s 1.0.0.0/8 -i eth0 ! -o eth1 -p udp -m udp --sport 53 -j DROP"),
    ("-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
     "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"),
    ("-m mark --mark 5 -j RETURN", "-m mark --mark 0x5 -j RETURN"),
    ("-m addrtype --src-type LOCAL,UNICAST ! --dst-type LOCAL -j X",
     "-m addrtype --src-type UNICAST,LOCAL ! --dst-type LOCAL -j X"),
    ("-p icmp --icmp-type echo-request -j DROP", "-p icmp -m icmp --icmp-type 8 -j DROP"),
    ("-j MARK --set-mark 5", "-j MARK --set-xmark 0x5/0xffffffff"),
    ("-p tcp -m multiport --destination-ports 80,90:95 -j ACCEPT",
     "-p tcp -m multiport --dports 80,90:95 -j ACCEPT"),
    ("-p tcp -j DNAT --to-destination 10.50.0.2:80",
     "-p tcp -j DNAT --to-destination 10.50.0.2:80"),
    ("-j DNAT --to 10.0.0.1", "-j DNAT --to-destination 10.0.0.1"),
    ("-m comment --comment 'it\"s'", "-m comment --comment \"it\\\"s\""),
    ("-j MASQUERADE --random-fully", "-j MASQUERADE --random-fully"),
]  # fmt: skip


@pytest.mark.parametrize(("spec", "saved"), CANONICAL)
def test_rules_print_as_iptables_does(spec: str, saved: str) -> None:
    import shlex

    (rule,) = parse_rule(shlex.split(spec))
    assert save_rule(rule) == saved
    assert parse_rule(shlex.split(saved)) == [rule]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("--dport 80", 'unknown option "--dport"'),
        ("-m multiport --dports 80", "multiport needs `-p tcp'"),
        ("-j DNAT --to-destination 1.2.3.4:80", "Need TCP, UDP, SCTP or DCCP"),
        ("-s 300.1.1.1", "host/network `300.1.1.1' not found"),
        ("-m nosuch", "Couldn't load match `nosuch'"),
        ("foo", "Bad argument `foo'"),
    ],
)
def test_bad_rules_are_refused(spec: str, message: str) -> None:
    with pytest.raises(RuleSyntaxError) as e:
        parse_rule(spec.split())
    assert e.value.message.startswith(message)


def test_source_list_gives_one_rule_per_address() -> None:
    rules = parse_rule(["-s", "10.0.0.1,10.0.0.2", "-j", "ACCEPT"])
    assert [save_rule(r) for r in rules] == ["-s 10.0.0.1/32 -j ACCEPT", "-s 10.0.0.2/32 -j ACCEPT"]


def test_table_operations_raise_what_iptables_reports() -> None:
    t = Table("nat")
    t.new_chain("X")
    with pytest.raises(NfError, match="exists"):
        t.new_chain("X")
    (jump,) = parse_rule(["-j", "X"])
    t.append("POSTROUTING", jump)
    with pytest.raises(NfError, match="busy"):
        t.delete_chain("X")
    with pytest.raises(NfError, match="norule"):
        t.delete("POSTROUTING", parse_rule(["-j", "ACCEPT"])[0])
    with pytest.raises(NfError, match="delindex"):
        t.delete("POSTROUTING", 2)
    (dnat,) = parse_rule(["-j", "DNAT", "--to-destination", "1.1.1.1"])
    with pytest.raises(NfError, match="hook"):
        t.append("POSTROUTING", dnat)
    t.delete("POSTROUTING", 1)
    t.delete_chain("X")
    assert [c.name for c in t] == ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"]


def test_hooks_run_only_while_rules_exist() -> None:
    w = World(seed=1)
    ns = w.netns("init_net")
    assert not ns.inet.nf_on
    nat = ns.netfilter.table("nat")
    nat.append("POSTROUTING", parse_rule(["-j", "MASQUERADE"])[0])
    assert ns.inet.nf_on and ns.netfilter.tracking
    nat.flush()
    assert not ns.inet.nf_on and not ns.netfilter.tracking
    ns.netfilter.table("filter").set_policy("FORWARD", "DROP")
    assert ns.inet.nf_on and not ns.netfilter.tracking


@pytest.fixture
def masq() -> World:
    """a -- r -- c where c has no route back to a; r masquerades a's subnet."""
    w = World(seed=3)
    build_router_topology(w, forwarding=True)
    w.sh("ip -n c route del default")
    rule = parse_rule(["-s", "10.1.0.0/24", "-o", "rc", "-j", "MASQUERADE"])[0]
    w.netns("r").netfilter.table("nat").append("POSTROUTING", rule)
    return w


def test_masquerade_and_the_replies(masq: World) -> None:
    res = masq.ping("10.2.0.1", netns="a", count=2)
    assert res.received == 2
    (ct,) = masq.netns("r").netfilter.conntrack.entries()
    assert ct.status & IPS_SRC_NAT
    assert ct.tuples[REPLY][3] == 0x0A0200FE  # replies expected at 10.2.0.254


def test_masquerade_entry_dies_with_its_address(masq: World) -> None:
    masq.ping("10.2.0.1", netns="a")
    table = masq.netns("r").netfilter.conntrack
    (ct,) = table.entries()
    masq.sh("ip -n r addr del 10.2.0.254/24 dev rc")
    assert table.find(ct.tuples[0], masq.now) is None


def test_forward_drop_and_established() -> None:
    w = World(seed=3)
    build_router_topology(w, forwarding=True)
    w.sh(
        "ip netns exec r iptables -P FORWARD DROP\n"
        "ip netns exec r iptables -A FORWARD -i ra -j ACCEPT\n"
    )
    assert w.ping("10.2.0.1", netns="a").received == 0  # the reply is dropped
    w.sh("ip netns exec r iptables -A FORWARD -m state --state ESTABLISHED -j ACCEPT")
    assert w.ping("10.2.0.1", netns="a").received == 1
    assert w.ping("10.1.0.1", netns="c").received == 0
    fwd = w.netns("r").netfilter.table("filter").chain("FORWARD")
    assert fwd.pkts == 2 and [e.pkts for e in fwd.rules] == [2, 1]


def test_dnat_and_ttl_error_translation() -> None:
    w = World(seed=3)
    build_router_topology(w, forwarding=True)
    w.sh(
        "ip netns exec r iptables -t nat -A PREROUTING -d 10.1.0.254 -p icmp "
        "-j DNAT --to-destination 10.2.0.1"
    )
    res = w.ping("10.1.0.254", netns="a")
    assert res.received == 1 and "64 bytes from 10.1.0.254" in res.output
    res = w.ping("10.1.0.254", netns="a", ttl=1)
    assert "From 10.1.0.254 icmp_seq=1 Time to live exceeded" in res.output


def test_mark_then_masquerade_by_mark(masq: World) -> None:
    nat = masq.netns("r").netfilter.table("nat")
    nat.flush()
    nat.append("PREROUTING", parse_rule(["-s", "10.1.0.1", "-j", "MARK", "--set-xmark",
                                         "0x2000/0x2000"])[0])  # fmt: skip
    nat.append("POSTROUTING", parse_rule(["-m", "mark", "--mark", "0x2000/0x2000", "-j",
                                          "MASQUERADE"])[0])  # fmt: skip
    assert masq.ping("10.2.0.1", netns="a").received == 1
