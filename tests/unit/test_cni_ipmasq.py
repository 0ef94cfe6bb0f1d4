"""go-iptables (netsim.cni.iptables) and ip.SetupIPMasq / TeardownIPMasq: the
iptables commands they run, in order, and the errors they report."""

from __future__ import annotations

import ipaddress

import pytest

from netsim import World
from netsim.backends.sim.host import SimHost
from netsim.cni.driver import RecordingHost, run
from netsim.cni.iptables import IPTables, IptablesError
from netsim.cni.plugins.ipmasq import setup_ip_masq, teardown_ip_masq
from netsim.cni.utils import format_chain_name, format_comment
from netsim.errors import CommandFailed
from netsim.host.ops import Iptables, Op
from netsim.host.protocol import OpResult

CHAIN = format_chain_name("mynet", "ctr1")
COMMENT = format_comment("mynet", "ctr1")
CM = ("-m", "comment", "--comment", 'name: "mynet" id: "ctr1"')


def test_names_are_the_reference_plugins() -> None:
    """cni.md: ``CNI-`` + sha512("mynetctr1")[:24]; portmap's ``CNI-DN-`` prefix."""
    assert CHAIN == "CNI-5145007e2a8415ce07579739"
    assert format_chain_name("chainnet", "c1", "DN-") == "CNI-DN-e26e96f88412854951bb8"
    assert COMMENT == 'name: "mynet" id: "ctr1"'


def test_setup_lists_chains_then_appends_each_rule_once() -> None:
    host = RecordingHost(lambda op: "-P POSTROUTING ACCEPT\n")
    run(setup_ip_masq("node", ipaddress.ip_interface("10.22.0.2/24"), CHAIN, COMMENT), host)
    args = [op.args for op in host.ops if isinstance(op, Iptables)]
    assert args[0] == ("-t", "nat", "-S", "--wait")
    assert args[1] == ("-t", "nat", "-N", CHAIN, "--wait")
    # -C succeeded (the fake answers every command), so nothing was appended
    assert args[2:] == [
        ("-t", "nat", "-C", CHAIN, "-d", "10.22.0.2/24", "-j", "ACCEPT", *CM, "--wait"),
        ("-t", "nat", "-C", CHAIN, "!", "-d", "224.0.0.0/4", "-j", "MASQUERADE", *CM, "--wait"),
        ("-t", "nat", "-C", "POSTROUTING", "-s", "10.22.0.2", "-j", CHAIN, *CM, "--wait"),
    ]


def test_teardown_without_the_chain_fails_as_cni_md_t2_shows() -> None:
    """``-D ... -j CHAIN`` for a chain that is gone is iptables' status 2 (a
    parameter problem, not "does not exist"), so the teardown fails with it."""
    w = World(seed=1)
    w.netns_add("node")
    ipn = ipaddress.ip_interface("10.22.0.2/24")
    with pytest.raises(IptablesError) as info:
        run(teardown_ip_masq("node", ipn, CHAIN, COMMENT), SimHost(w))
    assert info.value.msg == (
        f"running [/usr/sbin/iptables -t nat -D POSTROUTING -s 10.22.0.2 -j {CHAIN} -m comment "
        f'--comment name: "mynet" id: "ctr1" --wait]: exit status 2: iptables v1.8.9 '
        f"(nf_tables): Chain '{CHAIN}' does not exist\n"
        "Try `iptables -h' or 'iptables --help' for more information.\n"
    )


def test_setup_twice_appends_once_and_teardown_removes_all() -> None:
    w = World(seed=1)
    w.netns_add("node")
    ipn = ipaddress.ip_interface("10.22.0.2/24")
    run(setup_ip_masq("node", ipn, CHAIN, COMMENT), SimHost(w))
    run(setup_ip_masq("node", ipn, CHAIN, COMMENT), SimHost(w))  # AppendUnique: no copies
    assert len(w.netns("node").netfilter.table("nat").chain(CHAIN).rules) == 2
    run(teardown_ip_masq("node", ipn, CHAIN, COMMENT), SimHost(w))
    assert w.sh("ip netns exec node iptables -t nat -S").stdout.splitlines() == [
        "-P PREROUTING ACCEPT",
        "-P INPUT ACCEPT",
        "-P OUTPUT ACCEPT",
        "-P POSTROUTING ACCEPT",
    ]


def test_a_refusal_is_the_librarys_error() -> None:
    def refuse(op: Op) -> OpResult:
        assert isinstance(op, Iptables)
        raise CommandFailed(("iptables", *op.args), 4, "iptables: Could not fetch rule set.\n")

    with pytest.raises(IptablesError) as info:
        run(IPTables("node").delete_chain("nat", CHAIN), RecordingHost(refuse))
    assert info.value.msg == (
        f"running [/usr/sbin/iptables -t nat -X {CHAIN} --wait]: exit status 4: "
        "iptables: Could not fetch rule set.\n"
    )
    assert info.value.code == 999 and not info.value.is_not_exist()
